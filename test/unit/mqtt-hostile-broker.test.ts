// Brokers that misbehave (a test TCP server in this process plays each one): garbage, silence, an
// oversized packet, a refused login. The publisher says why in its status, keeps queuing without
// throwing, and tries again with backoff.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetadataBatch } from '../../main/api/engine-types.js';
import { MqttPublisher } from '../../main/mqtt/publisher.js';

const servers: Server[] = [];
const publishers: MqttPublisher[] = [];

async function broker(onConnect: (s: Socket) => void): Promise<{ url: string; connections: () => number }> {
  let n = 0;
  const server = createServer((s) => {
    n++;
    s.on('error', () => undefined);
    s.once('data', () => onConnect(s));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`, connections: () => n };
}

function publisher(url: string): MqttPublisher {
  const p = new MqttPublisher({ names: () => undefined, version: 't', log: () => undefined, retryMs: { first: 50, max: 200 }, connectTimeoutMs: 300 });
  p.configure({ enabled: true, url, password: null, topicPrefix: 'vigil', format: 'vigil' });
  publishers.push(p);
  return p;
}

async function until(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end && !pred()) await new Promise((r) => setTimeout(r, 10));
  return pred();
}

const box = [0, 0, 1, 1] as [number, number, number, number];
const oneEvent: MetadataBatch = {
  frames: [],
  events: [{ kind: 'start', camera: 'c', track: 1, classId: 0, label: 'person', time: 1, box, score: 1, best: { frame: 1, time: 1, score: 1, box } }],
};

afterEach(async () => {
  for (const p of publishers.splice(0)) await p.close();
  for (const s of servers.splice(0)) s.close();
});

describe('a misbehaving broker', () => {
  it.each([
    ['garbage for a CONNACK', (s: Socket) => s.write(Buffer.from([0xf0, 0x00])), /unexpected packet \(type 15\)/],
    ['a length of more than four bytes', (s: Socket) => s.write(Buffer.from([0x20, 0xff, 0xff, 0xff, 0xff, 0x7f])), /more than four bytes/],
    ['a refused login', (s: Socket) => s.write(Buffer.from([0x20, 2, 0, 4])), /rejected the user name or password/],
    ['an unknown refusal code', (s: Socket) => s.write(Buffer.from([0x20, 2, 0, 99])), /refused the connection \(code 99\)/],
    ['silence', () => undefined, /no answer from the broker at 127\.0\.0\.1:\d+ within 300 ms/],
    ['a hang-up', (s: Socket) => s.destroy(), /closed the connection|reset the connection/],
  ])('%s: said in the status, retried with backoff, events still queued', async (_what, behave, why) => {
    const b = await broker(behave);
    const p = publisher(b.url);
    expect(await until(() => p.status().lastError !== null && b.connections() >= 3, 5000)).toBe(true);
    expect(p.status().lastError).toMatch(why);
    expect(['waiting', 'connecting']).toContain(p.status().state);
    for (let i = 0; i < 5; i++) p.batch(oneEvent);
    expect(p.status().backlog).toBe(5);
    expect(p.status().published).toBe(0);
  });

  it('nothing listening: says so, and the delay between attempts grows', async () => {
    const b = await broker(() => undefined);
    const url = b.url;
    servers.pop()!.close();
    const p = publisher(url);
    expect(await until(() => p.status().lastError !== null, 3000)).toBe(true);
    expect(p.status().lastError).toMatch(/nothing accepts connections at 127\.0\.0\.1:\d+ \(is the broker running\?\)/);
    // Each attempt's time minus the one before: at least the delay (50 ms doubling to 200 ms, ±20 %).
    const attempts: number[] = [p.status().retryAt!];
    while (attempts.length < 5) {
      const last = attempts.at(-1);
      expect(await until(() => p.status().retryAt !== null && p.status().retryAt !== last, 3000)).toBe(true);
      attempts.push(p.status().retryAt!);
    }
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(80);
    expect(gaps[2]).toBeGreaterThanOrEqual(160);
    expect(gaps[3]).toBeGreaterThanOrEqual(160);
  });
});
