// What the recorder's next transaction writes: the prepared batches, the queued box rows (grouped by
// track), the tracks, snapshots, cameras, engine runs and segments that changed. The recorder fills
// it; each flush takes it whole and puts it back in front when the transaction fails.
import type { BoxXYWH } from '../api/engine-types.js';

/** A track as the recorder follows it (one database row, written again whenever it changes). */
export interface TrackState {
  id: number;
  key: string;
  cameraId: number;
  engineTrack: number;
  label: string;
  classId: number;
  firstTime: number;
  lastTime: number;
  bestScore: number;
  bestTime: number;
  bestBox: BoxXYWH;
  ended: boolean;
  lastSlot: number;
  thinCounter: number;
  attributes: Record<string, string | number | boolean> | null;
}

/** One accepted batch: its sequence number, event and zone rows, and minute rollup counts. */
export interface PreparedBatch {
  seq: number;
  events: string[];
  zones: string[];
  rollup: Map<string, [number, number]>;
}

export interface SnapshotUpdate {
  trackId: number;
  path: string;
  bytes: number;
}

export interface QueuedWrites {
  batches: PreparedBatch[];
  detections: number;
  /** Box rows (JSON) per database track id. */
  rows: Map<number, string[]>;
  tracks: TrackState[];
  snapshots: SnapshotUpdate[];
  cameras: string[];
  runs: string[];
  segments: string[];
}

export class WriteQueue {
  pending: PreparedBatch[] = [];
  queuedDetections = 0;
  /** Queued boxes as JSON rows, per track: the transaction writes them grouped by track without sorting. */
  queuedRows = new Map<number, string[]>();
  dirtyTracks = new Set<TrackState>();
  snapshotUpdates: SnapshotUpdate[] = [];
  newCameras: string[] = [];
  newRuns: string[] = [];
  newSegments: string[] = [];

  /** Everything queued, for one transaction; the queue is empty afterwards. */
  take(): QueuedWrites {
    const taken: QueuedWrites = {
      batches: this.pending,
      detections: this.queuedDetections,
      rows: this.queuedRows,
      tracks: [...this.dirtyTracks],
      snapshots: this.snapshotUpdates,
      cameras: this.newCameras,
      runs: this.newRuns,
      segments: this.newSegments,
    };
    this.pending = [];
    this.queuedDetections = 0;
    this.queuedRows = new Map();
    this.dirtyTracks = new Set();
    this.snapshotUpdates = [];
    this.newCameras = [];
    this.newRuns = [];
    this.newSegments = [];
    return taken;
  }

  /** Puts a failed transaction's writes back in front of what was queued since. */
  putBack(taken: QueuedWrites): void {
    this.pending.unshift(...taken.batches);
    this.queuedDetections += taken.detections;
    const rows = taken.rows;
    for (const [id, later] of this.queuedRows) rows.set(id, [...(rows.get(id) ?? []), ...later]);
    this.queuedRows = rows;
    for (const t of taken.tracks) this.dirtyTracks.add(t);
    this.snapshotUpdates.unshift(...taken.snapshots);
    this.newCameras.unshift(...taken.cameras);
    this.newRuns.unshift(...taken.runs);
    this.newSegments.unshift(...taken.segments);
  }

  outstanding(): boolean {
    return (
      this.pending.length > 0 ||
      this.dirtyTracks.size > 0 ||
      this.snapshotUpdates.length > 0 ||
      this.newSegments.length > 0 ||
      this.newCameras.length > 0 ||
      this.newRuns.length > 0
    );
  }
}

const coord = 8192; // 13 bits per box field: boxes up to 8191 px

/** [x, y, w, h] → one integer (52 bits, exact in a JS number); queries unpack it with shifts. */
export function packBox(box: readonly number[]): number {
  const c = (v: number): number => Math.min(coord - 1, Math.max(0, Math.round(v)));
  return ((c(box[0]!) * coord + c(box[1]!)) * coord + c(box[2]!)) * coord + c(box[3]!);
}

export function trackKey(camera: string, track: number): string {
  return `${camera}\u0000${track}`;
}
