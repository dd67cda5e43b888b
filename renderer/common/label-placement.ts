// Where a box's label goes on a picture (the live wall and playback): inside the picture, never over
// another label.

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Where a box's label goes: above the box's top-left corner (inside it when there is no room above),
 * kept inside the picture, and moved down past labels already placed so that none covers another.
 */
export function placeLabel(label: Rect, placed: Rect[], frame: Rect): Rect {
  const clampX = (x: number) => Math.max(frame.x, Math.min(x, frame.x + frame.w - label.w));
  const clampY = (y: number) => Math.max(frame.y, Math.min(y, frame.y + frame.h - label.h));
  const r = { ...label, x: clampX(label.x), y: clampY(label.y - label.h >= frame.y ? label.y - label.h : label.y) };
  for (let tries = 0; tries < placed.length + 1; tries++) {
    const hit = placed.find((p) => overlaps(r, p));
    if (!hit) return r;
    const below = hit.y + hit.h;
    r.y = below + label.h <= frame.y + frame.h ? below : clampY(hit.y - label.h);
    if (placed.some((p) => p !== hit && overlaps(r, p)) && below + label.h > frame.y + frame.h) break;
  }
  return r;
}
