// Recording over RTSP (issue 16): a real gst-rtsp-server camera (H.264, a keyframe a second) recorded
// by a real `vigil serve` by stream copy; segments are indexed, each plays in GStreamer, and their
// length adds up to the wall time (within one segment); the camera SIGKILLed and restarted mid-run:
// the open segment is closed and indexed, recording resumes in new segments after the outage, no
// two segments overlap, and every file on disk is indexed and plays.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingSegment } from '../../main/api/contract.js';
import { callApi, sleep, until } from '../helpers/faults.js';
import { faultWorkspace, RtspCamera, serveWorkspace } from '../helpers/rtsp-camera.js';
import type { ServedNode } from '../helpers/serve.js';

const SEGMENT_S = 3;

function plays(file: string): { ok: boolean; output: string } {
  const r = spawnSync('gst-launch-1.0', ['-q', 'filesrc', `location=${file}`, '!', 'qtdemux', '!', 'decodebin', '!', 'fakesink'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

describe('recording an RTSP camera', () => {
  const camera = new RtspCamera({ width: 640, height: 360, fps: 15 });
  let node: ServedNode;
  let recordStart = 0;
  const list = async () =>
    (await callApi<RecordingSegment[]>(node.origin, 'recordings.list', { camera: 'gate', from: 0, to: Date.now() + 60_000 })).sort((a, b) => a.start - b.start);

  beforeAll(async () => {
    await camera.start();
    node = await serveWorkspace(
      faultWorkspace([
        {
          name: 'Gate',
          uri: camera.uri(),
          detectFps: 1,
          record: { detectionsHz: 2, snapshots: false, mode: 'continuous', segmentSeconds: SEGMENT_S },
        } as never,
      ]),
      { VIGIL_RECORDINGS_EVERY_MS: '1000' },
    );
    recordStart = Date.now();
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
    await camera.kill();
  });

  it('records continuously: segments indexed, each playing, adding up to the wall time within one segment', async () => {
    const segments = await until('five segments indexed', 90_000, async () => ((await list()).length >= 5 ? list() : undefined), 500);
    for (const s of segments) {
      expect(s.codec).toBe('h264');
      expect([s.width, s.height]).toEqual([640, 360]);
      expect(s.end - s.start).toBeGreaterThan(0);
      expect(s.end - s.start).toBeLessThanOrEqual(SEGMENT_S * 1000 + 100);
      const played = plays(join(node.home, 'record', s.url.slice('/media/'.length)));
      expect(played.ok, played.output).toBe(true);
    }
    for (let i = 1; i < segments.length; i++) expect(Math.abs(segments[i]!.start - segments[i - 1]!.end)).toBeLessThanOrEqual(100); // one frame at 15 fps, and jitter
    const total = segments.reduce((n, s) => n + (s.end - s.start), 0);
    const wall = segments.at(-1)!.end - segments[0]!.start;
    console.log(`[rtsp] ${segments.length} segments, ${(total / 1000).toFixed(1)} s of video over ${(wall / 1000).toFixed(1)} s of wall time`);
    expect(Math.abs(wall - total)).toBeLessThan(SEGMENT_S * 1000);
    expect(segments[0]!.start).toBeGreaterThanOrEqual(recordStart - 5000);
  }, 120_000);

  it('the camera killed and restarted mid-run: the open segment is indexed, recording resumes in new segments, nothing corrupt', async () => {
    await sleep(1500); // mid-segment
    const killedAt = Date.now();
    await camera.kill();
    await sleep(3000);
    const backAt = Date.now();
    await camera.start();
    // New segments after the outage, and the one open at the kill indexed (a segment never spans a reconnect).
    await until(
      'two segments recorded after the camera came back',
      60_000,
      async () => ((await list()).filter((s) => s.start >= backAt).length >= 2 ? true : undefined),
      500,
    );
    const segments = await list();
    const before = segments.filter((s) => s.end <= killedAt + 1000);
    const after = segments.filter((s) => s.start >= backAt);
    expect(before.length).toBeGreaterThan(0);
    // The outage is a gap between two segments, not video: nothing recorded while the camera was away.
    const gap = after[0]!.start - before.at(-1)!.end;
    console.log(
      `[rtsp] outage ${((backAt - killedAt) / 1000).toFixed(1)} s; gap in the recording ${(gap / 1000).toFixed(1)} s; resumed ${((after[0]!.start - backAt) / 1000).toFixed(1)} s after the camera was back`,
    );
    expect(gap).toBeGreaterThan(2000);
    expect(before.at(-1)!.end).toBeGreaterThan(killedAt - SEGMENT_S * 1000 - 1500); // the segment open at the kill was closed and indexed
    for (let i = 1; i < segments.length; i++) expect(segments[i]!.start).toBeGreaterThanOrEqual(segments[i - 1]!.end - 100);
    // Every file on disk is indexed (allow the one being written now) and plays.
    await sleep(1000);
    const indexed = new Set((await list()).map((s) => basename(s.url)));
    const dir = join(node.home, 'record', 'segments', 'gate');
    const files = readdirSync(dir).filter((n) => n.endsWith('.mp4'));
    expect(files.filter((f) => !indexed.has(f)).length).toBeLessThanOrEqual(1);
    for (const f of files.filter((n) => indexed.has(n))) {
      const played = plays(join(dir, f));
      expect(played.ok, `${f}: ${played.output}`).toBe(true);
    }
  }, 120_000);
});
