// The review side of the API over main/store: maps stored rows to the contract's shapes.
import type {
  RecorderStatus,
  RecordingQuery,
  RecordingSegment,
  TimelineBucket,
  TimelineQuery,
  TrackDetail,
  TrackPathQuery,
  TrackPaths,
  TrackSearch,
  TrackSummary,
  ZoneEvent,
} from '../api/contract.js';
import { isZoneEventKind } from '../api/registries.js';
import type { Store } from '../store/index.js';
import type { StoredEvent, StoredTrack } from '../store/types.js';
import type { ReviewSource, ZoneNamer } from './review-source.js';
import { ApiError } from './services.js';

function summary(t: StoredTrack, zoneName: ZoneNamer): TrackSummary {
  return {
    id: String(t.id),
    camera: t.camera,
    label: t.label,
    firstSeen: t.firstTime,
    lastSeen: t.lastTime,
    bestScore: t.bestScore,
    snapshotUrl: t.snapshot ? `/media/${t.snapshot.path}` : null,
    zones: t.zones.map((id) => ({ id, name: zoneName(t.camera, id) ?? id })),
    bestBox: t.bestBox,
    engineTrack: t.engineTrack,
    ended: t.ended,
  };
}

/** A stored analytics event as the API shows it; null for the other rows (track start/end, camera on/off line). */
function zoneEvent(e: StoredEvent, zoneName: ZoneNamer): ZoneEvent | null {
  if (!isZoneEventKind(e.kind) || !e.zone) return null;
  return {
    id: String(e.id),
    camera: e.camera,
    zone: e.zone,
    zoneName: zoneName(e.camera, e.zone) ?? e.zone,
    kind: e.kind,
    direction: e.kind === 'cross' && (e.direction === 'in' || e.direction === 'out') ? e.direction : null,
    track: e.trackId === null ? null : String(e.trackId),
    label: e.label,
    t: e.time,
  };
}

function trackId(id: string): number {
  const n = Number(id);
  if (!Number.isInteger(n) || n <= 0) throw new ApiError('bad-request', `'${id}' is not a track id — open the track from the timeline or the review list`);
  return n;
}

/** What a failing database write means for the operator. */
export function writeFailure(error: string, since: number): string {
  const at = new Date(since).toLocaleTimeString();
  if (isDiskFull(error)) {
    return `The disk holding the recordings is full: recording is paused since ${at} (everything recorded before is kept, new detections wait in memory). Vigil deletes the oldest recordings to make room; free space on that disk or lower the retention size. (${error})`;
  }
  return `Recording is failing since ${at}: ${error}. Vigil keeps retrying; check that the data folder exists and is writable.`;
}

export function isDiskFull(error: string): boolean {
  return /SQLITE_FULL|disk is full|ENOSPC|no space left/i.test(error);
}

export function reviewOver(store: Store, usedBytes: () => number, zoneName: ZoneNamer = () => null): ReviewSource {
  const events = (list: StoredEvent[]) => list.map((e) => zoneEvent(e, zoneName)).filter((e): e is ZoneEvent => e !== null);
  return {
    async timeline(q: TimelineQuery): Promise<TimelineBucket[]> {
      const r = await store.queries.timeline(q);
      return r.buckets.map((b) => ({ camera: b.camera, label: b.label, t: b.start, count: b.detections }));
    },
    async searchTracks(q: TrackSearch): Promise<TrackSummary[]> {
      // Paging: after the previous page's last track (time and id: ties in time are common), or
      // without its id, strictly before its start time.
      const cursor = q.before !== undefined && q.beforeId !== undefined ? `${Math.trunc(q.before)}:${trackId(q.beforeId)}` : undefined;
      const to = q.before !== undefined && cursor === undefined ? Math.min(q.before - 1, q.to ?? Infinity) : q.to;
      const r = await store.queries.searchTracks({
        ...(q.cameras ? { cameras: q.cameras } : {}),
        ...(q.labels ? { labels: q.labels } : {}),
        ...(q.zone ? { zone: q.zone } : {}),
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(to !== undefined && Number.isFinite(to) ? { to } : {}),
        ...(q.minScore !== undefined ? { minScore: q.minScore } : {}),
        ...(q.minDurationMs !== undefined ? { minDurationMs: q.minDurationMs } : {}),
        ...(cursor !== undefined ? { cursor } : {}),
        limit: Math.min(Math.max(q.limit ?? 50, 1), 500),
      });
      return r.tracks.map((t) => summary(t, zoneName));
    },
    async track(id: string): Promise<TrackDetail | null> {
      const t = await store.queries.track(trackId(id));
      if (!t) return null;
      return { ...summary(t, zoneName), path: t.path.map((p) => ({ t: p.time, box: p.box, score: p.score })), frameSize: null };
    },
    async trackPaths(q: TrackPathQuery): Promise<TrackPaths> {
      // The store checks the window (BadQueryError: 'invalid' with its words).
      const r = await store.queries.trackPaths(q);
      return {
        tracks: r.tracks.map((t) => ({
          id: String(t.id),
          label: t.label,
          engineTrack: t.engineTrack,
          path: t.points.map((p) => ({ t: p.time, box: p.box, score: p.score })),
        })),
        truncated: r.truncated,
      };
    },
    async eventsAround(q): Promise<ZoneEvent[]> {
      return events(await store.queries.eventsAround({ time: q.t, windowMs: q.windowMs, ...(q.cameras ? { cameras: q.cameras } : {}) }));
    },
    async searchEvents(q): Promise<ZoneEvent[]> {
      return events(await store.queries.searchEvents(q));
    },
    async recordings(q: RecordingQuery): Promise<RecordingSegment[]> {
      if (q.to < q.from) throw new ApiError('bad-request', `recordings: 'to' (${q.to}) is before 'from' (${q.from}) — swap them`);
      const segments = await store.queries.segments({ from: q.from, to: q.to, cameras: [q.camera] });
      return segments.map((s) => ({
        id: String(s.id),
        camera: s.camera,
        start: s.start,
        end: s.end,
        startPts: s.startPts,
        url: `/media/${s.path}`,
        bytes: s.bytes,
        codec: s.codec,
        width: s.width,
        height: s.height,
      }));
    },
    recorderStatus(): RecorderStatus {
      const s = store.recorder.stats();
      return {
        queueDepth: s.queuedDetections,
        writtenPerSecond: s.detectionsPerSecond,
        thinnedDetections: s.thinnedDetections,
        rejectedBatches: s.batchesRejected,
        lastError: s.lastError
          ? writeFailure(s.lastError, s.failingSince ?? Date.now())
          : s.pressure
            ? 'the disk is not keeping up: some per-frame boxes are being thinned (tracks and events are all kept)'
            : null,
      };
    },
    bytesUsed: usedBytes,
  };
}
