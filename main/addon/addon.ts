// The native addon, typed once: everything native/binding/addon.cpp exports, and its loader. Only the engine
// process (and the model tools it runs: the provider probe, `vigil models`) load it: native code never
// runs in the main process.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { EngineInfo } from '../api/contract.js';
import type { TrackerKind } from '../api/registries.js';
import type { EngineStreamStats, MetadataBatch, PreviewFrame, SegmentClosed, Snapshot } from '../api/engine-types.js';
import { projectRoot } from '../paths.js';

export interface NativeTensor {
  dims: number[];
  data: Float32Array;
}

/** A packed RGB frame: row-major, 3 bytes per pixel. */
export interface RgbFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** How a frame was fitted into a network input: network pixels per source pixel, then the padding. */
export interface FitTransform {
  scaleX: number;
  scaleY: number;
  padX: number;
  padY: number;
}

/** A frame fitted into a network input: the tensor and how to map boxes back to the frame. */
export interface FittedInput {
  dims: number[];
  data: Float32Array;
  transform: FitTransform;
}

/** One detection in network-input pixels, as the engine's parsers (NMS included) return it. */
export interface FrameDetection {
  x: number;
  y: number;
  w: number;
  h: number;
  classId: number;
  score: number;
}

/** Pipeline settings (DeepStream names in brackets). */
export interface EngineConfig {
  /** Manifest path, or a model name under resources/models (or VIGIL_MODELS). */
  model: string;
  /** [nvstreammux batch-size] frames per inference run, across sources. Default 4. */
  batchSize?: number;
  /** [nvstreammux batched-push-timeout] a partial batch goes once its oldest frame waited this long, ms. Default 40. */
  batchedPushTimeoutMs?: number;
  /** Frames a live camera may have waiting before its oldest is dropped as stale; 0 (default): 3 on the GPU path, 2 on the CPU. */
  liveQueueDepth?: number;
  /** GPU path: a partial batch also goes as soon as no session run is in flight (lower latency, more GPU time). Default false. */
  pushWhenIdle?: boolean;
  /** Session runs in flight at once; 0 (default): 2 on the CUDA device path, else 1. */
  inferenceRuns?: number;
  /** [nvinfer interval] frames skipped between inferences; the tracker carries objects. Default 0. */
  interval?: number;
  tracker?: TrackerKind;
  /** Preview JPEGs per second per camera; 0 (default) for none. */
  previewFps?: number;
  /** Preview size; 0 keeps the source width / aspect. Default 640 x (aspect). */
  previewWidth?: number;
  previewHeight?: number;
  /** Snapshot JPEG (box drawn) of each ended track's best frame. Default true. */
  snapshots?: boolean;
  /** onStats period, ms; 0 for none. Default 1000. */
  statsIntervalMs?: number;
  /** ONNX Runtime intra-op threads; 0 (default) lets it choose. */
  intraOpThreads?: number;
  /** Execution provider preference, e.g. ['cuda', 'cpu']; default: the manifest's. */
  providers?: string[];
}

export interface SourceOptions {
  /** Files: start again at the end. */
  loop?: boolean;
  /** Files: play at the stream's rate (stale frames dropped) instead of as fast as possible. */
  realtime?: boolean;
  /** RTSP transport. */
  transport?: 'tcp' | 'udp';
  /** Deliver every Nth decoded frame [drop-frame-interval]. */
  frameInterval?: number;
  /** At most this many frames per second (stream time) go to the detector; the others are tracked only. 0 (default): all. */
  detectFps?: number;
  /**
   * Motion gating: frames due for the detector are skipped while the camera is still (the tracker carries
   * its objects); the sensitivity, 1..100 (MOTION_LIMITS). 0 (default): off.
   */
  motionSensitivity?: number;
  /** Live sources: reconnect attempts in a row before giving up; -1 (default) forever. */
  maxRetries?: number;
  /** The camera's zones, lines and masks from its first frame: JSON.stringify(camera.zones). */
  analytics?: string;
  /** Record the compressed stream into fragmented MP4 segments in `dir` (absolute; created if missing). */
  record?: { dir: string; segmentSeconds?: number; fragmentMs?: number } | null;
}

/** Stats as the native engine reports them: EngineStreamStats plus running totals. */
export interface NativeStreamStats extends EngineStreamStats {
  framesDecoded: number;
  framesProcessed: number;
  framesInferred: number;
  /** Frames due for the detector that motion gating skipped (still camera). */
  framesGated: number;
}

/** MetadataBatch frames also carry the decode → metadata latency. */
export type NativeMetadataBatch = MetadataBatch & { frames: Array<MetadataBatch['frames'][number] & { latencyMs: number }> };

export interface EngineCallbacks {
  onBatch?(batch: NativeMetadataBatch): void;
  onPreview?(frame: PreviewFrame): void;
  onSnapshot?(snapshot: Snapshot): void;
  onStats?(stats: NativeStreamStats[]): void;
  onSourceError?(error: { camera: string; message: string }): void;
  /** A recorded camera closed a segment (SourceOptions.record). */
  onSegment?(segment: SegmentClosed): void;
}

/** The native pipeline. Throws (with the model and the fix named) when the model cannot be used. */
export interface NativeEngineInstance {
  /** A bad URI is reported through onSourceError, never thrown; a duplicate id throws. */
  addSource(id: string, uri: string, options?: SourceOptions): void;
  /** Ends the camera's tracks (end events, snapshots) and stops its pipeline; false when unknown. */
  removeSource(id: string): boolean;
  /**
   * Replaces one camera's zones live (JSON.stringify(camera.zones); null: none), the others untouched;
   * false when the camera is unknown. Throws naming the field when the zones are bad.
   */
  setAnalytics(id: string, zones: string | null): boolean;
  stats(): NativeStreamStats[];
  /** Stops every pipeline; no callback runs after the queued ones. */
  stop(): void;
  info(): { model: string; provider: string; providerNote: string; batchSize: number; preprocess: 'cpu' | 'cuda'; preprocessNote: string; labels: string[] };
}

export interface NativeAddon {
  engineInfo(): EngineInfo;
  runModelOnce(modelPath: string, inputs: Record<string, NativeTensor>): Record<string, NativeTensor>;
  runModelTimed(modelPath: string, inputs: Record<string, NativeTensor>, runs?: number): { outputs: Record<string, NativeTensor>; ms: number };
  /** The engine's CPU letterbox (native/src/letterbox.h) of a packed RGB frame into a network input; inputJson is a manifest's "input" as JSON. */
  letterbox(inputJson: string, frame: RgbFrame): FittedInput;
  /** The engine's parser `parser` on raw model outputs, NMS included. */
  decodeDetections(parser: string, outputs: Record<string, NativeTensor>, params: Record<string, unknown>): FrameDetection[];
  /** The native registries (ParserKind, TrackerKind) by canonical name: main/api/registries.ts is tested against them. */
  parserNames(): string[];
  trackerNames(): string[];
  /** The native analytics parser's verdict on a camera's zones (JSON): the number of regions, or it throws naming the field. */
  checkAnalytics(zonesJson: string): number;
  /** The native motion sensitivity range and default (native/src/motion/motion.h): MOTION_LIMITS is tested against it. */
  motionSensitivityRange(): { min: number; max: number; default: number };
  Engine: new (config: EngineConfig, callbacks?: EngineCallbacks) => NativeEngineInstance;
  /** Opens a URI until its first frame: the add-camera connection test. Rejects with the reason. */
  probe(uri: string, timeoutMs?: number): Promise<{ width: number; height: number }>;
  /** Reads a recorded MP4 to its end (demux only): how long it plays. Rejects when nothing in it plays. */
  probeRecording(path: string): Promise<{ durationMs: number; codec: string; width: number; height: number }>;
}

/**
 * The one place the two names of the detection rate meet: the workspace and the API say `inferEvery`
 * (infer every Nth frame, 1 = every frame); the engine says DeepStream's `interval` (frames skipped
 * between inferences, so `inferEvery - 1`).
 */
export function engineInterval(inferEvery: number): number {
  return Math.max(0, inferEvery - 1);
}

/** A DeepStream `interval` (as an nvinfer config gives it) as the workspace's `inferEvery`. */
export function inferEveryOf(interval: number): number {
  return interval + 1;
}

export function addonPath(): string {
  return process.env.VIGIL_ADDON ?? join(projectRoot(), 'native', 'build', 'vigil_engine.node');
}

export class AddonLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddonLoadError';
  }
}

export function loadAddon(): NativeAddon {
  const path = addonPath();
  if (!existsSync(path)) {
    throw new AddonLoadError(`native engine not found at ${path} — run 'npm start' or 'npm test' once to build it`);
  }
  try {
    return createRequire(import.meta.url)(path) as NativeAddon;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new AddonLoadError(`native engine at ${path} could not be loaded (${why}) — rebuild it with 'npm start', and check that GStreamer is installed`);
  }
}
