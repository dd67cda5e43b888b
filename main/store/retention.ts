// Retention: deletes the oldest tracks with their boxes, events, snapshots and the segments of the
// same period, by age and by total size. Each small batch is its own transaction, queued between
// recorder flushes on the writer connection, so writers wait at most one batch.

import { unlink } from 'node:fs/promises';
import type { RetentionPolicy, RetentionResult } from './types.js';
import type { SqlDriver } from './driver.js';
import { absoluteMediaPath } from './media.js';
import { storageUsage } from './queries.js';

const tracksPerBatch = 200;
const segmentsPerBatch = 50;

export interface RetentionHost {
  db: SqlDriver;
  dataDir: string;
  /** The database file: its write-ahead log counts toward the size limit. */
  file?: string;
  /** Runs a job on the writer connection between recorder flushes. */
  exclusive<T>(job: () => Promise<T>): Promise<T>;
  log: (line: string) => void;
}

interface BatchOutcome {
  tracks: number;
  detections: number;
  segments: number;
  files: string[];
  freedMediaBytes: number;
}

export class Retention {
  constructor(private readonly host: RetentionHost) {}

  async run(policy: RetentionPolicy, now = Date.now()): Promise<RetentionResult> {
    const { maxAgeDays, maxBytes } = policy;
    if (maxAgeDays !== undefined && !(typeof maxAgeDays === 'number' && maxAgeDays > 0)) {
      throw new Error(`retention: maxAgeDays must be a positive number of days, got ${String(maxAgeDays)}`);
    }
    if (maxBytes !== undefined && !(typeof maxBytes === 'number' && maxBytes > 0)) {
      throw new Error(`retention: maxBytes must be a positive number of bytes, got ${String(maxBytes)}`);
    }
    const result: RetentionResult = { tracksDeleted: 0, detectionsDeleted: 0, segmentsDeleted: 0, filesDeleted: 0, bytesAfter: 0, batches: 0 };
    const add = async (o: BatchOutcome): Promise<void> => {
      result.tracksDeleted += o.tracks;
      result.detectionsDeleted += o.detections;
      result.segmentsDeleted += o.segments;
      result.batches += 1;
      // Files go after the commit, which journals them: a crash in between leaves them listed in
      // media_deletes for the next start, never a dangling row.
      result.filesDeleted += await this.removeFiles(o.files);
    };

    if (maxAgeDays !== undefined) {
      const cutoff = now - maxAgeDays * 86_400_000;
      for (;;) {
        const o = await this.host.exclusive(() => this.deleteBatch(cutoff));
        await add(o);
        if (o.tracks === 0 && o.segments === 0) break;
      }
    }

    if (maxBytes !== undefined) {
      // The log first gives back what it can (it counts as disk in use), then the oldest data goes.
      await this.checkpoint();
      const usage = await storageUsage(this.host.db, this.host.file);
      let media = usage.snapshotBytes + usage.segmentBytes;
      let dbBytes = usage.databaseBytes;
      const wal = usage.walBytes;
      while (dbBytes + wal + media > maxBytes) {
        const o = await this.host.exclusive(() => this.deleteBatch(null));
        await add(o);
        if (o.tracks === 0 && o.segments === 0) break;
        media -= o.freedMediaBytes;
        dbBytes = await this.databaseBytes();
      }
    }
    if (result.tracksDeleted + result.segmentsDeleted > 0) await this.checkpoint();
    result.bytesAfter = (await storageUsage(this.host.db, this.host.file)).totalBytes;
    if (result.tracksDeleted + result.segmentsDeleted > 0) {
      this.host.log(
        `retention: deleted ${result.tracksDeleted} tracks, ${result.detectionsDeleted} boxes, ${result.segmentsDeleted} segments in ${result.batches} batches; ${result.bytesAfter} bytes in use`,
      );
    }
    return result;
  }

  /** Moves the log into the database and truncates it (skipped quietly while a reader holds it). */
  private async checkpoint(): Promise<void> {
    await this.host.exclusive(() => this.host.db.query('PRAGMA wal_checkpoint(TRUNCATE)')).catch(() => undefined);
  }

  /**
   * Removes the media files of rows a previous run deleted but could not unlink (it stopped between
   * the commit and the unlinks): their paths wait in the media_deletes journal. Returns how many.
   */
  async finishInterruptedDeletes(): Promise<number> {
    const rows = await this.host.db.query<{ path: string }>('SELECT path FROM media_deletes');
    const removed = await this.removeFiles(rows.map((r) => r.path));
    if (removed > 0) this.host.log(`retention: removed ${removed} media files an interrupted run had left`);
    return removed;
  }

  /** Unlinks the files, then forgets them in the journal (a file already gone counts as removed). */
  async removeFiles(paths: string[]): Promise<number> {
    if (paths.length === 0) return 0;
    let removed = 0;
    const done: string[] = [];
    for (const f of paths) {
      await unlink(absoluteMediaPath(this.host.dataDir, f)).then(
        () => {
          removed += 1;
          done.push(f);
        },
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') done.push(f);
        },
      );
    }
    await this.host.exclusive(() => this.host.db.run('DELETE FROM media_deletes WHERE path IN (SELECT value FROM json_each(?))', [JSON.stringify(done)]));
    return removed;
  }

  private async databaseBytes(): Promise<number> {
    const [r] = await this.host.db.query<{ n: number }>(
      'SELECT (page_count - freelist_count) * page_size AS n FROM pragma_page_count, pragma_freelist_count, pragma_page_size',
    );
    return r?.n ?? 0;
  }

  /** One transaction: the oldest tracks (ending before `cutoff`, or simply the oldest) and what belongs to that period. */
  private async deleteBatch(cutoff: number | null): Promise<BatchOutcome> {
    const db = this.host.db;
    const tracks = await db.query<{ id: number; first_time: number; snapshot_path: string | null; snapshot_bytes: number }>(
      cutoff === null
        ? 'SELECT id, first_time, snapshot_path, snapshot_bytes FROM tracks INDEXED BY tracks_by_time ORDER BY first_time LIMIT ?'
        : 'SELECT id, first_time, snapshot_path, snapshot_bytes FROM tracks INDEXED BY tracks_by_time WHERE first_time < ? AND last_time < ? ORDER BY first_time LIMIT ?',
      cutoff === null ? [tracksPerBatch] : [cutoff, cutoff, tracksPerBatch],
    );
    // Without a cutoff (size limit), the period up to the newest track deleted goes; with no tracks left, the oldest segments.
    let periodEnd = cutoff;
    if (periodEnd === null) {
      if (tracks.length > 0) periodEnd = tracks[tracks.length - 1]!.first_time;
      else {
        const segs = await db.query<{ end_time: number }>('SELECT end_time FROM segments INDEXED BY segments_by_end ORDER BY end_time LIMIT 1 OFFSET ?', [
          segmentsPerBatch - 1,
        ]);
        const last = await db.query<{ end_time: number }>('SELECT max(end_time) AS end_time FROM segments');
        periodEnd = segs[0]?.end_time ?? last[0]?.end_time ?? null;
        if (periodEnd === null) return { tracks: 0, detections: 0, segments: 0, files: [], freedMediaBytes: 0 };
        periodEnd += 1;
      }
    }
    const segments = await db.query<{ id: number; path: string; bytes: number }>(
      'SELECT id, path, bytes FROM segments INDEXED BY segments_by_end WHERE end_time < ? ORDER BY end_time LIMIT ?',
      [periodEnd, segmentsPerBatch],
    );
    const ids = JSON.stringify(tracks.map((t) => t.id));
    const segIds = JSON.stringify(segments.map((s) => s.id));
    const files = [...tracks.flatMap((t) => (t.snapshot_path ? [t.snapshot_path] : [])), ...segments.map((s) => s.path)];
    const changes = await db.batch([
      { sql: 'DELETE FROM detections WHERE track_id IN (SELECT value FROM json_each(?))', params: [ids] },
      { sql: 'DELETE FROM events WHERE track_id IN (SELECT value FROM json_each(?))', params: [ids] },
      { sql: 'DELETE FROM track_zones WHERE track_id IN (SELECT value FROM json_each(?))', params: [ids] },
      { sql: 'DELETE FROM tracks WHERE id IN (SELECT value FROM json_each(?))', params: [ids] },
      { sql: 'DELETE FROM segments WHERE id IN (SELECT value FROM json_each(?))', params: [segIds] },
      {
        sql: 'DELETE FROM events WHERE rowid IN (SELECT rowid FROM events INDEXED BY events_by_time WHERE time < ? AND track_id IS NULL LIMIT 5000)',
        params: [periodEnd],
      },
      { sql: 'DELETE FROM timeline_minute WHERE minute < ?', params: [Math.floor(periodEnd / 60_000)] },
      { sql: 'DELETE FROM timeline_5min WHERE five < ?', params: [Math.floor(periodEnd / 300_000)] },
      { sql: 'DELETE FROM timeline_hour WHERE hour < ?', params: [Math.floor(periodEnd / 3_600_000)] },
      { sql: 'INSERT OR IGNORE INTO media_deletes (path) SELECT value FROM json_each(?)', params: [JSON.stringify(files)] },
    ]);
    const freedMediaBytes = tracks.reduce((n, t) => n + t.snapshot_bytes, 0) + segments.reduce((n, s) => n + s.bytes, 0);
    return { tracks: tracks.length, detections: changes[0] ?? 0, segments: segments.length, files, freedMediaBytes };
  }
}
