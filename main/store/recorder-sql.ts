// The recorder's transaction: every table filled by one `INSERT ... SELECT FROM json_each(?)` from
// what the write queue held, boxes in statements of about 8 000 rows built just before each runs.
import type { SqlStep } from './driver.js';
import type { QueuedWrites } from './recorder-queue.js';

export function transactionSteps(w: QueuedWrites, runId: number, timeLazyPrepare: (ms: number) => void): SqlStep[] {
  const { batches: taken, rows: boxRows, tracks, snapshots, cameras, runs, segments } = w;
  const steps: SqlStep[] = [];
  const json = (rows: string[]): string => `[${rows.join(',')}]`;
  if (runs.length > 0) steps.push({ sql: 'INSERT OR IGNORE INTO runs (id, started_at) SELECT value->>0, value->>1 FROM json_each(?)', params: [json(runs)] });
  if (cameras.length > 0) {
    steps.push({
      sql: 'INSERT OR IGNORE INTO cameras (id, name, created_at) SELECT value->>0, value->>1, value->>2 FROM json_each(?)',
      params: [json(cameras)],
    });
  }
  if (tracks.length > 0) {
    const rows = tracks.map((t) =>
      JSON.stringify([
        t.id,
        runId,
        t.cameraId,
        t.engineTrack,
        t.label,
        t.classId,
        t.firstTime,
        t.lastTime,
        Math.max(0, t.bestScore),
        t.bestTime,
        JSON.stringify(t.bestBox.map(Math.round)),
        t.attributes ? JSON.stringify(t.attributes) : null,
        t.ended ? 1 : 0,
      ]),
    );
    steps.push({
      sql: `INSERT INTO tracks (id, run_id, camera_id, engine_track, label, class_id, first_time, last_time, best_score, best_time, best_box, attributes, ended)
            SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9, value->>10, value->>11, value->>12 FROM json_each(?) WHERE true
            ON CONFLICT (id) DO UPDATE SET last_time = excluded.last_time, best_score = excluded.best_score, best_time = excluded.best_time,
              best_box = excluded.best_box, attributes = excluded.attributes, ended = excluded.ended`,
      params: [json(rows)],
    });
  }
  // Grouped by track, so consecutive rows land on the same B-tree page.
  // In statements of about 8 000 rows, each built just before it runs: the main thread is never busy for long.
  let chunk: string[][] = [];
  let chunkRows = 0;
  const pushChunk = (lists: string[][]): void => {
    steps.push({
      sql: 'INSERT OR IGNORE INTO detections (track_id, dt, box, score) SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?)',
      params: () => {
        const started = performance.now();
        const json = `[${lists.map((l) => l.join(',')).join(',')}]`;
        timeLazyPrepare(performance.now() - started);
        return [json];
      },
    });
  };
  for (const list of boxRows.values()) {
    chunk.push(list);
    chunkRows += list.length;
    if (chunkRows >= 8000) {
      pushChunk(chunk);
      chunk = [];
      chunkRows = 0;
    }
  }
  if (chunk.length > 0) pushChunk(chunk);
  const events = taken.flatMap((b) => b.events);
  if (events.length > 0) {
    steps.push({
      sql: 'INSERT INTO events (time, camera_id, track_id, kind, zone, direction, detail, label) SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7 FROM json_each(?)',
      params: [json(events)],
    });
  }
  const zones = taken.flatMap((b) => b.zones);
  if (zones.length > 0)
    steps.push({ sql: 'INSERT OR IGNORE INTO track_zones (zone, track_id) SELECT value->>0, value->>1 FROM json_each(?)', params: [json(zones)] });
  if (snapshots.length > 0) {
    steps.push({
      sql: `UPDATE tracks SET snapshot_path = j.value->>1, snapshot_bytes = j.value->>2 FROM json_each(?) AS j WHERE tracks.id = j.value->>0`,
      params: [JSON.stringify(snapshots.map((s) => [s.trackId, s.path, s.bytes]))],
    });
  }
  if (segments.length > 0) {
    steps.push({
      // A file already indexed (found again after a crash) keeps its row.
      sql: `INSERT OR IGNORE INTO segments (camera_id, start_time, end_time, path, bytes, start_pts, codec, width, height, pending_events)
            SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9 FROM json_each(?)`,
      params: [json(segments)],
    });
  }
  const rollup = new Map<string, [number, number]>();
  for (const b of taken) {
    for (const [k, [d, s]] of b.rollup) {
      const c = rollup.get(k);
      if (c) {
        c[0] += d;
        c[1] += s;
      } else rollup.set(k, [d, s]);
    }
  }
  if (rollup.size > 0) {
    const rows: string[] = [];
    for (const [k, [d, s]] of rollup) {
      const [minute, cameraId, label] = k.split('\u0000');
      rows.push(JSON.stringify([Number(minute), Number(cameraId), label, d, s]));
    }
    const param = [json(rows)];
    for (const [table, unit, div] of [
      ['timeline_minute', 'minute', 1],
      ['timeline_5min', 'five', 5],
      ['timeline_hour', 'hour', 60],
    ] as const) {
      steps.push({
        sql: `INSERT INTO ${table} (${unit}, camera_id, label, detections, tracks)
              SELECT value->>0 / ${div} AS u, value->>1 AS c, value->>2 AS l, sum(value->>3), sum(value->>4) FROM json_each(?) WHERE true GROUP BY u, c, l
              ON CONFLICT DO UPDATE SET detections = detections + excluded.detections, tracks = tracks + excluded.tracks`,
        params: param,
      });
    }
  }
  return steps;
}
