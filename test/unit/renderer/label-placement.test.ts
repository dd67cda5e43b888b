// Label placement on a picture (renderer/common/label-placement.ts, the live wall's and playback's): inside the picture, never over another label.
import { describe, expect, it } from 'vitest';
import { placeLabel } from '../../../renderer/common/label-placement.js';

const frame = { x: 0, y: 0, w: 640, h: 360 };
const inside = (r: { x: number; y: number; w: number; h: number }) =>
  r.x >= frame.x && r.y >= frame.y && r.x + r.w <= frame.x + frame.w && r.y + r.h <= frame.y + frame.h;
const overlap = (a: { x: number; y: number; w: number; h: number }, b: typeof a) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe('live wall label placement', () => {
  it('puts a label above its box, or inside it at the top edge', () => {
    expect(placeLabel({ x: 100, y: 100, w: 80, h: 16 }, [], frame)).toEqual({ x: 100, y: 84, w: 80, h: 16 });
    expect(placeLabel({ x: 100, y: 5, w: 80, h: 16 }, [], frame)).toEqual({ x: 100, y: 5, w: 80, h: 16 });
  });

  it('keeps a label at the right or bottom edge inside the picture (no "rson 0.66")', () => {
    const r = placeLabel({ x: 600, y: 350, w: 90, h: 16 }, [], frame);
    expect(inside(r)).toBe(true);
    expect(placeLabel({ x: -10, y: 50, w: 90, h: 16 }, [], frame).x).toBe(0);
  });

  it('moves labels of boxes at the same place apart', () => {
    const placed: { x: number; y: number; w: number; h: number }[] = [];
    for (let i = 0; i < 6; i++) placed.push(placeLabel({ x: 200 + i * 4, y: 120 + i * 2, w: 100, h: 16 }, placed, frame));
    for (const r of placed) expect(inside(r)).toBe(true);
    for (let i = 0; i < placed.length; i++) for (let j = i + 1; j < placed.length; j++) expect(overlap(placed[i]!, placed[j]!), `${i} and ${j}`).toBe(false);
  });
});
