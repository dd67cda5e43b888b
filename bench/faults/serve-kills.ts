// Fault 4: `vigil serve` SIGKILLed again and again while it records and while the workspace is being
// changed. Each time: the engine process goes with it, workspace.json is whole and valid, the
// database opens with integrity ok and nothing committed is lost.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SystemStatus } from '../../main/api/contract.js';
import { validateWorkspace } from '../../main/workspace/model.js';
import { callApi, pidAlive, sleep, until } from '../../test/helpers/faults.js';
import { faultWorkspace, serveWorkspace } from '../../test/helpers/rtsp-camera.js';
import { startServe } from '../../test/helpers/serve.js';
import { census, integrity, lostRows, type Census } from './census.js';
import { demoClip } from './engine-kills.js';

export interface ServeKillFigures {
  kills: number;
  /** Workspace changes acknowledged by the API before the kills (each one a file write). */
  writes: number;
  /** Serve's exit (the kernel may take a while to end a process SIGKILLed in the middle of an fsync) → its engine process gone, ms, per kill. */
  orphanGoneMs: number[];
  /** SIGKILL → serve's exit, ms, per kill. */
  parentExitMs: number[];
  orphans: number;
  /** Kills after which workspace.json did not parse or validate. */
  badWorkspaces: number;
  /** Kills after which the database failed PRAGMA integrity_check. */
  badIntegrity: number;
  lost: number;
  first: Census;
  last: Census;
}

export async function serveKills(kills: number, log: (line: string) => void = () => undefined): Promise<ServeKillFigures> {
  let node = await serveWorkspace(faultWorkspace([{ name: 'North', uri: demoClip(), detectFps: 4 }]));
  const home = node.home;
  const dbFile = join(home, 'record', 'vigil.db');
  const f: ServeKillFigures = {
    kills,
    writes: 0,
    orphanGoneMs: [],
    parentExitMs: [],
    orphans: 0,
    badWorkspaces: 0,
    badIntegrity: 0,
    lost: 0,
    first: await census(dbFile),
    last: await census(dbFile),
  };
  let committed: Census | null = null;
  try {
    for (let k = 0; k < kills; k++) {
      if (k > 0) node = await startServe([], { VIGIL_HOME: home });
      const s = await until(
        'the engine to run',
        60_000,
        async () => {
          const s = await callApi<SystemStatus>(node.origin, 'system.status');
          return s.engine.state === 'running' && s.engine.pid ? s : undefined;
        },
        100,
      );
      const enginePid = s.engine.pid!;
      // The database this start recovered: whole, and holding everything committed before the kill.
      const now = await census(dbFile);
      if (committed) f.lost += lostRows(committed, now);
      // Kill it while it records: once this start has committed new detections.
      const floor = committed?.detections ?? 0;
      await until('this start to record', 90_000, async () => ((await census(dbFile)).detections > floor ? true : undefined), 100);
      // Change the workspace continuously (each change rewrites workspace.json) and kill in the middle of it.
      let writing = true;
      const writer = (async () => {
        for (let i = 0; writing; i++) {
          await callApi(node.origin, 'settings.update', { retention: { maxAgeDays: 10 + (i % 5) } }).then(
            () => void f.writes++,
            () => undefined,
          );
        }
      })();
      await sleep(300 + Math.random() * 900);
      committed = await census(dbFile);
      const exited = new Promise<number>((resolve) => node.process.once('exit', () => resolve(performance.now())));
      node.process.kill('SIGKILL');
      const killed = performance.now();
      writing = false;
      try {
        await until(`engine pid ${enginePid} to end with its parent`, 10_000, () => (pidAlive(enginePid) ? undefined : true), 10);
        const engineGone = performance.now();
        const parentGone = await exited;
        f.parentExitMs.push(parentGone - killed);
        f.orphanGoneMs.push(Math.max(0, engineGone - parentGone));
      } catch {
        f.orphans++;
        process.kill(enginePid, 'SIGKILL');
      }
      await writer;
      try {
        validateWorkspace(JSON.parse(readFileSync(join(home, 'workspace.json'), 'utf8')));
      } catch {
        f.badWorkspaces++;
      }
      if ((await integrity(dbFile)) !== 'ok') f.badIntegrity++;
      log(
        `  kill ${k + 1}/${kills}: engine gone in ${f.orphanGoneMs.at(-1)?.toFixed(0) ?? '—'} ms, ${f.writes} workspace writes so far, ${committed.detections} detections committed`,
      );
    }
    node = await startServe([], { VIGIL_HOME: home });
    f.last = await census(dbFile);
    if (committed) f.lost += lostRows(committed, f.last);
    return f;
  } finally {
    await node.stop();
  }
}

export function describeServeKills(f: ServeKillFigures): string {
  const worst = f.orphanGoneMs.length ? Math.max(...f.orphanGoneMs).toFixed(0) : '—';
  const exit = f.parentExitMs.length ? Math.max(...f.parentExitMs).toFixed(0) : '—';
  return `vigil serve SIGKILL ×${f.kills} mid-write (${f.writes} workspace writes): orphan engines ${f.orphans} (each gone within ${worst} ms of serve's exit; serve took up to ${exit} ms to exit after SIGKILL); workspace.json damaged ${f.badWorkspaces}×; integrity failures ${f.badIntegrity}; committed rows lost ${f.lost} (${f.last.detections} detections, ${f.last.tracks} tracks at the end)`;
}
