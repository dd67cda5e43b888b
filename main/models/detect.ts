// One frame through a manifest's model: fit, run, decode with the native parsers, NMS, map to source.
import type { ModelManifest } from '../api/model-types.js';
import type { NativeTensor } from '../engine/addon.js';
import type { FitTransform } from './frames.js';

export interface FrameDetection {
  x: number;
  y: number;
  w: number;
  h: number;
  classId: number;
  score: number;
}

export interface ModelsAddon {
  decodeDetections(parser: string, outputs: Record<string, NativeTensor>, params: Record<string, unknown>): FrameDetection[];
  runModelTimed(modelPath: string, inputs: Record<string, NativeTensor>, runs?: number): { outputs: Record<string, NativeTensor>; ms: number };
  runModelOnce(modelPath: string, inputs: Record<string, NativeTensor>): Record<string, NativeTensor>;
}

export function decodeParams(manifest: ModelManifest): Record<string, unknown> {
  return {
    numClasses: manifest.labels.length,
    netWidth: manifest.input.width,
    netHeight: manifest.input.height,
    scoreThreshold: manifest.thresholds.default.score,
    strides: manifest.parserOptions?.strides,
    regMax: manifest.parserOptions?.regMax,
  };
}

function iou(a: FrameDetection, b: FrameDetection): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const inter = ix * iy;
  return inter > 0 ? inter / (a.w * a.h + b.w * b.h - inter) : 0;
}

/** Class-wise greedy NMS (the engine's native NMS does this in the pipeline; here for model checks). */
export function nms(dets: FrameDetection[], iouThreshold: number, topK: number, maxDetections: number): FrameDetection[] {
  const kept: FrameDetection[] = [];
  const perClass = new Map<number, number>();
  for (const d of [...dets].sort((a, b) => b.score - a.score)) {
    if ((perClass.get(d.classId) ?? 0) >= topK) continue;
    if (kept.some((k) => k.classId === d.classId && iou(k, d) > iouThreshold)) continue;
    kept.push(d);
    perClass.set(d.classId, (perClass.get(d.classId) ?? 0) + 1);
    if (kept.length >= maxDetections) break;
  }
  return kept;
}

export function toSource(d: FrameDetection, t: FitTransform, srcW: number, srcH: number): FrameDetection {
  const x0 = Math.max(0, (d.x - t.padX) / t.scaleX);
  const y0 = Math.max(0, (d.y - t.padY) / t.scaleY);
  const x1 = Math.min(srcW, (d.x + d.w - t.padX) / t.scaleX);
  const y1 = Math.min(srcH, (d.y + d.h - t.padY) / t.scaleY);
  return { ...d, x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) };
}
