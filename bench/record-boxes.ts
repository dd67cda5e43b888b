// `npm run bench:record-boxes`: what keeping every inferred frame's boxes costs the store, against the
// 2 boxes per track and second kept by default (`record.detectionsHz: 2`). A real store (SQLite
// file, the recorder's transactions) is fed one camera's engine batches as fast as it takes them,
// for --minutes of camera time; the figures are per camera-hour: rows, bytes on disk (database +
// WAL after the final checkpoint), and the main process's CPU for the inserts (% of one core while
// the camera runs in real time).
//
// Options: --minutes=M of camera time (default 10), --objects=N tracked objects per frame (default
// 10), --infer-fps=F inferred frames per second (default 10; 30 = a 1080p30 camera with every frame inferred).
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetadataBatch } from '../main/api/engine-types.js';
import { openStore } from '../main/store/store.js';

const arg = (name: string, dflt: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  const v = a ? Number(a.split('=')[1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
};
const minutes = arg('minutes', 10);
const objects = arg('objects', 10);
const inferFps = arg('infer-fps', 10);
const quiet = (line: string): void => void (process.env.BENCH_VERBOSE && console.error(line));
const TRACK_SECONDS = 10;

/** Inferred frame n of one camera: `objects` tracks, each living TRACK_SECONDS, walking. */
function batch(n: number, t0: number): MetadataBatch {
  const time = t0 + Math.round((n * 1000) / inferFps);
  const perTrack = TRACK_SECONDS * inferFps;
  const generation = Math.floor(n / perTrack);
  const phase = n % perTrack;
  const frameObjects = [];
  const events = [];
  for (let j = 0; j < objects; j++) {
    const track = generation * objects + j + 1;
    const box: [number, number, number, number] = [100 + phase * 2 + j * 40, 200 + j * 20 + (phase % 7), 60 + (j % 5), 140 + (j % 9)];
    frameObjects.push({ track, classId: 0, label: 'person', score: 0.5 + ((j * 7 + phase) % 40) / 100, box, inferred: true });
    if (phase === 0 || phase === perTrack - 1) {
      const kind = phase === 0 ? ('start' as const) : ('end' as const);
      events.push({ kind, camera: 'cam', track, classId: 0, label: 'person', time, box, score: 0.6, best: { frame: n, time, score: 0.6, box } });
    }
  }
  return { frames: [{ camera: 'cam', frame: n, pts: n / inferFps, time, width: 1920, height: 1080, objects: frameObjects }], events };
}

function folderBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) n += f.isFile() ? statSync(join(dir, f.name)).size : 0;
  return n;
}

async function run(policy: 'every-frame' | number) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-boxes-'));
  const store = await openStore({ dataDir: dir, log: quiet });
  store.recorder.setCameraPolicy('cam', { detectionsHz: policy });
  const frames = Math.round(minutes * 60 * inferFps);
  const t0 = Date.UTC(2026, 0, 1);
  const before = folderBytes(dir);
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let n = 0; n < frames; n++) {
    if (store.recorder.stats().queuedDetections > 50_000) await store.recorder.flush();
    store.recorder.write(batch(n, t0));
    if (n % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  await store.recorder.flush();
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  const rows = store.recorder.stats().detectionsCommitted;
  await store.close();
  const bytes = folderBytes(dir) - before;
  rmSync(dir, { recursive: true, force: true });
  const cameraSeconds = minutes * 60;
  return {
    rows,
    bytes,
    rowsPerSecond: rows / cameraSeconds,
    mbPerCameraHour: ((bytes / cameraSeconds) * 3600) / 1e6,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / 1000 / cameraSeconds) * 100,
    wallSeconds: wall / 1000,
  };
}

async function main(): Promise<void> {
  console.log(
    `[bench:record-boxes] one camera, ${objects} tracked objects per frame, ${inferFps} inferred frames/s, ${minutes} min of camera time per policy; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} on ${(await import('node:os')).cpus().length} cores`,
  );
  const sampled = await run(2);
  const every = await run('every-frame');
  for (const [name, r] of [
    ['2 boxes per track and second (detectionsHz 2, the default)', sampled],
    ['every inferred frame (detectionsHz 0)', every],
  ] as const) {
    console.log(
      `  ${name}: ${r.rowsPerSecond.toFixed(0)} rows/s, ${(r.bytes / r.rows).toFixed(1)} bytes/row in all (tracks, rollups included), ` +
        `${r.mbPerCameraHour.toFixed(1)} MB per camera-hour, insert CPU ${r.cpuPercent.toFixed(2)} % of one core (${r.wallSeconds.toFixed(1)} s to write ${minutes} min)`,
    );
  }
  const marginal = (every.bytes - sampled.bytes) / Math.max(1, every.rows - sampled.rows);
  console.log(
    `  every frame costs ${(every.mbPerCameraHour / sampled.mbPerCameraHour).toFixed(1)}× the disk (${marginal.toFixed(1)} bytes per extra row) and ${(every.cpuPercent / Math.max(sampled.cpuPercent, 1e-6)).toFixed(1)}× the insert CPU; ` +
      `load average now ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')}`,
  );
}

main().catch((e: unknown) => {
  console.error(`bench:record-boxes: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
