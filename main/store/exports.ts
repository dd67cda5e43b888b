// Read-only access for exports (`vigil export`), safe beside a running Vigil: one read-only
// connection, no migration, no writes. Rows of a time range: segments, tracks and zone events.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite3 } from './driver.js';
import { absoluteMediaPath } from './media.js';
import { latestSchemaVersion, schemaVersion } from './schema.js';

export interface ExportSegment {
  /** Absolute path. */
  path: string;
  start: number;
  end: number;
  codec: string;
}

export interface ExportTrack {
  id: number;
  camera: string;
  label: string;
  firstTime: number;
  lastTime: number;
  bestScore: number;
  boxes: number;
  zones: string;
}

export interface ExportEvent {
  id: number;
  time: number;
  camera: string;
  kind: string;
  zone: string | null;
  direction: string | null;
  track: number | null;
  label: string | null;
}

/** A track's stored boxes in a range, for burning them into exported video: [wall ms, x, y, w, h]. */
export interface ExportTrackBoxes {
  id: number;
  label: string;
  boxes: [number, number, number, number, number][];
}

export interface StoreReader {
  readonly dataDir: string;
  cameras(): Promise<string[]>;
  segments(camera: string, from: number, to: number): Promise<ExportSegment[]>;
  tracks(q: { camera?: string; from: number; to: number }): Promise<ExportTrack[]>;
  events(q: { camera?: string; from: number; to: number }): Promise<ExportEvent[]>;
  /** Every stored box of the camera's tracks between from and to (wall ms), track by track in time order. */
  boxes(camera: string, from: number, to: number): Promise<ExportTrackBoxes[]>;
  close(): Promise<void>;
}

/** Opens the store in `dataDir` read-only; throws naming the folder when there is no store there. */
export async function openStoreReader(dataDir: string, fileName = 'vigil.db'): Promise<StoreReader> {
  const file = join(dataDir, fileName);
  if (!existsSync(file)) throw new Error(`no recordings in ${dataDir} (${fileName} is missing) — is this the data folder Vigil records to?`);
  const db = await openSqlite3(file, { readonly: true });
  const version = await schemaVersion(db);
  if (version < 4 || version > latestSchemaVersion) {
    await db.close();
    throw new Error(
      `the database ${file} has schema version ${version}; this export reads version 4 to ${latestSchemaVersion} — start this Vigil once on it (it migrates), or update Vigil`,
    );
  }
  const camera = (name: string | undefined) => (name === undefined ? null : name);
  return {
    dataDir,
    async cameras() {
      return (await db.query<{ name: string }>('SELECT name FROM cameras ORDER BY name')).map((r) => r.name);
    },
    async segments(cam, from, to) {
      const rows = await db.query<{ path: string; start_time: number; end_time: number; codec: string }>(
        `SELECT s.path, s.start_time, s.end_time, s.codec FROM segments s JOIN cameras c ON c.id = s.camera_id
          WHERE c.name = ? AND s.start_time < ? AND s.end_time > ? ORDER BY s.start_time, s.id`,
        [cam, to, from],
      );
      return rows.map((r) => ({ path: absoluteMediaPath(dataDir, r.path), start: r.start_time, end: r.end_time, codec: r.codec }));
    },
    async tracks(q) {
      const rows = await db.query<{
        id: number;
        camera: string;
        label: string;
        first_time: number;
        last_time: number;
        best_score: number;
        boxes: number;
        zones: string | null;
      }>(
        `SELECT t.id, c.name AS camera, t.label, t.first_time, t.last_time, t.best_score,
                (SELECT count(*) FROM detections d WHERE d.track_id = t.id) AS boxes,
                (SELECT group_concat(zone, ';') FROM track_zones z WHERE z.track_id = t.id) AS zones
           FROM tracks t JOIN cameras c ON c.id = t.camera_id
          WHERE t.first_time < ? AND t.last_time >= ? AND (? IS NULL OR c.name = ?)
          ORDER BY t.first_time, t.id`,
        [q.to, q.from, camera(q.camera), camera(q.camera)],
      );
      return rows.map((r) => ({
        id: r.id,
        camera: r.camera,
        label: r.label,
        firstTime: r.first_time,
        lastTime: r.last_time,
        bestScore: r.best_score,
        boxes: r.boxes,
        zones: r.zones ?? '',
      }));
    },
    async events(q) {
      const rows = await db.query<{
        id: number;
        time: number;
        camera: string;
        kind: string;
        zone: string | null;
        direction: string | null;
        track_id: number | null;
        label: string | null;
      }>(
        `SELECT e.id, e.time, c.name AS camera, e.kind, e.zone, e.direction, e.track_id, t.label
           FROM events e JOIN cameras c ON c.id = e.camera_id LEFT JOIN tracks t ON t.id = e.track_id
          WHERE e.time >= ? AND e.time < ? AND (? IS NULL OR c.name = ?)
          ORDER BY e.time, e.id`,
        [q.from, q.to, camera(q.camera), camera(q.camera)],
      );
      return rows.map((r) => ({
        id: r.id,
        time: r.time,
        camera: r.camera,
        kind: r.kind,
        zone: r.zone,
        direction: r.direction,
        track: r.track_id,
        label: r.label,
      }));
    },
    async boxes(cam, from, to) {
      const rows = await db.query<{ id: number; label: string; time: number; x: number; y: number; w: number; h: number }>(
        `SELECT t.id, t.label, t.first_time + d.dt AS time, d.box >> 39 AS x, (d.box >> 26) & 8191 AS y, (d.box >> 13) & 8191 AS w, d.box & 8191 AS h
           FROM tracks t JOIN cameras c ON c.id = t.camera_id JOIN detections d ON d.track_id = t.id
          WHERE c.name = ? AND t.first_time <= ? AND t.last_time >= ? AND t.first_time + d.dt BETWEEN ? AND ?
          ORDER BY t.id, d.dt`,
        [cam, to, from, from, to],
      );
      const out: ExportTrackBoxes[] = [];
      for (const r of rows) {
        let t = out[out.length - 1];
        if (t?.id !== r.id) out.push((t = { id: r.id, label: r.label, boxes: [] }));
        t.boxes.push([r.time, r.x, r.y, r.w, r.h]);
      }
      return out;
    },
    close: () => db.close(),
  };
}
