// The native Engine class in this process: real GStreamer decoding a generated H.264 clip, a real
// ONNX Runtime session on a generated detector, previews/snapshots as real JPEGs.
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewFrame, Snapshot } from '../../main/api/engine-types.js';
import { loadAddon, type NativeEngineInstance, type NativeMetadataBatch, type NativeStreamStats } from '../../main/addon/addon.js';
import { projectRoot } from '../../main/paths.js';

interface Square {
  x0: number;
  y0: number;
  vx: number;
  vy: number;
  size: number;
}
interface Fixtures {
  manifest: string;
  clip: string;
  width: number;
  height: number;
  frames: number;
  squares: Square[];
}

const cli = join(projectRoot(), 'native', 'build', 'vigil-engine');
let dir = '';
let fx: Fixtures;

function iou(boxA: number[], boxB: number[]): number {
  if (boxA.length !== 4 || boxB.length !== 4) throw new Error(`iou of boxes [x, y, w, h], got [${boxA.join(', ')}] and [${boxB.join(', ')}]`);
  const [ax = 0, ay = 0, aw = 0, ah = 0] = boxA;
  const [bx = 0, by = 0, bw = 0, bh = 0] = boxB;
  const x1 = Math.max(ax, bx),
    y1 = Math.max(ay, by);
  const x2 = Math.min(ax + aw, bx + bw),
    y2 = Math.min(ay + ah, by + bh);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  return inter / (aw * ah + bw * bh - inter);
}

function jpegSize(j: Uint8Array): { width: number; height: number } {
  let i = 2;
  while (i + 9 < j.length) {
    const at = (k: number) => j[i + k]!; // k ≤ 8: inside the array while i + 9 < j.length
    const marker = at(1);
    const len = (at(2) << 8) | at(3);
    if (marker >= 0xc0 && marker <= 0xc3) return { height: (at(5) << 8) | at(6), width: (at(7) << 8) | at(8) };
    i += 2 + len;
  }
  return { width: 0, height: 0 };
}

async function until(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return pred();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-engine-addon-'));
  fx = JSON.parse(execFileSync(cli, ['fixtures', dir], { encoding: 'utf8' })) as Fixtures;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('native Engine (real GStreamer + ONNX Runtime in the test process)', () => {
  let engine: NativeEngineInstance | null = null;
  afterAll(() => engine?.stop());

  it('reports the planted squares with correct boxes, stable ids, previews and snapshots', async () => {
    const { Engine } = loadAddon();
    const batches: NativeMetadataBatch[] = [];
    const previews: PreviewFrame[] = [];
    const snapshots: Snapshot[] = [];
    const errors: string[] = [];
    engine = new Engine(
      { model: fx.manifest, batchSize: 2, previewFps: 1000, previewWidth: 320 },
      {
        onBatch: (b) => batches.push(b),
        onPreview: (p) => previews.push(p),
        onSnapshot: (s) => snapshots.push(s),
        onSourceError: (e) => errors.push(e.message),
      },
    );
    expect(engine.info().provider).toBe('CPUExecutionProvider');
    // a CPU session letterboxes on the CPU worker pool, and says why not on the GPU
    expect(engine.info()).toMatchObject({ preprocess: 'cpu', preprocessNote: expect.stringContaining('CPUExecutionProvider') });
    expect(loadAddon().engineInfo().providers).toContain('CPUExecutionProvider');
    engine.addSource('clip', `file://${fx.clip}`);
    const frames = () => batches.flatMap((b) => b.frames);
    expect(await until(() => frames().length === fx.frames && snapshots.length === 2, 30_000)).toBe(true);
    expect(errors).toEqual([]);
    // Metadata crosses once per batch, not once per frame or object.
    expect(batches.length).toBeLessThan(fx.frames + 3);
    const ids = new Map<number, Set<number>>();
    for (const f of frames()) {
      expect(f.camera).toBe('clip');
      for (const o of f.objects) {
        expect(o.label).toBe('square');
        const truths = fx.squares.map((s) => [s.x0 + s.vx * f.frame, s.y0 + s.vy * f.frame, s.size, s.size]);
        const scores = truths.map((t) => iou(o.box, t));
        const best = scores.indexOf(Math.max(...scores));
        expect(scores[best]).toBeGreaterThan(0.6);
        if (!ids.has(best)) ids.set(best, new Set());
        ids.get(best)!.add(o.track);
      }
    }
    expect([...ids.values()].map((s) => s.size)).toEqual([1, 1]);
    const events = batches.flatMap((b) => b.events);
    expect(events.filter((e) => e.kind === 'start')).toHaveLength(2);
    expect(events.filter((e) => e.kind === 'end')).toHaveLength(2);
    expect(previews.length).toBeGreaterThan(0);
    for (const p of [...previews.slice(0, 3), ...snapshots.map((s) => ({ ...s, width: fx.width, height: fx.height }))]) {
      const j = p.jpeg;
      expect([j[0], j[1], j[j.length - 2], j[j.length - 1]]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
      expect(jpegSize(j)).toEqual({ width: p.width, height: p.height });
    }
    expect(previews[0]?.width).toBe(320);
    engine.stop();
    engine = null;
  });

  it("runs one camera's analytics (zones in the workspace format) without touching the other, and changes them live", async () => {
    const { Engine } = loadAddon();
    const batches: NativeMetadataBatch[] = [];
    engine = new Engine({ model: fx.manifest, batchSize: 2, snapshots: false }, { onBatch: (b) => batches.push(b) });
    const everywhere = [
      {
        id: 'all',
        name: 'All',
        kind: 'zone',
        points: [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
        ],
        labels: ['square'],
        inertiaFrames: 1,
      },
    ];
    engine.addSource('zoned', `file://${fx.clip}`, { analytics: JSON.stringify(everywhere) });
    engine.addSource('plain', `file://${fx.clip}`);
    expect(engine.setAnalytics('nope', null)).toBe(false);
    expect(() => engine!.setAnalytics('plain', JSON.stringify([{ id: 'x', kind: 'ring', points: [] }]))).toThrow(
      /zones\[0\]\.kind must be 'zone', 'line' or 'mask'/,
    );
    expect(() =>
      engine!.setAnalytics(
        'plain',
        JSON.stringify([
          {
            id: 'x',
            points: [
              [0, 0],
              [1, 0],
              [1, 1],
            ],
            labels: ['cat'],
          },
        ]),
      ),
    ).toThrow(/label 'cat' is not one of the model's labels/);
    const frames = (camera: string) => batches.flatMap((b) => b.frames).filter((f) => f.camera === camera);
    expect(await until(() => frames('zoned').length === fx.frames && frames('plain').length === fx.frames, 30_000)).toBe(true);
    const events = batches.flatMap((b) => b.analytics ?? []);
    // Both squares enter the zone once; the other camera has neither events nor counts.
    expect(events.map((e) => [e.camera, e.zone, e.kind, e.label])).toEqual([
      ['zoned', 'all', 'enter', 'square'],
      ['zoned', 'all', 'enter', 'square'],
    ]);
    expect(new Set(events.map((e) => e.track)).size).toBe(2);
    expect(frames('plain').every((f) => f.counts === undefined)).toBe(true);
    const mid = frames('zoned')[Math.floor(fx.frames / 2)]!;
    expect(mid.counts).toEqual([
      { zone: 'all', kind: 'zone', inside: 2, in: 0, out: 0, crowded: false, labels: [{ label: 'square', inside: 2, in: 0, out: 0 }] },
    ]);
    // Live, on a looping camera: zones set while it runs apply from a frame on, and go again.
    engine.addSource('looped', `file://${fx.clip}`, { loop: true });
    expect(await until(() => frames('looped').length > 10, 10_000)).toBe(true);
    expect(engine.setAnalytics('looped', JSON.stringify(everywhere))).toBe(true);
    const counted = () => frames('looped').filter((f) => f.counts !== undefined).length;
    expect(await until(() => counted() > 10, 10_000)).toBe(true);
    const looped = frames('looped');
    const first = looped.findIndex((f) => f.counts !== undefined);
    expect(first).toBeGreaterThan(10);
    expect(looped.slice(first).every((f) => f.counts !== undefined)).toBe(true);
    expect(batches.flatMap((b) => b.analytics ?? []).filter((e) => e.camera === 'looped' && e.kind === 'enter').length).toBeGreaterThanOrEqual(2);
    expect(engine.setAnalytics('looped', null)).toBe(true);
    const before = frames('looped').length;
    expect(
      await until(
        () =>
          frames('looped')
            .slice(before)
            .filter((f) => f.counts === undefined).length > 5,
        10_000,
      ),
    ).toBe(true);
    engine.stop();
    engine = null;
  });

  it('reports bad sources through onSourceError while a good one keeps running, and removes sources', async () => {
    const { Engine } = loadAddon();
    const perCamera = new Map<string, number>();
    const errors: Array<{ camera: string; message: string }> = [];
    const stats: NativeStreamStats[][] = [];
    engine = new Engine(
      { model: fx.manifest, snapshots: false, statsIntervalMs: 200 },
      {
        onBatch: (b) => {
          for (const f of b.frames) perCamera.set(f.camera, (perCamera.get(f.camera) ?? 0) + 1);
        },
        onSourceError: (e) => errors.push(e),
        onStats: (s) => stats.push(s),
      },
    );
    engine.addSource('good', `file://${fx.clip}`, { loop: true, realtime: true });
    engine.addSource('missing', 'file:///nonexistent.mp4');
    engine.addSource('odd', 'ftp2://camera/stream');
    expect(await until(() => errors.length >= 2 && (perCamera.get('good') ?? 0) > 20, 20_000)).toBe(true);
    const missing = errors.find((e) => e.camera === 'missing')!;
    expect(missing.message).toContain('/nonexistent.mp4');
    expect(missing.message).toMatch(/not found|exist/i);
    expect(errors.find((e) => e.camera === 'odd')!.message).toContain("unknown scheme 'ftp2'");
    expect(errors.some((e) => e.camera === 'good')).toBe(false);
    const states = Object.fromEntries(engine.stats().map((s) => [s.camera, s.state]));
    expect(states).toMatchObject({ good: 'live', missing: 'error', odd: 'error' });
    // onStats ticks with real rates: the clip plays at 30 fps in real time.
    const good = stats.at(-1)!.find((s) => s.camera === 'good')!;
    expect(good.decodeFps).toBeGreaterThan(15);
    expect(good.inferFps).toBeGreaterThan(10);
    expect(good.latencyMs).toBeGreaterThan(0);
    expect(stats.at(-1)!.find((s) => s.camera === 'missing')!.error).toContain('nonexistent.mp4');
    expect(engine.removeSource('good')).toBe(true);
    expect(engine.removeSource('good')).toBe(false);
    const after = perCamera.get('good');
    await new Promise((r) => setTimeout(r, 300));
    expect(perCamera.get('good')).toBe(after);
    expect(
      engine
        .stats()
        .map((s) => s.camera)
        .sort(),
    ).toEqual(['missing', 'odd']);
    engine.stop();
    engine = null;
  });

  it('addSource detectFps sends at most that many frames per second of stream time to the detector', async () => {
    const { Engine } = loadAddon();
    const inferred: number[] = [];
    let frames = 0;
    engine = new Engine(
      { model: fx.manifest, snapshots: false },
      {
        onBatch: (b) => {
          for (const f of b.frames) {
            frames++;
            if (f.objects.some((o) => o.inferred)) inferred.push(f.frame);
          }
        },
      },
    );
    expect(() => engine!.addSource('bad', `file://${fx.clip}`, { detectFps: -1 })).toThrow(/detectFps must be a number >= 0/);
    engine.addSource('clip', `file://${fx.clip}`, { detectFps: 5 });
    expect(await until(() => frames === fx.frames, 30_000)).toBe(true);
    // 60 frames at 30 fps = 2 s of stream: 10 detector frames, every 6th; the tracker carries the rest
    // (frame 0 has no confirmed track yet).
    expect(inferred).toEqual([6, 12, 18, 24, 30, 36, 42, 48, 54]);
    expect(engine.stats()[0]).toMatchObject({ framesProcessed: fx.frames, framesInferred: 10 });
    engine.stop();
    engine = null;
  });

  it('addSource motionSensitivity skips inference while the picture is still and counts the frames it gated', async () => {
    const { Engine } = loadAddon();
    let frames = 0;
    engine = new Engine(
      { model: fx.manifest, snapshots: false, statsIntervalMs: 0 },
      {
        onBatch: (b) => {
          frames += b.frames.length;
        },
      },
    );
    expect(() => engine!.addSource('bad', `file://${fx.clip}`, { motionSensitivity: 101 })).toThrow(
      'addSource: options.motionSensitivity must be a whole number from 1 to 100 (0: no motion gating)',
    );
    expect(() => engine!.addSource('bad', `file://${fx.clip}`, { motionSensitivity: 2.5 })).toThrow(/motionSensitivity must be a whole number/);
    // videotestsrc's solid colour: a picture that never changes.
    engine.addSource('still', 'test://solid-color?width=320&height=240&fps=30&live=false', { motionSensitivity: 50 });
    try {
      expect(await until(() => frames >= 90, 30_000)).toBe(true);
      const [s] = engine.stats();
      expect(s?.framesGated).toBeGreaterThanOrEqual(80);
      // Gating counts a frame when the batcher skips it, processing when it is delivered: a few may be in between.
      expect(s!.framesGated + s!.framesInferred).toBeGreaterThanOrEqual(s!.framesProcessed);
      expect(s!.framesInferred).toBeLessThanOrEqual(6); // the first frame and the hold after it
    } finally {
      engine.stop();
      engine = null;
    }
  });

  it('decodes an http:// source served by a real HTTP server', async () => {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': statSync(fx.clip).size });
      createReadStream(fx.clip).pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const { Engine } = loadAddon();
    let objects = 0;
    const errors: string[] = [];
    engine = new Engine(
      { model: fx.manifest, snapshots: false },
      {
        onBatch: (b) => {
          for (const f of b.frames) objects += f.objects.length;
        },
        onSourceError: (e) => errors.push(e.message),
      },
    );
    engine.addSource('web', `http://127.0.0.1:${port}/squares.mp4`);
    const ok = await until(() => objects >= 20, 20_000);
    engine.stop();
    engine = null;
    server.close();
    expect(ok).toBe(true);
    // An http source is treated as a camera: when the file ends it reconnects (and says so).
    for (const m of errors) expect(m).toContain(`http://127.0.0.1:${port}/squares.mp4`);
  });

  it('names the model and the fix when the manifest is missing', () => {
    const { Engine } = loadAddon();
    expect(() => new Engine({ model: join(dir, 'nope', 'manifest.json') })).toThrow(/model .*nope.*manifest/);
  });
});

describe('vigil-engine CLI contract', () => {
  it('run --json prints one line per processed frame with tracked objects', () => {
    const out = execFileSync(cli, ['run', `file://${fx.clip}`, '--model', fx.manifest, '--frames', '10', '--json'], { encoding: 'utf8' });
    const lines = out
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { source: number; frame: number; pts: number; objects: Array<{ track: number; label: string; score: number; box: number[] }> },
      );
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatchObject({ source: 0, frame: 0, pts: 0 });
    const last = lines[9]!;
    expect(last.objects).toHaveLength(2);
    expect(last.objects[0]).toMatchObject({ label: 'square' });
    expect(last.objects[0]?.box).toHaveLength(4);
  });

  it('exits non-zero and names the source when it cannot be opened', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync(cli, ['run', 'file:///nonexistent.mp4', '--model', fx.manifest], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: string }).stderr);
    }
    expect(status).not.toBe(0);
    expect(stderr).toContain('/nonexistent.mp4');
  });

  it('bench --json ends with the figures line', () => {
    const out = execFileSync(cli, ['bench', '--streams', '1', '--seconds', '1', '--uri', `file://${fx.clip}`, '--model', fx.manifest, '--json'], {
      encoding: 'utf8',
    });
    const last = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
    for (const k of ['streams', 'e2e_fps', 'bare_fps', 'ratio', 'p50_ms', 'p99_ms']) expect(typeof last[k]).toBe('number');
    expect(last.streams).toBe(1);
    expect(last.e2e_fps).toBeGreaterThan(0);
  });
});
