// Which local files an API call may make this node open. The API is reachable by whoever holds the
// token (or, on loopback without one, by local programs), so paths in calls are limited to what the
// operator chose: files in the allow-listed model folders (`vigil serve`: $VIGIL_HOME/import and any
// --models-dir), or, in the desktop app, files picked in a file dialog. A camera file must be a
// regular, readable video file outside the system folders (main/workspace/uri.ts has the rule).
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileCameraPath, FORBIDDEN_FILE_ROOTS, uriProblem } from '../workspace/uri.js';

export class FileAccessError extends Error {
  constructor(
    readonly code: 'forbidden' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

export interface PathPolicy {
  /** The real path of `path` when an API call may open it; throws FileAccessError otherwise. */
  check(path: string): string;
  /** Where the operator puts files this policy allows, for messages and `system.info`. */
  readonly describe: string;
}

function realFile(path: string): string | null {
  try {
    const real = realpathSync(path);
    return statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

function inside(dir: string, file: string): boolean {
  return file.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/**
 * Files under these folders (after resolving symlinks on both sides) and, optionally, files the
 * operator picked in a dialog (`pick` adds them; the desktop shell calls it).
 */
export class AllowListPolicy implements PathPolicy {
  private readonly picked = new Set<string>();

  constructor(private readonly folders: string[]) {}

  get describe(): string {
    return this.folders.length ? this.folders.join(', ') : '(no folder)';
  }

  /** A file the operator picked in a file dialog: allowed from now on. */
  pick(path: string): void {
    const real = realFile(path);
    if (real) this.picked.add(real);
  }

  check(path: string): string {
    const refuse = () =>
      new FileAccessError(
        'forbidden',
        `'${path}' is not a file this node may open for the API — put the file in ${this.describe} (or choose it with Browse… in the desktop app), then use that path`,
      );
    if (!isAbsolute(path))
      throw new FileAccessError(
        'invalid',
        `'${path}' is not a full path — give the file's full path on this node, e.g. ${this.folders[0] ?? '/data'}/model.onnx`,
      );
    const real = realFile(resolve(path));
    // Same answer whether the file is missing or outside: a caller learns nothing about other folders.
    if (!real) {
      if (this.folders.some((d) => inside(realDir(d), resolve(path)))) throw new FileAccessError('invalid', `'${path}' is not a file — check the name`);
      throw refuse();
    }
    if (this.picked.has(real)) return real;
    if (this.folders.some((d) => inside(realDir(d), real))) return real;
    throw refuse();
  }
}

function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

/** Why the file behind a file camera URI cannot be played, or null (other schemes: null). */
export function fileCameraProblem(uri: string): string | null {
  const syntax = uriProblem(uri);
  if (syntax) return syntax;
  const path = fileCameraPath(uri);
  if (path === null) return null;
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return `file '${path}' does not exist on this node — check the path`;
  }
  const root = FORBIDDEN_FILE_ROOTS.find((r) => real === r || real.startsWith(`${r}/`));
  if (root) return `file '${path}' leads into ${root}, a system folder — a file camera plays a video file`;
  // A link named .mp4 must lead to a video file too.
  if (real !== path && uriProblem(pathToFileURL(real).href))
    return `file '${path}' is a link to a file that is not a video file by its name — give the video's own path`;
  try {
    if (!statSync(real).isFile()) return `'${path}' is not a regular file — a file camera plays a video file`;
    accessSync(real, constants.R_OK);
  } catch {
    return `file '${path}' cannot be read by Vigil — check its permissions`;
  }
  return null;
}
