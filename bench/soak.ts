// `npm run bench:soak [-- --minutes N] [--streams 8] [--detect-fps 1]`: 8 cameras (the demo clip,
// looping at real time) on a real `vigil serve` for N minutes (default 60). Every 10 s it samples the
// resident memory and open files of the main and engine processes and each camera's dropped frames,
// then prints: RSS growth after warm-up (goal < 5 %), open files at warm-up vs the end, and the
// dropped-frame rate in the first vs the second half after warm-up (no drift: about equal).
// To tell a leak from a bound being reached it also prints the main process's growth rate in the
// first and the last third after warm-up, where its private memory lies (main-thread malloc, the
// worker threads' malloc arenas, the rest: mostly the JavaScript heap), and which open files are new.
import type { SystemStatus } from '../main/api/contract.js';
import { anonSplit, moreFiles, openFileKinds, openFiles, statusKiB, type AnonSplit } from './soak/proc.js';
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

const rssKiB = (pid: number) => statusKiB(pid, 'VmRSS');
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
  mainSplit: AnonSplit;
  mainFileKinds: Map<string, number>;
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
      mainSplit: anonSplit(node.process.pid!),
      mainFileKinds: openFileKinds(node.process.pid!, node.home),
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
  const mib = (kib: number) => (kib / 1024).toFixed(1);
  // Least-squares slope of the main process's private memory, MiB per 10 minutes: a leak keeps its
  // slope, a cache or allocator reaching its bound flattens out.
  const slope = (xs: Sample[]): number => {
    if (xs.length < 2) return NaN;
    const mt = xs.reduce((n, x) => n + x.t, 0) / xs.length;
    const mv = xs.reduce((n, x) => n + x.mainAnon, 0) / xs.length;
    const num = xs.reduce((n, x) => n + (x.t - mt) * (x.mainAnon - mv), 0);
    const den = xs.reduce((n, x) => n + (x.t - mt) ** 2, 0);
    return ((num / Math.max(1e-9, den)) * 10) / 1024;
  };
  const third = Math.max(2, Math.floor(after.length / 3));
  const warmMid = atWarm[Math.floor(atWarm.length / 2)]!;
  const endMid = atEnd[Math.floor(atEnd.length / 2)]!;
  const split = (k: keyof AnonSplit) => `${mib(warmMid.mainSplit[k])} → ${mib(endMid.mainSplit[k])}`;
  const fds = (xs: Sample[], k: 'mainFds' | 'engineFds') => median(xs.map((x) => x[k]));
  process.stdout.write(
    [
      `\nsoak figures (${new Date().toISOString()}, ${streams} streams, ${minutes} min, warm-up ${warm.toFixed(1)} min, ${samples.length} samples, engine restarts ${restarts}):`,
      `- RSS growth after warm-up: main ${growth('mainRss').toFixed(1)} % (${(median(atWarm.map((x) => x.mainRss)) / 1024).toFixed(0)} → ${(median(atEnd.map((x) => x.mainRss)) / 1024).toFixed(0)} MiB), engine ${growth('engineRss').toFixed(1)} % (${(median(atWarm.map((x) => x.engineRss)) / 1024).toFixed(0)} → ${(median(atEnd.map((x) => x.engineRss)) / 1024).toFixed(0)} MiB) (goal < 5 %)`,
      `- private (RssAnon) growth after warm-up: main ${growth('mainAnon').toFixed(1)} % (${(median(atWarm.map((x) => x.mainAnon)) / 1024).toFixed(0)} → ${(median(atEnd.map((x) => x.mainAnon)) / 1024).toFixed(0)} MiB), engine ${growth('engineAnon').toFixed(1)} %`,
      `- main private memory, MiB per 10 min: ${slope(after.slice(0, third)).toFixed(2)} in the first third after warm-up, ${slope(after.slice(-third)).toFixed(2)} in the last third`,
      `- main private memory by place, MiB at warm-up → end: main-thread malloc ${split('mainMalloc')}, worker threads' malloc arenas ${split('threadMalloc')}, other (JavaScript heap, stacks) ${split('other')}`,
      `- open files (median of 3 samples): main ${fds(atWarm, 'mainFds')} → ${fds(atEnd, 'mainFds')} (${first.mainFds} → ${last.mainFds} first/last sample, at most ${Math.max(...after.map((x) => x.mainFds))}), engine ${fds(atWarm, 'engineFds')} → ${fds(atEnd, 'engineFds')}; main's new at the end: ${moreFiles(warmMid.mainFileKinds, endMid.mainFileKinds)}`,
      `- dropped frames per minute (all streams): ${rate(first, half).toFixed(1)} in the first half after warm-up, ${rate(half, last).toFixed(1)} in the second; decoded ${median(after.map((x) => x.decodeFps)).toFixed(1)} fps (median)`,
    ].join('\n') + '\n',
  );
} finally {
  await node.stop();
}
