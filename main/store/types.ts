// What the recorder stores and the review queries return, inside main/store: the renderer sees these
// rows only as the contract's shapes (main/api/contract.ts), mapped by main/core/review-adapter.ts.
// Types only. Times are ms since the epoch; boxes are [x, y, w, h] in source pixels (stored rounded
// to whole pixels).

import type { EventSearch, TrackSearch } from '../api/contract.js';
import type { BoxXYWH, MetadataBatch } from '../api/engine-types.js';
import type { ZoneEventKind } from '../api/registries.js';

/** Per-track attributes (for example from a secondary classifier: colour, make). */
export interface TrackAttributesInput {
  camera: string;
  track: number;
  attributes: Record<string, string | number | boolean>;
}

/** What `recorder.write` accepts: the engine's batch (its `analytics` events included) plus optional attributes. */
export interface RecorderBatch extends MetadataBatch {
  attributes?: TrackAttributesInput[];
}

/** How often a camera's per-frame boxes are recorded: every frame, or at most `hz` per track. */
export interface CameraRecordingPolicy {
  /** 'every-frame', or boxes per second per track (0.1 ... 60). Tracks and events are always kept. */
  detectionsHz: 'every-frame' | number;
}

export interface RecorderOptions {
  /** Flush at least this often, ms (default 250). */
  maxDelayMs?: number;
  /** Flush as soon as this many detection rows are queued (default 20 000). */
  batchDetections?: number;
  /** Hard bound on queued detection rows; above half of it the recorder thins (default 400 000). */
  maxQueuedDetections?: number;
  log?: (line: string) => void;
}

export interface CommitInfo {
  /** Every batch with a sequence number up to this one is on disk. */
  seq: number;
  detections: number;
  /** Transaction time (on SQLite's thread with the sqlite3 binding). */
  ms: number;
  /** Main-thread time spent building the transaction's statements (in slices of about 8 000 boxes). */
  prepareMs: number;
}

export interface WriteReceipt {
  ok: boolean;
  /** Sequence number of the accepted batch (0 when rejected). */
  seq: number;
  error?: string;
}

export interface RecorderStats {
  /** Batches accepted since the store opened. */
  batchesAccepted: number;
  /** Malformed batches rejected (each logged with the reason). */
  batchesRejected: number;
  /** Highest batch sequence number that is committed to disk. */
  committedSeq: number;
  /** Detection rows waiting to be written (queued, not yet in a transaction). */
  queuedDetections: number;
  /** Detections dropped under back-pressure because the disk could not keep up. */
  thinnedDetections: number;
  /** Current thinning stride: 1 = nothing dropped, n = one in n boxes per track kept. */
  thinningStride: number;
  /** Detection rows committed per second, over the last few seconds. */
  detectionsPerSecond: number;
  /** Total detection rows committed since the store opened. */
  detectionsCommitted: number;
  /** Duration of the last write transaction, ms. */
  lastCommitMs: number;
  /** True while the recorder is thinning detections because the disk is behind. */
  pressure: boolean;
  /** While writes fail (disk full, folder gone): since when (ms since the epoch); null when writing. */
  failingSince: number | null;
  /** The failing write's error (null when writing). Nothing queued is dropped meanwhile (beyond thinning). */
  lastError: string | null;
}

export interface StoredTimelineBucket {
  camera: string;
  label: string;
  /** Bucket start (from + k * bucketMs). */
  start: number;
  /** Object sightings (one per object per frame, before the recording rate applies). */
  detections: number;
  /** Tracks that started in this bucket. */
  tracks: number;
}

export interface TimelineResult {
  from: number;
  to: number;
  /** The bucket width actually used. */
  bucketMs: number;
  buckets: StoredTimelineBucket[];
}

/** The review's track search (the contract's filters, one definition) with the store's own paging:
 * an opaque cursor instead of the API's `before`/`beforeId` (mapped in main/core/review-adapter.ts). */
export type TrackSearchQuery = Omit<TrackSearch, 'before' | 'beforeId'> & {
  /** Paging: pass the previous result's `nextCursor` to get the next (older) page. */
  cursor?: string;
};

export interface TrackSnapshotRef {
  /** Path relative to the data directory. */
  path: string;
  bytes: number;
}

export interface StoredTrack {
  /** Stable database id (survives engine restarts). */
  id: number;
  camera: string;
  label: string;
  /** The engine's id for the track in the run that saw it. */
  engineTrack: number;
  firstTime: number;
  lastTime: number;
  bestScore: number;
  bestTime: number;
  bestBox: BoxXYWH;
  snapshot: TrackSnapshotRef | null;
  zones: string[];
  attributes: Record<string, string | number | boolean>;
  /** False while the track is still being followed. */
  ended: boolean;
}

export interface TrackSearchResult {
  tracks: StoredTrack[];
  /** Present when there may be more (older) tracks. */
  nextCursor: string | null;
}

export interface TrackPathPoint {
  time: number;
  box: BoxXYWH;
  score: number;
}

export interface StoredTrackDetail extends StoredTrack {
  /** Recorded boxes in time order (at the camera's recording rate) for playback overlays. */
  path: TrackPathPoint[];
  events: StoredEvent[];
}

/** An event row's kind: a track's start and end, a camera going off and on line, or an analytics event
 * (main/api/registries.ts ZONE_EVENT_KINDS: the engine's names, kept as they are). */
export type StoredEventKind = 'track-start' | 'track-end' | 'camera-offline' | 'camera-online' | ZoneEventKind;

export interface StoredEvent {
  id: number;
  kind: StoredEventKind;
  camera: string;
  time: number;
  /** Database track id, when the event belongs to a track. */
  trackId: number | null;
  label: string | null;
  /** Analytics events: the zone's or line's id. */
  zone: string | null;
  direction: string | null;
  detail: Record<string, string | number | boolean> | null;
}

export interface EventsAroundQuery {
  time: number;
  /** Half-width of the window, ms (default 60 000). */
  windowMs?: number;
  cameras?: string[];
  kinds?: StoredEventKind[];
  /** Maximum events returned (default 200, at most 1000), nearest to `time` first kept. */
  limit?: number;
}

/** The store's analytics event search: the contract's filters, one definition. */
export type EventSearchQuery = EventSearch;

export interface SegmentInput {
  camera: string;
  /** Wall time of the first frame and of the end, ms since the epoch. */
  start: number;
  end: number;
  /** Absolute path inside the data directory, or relative to it. */
  path: string;
  bytes: number;
  /** Stream time (engine pts, seconds) of the first frame; 0 when unknown (a segment found after a crash). */
  startPts?: number;
  codec?: string;
  width?: number;
  height?: number;
  /** Events mode: the segment waits for the events pruner's decision (kept or deleted). */
  pendingEvents?: boolean;
}

export interface StoredSegment {
  id: number;
  camera: string;
  start: number;
  end: number;
  /** Relative to the data directory. */
  path: string;
  bytes: number;
  startPts: number;
  codec: string;
  width: number;
  height: number;
}

export interface RetentionPolicy {
  /** Delete everything older than this many days. */
  maxAgeDays?: number;
  /** Delete the oldest data until database + snapshots + segments fit in this many bytes. */
  maxBytes?: number;
}

export interface RetentionResult {
  tracksDeleted: number;
  detectionsDeleted: number;
  segmentsDeleted: number;
  filesDeleted: number;
  /** Database + media bytes after the run. */
  bytesAfter: number;
  batches: number;
}

export interface StorageUsage {
  databaseBytes: number;
  /** The write-ahead log beside the database (disk in use until a checkpoint truncates it). */
  walBytes: number;
  snapshotBytes: number;
  segmentBytes: number;
  totalBytes: number;
}
