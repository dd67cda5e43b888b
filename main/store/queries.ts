// Review queries, on their own read-only connection (WAL lets them run beside the writer). Every
// value is a bound parameter; lists are passed as one JSON parameter and expanded with json_each.

import { stat } from 'node:fs/promises';
import type { BoxXYWH } from '../api/engine-types.js';
import type {
  EventSearchQuery,
  EventsAroundQuery,
  StoredEvent,
  StoredSegment,
  StorageUsage,
  TimelineResult,
  StoredTrackDetail,
  TrackSearchQuery,
  TrackSearchResult,
  StoredTrack,
} from './types.js';
import type { TimelineQuery } from '../api/contract.js';
import type { SqlDriver, SqlValue } from './driver.js';
import { trackPaths, type StoredTrackPath } from './path-queries.js';
import {
  BadQueryError,
  eventColumns,
  eventFrom,
  eventsAround,
  requireTime,
  requireZoneCamera,
  searchEvents,
  stringList,
  toEvent,
  type EventRow,
} from './event-queries.js';

export { BadQueryError } from './event-queries.js';

const minuteMs = 60_000;
const fiveMinMs = 300_000;
const hourMs = 3_600_000;

interface TrackRow {
  id: number;
  camera: string;
  label: string;
  engine_track: number;
  first_time: number;
  last_time: number;
  best_score: number;
  best_time: number;
  best_box: string;
  snapshot_path: string | null;
  snapshot_bytes: number;
  attributes: string | null;
  ended: number;
  zones: string | null;
}

const trackColumns = `t.id, c.name AS camera, t.label, t.engine_track, t.first_time, t.last_time, t.best_score, t.best_time, t.best_box,
  t.snapshot_path, t.snapshot_bytes, t.attributes, t.ended,
  (SELECT group_concat(z.zone, char(31)) FROM track_zones z INDEXED BY track_zones_by_track WHERE z.track_id = t.id) AS zones`;

function toSummary(r: TrackRow): StoredTrack {
  return {
    id: r.id,
    camera: r.camera,
    label: r.label,
    engineTrack: r.engine_track,
    firstTime: r.first_time,
    lastTime: r.last_time,
    bestScore: r.best_score,
    bestTime: r.best_time,
    bestBox: JSON.parse(r.best_box) as BoxXYWH,
    snapshot: r.snapshot_path ? { path: r.snapshot_path, bytes: r.snapshot_bytes } : null,
    zones: r.zones ? r.zones.split('\u001f').sort() : [],
    attributes: r.attributes ? (JSON.parse(r.attributes) as StoredTrack['attributes']) : {},
    ended: r.ended !== 0,
  };
}

export class StoreQueries {
  /** `file`: the database file, whose write-ahead log counts in usage(). */
  constructor(
    private readonly db: SqlDriver,
    private readonly file?: string,
  ) {}

  /** Counts by camera × label × bucket over [from, to); buckets are whole minutes. */
  async timeline(q: TimelineQuery): Promise<TimelineResult> {
    const from0 = requireTime('timeline: from', q.from);
    const to = requireTime('timeline: to', q.to);
    if (to <= from0) throw new BadQueryError(`timeline: 'to' (${to}) must be after 'from' (${from0})`);
    if (typeof q.bucketMs !== 'number' || !(q.bucketMs > 0))
      throw new BadQueryError(`timeline: bucketMs must be a positive number of ms, got ${String(q.bucketMs)}`);
    const bucketMs = Math.ceil(q.bucketMs / minuteMs) * minuteMs;
    if ((to - from0) / bucketMs > 100_000)
      throw new BadQueryError(`timeline: ${Math.ceil((to - from0) / bucketMs)} buckets asked for; use a wider bucketMs (at most 100 000 buckets)`);
    const from = Math.floor(from0 / minuteMs) * minuteMs;
    // Whole 5-minute or hour slots come from the coarse rollup (few rows); slots cut by a bucket
    // boundary or by the range's ends come from the minute rollup, so any start is exact.
    // Hours only when the start is on the hour too: otherwise every bucket cuts an hour slot (60 minute rows each).
    const coarse =
      bucketMs % hourMs === 0 && from % hourMs === 0
        ? { unit: hourMs, table: 'timeline_hour', col: 'hour' }
        : bucketMs % fiveMinMs === 0
          ? { unit: fiveMinMs, table: 'timeline_5min', col: 'five' }
          : null;
    const fine: [number, number][] = [];
    const addFine = (a: number, b: number): void => {
      const last = fine[fine.length - 1];
      if (last && last[1] === a) last[1] = b;
      else fine.push([a, b]);
    };
    const endMinute = Math.ceil(to / minuteMs);
    if (coarse) {
      const u = coarse.unit;
      for (let a = Math.floor(from / u) * u; a < to; a += u) {
        const whole = a >= from && a + u <= to && ((a - from) % bucketMs) + u <= bucketMs;
        if (!whole) addFine(Math.max(a, from) / minuteMs, Math.min(Math.ceil((a + u) / minuteMs), endMinute));
      }
    } else addFine(from / minuteMs, endMinute);

    let filter = '';
    const filterParams: SqlValue[] = [];
    const cams = stringList('timeline: cameras', q.cameras);
    if (cams !== null) {
      filter += ' AND r.camera_id IN (SELECT id FROM cameras WHERE name IN (SELECT value FROM json_each(?)))';
      filterParams.push(cams);
    }
    const labels = stringList('timeline: labels', q.labels);
    if (labels !== null) {
      filter += ' AND r.label IN (SELECT value FROM json_each(?))';
      filterParams.push(labels);
    }
    const parts: string[] = [];
    const params: SqlValue[] = [];
    if (coarse) {
      const u = coarse.unit;
      parts.push(`SELECT r.camera_id, r.label, CAST((r.${coarse.col} * ? - ?) / ? AS INTEGER) AS k, r.detections AS d, r.tracks AS t
          FROM ${coarse.table} r WHERE r.${coarse.col} >= ? AND r.${coarse.col} < ? AND (r.${coarse.col} * ? - ?) % ? <= ?${filter}`);
      params.push(u, from, bucketMs, Math.ceil(from / u), Math.floor(to / u), u, from, bucketMs, bucketMs - u, ...filterParams);
    }
    if (fine.length > 0) {
      parts.push(`SELECT r.camera_id, r.label, CAST((r.minute * ? - ?) / ? AS INTEGER) AS k, r.detections AS d, r.tracks AS t
          FROM json_each(?) j JOIN timeline_minute r ON r.minute >= j.value->>0 AND r.minute < j.value->>1 WHERE true${filter}`);
      params.push(minuteMs, from, bucketMs, JSON.stringify(fine), ...filterParams);
    }
    const rows = await this.db.query<{ camera_id: number; label: string; k: number; detections: number; tracks: number }>(
      `SELECT s.camera_id, s.label, s.k, sum(s.d) AS detections, sum(s.t) AS tracks
         FROM (${parts.join(' UNION ALL ')}) s GROUP BY s.camera_id, s.label, s.k`,
      params,
    );
    // Camera names and the final order in JS: cheaper than a join and a second sort in SQL.
    const names = await this.cameraNames(rows.map((r) => r.camera_id));
    const buckets = rows.map((r) => ({
      camera: names.get(r.camera_id) ?? `camera ${r.camera_id}`,
      label: r.label,
      start: from + r.k * bucketMs,
      detections: r.detections,
      tracks: r.tracks,
    }));
    buckets.sort(
      (a, b) => a.start - b.start || (a.camera < b.camera ? -1 : a.camera > b.camera ? 1 : 0) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0),
    );
    return {
      from,
      to,
      bucketMs,
      buckets,
    };
  }

  /** Tracks that started in [from, to], newest first, a page at a time. */
  async searchTracks(q: TrackSearchQuery): Promise<TrackSearchResult> {
    const limit = q.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new BadQueryError(`searchTracks: limit must be 1 ... 500, got ${String(q.limit)}`);
    const conds: string[] = [];
    const params: SqlValue[] = [];
    if (q.from !== undefined) {
      conds.push('t.first_time >= ?');
      params.push(requireTime('searchTracks: from', q.from));
    }
    if (q.to !== undefined) {
      conds.push('t.first_time <= ?');
      params.push(requireTime('searchTracks: to', q.to));
    }
    if (q.cursor !== undefined && q.cursor !== null) {
      const m = /^(\d+):(\d+)$/.exec(String(q.cursor));
      if (!m) throw new BadQueryError(`searchTracks: cursor ${JSON.stringify(q.cursor)} is not one this store handed out — start again without a cursor`);
      // The first term bounds the index range; the second breaks ties between tracks that started in the same ms.
      conds.push('t.first_time <= ? AND (t.first_time < ? OR t.id < ?)');
      params.push(Number(m[1]), Number(m[1]), Number(m[2]));
    }
    if (q.zone !== undefined) {
      if (typeof q.zone !== 'string') throw new BadQueryError(`searchTracks: zone must be a zone name, got ${JSON.stringify(q.zone)}`);
      requireZoneCamera('searchTracks: zone', q.cameras);
      conds.push('EXISTS (SELECT 1 FROM track_zones z WHERE z.zone = ? AND z.track_id = t.id)');
      params.push(q.zone);
    }
    if (q.minScore !== undefined) {
      if (typeof q.minScore !== 'number' || !Number.isFinite(q.minScore))
        throw new BadQueryError(`searchTracks: minScore must be a number 0 ... 1, got ${String(q.minScore)}`);
      conds.push('t.best_score >= ?');
      params.push(q.minScore);
    }
    if (q.minDurationMs !== undefined) {
      if (typeof q.minDurationMs !== 'number' || !(q.minDurationMs >= 0))
        throw new BadQueryError(`searchTracks: minDurationMs must be a number of ms ≥ 0, got ${String(q.minDurationMs)}`);
      conds.push('t.last_time - t.first_time >= ?');
      params.push(q.minDurationMs);
    }
    const cams = stringList('searchTracks: cameras', q.cameras);
    const labels = stringList('searchTracks: labels', q.labels);
    const cameraIds =
      cams === null
        ? null
        : (await this.db.query<{ id: number }>('SELECT id FROM cameras WHERE name IN (SELECT value FROM json_each(?)) ORDER BY id', [cams])).map((r) => r.id);
    const labelList = labels === null ? null : [...new Set(JSON.parse(labels) as string[])];
    if ((cameraIds !== null && cameraIds.length === 0) || (labelList !== null && labelList.length === 0)) return { tracks: [], nextCursor: null };

    // One newest-first index walk per camera × label, each stopping at the page size; merged by time.
    const parts: { sql: string; params: SqlValue[] }[] = [];
    const combos = (cameraIds ?? [null]).flatMap((c) => (labelList ?? [null]).map((l) => [c, l] as const));
    const common = conds.length > 0 ? ` AND ${conds.join(' AND ')}` : '';
    if (combos.length <= 64) {
      for (const [camera, label] of combos) {
        const index =
          camera !== null && label !== null
            ? 'tracks_by_camera_label_time'
            : camera !== null
              ? 'tracks_by_camera_time'
              : label !== null
                ? 'tracks_by_label_time'
                : 'tracks_by_time';
        const where = [...(camera !== null ? ['t.camera_id = ?'] : []), ...(label !== null ? ['t.label = ?'] : [])];
        parts.push({
          sql: `SELECT * FROM (SELECT t.id, t.first_time FROM tracks t INDEXED BY ${index} WHERE ${where.length > 0 ? where.join(' AND ') : 'true'}${common} ORDER BY t.first_time DESC, t.id DESC LIMIT ?)`,
          params: [...(camera !== null ? [camera] : []), ...(label !== null ? [label] : []), ...params, limit + 1],
        });
      }
    } else {
      parts.push({
        sql: `SELECT * FROM (SELECT t.id, t.first_time FROM tracks t INDEXED BY tracks_by_time
                WHERE t.camera_id IN (SELECT value FROM json_each(?)) AND t.label IN (SELECT value FROM json_each(?))${common}
                ORDER BY t.first_time DESC, t.id DESC LIMIT ?)`,
        params: [JSON.stringify(cameraIds), JSON.stringify(labelList), ...params, limit + 1],
      });
    }
    const rows = await this.db.query<TrackRow>(
      `SELECT ${trackColumns} FROM (
         SELECT id, first_time FROM (${parts.map((p) => p.sql).join(' UNION ALL ')}) ORDER BY first_time DESC, id DESC LIMIT ?
       ) page JOIN tracks t ON t.id = page.id JOIN cameras c ON c.id = t.camera_id
       ORDER BY t.first_time DESC, t.id DESC`,
      [...parts.flatMap((p) => p.params), limit + 1],
    );
    const more = rows.length > limit;
    const page = rows.slice(0, limit).map(toSummary);
    const last = page[page.length - 1];
    return { tracks: page, nextCursor: more && last ? `${last.firstTime}:${last.id}` : null };
  }

  /** One track with its recorded box path and events; null when it does not exist (or was deleted). */
  async track(id: number): Promise<StoredTrackDetail | null> {
    if (!Number.isSafeInteger(id)) throw new BadQueryError(`track: id must be an integer, got ${String(id)}`);
    const [row] = await this.db.query<TrackRow>(`SELECT ${trackColumns} FROM tracks t JOIN cameras c ON c.id = t.camera_id WHERE t.id = ?`, [id]);
    if (!row) return null;
    const summary = toSummary(row);
    const points = await this.db.query<{ dt: number; x: number; y: number; w: number; h: number; score: number }>(
      'SELECT dt, box >> 39 AS x, (box >> 26) & 8191 AS y, (box >> 13) & 8191 AS w, box & 8191 AS h, score FROM detections WHERE track_id = ? ORDER BY dt',
      [id],
    );
    const events = await this.db.query<EventRow>(`SELECT ${eventColumns} FROM ${eventFrom} WHERE e.track_id = ? ORDER BY e.time, e.id`, [id]);
    return {
      ...summary,
      path: points.map((p) => ({ time: summary.firstTime + p.dt, box: [p.x, p.y, p.w, p.h], score: p.score / 1000 })),
      events: events.map(toEvent),
    };
  }

  /** Events within ±windowMs of `time`, the nearest kept when there are more than `limit`; in time order. */
  eventsAround(q: EventsAroundQuery): Promise<StoredEvent[]> {
    return eventsAround(this.db, q);
  }

  /** Analytics events matching the filters, newest first (events.search). */
  searchEvents(q: EventSearchQuery): Promise<StoredEvent[]> {
    return searchEvents(this.db, q);
  }

  /** The stored boxes of a camera's tracks within [from, to] (playback overlays), by track. */
  trackPaths(q: { camera: string; from: number; to: number }): Promise<{ tracks: StoredTrackPath[]; truncated: boolean }> {
    return trackPaths(this.db, q);
  }

  /** Recording segments overlapping [from, to] (for playback), oldest first. */
  async segments(q: { from: number; to: number; cameras?: string[] }): Promise<StoredSegment[]> {
    const params: SqlValue[] = [requireTime('segments: to', q.to), requireTime('segments: from', q.from)];
    let where = '';
    const cams = stringList('segments: cameras', q.cameras);
    if (cams !== null) {
      where = ' AND s.camera_id IN (SELECT id FROM cameras WHERE name IN (SELECT value FROM json_each(?)))';
      params.push(cams);
    }
    const rows = await this.db.query<{
      id: number;
      camera: string;
      start_time: number;
      end_time: number;
      path: string;
      bytes: number;
      start_pts: number;
      codec: string;
      width: number;
      height: number;
    }>(
      `SELECT s.id, c.name AS camera, s.start_time, s.end_time, s.path, s.bytes, s.start_pts, s.codec, s.width, s.height
         FROM segments s JOIN cameras c ON c.id = s.camera_id
        WHERE s.start_time <= ? AND s.end_time >= ?${where} ORDER BY s.start_time, s.id`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      camera: r.camera,
      start: r.start_time,
      end: r.end_time,
      path: r.path,
      bytes: r.bytes,
      startPts: r.start_pts,
      codec: r.codec,
      width: r.width,
      height: r.height,
    }));
  }

  private readonly cameraNameCache = new Map<number, string>();

  /** id → name, reloading the (small) camera table when an id is new. */
  private async cameraNames(ids: number[]): Promise<Map<number, string>> {
    if (ids.some((id) => !this.cameraNameCache.has(id))) {
      for (const r of await this.db.query<{ id: number; name: string }>('SELECT id, name FROM cameras')) this.cameraNameCache.set(r.id, r.name);
    }
    return this.cameraNameCache;
  }

  async cameras(): Promise<string[]> {
    return (await this.db.query<{ name: string }>('SELECT name FROM cameras ORDER BY name')).map((r) => r.name);
  }

  async usage(): Promise<StorageUsage> {
    return storageUsage(this.db, this.file);
  }
}

export async function storageUsage(db: SqlDriver, file?: string): Promise<StorageUsage> {
  const [pages] = await db.query<{ n: number }>(
    'SELECT (page_count - freelist_count) * page_size AS n FROM pragma_page_count, pragma_freelist_count, pragma_page_size',
  );
  // Kept by triggers (schema version 6): summing the tracks table read all of it every time.
  const totals = new Map((await db.query<{ kind: string; bytes: number }>('SELECT kind, bytes FROM media_totals')).map((r) => [r.kind, r.bytes]));
  const databaseBytes = pages?.n ?? 0;
  const snapshotBytes = totals.get('snapshots') ?? 0;
  const segmentBytes = totals.get('segments') ?? 0;
  const walBytes = file
    ? await stat(`${file}-wal`).then(
        (s) => s.size,
        () => 0,
      )
    : 0;
  return { databaseBytes, walBytes, snapshotBytes, segmentBytes, totalBytes: databaseBytes + walBytes + snapshotBytes + segmentBytes };
}
