import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetadataBatch } from '../../../main/api/engine-types.js';
import { openSqlite3, type DriverOpener, type SqlDriver } from '../../../main/store/driver.js';
import { latestSchemaVersion, migrate, migrations, schemaVersion } from '../../../main/store/schema.js';
import { openStore, type Store, type StoreOptions } from '../../../main/store/store.js';
import { sceneBatch, t0 } from './batches.js';

const dirs: string[] = [];
const stores: Store[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  dirs.push(d);
  return d;
}

async function open(options: Partial<StoreOptions> & { logs?: string[] } = {}): Promise<Store> {
  const logs = options.logs;
  const store = await openStore({ dataDir: options.dataDir ?? tempDir(), log: (l) => logs?.push(l), maxDelayMs: 20, ...options });
  stores.push(store);
  return store;
}

async function raw(file: string): Promise<SqlDriver> {
  return openSqlite3(file, { readonly: false });
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('schema migrations', () => {
  it('creates every table on an empty database and records the version', async () => {
    const store = await open();
    await store.close();
    const db = await raw(store.file);
    expect(await schemaVersion(db)).toBe(latestSchemaVersion);
    const tables = (await db.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).map((r) => r.name);
    expect(tables).toEqual(
      expect.arrayContaining(['cameras', 'runs', 'tracks', 'track_zones', 'detections', 'events', 'segments', 'timeline_minute', 'timeline_hour']),
    );
    const [mode] = await db.query<{ journal_mode: string }>('PRAGMA journal_mode');
    expect(mode?.journal_mode).toBe('wal');
    await db.close();
  });

  for (const earlier of migrations.slice(0, -1)) {
    it(`upgrades a database from schema version ${earlier.version} and keeps its data`, async () => {
      const dir = tempDir();
      const file = join(dir, 'vigil.db');
      const db = await raw(file);
      await migrate(db, file, earlier.version);
      expect(await schemaVersion(db)).toBe(earlier.version);
      // Data as that version stored it: one camera, one track with three boxes.
      await db.exec(`INSERT INTO cameras VALUES (1, 'gate', ${t0});
        INSERT INTO runs VALUES (1, ${t0});
        INSERT INTO tracks (id, run_id, camera_id, engine_track, label, class_id, first_time, last_time, best_score, best_time, best_box)
          VALUES (1, 1, 1, 7, 'person', 0, ${t0}, ${t0 + 70_000}, 0.9, ${t0}, '[1,2,3,4]');
        INSERT INTO detections VALUES (1, 0, 1, 900), (1, 1000, 1, 800), (1, 70000, 1, 700);`);
      if (earlier.version < 4) {
        // Before version 4, zone events had kinds of their own (the engine's names since).
        await db.exec(`INSERT INTO events (time, camera_id, track_id, kind, zone, direction, detail) VALUES
          (${t0}, 1, 1, 'zone-enter', 'door', NULL, NULL), (${t0 + 1}, 1, 1, 'line-cross', 'gate', 'out', NULL),
          (${t0 + 2}, 1, 1, 'zone-exit', 'door', NULL, NULL), (${t0 + 3}, 1, NULL, 'overcrowd', 'door', NULL, '{"count":9}'),
          (${t0 + 4}, 1, 1, 'dwell', 'door', NULL, NULL), (${t0 + 5}, 1, 1, 'track-end', NULL, NULL, NULL);`);
      }
      if (earlier.version >= 2) {
        // From version 2 on, the recorder also kept the timeline rollups of those boxes.
        const minute = Math.floor(t0 / 60_000);
        await db.exec(`INSERT INTO timeline_minute VALUES (${minute}, 1, 'person', 2, 1), (${minute + 1}, 1, 'person', 1, 0);
          INSERT INTO timeline_5min SELECT minute / 5, camera_id, label, sum(detections), sum(tracks) FROM timeline_minute GROUP BY 1, 2, 3;
          INSERT INTO timeline_hour SELECT minute / 60, camera_id, label, sum(detections), sum(tracks) FROM timeline_minute GROUP BY 1, 2, 3;`);
      }
      await db.close();

      const store = await open({ dataDir: dir });
      const tl = await store.queries.timeline({ from: t0, to: t0 + 120_000, bucketMs: 60_000 });
      expect(tl.buckets).toEqual([
        { camera: 'gate', label: 'person', start: t0, detections: 2, tracks: 1 },
        { camera: 'gate', label: 'person', start: t0 + 60_000, detections: 1, tracks: 0 },
      ]);
      const track = await store.queries.track(1);
      expect(track?.path.map((p) => p.score)).toEqual([0.9, 0.8, 0.7]);
      if (earlier.version < 4) {
        const events = await store.queries.searchEvents({});
        expect(events.map((e) => [e.kind, e.zone, e.direction, e.label])).toEqual([
          ['dwell', 'door', null, 'person'],
          ['crowded', 'door', null, null],
          ['exit', 'door', null, 'person'],
          ['cross', 'gate', 'out', 'person'],
          ['enter', 'door', null, 'person'],
        ]);
        expect((await store.queries.searchEvents({ kinds: ['cross'] })).map((e) => e.direction)).toEqual(['out']);
      }
      await store.close();
      const check = await raw(file);
      expect(await schemaVersion(check)).toBe(latestSchemaVersion);
      await check.close();
    });
  }

  it('refuses a database written by a newer Vigil with a clear error', async () => {
    const dir = tempDir();
    const db = await raw(join(dir, 'vigil.db'));
    await db.exec(`PRAGMA user_version = ${latestSchemaVersion + 5}`);
    await db.close();
    await expect(open({ dataDir: dir })).rejects.toThrow(/schema version \d+, but this Vigil only knows versions up to \d+ .*newer Vigil.*update Vigil/);
  });

  it('rolls back a failing migration and leaves the version unchanged', async () => {
    const dir = tempDir();
    const file = join(dir, 'vigil.db');
    const db = await raw(file);
    await migrate(db, file, 1);
    await db.exec('CREATE TABLE timeline_minute (x)'); // collides with what version 2 creates
    await expect(migrate(db, file)).rejects.toThrow(/migration to schema version 2 .* failed/);
    expect(await schemaVersion(db)).toBe(1);
    await db.close();
  });
});

describe('recorder and review queries', () => {
  it('records tracks, boxes and events that the review queries return', async () => {
    const store = await open();
    // 2 cameras x 3 objects, 10 fps, tracks of 50 frames: 120 frames = 2.4 generations of tracks.
    for (let n = 0; n < 120; n++) expect(store.recorder.write(sceneBatch(n, { cameras: 2, objects: 3 })).ok).toBe(true);
    await store.recorder.flush();
    expect(store.recorder.stats()).toMatchObject({ batchesAccepted: 120, committedSeq: 120, detectionsCommitted: 720, thinnedDetections: 0 });

    const all = await store.queries.searchTracks({ limit: 500 });
    expect(all.tracks).toHaveLength(2 * 3 * 3);
    expect(all.nextCursor).toBeNull();
    const first = all.tracks.find((t) => t.camera === 'cam-0' && t.engineTrack === 1)!;
    expect(first).toMatchObject({ label: 'person', firstTime: t0, lastTime: t0 + 4900, ended: true });
    const detail = (await store.queries.track(first.id))!;
    expect(detail.path).toHaveLength(50);
    expect(detail.path[1]).toEqual({ time: t0 + 100, box: [15, 20, 40, 80], score: 0.51 });
    expect(detail.events.map((e) => e.kind)).toEqual(['track-start', 'track-end']);

    const tl = await store.queries.timeline({ from: t0, to: t0 + 60_000, bucketMs: 60_000, cameras: ['cam-1'], labels: ['car'] });
    expect(tl.buckets).toEqual([{ camera: 'cam-1', label: 'car', start: t0, detections: 120, tracks: 3 }]);

    const around = await store.queries.eventsAround({ time: t0 + 5000, windowMs: 100, cameras: ['cam-0'] });
    expect(around.map((e) => `${e.kind}@${e.time - t0}`)).toEqual([...Array(3).fill('track-end@4900'), ...Array(3).fill('track-start@5000')]);
    expect(around[0]?.label).toBe('person');
  });

  it('pages track search by time and filters by camera, label, score and time', async () => {
    const store = await open();
    for (let n = 0; n < 200; n++) store.recorder.write(sceneBatch(n, { cameras: 3, objects: 4, trackFrames: 20 }));
    await store.recorder.flush();
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await store.queries.searchTracks({ cameras: ['cam-2'], labels: ['person', 'car'], limit: 7, ...(cursor ? { cursor } : {}) });
      for (const t of r.tracks) {
        expect(t.camera).toBe('cam-2');
        expect(['person', 'car']).toContain(t.label);
        seen.push(t.firstTime);
      }
      if (!r.nextCursor) break;
      cursor = r.nextCursor;
    }
    expect(seen).toHaveLength(10 * 2); // 10 generations x 2 matching objects
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    const ranged = await store.queries.searchTracks({ from: t0 + 2000, to: t0 + 5999, limit: 500 });
    expect(ranged.tracks).toHaveLength(2 * 3 * 4);
    const strong = await store.queries.searchTracks({ minScore: 0.85, limit: 500 });
    expect(strong.tracks.every((t) => t.bestScore >= 0.85)).toBe(true);
    expect(strong.tracks.length).toBeGreaterThan(0);
    expect(strong.tracks.length).toBeLessThan(120);
    // More camera x label pairs than the per-pair index walks take: one filtered walk instead.
    const many = await store.queries.searchTracks({
      cameras: Array.from({ length: 20 }, (_, i) => `cam-${i}`),
      labels: ['person', 'car', 'dog', 'bicycle'],
      limit: 500,
    });
    expect(many.tracks).toHaveLength(120);
    expect(await store.queries.searchTracks({ cameras: ['no-such-camera'] })).toEqual({ tracks: [], nextCursor: null });
    await expect(store.queries.searchTracks({ cursor: 'nonsense' })).rejects.toThrow(/cursor .* start again/);
  });

  it('treats names in filters as data, never as SQL', async () => {
    const store = await open();
    const batch = sceneBatch(0, { cameras: 1, objects: 1 });
    batch.frames[0]!.camera = 'o\'brien"; DROP TABLE tracks; --';
    batch.events = [];
    store.recorder.write(batch);
    await store.recorder.flush();
    const r = await store.queries.searchTracks({ cameras: ['o\'brien"; DROP TABLE tracks; --'], labels: ["' OR 1=1 --"] });
    expect(r.tracks).toHaveLength(0);
    const r2 = await store.queries.searchTracks({ cameras: ['o\'brien"; DROP TABLE tracks; --'] });
    expect(r2.tracks).toHaveLength(1);
  });

  it('stores analytics events, zones entered and lines crossed, attributes, and searches by zone', async () => {
    const store = await open();
    const batch = sceneBatch(0, { cameras: 1, objects: 2 });
    const at = { camera: 'cam-0', time: t0, pts: 0 };
    store.recorder.write({
      ...batch,
      analytics: [
        { ...at, kind: 'enter', track: 1, label: 'person', zone: 'driveway', direction: null },
        { ...at, kind: 'cross', track: 1, label: 'person', zone: 'gate-line', direction: 'in' },
        { ...at, kind: 'exit', track: 2, label: 'person', zone: 'porch', direction: null },
        { ...at, kind: 'crowded', track: null, label: null, zone: 'driveway', direction: null },
      ],
      attributes: [{ camera: 'cam-0', track: 1, attributes: { colour: 'red' } }],
    });
    await store.recorder.flush();
    const r = await store.queries.searchTracks({ cameras: ['cam-0'], zone: 'driveway' });
    expect(r.tracks).toHaveLength(1);
    expect(r.tracks[0]).toMatchObject({ engineTrack: 1, zones: ['driveway', 'gate-line'], attributes: { colour: 'red' } });
    // Leaving a zone it was never seen entering does not make it a visitor.
    expect((await store.queries.searchTracks({ cameras: ['cam-0'], zone: 'porch' })).tracks).toHaveLength(0);
    const events = await store.queries.eventsAround({ time: t0, kinds: ['cross', 'crowded'] });
    expect(events.map((e) => [e.kind, e.zone, e.direction, e.label, e.trackId === null])).toEqual([
      ['cross', 'gate-line', 'in', 'person', false],
      ['crowded', 'driveway', null, null, true],
    ]);
    const found = await store.queries.searchEvents({ cameras: ['cam-0'], zones: ['driveway', 'porch'] });
    expect(found.map((e) => e.kind).sort()).toEqual(['crowded', 'enter', 'exit']);
    const page1 = await store.queries.searchEvents({ limit: 2 });
    const last = page1[page1.length - 1]!;
    const page2 = await store.queries.searchEvents({ limit: 10, before: last.time, beforeId: String(last.id) });
    expect([...page1, ...page2].map((e) => e.id)).toEqual([...new Set([...page1, ...page2].map((e) => e.id))]);
    expect(page1.length + page2.length).toBe(4);
  });

  it('two cameras with the same zone id do not mix: a zone filter is keyed by (camera, zone)', async () => {
    const store = await open();
    const batch = sceneBatch(0, { cameras: 2, objects: 2 });
    // Both cameras have a zone 'door'; on cam-0 track 1 enters it, on cam-1 track 2 does.
    store.recorder.write({
      ...batch,
      analytics: [
        { camera: 'cam-0', time: t0, pts: 0, kind: 'enter', track: 1, label: 'person', zone: 'door', direction: null },
        { camera: 'cam-1', time: t0 + 1, pts: 0, kind: 'enter', track: 2, label: 'person', zone: 'door', direction: null },
        { camera: 'cam-1', time: t0 + 2, pts: 0, kind: 'crowded', track: null, label: null, zone: 'door', direction: null },
      ],
    });
    await store.recorder.flush();
    const on0 = await store.queries.searchTracks({ cameras: ['cam-0'], zone: 'door' });
    expect(on0.tracks.map((t) => [t.camera, t.engineTrack])).toEqual([['cam-0', 1]]);
    const on1 = await store.queries.searchTracks({ cameras: ['cam-1'], zone: 'door' });
    expect(on1.tracks.map((t) => [t.camera, t.engineTrack])).toEqual([['cam-1', 2]]);
    const events0 = await store.queries.searchEvents({ cameras: ['cam-0'], zones: ['door'] });
    expect(events0.map((e) => [e.camera, e.kind])).toEqual([['cam-0', 'enter']]);
    const events1 = await store.queries.searchEvents({ cameras: ['cam-1'], zones: ['door'] });
    expect(events1.map((e) => [e.camera, e.kind]).sort()).toEqual([
      ['cam-1', 'crowded'],
      ['cam-1', 'enter'],
    ]);
    // A bare zone id (no camera, or several) would mix the two doors: refused, saying what to add.
    await expect(store.queries.searchTracks({ zone: 'door' })).rejects.toThrow(/zone needs its camera.*cameras: \[/);
    await expect(store.queries.searchTracks({ cameras: ['cam-0', 'cam-1'], zone: 'door' })).rejects.toThrow(/unique per camera only/);
    await expect(store.queries.searchEvents({ zones: ['door'] })).rejects.toThrow(/zones needs its camera/);
  });

  it('refuses a batch whose analytics event has an unknown kind, naming the field', async () => {
    const store = await open();
    const receipt = store.recorder.write({
      ...sceneBatch(0, { cameras: 1, objects: 1 }),
      analytics: [{ camera: 'cam-0', time: t0, pts: 0, kind: 'line-cross' as 'cross', track: 1, label: 'person', zone: 'gate', direction: 'in' }],
    });
    expect(receipt.ok).toBe(false);
    expect(receipt.error).toContain('analytics[0].kind must be enter, exit, cross, crowded, crowd-end or dwell');
  });

  it('keeps tracks apart when a restarted engine reuses its track ids', async () => {
    const store = await open();
    store.recorder.write(sceneBatch(0, { cameras: 1, objects: 1 }));
    store.recorder.startEngineRun();
    store.recorder.write(sceneBatch(100, { cameras: 1, objects: 1, trackBase: -2 })); // engine track 1 again
    await store.recorder.flush();
    const r = await store.queries.searchTracks({});
    expect(r.tracks.map((t) => t.engineTrack)).toEqual([1, 1]);
    expect(new Set(r.tracks.map((t) => t.id)).size).toBe(2);
    expect(r.tracks.map((t) => t.ended)).toEqual([false, true]); // the first run's track was closed by the restart
  });

  it("returns a camera's stored boxes within a time window, grouped by track (playback overlays)", async () => {
    const store = await open();
    // 2 cameras x 2 objects, 10 fps, tracks of 50 frames (5 s): 100 frames = two generations.
    for (let n = 0; n < 100; n++) store.recorder.write(sceneBatch(n, { cameras: 2, objects: 2 }));
    await store.recorder.flush();
    // [4.5 s, 5.5 s] on cam-1: the last 5 boxes of the first generation, the first 6 of the second.
    const r = await store.queries.trackPaths({ camera: 'cam-1', from: t0 + 4500, to: t0 + 5500 });
    expect(r.truncated).toBe(false);
    expect(r.tracks.map((t) => [t.engineTrack, t.label, t.points.length])).toEqual([
      [1, 'person', 5],
      [2, 'car', 5],
      [3, 'person', 6],
      [4, 'car', 6],
    ]);
    const second = r.tracks[2]!;
    expect(second.points[0]).toEqual({ time: t0 + 5000, box: [10, 20, 40, 80], score: 0.5 });
    expect(second.points.map((p) => p.time - t0)).toEqual([5000, 5100, 5200, 5300, 5400, 5500]);
    // The same boxes as the track's own path.
    const detail = (await store.queries.track(second.id))!;
    expect(second.points).toEqual(detail.path.slice(0, 6));
    // Another camera, an empty window, and refusals that say what to change.
    expect((await store.queries.trackPaths({ camera: 'nobody', from: t0, to: t0 + 1000 })).tracks).toEqual([]);
    expect((await store.queries.trackPaths({ camera: 'cam-0', from: t0 + 20_000, to: t0 + 30_000 })).tracks).toEqual([]);
    await expect(store.queries.trackPaths({ camera: 'cam-0', from: t0 + 10, to: t0 })).rejects.toThrow(/before 'from'.*swap/);
    await expect(store.queries.trackPaths({ camera: 'cam-0', from: t0, to: t0 + 3600_000 })).rejects.toThrow(/at most 600 s/);
  });

  it('finds the boxes of a track followed for hours (longer than the start-time lookback)', async () => {
    const store = await open();
    const hours7 = 7 * 3_600_000;
    // One object seen at t0 and again 7 h later (one track: its frames within one generation).
    store.recorder.write(sceneBatch(0, { cameras: 1, objects: 1, trackFrames: 1000 }));
    for (let n = 1; n < 4; n++) store.recorder.write(sceneBatch(n, { cameras: 1, objects: 1, trackFrames: 1000, start: t0 + hours7 - 100 }));
    await store.recorder.flush();
    const r = await store.queries.trackPaths({ camera: 'cam-0', from: t0 + hours7 - 1000, to: t0 + hours7 + 1000 });
    expect(r.tracks).toHaveLength(1);
    expect(r.tracks[0]!.points.map((p) => p.time - t0 - hours7)).toEqual([0, 100, 200]);
    // Its first box, 7 h back, is found through the start-time index as before.
    expect((await store.queries.trackPaths({ camera: 'cam-0', from: t0 - 1000, to: t0 + 1000 })).tracks[0]!.points).toHaveLength(1);
  });

  it('continues ids after reopening and closes tracks a crashed run left open', async () => {
    const dir = tempDir();
    const a = await open({ dataDir: dir });
    a.recorder.write(sceneBatch(1, { cameras: 1, objects: 2 })); // no start/end events: still open
    await a.recorder.flush();
    expect((await a.queries.searchTracks({})).tracks.every((t) => !t.ended)).toBe(true);
    await a.close();
    const b = await open({ dataDir: dir });
    b.recorder.write(sceneBatch(60, { cameras: 1, objects: 2 }));
    await b.recorder.flush();
    const tracks = (await b.queries.searchTracks({})).tracks;
    expect(tracks).toHaveLength(4);
    expect(new Set(tracks.map((t) => t.id)).size).toBe(4);
    expect(tracks.filter((t) => t.ended)).toHaveLength(2);
  });

  it('records boxes at the camera policy rate but counts every sighting on the timeline', async () => {
    const store = await open();
    store.recorder.setCameraPolicy('cam-1', { detectionsHz: 1 });
    for (let n = 0; n < 50; n++) store.recorder.write(sceneBatch(n, { cameras: 2, objects: 1 }));
    await store.recorder.flush();
    const tracks = (await store.queries.searchTracks({})).tracks;
    const every = (await store.queries.track(tracks.find((t) => t.camera === 'cam-0')!.id))!;
    const slow = (await store.queries.track(tracks.find((t) => t.camera === 'cam-1')!.id))!;
    expect(every.path).toHaveLength(50);
    expect(slow.path.map((p) => p.time - t0)).toEqual([0, 1000, 2000, 3000, 4000]);
    const tl = await store.queries.timeline({ from: t0, to: t0 + 60_000, bucketMs: 60_000, cameras: ['cam-1'] });
    expect(tl.buckets[0]?.detections).toBe(50);
    expect(() => store.recorder.setCameraPolicy('cam-1', { detectionsHz: 0 })).toThrow(/detectionsHz must be 'every-frame' or a number from 0.1 to 60/);
  });

  it('answers timeline queries at any zoom, from minute, 5-minute and hour rollups', async () => {
    const store = await open();
    // One frame every 10 minutes for 6 hours, 1 camera x 2 objects.
    for (let n = 0; n < 36; n++) store.recorder.write(sceneBatch(n, { cameras: 1, objects: 2, fps: 1 / 600, trackFrames: 1000 }));
    await store.recorder.flush();
    const hours = await store.queries.timeline({ from: t0, to: t0 + 6 * 3_600_000, bucketMs: 3_600_000, labels: ['person'] });
    expect(hours.bucketMs).toBe(3_600_000);
    expect(hours.buckets.map((b) => [(b.start - t0) / 3_600_000, b.detections])).toEqual([0, 1, 2, 3, 4, 5].map((h) => [h, 6]));
    const tenMin = await store.queries.timeline({ from: t0 + 60_000, to: t0 + 3_600_000, bucketMs: 20 * 60_000, labels: ['car'] });
    expect(tenMin.buckets.map((b) => [(b.start - t0) / 60_000, b.detections])).toEqual([
      [1, 2],
      [21, 2],
      [41, 1],
    ]);
    const five = await store.queries.timeline({ from: t0, to: t0 + 3_600_000, bucketMs: 30 * 60_000 });
    expect(five.buckets.filter((b) => b.label === 'car').map((b) => b.detections)).toEqual([3, 3]);
    const sub = await store.queries.timeline({ from: t0, to: t0 + 120_000, bucketMs: 5000 });
    expect(sub.bucketMs).toBe(60_000);
    await expect(store.queries.timeline({ from: t0, to: t0 - 1, bucketMs: 60_000 })).rejects.toThrow(/'to' .* must be after 'from'/);
  });
});

describe('timeline rollups', () => {
  it('gives the same counts from the coarse rollups as from minutes, for any start, end and bucket', async () => {
    const store = await open();
    // One frame a minute for 7 hours, 2 cameras x 3 objects; tracks restart every 17 minutes.
    for (let n = 0; n < 420; n++) store.recorder.write(sceneBatch(n, { cameras: 2, objects: 3, fps: 1 / 60, trackFrames: 17 }));
    await store.recorder.flush();
    const minutes = await store.queries.timeline({ from: t0, to: t0 + 7 * 3_600_000, bucketMs: 60_000 });
    const cases = [
      { from: t0 + 7 * 60_000, to: t0 + 5 * 3_600_000 + 13 * 60_000 + 500, bucketMs: 15 * 60_000 },
      { from: t0 + 3 * 60_000, to: t0 + 6 * 3_600_000, bucketMs: 3_600_000 },
      { from: t0 + 3_600_000, to: t0 + 7 * 3_600_000, bucketMs: 2 * 3_600_000, cameras: ['cam-1'] },
      { from: t0 + 41 * 60_000, to: t0 + 4 * 3_600_000, bucketMs: 10 * 60_000, labels: ['car'] },
      { from: t0, to: t0 + 7 * 3_600_000, bucketMs: 7 * 60_000 },
    ];
    for (const q of cases) {
      const got = await store.queries.timeline(q);
      const want = new Map<string, { detections: number; tracks: number }>();
      for (const b of minutes.buckets) {
        if (b.start < q.from || b.start >= q.to || (q.cameras && !q.cameras.includes(b.camera)) || (q.labels && !q.labels.includes(b.label))) continue;
        const start = q.from + Math.floor((b.start - q.from) / q.bucketMs) * q.bucketMs;
        const key = `${b.camera}|${b.label}|${start}`;
        const w = want.get(key) ?? { detections: 0, tracks: 0 };
        w.detections += b.detections;
        w.tracks += b.tracks;
        want.set(key, w);
      }
      const gotMap = new Map(got.buckets.map((b) => [`${b.camera}|${b.label}|${b.start}`, { detections: b.detections, tracks: b.tracks }]));
      expect(gotMap, JSON.stringify(q)).toEqual(want);
      expect(got.buckets.length).toBeGreaterThan(0);
    }
  });
});

describe('box packing', () => {
  it('packs boxes into one integer and the track query unpacks them, clamping to 0 ... 8191 px', async () => {
    const store = await open();
    const batch = sceneBatch(0, { cameras: 1, objects: 3 });
    batch.frames[0]!.objects[0]!.box = [7680.4, 4319.6, 1, 8191];
    batch.frames[0]!.objects[1]!.box = [-12, 3, 9000, 0.4];
    batch.frames[0]!.objects[2]!.box = [0, 0, 0, 0];
    store.recorder.write(batch);
    await store.recorder.flush();
    const ids = (await store.queries.searchTracks({})).tracks.sort((a, b) => a.engineTrack - b.engineTrack).map((t) => t.id);
    const boxes = await Promise.all(ids.map(async (id) => (await store.queries.track(id))!.path[0]!.box));
    expect(boxes).toEqual([
      [7680, 4320, 1, 8191],
      [0, 3, 8191, 0],
      [0, 0, 0, 0],
    ]);
  });
});

describe('bad input', () => {
  const bad: [string, (b: MetadataBatch) => unknown, RegExp][] = [
    ['a box with three numbers', (b) => ((b.frames[0]!.objects[0]!.box as number[]) = [1, 2, 3]), /frames\[0\]\.objects\[0\]\.box must be 4 finite numbers/],
    ['a NaN score', (b) => (b.frames[0]!.objects[0]!.score = Number.NaN), /frames\[0\]\.objects\[0\]\.score must be a finite number/],
    ['time in seconds', (b) => (b.frames[0]!.time = 1_700_000_000), /frames\[0\]\.time must be wall-clock ms/],
    ['a missing camera', (b) => ((b.frames[0] as { camera?: string }).camera = undefined), /frames\[0\]\.camera must be a non-empty string/],
    ['an unknown event kind', (b) => ((b.events[0] as { kind: string }).kind = 'begin'), /events\[0\]\.kind must be 'start', 'update' or 'end'/],
    ['frames that are not a list', (b) => ((b as { frames: unknown }).frames = 'x'), /batch\.frames must be an array/],
  ];
  for (const [what, spoil, message] of bad) {
    it(`rejects a batch with ${what}, logs why, and loses nothing else`, async () => {
      const logs: string[] = [];
      const store = await open({ logs });
      store.recorder.write(sceneBatch(0, { cameras: 1, objects: 2 }));
      const broken = sceneBatch(1, { cameras: 1, objects: 2 });
      broken.events = sceneBatch(0, { cameras: 1, objects: 2 }).events;
      spoil(broken);
      const receipt = store.recorder.write(broken);
      expect(receipt.ok).toBe(false);
      store.recorder.write(sceneBatch(2, { cameras: 1, objects: 2 }));
      await store.recorder.flush();
      expect(logs.filter((l) => l.startsWith('recorder: rejected a malformed metadata batch'))).toHaveLength(1);
      expect(logs[0]).toMatch(message);
      expect(store.recorder.stats()).toMatchObject({ batchesRejected: 1, batchesAccepted: 2, detectionsCommitted: 4 });
      const track = (await store.queries.track((await store.queries.searchTracks({})).tracks[0]!.id))!;
      expect(track.path.map((p) => p.time - t0)).toEqual([0, 200]);
    });
  }
  it('rejects things that are not batches at all', async () => {
    const logs: string[] = [];
    const store = await open({ logs });
    for (const junk of [null, 42, 'frames', [], { frames: [] }]) expect(store.recorder.write(junk as never).ok).toBe(false);
    expect(logs).toHaveLength(5);
  });
});

/** A disk that commits slowly: the sqlite3 driver with a delay before every transaction (a stand-in for slow storage). */
function slowDisk(delayMs: number): DriverOpener {
  return async (file, options) => {
    const db = await openSqlite3(file, options);
    const batch = db.batch.bind(db);
    db.batch = async (steps) => {
      await new Promise((r) => setTimeout(r, delayMs));
      return batch(steps);
    };
    return db;
  };
}

describe('back-pressure', () => {
  it('thins boxes (never tracks or events) when the disk cannot keep up, with bounded memory (slow disk simulated)', async () => {
    const logs: string[] = [];
    const store = await open({ logs, driver: slowDisk(150), maxQueuedDetections: 2000, batchDetections: 500 });
    let maxQueued = 0;
    for (let n = 0; n < 300; n++) {
      store.recorder.write(sceneBatch(n, { cameras: 4, objects: 10, trackFrames: 100 }));
      maxQueued = Math.max(maxQueued, store.recorder.stats().queuedDetections);
      if (n % 20 === 0) await new Promise((r) => setTimeout(r, 10));
    }
    const during = store.recorder.stats();
    expect(during.pressure).toBe(true);
    await store.recorder.flush();
    const s = store.recorder.stats();
    expect(maxQueued).toBeLessThanOrEqual(2000);
    expect(s.thinnedDetections).toBeGreaterThan(0);
    expect(s.detectionsCommitted + s.thinnedDetections).toBe(300 * 40);
    expect(logs.some((l) => /the disk is not keeping up .* tracks and events are all kept/.test(l))).toBe(true);
    const tracks = await store.queries.searchTracks({ limit: 500 });
    expect(tracks.tracks).toHaveLength(3 * 40);
    const events = await store.queries.eventsAround({ time: t0 + 15_000, windowMs: 20_000, limit: 1000 });
    expect(events).toHaveLength(3 * 40 * 2);
  });
});

describe('snapshots, segments and retention', () => {
  it('writes snapshots under the data directory and keeps their relative path', async () => {
    const store = await open();
    const jpeg = new Uint8Array([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    // The snapshot may overtake the metadata of its track.
    const rel = await store.recorder.saveSnapshot({ camera: 'cam-0', track: 1, frame: 0, time: t0, jpeg });
    store.recorder.write(sceneBatch(0, { cameras: 1, objects: 1 }));
    await store.recorder.flush();
    const [track] = (await store.queries.searchTracks({})).tracks;
    expect(track?.snapshot).toEqual({ path: rel, bytes: 7 });
    expect(rel).not.toMatch(/^\//);
    expect(readFileSync(join(store.dataDir, rel))).toEqual(Buffer.from(jpeg));
    await expect(store.recorder.saveSnapshot({ camera: 'cam-0', track: 1, frame: 0, time: t0, jpeg: new Uint8Array() })).rejects.toThrow(/JPEG is empty/);
  });

  it('deletes old tracks, boxes, events, snapshots and segments together by age', async () => {
    const store = await open();
    const day = 86_400_000;
    for (const [k, start] of [
      [0, t0 - 10 * day],
      [1, t0],
    ] as const) {
      for (let n = 0; n < 10; n++) store.recorder.write(sceneBatch(n, { cameras: 1, objects: 2, start, trackBase: k * 100 }));
      await store.recorder.saveSnapshot({ camera: 'cam-0', track: k * 100 + 1, frame: 0, time: start, jpeg: new Uint8Array(100).fill(1) });
      const seg = join(store.dataDir, 'segments', `${k}.mp4`);
      store.recorder.addSegment({ camera: 'cam-0', start, end: start + 60_000, path: seg, bytes: 1000 });
    }
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(store.dataDir, 'segments'), { recursive: true });
    await writeFile(join(store.dataDir, 'segments', '0.mp4'), 'old');
    await writeFile(join(store.dataDir, 'segments', '1.mp4'), 'new');
    await store.recorder.flush();
    const before = (await store.queries.searchTracks({})).tracks;
    const oldSnap = before.find((t) => t.firstTime < t0 && t.engineTrack === 1)!.snapshot!.path;
    expect(existsSync(join(store.dataDir, oldSnap))).toBe(true);

    // The disk figure's media totals (kept by triggers) follow inserts and deletes.
    const sums = async () => {
      const db = await raw(store.file);
      const [row] = await db.query<{ snap: number; seg: number }>(
        'SELECT (SELECT coalesce(sum(snapshot_bytes), 0) FROM tracks) AS snap, (SELECT coalesce(sum(bytes), 0) FROM segments) AS seg',
      );
      await db.close();
      return { snapshotBytes: row!.snap, segmentBytes: row!.seg };
    };
    expect(await store.queries.usage()).toMatchObject({ snapshotBytes: 200, segmentBytes: 2000 });
    expect(await sums()).toEqual({ snapshotBytes: 200, segmentBytes: 2000 });
    const r = await store.retention.run({ maxAgeDays: 7 }, t0 + 1000);
    expect(r).toMatchObject({ tracksDeleted: 2, detectionsDeleted: 20, segmentsDeleted: 1, filesDeleted: 2 });
    expect(await store.queries.usage()).toMatchObject({ snapshotBytes: 100, segmentBytes: 1000 });
    expect(await sums()).toEqual({ snapshotBytes: 100, segmentBytes: 1000 });
    const after = (await store.queries.searchTracks({})).tracks;
    expect(after.every((t) => t.firstTime >= t0)).toBe(true);
    expect(after).toHaveLength(2);
    expect(existsSync(join(store.dataDir, oldSnap))).toBe(false);
    expect(existsSync(join(store.dataDir, 'segments', '0.mp4'))).toBe(false);
    expect(existsSync(join(store.dataDir, 'segments', '1.mp4'))).toBe(true);
    const journal = await raw(store.file);
    expect(await journal.query('SELECT path FROM media_deletes')).toEqual([]); // done: nothing left for the next start
    await journal.close();
    expect((await store.queries.segments({ from: 0, to: t0 * 2 })).map((s) => s.path)).toEqual(['segments/1.mp4']);
    expect((await store.queries.timeline({ from: t0 - 11 * day, to: t0 - 9 * day, bucketMs: 3_600_000 })).buckets).toEqual([]);
    expect(() => store.recorder.addSegment({ camera: 'cam-0', start: t0, end: t0 + 1, path: '/etc/passwd', bytes: 1 })).toThrow(/outside the data directory/);
  });

  it('finishes the file deletes a retention run committed but could not do (it stopped in between), at the next start', async () => {
    const store = await open();
    const jpeg = new Uint8Array(10).fill(7);
    const kept = await store.recorder.saveSnapshot({ camera: 'cam-0', track: 1, frame: 0, time: t0, jpeg });
    const lost = await store.recorder.saveSnapshot({ camera: 'cam-0', track: 2, frame: 0, time: t0, jpeg });
    store.recorder.write(sceneBatch(0, { cameras: 1, objects: 2 }));
    await store.recorder.flush();
    await store.close();
    // What retention's transaction leaves when the process dies before its unlinks: the row gone, the
    // path journalled, the file still there.
    const db = await raw(store.file);
    await db.batch([
      { sql: 'DELETE FROM tracks WHERE snapshot_path = ?', params: [lost] },
      { sql: 'INSERT INTO media_deletes (path) VALUES (?), (?)', params: [lost, 'snapshots/2020-01-01/1/gone-already.jpg'] },
    ]);
    await db.close();
    expect(existsSync(join(store.dataDir, lost))).toBe(true);
    const again = await open({ dataDir: store.dataDir });
    expect(await again.interruptedDeletes).toBe(1); // the other path was already gone: nothing to remove
    expect(existsSync(join(store.dataDir, lost))).toBe(false);
    expect(existsSync(join(store.dataDir, kept))).toBe(true);
    await again.recorder.flush();
    const check = await raw(again.file);
    expect(await check.query('SELECT path FROM media_deletes')).toEqual([]);
    await check.close();
  });

  it('counts the write-ahead log as disk in use, and the size limit gives it back first', async () => {
    const store = await open();
    for (let n = 0; n < 300; n++) store.recorder.write(sceneBatch(n, { cameras: 2, objects: 10 }));
    await store.recorder.flush();
    const usage = await store.queries.usage();
    expect(usage.walBytes).toBe(statSync(`${store.file}-wal`).size);
    expect(usage.walBytes).toBeGreaterThan(0);
    expect(usage.totalBytes).toBe(usage.databaseBytes + usage.walBytes + usage.snapshotBytes + usage.segmentBytes);
    // A limit the data fits in without its log: the checkpoint alone brings the store under it.
    const r = await store.retention.run({ maxBytes: usage.databaseBytes + 1 });
    expect(r.tracksDeleted).toBe(0);
    expect((await store.queries.usage()).walBytes).toBe(0);
  });

  it('deletes the oldest data until the store fits the size limit, while the recorder keeps writing', async () => {
    const store = await open();
    for (let n = 0; n < 2000; n++) store.recorder.write(sceneBatch(n, { cameras: 4, objects: 10, trackFrames: 100 }));
    await store.recorder.flush();
    const usage = await store.queries.usage();
    const limit = Math.floor((usage.totalBytes - usage.walBytes) * 0.6); // the data itself must shrink
    const newest = (await store.queries.searchTracks({ limit: 1 })).tracks[0]!;
    const running = store.retention.run({ maxBytes: limit });
    for (let n = 2000; n < 2050; n++) store.recorder.write(sceneBatch(n, { cameras: 4, objects: 10, trackFrames: 100 }));
    const r = await running;
    await store.recorder.flush();
    expect(r.tracksDeleted).toBeGreaterThan(0);
    expect(r.bytesAfter).toBeLessThanOrEqual(limit);
    expect(await store.queries.track(newest.id)).not.toBeNull();
    const oldest = (await store.queries.searchTracks({ limit: 500 })).tracks.at(-1)!;
    expect(oldest.firstTime).toBeGreaterThan(t0);
    expect(store.recorder.stats().committedSeq).toBe(2050);
    expect(statSync(store.file).size).toBeGreaterThan(0);
  });
});
