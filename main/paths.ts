import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/** The folder holding Vigil's package.json, whether running from source or from dist/. */
export function projectRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'vigil') {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the Vigil installation folder (package.json named "vigil")');
    dir = parent;
  }
}

export function appVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Where set-up writes the generated default models (git-ignored). */
export function generatedModelsDir(): string {
  return process.env.VIGIL_MODELS_DIR ?? join(projectRoot(), 'resources', 'models', 'generated');
}

/** Vigil's data folder: $VIGIL_HOME, else the desktop app's user-data folder, else ~/.local/share/vigil. */
export function dataHome(desktopUserData?: string): string {
  if (process.env.VIGIL_HOME) return process.env.VIGIL_HOME;
  if (desktopUserData) return desktopUserData;
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'vigil');
}

/** Where `vigil serve` takes model files from for the API (models.inspect/add/importNvinfer). */
export function modelImportDir(home: string): string {
  return join(home, 'import');
}

/**
 * Makes the data folder private to its owner: the folder 0700, and the files that hold the operator's
 * configuration and record 0600 (workspace, secrets, the database and its WAL). Files made later get
 * the same through the process umask that the entry points set (`restrictUmask`).
 */
export function hardenDataHome(home: string): string[] {
  const problems: string[] = [];
  const restrict = (path: string, mode: number) => {
    try {
      chmodSync(path, mode);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') problems.push(`cannot make ${path} private (${code ?? 'error'}) — check who owns it`);
    }
  };
  mkdirSync(home, { recursive: true, mode: 0o700 });
  restrict(home, 0o700);
  for (const dir of ['record', 'import']) {
    mkdirSync(join(home, dir), { recursive: true, mode: 0o700 });
    restrict(join(home, dir), 0o700);
  }
  const files = ['workspace.json', 'secrets.json', join('record', 'vigil.db'), join('record', 'vigil.db-wal'), join('record', 'vigil.db-shm')];
  // Files not there yet are made later under the umask.
  for (const f of files) restrict(join(home, f), 0o600);
  return problems;
}

/** New files 0600 and folders 0700 from here on (the app's entry points call this once). */
export function restrictUmask(): void {
  process.umask(0o077);
}
