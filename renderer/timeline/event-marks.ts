// How the timeline marks analytics events: one glyph and colour per kind (the kinds are the API's
// ZONE_EVENT_KINDS; a crossing's direction picks its colour), drawn on each camera's event row.
import type { ZoneEvent, ZoneEventKind } from '../../main/api/contract';

export const EVENT_STYLE: Record<ZoneEventKind, { color: string; glyph: 'up' | 'down' | 'diamond' | 'square' | 'ring' | 'dot'; words: string }> = {
  enter: { color: '#3ecf8e', glyph: 'up', words: 'entered a zone' },
  exit: { color: '#94a3b8', glyph: 'down', words: 'left a zone' },
  cross: { color: '#2ed3d3', glyph: 'diamond', words: 'crossed a line (in: cyan, out: pink)' },
  crowded: { color: '#ff4d4d', glyph: 'square', words: 'zone crowded' },
  'crowd-end': { color: '#ff4d4d', glyph: 'ring', words: 'crowding over' },
  dwell: { color: '#ffb020', glyph: 'dot', words: 'stayed in a zone (dwell)' },
};

const OUT_COLOR = '#ff7eb6';

export function eventColor(e: Pick<ZoneEvent, 'kind' | 'direction'>): string {
  return e.kind === 'cross' && e.direction === 'out' ? OUT_COLOR : EVENT_STYLE[e.kind].color;
}

/** Draws one marker centred on (x, y), `r` its half size. */
export function drawEventMark(ctx: CanvasRenderingContext2D, e: Pick<ZoneEvent, 'kind' | 'direction'>, x: number, y: number, r: number): void {
  const { glyph } = EVENT_STYLE[e.kind];
  ctx.fillStyle = ctx.strokeStyle = eventColor(e);
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  const poly = (pts: [number, number][]) => pts.forEach(([px, py], i) => (i ? ctx.lineTo(x + px * r, y + py * r) : ctx.moveTo(x + px * r, y + py * r)));
  if (glyph === 'up')
    poly([
      [0, -1],
      [1, 1],
      [-1, 1],
    ]);
  else if (glyph === 'down')
    poly([
      [0, 1],
      [1, -1],
      [-1, -1],
    ]);
  else if (glyph === 'diamond')
    poly([
      [0, -1],
      [1, 0],
      [0, 1],
      [-1, 0],
    ]);
  else if (glyph === 'square') ctx.rect(x - r, y - r, 2 * r, 2 * r);
  else ctx.arc(x, y, r * 0.8, 0, Math.PI * 2);
  ctx.closePath();
  if (glyph === 'ring') ctx.stroke();
  else ctx.fill();
}
