// One frame through a manifest's model: fit, run, parse with the engine's own parsers (NMS included), map to source.
import type { ModelManifest } from '../api/model-types.js';
import type { FitTransform, FittedInput, FrameDetection, NativeAddon, RgbFrame } from '../addon/addon.js';

/** What model checks and installs need of the native addon (the engine's letterbox, parsers, one run). */
export type ModelAddon = Pick<NativeAddon, 'letterbox' | 'decodeDetections' | 'runModelOnce' | 'runModelTimed'>;

/** Fits a frame into the manifest's network input with the engine's own letterbox, as the engine would feed it. */
export function fitInput(addon: Pick<NativeAddon, 'letterbox'>, frame: RgbFrame, manifest: ModelManifest): FittedInput {
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
