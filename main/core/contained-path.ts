// Which file a URL path names inside a folder the app serves (the built renderer, recorded media),
// for `vigil serve` and the desktop app's vigil:// protocol alike. A path is decoded, normalised and
// then checked for containment on its resolved real path, so encoded slashes, '..' and symlinks out of
// the folder are refused; only regular files are answered.
import { realpathSync, statSync } from 'node:fs';
import { join, posix, sep } from 'node:path';

/** Media folders under the record folder that /media/ may serve from (exports/: files made by `recordings.export`). */
export const MEDIA_FOLDERS = ['snapshots', 'segments', 'exports'] as const;

export type Resolved = { ok: true; file: string; size: number } | { ok: false; status: 400 | 404; message: string };

/** '/a%2Fb' → 'a/b' normalised, or null when it is not valid percent-encoding or has NUL/'..' escapes. */
export function decodePath(pathname: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0') || rel.includes('\\')) return null;
  const norm = posix.normalize(`/${rel}`);
  if (norm.split('/').includes('..')) return null;
  return norm.slice(1);
}

function realInside(root: string, rel: string): Resolved {
  let realRoot: string;
  let real: string;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(join(realRoot, rel));
  } catch {
    return { ok: false, status: 404, message: 'not found' };
  }
  if (!real.startsWith(realRoot + sep)) return { ok: false, status: 404, message: 'not found' };
  try {
    const st = statSync(real);
    if (!st.isFile()) return { ok: false, status: 404, message: 'not found' };
    return { ok: true, file: real, size: st.size };
  } catch {
    return { ok: false, status: 404, message: 'not found' };
  }
}

/** A /media/<folder>/<file> path (pathname after '/media/') resolved inside `recordDir`'s media folders. */
export function resolveMedia(recordDir: string, pathname: string): Resolved {
  const rel = decodePath(pathname);
  if (rel === null) return { ok: false, status: 400, message: `'${pathname.slice(0, 80)}' is not a valid media path` };
  const [folder, ...rest] = rel.split('/');
  if (!(MEDIA_FOLDERS as readonly string[]).includes(folder ?? '') || rest.length === 0) return { ok: false, status: 404, message: 'not found' };
  return realInside(join(recordDir, folder!), rest.join('/'));
}

/** A page or asset of the built renderer; unknown paths get index.html (client-side routes). */
export function resolveStatic(staticDir: string, pathname: string): Resolved {
  const rel = decodePath(pathname);
  if (rel === null) return { ok: false, status: 400, message: 'not a valid path' };
  const found = realInside(staticDir, rel === '' || rel.endsWith('/') ? `${rel}index.html` : rel);
  return found.ok ? found : realInside(staticDir, 'index.html');
}
