import { existsSync, readFileSync } from 'node:fs';
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

/** Vigil's data folder: $VIGIL_HOME, else the desktop app's user-data folder, else ~/.local/share/vigil. */
export function dataHome(desktopUserData?: string): string {
  if (process.env.VIGIL_HOME) return process.env.VIGIL_HOME;
  if (desktopUserData) return desktopUserData;
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'vigil');
}
