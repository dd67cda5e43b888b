// The security probe of issue 13, one test per defect, against the real HTTP + WebSocket server
// (main/server/http-server.ts) over real services and a real workspace. The engine is not started:
// these are about what reaches it, and calls that need it answer 'engine-unavailable'.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServices } from '../../main/core/services.js';
import { AllowListPolicy } from '../../main/core/file-access.js';
import { EngineSupervisor } from '../../main/engine/supervisor.js';
import { startServer, type RunningServer } from '../../main/server/http-server.js';
import { WorkspaceFile } from '../../main/workspace/workspace-file.js';

const TOKEN = 'probe-token-0123456789abcdef';
const CLIP = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';

/** A raw HTTP request (fetch would normalise the path and refuse some headers). */
function raw(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function socket(port: number, headers: Record<string, string> = {}): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws`, { headers });
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

function nextText(ws: WebSocket, match: (m: { type: string }) => boolean): Promise<{ type: string; ok?: boolean; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const on = (d: WebSocket.RawData, binary: boolean) => {
      if (binary) return;
      const m = JSON.parse(String(d)) as { type: string };
      if (match(m)) {
        ws.off('message', on);
        resolve(m);
      }
    };
    ws.on('message', on);
  });
}

function fixture() {
  const home = mkdtempSync(join(tmpdir(), 'vigil-probe-'));
  const record = join(home, 'record');
  const outside = join(home, 'outside.txt');
  mkdirSync(join(record, 'snapshots', 'cam'), { recursive: true });
  mkdirSync(join(record, 'segments'), { recursive: true });
  mkdirSync(join(home, 'import'));
  writeFileSync(join(record, 'vigil.db'), 'SQLite format 3\0 DATABASE-BYTES');
  writeFileSync(join(record, 'snapshots', 'cam', 'a.jpg'), Buffer.from('0123456789'));
  writeFileSync(outside, 'root:x:0:0:OUTSIDE-SECRET');
  symlinkSync(outside, join(record, 'snapshots', 'cam', 'leak.jpg'));
  symlinkSync('/etc/passwd', join(home, 'import', 'passwd.onnx'));
  writeFileSync(join(home, 'import', 'text.onnx'), 'root:x:0:0:FIRST-LINE-SECRET\nmore\n');
  symlinkSync(outside, join(home, 'clip.mp4'));
  return { home, record };
}

function staticDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-static-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Vigil</title>');
  return dir;
}

async function serverFor(fx: ReturnType<typeof fixture>, token?: string): Promise<RunningServer> {
  const workspace = new WorkspaceFile({ home: fx.home });
  const services = createServices({ mode: 'serve', supervisor: new EngineSupervisor(), workspace, modelFiles: new AllowListPolicy([join(fx.home, 'import')]) });
  return startServer({
    services,
    host: '127.0.0.1',
    port: 0,
    staticDir: staticDir(),
    mediaDir: fx.record,
    log: () => undefined,
    maxAuthFailures: 5,
    ...(token ? { token } : {}),
  });
}

describe('a token-protected server survives hostile requests', () => {
  const fx = fixture();
  let server: RunningServer;
  beforeAll(async () => void (server = await serverFor(fx, TOKEN)));
  afterAll(() => server.close());
  const auth = { authorization: `Bearer ${TOKEN}` };

  it('answers a cookie that is not valid percent-encoding with 401, and keeps serving', async () => {
    const r = await raw(server.port, '/api/v1/system/info', { cookie: 'vigil_token=%E0%A4%A' });
    expect(r.status).toBe(401);
    expect((await raw(server.port, '/api/v1/system/info', auth)).status).toBe(200);
  });

  it('answers a media path that is not valid percent-encoding with 400', async () => {
    const r = await raw(server.port, '/media/snapshots/%E0%A4%A', auth);
    expect(r.status).toBe(400);
    expect((await raw(server.port, '/%E0%A4%A', auth)).status).toBe(400);
    expect((await raw(server.port, '/api/v1/system/info', auth)).status).toBe(200);
  });

  it('limits failed token attempts per address with 429 and Retry-After', async () => {
    // maxAuthFailures is 5 here; earlier tests may have spent some of them.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await raw(server.port, '/api/v1/system/info', { authorization: `Bearer wrong-${i}` })).status);
    expect(statuses[0]).toBe(401);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    const limited = await raw(server.port, '/api/v1/system/info', auth);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(await socket(server.port, auth)).toBe(429);
  });
});

describe('hostile input to an open (loopback, no token) server', () => {
  const fx = fixture();
  let server: RunningServer;
  let port: number;
  const json = { 'content-type': 'application/json' };
  const call = async (method: string, params: unknown) => {
    const r = await raw(port, `/api/v1/${method.split('.').join('/')}`, json, 'POST', JSON.stringify(params));
    return { status: r.status, body: JSON.parse(r.text) as { ok: boolean; error?: { code: string; field?: string; message: string }; result?: unknown } };
  };
  beforeAll(async () => {
    server = await serverFor(fx);
    port = server.port;
  });
  afterAll(() => server.close());

  it('answers WebSocket text `null` and other non-messages with bad-request, and keeps the socket', async () => {
    const ws = (await socket(port)) as WebSocket;
    for (const text of ['null', '[]', '"x"', '7', '{"type":"subscribe","topic":{"a":1}}', '{"type":"call","id":{},"method":"x"}']) {
      const reply = nextText(ws, (m) => m.type === 'reply');
      ws.send(text);
      expect(await reply).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
    const ok = nextText(ws, (m) => m.type === 'reply');
    ws.send(JSON.stringify({ type: 'call', id: 9, method: 'workspace.get', params: null }));
    expect((await ok).ok).toBe(true);
    ws.close();
  });

  it('serves only regular files inside the media folders, on their real path', async () => {
    const good = await raw(port, '/media/snapshots/cam/a.jpg');
    expect(good.status).toBe(200);
    expect(good.text).toBe('0123456789');
    for (const path of [
      '/media/snapshots%2F..%2Fvigil.db',
      '/media/snapshots/..%2Fvigil.db',
      '/media/snapshots/%2E%2E/vigil.db',
      '/media/segments/..%2F..%2Foutside.txt',
      '/media/vigil.db',
      '/media/snapshots/cam/leak.jpg',
      '/media/snapshots/cam',
      '/media/snapshots/cam/a.jpg%00.png',
    ]) {
      const r = await raw(port, path);
      expect([400, 404], path).toContain(r.status);
      expect(r.text, path).not.toMatch(/DATABASE-BYTES|OUTSIDE-SECRET/);
    }
  });

  it('answers a byte range with 206', async () => {
    const r = await raw(port, '/media/snapshots/cam/a.jpg', { range: 'bytes=2-5' });
    expect(r.status).toBe(206);
    expect(r.text).toBe('2345');
    expect(r.headers['content-range']).toBe('bytes 2-5/10');
    expect((await raw(port, '/media/snapshots/cam/a.jpg', { range: 'bytes=20-' })).status).toBe(416);
  });

  it('refuses cross-site writes: text/plain and form posts, GET side effects, foreign Origin, Host and sockets', async () => {
    const before = (await call('workspace.get', {})).body.result as { cameras: unknown[] };
    const add = JSON.stringify({ name: 'Evil', uri: 'rtsp://evil/x' });
    expect((await raw(port, '/api/v1/cameras/add', { 'content-type': 'text/plain' }, 'POST', add)).status).toBe(415);
    expect((await raw(port, '/api/v1/cameras/add', { 'content-type': 'application/x-www-form-urlencoded' }, 'POST', `x=${add}`)).status).toBe(415);
    expect((await raw(port, `/api/v1/cameras/remove?params=${encodeURIComponent('{"id":"x"}')}`)).status).toBe(405);
    expect((await raw(port, '/api/v1/engine/restart')).status).toBe(405);
    expect((await raw(port, '/api/v1/cameras/add', { ...json, origin: 'https://evil.example' }, 'POST', add)).status).toBe(403);
    expect((await raw(port, '/api/v1/cameras/add', { ...json, origin: 'null' }, 'POST', add)).status).toBe(403);
    expect((await raw(port, '/api/v1/workspace/get', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' })).status).toBe(403);
    expect((await raw(port, '/api/v1/workspace/get', { host: `rebind.evil.example:${port}` })).status).toBe(421);
    expect((await raw(port, '/', { host: `rebind.evil.example:${port}` })).status).toBe(421);
    expect(await socket(port, { origin: 'https://evil.example' })).toBe(403);
    expect(await socket(port, { host: `rebind.evil.example:${port}` })).toBe(421);
    const after = (await call('workspace.get', {})).body.result as { cameras: unknown[] };
    expect(after.cameras.length).toBe(before.cameras.length);
    // Same origin and reads by GET still work, and nothing grants other origins access.
    const same = await raw(port, '/api/v1/workspace/get', { origin: `http://127.0.0.1:${port}` });
    expect(same.status).toBe(200);
    expect(same.headers['access-control-allow-origin']).toBeUndefined();
    expect((await raw(port, `/api/v1/tracks/get?params=${encodeURIComponent('{"id":"1"}')}`)).status).not.toBe(405);
  });

  it('answers wrong types with 422 naming the field, and refuses unknown keys', async () => {
    const cases: [string, unknown, string][] = [
      ['cameras.add', { name: 123, uri: 'rtsp://h/s' }, 'name'],
      ['tracks.search', { limit: 'x' }, 'limit'],
      ['settings.update', { engine: 'x' }, 'engine'],
      ['settings.update', { engine: { tracker: 'kcf' } }, 'engine.tracker'],
      ['cameras.add', { name: 'A', uri: 'rtsp://h/s', admin: true }, 'admin'],
      ['cameras.update', { id: 'x', patch: { zones: [{ id: 'z', name: 'Z', kind: 'zone', points: [[0, 2]], labels: [] }] } }, 'patch.zones[0].points[0][1]'],
      ['timeline.buckets', { from: 0, to: 'soon', bucketMs: 60000 }, 'to'],
      ['system.info', { extra: 1 }, 'extra'],
    ];
    for (const [method, params, field] of cases) {
      const r = await call(method, params);
      expect(r.status, `${method} ${JSON.stringify(params)}`).toBe(422);
      expect(r.body.error).toMatchObject({ code: 'invalid', field });
    }
    const notObject = await call('cameras.add', [1, 2]);
    expect(notObject.status).toBe(422);
  });

  it('answers models.importNvinfer {"path":5} at once', async () => {
    const t0 = Date.now();
    const r = await call('models.importNvinfer', { path: 5 });
    expect(r.status).toBe(422);
    expect(r.body.error?.field).toBe('path');
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('opens model files only inside the import folder, never echoing their contents', async () => {
    for (const path of ['/etc/passwd', join(fx.home, 'import', 'passwd.onnx'), join(fx.home, 'outside.txt'), join(fx.home, 'import', '..', 'outside.txt')]) {
      for (const method of ['models.inspect', 'models.add', 'models.importNvinfer']) {
        const r = await call(method, { path });
        expect(r.status, `${method} ${path}`).toBe(403);
        expect(r.body.error?.message).not.toMatch(/root:x|OUTSIDE-SECRET/);
      }
    }
    const inside = await call('models.inspect', { path: join(fx.home, 'import', 'text.onnx') });
    expect(inside.status).toBe(422);
    expect(inside.body.error?.message).not.toMatch(/root:x|FIRST-LINE-SECRET/);
    expect((await call('models.inspect', { path: 'relative.onnx' })).status).toBe(422);
  });

  it('refuses an nvinfer config in the import folder that names files outside it, before reading them', async () => {
    const imp = join(fx.home, 'import');
    const cases: [string, string, RegExp][] = [
      ['labels.txt', '[property]\nonnx-file=text.onnx\nlabelfile-path=../outside.txt\n', /labelfile-path/],
      ['model.txt', '[property]\nonnx-file=/etc/passwd\n', /onnx-file/],
      ['app.txt', '[primary-gie]\nenable=1\nconfig-file=../outside.txt\n', /config-file/],
    ];
    for (const [name, text, key] of cases) {
      writeFileSync(join(imp, name), text);
      const r = await call('models.importNvinfer', { path: join(imp, name) });
      expect(r.status, name).toBe(403);
      expect(r.body.error?.message, name).toMatch(key);
      expect(r.body.error?.message, name).not.toMatch(/root:x|OUTSIDE-SECRET/);
    }
  });

  it('refuses camera URIs that read system files, and keeps file cameras of real videos', async () => {
    for (const uri of [
      'file:///etc/passwd',
      'file:///proc/self/environ',
      'file:///dev/zero',
      `file://${fx.home}/outside.txt`,
      `file://${fx.home}/clip.mp4`,
      'file://otherhost/x.mp4',
      'file:///etc/x/../../tmp/a.mp4',
    ]) {
      const r = await call('cameras.add', { name: 'F', uri });
      expect(r.status, uri).toBe(422);
      expect(r.body.error?.message, uri).not.toMatch(/root:x|OUTSIDE-SECRET/);
      // The connection test reports it without opening anything.
      const tested = await call('cameras.test', { uri });
      expect(tested.body.result, uri).toMatchObject({ ok: false });
      expect(JSON.stringify(tested.body), uri).not.toMatch(/root:x|OUTSIDE-SECRET/);
    }
    const ok = await call('cameras.add', { name: 'Clip', uri: `file://${CLIP}`, force: true });
    expect(ok.status).toBe(200);
  });

  it('keeps query-string credentials out of views and the workspace file', async () => {
    const r = await call('cameras.add', { name: 'Query cam', uri: 'rtsp://10.0.0.9/live?channel=1&user=admin&pwd=hunter2-q', force: true });
    expect(r.status).toBe(200);
    const text = JSON.stringify((await call('workspace.get', {})).body);
    expect(text).not.toContain('hunter2-q');
    expect(text).toContain('channel=1');
  });

  it('caps open sockets (64) instead of holding any number', async () => {
    const open: WebSocket[] = [];
    for (let i = 0; i < 64; i++) open.push((await socket(port)) as WebSocket);
    expect(await socket(port)).toBe(503);
    for (const ws of open) ws.close();
  });

  it('is still up after all of the above', async () => {
    expect((await call('system.info', {})).status).toBe(200);
  });
});
