// `npm run bench:record`: what recording costs on top of live analytics. N looping H.264 clips
// (generated here with x264: --width x --height at --fps, real time) run through the engine twice,
// recording off then on (stream copy after the parser: no decode or encode added); the figure is the
// process CPU (user + system, % of one core) of each phase and the difference.
//
// Options: --cameras=N (default 4), --width=W --height=H (default 1920x1080), --fps=F (default 30),
// --seconds=S per phase after a 5 s warm-up (default 20), --detect-fps=F (frames per second per
// camera sent to the detector, default 2).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const cameras = arg('cameras', 4);
const width = arg('width', 1920);
const height = arg('height', 1080);
const fps = arg('fps', 30);
const seconds = arg('seconds', 20);
const detectFps = arg('detect-fps', 2);
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
  await sleep(seconds * 1000);
  const cpu = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  const decoded = engine.stats().reduce((n, s) => n + s.framesDecoded, 0) - d0;
  engine.stop();
  const corePercent = ((cpu.user + cpu.system) / 1000 / wall) * 100;
  return { corePercent, decodeFps: decoded / (wall / 1000) / cameras, segments };
}

async function main(): Promise<void> {
  const addon = loadAddon();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-record-'));
  try {
    const clip = makeClip(dir);
    console.log(
      `[bench:record] ${cameras} × ${width}x${height}@${fps} H.264 (looping files, real time), detector at ${detectFps} fps per camera, ${seconds} s per phase`,
    );
    const off = await phase(addon, clip, null);
    console.log(`  recording off: ${off.corePercent.toFixed(1)} % of one core, ${off.decodeFps.toFixed(1)} fps decoded per camera`);
    const recordDir = join(dir, 'record');
    const on = await phase(addon, clip, recordDir);
    let bytes = 0;
    for (const cam of readdirSync(recordDir)) for (const f of readdirSync(join(recordDir, cam))) bytes += statSync(join(recordDir, cam, f)).size;
    console.log(
      `  recording on:  ${on.corePercent.toFixed(1)} % of one core, ${on.decodeFps.toFixed(1)} fps decoded per camera, ${on.segments.length} segments closed, ${(bytes / 1e6).toFixed(1)} MB written`,
    );
    const delta = on.corePercent - off.corePercent;
    console.log(
      `  recording cost: ${delta.toFixed(1)} % of one core for ${cameras} cameras (${(delta / cameras).toFixed(2)} % per camera; goal: 16 cameras < 5 %)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`bench:record: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
