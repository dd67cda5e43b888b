// One frame through a manifest's model: fit, run, parse with the engine's own parsers (NMS included), map to source.
import type { ModelManifest } from '../api/model-types.js';
import type { NativeTensor } from '../engine/addon.js';
import type { FitTransform, RgbFrame } from './frames.js';

export interface FrameDetection {
  x: number;
  y: number;
  w: number;
  h: number;
  classId: number;
  score: number;
}

/** A frame fitted into a network input: the tensor and how to map boxes back to the frame. */
export interface FittedInput {
  dims: number[];
  data: Float32Array;
  transform: FitTransform;
}

export interface ModelsAddon {
  /** The engine's CPU letterbox (native/src/letterbox.h) of a packed RGB frame; inputJson is the manifest's "input" as JSON. */
  letterbox(inputJson: string, frame: RgbFrame): FittedInput;
  decodeDetections(parser: string, outputs: Record<string, NativeTensor>, params: Record<string, unknown>): FrameDetection[];
  runModelTimed(modelPath: string, inputs: Record<string, NativeTensor>, runs?: number): { outputs: Record<string, NativeTensor>; ms: number };
  runModelOnce(modelPath: string, inputs: Record<string, NativeTensor>): Record<string, NativeTensor>;
  /** The native registries (ParserKind, TrackerKind) by canonical name: main/api/registries.ts is tested against them. */
  parserNames(): string[];
  trackerNames(): string[];
}

/** Fits a frame into the manifest's network input with the engine's own letterbox, as the engine would feed it. */
export function fitInput(addon: Pick<ModelsAddon, 'letterbox'>, frame: RgbFrame, manifest: ModelManifest): FittedInput {
  return addon.letterbox(JSON.stringify(manifest.input), frame);
}

export function decodeParams(manifest: ModelManifest): Record<string, unknown> {
  return {
    numClasses: manifest.labels.length,
    netWidth: manifest.input.width,
    netHeight: manifest.input.height,
    scoreThreshold: manifest.thresholds.default.score,
    nmsIou: manifest.thresholds.default.nmsIou,
    topK: manifest.thresholds.default.topK,
    maxDetections: manifest.maxDetections,
    strides: manifest.parserOptions?.strides,
    regMax: manifest.parserOptions?.regMax,
    // by class id, as the engine reads them (native/src/manifest.cpp); unset fields inherit the defaults
    perClass: manifest.thresholds.perClass ? manifest.labels.map((l) => manifest.thresholds.perClass?.[l]) : undefined,
  };
}

export function toSource(d: FrameDetection, t: FitTransform, srcW: number, srcH: number): FrameDetection {
  const x0 = Math.max(0, (d.x - t.padX) / t.scaleX);
  const y0 = Math.max(0, (d.y - t.padY) / t.scaleY);
  const x1 = Math.min(srcW, (d.x + d.w - t.padX) / t.scaleX);
  const y1 = Math.min(srcH, (d.y + d.h - t.padY) / t.scaleY);
  return { ...d, x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) };
}
