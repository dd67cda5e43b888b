// A tile's zones, lines and masks, drawn with the counts of the same frame: a zone's occupancy (red
// while crowded), a line's in/out crossings with an arrow showing which way is 'in', masks greyed.
import type { Zone, ZoneCounts } from '../../main/api/contract';

const ZONE = 'rgba(255, 221, 0, 0.85)';
const LINE = 'rgba(0, 229, 255, 0.95)';
const CROWDED = 'rgba(255, 77, 77, 0.95)';

/** The words drawn beside a zone or line for its counts (the same words the tests read). */
export function countText(zone: Zone, c: ZoneCounts | undefined): string {
  if (zone.kind === 'line') return `${zone.name}  in ${c?.in ?? 0} · out ${c?.out ?? 0}`;
  return `${zone.name}  ${c?.inside ?? 0} inside${c?.crowded ? ' · crowded' : ''}`;
}

/** Draws the regions; returns the count labels drawn (what the tile's text under the picture must read). */
export function drawZones(
  ctx: CanvasRenderingContext2D,
  zones: Zone[],
  counts: ZoneCounts[] | undefined,
  ox: number,
  oy: number,
  w: number,
  h: number,
  dpr: number,
): string[] {
  const drawn: string[] = [];
  const at = ([px, py]: [number, number]) => [ox + px * w, oy + py * h] as const;
  const font = Math.max(10, Math.round(11 * dpr));
  for (const z of zones) {
    if (z.points.length < 2) continue;
    const c = counts?.find((x) => x.zone === z.id);
    ctx.beginPath();
    z.points.forEach((p, i) => (i ? ctx.lineTo(...at(p)) : ctx.moveTo(...at(p))));
    if (z.kind !== 'line') {
      ctx.closePath();
      ctx.fillStyle = z.kind === 'mask' ? 'rgba(0, 0, 0, 0.45)' : c?.crowded ? 'rgba(255, 77, 77, 0.18)' : 'rgba(255, 221, 0, 0.12)';
      ctx.fill();
    }
    ctx.strokeStyle = z.kind === 'mask' ? 'rgba(160, 160, 160, 0.7)' : z.kind === 'line' ? LINE : c?.crowded ? CROWDED : ZONE;
    ctx.lineWidth = 2 * dpr;
    ctx.setLineDash(z.kind === 'mask' ? [6 * dpr, 4 * dpr] : []);
    ctx.stroke();
    ctx.setLineDash([]);
    if (z.kind === 'mask') continue;
    // Label anchor: a line's middle, a zone's centroid (of its points).
    let [lx, ly] = [0, 0];
    if (z.kind === 'line') {
      const [a, b] = [at(z.points[0]!), at(z.points[1]!)];
      [lx, ly] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
      drawInArrow(ctx, a, b, dpr);
    } else {
      for (const p of z.points) {
        const [x, y] = at(p);
        lx += x / z.points.length;
        ly += y / z.points.length;
      }
    }
    const text = countText(z, c);
    drawn.push(text);
    ctx.font = `${font}px system-ui, sans-serif`;
    ctx.textBaseline = 'top';
    const tw = ctx.measureText(text).width + 8;
    const x = Math.max(ox, Math.min(lx - tw / 2, ox + w - tw));
    const y = Math.max(oy, Math.min(ly + 4 * dpr, oy + h - font - 6));
    ctx.fillStyle = 'rgba(0, 0, 0, 0.7)';
    ctx.fillRect(x, y, tw, font + 6);
    ctx.fillStyle = z.kind === 'line' ? LINE : c?.crowded ? CROWDED : ZONE;
    ctx.fillText(text, x + 4, y + 3);
  }
  return drawn;
}

/** An arrow across the line's middle pointing to its 'in' side (left→right of a→b, as the engine judges). */
function drawInArrow(ctx: CanvasRenderingContext2D, a: readonly [number, number], b: readonly [number, number], dpr: number): void {
  const [mx, my] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
  // Crossing from the left of a→b to its right: in screen coordinates (y down) the right-hand normal is (-dy, dx).
  const [nx, ny] = [-(b[1] - a[1]) / len, (b[0] - a[0]) / len];
  const s = 14 * dpr;
  const [tx, ty] = [mx + nx * s, my + ny * s];
  ctx.strokeStyle = LINE;
  ctx.lineWidth = 2 * dpr;
  ctx.beginPath();
  ctx.moveTo(mx - nx * s, my - ny * s);
  ctx.lineTo(tx, ty);
  ctx.moveTo(tx, ty);
  ctx.lineTo(tx - nx * 6 * dpr + ny * 5 * dpr, ty - ny * 6 * dpr - nx * 5 * dpr);
  ctx.moveTo(tx, ty);
  ctx.lineTo(tx - nx * 6 * dpr - ny * 5 * dpr, ty - ny * 6 * dpr + nx * 5 * dpr);
  ctx.stroke();
}
