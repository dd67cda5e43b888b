// Box density (issue 16): a camera that records video keeps every inferred frame's boxes, so
// playback and exports draw each frame's own box; a camera without video keeps `detectionsHz`.
// Checked on a real store (SQLite file, the recorder's transactions).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingPolicy } from '../../main/core/recordings.js';
import { openStore } from '../../main/store/index.js';
import { validateCamera } from '../../main/workspace/model.js';

const camera = (record: Record<string, unknown>) => validateCamera({ name: 'Cam', uri: 'rtsp://cam/1', record }, 'camera');

describe('recordingPolicy', () => {
  it('is every frame while the camera records video, else detectionsHz (0: every frame), clamped to 0.1..60', () => {
    expect(recordingPolicy(camera({ mode: 'continuous', detectionsHz: 2 }))).toEqual({ detectionsHz: 'every-frame' });
    expect(recordingPolicy(camera({ mode: 'events', detectionsHz: 2 }))).toEqual({ detectionsHz: 'every-frame' });
    expect(recordingPolicy(camera({ mode: 'off', detectionsHz: 2 }))).toEqual({ detectionsHz: 2 });
    expect(recordingPolicy(camera({ detectionsHz: 0 }))).toEqual({ detectionsHz: 'every-frame' });
    expect(recordingPolicy(camera({ detectionsHz: 120 }))).toEqual({ detectionsHz: 60 });
  });

  it('a recording camera stores a box for each of its inferred frames; one without video two a second', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-policy-'));
    const store = await openStore({ dataDir: dir, log: () => {} });
    try {
      store.recorder.setCameraPolicy('rec', recordingPolicy(camera({ mode: 'continuous' })));
      store.recorder.setCameraPolicy('plain', recordingPolicy(camera({ mode: 'off' })));
      const t0 = Date.UTC(2026, 0, 1);
      for (let n = 0; n < 50; n++) {
        const time = t0 + n * 100; // 10 inferred frames a second for 5 s
        const frame = (cam: string) => ({
          camera: cam,
          frame: n,
          pts: n / 10,
          time,
          width: 640,
          height: 360,
          objects: [{ track: 1, classId: 0, label: 'person', score: 0.9, box: [10 + n, 20, 30, 60] as [number, number, number, number], inferred: true }],
        });
        store.recorder.write({ frames: [frame('rec'), frame('plain')], events: [] });
      }
      await store.recorder.flush();
      const rows = async (cam: string) => {
        const found = await store.queries.searchTracks({ cameras: [cam], limit: 10 });
        expect(found.tracks).toHaveLength(1);
        return (await store.queries.track(found.tracks[0]!.id))!.path.length;
      };
      expect(await rows('rec')).toBe(50);
      expect(await rows('plain')).toBe(10); // 2 per second over 5 s
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
