// `npm run bench:motion`: what motion-gated inference saves on the demo clip and on a still scene.
// Runs `vigil-engine run --json` ungated and gated (sensitivities 50, the default, and 10 and 1) on
// the same frames and prints, per run: frames inferred and gated, the share of inferences saved, the
// process's CPU seconds, and the recall of the ungated person boxes (each matched once, IoU >= 0.5, by
// a gated box, inferred or carried by the tracker). Options: --frames N (default 300), --clip PATH.
// GPU time is not measured here (this machine has no GPU): on the GPU path the saving is the same
// share of ONNX Runtime runs and of CUDA letterbox launches.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../main/paths.js';

type BoxXYWH = [number, number, number, number];
interface Run {
  label: string;
  inferred: number;
  gated: number;
  cpuSeconds: number;
  persons: Map<number, BoxXYWH[]>;
}

const root = projectRoot();
const cli = join(root, 'native', 'build', 'vigil-engine');
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const frames = Number(arg('frames') ?? 300);
if (!Number.isInteger(frames) || frames < 10) throw new Error(`--frames must be a whole number >= 10, not ${arg('frames')}`);
const demo = arg('clip') ?? join(root, '.vigil', 'media', 'vtest.mp4');
const vtestAvi = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';
for (const [what, path] of [
  ['vigil-engine', cli],
  ['the demo clip', demo],
  ['vtest.avi (opencv-doc)', vtestAvi],
] as const) {
  if (!existsSync(path)) {
    console.error(`bench:motion: ${what} is missing at ${path} — run 'node scripts/setup.mjs' first`);
    process.exit(1);
  }
}

function iou(a: BoxXYWH, b: BoxXYWH): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  const inter = w > 0 && h > 0 ? w * h : 0;
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/** Share of the reference's person boxes that `run` matches in the same frame (each of its boxes used once). */
function recall(reference: Run, run: Run): { matched: number; total: number } {
  let matched = 0;
  let total = 0;
  for (const [frame, boxes] of reference.persons) {
    const candidates = [...(run.persons.get(frame) ?? [])];
    for (const b of boxes) {
      total++;
      let best = -1;
      let bestIou = 0.5;
      candidates.forEach((c, j) => {
        const v = iou(b, c);
        if (v >= bestIou) [best, bestIou] = [j, v];
      });
      if (best >= 0) {
        matched++;
        candidates.splice(best, 1);
      }
    }
  }
  return { matched, total };
}

function play(uri: string, sensitivity: number | null, scratch: string): Run {
  const timeFile = join(scratch, 'time.txt');
  const args = ['-f', '%U %S', '-o', timeFile, cli, 'run', uri, '--json', '--frames', String(frames), '--perf-seconds', '3600'];
  if (sensitivity !== null) args.push(`--motion=${sensitivity}`);
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`vigil-engine run failed (exit ${r.status}): ${r.stderr.trim().split('\n').pop()}`);
  const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  const persons = new Map<number, BoxXYWH[]>();
  let inferred = frames;
  let gated = 0;
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const f = JSON.parse(line) as { frame: number; objects: { label: string; box: BoxXYWH }[] };
    persons.set(
      f.frame,
      f.objects.filter((o) => o.label === 'person').map((o) => o.box),
    );
  }
  const motion = /\*\*MOTION:\s+src0 inferred (\d+) gated (\d+)/.exec(r.stderr);
  if (motion) [inferred, gated] = [Number(motion[1]), Number(motion[2])];
  return { label: sensitivity === null ? 'ungated' : `motion ${sensitivity}`, inferred, gated, cpuSeconds: (user ?? 0) + (sys ?? 0), persons };
}

function stillClip(scratch: string): string {
  // vtest's first frame held still and encoded with x264: a real H.264 clip of a scene with persons that never move.
  const out = join(scratch, 'still.mp4');
  const r = spawnSync(
    'gst-launch-1.0',
    [
      '-q',
      'uridecodebin',
      `uri=file://${vtestAvi}`,
      '!',
      'videoconvert',
      '!',
      'imagefreeze',
      `num-buffers=${frames + 20}`,
      '!',
      'video/x-raw,framerate=10/1',
      '!',
      'x264enc',
      'speed-preset=veryfast',
      '!',
      'mp4mux',
      '!',
      'filesink',
      `location=${out}`,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0 || !existsSync(out)) throw new Error(`could not encode the still clip: ${r.stderr.trim()}`);
  return out;
}

const scratch = mkdtempSync(join(tmpdir(), 'vigil-bench-motion-'));
try {
  const scenes = [
    { name: `demo clip (${demo.split('/').pop()}, pedestrians walking)`, uri: `file://${demo}` },
    { name: 'still scene (vtest frame 0 held, x264)', uri: `file://${stillClip(scratch)}` },
  ];
  for (const scene of scenes) {
    console.log(`\n${scene.name}, ${frames} frames, default detector on the CPU`);
    console.log('run          inferred  gated  saved %  CPU s  CPU saved %  person recall');
    const plain = play(scene.uri, null, scratch);
    for (const run of [plain, ...[50, 10, 1].map((s) => play(scene.uri, s, scratch))]) {
      const { matched, total } = recall(plain, run);
      const due = run.inferred + run.gated;
      console.log(
        `${run.label.padEnd(11)}  ${String(run.inferred).padStart(8)}  ${String(run.gated).padStart(5)}  ${((100 * run.gated) / Math.max(1, due)).toFixed(1).padStart(7)}  ${run.cpuSeconds.toFixed(1).padStart(5)}  ${((100 * (plain.cpuSeconds - run.cpuSeconds)) / plain.cpuSeconds).toFixed(1).padStart(11)}  ${total ? ((100 * matched) / total).toFixed(2) : '-'} % of ${total}`,
      );
    }
  }
  console.log('\nrecall: ungated person boxes matched (IoU >= 0.5) by gated ones, tracker-carried boxes included; goal within 1 % of ungated');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
