// The timeline's stacking of tracks (renderer/timeline/lane-layout.ts) and the thumbnails' crop
// around an object (renderer/common/track-picture.ts cropAround): pure functions, exact answers.
import { describe, expect, it } from 'vitest';
import type { TrackSummary } from '../../../main/api/contract.js';
import { cropAround } from '../../../renderer/common/track-picture.js';
import { AXIS_HEIGHT, MAX_ROWS, MIN_LANE_HEIGHT, layoutLanes, rowCentre, totalHeight } from '../../../renderer/timeline/lane-layout.js';

let n = 0;
const track = (camera: string, label: string, firstSeen: number, lastSeen: number): TrackSummary => ({
  id: String(++n),
  camera,
  label,
  firstSeen,
  lastSeen,
  bestScore: 0.9,
  snapshotUrl: null,
  zones: [],
  bestBox: [0, 0, 10, 10],
  engineTrack: n,
  ended: true,
});

describe('timeline lanes: one band per label, overlapping tracks on separate rows', () => {
  it('puts tracks that overlap in time on different rows and reuses a row once it is free', () => {
    const tracks = [track('a', 'person', 0, 100), track('a', 'person', 50, 150), track('a', 'person', 120, 200), track('a', 'car', 10, 20)];
    const [lane] = layoutLanes(['a'], () => tracks);
    expect(lane!.bands.map((b) => b.label)).toEqual(['car', 'person']);
    const person = lane!.bands[1]!;
    expect(person.rows).toBe(2);
    expect(person.placed.map((p) => p.row)).toEqual([0, 1, 0]); // the third starts after the first ended
    expect(person.aggregated).toBe(0);
    // Bands follow each other without overlapping, below the axis, density and event rows.
    expect(lane!.bands[0]!.top).toBeGreaterThan(AXIS_HEIGHT);
    expect(person.top).toBe(lane!.bands[0]!.top + lane!.bands[0]!.height);
    expect(rowCentre(person, 1)).toBeGreaterThan(rowCentre(person, 0));
    expect(rowCentre(person, 1)).toBeLessThan(person.top + person.height);
  });

  it(`past ${MAX_ROWS} rows, the rest share one aggregate row and are counted`, () => {
    const tracks = Array.from({ length: MAX_ROWS + 3 }, (_, i) => track('a', 'person', i, 1000));
    const band = layoutLanes(['a'], () => tracks)[0]!.bands[0]!;
    expect(band.rows).toBe(MAX_ROWS + 1);
    expect(band.aggregated).toBe(3);
    expect(band.placed.filter((p) => p.aggregated).every((p) => p.row === MAX_ROWS)).toBe(true);
    expect(new Set(band.placed.filter((p) => !p.aggregated).map((p) => p.row)).size).toBe(MAX_ROWS);
  });

  it('a refresh moves no bar: a track keeps its row while it fits, a band its row count', () => {
    const sticky = { rowOf: new Map<string, number>(), bandRows: new Map<string, number>() };
    const a = track('a', 'person', 0, 100);
    const b = track('a', 'person', 50, 150);
    const c = track('a', 'person', 120, 200); // row 0 after a ends
    const first = layoutLanes(['a'], () => [a, b, c], sticky)[0]!.bands[0]!;
    expect(first.placed.map((p) => p.row)).toEqual([0, 1, 0]);
    // a (still open) grows past c's start: packed afresh, c would move; it cannot stay on row 0 (a covers it) ...
    const grown = { ...a, lastSeen: 130 };
    const second = layoutLanes(['a'], () => [grown, b, c], sticky)[0]!.bands[0]!;
    expect(second.placed.map((p) => p.row)).toEqual([0, 1, 2]);
    // ... but once moved it stays put, and the band keeps its three rows when the overlap is gone.
    const third = layoutLanes(['a'], () => [a, b, c], sticky)[0]!.bands[0]!;
    expect(third.placed.map((p) => p.row)).toEqual([0, 1, 2]);
    expect(third.rows).toBe(3);
  });

  it('stacks lanes: an empty lane keeps its minimum height, the canvas is as tall as the lanes', () => {
    const lanes = layoutLanes(['a', 'b'], (c) => (c === 'a' ? [track('a', 'person', 0, 1)] : []));
    expect(lanes[1]!.top).toBe(lanes[0]!.top + lanes[0]!.height);
    expect(lanes[1]!.height).toBe(MIN_LANE_HEIGHT);
    expect(lanes[1]!.bands).toEqual([]);
    expect(totalHeight(lanes)).toBe(lanes[1]!.top + MIN_LANE_HEIGHT);
  });
});

describe('thumbnail crop around an object', () => {
  it('keeps the box with its margin, at the thumbnail aspect, inside the frame', () => {
    const c = cropAround([300, 200, 40, 100], 768, 576, 16 / 9);
    expect(c.h).toBeCloseTo(150); // 100 × 1.5: the taller side sets the size
    expect(c.w).toBeCloseTo(150 * (16 / 9));
    expect(c.x + c.w / 2).toBeCloseTo(320); // centred on the box
    expect(c.y + c.h / 2).toBeCloseTo(250);
  });

  it('moves the crop inside the frame at an edge, and never crops more than the frame', () => {
    const edge = cropAround([0, 0, 20, 20], 768, 576, 16 / 9);
    expect(edge.x).toBe(0);
    expect(edge.y).toBe(0);
    const huge = cropAround([0, 0, 768, 576], 768, 576, 16 / 9);
    expect(huge.w).toBeLessThanOrEqual(768);
    expect(huge.h).toBeLessThanOrEqual(576);
    expect(huge.x).toBeGreaterThanOrEqual(0);
    expect(huge.y).toBeGreaterThanOrEqual(0);
    expect(huge.w / huge.h).toBeCloseTo(16 / 9);
  });
});
