import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemStatus } from '../../main/api/contract.js';
import { MAIN_MALLOC_ENV } from '../../main/process-memory.js';
import { startServe, type ServedNode } from '../helpers/serve.js';

async function call<T>(node: ServedNode, method: string, params: unknown = {}): Promise<T> {
  const res = await fetch(`${node.origin}/api/v1/${method.split('.').join('/')}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body = (await res.json()) as { ok: boolean; result: T; error?: { message: string } };
  if (!body.ok) throw new Error(body.error?.message);
  return body.result;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('engine crash during a run (real vigil serve, demo workspace)', () => {
  let node: ServedNode;
  beforeAll(async () => {
    node = await startServe();
  });
  afterAll(() => node?.stop());

  it('is back within 3 s after SIGKILL with the cameras reopened; the API never stops; the gap is recorded', async () => {
    const live = await until('the demo cameras to go live', 90_000, async () => {
      const s = await call<SystemStatus>(node, 'system.status');
      return s.engine.state === 'running' && s.streams.length >= 4 && s.streams.every((x) => x.state === 'live') ? s : undefined;
    });
    const pid = live.engine.pid!;
    const tracksBefore = (await call<unknown[]>(node, 'tracks.search', { limit: 500 })).length;
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    // The main process keeps answering while the engine is down.
    const during = await call<SystemStatus>(node, 'system.status');
    expect(['restarting', 'starting', 'running']).toContain(during.engine.state);
    const back = await until('the engine to be back', 10_000, async () => {
      const s = await call<SystemStatus>(node, 'system.status');
      return s.engine.state === 'running' && s.engine.pid !== pid ? s : undefined;
    });
    expect(Date.now() - killedAt).toBeLessThan(3_000);
    expect(back.engine.restarts).toBe(1);
    expect(back.gaps).toHaveLength(1);
    expect(back.gaps[0]!.reason).toMatch(/SIGKILL/);
    // Nothing recorded before the crash is lost, and the cameras come back on their own.
    expect((await call<unknown[]>(node, 'tracks.search', { limit: 500 })).length).toBeGreaterThanOrEqual(tracksBefore);
    await until('the cameras to be live again', 60_000, async () => {
      const s = await call<SystemStatus>(node, 'system.status');
      return s.streams.length >= 4 && s.streams.every((x) => x.state === 'live') ? true : undefined;
    });
  });

  it("the main process runs with fixed malloc thresholds and the engine with glibc's defaults; the CPU figure is a percentage", async () => {
    const s = await until('the engine', 30_000, async () => {
      const st = await call<SystemStatus>(node, 'system.status');
      return st.engine.state === 'running' && st.engine.pid ? st : undefined;
    });
    const environ = (pid: number) =>
      new Map(
        readFileSync(`/proc/${pid}/environ`, 'latin1')
          .split('\0')
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
    const main = environ(node.process.pid!);
    const engine = environ(s.engine.pid!);
    for (const [k, v] of Object.entries(MAIN_MALLOC_ENV)) {
      expect(main.get(k), `${k} of the main process`).toBe(v);
      expect(engine.has(k), `${k} in the engine's environment`).toBe(false);
    }
    await new Promise((r) => setTimeout(r, 300));
    const cpu = (await call<SystemStatus>(node, 'system.status')).cpuPercent;
    expect(cpu).toBeGreaterThan(0); // the engine is decoding four cameras
    expect(cpu).toBeLessThanOrEqual(100);
  });
});
