// `npm run bench:record`: what recording costs on top of live analytics. N looping H.264 clips
// (generated here with x264: --width x --height at --fps, real time) run through the engine twice,
// recording off then on (stream copy after the parser: no decode or encode added); the figure is the
// process CPU (user + system, % of one core) of each phase and the difference, also per decoded
// frame (a loaded machine may not decode every camera in real time: the per-frame figure is then
// the fair one). Phases alternate off/on for --rounds; the machine's load average is printed beside
// each figure (other work on the machine moves them; this is a benchmark, never a timed test).
//
// Options: --cameras=N (default 16), --width=W --height=H (default 1920x1080), --fps=F (default 30),
// --seconds=S per phase after a 5 s warm-up (default 20), --detect-fps=F (frames per second per
// camera sent to the detector, default 2), --rounds=R off/on pairs (default 2).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAddon, type NativeAddon } from '../main/addon/addon.js';
import type { SegmentClosed } from '../main/api/engine-types.js';
import { generatedModelsDir } from '../main/paths.js';

const arg = (name: string, dflt: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  const v = a ? Number(a.split('=')[1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
};
const cameras = arg('cameras', 16);
const width = arg('width', 1920);
const height = arg('height', 1080);
const fps = arg('fps', 30);
const seconds = arg('seconds', 20);
const detectFps = arg('detect-fps', 2);
const rounds = arg('rounds', 2);
const load = () => loadavg()[0]!.toFixed(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function makeClip(dir: string): string {
  const file = join(dir, 'clip.mp4');
  // 10 s, a keyframe every 2 s, like a camera's stream.
  const r = spawnSync(
    'gst-launch-1.0',
    [
      '-q',
      'videotestsrc',
      `num-buffers=${10 * fps}`,
      'pattern=ball',
      '!',
      `video/x-raw,width=${width},height=${height},framerate=${fps}/1`,
      '!',
      'x264enc',
      'speed-preset=ultrafast',
      'tune=zerolatency',
      `key-int-max=${2 * fps}`,
      'bitrate=4000',
      '!',
      'h264parse',
      '!',
      'mp4mux',
      '!',
      'filesink',
      `location=${file}`,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`cannot generate the test clip with gst-launch-1.0 (gstreamer1.0-tools, x264enc): ${r.stderr}`);
  return file;
}

/** Each thread of this process: its name and CPU time so far (ns, from schedstat: exact, unlike stat's 10 ms ticks). */
function threads(): Map<string, { name: string; ns: number }> {
  const out = new Map<string, { name: string; ns: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      out.set(tid, { name, ns });
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}
/**
 * The recording's own threads (native/src/source/record.cpp): the tap's queue ("rectapN:src", which
 * hands access units to the writer) and the writer's pipeline ("recsrcN:src": h264parse →
 * splitmuxsink; splitmuxsink's "queue_video:src" and "muxer:src": mp4mux → filesink).
 */
const RECORDING_THREAD = /^(rectap\d+:src|recsrc\d+:src|queue_video:src|muxer:src)$/;

/** Samples the threads every 250 ms for `ms`; CPU seconds of the recording's threads (a pooled thread counts under the name it has at each sample), and of every kind of thread (its name with the numbers taken out). */
async function recordingCpu(ms: number): Promise<{ seconds: number; byKind: Map<string, number> }> {
  let last = threads();
  let ns = 0;
  const byKind = new Map<string, number>();
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await sleep(Math.min(250, Math.max(1, end - performance.now())));
    const now = threads();
    for (const [tid, t] of now) {
      const d = t.ns - (last.get(tid)?.ns ?? t.ns);
      if (RECORDING_THREAD.test(t.name)) ns += d;
      const kind = t.name.replace(/\d+/g, 'N');
      byKind.set(kind, (byKind.get(kind) ?? 0) + d / 1e9);
    }
    last = now;
  }
  return { seconds: ns / 1e9, byKind };
}

async function phase(addon: NativeAddon, clip: string, recordDir: string | null) {
  const segments: SegmentClosed[] = [];
  const engine = new addon.Engine(
    { model: join(generatedModelsDir(), 'nanodet-coco.json'), batchSize: Math.min(cameras, 8), statsIntervalMs: 1000, snapshots: false },
    { onSegment: (s) => segments.push(s), onSourceError: (e) => console.error(`[bench] ${e.camera}: ${e.message}`) },
  );
  for (let i = 0; i < cameras; i++) {
    engine.addSource(`cam${i}`, `file://${clip}`, {
      loop: true,
      realtime: true,
      detectFps,
      record: recordDir ? { dir: join(recordDir, `cam${i}`), segmentSeconds: 10 } : null,
    });
  }
  await sleep(5000);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const d0 = engine.stats().reduce((n, s) => n + s.framesDecoded, 0);
  const { seconds: recordingSeconds, byKind } = await recordingCpu(seconds * 1000);
  const cpu = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  const decoded = engine.stats().reduce((n, s) => n + s.framesDecoded, 0) - d0;
  engine.stop();
  const corePercent = ((cpu.user + cpu.system) / 1000 / wall) * 100;
  const decodeFps = decoded / (wall / 1000) / cameras;
  // CPU per camera-second at the nominal rate: what one camera costs when it is decoded in real time.
  const perCameraAtRate = (corePercent / cameras / Math.max(decodeFps, 0.001)) * fps;
  const recordingPercent = (recordingSeconds / (wall / 1000)) * 100;
  const recordingPerCameraAtRate = (recordingPercent / cameras / Math.max(decodeFps, 0.001)) * fps;
  // % of one core per kind of thread.
  const kinds = new Map([...byKind].map(([k, v]) => [k, (v / (wall / 1000)) * 100]));
  return { corePercent, decodeFps, perCameraAtRate, recordingPercent, recordingPerCameraAtRate, segments, load: load(), kinds };
}

async function main(): Promise<void> {
  const addon = loadAddon();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-record-'));
  try {
    const clip = makeClip(dir);
    console.log(
      `[bench:record] ${cameras} × ${width}x${height}@${fps} H.264 (looping files, real time), detector at ${detectFps} fps per camera, ${seconds} s per phase`,
    );
    type Phase = Awaited<ReturnType<typeof phase>>;
    const offs: Phase[] = [];
    const ons: Phase[] = [];
    let bytes = 0;
    let closed = 0;
    for (let r = 0; r < rounds; r++) {
      const off = await phase(addon, clip, null);
      offs.push(off);
      console.log(
        `  round ${r + 1} recording off: ${off.corePercent.toFixed(1)} % of one core, ${off.decodeFps.toFixed(1)} fps decoded per camera (load average ${off.load})`,
      );
      const recordDir = join(dir, `record-${r}`);
      const on = await phase(addon, clip, recordDir);
      ons.push(on);
      for (const cam of readdirSync(recordDir)) for (const f of readdirSync(join(recordDir, cam))) bytes += statSync(join(recordDir, cam, f)).size;
      closed += on.segments.length;
      console.log(
        `  round ${r + 1} recording on:  ${on.corePercent.toFixed(1)} % of one core, ${on.decodeFps.toFixed(1)} fps decoded per camera, ${on.segments.length} segments closed; ` +
          `the recording's threads ${on.recordingPercent.toFixed(2)} % of one core (load average ${on.load})`,
      );
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const delta = mean(ons.map((o) => o.corePercent)) - mean(offs.map((o) => o.corePercent));
    const perFrame = mean(ons.map((o) => o.perCameraAtRate)) - mean(offs.map((o) => o.perCameraAtRate));
    const threadsAtRate = mean(ons.map((o) => o.recordingPerCameraAtRate));
    const keptUp = Math.min(...[...offs, ...ons].map((p) => p.decodeFps)) >= fps * 0.95;
    console.log(
      `  recording cost: ${delta.toFixed(1)} % of one core for ${cameras} cameras as run (${(delta / cameras).toFixed(2)} % per camera); ` +
        `per decoded frame: ${perFrame.toFixed(2)} % of one core per camera at ${fps} fps (process CPU, on minus off: noisy where inference dominates); ` +
        `the recording's own threads: ${mean(ons.map((o) => o.recordingPercent)).toFixed(2)} % of one core as run, ${threadsAtRate.toFixed(3)} % per camera at ${fps} fps, ${(threadsAtRate * 16).toFixed(2)} % for 16 cameras (goal: < 5 %); ` +
        `${(bytes / 1e6).toFixed(1)} MB in ${closed} segments written; ${keptUp ? 'every camera decoded in real time' : `the machine did not decode every camera in real time (${cpus().length} cores, load average ${load()}): the recording's own threads are the figure to read`}`,
    );
    // Where the difference lies: each kind of thread, mean on minus mean off (% of one core).
    const kindMean = (ps: Phase[], k: string) => mean(ps.map((p) => p.kinds.get(k) ?? 0));
    const allKinds = new Set([...offs, ...ons].flatMap((p) => [...p.kinds.keys()]));
    const diffs = [...allKinds].map((k) => [k, kindMean(ons, k) - kindMean(offs, k)] as const).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
    console.log(
      `  by thread (on minus off, % of one core): ${diffs
        .slice(0, 10)
        .map(([k, d]) => `${k} ${d >= 0 ? '+' : ''}${d.toFixed(2)}`)
        .join(', ')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`bench:record: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
