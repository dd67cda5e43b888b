// `npm run bench:soak [-- --minutes N] [--streams 8] [--detect-fps 1]`: 8 cameras (the demo clip,
// looping at real time) on a real `vigil serve` for N minutes (default 60). Every 10 s it samples the
// resident memory and open files of the main and engine processes and each camera's dropped frames,
// then prints: RSS growth after warm-up (goal < 5 %), open files at warm-up vs the end, and the
// dropped-frame rate in the first vs the second half after warm-up (no drift: about equal).
import { readdirSync, readFileSync } from 'node:fs';
import type { SystemStatus } from '../main/api/contract.js';
import { demoClip } from './faults/engine-kills.js';
import { callApi, sleep, until } from '../test/helpers/faults.js';
import { faultWorkspace, serveWorkspace } from '../test/helpers/rtsp-camera.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

const minutes = arg('minutes', 60);
const streams = arg('streams', 8);
const detectFps = arg('detect-fps', 1);
const everyMs = 10_000;

/** A /proc/PID/status figure in KiB: VmRSS (all resident pages, shared library pages included) or
 * RssAnon (the process's own heap memory: what a leak grows). */
function statusKiB(pid: number, key: 'VmRSS' | 'RssAnon'): number {
  const m = new RegExp(`${key}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}
const rssKiB = (pid: number) => statusKiB(pid, 'VmRSS');
const openFiles = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

interface Sample {
  t: number;
  mainRss: number;
  engineRss: number;
  mainAnon: number;
  engineAnon: number;
  mainFds: number;
  engineFds: number;
  dropped: number;
  decodeFps: number;
  enginePid: number;
}

const cams = Array.from({ length: streams }, (_, i) => ({ name: `Soak ${i + 1}`, uri: demoClip(), detectFps }));
const node = await serveWorkspace(faultWorkspace(cams));
const origin = node.origin;
const status = () => callApi<SystemStatus>(origin, 'system.status');
const samples: Sample[] = [];
try {
  await until(
    `all ${streams} cameras live`,
    180_000,
    async () => {
      const s = await status();
      return s.streams.length === streams && s.streams.every((x) => x.state === 'live') ? true : undefined;
    },
    1000,
  );
  const started = Date.now();
  const end = started + minutes * 60_000;
  process.stdout.write(
    `soak: ${streams} streams × ${minutes} min (detectFps ${detectFps}), sampling every ${everyMs / 1000} s; main pid ${node.process.pid}\n`,
  );
  while (Date.now() < end) {
    const s = await status();
    const enginePid = s.engine.pid ?? 0;
    const sample: Sample = {
      t: (Date.now() - started) / 60_000,
      mainRss: rssKiB(node.process.pid!),
      engineRss: enginePid ? rssKiB(enginePid) : NaN,
      mainAnon: statusKiB(node.process.pid!, 'RssAnon'),
      engineAnon: enginePid ? statusKiB(enginePid, 'RssAnon') : NaN,
      mainFds: openFiles(node.process.pid!),
      engineFds: enginePid ? openFiles(enginePid) : NaN,
      dropped: s.streams.reduce((n, x) => n + x.droppedFrames, 0),
      decodeFps: s.streams.reduce((n, x) => n + x.decodeFps, 0),
      enginePid,
    };
    samples.push(sample);
    process.stdout.write(
      `  ${sample.t.toFixed(1)} min: main ${(sample.mainRss / 1024).toFixed(0)} MiB / ${sample.mainFds} fds, engine ${(sample.engineRss / 1024).toFixed(0)} MiB / ${sample.engineFds} fds, ${sample.decodeFps.toFixed(1)} fps decoded, ${sample.dropped} dropped${s.engine.restarts ? `, ${s.engine.restarts} engine restarts` : ''}\n`,
    );
    await sleep(everyMs);
  }
  const restarts = (await status()).engine.restarts;
  // Warm-up: the first fifth (at least 1 minute, at most 10): caches, model, SQLite pages fill.
  const warm = Math.min(10, Math.max(1, minutes / 5));
  const after = samples.filter((x) => x.t >= warm);
  const atWarm = after.slice(0, 3);
  const atEnd = after.slice(-3);
  const growth = (k: 'mainRss' | 'engineRss' | 'mainAnon' | 'engineAnon') => (median(atEnd.map((x) => x[k])) / median(atWarm.map((x) => x[k])) - 1) * 100;
  const half = after[Math.floor(after.length / 2)]!;
  const rate = (a: Sample, b: Sample) => (b.dropped - a.dropped) / Math.max(1e-9, b.t - a.t);
  const first = after[0]!;
  const last = after[after.length - 1]!;
  process.stdout.write(
    [
      `\nsoak figures (${new Date().toISOString()}, ${streams} streams, ${minutes} min, warm-up ${warm.toFixed(1)} min, ${samples.length} samples, engine restarts ${restarts}):`,
      `- RSS growth after warm-up: main ${growth('mainRss').toFixed(1)} % (${(median(atWarm.map((x) => x.mainRss)) / 1024).toFixed(0)} → ${(median(atEnd.map((x) => x.mainRss)) / 1024).toFixed(0)} MiB), engine ${growth('engineRss').toFixed(1)} % (${(median(atWarm.map((x) => x.engineRss)) / 1024).toFixed(0)} → ${(median(atEnd.map((x) => x.engineRss)) / 1024).toFixed(0)} MiB) (goal < 5 %)`,
      `- private (RssAnon) growth after warm-up: main ${growth('mainAnon').toFixed(1)} % (${(median(atWarm.map((x) => x.mainAnon)) / 1024).toFixed(0)} → ${(median(atEnd.map((x) => x.mainAnon)) / 1024).toFixed(0)} MiB), engine ${growth('engineAnon').toFixed(1)} %`,
      `- open files: main ${first.mainFds} → ${last.mainFds}, engine ${first.engineFds} → ${last.engineFds}`,
      `- dropped frames per minute (all streams): ${rate(first, half).toFixed(1)} in the first half after warm-up, ${rate(half, last).toFixed(1)} in the second; decoded ${median(after.map((x) => x.decodeFps)).toFixed(1)} fps (median)`,
    ].join('\n') + '\n',
  );
} finally {
  await node.stop();
}
