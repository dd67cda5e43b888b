// What the engine reports, once per batch: shared by the engine process, the recorder and the
// renderer (live overlay). Types only. Boxes are [x, y, w, h] in source pixels.
import type { CrossingDirection, ZoneEventKind } from './registries.js';

export type BoxXYWH = [number, number, number, number];

export interface DetectedObject {
  /** Stable id from the tracker, unique per camera for the engine's lifetime. */
  track: number;
  classId: number;
  label: string;
  score: number;
  box: BoxXYWH;
  /** false when the tracker carried the object on a frame the detector skipped (interval). */
  inferred: boolean;
}

export interface FrameObjects {
  camera: string;
  /** Per-camera frame sequence number (the preview JPEG with the same number shows this frame). */
  frame: number;
  /** Presentation time within the stream, seconds. */
  pts: number;
  /** Wall-clock time the frame was captured/decoded, ms since the epoch. */
  time: number;
  width: number;
  height: number;
  objects: DetectedObject[];
  /** Every zone's and line's counts after this frame (only when the camera has analytics). */
  counts?: ZoneCounts[];
}

/** The analytics stage's events (native/src/analytics): one per zone/line and object (crowded, crowd-end: per zone).
 * The kinds are main/api/registries.ts ZONE_EVENT_KINDS. */
export interface AnalyticsEvent {
  camera: string;
  /** The zone's or line's id. */
  zone: string;
  kind: ZoneEventKind;
  /** The engine's track id (as in TrackEvent); null for a zone's crowded / crowd-end. */
  track: number | null;
  label: string | null;
  /** cross: 'in' (left→right of the line's a→b) or 'out'. */
  direction: CrossingDirection | null;
  /** The frame's wall-clock time, ms since the epoch, and its stream time, seconds. */
  time: number;
  pts: number;
}

export interface ZoneCounts {
  zone: string;
  kind: 'zone' | 'line';
  /** zone: objects inside now; line: crossings so far per direction. */
  inside: number;
  in: number;
  out: number;
  crowded: boolean;
  labels: { label: string; inside: number; in: number; out: number }[];
}

export type TrackEventKind = 'start' | 'update' | 'end';

export interface TrackEvent {
  kind: TrackEventKind;
  camera: string;
  track: number;
  classId: number;
  label: string;
  time: number;
  box: BoxXYWH;
  score: number;
  /** Best (highest-score) sighting so far; the snapshot shows this frame. */
  best: { frame: number; time: number; score: number; box: BoxXYWH };
}

/** One batch of metadata from the engine (crosses into JavaScript once per batch). */
export interface MetadataBatch {
  frames: FrameObjects[];
  events: TrackEvent[];
  /** Analytics events that happened in this batch's frames (the addon always sets it). */
  analytics?: AnalyticsEvent[];
}

/** Per camera, as the engine process reports it. */
export interface EngineStreamStats {
  camera: string;
  state: 'connecting' | 'live' | 'reconnecting' | 'ended' | 'error';
  /** The engine's own text for the last problem (technical detail, credentials masked). */
  error: string | null;
  decodeFps: number;
  inferFps: number;
  droppedFrames: number;
  /** Decode → metadata out, ms (p50 over the last window). */
  latencyMs: number;
  /**
   * Motion gating: the share (0..1) of the frames due for the detector that were skipped because the
   * picture was still, since the camera started; 0 without motion gating.
   */
  inferencesSaved: number;
}

/**
 * Why a camera is not delivering video, as a code the UI and scripts can act on (main/engine/source-errors.ts
 * maps the engine's and the OS's errors to these, with a sentence for the operator).
 */
export type StreamReason =
  | 'auth-failed'
  | 'connection-refused'
  | 'host-not-found'
  | 'unreachable'
  | 'not-found'
  | 'unsupported-scheme'
  | 'stalled'
  | 'disconnected'
  | 'no-decoder'
  | 'no-video'
  | 'bad-media'
  | 'source-error';

export interface StreamStats extends EngineStreamStats {
  /** Null while the camera delivers video. */
  reason: StreamReason | null;
  /** For the operator: what is wrong and what to do, in plain words (null when fine). */
  advice: string | null;
  /** When the engine tries to reconnect next (ms since the epoch), while reconnecting. */
  retryAt: number | null;
}

export interface PreviewFrame {
  camera: string;
  frame: number;
  width: number;
  height: number;
  jpeg: Uint8Array;
}

export interface Snapshot {
  camera: string;
  track: number;
  frame: number;
  time: number;
  /** JPEG with the boxes drawn (OSD). */
  jpeg: Uint8Array;
}

/** A closed segment as the engine reports it (times: see RecordingSegment in main/api/contract.ts). */
export interface SegmentClosed {
  camera: string;
  /** Absolute path of the MP4 file. */
  path: string;
  start: number;
  end: number;
  startPts: number;
  bytes: number;
  codec: string;
  width: number;
  height: number;
  /** True when the source was not H.264/H.265 and the engine encoded it. */
  encoded: boolean;
}
