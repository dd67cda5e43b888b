// The recorder's book of cameras and tracks: database ids for camera names and for the engine's
// track ids (per camera and engine run), the tracks being followed, and snapshots that arrived
// before their track's first metadata. Changes go to the write queue.
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { trackKey, type PreparedBatch, type SnapshotUpdate, type TrackState, type WriteQueue } from './recorder-queue.js';
import type { ZoneEventKind } from '../api/registries.js';
import type { RecorderBatch } from './types.js';

const endedTrackGraceMs = 60_000;
const staleTrackMs = 300_000;
/** Analytics events that put their zone or line in the track's zones (review's zone filter). */
const ZONE_VISITS: ReadonlySet<ZoneEventKind> = new Set<ZoneEventKind>(['enter', 'cross', 'dwell']);

export class TrackBook {
  private readonly cameras = new Map<string, number>();
  private nextCameraId: number;
  readonly tracks = new Map<string, TrackState>();
  /** The next database track id (a snapshot that overtakes its metadata reserves one). */
  nextTrackId: number;
  readonly waitingSnapshots = new Map<string, SnapshotUpdate & { time: number }>();
  /** The newest frame time seen: ended and quiet tracks are forgotten relative to it. */
  latestTime = 0;
  private flushesSincePrune = 0;

  constructor(
    private readonly queue: WriteQueue,
    private readonly dataDir: string,
    init: { cameras: Map<string, number>; nextTrackId: number },
  ) {
    for (const [name, id] of init.cameras) this.cameras.set(name, id);
    this.nextCameraId = Math.max(0, ...init.cameras.values()) + 1;
    this.nextTrackId = init.nextTrackId;
  }

  cameraId(name: string): number {
    let id = this.cameras.get(name);
    if (id === undefined) {
      id = this.nextCameraId++;
      this.cameras.set(name, id);
      this.queue.newCameras.push(JSON.stringify([id, name, Date.now()]));
    }
    return id;
  }

  track(camera: string, cameraId: number, engineTrack: number, label: string, classId: number, time: number, prepared: PreparedBatch): TrackState {
    const key = trackKey(camera, engineTrack);
    let t = this.tracks.get(key);
    if (t) return t;
    const waiting = this.waitingSnapshots.get(key);
    t = {
      id: waiting?.trackId ?? this.nextTrackId++,
      key,
      cameraId,
      engineTrack,
      label,
      classId,
      firstTime: time,
      lastTime: time,
      bestScore: -1,
      bestTime: time,
      bestBox: [0, 0, 0, 0],
      ended: false,
      lastSlot: -1,
      thinCounter: 0,
      attributes: null,
    };
    if (waiting) {
      this.waitingSnapshots.delete(key);
      this.queue.snapshotUpdates.push(waiting);
    }
    this.tracks.set(key, t);
    this.queue.dirtyTracks.add(t);
    countRollup(prepared, time, cameraId, label, 0, 1);
    return t;
  }

  /** The engine restarted: its track ids start over, so every open track ends. */
  endAll(): void {
    for (const t of this.tracks.values()) {
      if (!t.ended) {
        t.ended = true;
        this.queue.dirtyTracks.add(t);
      }
    }
    this.tracks.clear();
    this.waitingSnapshots.clear();
  }

  /** Forgets ended tracks (after a grace period for late snapshots) and tracks the engine went quiet on. */
  prune(): void {
    if (++this.flushesSincePrune < 20) return;
    this.flushesSincePrune = 0;
    for (const [key, t] of this.tracks) {
      const idle = this.latestTime - t.lastTime;
      if (t.ended && idle > endedTrackGraceMs) this.tracks.delete(key);
      else if (!t.ended && idle > staleTrackMs) {
        t.ended = true;
        this.queue.dirtyTracks.add(t);
        this.tracks.delete(key);
      }
    }
    for (const [key, s] of this.waitingSnapshots) {
      if (this.latestTime - s.time > staleTrackMs) {
        this.waitingSnapshots.delete(key);
        void unlink(join(this.dataDir, s.path)).catch(() => undefined);
      }
    }
  }
  /** Folds a batch's track events (start, end, best), zone events and attributes into the tracks and
   * the prepared batch; every track touched is added to `dirty` (written with the transaction). */
  foldEvents(batch: RecorderBatch, prepared: PreparedBatch, dirty: Set<TrackState>): void {
    for (const e of batch.events) {
      const cameraId = this.cameraId(e.camera);
      const t = this.track(e.camera, cameraId, e.track, e.label, e.classId, e.time, prepared);
      if (e.time > t.lastTime) t.lastTime = e.time;
      if (e.best.score >= t.bestScore) {
        t.bestScore = e.best.score;
        t.bestTime = e.best.time;
        t.bestBox = e.best.box;
      }
      if (e.kind === 'start') prepared.events.push(eventRow(e.time, cameraId, t.id, 'track-start'));
      if (e.kind === 'end') {
        t.ended = true;
        prepared.events.push(eventRow(e.time, cameraId, t.id, 'track-end'));
      }
      dirty.add(t);
    }

    for (const z of batch.analytics ?? []) {
      const cameraId = this.cameraId(z.camera);
      const t = z.track === null ? undefined : this.tracks.get(trackKey(z.camera, z.track));
      prepared.events.push(eventRow(z.time, cameraId, t?.id ?? null, z.kind, z.zone, z.direction, null, z.label));
      if (t && ZONE_VISITS.has(z.kind)) prepared.zones.push(JSON.stringify([z.zone, t.id]));
    }

    for (const a of batch.attributes ?? []) {
      const t = this.tracks.get(trackKey(a.camera, a.track));
      if (!t) continue;
      t.attributes = { ...(t.attributes ?? {}), ...a.attributes };
      dirty.add(t);
    }
  }
}

/** One events row, in the column order of recorder-sql.ts's insert. */
export function eventRow(
  time: number,
  cameraId: number,
  trackId: number | null,
  kind: string,
  zone: string | null = null,
  direction: string | null = null,
  detail: string | null = null,
  label: string | null = null,
): string {
  return JSON.stringify([Math.round(time), cameraId, trackId, kind, zone, direction, detail, label]);
}

export function countRollup(prepared: PreparedBatch, time: number, cameraId: number, label: string, detections: number, tracks: number): void {
  const key = `${Math.floor(time / 60_000)}\u0000${cameraId}\u0000${label}`;
  const c = prepared.rollup.get(key);
  if (c) {
    c[0] += detections;
    c[1] += tracks;
  } else prepared.rollup.set(key, [detections, tracks]);
}
