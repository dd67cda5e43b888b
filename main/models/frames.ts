// Decoded RGB frames for model checks: reads a video through GStreamer (gst-launch) and fits frames
// into a network input as a manifest describes (letterbox or stretch, colour order, mean/scale, layout).
import { spawn, spawnSync } from 'node:child_process';
import type { ModelManifest } from '../api/model-types.js';

export interface RgbFrame {
  width: number;
  height: number;
  data: Uint8Array; // RGB, row-major, 3 bytes per pixel
}

/** Yields frames of `path` as RGB at the given size (GStreamer scales when it differs from the source). */
export async function* readVideoFrames(path: string, width: number, height: number, options: { maxFrames?: number; every?: number } = {}): AsyncGenerator<RgbFrame & { index: number }> {
  const args = ['-q', 'filesrc', `location=${path}`, '!', 'decodebin', '!', 'videoconvert', '!', 'videoscale', '!', `video/x-raw,format=RGB,width=${width},height=${height}`, '!', 'fdsink', 'fd=1'];
  const child = spawn('gst-launch-1.0', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const frameBytes = width * height * 3;
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  const every = Math.max(1, options.every ?? 1);
  let yielded = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= frameBytes) {
        const data = new Uint8Array(pending.subarray(0, frameBytes));
        pending = pending.subarray(frameBytes);
        if (index % every === 0) {
          yield { index, width, height, data };
          yielded++;
          if (options.maxFrames !== undefined && yielded >= options.maxFrames) return;
        }
        index++;
      }
    }
    if (index === 0) throw new Error(`video '${path}' gave no frames (${stderr.trim() || 'gst-launch-1.0 printed nothing'}) — check the path and that GStreamer can decode it`);
  } finally {
    child.kill();
  }
}

export interface FitTransform {
  scaleX: number; // network pixels per source pixel
  scaleY: number;
  padX: number;
  padY: number;
}

/** Fits an RGB frame into the manifest's network input; returns the tensor and how to map boxes back. */
export function prepareInput(frame: RgbFrame, manifest: ModelManifest): { dims: number[]; data: Float32Array; transform: FitTransform } {
  const { width: nw, height: nh, layout, colorOrder, mean, scale, resize, padValue } = manifest.input;
  let sx = nw / frame.width;
  let sy = nh / frame.height;
  let padX = 0;
  let padY = 0;
  if (resize === 'letterbox') {
    sx = sy = Math.min(sx, sy);
    padX = (nw - frame.width * sx) / 2;
    padY = (nh - frame.height * sy) / 2;
  }
  const plane = nw * nh;
  const out = new Float32Array(plane * 3);
  const order = colorOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const src = frame.data;
  for (let y = 0; y < nh; y++) {
    // bilinear sampling with half-pixel centres
    const fy = (y + 0.5 - padY) / sy - 0.5;
    const inY = y + 0.5 >= padY && (y + 0.5 - padY) / sy <= frame.height;
    const y0 = Math.max(0, Math.min(frame.height - 1, Math.floor(fy)));
    const y1 = Math.min(frame.height - 1, y0 + 1);
    const wy = Math.max(0, Math.min(1, fy - y0));
    for (let x = 0; x < nw; x++) {
      const fx = (x + 0.5 - padX) / sx - 0.5;
      const inside = inY && x + 0.5 >= padX && (x + 0.5 - padX) / sx <= frame.width;
      const x0 = Math.max(0, Math.min(frame.width - 1, Math.floor(fx)));
      const x1 = Math.min(frame.width - 1, x0 + 1);
      const wx = Math.max(0, Math.min(1, fx - x0));
      for (let c = 0; c < 3; c++) {
        const ch = order[c]!;
        let v = padValue;
        if (inside) {
          const a = src[(y0 * frame.width + x0) * 3 + ch]!;
          const b = src[(y0 * frame.width + x1) * 3 + ch]!;
          const d = src[(y1 * frame.width + x0) * 3 + ch]!;
          const e = src[(y1 * frame.width + x1) * 3 + ch]!;
          v = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy;
        }
        const value = (v - mean[c]!) * scale[c]!;
        if (layout === 'NCHW') out[c * plane + y * nw + x] = value;
        else out[(y * nw + x) * 3 + c] = value;
      }
    }
  }
  const dims = layout === 'NCHW' ? [1, 3, nh, nw] : [1, nh, nw, 3];
  return { dims, data: out, transform: { scaleX: sx, scaleY: sy, padX, padY } };
}

/** Draws box outlines into an RGB frame in place (for snapshots). */
export function drawBoxes(frame: RgbFrame, boxes: { x: number; y: number; w: number; h: number }[], color: [number, number, number] = [255, 40, 40], thickness = 2): void {
  const put = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= frame.width || y >= frame.height) return;
    const o = (y * frame.width + x) * 3;
    frame.data[o] = color[0];
    frame.data[o + 1] = color[1];
    frame.data[o + 2] = color[2];
  };
  for (const b of boxes) {
    const x0 = Math.round(b.x), y0 = Math.round(b.y), x1 = Math.round(b.x + b.w), y1 = Math.round(b.y + b.h);
    for (let t = 0; t < thickness; t++) {
      for (let x = x0; x <= x1; x++) {
        put(x, y0 + t);
        put(x, y1 - t);
      }
      for (let y = y0; y <= y1; y++) {
        put(x0 + t, y);
        put(x1 - t, y);
      }
    }
  }
}

/** Encodes an RGB frame to PNG with GStreamer's pngenc. */
export function encodePng(frame: RgbFrame): Buffer {
  const r = spawnSync('gst-launch-1.0', ['-q', 'fdsrc', 'fd=0', '!', 'rawvideoparse', `width=${frame.width}`, `height=${frame.height}`, 'format=rgb', 'framerate=1/1', '!', 'videoconvert', '!', 'pngenc', '!', 'fdsink', 'fd=1'], { input: frame.data, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`PNG encoding failed: ${r.stderr?.toString().trim() || r.error?.message}`);
  return r.stdout;
}
