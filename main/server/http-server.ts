// `vigil serve`: the API over HTTP + WebSocket and the built renderer, for a browser or a remote node.
// Order of checks for every request and upgrade: host, origin, token (guard.ts); then the route.
// State changes only via POST with a JSON body; GET answers read-only methods (params.ts's table).
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import type { ApiErrorBody } from '../api/contract.js';
import { READ_METHODS } from '../api/params-schema.js';
import { dispatch } from '../core/dispatch.js';
import { isApiMethod, type Services } from '../core/services.js';
import { resolveMedia, resolveStatic, sendFile } from './files.js';
import { Guard, isLoopback, type Admission } from './guard.js';
import { attachSocket } from './socket.js';

export { isLoopback } from './guard.js';
export { encodePreview } from './socket.js';

export interface ServeOptions {
  services: Services;
  host?: string;
  port?: number;
  token?: string;
  /** Host names besides loopback and the bound address that requests may name (reverse proxies, LAN names). */
  allowedHosts?: string[];
  /** The built renderer (index.html and assets). */
  staticDir: string;
  /** The record folder: its snapshots/ and segments/ are served under /media/. */
  mediaDir?: string;
  log?: (line: string) => void;
  /** Failed-token attempts per address before 429 (default 10 a minute). */
  maxAuthFailures?: number;
}

export interface RunningServer {
  /** The address to open, never carrying the token. */
  url: string;
  port: number;
  /** A link that signs one browser in (valid once, for 10 minutes); the plain URL when there is no token. */
  oneTimeLink(): string;
  close(): Promise<void>;
}

const CSP =
  "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const BODY_LIMIT = 1 << 20;
/** Open WebSocket connections at most (each browser tab holds one). */
const MAX_SOCKETS = 64;

const STATUS_OF_CODE: Record<string, number> = {
  'bad-request': 400,
  'not-found': 404,
  forbidden: 403,
  invalid: 422,
  unavailable: 503,
  conflict: 409,
  busy: 429,
  'engine-unavailable': 503,
  internal: 500,
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, error: ApiErrorBody, headers: Record<string, string> = {}): void {
  sendJson(res, status, { ok: false, error }, headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > BODY_LIMIT) throw new HttpError(413, 'bad-request', `request body over ${BODY_LIMIT} bytes`);
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new HttpError(413, 'bad-request', `request body over ${BODY_LIMIT} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseParams(raw: string | null, what: string): unknown {
  if (!raw) return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new HttpError(400, 'bad-request', `${what} is not valid JSON`);
  }
}

function isJson(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { services, staticDir } = options;
  const host = options.host ?? '127.0.0.1';
  const token = options.token;
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  if (!isLoopback(host) && !token) {
    throw new Error(`refusing to listen on ${host} without an access token — give one with --token-file FILE or VIGIL_TOKEN (or bind 127.0.0.1)`);
  }
  if (token !== undefined && token.length < 16)
    throw new Error('the access token is shorter than 16 characters — use a long random one, e.g. `openssl rand -base64 32`');
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new Error(`the renderer is not built (${join(staticDir, 'index.html')} is missing) — run 'npm start' to build it`);
  }
  const guard = new Guard({
    host,
    token,
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.maxAuthFailures ? { maxFailures: options.maxAuthFailures } : {}),
  });

  function refuse(res: ServerResponse, a: Exclude<Admission, { ok: true }>): void {
    sendError(res, a.status, a.error, a.retryAfterS ? { 'retry-after': String(a.retryAfterS) } : {});
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = url.pathname.slice('/api/v1/'.length).split('/').filter(Boolean).join('.');
    let params: unknown;
    if (req.method === 'POST') {
      if (!isJson(req)) throw new HttpError(415, 'bad-request', 'send the parameters as a JSON body with Content-Type: application/json');
      params = parseParams(await readBody(req), 'request body');
    } else {
      // GET answers only methods that change nothing; everything else needs POST (no cross-site GET side effects).
      if (!isApiMethod(services.handlers, method)) throw new HttpError(404, 'not-found', `no API method '${method.slice(0, 80)}'`);
      if (!READ_METHODS.has(method)) throw new HttpError(405, 'bad-request', `'${method}' changes state: call it with POST and a JSON body`);
      params = parseParams(url.searchParams.get('params'), "'params' query");
    }
    const reply = await dispatch(services, method, params, log);
    if (reply.ok) sendJson(res, 200, reply);
    else sendError(res, STATUS_OF_CODE[reply.error.code] ?? 400, reply.error);
  }

  function route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://vigil.invalid');
    const admitted = guard.admit(req, url);
    if (!admitted.ok) return refuse(res, admitted);
    if (admitted.setCookie) {
      res.setHeader('set-cookie', admitted.setCookie);
      // A one-time link is spent: take it out of the address bar.
      if (url.searchParams.has('once') && req.method === 'GET' && !url.pathname.startsWith('/api/')) return void res.writeHead(303, { location: '/' }).end();
    }
    if (url.pathname.startsWith('/api/v1/')) {
      if (req.method !== 'GET' && req.method !== 'POST')
        throw new HttpError(405, 'bad-request', `use POST (or GET for reads), not ${String(req.method).slice(0, 20)}`);
      handleApi(req, res, url).catch((e: unknown) => fail(res, e));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'bad-request', `use GET, not ${String(req.method).slice(0, 20)}`);
    const head = req.method === 'HEAD';
    const range = typeof req.headers.range === 'string' ? req.headers.range : undefined;
    if (url.pathname.startsWith('/media/')) {
      const found = options.mediaDir
        ? resolveMedia(options.mediaDir, url.pathname.slice('/media/'.length))
        : ({ ok: false, status: 404, message: '' } as const);
      if (!found.ok) {
        if (found.status === 400) throw new HttpError(400, 'bad-request', found.message);
        throw new HttpError(404, 'not-found', `no recorded media at ${url.pathname.slice(0, 120)} (it may have been removed by retention)`);
      }
      return sendFile(res, found, { 'cache-control': 'private, max-age=86400' }, range, head);
    }
    const found = resolveStatic(staticDir, url.pathname);
    if (!found.ok) throw new HttpError(found.status, found.status === 400 ? 'bad-request' : 'not-found', found.message);
    sendFile(
      res,
      found,
      { 'content-security-policy': CSP, 'x-frame-options': 'DENY', 'cache-control': found.file.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600' },
      range,
      head,
    );
  }

  function fail(res: ServerResponse, e: unknown): void {
    if (e instanceof HttpError) return sendError(res, e.status, { code: e.code, message: e.message });
    log(`[serve] request failed: ${e instanceof Error ? e.stack : String(e)}`);
    sendError(res, 500, { code: 'internal', message: 'the request failed inside Vigil; the server log has the detail' });
  }

  const server: Server = createServer((req, res) => {
    req.on('error', () => res.destroy());
    res.on('error', () => undefined);
    try {
      route(req, res);
    } catch (e) {
      fail(res, e);
    }
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  wss.on('error', (e) => log(`[serve] websocket server: ${e.message}`));
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      const url = new URL(req.url ?? '/', 'http://vigil.invalid');
      const admitted = guard.admit(req, url);
      if (!admitted.ok) {
        const extra = admitted.retryAfterS ? `Retry-After: ${admitted.retryAfterS}\r\n` : '';
        socket.end(`HTTP/1.1 ${admitted.status} ${admitted.error.code}\r\n${extra}Connection: close\r\n\r\n`);
        return;
      }
      if (url.pathname !== '/api/v1/ws') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      if (wss.clients.size >= MAX_SOCKETS) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (socket) => attachSocket(socket, services, log));
    } catch (e) {
      log(`[serve] upgrade failed: ${e instanceof Error ? e.message : String(e)}`);
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(e.code === 'EADDRINUSE' ? `port ${options.port} on ${host} is already in use — pick another with --port` : e.message)),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  server.on('error', (e) => log(`[serve] ${e.message}`));
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/`;
  return {
    url,
    port,
    oneTimeLink: () => (token ? `${url}?once=${guard.oneTimeCode()}` : url),
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
