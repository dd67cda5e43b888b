// Video segments in the store: events mode keeps only segments overlapping a track of the chosen
// labels or a zone event ± the rolls; a camera's size limit deletes its oldest segments first; files
// go with their rows; segment file names carry their start time.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite3 } from '../../../main/store/driver.js';
import { segmentNameTime } from '../../../main/store/segments.js';
import { openStore, type Store } from '../../../main/store/store.js';

const T0 = Date.UTC(2026, 11, 2, 8, 0, 0);
const dirs: string[] = [];
const stores: Store[] = [];

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function storeWithSegments(camera: string, spans: [number, number][], pendingEvents: boolean, bytes = 1000) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-segments-'));
  dirs.push(dataDir);
  const store = await openStore({ dataDir, maxDelayMs: 10, log: () => undefined });
  stores.push(store);
  mkdirSync(join(dataDir, 'segments', camera), { recursive: true });
  const files = spans.map(([s, e], i) => {
    const path = join(dataDir, 'segments', camera, `seg${i}.mp4`);
    writeFileSync(path, Buffer.alloc(bytes));
    store.recorder.addSegment({ camera, start: T0 + s * 1000, end: T0 + e * 1000, path, bytes, codec: 'h264', width: 640, height: 480, pendingEvents });
    return path;
  });
  await store.recorder.flush();
  return { store, files };
}

async function kept(store: Store, camera: string): Promise<number[]> {
  const rows = await store.queries.segments({ from: 0, to: T0 + 3_600_000, cameras: [camera] });
  return rows.map((r) => (r.start - T0) / 1000);
}

describe('video segments', () => {
  it('events mode keeps the segments overlapping a chosen-label track or a zone event ± the rolls, deletes the others with their files', async () => {
    const spans: [number, number][] = [0, 10, 20, 30, 40, 50, 60].map((s) => [s, s + 10]);
    const { store, files } = await storeWithSegments('gate', spans, true);
    // Tracks and zone events, written beside the store's own connection (WAL): a person at 25–27 s,
    // a car at 45–46 s (not a chosen label), a zone event at 11 s and one at 58.5 s.
    const db = await openSqlite3(store.file, { readonly: false });
    const [cam] = await db.query<{ id: number }>("SELECT id FROM cameras WHERE name = 'gate'");
    const track = (label: string, f: number, l: number) =>
      db.run(
        `INSERT INTO tracks (run_id, camera_id, engine_track, label, class_id, first_time, last_time, best_score, best_time, best_box, ended)
         VALUES (1, ?, 1, ?, 0, ?, ?, 0.9, ?, '[0,0,1,1]', 1)`,
        [cam!.id, label, T0 + f * 1000, T0 + l * 1000, T0 + f * 1000],
      );
    await track('person', 25, 27);
    await track('car', 45, 46);
    for (const t of [11, 58.5]) await db.run("INSERT INTO events (time, camera_id, kind, zone) VALUES (?, ?, 'zone-enter', 'door')", [T0 + t * 1000, cam!.id]);
    await db.close();

    // At 80 s with rolls of 2 s: segments ending before 68 s are decided; 60–70 s waits.
    const r = await store.segments.decideEvents('gate', { preRollSeconds: 2, postRollSeconds: 2, eventLabels: ['person'] }, T0 + 80_000);
    expect(r).toEqual({ kept: 4, deleted: 2, files: 2 });
    expect(await kept(store, 'gate')).toEqual([0, 10, 20, 50, 60]);
    expect(files.map((f) => existsSync(f))).toEqual([true, true, true, false, false, true, true]);
    // Later the last one is decided too: the zone event at 58.5 s wants video until 60.5 s, so it stays.
    const later = await store.segments.decideEvents('gate', { preRollSeconds: 2, postRollSeconds: 2, eventLabels: ['person'] }, T0 + 200_000);
    expect(later).toEqual({ kept: 1, deleted: 0, files: 0 });
    // With no post-roll it would have gone: decided segments are not decided again.
    expect(await store.segments.decideEvents('gate', { preRollSeconds: 0, postRollSeconds: 0, eventLabels: [] }, T0 + 300_000)).toEqual({
      kept: 0,
      deleted: 0,
      files: 0,
    });
    expect(await kept(store, 'gate')).toEqual([0, 10, 20, 50, 60]);
  });

  it("a camera's size limit deletes its oldest segments first; other cameras keep theirs", async () => {
    const spans: [number, number][] = [0, 60, 120, 180, 240].map((s) => [s, s + 60]);
    const { store, files } = await storeWithSegments('yard', spans, false, 1000);
    store.recorder.addSegment({ camera: 'other', start: T0, end: T0 + 60_000, path: files[0]!.replace('seg0', 'other0'), bytes: 0 });
    writeFileSync(files[0]!.replace('seg0', 'other0'), '');
    await store.recorder.flush();
    expect(await store.segments.enforceLimits('yard', { maxAgeDays: 0, maxBytes: 2500 }, T0 + 400_000)).toBe(3);
    expect(await kept(store, 'yard')).toEqual([180, 240]);
    expect(files.map((f) => existsSync(f))).toEqual([false, false, false, true, true]);
    expect(await kept(store, 'other')).toEqual([0]);
    // By age: older than a day at 1 day + 200 s after T0 → those ending before 200 s go.
    expect(await store.segments.enforceLimits('yard', { maxAgeDays: 1, maxBytes: 0 }, T0 + 86_400_000 + 250_000)).toBe(1);
    expect(await kept(store, 'yard')).toEqual([240]);
  });

  it('reads the start time from a segment file name and nothing from other names', () => {
    expect(segmentNameTime('20261202T080000.123Z.mp4')).toBe(T0 + 123);
    expect(segmentNameTime('20261202T080000.123Z-2.mp4')).toBe(T0 + 123);
    expect(segmentNameTime('20261202T080000.123Z.mp4.part')).toBeNull();
    expect(segmentNameTime('../20261202T080000.123Z.mp4')).toBeNull();
    expect(segmentNameTime('notes.mp4')).toBeNull();
  });
});
