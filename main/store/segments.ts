// The video segment index beyond what the recorder writes: files not yet indexed (a segment a killed
// engine left open), the events-mode decision (keep a segment only if it overlaps a track or zone
// event ± the rolls) and each camera's own age and size limits (oldest first). Deleted rows and
// their files go through the media_deletes journal, as retention does.
import type { SqlDriver } from './driver.js';

const DECIDE_MARGIN_MS = 10_000;

export interface EventsPolicy {
  preRollSeconds: number;
  postRollSeconds: number;
  /** Tracks of these labels keep video (empty: every label); zone events always do. */
  eventLabels: string[];
}

export interface CameraSegmentLimits {
  /** 0: no limit. */
  maxAgeDays: number;
  maxBytes: number;
}

export interface SegmentHost {
  db: SqlDriver;
  exclusive<T>(job: () => Promise<T>): Promise<T>;
  /** Unlinks journaled media files (relative paths) and clears them from the journal; returns how many. */
  removeFiles(paths: string[]): Promise<number>;
}

interface Row {
  id: number;
  path: string;
  bytes: number;
  start_time: number;
  end_time: number;
}

export class SegmentIndex {
  constructor(private readonly host: SegmentHost) {}

  /** Of these relative paths, those with no row in the index. */
  async unindexed(paths: string[]): Promise<string[]> {
    if (paths.length === 0) return [];
    const rows = await this.host.db.query<{ path: string }>('SELECT path FROM segments WHERE path IN (SELECT value FROM json_each(?))', [
      JSON.stringify(paths),
    ]);
    const known = new Set(rows.map((r) => r.path));
    return paths.filter((p) => !known.has(p));
  }

  /**
   * Events mode: decides the camera's pending segments that ended long enough ago (the rolls plus a
   * margin for the recorder's flush). Returns how many were kept and deleted.
   */
  async decideEvents(camera: string, policy: EventsPolicy, now = Date.now()): Promise<{ kept: number; deleted: number; files: number }> {
    const pre = policy.preRollSeconds * 1000;
    const post = policy.postRollSeconds * 1000;
    const until = now - Math.max(pre, post) - DECIDE_MARGIN_MS;
    const labels = policy.eventLabels.length > 0 ? JSON.stringify(policy.eventLabels) : null;
    const outcome = await this.host.exclusive(async () => {
      const rows = await this.host.db.query<Row & { keep: number }>(
        `SELECT s.id, s.path, s.bytes, s.start_time, s.end_time,
                EXISTS (SELECT 1 FROM tracks t
                         WHERE t.camera_id = s.camera_id AND t.first_time <= s.end_time + ? AND t.last_time >= s.start_time - ?
                           AND (? IS NULL OR t.label IN (SELECT value FROM json_each(?))))
             OR EXISTS (SELECT 1 FROM events e
                         WHERE e.time BETWEEN s.start_time - ? AND s.end_time + ? AND e.camera_id = s.camera_id AND e.zone IS NOT NULL) AS keep
           FROM segments s
          WHERE s.pending_events = 1 AND s.end_time < ? AND s.camera_id = (SELECT id FROM cameras WHERE name = ?)`,
        [pre, post, labels, labels, post, pre, until, camera],
      );
      const kept = rows.filter((r) => r.keep === 1);
      const dropped = rows.filter((r) => r.keep !== 1);
      await this.host.db.batch([
        { sql: 'UPDATE segments SET pending_events = 0 WHERE id IN (SELECT value FROM json_each(?))', params: [JSON.stringify(kept.map((r) => r.id))] },
        ...this.deleteSteps(dropped),
      ]);
      return { kept: kept.length, dropped };
    });
    const files = await this.host.removeFiles(outcome.dropped.map((r) => r.path));
    return { kept: outcome.kept, deleted: outcome.dropped.length, files };
  }

  /** A camera that left events mode: its pending segments are kept. */
  async keepPending(camera: string): Promise<number> {
    const r = await this.host.exclusive(() =>
      this.host.db.run('UPDATE segments SET pending_events = 0 WHERE pending_events = 1 AND camera_id = (SELECT id FROM cameras WHERE name = ?)', [camera]),
    );
    return r.changes;
  }

  /** The camera's own limits: segments older than maxAgeDays, then the oldest beyond maxBytes. Returns segments deleted. */
  async enforceLimits(camera: string, limits: CameraSegmentLimits, now = Date.now()): Promise<number> {
    if (!(limits.maxAgeDays > 0) && !(limits.maxBytes > 0)) return 0;
    const dropped = await this.host.exclusive(async () => {
      const cutoff = limits.maxAgeDays > 0 ? now - limits.maxAgeDays * 86_400_000 : -1;
      const maxBytes = limits.maxBytes > 0 ? limits.maxBytes : Number.MAX_SAFE_INTEGER;
      // Newest first, a running total: what no longer fits (or is too old) goes, oldest included first.
      const rows = await this.host.db.query<Row>(
        `SELECT id, path, bytes, start_time, end_time FROM (
           SELECT id, path, bytes, start_time, end_time, sum(bytes) OVER (ORDER BY start_time DESC, id DESC) AS total
             FROM segments WHERE camera_id = (SELECT id FROM cameras WHERE name = ?))
          WHERE total > ? OR end_time < ? ORDER BY start_time`,
        [camera, maxBytes, cutoff],
      );
      if (rows.length > 0) await this.host.db.batch(this.deleteSteps(rows));
      return rows;
    });
    await this.host.removeFiles(dropped.map((r) => r.path));
    return dropped.length;
  }

  private deleteSteps(rows: Row[]) {
    return [
      { sql: 'DELETE FROM segments WHERE id IN (SELECT value FROM json_each(?))', params: [JSON.stringify(rows.map((r) => r.id))] },
      { sql: 'INSERT OR IGNORE INTO media_deletes (path) SELECT value FROM json_each(?)', params: [JSON.stringify(rows.map((r) => r.path))] },
    ];
  }
}

/** Wall time (ms) in a segment's file name (`20261202T073015.123Z.mp4`, or with `-N` before .mp4); null if it has none. */
export function segmentNameTime(name: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z(?:-\d+)?\.mp4$/.exec(name);
  if (!m) return null;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  return Number.isFinite(t) ? t : null;
}
