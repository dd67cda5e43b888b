// The stored boxes of one camera's tracks within a time window: what playback draws over recorded
// video (each box at the wall time of its frame; ARCHITECTURE.md, "One clock").
import type { BoxXYWH } from '../api/engine-types.js';
import type { SqlDriver } from './driver.js';
import { BadQueryError, requireTime } from './event-queries.js';
import type { TrackPathPoint } from './types.js';

/** The widest window one call reads (playback asks for a few seconds ahead of the play head). */
export const PATHS_MAX_WINDOW_MS = 10 * 60_000;
/**
 * Tracks are found through their start time (the tracks_by_camera_time index, a short range scan):
 * those that began up to this long before the window; the longer ones (an object tracked for hours)
 * through the partial index tracks_long of the tracks followed for more than this long (schema
 * version 7: its condition is this figure, written out there).
 */
export const PATHS_LOOKBACK_MS = 6 * 3600_000;
/** At most this many boxes per call (a minute of 100 objects at 30 fps is 180,000). */
export const PATHS_MAX_POINTS = 200_000;

export interface StoredTrackPath {
  id: number;
  label: string;
  engineTrack: number;
  points: TrackPathPoint[];
}

interface PathRow {
  id: number;
  label: string;
  engine_track: number;
  time: number;
  x: number;
  y: number;
  w: number;
  h: number;
  score: number;
}

/** Boxes of `camera` with from ≤ time ≤ to, grouped by track (tracks by id, boxes in time order). */
export async function trackPaths(db: SqlDriver, q: { camera: string; from: number; to: number }): Promise<{ tracks: StoredTrackPath[]; truncated: boolean }> {
  const from = requireTime('paths: from', q.from);
  const to = requireTime('paths: to', q.to);
  if (typeof q.camera !== 'string' || q.camera === '') throw new BadQueryError('paths: camera must be a camera id');
  if (to < from) throw new BadQueryError(`paths: 'to' (${to}) is before 'from' (${from}) — swap them`);
  if (to - from > PATHS_MAX_WINDOW_MS)
    throw new BadQueryError(`paths: the window is ${Math.round((to - from) / 1000)} s; ask for at most ${PATHS_MAX_WINDOW_MS / 1000} s at a time`);
  const columns = `t.id, t.label, t.engine_track, t.first_time + d.dt AS time,
            d.box >> 39 AS x, (d.box >> 26) & 8191 AS y, (d.box >> 13) & 8191 AS w, d.box & 8191 AS h, d.score`;
  const rows = await db.query<PathRow>(
    `SELECT ${columns}
       FROM tracks t INDEXED BY tracks_by_camera_time JOIN detections d ON d.track_id = t.id
      WHERE t.camera_id = (SELECT id FROM cameras WHERE name = ?)
        AND t.first_time BETWEEN ? AND ? AND t.last_time >= ?
        AND d.dt BETWEEN ? - t.first_time AND ? - t.first_time
     UNION ALL
     SELECT ${columns}
       FROM tracks t INDEXED BY tracks_long JOIN detections d ON d.track_id = t.id
      WHERE t.camera_id = (SELECT id FROM cameras WHERE name = ?)
        AND t.last_time - t.first_time > ${PATHS_LOOKBACK_MS}
        AND t.first_time < ? AND t.last_time >= ?
        AND d.dt BETWEEN ? - t.first_time AND ? - t.first_time
      ORDER BY 1, 4 LIMIT ?`,
    [q.camera, from - PATHS_LOOKBACK_MS, to, from, from, to, q.camera, from - PATHS_LOOKBACK_MS, from, from, to, PATHS_MAX_POINTS + 1],
  );
  const truncated = rows.length > PATHS_MAX_POINTS;
  const tracks: StoredTrackPath[] = [];
  let current: StoredTrackPath | null = null;
  for (const r of rows.slice(0, PATHS_MAX_POINTS)) {
    if (!current || current.id !== r.id) {
      current = { id: r.id, label: r.label, engineTrack: r.engine_track, points: [] };
      tracks.push(current);
    }
    current.points.push({ time: r.time, box: [r.x, r.y, r.w, r.h] as BoxXYWH, score: r.score / 1000 });
  }
  return { tracks, truncated };
}
