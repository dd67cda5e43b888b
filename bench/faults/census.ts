// What a Vigil database holds, read from outside the app (a read-only connection, as a second
// process would): row counts per table and SQLite's own integrity check.
import { existsSync } from 'node:fs';
import { openSqlite3 } from '../../main/store/driver.js';

export interface Census {
  detections: number;
  tracks: number;
  events: number;
  runs: number;
  /** The highest track id: rows are never renumbered, so a lost row shows as a smaller census. */
  maxTrack: number;
}

export async function census(dbFile: string): Promise<Census> {
  if (!existsSync(dbFile)) return { detections: 0, tracks: 0, events: 0, runs: 0, maxTrack: 0 };
  const db = await openSqlite3(dbFile, { readonly: true });
  try {
    const [row] = await db.query<Census>(
      `SELECT (SELECT count(*) FROM detections) AS detections, (SELECT count(*) FROM tracks) AS tracks,
              (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM runs) AS runs, (SELECT coalesce(max(id), 0) FROM tracks) AS maxTrack`,
    );
    return row!;
  } finally {
    await db.close();
  }
}

/** PRAGMA integrity_check on a read-write connection (it replays a left-over write-ahead log first). */
export async function integrity(dbFile: string): Promise<string> {
  const db = await openSqlite3(dbFile, { readonly: false });
  try {
    const rows = await db.query<{ integrity_check: string }>('PRAGMA integrity_check');
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    await db.close();
  }
}

/** Whether every count in `after` is at least the one in `before` (nothing committed went missing). */
export function lostRows(before: Census, after: Census): number {
  return (
    Math.max(0, before.detections - after.detections) +
    Math.max(0, before.tracks - after.tracks) +
    Math.max(0, before.events - after.events) +
    Math.max(0, before.runs - after.runs)
  );
}
