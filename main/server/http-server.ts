// `vigil serve`: the API over HTTP + WebSocket and the built renderer, for a browser or a remote node.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiErrorBody, PreviewFrameMessage } from '../api/contract.js';
import { dispatch } from '../core/dispatch.js';
import type { Services } from '../core/services.js';

export interface ServeOptions {
  services: Services;
  host?: string;
  port?: number;
  token?: string;
  /** The built renderer (index.html and assets). */
  staticDir: string;
  /** Recorded media (snapshots, segments), served under /media/. */
  mediaDir?: string;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

const PREVIEW_BACKLOG_BYTES = 2 * 1024 * 1024;

/** Binary preview message: u32 LE header length, JSON header, JPEG bytes (see main/api/contract.ts). */
export function encodePreview(p: PreviewFrameMessage): Buffer {
  const { jpeg, ...rest } = p;
  const header = Buffer.from(JSON.stringify({ topic: 'preview', ...rest }), 'utf8');
  const out = Buffer.allocUnsafe(4 + header.length + jpeg.byteLength);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength).copy(out, 4 + header.length);
  return out;
}

const CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function tokenFrom(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const q = url.searchParams.get('token');
  if (q) return q;
  const cookie = req.headers.cookie?.split(';').map((c) => c.trim()).find((c) => c.startsWith('vigil_token='));
  return cookie ? decodeURIComponent(cookie.slice('vigil_token='.length)) : undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, error: ApiErrorBody): void {
  sendJson(res, status, { ok: false, error });
}

async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseParams(raw: string | null, what: string): Record<string, unknown> {
  if (!raw) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

const STATUS_OF_CODE: Record<string, number> = {
  'bad-request': 400,
  'not-found': 404,
  invalid: 422,
  unavailable: 503,
  conflict: 409,
  'engine-unavailable': 503,
  internal: 500,
};

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { services, staticDir } = options;
  const host = options.host ?? '127.0.0.1';
  const token = options.token;
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  if (!isLoopback(host) && !token) {
    throw new Error(`refusing to listen on ${host} without an access token — pass --token <secret> (or bind 127.0.0.1)`);
  }
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new Error(`the renderer is not built (${join(staticDir, 'index.html')} is missing) — run 'npm start' to build it`);
  }

  const authorised = (req: IncomingMessage, url: URL) => !token || sameToken(tokenFrom(req, url), token);

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = url.pathname.slice('/api/v1/'.length).split('/').filter(Boolean).join('.');
    let params: Record<string, unknown>;
    try {
      params = req.method === 'POST' ? parseParams(await readBody(req), 'request body') : parseParams(url.searchParams.get('params'), "'params' query");
    } catch (e) {
      sendError(res, 400, { code: 'bad-request', message: (e as Error).message });
      return;
    }
    const reply = await dispatch(services, method, params, log);
    if (reply.ok) sendJson(res, 200, reply);
    else sendError(res, STATUS_OF_CODE[reply.error.code] ?? 400, reply.error);
  }

  function serveStatic(res: ServerResponse, url: URL): void {
    let rel = decodeURIComponent(url.pathname);
    if (rel.endsWith('/')) rel += 'index.html';
    let file = normalize(join(staticDir, rel));
    if (!file.startsWith(normalize(staticDir) + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) file = join(staticDir, 'index.html'); // client-side routes
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600',
    });
    createReadStream(file).pipe(res);
  }

  function serveMedia(res: ServerResponse, url: URL): void {
    const dir = options.mediaDir;
    const rel = decodeURIComponent(url.pathname.slice('/media/'.length));
    const file = dir ? normalize(join(dir, rel)) : '';
    // Only recorded media, never the database beside it.
    const allowed = rel.startsWith('snapshots/') || rel.startsWith('segments/');
    if (!dir || !allowed || !file.startsWith(normalize(dir) + sep) || !existsSync(file) || !statSync(file).isFile()) {
      sendError(res, 404, { code: 'not-found', message: `no recorded media at ${url.pathname} (it may have been removed by retention)` });
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'private, max-age=86400', 'x-content-type-options': 'nosniff' });
    createReadStream(file).pipe(res);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://vigil.local');
    if (!authorised(req, url)) {
      sendError(res, 401, { code: 'unauthorized', message: 'this Vigil node needs its access token: open the URL printed by `vigil serve` (it ends in ?token=…)' });
      return;
    }
    if (token && url.searchParams.get('token')) {
      // Keep the token for the page's own later requests without leaving it in the address bar's history.
      res.setHeader('set-cookie', `vigil_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (url.pathname.startsWith('/api/v1/')) {
      if (req.method !== 'GET' && req.method !== 'POST') {
        sendError(res, 405, { code: 'bad-request', message: `use GET or POST, not ${req.method}` });
        return;
      }
      void handleApi(req, res, url);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (url.pathname.startsWith('/media/')) {
      serveMedia(res, url);
      return;
    }
    serveStatic(res, url);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://vigil.local');
    if (url.pathname !== '/api/v1/ws' || !authorised(req, url)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attachSocket(ws));
  });

  function attachSocket(ws: WebSocket): void {
    // Topics this socket asked for; previews per camera. Status-like topics are always sent.
    const topics = new Set<string>(['engine.status', 'streams.stats', 'tracks.events', 'workspace.changed']);
    const previewCameras = new Set<string>();
    let droppedPreviews = 0;
    const unsubscribe = services.subscribe((topic, payload) => {
      if (ws.readyState !== ws.OPEN) return;
      if (topic === 'preview') {
        const p = payload as PreviewFrameMessage;
        if (!previewCameras.has(p.camera)) return;
        // A slow client gets fewer previews, never a growing queue.
        if (ws.bufferedAmount > PREVIEW_BACKLOG_BYTES) {
          droppedPreviews++;
          return;
        }
        ws.send(encodePreview(p));
        return;
      }
      if (topics.has(topic)) ws.send(JSON.stringify({ type: 'event', topic, payload }));
    });
    // A client that connects between a state change and its first call would otherwise miss it.
    for (const [topic, payload] of Object.entries(services.current())) ws.send(JSON.stringify({ type: 'event', topic, payload }));
    ws.on('close', () => {
      unsubscribe();
      if (droppedPreviews > 0) log(`[serve] a slow client missed ${droppedPreviews} preview frames`);
    });
    const reply = (id: unknown, body: object) => ws.send(JSON.stringify({ type: 'reply', id: typeof id === 'number' ? id : null, ...body }));
    ws.on('message', (data, isBinary) => {
      let msg: { type?: string; id?: number; method?: string; params?: unknown; topic?: string; camera?: string };
      try {
        if (isBinary) throw new Error('binary');
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        reply(null, { ok: false, error: { code: 'bad-request', message: 'message is not JSON text' } });
        return;
      }
      if (msg.type === 'subscribe' || msg.type === 'unsubscribe') {
        const add = msg.type === 'subscribe';
        if (msg.topic === 'preview') {
          if (typeof msg.camera !== 'string') return reply(msg.id, { ok: false, error: { code: 'bad-request', message: "subscribe to 'preview' with a camera id" } });
          if (add) previewCameras.add(msg.camera);
          else previewCameras.delete(msg.camera);
        } else if (typeof msg.topic === 'string') {
          if (add) topics.add(msg.topic);
          else topics.delete(msg.topic);
        }
        return;
      }
      if (msg.type !== 'call' || typeof msg.id !== 'number') {
        reply(msg.id, { ok: false, error: { code: 'bad-request', message: "expected {type:'call', id, method, params}" } });
        return;
      }
      void dispatch(services, msg.method, msg.params, log).then((r) => reply(msg.id, r));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(e.code === 'EADDRINUSE' ? `port ${options.port} on ${host} is already in use — pick another with --port` : e.message)),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
