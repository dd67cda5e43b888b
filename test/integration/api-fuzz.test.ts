// Fault 7 of issue 13: API fuzzing. 10,000 random and malformed requests and WebSocket messages over
// every method against a real `vigil serve` process (test/helpers/serve.ts): the process stays up,
// its memory stays bounded, and nothing answers 5xx with internals. Prints its figures.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PARAMS } from '../../main/api/params-schema.js';
import { startServe, type ServedNode } from '../helpers/serve.js';

const TOTAL = Number(process.env.VIGIL_FUZZ_TOTAL ?? 10_000);
const WS_SHARE = 0.4;
const CONCURRENCY = 16;
const SEED = Number(process.env.VIGIL_FUZZ_SEED ?? 1313);

/** A small deterministic PRNG (mulberry32) so a failing run can be repeated with VIGIL_FUZZ_SEED. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}

const METHODS = Object.keys(PARAMS) as (keyof typeof PARAMS)[];

/** One well-formed example per method, the starting point of mutations (cheap to run for real). */
const SEEDS: Record<keyof typeof PARAMS, Record<string, unknown>> = {
  'system.info': {},
  'system.status': {},
  'workspace.get': {},
  'cameras.add': { name: 'Fuzz', uri: 'rtsp://127.0.0.1:9/fuzz', force: true, detectFps: 2, record: { detectionsHz: 1 } },
  'cameras.update': {
    id: 'fuzz',
    patch: {
      name: 'Fuzz 2',
      zones: [
        {
          id: 'z',
          name: 'Z',
          kind: 'zone',
          points: [
            [0, 0],
            [1, 0],
            [1, 1],
          ],
          labels: [],
        },
      ],
    },
  },
  'cameras.remove': { id: 'fuzz' },
  'cameras.test': { uri: 'file:///nonexistent/clip.mp4' },
  'settings.update': { retention: { maxAgeDays: 14 } },
  'models.list': {},
  'models.inspect': { path: '/nonexistent/model.onnx' },
  'models.add': { path: '/nonexistent/model.onnx', parser: 'yolov8', labels: ['a'] },
  'models.importNvinfer': { path: '/nonexistent/config.txt' },
  'timeline.buckets': { from: 1_700_000_000_000, to: 1_700_000_600_000, bucketMs: 60_000 },
  'tracks.search': { limit: 20, labels: ['person'] },
  'tracks.get': { id: '1' },
  'tracks.paths': { camera: 'fuzz', from: 1_700_000_000_000, to: 1_700_000_010_000 },
  'events.around': { t: 1_700_000_000_000, windowMs: 60_000 },
  'events.search': { kinds: ['enter', 'cross'], limit: 50 },
  'engine.restart': {},
  'recordings.list': { camera: 'fuzz', from: 0, to: 1_000 },
  'recordings.export': { cameras: ['fuzz'], from: 0, to: 1_000 },
  'exports.status': { job: 'fuzz' },
};

type Rng = ReturnType<typeof prng>;

function randomJson(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 2 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.5, 1e-300, 4294967296]);
    case 3:
      return r.pick([
        '',
        'x',
        '../../etc/passwd',
        '%E0%A4%A',
        '\u0000',
        '__proto__',
        'constructor',
        '\ud800',
        'a'.repeat(5000),
        'file:///etc/passwd',
        'rtsp://a:b@c@d/e',
      ]);
    case 4:
      return String.fromCharCode(...Array.from({ length: r.int(40) }, () => r.int(0xffff)));
    case 5:
      return r.int(1000) - 500;
    case 6:
      return Array.from({ length: r.int(5) }, () => randomJson(r, depth + 1));
    case 7:
      return Object.fromEntries(
        Array.from({ length: r.int(4) }, () => [r.pick(['a', 'id', 'name', '__proto__', 'constructor', 'path', 'uri']), randomJson(r, depth + 1)]),
      );
    default:
      return { ...(r.pick(Object.values(SEEDS)) as object) };
  }
}

function mutate(r: Rng, method: keyof typeof PARAMS): unknown {
  const base = structuredClone(SEEDS[method]);
  const keys = Object.keys(base);
  switch (r.int(6)) {
    case 0:
      return base; // well-formed
    case 1:
      if (keys.length) delete base[r.pick(keys)];
      return base;
    case 2:
      base[r.pick(['extra', '__proto__', 'constructor', 'toString'])] = randomJson(r);
      return base;
    case 3:
      if (keys.length) base[r.pick(keys)] = randomJson(r);
      return base;
    case 4:
      return randomJson(r);
    default: {
      // Deep: replace a nested value.
      const k = keys.length ? r.pick(keys) : 'x';
      const v = base[k];
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const inner = v as Record<string, unknown>;
        const ik = Object.keys(inner);
        inner[ik.length ? r.pick(ik) : 'y'] = randomJson(r);
      } else base[k] = randomJson(r);
      return base;
    }
  }
}

interface Reply {
  status: number;
  text: string;
}

function http(port: number, path: string, method: string, headers: Record<string, string>, body?: string | Buffer): Promise<Reply> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers }, timeout: 30_000 }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += text.length < 4096 ? d.toString() : ''));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', () => resolve({ status: -1, text: '' }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: e.message === 'timeout' ? -2 : -1, text: e.message }));
    req.end(body);
  });
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

/** What a stack trace or a JavaScript error leaking out looks like. */
const INTERNALS = /\bat [\w.<>]+ \(|node:internal|\.[jt]s:\d+:\d+|TypeError|ReferenceError|SyntaxError|Cannot read properties/;

describe('API fuzzing against a real vigil serve (fault 7)', () => {
  let node: ServedNode;
  let port: number;
  beforeAll(async () => {
    // An empty workspace: the fuzzing is about the API, not decoding the demo's four streams.
    const home = mkdtempSync(join(tmpdir(), 'vigil-fuzz-'));
    writeFileSync(join(home, 'workspace.json'), JSON.stringify({ version: 1, cameras: [] }));
    node = await startServe([], { VIGIL_HOME: home });
    port = Number(new URL(node.url).port);
  });
  afterAll(async () => {
    // A server that died says why here (its own output), not just "connection refused".
    if (node && (node.process.exitCode !== null || node.process.signalCode !== null))
      process.stdout.write(`[fuzz] vigil serve exited (${String(node.process.exitCode ?? node.process.signalCode)}):\n${node?.output().slice(-3000)}\n`);
    await node?.stop();
  });

  it(`survives ${TOTAL} random and malformed requests and socket messages, memory bounded`, async () => {
    const r = prng(SEED);
    const statuses = new Map<number, number>();
    const bad: string[] = [];
    let wsMessages = 0;
    let wsReplies = 0;
    let restarts = 0;
    const sockets: WebSocket[] = [];
    const openSocket = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws`);
        ws.on('message', (d, binary) => {
          if (binary) return;
          const text = String(d);
          if (!text.startsWith('{"type":"reply"')) return;
          wsReplies++;
          // A camera the fuzzing added is removed again, so the workspace (and memory) stays the same size.
          const added = /"ok":true,"result":\{"id":"([^"]+)","name"/.exec(text)?.[1];
          if (added) ws.send(JSON.stringify({ type: 'call', id: -1, method: 'cameras.remove', params: { id: added } }));
          if (INTERNALS.test(text)) bad.push(`ws reply with internals: ${text.slice(0, 200)}`);
        });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    for (let i = 0; i < 4; i++) sockets.push(await openSocket());

    const one = async (i: number) => {
      const method = r.pick(METHODS);
      let params = mutate(r, method);
      // Each well-formed engine.restart restarts the engine process: a few are enough.
      if (method === 'engine.restart' && JSON.stringify(params) === '{}' && restarts++ >= 3) params = { again: true };
      if (r.next() < WS_SHARE) {
        let ws = sockets[i % sockets.length]!;
        if (ws.readyState !== WebSocket.OPEN) ws = sockets[i % sockets.length] = await openSocket();
        wsMessages++;
        const kind = r.int(10);
        if (kind < 6) ws.send(JSON.stringify({ type: 'call', id: i, method, params }));
        else if (kind === 6)
          ws.send(
            JSON.stringify({ type: r.pick(['subscribe', 'unsubscribe']), topic: r.pick(['preview', 'engine.status', 'nope', 5, null]), camera: randomJson(r) }),
          );
        else if (kind === 7) ws.send(Buffer.from(Array.from({ length: r.int(64) }, () => r.int(256))));
        else if (kind === 8) ws.send(r.pick(['null', '[]', '{', '"x"', '{"type":"call"}', '{"type":"call","id":1,"method":{}}']));
        else
          ws.send(
            JSON.stringify({
              type: 'call',
              id: r.pick([i, -i, 1e308, 'x']),
              method: r.pick(['', 'constructor', '__proto__', 'toString', 'hasOwnProperty', method]),
              params,
            }),
          );
        return;
      }
      const path = `/api/v1/${method.split('.').join('/')}`;
      const kind = r.int(12);
      let reply: Reply;
      if (kind < 6) reply = await http(port, path, 'POST', { 'content-type': 'application/json' }, JSON.stringify(params));
      else if (kind === 6) reply = await http(port, `${path}?params=${encodeURIComponent(JSON.stringify(params))}`, 'GET', {});
      else if (kind === 7)
        reply = await http(
          port,
          path,
          'POST',
          { 'content-type': r.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', '']) },
          JSON.stringify(params),
        );
      else if (kind === 8)
        reply = await http(
          port,
          path,
          'POST',
          { 'content-type': 'application/json' },
          r.pick(['{', '', 'null', '[1,2]', '"x"', '\u0000', '{"a":1}'.repeat(3)]),
        );
      else if (kind === 9)
        reply = await http(
          port,
          r.pick([
            '/api/v1/%E0%A4%A',
            '/media/snapshots/%E0%A4%A',
            '/media/snapshots/..%2F..%2Fvigil.db',
            '/api/v1/constructor',
            '/api/v1/__proto__/x',
            '/api/v1/',
            '/%00',
            '/media/',
          ]),
          r.pick(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD']),
          { 'content-type': 'application/json', cookie: r.pick(['vigil_token=%E0%A4%A', 'a=b', '']) },
        );
      else if (kind === 10)
        reply = await http(
          port,
          path,
          'POST',
          {
            'content-type': 'application/json',
            origin: r.pick(['null', 'https://evil.example', `http://127.0.0.1:${port}`]),
            host: r.pick([`127.0.0.1:${port}`, 'evil.example', '', '[::1', `localhost:${port}`]),
          },
          JSON.stringify(params),
        );
      else reply = await http(port, path, 'POST', { 'content-type': 'application/json' }, Buffer.alloc(r.pick([2 << 20, 70_000]), 0x5b));
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      const added = method === 'cameras.add' && reply.status === 200 ? /"result":\{"id":"([^"]+)"/.exec(reply.text)?.[1] : undefined;
      if (added) await http(port, '/api/v1/cameras/remove', 'POST', { 'content-type': 'application/json' }, JSON.stringify({ id: added }));
      if (reply.status < 0) bad.push(`${method} ${kind}: no answer (${reply.text})`);
      if (reply.status >= 500 && !/"code":"(engine-unavailable|unavailable)"/.test(reply.text))
        bad.push(`${method} ${kind}: ${reply.status} ${reply.text.slice(0, 200)}`);
      if (INTERNALS.test(reply.text)) bad.push(`${method} ${kind}: internals in ${reply.text.slice(0, 200)}`);
    };

    // Warm-up, then measure.
    let i = 0;
    const run = async (count: number) => {
      const end = i + count;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (i < end) await one(i++);
        }),
      );
    };
    await run(500);
    const rssBefore = rssKiB(node.process.pid!);
    const t0 = Date.now();
    await run((TOTAL - 500) / 2);
    const rssMid = rssKiB(node.process.pid!);
    await run((TOTAL - 500) / 2);
    const seconds = (Date.now() - t0) / 1000;
    await new Promise((res) => setTimeout(res, 500));
    const rssAfter = rssKiB(node.process.pid!);
    for (const ws of sockets) ws.close();

    const alive = await http(port, '/api/v1/system/info', 'GET', {});
    const summary = [...statuses.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    process.stdout.write(
      `[fuzz] seed ${SEED}: ${TOTAL} requests (${TOTAL - wsMessages} HTTP, ${wsMessages} WebSocket messages, ${wsReplies} socket replies) in ${seconds.toFixed(1)} s after a 500-request warm-up\n` +
        `[fuzz] HTTP statuses: ${summary}\n[fuzz] serve RSS ${(rssBefore / 1024).toFixed(1)} MiB after warm-up, ${(rssMid / 1024).toFixed(1)} MiB half-way, ${(rssAfter / 1024).toFixed(1)} MiB at the end\n`,
    );
    expect(bad.slice(0, 10)).toEqual([]);
    expect(node.process.exitCode).toBeNull();
    expect(alive.status).toBe(200);
    expect(wsReplies).toBeGreaterThan(wsMessages * 0.5);
    // Bounded: the second half of the run (same mix, same count) adds no more than the first did to a
    // fresh heap (give or take 32 MiB of garbage not yet collected), and the whole run stays within 1.5× the
    // warmed-up size plus 32 MiB (40,000 requests level off the same way: README, Security).
    expect(rssAfter).toBeLessThan(rssBefore * 1.5 + 32 * 1024);
    expect(rssAfter - rssMid).toBeLessThan(Math.max(rssMid - rssBefore, 0) + 32 * 1024);
  }, 240_000);
});
