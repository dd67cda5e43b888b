// Which stored box playback draws over the frame shown at a wall time (renderer/playback/boxes.ts),
// the segment that shows a wall time (segments.ts) and the speed steps (clock.ts).
import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../renderer/api/client.js';
import type { RecordingSegment, TrackPath } from '../../../main/api/contract.js';
import { boxAt, boxesAt, MAX_BRIDGE_MS, trailAt } from '../../../renderer/playback/boxes.js';
import { SegmentList } from '../../../renderer/playback/segments.js';
import { stepSpeed } from '../../../renderer/playback/clock.js';
import { commonStep } from '../../../renderer/playback/camera-player.js';

const T = 1_800_000_000_000;
// Boxes stored every other frame of a 10 fps stream (detection at 5 fps), moving 10 px a frame.
const track: TrackPath = {
  id: '7',
  label: 'person',
  engineTrack: 3,
  path: [0, 200, 400, 600].map((dt) => ({ t: T + dt, box: [100 + dt / 10, 50, 40, 80], score: 0.5 + dt / 2000 })),
};

describe('playback boxes', () => {
  it('draws the stored box of the frame shown (within half a frame) as stored', () => {
    expect(boxAt(track, T + 200, 100)).toEqual({
      track: '7',
      engineTrack: 3,
      label: 'person',
      box: [120, 50, 40, 80],
      score: 0.6,
      t: T + 200,
      interpolated: false,
    });
    // A frame 49 ms off still is that frame; the nearest stored box wins.
    expect(boxAt(track, T + 249, 100)).toMatchObject({ t: T + 200, interpolated: false });
  });

  it('interpolates between stored boxes for frames without one, and draws nothing outside the track', () => {
    expect(boxAt(track, T + 300, 100)).toMatchObject({ box: [130, 50, 40, 80], t: T + 300, interpolated: true });
    expect(boxAt(track, T + 300, 100)!.score).toBeCloseTo(0.65);
    expect(boxAt(track, T - 60, 100)).toBeNull();
    expect(boxAt(track, T + 660, 100)).toBeNull();
    // Not across a gap longer than MAX_BRIDGE_MS (the object was lost meanwhile).
    const gap: TrackPath = { ...track, path: [track.path[0]!, { ...track.path[1]!, t: T + MAX_BRIDGE_MS + 1 }] };
    expect(boxAt(gap, T + 1000, 100)).toBeNull();
    expect(boxesAt([track, gap], T + 1000, 100)).toEqual([]);
  });

  it('trails end at the frame shown', () => {
    expect(trailAt(track, T + 450)).toEqual([
      [120, 130],
      [140, 130],
      [160, 130],
    ]);
  });
});

describe('playback segments and speeds', () => {
  const seg = (id: string, start: number): RecordingSegment => ({
    id,
    camera: 'c',
    start,
    end: start + 3000,
    startPts: 0,
    url: `/media/segments/c/${id}.mp4`,
    bytes: 1,
    codec: 'h264',
    width: 768,
    height: 576,
  });
  // The node's answer to recordings.list, given inline (the segment choice is what is tested here).
  const api = { call: async () => [seg('a', T), seg('b', T + 3000), seg('c', T + 10_000)] } as unknown as ApiClient;

  it('the segment whose pictures show a wall time, after the lead-in of B-frame streams', async () => {
    const list = new SegmentList(api, 'c');
    await list.ensure(T + 1000);
    expect(list.at(T + 3100)?.id).toBe('b');
    list.learnLeadIn('a', 200);
    // The first 200 ms after b's media time 0 are a's last pictures (b guessed at the last lead-in
    // learnt); a run's first segment shows its first picture.
    expect(list.at(T + 3100)?.id).toBe('a');
    expect(list.at(T + 3250)?.id).toBe('b');
    // Each segment its own: b's first picture 100 ms after its media time 0.
    list.learnLeadIn('b', 100);
    expect(list.at(T + 3150)?.id).toBe('b');
    expect(list.at(T + 3050)?.id).toBe('a');
    expect(list.leadIn(seg('c', T + 10_000))).toBe(100);
    expect(list.at(T + 50)?.id).toBe('a');
    expect(list.at(T + 10_100)?.id).toBe('c');
    expect(list.at(T + 8000)).toBeNull();
    expect(list.after(T + 8000)?.id).toBe('c');
    expect(list.next(seg('a', T))?.id).toBe('b');
  });

  it('the frame duration is the common step of the steps between shown frames (frames skipped under load)', () => {
    expect(commonStep(600, 500)).toBeCloseTo(100, 6);
    expect(commonStep(300, 200)).toBeCloseTo(100, 6);
    expect(commonStep(2000 / 30, 1000 / 30)).toBeCloseTo(1000 / 30, 3);
    expect(commonStep(100, 100)).toBe(100);
    expect(commonStep(40, 120)).toBe(40);
  });

  it('speeds step through 0.5× … 8× and stop at the ends', () => {
    expect([stepSpeed(1, 1), stepSpeed(4, 1), stepSpeed(8, 1), stepSpeed(1, -1), stepSpeed(0.5, -1), stepSpeed(3, 1)]).toEqual([2, 8, 8, 0.5, 0.5, 8]);
  });
});
