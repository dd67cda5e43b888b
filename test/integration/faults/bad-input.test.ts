// Fault 6: bad input. Corrupt, truncated, zero-byte and noise media files, an audio-only file and a
// resolution change mid-stream (all made here with gst-launch), next to a good camera; malformed
// model manifests and a damaged workspace file. Each gets a clear error, the engine never crashes or
// hangs, the good camera keeps running and the app starts with the last good workspace.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ModelSummary, StreamStats, SystemStatus, WorkspaceView } from '../../../main/api/contract.js';
import { callApi, sleep, until } from '../../helpers/faults.js';
import { faultWorkspace } from '../../helpers/rtsp-camera.js';
import { startServe, type ServedNode } from '../../helpers/serve.js';

const media = mkdtempSync(join(tmpdir(), 'vigil-bad-media-'));
const home = mkdtempSync(join(tmpdir(), 'vigil-bad-home-'));
let node: ServedNode;

function gst(...args: string[]): void {
  execFileSync('gst-launch-1.0', ['-q', ...args], { stdio: 'pipe' });
}

function makeMedia(): Record<string, string> {
  const at = (f: string) => join(media, f);
  const h264 = (n: number, w: number, h: number, pattern: string) =>
    `videotestsrc num-buffers=${n} pattern=${pattern} ! video/x-raw,width=${w},height=${h},framerate=15/1 ! x264enc speed-preset=ultrafast key-int-max=15 ! h264parse`.split(
      ' ',
    );
  gst(...h264(90, 320, 240, 'smpte'), '!', 'mp4mux', '!', 'filesink', `location=${at('good.mp4')}`);
  const good = readFileSync(at('good.mp4'));
  const corrupt = Buffer.from(good);
  randomBytes(Math.floor(good.length * 0.4)).copy(corrupt, Math.floor(good.length * 0.3));
  writeFileSync(at('corrupt.mp4'), corrupt);
  writeFileSync(at('truncated.mp4'), good.subarray(0, Math.floor(good.length * 0.4)));
  writeFileSync(at('empty.mp4'), '');
  writeFileSync(at('noise.mp4'), randomBytes(256 * 1024));
  gst('audiotestsrc', 'num-buffers=100', '!', 'audioconvert', '!', 'vorbisenc', '!', 'oggmux', '!', 'filesink', `location=${at('audio-only.ogg')}`);
  // Resolution change mid-stream: two MPEG-TS pieces (320×240, then 640×360) back to back in one file.
  gst(...h264(45, 320, 240, 'smpte'), '!', 'mpegtsmux', '!', 'filesink', `location=${at('a.ts')}`);
  gst(...h264(45, 640, 360, 'ball'), '!', 'mpegtsmux', '!', 'filesink', `location=${at('b.ts')}`);
  writeFileSync(at('resize.ts'), Buffer.concat([readFileSync(at('a.ts')), readFileSync(at('b.ts'))]));
  return Object.fromEntries(
    ['good.mp4', 'corrupt.mp4', 'truncated.mp4', 'empty.mp4', 'noise.mp4', 'audio-only.ogg', 'resize.ts', 'missing.mp4'].map((f) => [f, `file://${at(f)}`]),
  );
}

beforeAll(async () => {
  const files = makeMedia();
  const cameras = Object.entries(files).map(([f, uri]) => ({
    name: f.replace(/\.\w+$/, ''),
    uri,
    loop: f === 'good.mp4' || f === 'resize.ts',
    realtime: true,
  }));
  // A last good workspace, and a damaged workspace.json in its place.
  writeFileSync(join(home, 'workspace.json.last-good'), JSON.stringify(faultWorkspace(cameras)));
  writeFileSync(join(home, 'workspace.json'), '{"version": 1, "cameras": [{"name": "half-writ');
  // Malformed model manifests next to the working defaults.
  const models = join(home, 'models');
  mkdirSync(models, { recursive: true });
  writeFileSync(join(models, 'truncated.json'), '{"name": "broken", "onnx": "x.on');
  writeFileSync(join(models, 'wrong-types.json'), JSON.stringify({ name: 42, onnx: ['a'], parser: 'nope', input: 'big' }));
  writeFileSync(join(models, 'noise.onnx'), randomBytes(4096));
  writeFileSync(
    join(models, 'noise.json'),
    JSON.stringify({ name: 'noise', onnx: 'noise.onnx', parser: 'yolov8', input: { width: 64, height: 64 }, labels: ['a'] }),
  );
  node = await startServe([], { VIGIL_HOME: home });
}, 120_000);
afterAll(() => node?.stop());

it('starts with the last good workspace and says so', async () => {
  expect(node.output()).toMatch(/workspace.*Started with the last good copy/s);
  const ws = await callApi<WorkspaceView>(node.origin, 'workspace.get');
  expect(ws.cameras.map((c) => c.id)).toContain('good');
});

it('lists only the valid models; the malformed manifests do not stop anything', async () => {
  const models = await callApi<ModelSummary[]>(node.origin, 'models.list');
  expect(models.map((m) => m.name)).toContain('nanodet-coco');
  expect(models.map((m) => m.name)).not.toContain('broken');
  expect(models.map((m) => m.name)).not.toContain(42);
});

it('bad media: a clear reason for each, no crash or hang, the good camera and the resolution change keep playing', async () => {
  const bad = ['corrupt', 'truncated', 'empty', 'noise', 'audio-only', 'missing'];
  const settled = await until(
    'every bad file to settle',
    60_000,
    async () => {
      const s = await callApi<SystemStatus>(node.origin, 'system.status');
      const by = Object.fromEntries(s.streams.map((x) => [x.camera, x])) as Record<string, StreamStats>;
      const done =
        bad.every((id) => by[id] && (by[id].state === 'error' || by[id].state === 'ended')) && by['good']?.state === 'live' && by['resize']?.state === 'live';
      return done ? s : undefined;
    },
    500,
  );
  const by = Object.fromEntries(settled.streams.map((x) => [x.camera, x])) as Record<string, StreamStats>;
  for (const id of bad) console.log(`[faults] ${id}: ${by[id]!.state} ${by[id]!.reason ?? ''} — ${by[id]!.advice ?? '(played to the end)'}`);
  for (const id of ['truncated', 'empty', 'noise', 'audio-only', 'missing']) {
    expect(by[id]!.state, id).toBe('error');
    expect(by[id]!.reason, id).toMatch(/^(bad-media|no-video|not-found|no-decoder)$/);
    expect(by[id]!.advice, id).toBeTruthy();
  }
  expect(by['missing']!.reason).toBe('not-found');
  expect(by['empty']!).toMatchObject({ reason: 'no-video', advice: expect.stringMatching(/empty\.mp4 is empty/) });
  expect(by['audio-only']!.advice).toMatch(/no video track/);
  // A corrupt middle either fails clearly or plays with decoder concealment to the end: never a crash.
  expect(by['corrupt']!.state === 'ended' || by['corrupt']!.reason !== null).toBe(true);
  // The resolution change: still decoding well past the switch (3 s of 320×240, then 640×360, looping).
  await sleep(8_000);
  const later = await callApi<SystemStatus>(node.origin, 'system.status');
  const resize = later.streams.find((x) => x.camera === 'resize')!;
  const good = later.streams.find((x) => x.camera === 'good')!;
  expect(resize.state).toBe('live');
  expect(resize.decodeFps).toBeGreaterThan(0);
  expect(good.decodeFps).toBeGreaterThan(0);
  expect(later.engine.restarts).toBe(0);
  expect(later.gaps).toHaveLength(0);
});
