// Reads a DeepStream config file, key-file form ([property] / key=value) or YAML form (DeepStream 6.2+:
// `property:` then indented `key: value`), into the same sections → keys → values map.
// The file may be anything a user (or a web page driving the API) names, so no error here ever quotes
// the file's contents: only its path, line numbers and what was expected.
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';

export type Sections = Map<string, Map<string, string>>;

export class ConfigReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigReadError';
  }
}

/** Configs are small; anything bigger is not one (and is never read whole). */
export const MAX_CONFIG_BYTES = 1 << 20;

/** Reads at most MAX_CONFIG_BYTES of a regular text file; `what` names it in errors ("nvinfer config"). */
export function readSmallTextFile(path: string, what: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new ConfigReadError(`${what} '${path}' cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}) — check the path`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ConfigReadError(`${what} '${path}' is not a regular file`);
    if (st.size > MAX_CONFIG_BYTES)
      throw new ConfigReadError(
        `${what} '${path}' is ${st.size} bytes; a DeepStream config is text of at most ${MAX_CONFIG_BYTES} bytes — is this the right file?`,
      );
    const buf = Buffer.alloc(st.size);
    const n = st.size === 0 ? 0 : readSync(fd, buf, 0, st.size, 0);
    if (buf.subarray(0, n).includes(0)) throw new ConfigReadError(`${what} '${path}' is a binary file, not a text config — is this the right file?`);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

// Whole-line '#' or ';' comments, and ' # …' after a value.
const stripComment = (line: string) => line.replace(/(^\s*[#;]|\s#).*$/, '');

/** Key-file form: [group] headers, key=value lines, '#' or ';' comments. */
function parseKeyFile(lines: string[], source: string): Sections {
  const sections: Sections = new Map();
  let current: Map<string, string> | undefined;
  lines.forEach((raw, i) => {
    const line = stripComment(raw).trim();
    if (line === '') return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      const name = header[1]!.trim();
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !current) throw new ConfigReadError(`'${source}' line ${i + 1} is not 'key=value' inside a [group] — this is not a DeepStream config file`);
    current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  });
  return sections;
}

/** One YAML scalar as DeepStream writes them: plain, quoted, or a flow list [a, b] (read as 'a;b'). */
function yamlScalar(v: string): string {
  const s = v.trim();
  if (/^\[.*\]$/.test(s))
    return s
      .slice(1, -1)
      .split(',')
      .map((x) => yamlScalar(x))
      .filter((x) => x !== '')
      .join(';');
  if (s.length >= 2 && ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'")))) return s.slice(1, -1);
  return s;
}

/** The YAML subset DeepStream uses for nvinfer and deepstream-app configs: top-level `group:` keys,
 * each with indented `key: value` pairs (block lists `- item` are joined with ';'). */
function parseYaml(lines: string[], source: string): Sections {
  const sections: Sections = new Map();
  let current: Map<string, string> | undefined;
  let lastKey: string | undefined;
  lines.forEach((raw, i) => {
    const noComment = raw.replace(/(^|\s)#.*$/, '');
    if (noComment.trim() === '' || /^(---|\.\.\.|%YAML)/.test(noComment)) return;
    const bad = () => new ConfigReadError(`'${source}' line ${i + 1} is not 'key: value' under a top-level group — this is not a DeepStream YAML config`);
    const indented = /^\s/.test(noComment);
    const line = noComment.trim();
    if (!indented) {
      const group = /^([A-Za-z0-9_.-]+):$/.exec(line);
      if (!group) throw bad();
      current = sections.get(group[1]!) ?? new Map();
      sections.set(group[1]!, current);
      lastKey = undefined;
      return;
    }
    if (!current) throw bad();
    const item = /^-\s*(.*)$/.exec(line);
    if (item) {
      if (lastKey === undefined) throw bad();
      const prev = current.get(lastKey) ?? '';
      current.set(lastKey, prev === '' ? yamlScalar(item[1]!) : `${prev};${yamlScalar(item[1]!)}`);
      return;
    }
    const kv = /^([A-Za-z0-9_.-]+):(?:\s+(.*))?$/.exec(line);
    if (!kv) throw bad();
    lastKey = kv[1]!;
    current.set(lastKey, yamlScalar(kv[2] ?? ''));
  });
  return sections;
}

export interface ConfigFile {
  format: 'key-file' | 'yaml';
  sections: Sections;
}

/** Reads and parses a DeepStream config; the form is told by the extension (.yml/.yaml) or the first line. */
export function readDeepstreamConfig(path: string, what: string): ConfigFile {
  const text = readSmallTextFile(path, what);
  const lines = text.split(/\r?\n/);
  const first = lines.map((l) => stripComment(l).trim()).find((l) => l !== '' && !/^(---|%YAML)/.test(l));
  if (first === undefined) throw new ConfigReadError(`${what} '${path}' is empty`);
  const yaml = /\.ya?ml$/i.test(path) || (!first.startsWith('[') && /^[A-Za-z0-9_.-]+:$/.test(first));
  const sections = yaml ? parseYaml(lines, path) : parseKeyFile(lines, path);
  return { format: yaml ? 'yaml' : 'key-file', sections };
}
