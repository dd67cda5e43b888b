// Exports of recorded video (issue 16): a real `vigil serve` records the demo clip on two cameras;
// `vigil export --boxes` burns each frame's stored boxes in (decoded, drawn, x264): the file plays in
// GStreamer, its length and frame count match the range, and the stored boxes' edges are green in
// its frames while the stream-copied export of the same range has no such pixels; several cameras in
// one call give one MP4 per camera in a folder; `recordings.export` does the same through the API
// (params checked by the method's schema, files only in the record's exports/, served with Range).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportJob, RecordingSegment } from '../../main/api/contract.js';
import { projectRoot } from '../../main/paths.js';
import { callApi, until } from '../helpers/faults.js';
import { faultWorkspace, serveWorkspace } from '../helpers/rtsp-camera.js';
import type { ServedNode } from '../helpers/serve.js';

const clip = `file://${join(projectRoot(), '.vigil', 'media', 'vtest.mp4')}`;
const WIDTH = 768;
const HEIGHT = 576;
const record = { detectionsHz: 0, snapshots: false, mode: 'continuous', segmentSeconds: 4 };

function vigil(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(projectRoot(), 'bin', 'vigil.mjs'), ...args], { encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stderr: r.stderr };
}

/** Every frame of an MP4 decoded by GStreamer to packed RGB, with its presentation time (ms), and the exit status. */
function decodeFrames(file: string): { ok: boolean; output: string; frames: Buffer[]; pts: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-frames-'));
  const r = spawnSync(
    'gst-launch-1.0',
    [
      '-v',
      'filesrc',
      `location=${file}`,
      '!',
      'qtdemux',
      '!',
      'decodebin',
      '!',
      'identity',
      'silent=false',
      '!',
      'videoconvert',
      '!',
      'video/x-raw,format=RGB',
      '!',
      'multifilesink',
      `location=${dir}/f%05d.rgb`,
    ],
    { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
  );
  const frames = readdirSync(dir)
    .sort()
    .map((n) => readFileSync(join(dir, n)));
  rmSync(dir, { recursive: true, force: true });
  const pts = [...r.stdout.matchAll(/identity0:sink\) \(\d+ bytes, dts: [^,]*, pts: (\d+):(\d+):([\d.]+)/g)].map(
    (m) => (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000,
  );
  return { ok: r.status === 0, output: `${r.stdout.slice(-2000)}${r.stderr}`, frames, pts };
}

const stride = Math.ceil((WIDTH * 3) / 4) * 4;
function isGreen(frame: Buffer, x: number, y: number): boolean {
  if (x < 0 || y < 0 || x >= WIDTH || y >= HEIGHT) return false;
  const i = y * stride + x * 3;
  return frame[i + 1]! > 170 && frame[i]! < 110 && frame[i + 2]! < 110;
}
function greenShare(frames: Buffer[]): number {
  let green = 0;
  let all = 0;
  for (const f of frames)
    for (let y = 0; y < HEIGHT; y += 2)
      for (let x = 0; x < WIDTH; x += 2) {
        all++;
        if (isGreen(f, x, y)) green++;
      }
  return green / all;
}

interface StoredBox {
  track: number;
  time: number;
  x: number;
  y: number;
  w: number;
  h: number;
}
function storedBoxes(dbFile: string, from: number, to: number): Promise<StoredBox[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(dbFile, sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      db.all(
        `SELECT t.id AS track, t.first_time + d.dt AS time, d.box >> 39 AS x, (d.box >> 26) & 8191 AS y, (d.box >> 13) & 8191 AS w, d.box & 8191 AS h
           FROM detections d JOIN tracks t ON t.id = d.track_id JOIN cameras c ON c.id = t.camera_id
          WHERE c.name = 'north' AND t.first_time + d.dt BETWEEN ? AND ? ORDER BY time`,
        [from, to],
        (e, rows: StoredBox[]) => {
          db.close();
          if (e) reject(e);
          else resolve(rows);
        },
      );
    });
  });
}

describe('exporting recorded video', () => {
  let node: ServedNode;
  const list = (camera: string) => callApi<RecordingSegment[]>(node.origin, 'recordings.list', { camera, from: 0, to: Date.now() + 60_000 });

  beforeAll(async () => {
    node = await serveWorkspace(
      faultWorkspace([{ name: 'North', uri: clip, detectFps: 5, record } as never, { name: 'South', uri: clip, detectFps: 1, record } as never]),
      { VIGIL_RECORDINGS_EVERY_MS: '1000' },
    );
    await until(
      'two segments of each camera',
      120_000,
      async () => ((await list('north')).length >= 2 && (await list('south')).length >= 2 ? true : undefined),
      500,
    );
  }, 150_000);
  afterAll(async () => node?.stop());

  it('--boxes burns the stored boxes into a re-encoded MP4 that plays and covers exactly the range', async () => {
    const segments = (await list('north')).sort((a, b) => a.start - b.start);
    const from = segments[0]!.start + 1500;
    const to = segments[1]!.end - 500;
    const dir = mkdtempSync(join(tmpdir(), 'vigil-export-'));
    const data = join(node.home, 'record');
    const range = ['--camera', 'north', '--from', String(from), '--to', String(to), '--data', data];
    const burnt = vigil(['export', ...range, '--boxes', '--out', join(dir, 'boxes.mp4')]);
    expect(burnt.status, burnt.stderr).toBe(0);
    expect(burnt.stderr).toMatch(/with \d+ stored box\(es\) of \d+ track\(s\) burnt in/);
    expect(burnt.stderr).toMatch(/100 %/);
    const copied = vigil(['export', ...range, '--out', join(dir, 'copy.mp4')]);
    expect(copied.status, copied.stderr).toBe(0);

    const withBoxes = decodeFrames(join(dir, 'boxes.mp4'));
    expect(withBoxes.ok, withBoxes.output).toBe(true);
    const plain = decodeFrames(join(dir, 'copy.mp4'));
    expect(plain.ok, plain.output).toBe(true);
    for (const f of [...withBoxes.frames, ...plain.frames]) expect(f.length).toBe(stride * HEIGHT);
    // Re-encoding starts exactly at --from: the range's length at the clip's 10 fps (within a frame or two).
    const seconds = Number(/wrote .*: ([\d.]+) s, (\d+) frames/.exec(burnt.stderr)?.[1]);
    expect(Math.abs(seconds - (to - from) / 1000)).toBeLessThan(0.25);
    // (Each segment after the first may lose the leading B-frames of its first GOP, whose references
    // are in the previous file: their time goes to the frame before.)
    expect(Math.abs(withBoxes.frames.length - ((to - from) / 1000) * 10)).toBeLessThanOrEqual(3);

    // Pixels: the stream-copied export holds (next to) no green; the burnt one does, on the stored boxes' edges.
    const plainGreen = greenShare(plain.frames);
    const burntGreen = greenShare(withBoxes.frames);
    console.log(`[export] green pixels: ${(plainGreen * 100).toFixed(3)} % without --boxes, ${(burntGreen * 100).toFixed(3)} % with`);
    expect(plainGreen).toBeLessThan(0.0005);
    expect(burntGreen).toBeGreaterThan(0.002);
    const boxes = await storedBoxes(join(data, 'vigil.db'), from - 1000, to);
    // The export says which wall time its first frame has (one clock); each frame's is that plus its time in the file.
    const firstWall = Date.parse(/first frame at (\S+)/.exec(burnt.stderr)?.[1] ?? '');
    expect(firstWall).toBeGreaterThanOrEqual(from);
    expect(firstWall).toBeLessThan(from + 150);
    let checked = 0;
    let found = 0;
    expect(withBoxes.pts).toHaveLength(withBoxes.frames.length);
    expect(withBoxes.pts[0]).toBe(0);
    for (let i = 5; i < withBoxes.frames.length; i += 7) {
      const w = firstWall + withBoxes.pts[i]!;
      const frame = withBoxes.frames[i]!;
      // Per track alive at w (a box stored after w too), the box the export draws at w (the latest
      // stored up to half a frame after it) and the one before: one frame of slack for decoder jitter.
      const byTrack = new Map<number, StoredBox[]>();
      for (const b of boxes) if (b.time <= w + 50 && b.time >= w - 1000) byTrack.set(b.track, [...(byTrack.get(b.track) ?? []), b].slice(-2));
      const alive = new Set(boxes.filter((b) => b.time > w + 50).map((b) => b.track));
      for (const [track, candidates] of byTrack) {
        if (!alive.has(track)) continue;
        const last = candidates.at(-1)!;
        if (last.w < 20 || last.h < 30 || last.x < 4 || last.x > WIDTH - 8) continue;
        checked++;
        const edge = (b: StoredBox) => {
          for (const dy of [-6, 0, 6]) for (let dx = -3; dx <= 3; dx++) if (isGreen(frame, b.x + dx, Math.round(b.y + b.h / 2) + dy)) return true;
          return false;
        };
        if (candidates.some(edge)) found++;
      }
    }
    console.log(`[export] stored box edges green in the burnt frames: ${found} of ${checked}`);
    expect(checked).toBeGreaterThanOrEqual(5);
    expect(found / checked).toBeGreaterThanOrEqual(0.9);
  }, 300_000);

  it('several cameras in one call give one MP4 per camera, named by camera and range, each playing', async () => {
    const a = (await list('north')).sort((x, y) => x.start - y.start);
    const from = a[0]!.start + 500;
    const to = a[1]!.end - 500;
    const dir = mkdtempSync(join(tmpdir(), 'vigil-export-many-'));
    const r = vigil(['export', '--camera', 'north,south', '--from', String(from), '--to', String(to), '--out', dir, '--data', join(node.home, 'record')]);
    expect(r.status, r.stderr).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^north_\d{8}T\d{6}Z_\d{8}T\d{6}Z\.mp4$/);
    expect(files[1]).toMatch(/^south_\d{8}T\d{6}Z_\d{8}T\d{6}Z\.mp4$/);
    for (const f of files) {
      const d = decodeFrames(join(dir, f));
      expect(d.ok, d.output).toBe(true);
      expect(d.frames.length).toBeGreaterThan(10);
    }
    expect(r.stderr.match(/^wrote /gm)).toHaveLength(2);
    // A camera named twice is exported once; an unknown one is refused before anything is written.
    const bad = vigil([
      'export',
      '--camera',
      'north',
      '--camera',
      'nope',
      '--from',
      String(from),
      '--to',
      String(to),
      '--out',
      dir,
      '--data',
      join(node.home, 'record'),
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/camera 'nope' has nothing recorded/);
  }, 300_000);

  it('recordings.export through the API: progress, then one file per camera under /media/exports/ that plays; bad params refused', async () => {
    const a = (await list('north')).sort((x, y) => x.start - y.start);
    const from = a[0]!.start + 500;
    const to = a[0]!.end - 200;
    const post = async (method: string, params: unknown) => {
      const res = await fetch(`${node.origin}/api/v1/${method.split('.').join('/')}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params),
      });
      return { status: res.status, body: (await res.json()) as { ok: boolean; result: ExportJob; error?: { code: string; message: string; field?: string } } };
    };
    const started = await post('recordings.export', { cameras: ['north', 'south'], from, to, boxes: true });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body.result.state).toBe('running');
    const job = started.body.result.job;
    const seen = new Set<number>();
    const done = await until(
      'the export job done',
      240_000,
      async () => {
        const s = await callApi<ExportJob>(node.origin, 'exports.status', { job });
        seen.add(s.progress);
        return s.state === 'running' ? undefined : s;
      },
      200,
    );
    expect(done.state, done.error).toBe('done');
    expect(done.progress).toBe(1);
    expect(seen.size).toBeGreaterThan(1); // progress moved while it ran
    expect(done.files.map((f) => f.camera)).toEqual(['north', 'south']);
    for (const f of done.files) {
      expect(f.url).toMatch(new RegExp(`^/media/exports/${job}/${f.camera}_\\d{8}T\\d{6}Z_\\d{8}T\\d{6}Z_boxes\\.mp4$`));
      const ranged = await fetch(`${node.origin}${f.url}`, { headers: { Range: 'bytes=0-99' } });
      expect(ranged.status).toBe(206);
      expect(ranged.headers.get('content-range')).toBe(`bytes 0-99/${f.bytes}`);
      const whole = Buffer.from(await (await fetch(`${node.origin}${f.url}`)).arrayBuffer());
      expect(whole.length).toBe(f.bytes);
      const file = join(mkdtempSync(join(tmpdir(), 'vigil-download-')), 'clip.mp4');
      writeFileSync(file, whole);
      const d = decodeFrames(file);
      expect(d.ok, d.output).toBe(true);
      expect(Math.abs(d.frames.length - f.frames)).toBeLessThanOrEqual(1);
      expect(Math.abs(f.durationMs - (to - from))).toBeLessThan(300);
    }
    // Hostile params: each refused with the field named, nothing started.
    const bad = [
      [{ cameras: [], from, to }, 422, 'cameras'],
      [{ cameras: ['north'], from: to, to: from }, 422, 'to'],
      [{ cameras: ['north'], from, to, out: '/etc/passwd' }, 422, 'out'],
      [{ cameras: ['../../etc'], from, to }, 404, 'cameras'],
      [{ cameras: ['north'], from: 0, to: 8.64e15 }, 422, 'to'],
    ] as const;
    for (const [params, status, field] of bad) {
      const r = await post('recordings.export', params);
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.body.error?.field ?? r.body.error?.message).toContain(field);
    }
    expect((await post('exports.status', { job: 'nope' })).status).toBe(404);
    // /media/exports/ serves only files inside the exports folder.
    expect((await fetch(`${node.origin}/media/exports/..%2Fvigil.db`)).status).toBeGreaterThanOrEqual(400);
  }, 300_000);
});
