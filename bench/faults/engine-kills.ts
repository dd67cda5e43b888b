// Fault 3: the engine process SIGKILLed again and again while the app records. Each time: how long
// until the engine runs again, and whether any committed row went missing. Real `vigil serve`,
// real engine and model, two looping clips.
import { join } from 'node:path';
import type { SystemStatus } from '../../main/api/contract.js';
import { projectRoot } from '../../main/paths.js';
import { callApi, percentile, sleep, until } from '../../test/helpers/faults.js';
import { faultWorkspace, serveWorkspace } from '../../test/helpers/rtsp-camera.js';
import { census, integrity, lostRows, type Census } from './census.js';

export interface EngineKillFigures {
  kills: number;
  /** SIGKILL → engine running again (new pid), ms, per kill. */
  backMs: number[];
  gaps: number;
  before: Census;
  after: Census;
  lost: number;
  integrity: string;
}

export const demoClip = (): string => `file://${join(projectRoot(), '.vigil', 'media', 'vtest.mp4')}`;

export async function engineKills(kills: number, log: (line: string) => void = () => undefined): Promise<EngineKillFigures> {
  const node = await serveWorkspace(
    faultWorkspace(
      [
        { name: 'North', uri: demoClip() },
        { name: 'South', uri: demoClip() },
      ].map((c) => ({ ...c, detectFps: 4 })),
    ),
  );
  const dbFile = join(node.home, 'record', 'vigil.db');
  const status = () => callApi<SystemStatus>(node.origin, 'system.status');
  const backMs: number[] = [];
  let maxSeen: Census = await census(dbFile);
  try {
    await until('recording to start', 90_000, async () => ((await census(dbFile)).detections > 0 ? true : undefined), 250);
    for (let k = 0; k < kills; k++) {
      const s = await until('the engine to run', 30_000, async () => {
        const s = await status();
        return s.engine.state === 'running' && s.engine.pid ? s : undefined;
      });
      // Kill it while it records: once this run has committed new detections, at a random moment.
      await until('this engine run to record', 60_000, async () => ((await census(dbFile)).detections > maxSeen.detections ? true : undefined), 100);
      await sleep(Math.random() * 1000);
      const before = await census(dbFile);
      if (before.detections < maxSeen.detections) throw new Error(`committed detections went down from ${maxSeen.detections} to ${before.detections}`);
      maxSeen = before;
      process.kill(s.engine.pid!, 'SIGKILL');
      const killed = performance.now();
      await until(
        'the engine to be back',
        30_000,
        async () => {
          const n = await status();
          return n.engine.state === 'running' && n.engine.pid !== s.engine.pid ? true : undefined;
        },
        20,
      );
      backMs.push(performance.now() - killed);
      log(`  kill ${k + 1}/${kills}: back in ${backMs.at(-1)!.toFixed(0)} ms, ${before.detections} detections committed before`);
    }
    // Recording carries on after the last restart.
    await until('new rows after the last restart', 60_000, async () => ((await census(dbFile)).detections > maxSeen.detections ? true : undefined), 250);
    const gaps = (await status()).gaps.length;
    await node.stop();
    const after = await census(dbFile);
    return { kills, backMs, gaps, before: maxSeen, after, lost: lostRows(maxSeen, after), integrity: await integrity(dbFile) };
  } finally {
    await node.stop();
  }
}

export function describeEngineKills(f: EngineKillFigures): string {
  return `engine SIGKILL ×${f.kills} while recording: back in p50 ${percentile(f.backMs, 50).toFixed(0)} ms / max ${Math.max(...f.backMs).toFixed(0)} ms (goal < 3000); ${f.gaps} gaps recorded; committed rows before the last kill ${f.before.detections} detections / ${f.before.tracks} tracks, after ${f.after.detections} / ${f.after.tracks}; lost ${f.lost}; integrity ${f.integrity}`;
}
