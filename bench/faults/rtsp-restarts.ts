// Fault 1: a real RTSP camera killed and started again, again and again, while the app runs with two
// other cameras. Each time: how long the engine takes to reconnect after the camera is back (against
// the engine's backoff schedule: retries 1, 2, 4, 8… s after the failure), whether the outage is a
// recorded gap in the store, what the API says meanwhile, and the other cameras' frame rate.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { StreamStats, SystemStatus } from '../../main/api/contract.js';
import { openSqlite3 } from '../../main/store/driver.js';
import { callApi, sleep, until } from '../../test/helpers/faults.js';
import { faultWorkspace, RtspCamera, serveWorkspace } from '../../test/helpers/rtsp-camera.js';
import type { ServedNode } from '../../test/helpers/serve.js';
import { integrity } from './census.js';
import { demoClip } from './engine-kills.js';

/** Outage lengths, ms, cycled: each lands at a different step of the backoff. */
const OUTAGES_MS = [1_500, 2_500, 4_000, 1_000, 6_000];
/**
 * On top of the backoff schedule: noticing the failure, the RTSP handshake, waiting for a key frame
 * (one a second from the test camera), decoding it, and the stats tick (1 s) that reports it.
 */
const SLACK_MS = 3_500;

export interface RtspRestartFigures {
  restarts: number;
  outageMs: number[];
  /** Camera started again → live in the API, ms. */
  reconnectMs: number[];
  /** The most each reconnect may take by the backoff schedule (+ slack). */
  boundMs: number[];
  /** What the API said during each outage (state / reason). */
  duringOutage: string[];
  tileDuringOutage: string | null;
  /** camera-offline / camera-online events recorded for the camera. */
  offlineEvents: number;
  onlineEvents: number;
  /** The other cameras' decode fps: before the first kill, and over all the outages. */
  othersFpsBefore: number;
  othersFpsDuring: number;
  integrity: string;
}

/** When the engine tries again after a failure at 0: 1, 1+2, 1+2+4… s; the first try at or after `backAtMs`. */
export function nextAttemptMs(backAtMs: number): number {
  let t = 0;
  for (let step = 1_000; ; step = Math.min(step * 2, 30_000)) {
    t += step;
    if (t >= backAtMs) return t;
  }
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export async function rtspRestarts(restarts: number, options: { page?: Page; log?: (line: string) => void } = {}): Promise<RtspRestartFigures> {
  const log = options.log ?? (() => undefined);
  const camera = new RtspCamera({ width: 320, height: 240, fps: 15 });
  await camera.start();
  let node: ServedNode | null = null;
  try {
    node = await serveWorkspace(
      faultWorkspace([
        { name: 'Door', uri: camera.uri(), detectFps: 2 },
        { name: 'North', uri: demoClip(), detectFps: 2 },
        { name: 'South', uri: demoClip(), detectFps: 2 },
      ]),
    );
    const origin = node.origin;
    const streams = async (): Promise<Record<string, StreamStats>> =>
      Object.fromEntries((await callApi<SystemStatus>(origin, 'system.status')).streams.map((s) => [s.camera, s]));
    await until(
      'all three cameras to be live',
      90_000,
      async () => {
        const s = await streams();
        return ['door', 'north', 'south'].every((id) => s[id]?.state === 'live' && s[id]!.decodeFps > 0) ? true : undefined;
      },
      250,
    );
    // The other cameras' rate, sampled with the stats tick.
    let sampling = true;
    const samples: { t: number; fps: number }[] = [];
    const sampler = (async () => {
      while (sampling) {
        const s = await streams().catch(() => null);
        if (s?.north && s.south) samples.push({ t: Date.now(), fps: (s.north.decodeFps + s.south.decodeFps) / 2 });
        await sleep(500);
      }
    })();
    await sleep(5_000);
    const firstKill = Date.now();
    const f: RtspRestartFigures = {
      restarts,
      outageMs: [],
      reconnectMs: [],
      boundMs: [],
      duringOutage: [],
      tileDuringOutage: null,
      offlineEvents: 0,
      onlineEvents: 0,
      othersFpsBefore: 0,
      othersFpsDuring: 0,
      integrity: '',
    };
    if (options.page) await options.page.goto(new URL('#/live', node.url).toString());
    for (let i = 0; i < restarts; i++) {
      const outage = OUTAGES_MS[i % OUTAGES_MS.length]!;
      await camera.kill();
      const killed = Date.now();
      const down = await until(
        'the API to report the camera down',
        10_000,
        async () => {
          const d = (await streams()).door;
          return d && d.state !== 'live' ? d : undefined;
        },
        100,
      );
      f.duringOutage.push(`${down.state}/${down.reason}`);
      if (options.page && f.tileDuringOutage === null) {
        f.tileDuringOutage = await until(
          'the tile to show the outage',
          10_000,
          async () => {
            const s = await options.page!.getByTestId('tile-door').getAttribute('data-state');
            return s && s !== 'live' ? s : undefined;
          },
          100,
        );
      }
      await sleep(Math.max(0, killed + outage - Date.now()));
      await camera.start();
      const back = Date.now();
      await until(
        'the camera to be live again',
        60_000,
        async () => {
          const d = (await streams()).door;
          return d?.state === 'live' && d.decodeFps > 0 ? true : undefined;
        },
        100,
      );
      const reconnect = Date.now() - back;
      const bound = nextAttemptMs(back - killed) - (back - killed) + SLACK_MS;
      f.outageMs.push(back - killed);
      f.reconnectMs.push(reconnect);
      f.boundMs.push(bound);
      log(
        `  restart ${i + 1}/${restarts}: down ${back - killed} ms (API: ${f.duringOutage.at(-1)}), live again ${reconnect} ms after the camera was back (bound ${bound} ms)`,
      );
      await sleep(1_500);
    }
    sampling = false;
    await sampler;
    f.othersFpsBefore = mean(samples.filter((s) => s.t < firstKill && s.t > firstKill - 4_000).map((s) => s.fps));
    f.othersFpsDuring = mean(samples.filter((s) => s.t >= firstKill + 1_000).map((s) => s.fps));
    await node.stop();
    const dbFile = join(node.home, 'record', 'vigil.db');
    const db = await openSqlite3(dbFile, { readonly: true });
    const rows = await db.query<{ kind: string; n: number }>(
      "SELECT kind, count(*) AS n FROM events WHERE kind LIKE 'camera-%' AND camera_id = (SELECT id FROM cameras WHERE name = 'door') GROUP BY kind",
    );
    await db.close();
    f.offlineEvents = rows.find((r) => r.kind === 'camera-offline')?.n ?? 0;
    f.onlineEvents = rows.find((r) => r.kind === 'camera-online')?.n ?? 0;
    f.integrity = await integrity(dbFile);
    return f;
  } finally {
    await node?.stop();
    await camera.kill();
  }
}

export function describeRtspRestarts(f: RtspRestartFigures): string {
  const over = f.reconnectMs.map((ms, i) => ms - f.boundMs[i]!).filter((d) => d > 0).length;
  return `RTSP camera killed and restarted ×${f.restarts} (outages ${Math.min(...f.outageMs)}–${Math.max(...f.outageMs)} ms): live again ${Math.min(...f.reconnectMs)}–${Math.max(...f.reconnectMs)} ms after the camera was back, ${over} over the backoff bound; recorded gaps ${f.offlineEvents} offline / ${f.onlineEvents} online; API during outages: ${[...new Set(f.duringOutage)].join(', ')}; tile: ${f.tileDuringOutage ?? 'not checked'}; other cameras ${f.othersFpsBefore.toFixed(2)} fps before, ${f.othersFpsDuring.toFixed(2)} fps during; integrity ${f.integrity}`;
}
