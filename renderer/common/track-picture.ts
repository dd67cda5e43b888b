// A track's picture: its snapshot cropped to the object, or (for a track the tracker still follows,
// which has no snapshot until it ends) the camera's latest preview frame cropped to the object's box
// in that same frame. Previews are shared per camera: one subscription however many pictures show.
import type { BoxXYWH, PreviewFrameMessage } from '../../main/api/contract';
import type { ApiClient } from '../api/client';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * The part of a `frameW`×`frameH` frame to show for `box`: the box with `margin` (a share of its size)
 * on every side, widened to `aspect` (w/h), moved inside the frame, and shrunk only when the frame is
 * smaller than that.
 */
export function cropAround(box: BoxXYWH, frameW: number, frameH: number, aspect: number, margin = 0.25): Rect {
  const [bx, by, bw, bh] = box;
  let w = Math.max(1, bw) * (1 + 2 * margin);
  let h = Math.max(1, bh) * (1 + 2 * margin);
  if (w / h < aspect) w = h * aspect;
  else h = w / aspect;
  if (w > frameW) {
    w = frameW;
    h = Math.min(frameH, w / aspect);
  }
  if (h > frameH) {
    h = frameH;
    w = Math.min(frameW, h * aspect);
  }
  const cx = bx + bw / 2;
  const cy = by + bh / 2;
  const x = Math.min(Math.max(0, cx - w / 2), frameW - w);
  const y = Math.min(Math.max(0, cy - h / 2), frameH - h);
  return { x, y, w, h };
}

/** One decoded preview frame and the object of interest in it, source-pixel box and frame size (valid during the call only). */
export interface LiveSighting {
  bitmap: ImageBitmap;
  /** Source frame size (the preview JPEG may be smaller; scale by bitmap.width / frameW). */
  frameW: number;
  frameH: number;
  box: BoxXYWH;
  time: number;
}

type Watcher = { track: number; last: number; everyMs: number; on: (s: LiveSighting) => void };

interface Hub {
  watchers: Set<Watcher>;
  off: () => void;
}

const hubs = new WeakMap<ApiClient, Map<string, Hub>>();

/**
 * Calls `on` with the camera's latest preview frame that shows engine track `track`, at most every
 * `everyMs`. The frame is decoded once for every watcher that wants it. Returns the unsubscribe.
 */
export function watchLiveTrack(api: ApiClient, camera: string, track: number, on: (s: LiveSighting) => void, everyMs = 1000): () => void {
  let byCamera = hubs.get(api);
  if (!byCamera) hubs.set(api, (byCamera = new Map()));
  let hub = byCamera.get(camera);
  if (!hub) {
    const watchers = new Set<Watcher>();
    const off = api.subscribe('preview', (msg) => deliver(msg, watchers), camera);
    byCamera.set(camera, (hub = { watchers, off }));
  }
  const w: Watcher = { track, last: 0, everyMs, on };
  hub.watchers.add(w);
  return () => {
    const h = byCamera.get(camera);
    if (!h) return;
    h.watchers.delete(w);
    if (h.watchers.size === 0) {
      h.off();
      byCamera.delete(camera);
    }
  };
}

function deliver(msg: PreviewFrameMessage, watchers: Set<Watcher>): void {
  const now = performance.now();
  const due: { w: Watcher; box: BoxXYWH }[] = [];
  for (const w of watchers) {
    if (now - w.last < w.everyMs) continue;
    // Only frames where the detector saw it: a box the tracker predicts for a lost object may have drifted off it.
    const o = msg.objects.find((x) => x.track === w.track && x.inferred);
    if (o) due.push({ w, box: o.box });
  }
  if (due.length === 0) return;
  for (const d of due) d.w.last = now;
  const bytes = new Uint8Array(msg.jpeg); // a copy the Blob can own, whatever buffer the message came in
  createImageBitmap(new Blob([bytes], { type: 'image/jpeg' })).then(
    (bitmap) => {
      for (const d of due) d.w.on({ bitmap, frameW: msg.width, frameH: msg.height, box: d.box, time: msg.time });
      bitmap.close(); // watchers draw at once and keep nothing
    },
    () => undefined, // a frame that does not decode: the next one will
  );
}

/** Draws `src` (a `srcW`×`srcH` picture of a `frameW`×`frameH` frame) cropped to `crop` (frame pixels) over the whole canvas. */
export function drawCrop(canvas: HTMLCanvasElement, src: CanvasImageSource, srcW: number, frameW: number, crop: Rect): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const s = srcW / frameW;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(src, crop.x * s, crop.y * s, crop.w * s, crop.h * s, 0, 0, canvas.width, canvas.height);
}
