// What the engine reports, once per batch: shared by the engine process, the recorder and the
// renderer (live overlay). Types only. Boxes are [x, y, w, h] in source pixels.

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
}

export interface StreamStats {
  camera: string;
  state: 'connecting' | 'live' | 'reconnecting' | 'ended' | 'error';
  error: string | null;
  decodeFps: number;
  inferFps: number;
  droppedFrames: number;
  /** Decode → metadata out, ms (p50 over the last window). */
  latencyMs: number;
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
