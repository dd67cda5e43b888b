// Files `vigil serve` sends: the built renderer, and recorded media under /media/ (snapshots and
// segments only). A path is decoded, normalised and then checked for containment on its resolved real
// path, so encoded slashes, '..' and symlinks out of the folder are refused; only regular files go out.
import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, posix, sep } from 'node:path';

export const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.mp4': 'video/mp4',
  '.mkv': 'video/x-matroska',
  '.ts': 'video/mp2t',
};

/** Media folders under the record folder that /media/ may serve from. */
export const MEDIA_FOLDERS = ['snapshots', 'segments'] as const;

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

/** Sends a file, honouring one `Range: bytes=a-b` (206) as video players ask for. */
export function sendFile(res: ServerResponse, file: { file: string; size: number }, headers: Record<string, string>, range: string | undefined, head: boolean): void {
  const type = MIME[extname(file.file).toLowerCase()] ?? 'application/octet-stream';
  const base: Record<string, string> = { ...headers, 'content-type': type, 'accept-ranges': 'bytes', 'x-content-type-options': 'nosniff' };
  let start = 0;
  let end = file.size - 1;
  let status = 200;
  if (range !== undefined) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    const a = m?.[1] ? Number(m[1]) : null;
    const b = m?.[2] ? Number(m[2]) : null;
    if (m && a !== null) {
      start = a;
      end = b === null ? file.size - 1 : Math.min(b, file.size - 1);
    } else if (m && b !== null) {
      start = Math.max(file.size - b, 0);
    }
    if (!m || (a === null && b === null) || start > end || start >= file.size) {
      res.writeHead(416, { ...base, 'content-range': `bytes */${file.size}` }).end();
      return;
    }
    status = 206;
    base['content-range'] = `bytes ${start}-${end}/${file.size}`;
  }
  res.writeHead(status, { ...base, 'content-length': String(file.size === 0 ? 0 : end - start + 1) });
  if (head || file.size === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(file.file, { start, end });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
