// Schema and forward-only migrations. The version lives in the database (PRAGMA user_version);
// each migration runs in its own transaction together with the version bump.

import type { SqlDriver } from './driver.js';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'cameras, engine runs, tracks, detections, events, segments',
    sql: `
      CREATE TABLE cameras (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
      );
      -- One row per engine (re)start: engine track ids are only unique within a run.
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started_at INTEGER NOT NULL
      );
      CREATE TABLE tracks (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL,
        camera_id INTEGER NOT NULL,
        engine_track INTEGER NOT NULL,
        label TEXT NOT NULL,
        class_id INTEGER NOT NULL,
        first_time INTEGER NOT NULL,
        last_time INTEGER NOT NULL,
        best_score REAL NOT NULL,
        best_time INTEGER NOT NULL,
        best_box TEXT NOT NULL,
        snapshot_path TEXT,
        snapshot_bytes INTEGER NOT NULL DEFAULT 0,
        attributes TEXT,
        ended INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX tracks_by_time ON tracks(first_time);
      CREATE INDEX tracks_by_camera_time ON tracks(camera_id, first_time);
      CREATE INDEX tracks_by_label_time ON tracks(label, first_time);
      CREATE INDEX tracks_by_camera_label_time ON tracks(camera_id, label, first_time);
      CREATE TABLE track_zones (
        zone TEXT NOT NULL,
        track_id INTEGER NOT NULL,
        PRIMARY KEY (zone, track_id)
      ) WITHOUT ROWID;
      CREATE INDEX track_zones_by_track ON track_zones(track_id);
      -- Per-frame boxes: dt is ms after the track's first_time; the box is packed into one integer
      -- (x, y, w, h: 13 bits each, whole pixels) because one column instead of four halves the cost
      -- of the bulk insert; score in 1/1000.
      CREATE TABLE detections (
        track_id INTEGER NOT NULL,
        dt INTEGER NOT NULL,
        box INTEGER NOT NULL,
        score INTEGER NOT NULL,
        PRIMARY KEY (track_id, dt)
      ) WITHOUT ROWID;
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        camera_id INTEGER NOT NULL,
        track_id INTEGER,
        kind TEXT NOT NULL,
        zone TEXT,
        direction TEXT,
        detail TEXT
      );
      CREATE INDEX events_by_time ON events(time);
      CREATE INDEX events_by_track ON events(track_id);
      CREATE TABLE segments (
        id INTEGER PRIMARY KEY,
        camera_id INTEGER NOT NULL,
        start_time INTEGER NOT NULL,
        end_time INTEGER NOT NULL,
        path TEXT NOT NULL,
        bytes INTEGER NOT NULL
      );
      CREATE INDEX segments_by_camera_time ON segments(camera_id, start_time);
      CREATE INDEX segments_by_end ON segments(end_time);
    `,
  },
  {
    version: 2,
    description: 'timeline rollups (per minute, 5 minutes and hour, by camera and label)',
    sql: `
      CREATE TABLE timeline_minute (
        minute INTEGER NOT NULL,
        camera_id INTEGER NOT NULL,
        label TEXT NOT NULL,
        detections INTEGER NOT NULL,
        tracks INTEGER NOT NULL,
        PRIMARY KEY (minute, camera_id, label)
      ) WITHOUT ROWID;
      CREATE TABLE timeline_5min (
        five INTEGER NOT NULL,
        camera_id INTEGER NOT NULL,
        label TEXT NOT NULL,
        detections INTEGER NOT NULL,
        tracks INTEGER NOT NULL,
        PRIMARY KEY (five, camera_id, label)
      ) WITHOUT ROWID;
      CREATE TABLE timeline_hour (
        hour INTEGER NOT NULL,
        camera_id INTEGER NOT NULL,
        label TEXT NOT NULL,
        detections INTEGER NOT NULL,
        tracks INTEGER NOT NULL,
        PRIMARY KEY (hour, camera_id, label)
      ) WITHOUT ROWID;
      -- Databases from version 1 only have the recorded boxes: count those.
      INSERT INTO timeline_minute (minute, camera_id, label, detections, tracks)
        SELECT m, camera_id, label, sum(d), sum(s) FROM (
          SELECT (t.first_time + d.dt) / 60000 AS m, t.camera_id, t.label, 1 AS d, 0 AS s
            FROM detections d JOIN tracks t ON t.id = d.track_id
          UNION ALL
          SELECT first_time / 60000, camera_id, label, 0, 1 FROM tracks
        ) GROUP BY m, camera_id, label;
      INSERT INTO timeline_5min (five, camera_id, label, detections, tracks)
        SELECT minute / 5, camera_id, label, sum(detections), sum(tracks)
          FROM timeline_minute GROUP BY minute / 5, camera_id, label;
      INSERT INTO timeline_hour (hour, camera_id, label, detections, tracks)
        SELECT minute / 60, camera_id, label, sum(detections), sum(tracks)
          FROM timeline_minute GROUP BY minute / 60, camera_id, label;
    `,
  },
  {
    version: 3,
    description: 'media files whose rows retention deleted, kept until the files are gone (survives a crash in between)',
    sql: `CREATE TABLE media_deletes (path TEXT PRIMARY KEY) WITHOUT ROWID;`,
  },
  {
    version: 4,
    description: "analytics events under the engine's names (enter, exit, cross + direction, crowded, crowd-end, dwell), with their label",
    sql: `
      UPDATE events SET kind = 'enter' WHERE kind = 'zone-enter';
      UPDATE events SET kind = 'exit' WHERE kind = 'zone-exit';
      UPDATE events SET kind = 'cross' WHERE kind = 'line-cross';
      UPDATE events SET kind = 'crowded' WHERE kind = 'overcrowd';
      ALTER TABLE events ADD COLUMN label TEXT;
      CREATE INDEX events_by_zone_time ON events(zone, time) WHERE zone IS NOT NULL;
    `,
  },
  {
    version: 5,
    description: 'video segments: stream time of the first frame, codec, size, events-mode decision pending; one row per file',
    sql: `
      ALTER TABLE segments ADD COLUMN start_pts REAL NOT NULL DEFAULT 0;
      ALTER TABLE segments ADD COLUMN codec TEXT NOT NULL DEFAULT '';
      ALTER TABLE segments ADD COLUMN width INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE segments ADD COLUMN height INTEGER NOT NULL DEFAULT 0;
      -- Events mode: 1 until the events pruner kept (0) or deleted the segment.
      ALTER TABLE segments ADD COLUMN pending_events INTEGER NOT NULL DEFAULT 0;
      CREATE UNIQUE INDEX segments_by_path ON segments(path);
      CREATE INDEX segments_pending ON segments(pending_events, camera_id, end_time) WHERE pending_events = 1;
    `,
  },
  {
    version: 6,
    description: 'running totals of snapshot and segment bytes, kept by triggers (the disk figure read them by scanning every track)',
    sql: `
      CREATE TABLE media_totals (kind TEXT PRIMARY KEY, bytes INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO media_totals (kind, bytes) SELECT 'snapshots', coalesce(sum(snapshot_bytes), 0) FROM tracks WHERE snapshot_bytes > 0;
      INSERT INTO media_totals (kind, bytes) SELECT 'segments', coalesce(sum(bytes), 0) FROM segments;
      CREATE TRIGGER media_totals_track_insert AFTER INSERT ON tracks WHEN new.snapshot_bytes <> 0 BEGIN
        UPDATE media_totals SET bytes = bytes + new.snapshot_bytes WHERE kind = 'snapshots';
      END;
      CREATE TRIGGER media_totals_track_update AFTER UPDATE OF snapshot_bytes ON tracks WHEN new.snapshot_bytes IS NOT old.snapshot_bytes BEGIN
        UPDATE media_totals SET bytes = bytes + coalesce(new.snapshot_bytes, 0) - coalesce(old.snapshot_bytes, 0) WHERE kind = 'snapshots';
      END;
      CREATE TRIGGER media_totals_track_delete AFTER DELETE ON tracks WHEN old.snapshot_bytes <> 0 BEGIN
        UPDATE media_totals SET bytes = bytes - old.snapshot_bytes WHERE kind = 'snapshots';
      END;
      CREATE TRIGGER media_totals_segment_insert AFTER INSERT ON segments BEGIN
        UPDATE media_totals SET bytes = bytes + new.bytes WHERE kind = 'segments';
      END;
      CREATE TRIGGER media_totals_segment_update AFTER UPDATE OF bytes ON segments WHEN new.bytes IS NOT old.bytes BEGIN
        UPDATE media_totals SET bytes = bytes + new.bytes - old.bytes WHERE kind = 'segments';
      END;
      CREATE TRIGGER media_totals_segment_delete AFTER DELETE ON segments BEGIN
        UPDATE media_totals SET bytes = bytes - old.bytes WHERE kind = 'segments';
      END;
    `,
  },
  {
    version: 7,
    description: 'an index of the tracks followed for more than 6 hours (LONG_TRACK_MS), so that playback finds their boxes too',
    sql: `CREATE INDEX tracks_long ON tracks(camera_id, first_time) WHERE last_time - first_time > 21600000;`,
  },
];

export const latestSchemaVersion = migrations[migrations.length - 1]!.version;

export async function schemaVersion(db: SqlDriver): Promise<number> {
  const [row] = await db.query<{ user_version: number }>('PRAGMA user_version');
  return row?.user_version ?? 0;
}

/**
 * Brings the database up to `target` (default: the latest). Refuses a database written by a newer
 * Vigil rather than guessing at tables it does not know.
 */
export async function migrate(db: SqlDriver, file: string, target = latestSchemaVersion): Promise<{ from: number; to: number }> {
  const from = await schemaVersion(db);
  if (from > latestSchemaVersion) {
    throw new Error(
      `the database ${file} has schema version ${from}, but this Vigil only knows versions up to ${latestSchemaVersion} ` +
        `(it was written by a newer Vigil) — update Vigil, or choose another data directory`,
    );
  }
  for (const m of migrations) {
    if (m.version <= from || m.version > target) continue;
    try {
      // PRAGMA user_version is transactional, so the bump commits or rolls back with the migration.
      await db.batch([...splitStatements(m.sql).map((sql) => ({ sql })), { sql: `PRAGMA user_version = ${m.version}` }]);
    } catch (err) {
      throw new Error(`the database ${file}: migration to schema version ${m.version} (${m.description}) failed: ${(err as Error).message}`, { cause: err });
    }
  }
  return { from, to: Math.max(from, target) };
}

/** Splits a migration script into statements (our scripts have no semicolons inside literals; a trigger's body runs to its END). */
function splitStatements(script: string): string[] {
  const out: string[] = [];
  let trigger: string | null = null;
  for (const piece of script
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())) {
    if (trigger !== null) {
      trigger += `; ${piece}`;
      if (/^END$/i.test(piece)) {
        out.push(trigger);
        trigger = null;
      }
    } else if (/^CREATE\s+TRIGGER\b/i.test(piece)) trigger = piece;
    else if (piece.length > 0) out.push(piece);
  }
  if (trigger !== null) throw new Error(`a trigger without its END: ${trigger.slice(0, 80)}`);
  return out;
}
