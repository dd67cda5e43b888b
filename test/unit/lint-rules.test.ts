// The layering guardrails: Vigil's local lint rules (lint/plugin.mjs) reject a wrong import and a cycle
// in real files linted by the real ESLint configuration, and ARCHITECTURE.md's folder map is the table
// the rule enforces.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { afterEach, describe, expect, it } from 'vitest';
import { documentedFolderMap, renderFolderMap } from '../../lint/folder-map-doc.mjs';
import { ROOMS, roomOf } from '../../lint/folder-map.mjs';
import { projectRoot } from '../../main/paths.js';

const root = projectRoot();
const probes: string[] = [];

function probe(relPath: string, text: string): string {
  const file = join(root, relPath);
  writeFileSync(file, text);
  probes.push(file);
  return file;
}

async function lint(files: string[]) {
  const results = await new ESLint({ cwd: root }).lintFiles(files);
  return results.flatMap((r) => r.messages.map((m) => ({ file: r.filePath, rule: m.ruleId, message: m.message })));
}

afterEach(() => {
  for (const f of probes.splice(0)) rmSync(f, { force: true });
});

describe('lint: the folder map and import cycles', () => {
  it('fails a renderer file that imports main/store, naming the rule and the allowed rooms', { timeout: 60_000 }, async () => {
    const file = probe(
      `renderer/settings/lint-probe-${process.pid}.tsx`,
      "import { openStore } from '../../main/store/store';\nexport const probe = openStore;\n",
    );
    const messages = await lint([file]);
    const layering = messages.filter((m) => m.rule === 'vigil/folder-map');
    expect(layering).toHaveLength(1);
    expect(layering[0]!.message).toContain("may not import 'main/store/store.ts' (room main/store)");
    expect(layering[0]!.message).toContain('renderer/settings imports only from main/api');
  });

  it('passes the same file importing main/api', { timeout: 60_000 }, async () => {
    const file = probe(
      `renderer/settings/lint-probe-${process.pid}.tsx`,
      "import type { CameraView } from '../../main/api/contract';\nexport type Probe = CameraView;\n",
    );
    expect(await lint([file])).toEqual([]);
  });

  it('reports an import cycle with its path', { timeout: 60_000 }, async () => {
    const a = `test/unit/lint-probe-${process.pid}-a.ts`;
    const b = `test/unit/lint-probe-${process.pid}-b.ts`;
    probe(a, `import { b } from './lint-probe-${process.pid}-b.js';\nexport const a = () => b;\n`);
    probe(b, `import { a } from './lint-probe-${process.pid}-a.js';\nexport const b = () => a;\n`);
    const cycles = (await lint([join(root, a)])).filter((m) => m.rule === 'vigil/no-cycle');
    expect(cycles.map((m) => m.message)).toEqual([`import cycle: ${a} → ${b} → ${a}`]);
  });

  it('reports a file outside every room of the folder map', { timeout: 60_000 }, async () => {
    const results = await new ESLint({ cwd: root }).lintText('export const x = 1;\n', { filePath: join(root, 'nowhere', 'x.ts') });
    expect(results[0]!.messages.map((m) => m.ruleId)).toEqual(['vigil/folder-map']);
    expect(results[0]!.messages[0]!.message).toContain('lies in no room of the folder map');
  });
});

describe('folder map', () => {
  it('ARCHITECTURE.md shows the table the rule enforces (else run `npm run docs:folder-map`)', () => {
    expect(documentedFolderMap()).toBe(renderFolderMap());
  });

  it('lists only rooms that exist in the table, and nothing imports main/electron, nor main/server but main/cli', () => {
    const paths = new Set(ROOMS.map((r) => r.path));
    for (const r of ROOMS) {
      for (const i of r.imports) {
        const target = typeof i === 'string' ? i : i.room;
        if (target !== '*') expect(paths, `${r.path} lists ${target}`).toContain(target);
        expect(target, `${r.path} may not import main/electron`).not.toBe('main/electron');
        if (target === 'main/server') expect(r.path).toBe('main/cli');
      }
    }
    expect(roomOf('renderer/settings/Settings.tsx')?.path).toBe('renderer/settings');
    expect(roomOf('main/paths.ts')?.path).toBe('main/paths.ts');
    expect(roomOf('mainly/x.ts')).toBeNull();
  });
});
