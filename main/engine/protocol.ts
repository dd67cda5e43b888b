// Messages between the engine supervisor (main process) and the engine process.
import type { EngineInfo, EngineSettings, InferenceInfo, ProviderDemotion } from '../api/contract.js';
import type { EngineStreamStats, MetadataBatch, PreviewFrame, SegmentClosed, Snapshot } from '../api/engine-types.js';
import type { ModelManifest, NvinferImport, ParserName } from '../api/model-types.js';

export interface SourceSpec {
  id: string;
  /** With credentials: only the engine process sees this. */
  uri: string;
  loop: boolean;
  realtime: boolean;
  /** Frames per second sent to the detector (0 = all). */
  detectFps: number;
  /** Motion gating's sensitivity (1..100); 0: off, every due frame is inferred. */
  motionSensitivity: number;
  /** Model manifest path for this camera (null: the engine's default). */
  model: string | null;
  /** The camera's zones, lines and masks as JSON (JSON.stringify(camera.zones)); null when it has none. */
  analytics: string | null;
  /** Video recording of this camera (null: off). */
  record: SourceRecording | null;
}

/** What the engine needs to record a camera: segments go to `dir` (created if missing). */
export interface SourceRecording {
  /** Absolute folder of this camera's segments, inside the data folder's segments/. */
  dir: string;
  segmentSeconds: number;
}

export interface EngineSetup {
  settings: EngineSettings;
  /** Path of the default model's manifest; null runs decode + preview only. */
  defaultModel: string | null;
}

export interface EngineRequests {
  engineInfo: { params: Record<string, never>; result: EngineInfo };
  configure: { params: EngineSetup; result: { executionProvider: string | null; inference: InferenceInfo | null } };
  addSource: { params: SourceSpec; result: { added: true } };
  removeSource: { params: { id: string }; result: { removed: boolean } };
  /** Replaces one camera's zones live (SourceSpec.analytics), the camera and the others untouched; false when the camera is not open. */
  setAnalytics: { params: { id: string; analytics: string | null }; result: { applied: boolean } };
  /** The native analytics parser's verdict on zones (JSON): the number of regions, or an error naming the field ('zones[1].points ...'). */
  checkAnalytics: { params: { analytics: string }; result: { regions: number } };
  probe: { params: { uri: string; timeoutMs: number }; result: { width: number; height: number } };
  /** Reads a recorded MP4 (one a killed engine left open): its playable duration and stream. */
  probeSegment: { params: { path: string }; result: { durationMs: number; codec: string; width: number; height: number } };
  /** Model installs run here: validating a model means running it, and only this process runs native code. */
  addModel: {
    params: { path: string; name?: string; parser?: ParserName; labels?: string[]; overrides?: Partial<ModelManifest> };
    result: { manifest: ModelManifest; detections: number; notes: string[] };
  };
  importNvinfer: { params: { path: string; name?: string }; result: { manifest: ModelManifest; unhonoured: NvinferImport['unhonoured'] } };
}
export type EngineMethod = keyof EngineRequests;

export type ToEngine = { kind: 'request'; id: number; method: EngineMethod; params: unknown };

export type EngineEvent =
  | { kind: 'batch'; batch: MetadataBatch }
  | { kind: 'preview'; frame: PreviewFrame }
  | { kind: 'snapshot'; snapshot: Snapshot }
  | { kind: 'stats'; stats: EngineStreamStats[] }
  | { kind: 'source-error'; camera: string; message: string }
  /** The provider guard took a model off a GPU provider (sent once per model and engine process). */
  | { kind: 'demotion'; demotion: ProviderDemotion }
  | { kind: 'segment'; segment: SegmentClosed };

export type FromEngine =
  | { kind: 'ready'; info: EngineInfo }
  | { kind: 'fatal'; error: string; retry: boolean }
  | { kind: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; id: number; ok: false; error: string }
  | EngineEvent;
