// Draws one camera's boxes, labels and trails for the frame shown, as vectors over the video (the
// video is letterboxed in its tile with object-fit: contain; boxes are in source pixels).
import type { TrackPath } from '../../main/api/contract';
import { fitCanvas } from '../common/canvas';
import { labelColor } from '../common/colors';
import { placeLabel, type Rect } from '../common/label-placement';
import { trailAt, type ShownBox } from './boxes';

export interface FrameGeometry {
  /** The source frame's size (the boxes' pixels). */
  width: number;
  height: number;
}

export function drawOverlay(
  canvas: HTMLCanvasElement,
  frame: FrameGeometry,
  boxes: readonly ShownBox[],
  tracks: ReadonlyMap<string, TrackPath>,
  wall: number,
  /** A track drawn thicker (the one opened in review). */
  highlight: string | null = null,
): void {
  const { w, h, dpr } = fitCanvas(canvas, canvas.clientWidth, canvas.clientHeight);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.clearRect(0, 0, w, h);
  if (frame.width <= 0 || frame.height <= 0) return;
  const scale = Math.min(w / frame.width, h / frame.height);
  const ox = (w - frame.width * scale) / 2;
  const oy = (h - frame.height * scale) / 2;
  const X = (x: number) => ox + x * scale;
  const Y = (y: number) => oy + y * scale;
  ctx.lineWidth = 2 * dpr;
  ctx.font = `${Math.round(12 * dpr)}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  const placed: Rect[] = [];
  for (const b of boxes) {
    const colour = labelColor(b.label);
    ctx.strokeStyle = colour;
    // Trail: where the object was over the last seconds (its stored boxes' bottom centres).
    const track = tracks.get(b.track);
    const trail = track ? trailAt(track, wall) : [];
    if (trail.length > 1) {
      ctx.globalAlpha = 0.7;
      ctx.beginPath();
      trail.forEach(([x, y], i) => (i ? ctx.lineTo(X(x), Y(y)) : ctx.moveTo(X(x), Y(y))));
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    // Solid: the stored box of this frame; dashed: between two stored boxes.
    ctx.setLineDash(b.interpolated ? [5 * dpr, 4 * dpr] : []);
    ctx.lineWidth = (b.track === highlight ? 4 : 2) * dpr;
    const [x, y, bw, bh] = b.box;
    ctx.strokeRect(X(x), Y(y), bw * scale, bh * scale);
    ctx.setLineDash([]);
    ctx.lineWidth = 2 * dpr;
    const text = `${b.label} #${b.engineTrack} ${b.score.toFixed(2)}`;
    // The label above the box, inside the picture, clear of the labels already placed.
    const r = placeLabel({ x: X(x), y: Y(y), w: ctx.measureText(text).width + 6 * dpr, h: 16 * dpr }, placed, {
      x: ox,
      y: oy,
      w: frame.width * scale,
      h: frame.height * scale,
    });
    placed.push(r);
    ctx.fillStyle = colour;
    ctx.fillRect(r.x, r.y, r.w, r.h);
    ctx.fillStyle = '#0b0f14';
    ctx.fillText(text, r.x + 3 * dpr, r.y + 2 * dpr);
  }
}
