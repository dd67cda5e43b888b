// Decoded RGB frames for model checks: reads a video through GStreamer (gst-launch). Fitting a frame
// into a network input is the engine's own letterbox (fitInput in detect.ts, through the addon).
import { spawn, spawnSync } from 'node:child_process';
import type { RgbFrame } from '../addon/addon.js';

/** Yields frames of `path` as RGB at the given size (GStreamer scales when it differs from the source). */
export async function* readVideoFrames(
  path: string,
  width: number,
  height: number,
  options: { maxFrames?: number; every?: number } = {},
): AsyncGenerator<RgbFrame & { index: number }> {
  const args = [
    '-q',
    'filesrc',
    `location=${path}`,
    '!',
    'decodebin',
    '!',
    'videoconvert',
    '!',
    'videoscale',
    '!',
    `video/x-raw,format=RGB,width=${width},height=${height}`,
    '!',
    'fdsink',
    'fd=1',
  ];
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
    if (index === 0)
      throw new Error(
        `video '${path}' gave no frames (${stderr.trim() || 'gst-launch-1.0 printed nothing'}) — check the path and that GStreamer can decode it`,
      );
  } finally {
    child.kill();
  }
}

/** Draws box outlines into an RGB frame in place (for snapshots). */
export function drawBoxes(
  frame: RgbFrame,
  boxes: { x: number; y: number; w: number; h: number }[],
  color: [number, number, number] = [255, 40, 40],
  thickness = 2,
): void {
  const put = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= frame.width || y >= frame.height) return;
    const o = (y * frame.width + x) * 3;
    frame.data[o] = color[0];
    frame.data[o + 1] = color[1];
    frame.data[o + 2] = color[2];
  };
  for (const b of boxes) {
    const x0 = Math.round(b.x),
      y0 = Math.round(b.y),
      x1 = Math.round(b.x + b.w),
      y1 = Math.round(b.y + b.h);
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
  const r = spawnSync(
    'gst-launch-1.0',
    [
      '-q',
      'fdsrc',
      'fd=0',
      '!',
      'rawvideoparse',
      `width=${frame.width}`,
      `height=${frame.height}`,
      'format=rgb',
      'framerate=1/1',
      '!',
      'videoconvert',
      '!',
      'pngenc',
      '!',
      'fdsink',
      'fd=1',
    ],
    { input: frame.data, maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.status !== 0) throw new Error(`PNG encoding failed: ${r.stderr?.toString().trim() || r.error?.message}`);
  return r.stdout;
}
