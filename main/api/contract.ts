// The typed contract between the renderer and the main process. Types only: the renderer imports
// main/api and nothing else from main/. Both transports (Electron IPC, HTTP + WebSocket) carry it.
import type { AnalyticsEvent, BoxXYWH, DetectedObject, StreamReason, StreamStats, TrackEvent, ZoneCounts } from './engine-types.js';
import type { ModelManifest, ModelProposal, NvinferImport, ParserName } from './model-types.js';
import type { CrossingDirection, MqttPayloadFormat, RecordMode, ReferencePoint, TrackerKind, ZoneDirection, ZoneEventKind, ZoneKind } from './registries.js';

export type { AnalyticsEvent, BoxXYWH, DetectedObject, StreamStats, TrackEvent, ZoneCounts } from './engine-types.js';
export type { CrossingDirection, ZoneEventKind } from './registries.js';
export type { ModelManifest, ModelProposal, NvinferImport, ParserName } from './model-types.js';

// ---------- system ----------
export interface EngineInfo {
  engineVersion: string;
  gstreamerVersion: string;
  onnxRuntimeVersion: string;
  executionProviders: string[];
  /** Providers a session can actually use here (CUDA/TensorRT only when their libraries are found). */
  providers: string[];
  hardwareDecoders: string[];
  nvdec: boolean;
  /** The NVIDIA GPU the driver lists (/proc/driver/nvidia), null when the machine has none: inference then runs on the CPU by design. */
  gpu: { name: string } | null;
}

export type EngineState = 'starting' | 'running' | 'restarting' | 'failed' | 'stopped';

export interface EngineStatus {
  state: EngineState;
  /** Present once the engine process has loaded the native addon. */
  info: EngineInfo | null;
  /** What went wrong and what to do, when state is 'failed' or 'restarting'. */
  error: string | null;
  restarts: number;
  pid: number | null;
  /** The execution provider inference actually runs on ('CPUExecutionProvider', 'CUDAExecutionProvider', ...). */
  executionProvider?: string | null;
  /** Inference details once the default model is loaded: why a preferred provider was not used, and
   * where frames are letterboxed ('cuda': GPU kernel, NVDEC frames never leave GPU memory). */
  inference?: InferenceInfo | null;
}

export interface InferenceInfo {
  /** Empty when the preferred provider runs; otherwise why inference fell back (shown as a warning). */
  providerNote: string;
  preprocess: 'cpu' | 'cuda';
  /** Why pre-processing is not on the GPU (empty on the CUDA path). */
  preprocessNote: string;
  /** Models the provider guard took off a GPU provider in this engine process (main/models/first-load-guard.ts). */
  demotions: ProviderDemotion[];
}

/** A model moved off a GPU execution provider because its session crashed or failed there (checked in a throwaway process). */
export interface ProviderDemotion {
  /** The model's name (its manifest's "name"). */
  model: string;
  /** The providers it no longer runs on, in ONNX Runtime's names ('CUDAExecutionProvider', ...), like executionProvider. */
  from: string[];
  /** The provider it is opened with now (the manifest's next one), in ONNX Runtime's names. */
  to: string;
  /** Op types of the model that the provider-unsafe table lists as crashing a provider in `from`. */
  unsafeOps: string[];
  /** What each probe saw, e.g. 'CUDAExecutionProvider: the probe process was killed by SIGABRT'. */
  reason: string;
}

export interface SystemInfo {
  app: { name: 'Vigil'; version: string; mode: 'desktop' | 'serve' };
  engine: EngineStatus;
}

export interface RecorderStatus {
  queueDepth: number;
  writtenPerSecond: number;
  thinnedDetections: number;
  rejectedBatches: number;
  lastError: string | null;
}

export interface SystemStatus {
  engine: EngineStatus;
  streams: StreamStats[];
  recorder: RecorderStatus | null;
  disk: { dataDir: string; usedBytes: number; freeBytes: number } | null;
  cpuPercent: number;
  /** Engine outages recorded since start (the supervisor restarted the engine). */
  gaps: { from: number; to: number | null; reason: string }[];
  /** The MQTT publisher (null where the node has none, e.g. a bare services test). */
  mqtt: MqttStatus | null;
}

// ---------- workspace ----------
/** Normalised (0..1) coordinates of the camera frame. */
export type Point = [number, number];

export interface Zone {
  /** Stable: events, counts and recorded tracks name the zone by its id, so renaming keeps its history. Unique per camera. */
  id: string;
  name: string;
  /** zone: counted area; line: crossings; mask: detections whose reference point is inside are dropped before tracking. */
  kind: ZoneKind;
  /** zone, mask: polygon (≥ 3 points); line: 2 points, crossing direction left→right of a→b counts as 'in'. */
  points: Point[];
  /** Only these labels count (empty: all). */
  labels: string[];
  /** Detections below this score do not count (default 0). */
  minScore?: number;
  /** Consecutive frames inside (outside) before an object enters (exits) a zone (default 3). */
  inertiaFrames?: number;
  /** Lines: 'in' | 'out' | 'any' crossings count; zones: only objects moving left/right/up/down enter (default 'any'). */
  direction?: ZoneDirection;
  /** The point of each object's box that is judged (default 'bottom-center'). */
  referencePoint?: ReferencePoint;
  /** Zones: occupancy ≥ this for crowdSeconds starts a 'crowded' event, below it for crowdSeconds ends it (0: off). */
  crowdThreshold?: number;
  crowdSeconds?: number;
  /** Zones: an object inside this long gives a 'dwell' event (0: off). */
  dwellSeconds?: number;
}

export interface RecordPolicy {
  /** Record detections at most this often per track (Hz); 0 = every frame. */
  detectionsHz: number;
  snapshots: boolean;
  /** Video: 'off', 'continuous' (every segment kept), 'events' (only segments overlapping an event ± the rolls). */
  mode: RecordMode;
  /** Length of a video segment (cut at the next keyframe after it), seconds. */
  segmentSeconds: number;
  /** Events mode: video kept before / after each track or zone event, seconds. */
  preRollSeconds: number;
  postRollSeconds: number;
  /** Events mode: only tracks of these labels keep video (empty: every label); zone events always do. */
  eventLabels: string[];
  /** This camera's video is deleted when older than this (days) or, oldest first, beyond this size (GiB); 0: only the global retention applies. */
  maxAgeDays: number;
  maxGigabytes: number;
}

/**
 * Motion gating (Frigate's idea): while the camera's picture is still, frames are not sent to the
 * detector and the tracker carries the objects; inference resumes when motion appears anywhere in the
 * frame. `sensitivity` is 1..100 (MOTION_LIMITS in registries.ts): higher reacts to smaller, fainter changes.
 */
export interface MotionGating {
  enabled: boolean;
  sensitivity: number;
}

/** A camera as the renderer sees it: credentials are never included. */
export interface CameraView {
  id: string;
  name: string;
  /** The URI with any password replaced by '***'. */
  uri: string;
  enabled: boolean;
  /** Frames per second sent to the detector (0 = every decoded frame). */
  detectFps: number;
  /** Skip inference while the picture is still (off by default). */
  motion: MotionGating;
  model: string | null;
  record: RecordPolicy;
  /** Zones, lines and masks (kind 'mask': polygons where detections are ignored). */
  zones: Zone[];
}

export interface CameraInput {
  name: string;
  uri: string;
  enabled?: boolean;
  detectFps?: number;
  motion?: Partial<MotionGating>;
  model?: string | null;
  record?: Partial<RecordPolicy>;
  zones?: Zone[];
}

export type { TrackerKind } from './registries.js';

export interface EngineSettings {
  tracker: TrackerKind;
  batchSize: number;
  batchedPushTimeoutMs: number;
  /** Infer every Nth frame (DeepStream `interval` + 1); the tracker carries objects between. */
  inferEvery: number;
  preview: { width: number; fps: number };
}

export interface RetentionSettings {
  maxAgeDays: number;
  maxGigabytes: number;
}

export type { MqttPayloadFormat } from './registries.js';

/** Publishing events to an MQTT broker (docs/MQTT.md). The password is kept apart, sealed like camera passwords. */
export interface MqttSettings {
  /** Off: nothing is sent (the URL may still be set). */
  enabled: boolean;
  /** mqtt://[user@]host[:port] or mqtts://…; empty while none is set. Never holds the password. */
  url: string;
  /** The first level of every topic (default 'vigil'). */
  topicPrefix: string;
  /** The event payload: Vigil's JSON or DeepStream nvmsgconv's full schema. */
  format: MqttPayloadFormat;
}

/** What settings.update takes: a URL with user:password@ has its password moved to the secret store. */
export interface MqttSettingsInput extends Partial<MqttSettings> {
  /** A new broker password; null removes it; absent keeps it. */
  password?: string | null;
}

/** What the renderer sees: the URL shows a stored password as '***'. */
export interface MqttSettingsView extends MqttSettings {
  hasPassword: boolean;
}

/** The publisher's state, for the System page. */
export interface MqttStatus {
  state: 'off' | 'connecting' | 'connected' | 'waiting';
  /** The broker URL without the password. */
  broker: string | null;
  /** Messages the broker acknowledged (QoS 1) since start. */
  published: number;
  /** Messages sent and not yet acknowledged by the broker (at most 64). */
  inFlight: number;
  /** Event messages waiting for the broker, and the most it holds (the oldest go first past that). */
  backlog: number;
  backlogLimit: number;
  /** Event messages dropped because the backlog was full, since start. */
  dropped: number;
  /** Why the last connection ended or failed (null: never). */
  lastError: string | null;
  /** While waiting: when the next attempt is, ms since the epoch. */
  retryAt: number | null;
}

export interface ModelSummary {
  name: string;
  title: string;
  parser: string;
  input: { width: number; height: number };
  labels: string[];
  isDefault: boolean;
  /** Set when the provider guard took the model off a GPU provider (at install or at first load): what, and why. */
  providerNote?: string;
}

export interface WorkspaceView {
  version: number;
  cameras: CameraView[];
  models: ModelSummary[];
  defaultModel: string | null;
  engine: EngineSettings;
  retention: RetentionSettings;
  mqtt: MqttSettingsView;
}

// ---------- review ----------
// Snapshots and other media are fetched by URL (`/media/<relative path>`) on both transports.
/** Timeline range and zoom: the recorder's own query shape. */
export interface TimelineQuery {
  /** Start; a multiple of bucketMs (as a timeline view snaps it) lets the query use 5-minute or hour rollups. */
  from: number;
  to: number;
  /** Bucket width, ms; rounded up to whole minutes (the stored resolution). */
  bucketMs: number;
  cameras?: string[];
  labels?: string[];
}

export interface TimelineBucket {
  camera: string;
  label: string;
  /** Bucket start, ms since the epoch. */
  t: number;
  count: number;
}

export interface TrackSearch {
  cameras?: string[];
  labels?: string[];
  /** A zone or line id; zone ids are unique per camera only, so it needs exactly one camera in `cameras`. */
  zone?: string;
  from?: number;
  to?: number;
  minScore?: number;
  /** Only tracks seen for at least this long (ms). */
  minDurationMs?: number;
  /** Page backwards in time: tracks that started before this time. */
  before?: number;
  /** With `before`: the id of the previous page's last track, so tracks that started in the same
   * millisecond as it (several objects appearing in one frame) are neither skipped nor repeated. */
  beforeId?: string;
  limit?: number;
}

export interface TrackSummary {
  id: string;
  camera: string;
  label: string;
  firstSeen: number;
  lastSeen: number;
  bestScore: number;
  /** URL path of the best snapshot (with boxes drawn), or null. */
  snapshotUrl: string | null;
  /** The zones it entered and the lines it crossed. */
  zones: ZoneRef[];
  /** The best sighting's box, source pixels: what the snapshot shows (thumbnails crop to it). */
  bestBox: BoxXYWH;
  /** The engine's id of the track on its camera (the `track` of live objects and track events). */
  engineTrack: number;
  /** False while the tracker still follows the object (no snapshot yet: the live preview shows it). */
  ended: boolean;
}

/** A zone or line as events and tracks name it: its stable id and its current name (the id when the
 * zone has since been deleted from the camera). */
export interface ZoneRef {
  id: string;
  name: string;
}

export interface TrackDetail extends TrackSummary {
  /** The box path, in source pixels, for overlays in playback. */
  path: { t: number; box: BoxXYWH; score: number }[];
  frameSize: { width: number; height: number } | null;
}

/**
 * One recorded video segment (a fragmented MP4, H.264 or H.265, starting at media time 0).
 * One clock: the frame at media time t (seconds) of this file was decoded at wall time
 * `start + t * 1000` ms, and its stream timestamp (FrameObjects.pts) is `startPts + t`; stored boxes
 * carry wall time, so the box of wall time w is drawn at media time (w - start) / 1000.
 */
export interface RecordingSegment {
  id: string;
  camera: string;
  /** Wall time of the first frame and of the end of the last one, ms since the epoch. */
  start: number;
  end: number;
  /** Stream time (the engine's pts, seconds) of the first frame. */
  startPts: number;
  /** `/media/segments/...`: answers Range requests with 206. */
  url: string;
  bytes: number;
  codec: string;
  width: number;
  height: number;
}

/** `recordings.export`: one MP4 per camera of [from, to]; the files land in the record's exports/ folder. */
export interface ExportRequest {
  cameras: string[];
  from: number;
  to: number;
  /** Burn each frame's stored boxes and labels in (re-encoded with x264; slower). Default false: stream copy. */
  boxes?: boolean;
}

export interface ExportedFile {
  camera: string;
  /** `/media/exports/<job>/<file>.mp4`: download or play it (Range requests answered with 206). */
  url: string;
  bytes: number;
  durationMs: number;
  frames: number;
}

export interface ExportJob {
  job: string;
  state: 'running' | 'done' | 'failed';
  /** 0..1 over all cameras. */
  progress: number;
  files: ExportedFile[];
  /** Cameras without recorded video in the range. */
  skipped: string[];
  error?: string;
  /** When done: the files are deleted after this time (ms since the epoch); download them before. */
  keptUntil?: number;
}

/** tracks.paths: the stored boxes of one camera within a time window (at most 10 minutes). */
export interface TrackPathQuery {
  camera: string;
  from: number;
  to: number;
}

/** One track's stored boxes within the asked window (wall times, source pixels). */
export interface TrackPath {
  id: string;
  label: string;
  /** The engine's id of the track on its camera. */
  engineTrack: number;
  path: { t: number; box: BoxXYWH; score: number }[];
}

export interface TrackPaths {
  tracks: TrackPath[];
  /** True when the window held more boxes than one answer carries (200,000): ask for a shorter one. */
  truncated: boolean;
}

export interface RecordingQuery {
  camera: string;
  from: number;
  to: number;
}

/** A recorded analytics event (the live ones are the 'zones.events' stream's AnalyticsEvent). */
export interface ZoneEvent {
  /** The record's id (paging: `beforeId`). */
  id: string;
  camera: string;
  /** The zone's or line's id. */
  zone: string;
  /** Its current name (the id when the zone has since been deleted). */
  zoneName: string;
  kind: ZoneEventKind;
  /** cross: 'in' (left→right of the line's a→b) or 'out'; otherwise null. */
  direction: CrossingDirection | null;
  /** The recorded track (tracks.get), null for a zone's crowded / crowd-end. */
  track: string | null;
  label: string | null;
  t: number;
}

/** events.search: recorded analytics events, newest first (timeline markers, review). */
export interface EventSearch {
  cameras?: string[];
  /** Zone / line ids of one camera (ids are unique per camera only): needs exactly one camera in `cameras`. */
  zones?: string[];
  kinds?: ZoneEventKind[];
  from?: number;
  to?: number;
  /** At most this many (default 200, at most 1000). */
  limit?: number;
  /** Page backwards in time: events before this time ... */
  before?: number;
  /** ... and, with `before`, the previous page's last event id, so events of the same millisecond are neither skipped nor repeated. */
  beforeId?: string;
}

// ---------- requests ----------
/** Request methods: name → params and result. */
export interface ApiRequests {
  'system.info': { params: Record<string, never>; result: SystemInfo };
  'system.status': { params: Record<string, never>; result: SystemStatus };
  'workspace.get': { params: Record<string, never>; result: WorkspaceView };
  /** Tests the source first and refuses it with the test's error, unless `force` (add anyway; the engine keeps retrying). */
  'cameras.add': { params: CameraInput & { force?: boolean }; result: CameraView };
  'cameras.update': { params: { id: string; patch: Partial<CameraInput> }; result: CameraView };
  'cameras.remove': { params: { id: string }; result: { removed: true } };
  /** Opens the URI briefly and reports what it found: for the add-camera dialog. */
  'cameras.test': { params: { uri: string }; result: SourceTestResult };
  'settings.update': {
    params: { engine?: Partial<EngineSettings>; retention?: Partial<RetentionSettings>; defaultModel?: string; mqtt?: MqttSettingsInput };
    result: WorkspaceView;
  };
  'models.list': { params: Record<string, never>; result: ModelSummary[] };
  /** Reads an ONNX file (a path on the Vigil node) and proposes a manifest: the add-model dialog's first step. */
  'models.inspect': { params: { path: string; name?: string }; result: ModelProposal };
  /** Installs the ONNX file with the operator's corrections, after running one frame through it. */
  'models.add': {
    params: { path: string; name?: string; parser?: ParserName; labels?: string[]; overrides?: Partial<ModelManifest> };
    result: { model: ModelSummary; detections: number; notes: string[] };
  };
  /** Imports a DeepStream nvinfer config file; keys Vigil cannot honour are listed. */
  'models.importNvinfer': { params: { path: string; name?: string }; result: { model: ModelSummary; unhonoured: NvinferImport['unhonoured'] } };
  'timeline.buckets': { params: TimelineQuery; result: TimelineBucket[] };
  /** Tracks filtered by `zone` (a zone or line id) are those that entered the zone or crossed the line. */
  'tracks.search': { params: TrackSearch; result: TrackSummary[] };
  'tracks.get': { params: { id: string }; result: TrackDetail };
  /** Every stored box of a camera's tracks within [from, to] (≤ 10 min), grouped by track: playback overlays. */
  'tracks.paths': { params: TrackPathQuery; result: TrackPaths };
  /** Analytics events within ±windowMs of t, in time order. */
  'events.around': { params: { t: number; windowMs: number; cameras?: string[] }; result: ZoneEvent[] };
  'events.search': { params: EventSearch; result: ZoneEvent[] };
  'engine.restart': { params: Record<string, never>; result: EngineStatus };
  /** The camera's video segments overlapping [from, to], oldest first. */
  'recordings.list': { params: RecordingQuery; result: RecordingSegment[] };
  /** Starts an export of recorded video (stream copy, or with the boxes burnt in); poll `exports.status`. */
  'recordings.export': { params: ExportRequest; result: ExportJob };
  'exports.status': { params: { job: string }; result: ExportJob };
}

// ---------- streams ----------
/** A preview frame with the objects of the same frame, so frames and boxes draw in sync. */
export interface PreviewFrameMessage {
  camera: string;
  frame: number;
  time: number;
  /** The source frame's size, which the boxes' pixels refer to (the JPEG itself may be smaller). */
  width: number;
  height: number;
  objects: DetectedObject[];
  /** The camera's zone and line counts after the same frame as `objects` (absent when the camera has no zones or lines). */
  counts?: ZoneCounts[];
  /** JPEG bytes (over WebSocket: the binary part of the message). */
  jpeg: Uint8Array;
}

/** Server-pushed streams: topic → payload. 'preview' is per camera (subscribe with a camera id). */
export interface ApiStreams {
  'engine.status': EngineStatus;
  'streams.stats': StreamStats[];
  'tracks.events': TrackEvent[];
  /** Analytics events as they happen, one message per engine batch that had any (track: the engine's id, as in tracks.events). */
  'zones.events': AnalyticsEvent[];
  'workspace.changed': WorkspaceView;
  preview: PreviewFrameMessage;
}

export type ApiMethod = keyof ApiRequests;
export type ApiParams<M extends ApiMethod> = ApiRequests[M]['params'];
export type ApiResult<M extends ApiMethod> = ApiRequests[M]['result'];
export type ApiTopic = keyof ApiStreams;

export interface ApiErrorBody {
  /** Stable machine-readable code: 'engine-unavailable', 'bad-request', 'invalid', 'not-found', 'unauthorized', 'internal'. */
  code: string;
  /** Words an operator can act on. */
  message: string;
  /** For 'invalid': the field at fault, e.g. 'cameras[2].uri'. */
  field?: string;
  /** The technical detail behind the message (e.g. the engine's own text), for a disclosure. */
  detail?: string;
}

/** What a connection test found; a failure in the operators' words (error) with the engine's or OS's text apart (detail). */
export interface SourceTestResult {
  ok: boolean;
  width?: number;
  height?: number;
  /** For the operator: what is wrong and what to do. */
  error?: string;
  reason?: StreamReason;
  /** The technical detail behind `error` (the engine's own text), for a disclosure. */
  detail?: string;
}

export type ApiReply<M extends ApiMethod> = { ok: true; result: ApiResult<M> } | { ok: false; error: ApiErrorBody };

/**
 * WebSocket wire format (`/api/v1/ws`):
 *  client → server text: {type:'call', id, method, params} | {type:'subscribe'|'unsubscribe', topic, camera?}
 *  server → client text: {type:'reply', id, ok, result|error} | {type:'event', topic, payload}
 *  server → client binary (previews): 4-byte little-endian header length, JSON header
 *    (PreviewFrameMessage without jpeg, plus topic:'preview'), then the JPEG bytes.
 */
export type WsClientMessage =
  { type: 'call'; id: number; method: ApiMethod; params: unknown } | { type: 'subscribe' | 'unsubscribe'; topic: ApiTopic; camera?: string };

/** The bridge the Electron preload script exposes as `window.vigil`. */
export interface VigilBridge {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiReply<M>>;
  subscribe<T extends ApiTopic>(topic: T, listener: (payload: ApiStreams[T]) => void, camera?: string): () => void;
  /** Opens a file dialog; the API may then open the picked file (models.inspect/add/importNvinfer). */
  pickModelFile(kind: 'onnx' | 'nvinfer'): Promise<string | null>;
}
