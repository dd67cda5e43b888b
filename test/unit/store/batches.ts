// Synthetic engine batches for the store tests: `cameras` cameras, `objects` tracked objects each,
// moving across the frame; every `trackFrames` frames the objects leave and new tracks start.
import type { FrameObjects, MetadataBatch, TrackEvent } from '../../../main/api/engine-types.js';

export const t0 = Date.UTC(2026, 0, 15, 12, 0, 0);
export const labels = ['person', 'car', 'bicycle', 'dog'];

export interface SceneOptions {
  cameras: number;
  objects: number;
  fps?: number;
  trackFrames?: number;
  start?: number;
  /** Added to engine track ids (to mimic a restarted engine reusing ids, pass the same base). */
  trackBase?: number;
}

export function cameraName(i: number): string {
  return `cam-${i}`;
}

/** Batch for frame index `n` (one frame per camera). */
export function sceneBatch(n: number, o: SceneOptions): MetadataBatch {
  const fps = o.fps ?? 10;
  const trackFrames = o.trackFrames ?? 50;
  const time = (o.start ?? t0) + Math.round((n * 1000) / fps);
  const generation = Math.floor(n / trackFrames);
  const phase = n % trackFrames;
  const frames: FrameObjects[] = [];
  const events: TrackEvent[] = [];
  for (let c = 0; c < o.cameras; c++) {
    const camera = cameraName(c);
    const objects = [];
    for (let j = 0; j < o.objects; j++) {
      const track = (o.trackBase ?? 0) + generation * o.objects + j + 1;
      const label = labels[j % labels.length]!;
      const score = 0.5 + ((j * 7 + phase) % 50) / 100;
      const box: [number, number, number, number] = [10 + phase * 5 + j, 20 + j * 10, 40, 80];
      objects.push({ track, classId: j % labels.length, label, score, box, inferred: false });
      const best = { frame: n, time, score, box };
      if (phase === 0) events.push({ kind: 'start', camera, track, classId: j % labels.length, label, time, box, score, best });
      if (phase === trackFrames - 1) events.push({ kind: 'end', camera, track, classId: j % labels.length, label, time, box, score, best });
    }
    frames.push({ camera, frame: n, pts: n / fps, time, width: 1280, height: 720, objects });
  }
  return { frames, events };
}
