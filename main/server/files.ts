// Files `vigil serve` sends: the built renderer, and recorded media under /media/ (which paths may be
// served is decided in main/core/contained-path.ts, shared with the desktop app's protocol).
import { createReadStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname } from 'node:path';

export { resolveMedia, resolveStatic, type Resolved } from '../core/contained-path.js';

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

/** Sends a file, honouring one `Range: bytes=a-b` (206) as video players ask for. */
export function sendFile(
  res: ServerResponse,
  file: { file: string; size: number },
  headers: Record<string, string>,
  range: string | undefined,
  head: boolean,
): void {
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
