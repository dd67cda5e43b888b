// `npm run bench:store`: the recorder's sustained insert rate and the review queries' latency, with
// the `sqlite3` binding (Vigil's) and better-sqlite3 on the same workload, including how long each
// blocks the main thread (perf_hooks.monitorEventLoopDelay).
//
// better-sqlite3 13 needs Node >= 22 (on Node 20 its addon aborts while loading), so the bench
// falls back to better-sqlite3 12 (devDependency alias better-sqlite3-v12, the same engine on V8's
// API). npm's allowScripts policy skips their builds: `cd node_modules/better-sqlite3-v12 && npx
// node-gyp rebuild -j2` once; without a loadable one the bench says why and measures sqlite3 only.
//
// Options: --seconds=N (insert phase per binding, default 8), --detections=N (query database size,
// default 10 000 000), --queries=N (per query kind, default 200), --keep (leave the temp dir),
// --reuse=DIR (query a review database kept earlier instead of building one), --writer-cache-kib=N
// (the recorder connection's page cache, default the store's WRITER_CACHE_KIB).

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { MetadataBatch } from '../main/api/engine-types.js';
import { openSqlite3, SqlError, stepParams, type DriverOpener, type SqlDriver, type SqlParams, type SqlStep } from '../main/store/driver.js';
import { migrate } from '../main/store/schema.js';
import { openStore, WRITER_CACHE_KIB, type Store } from '../main/store/store.js';

const arg = (name: string, dflt: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : dflt;
};
const insertSeconds = arg('seconds', 8);
const targetDetections = arg('detections', 10_000_000);
const queriesPerKind = arg('queries', 200);
const keep = process.argv.includes('--keep');
const writerCacheKiB = arg('writer-cache-kib', WRITER_CACHE_KIB);
const quiet = (line: string): void => void (process.env.BENCH_VERBOSE && console.error(line));
const work = mkdtempSync(join(tmpdir(), 'vigil-bench-store-'));

// ---------------------------------------------------------------------------------------------
// better-sqlite3 behind the same SqlDriver interface (bench only: it is a devDependency).
const require = createRequire(import.meta.url);

interface BetterStatement {
  run(...p: unknown[]): { changes: number };
  all(...p: unknown[]): unknown[];
  reader: boolean;
}
interface BetterDb {
  prepare(sql: string): BetterStatement;
  exec(sql: string): void;
  close(): void;
}
type BetterCtor = new (file: string, opts: { readonly?: boolean; timeout?: number }) => BetterDb;

function loadBetter(): { ctor: BetterCtor; name: string } | { error: string } {
  const errors: string[] = [];
  for (const pkg of ['better-sqlite3', 'better-sqlite3-v12']) {
    try {
      // Loading the addon in a child first: a binding that cannot run on this Node aborts the process.
      const probe = require('node:child_process').spawnSync(process.execPath, ['-e', `new (require(${JSON.stringify(pkg)}))(':memory:')`], {
        encoding: 'utf8',
      }) as { status: number | null; signal: string | null; stderr: string };
      if (probe.status !== 0) {
        errors.push(
          `${pkg}@${(require(`${pkg}/package.json`) as { version: string }).version}: cannot load on Node ${process.version} (${probe.signal ?? `exit ${probe.status}`}: ${
            probe.stderr
              .split('\n')
              .find((l) => /error/i.test(l))
              ?.trim() ?? 'no message'
          })`,
        );
        continue;
      }
      return { ctor: require(pkg) as BetterCtor, name: `${pkg}@${(require(`${pkg}/package.json`) as { version: string }).version}` };
    } catch (err) {
      errors.push(`${pkg}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return { error: errors.join('; ') };
}

function betterOpener(Better: BetterCtor, name: string): DriverOpener {
  return async (file, options) => {
    const db = new Better(file, { readonly: options.readonly, timeout: 5000 });
    const cache = new Map<string, BetterStatement>();
    const stmt = (sql: string): BetterStatement => {
      let s = cache.get(sql);
      if (!s) {
        s = db.prepare(sql);
        cache.set(sql, s);
      }
      return s;
    };
    const wrap = <T>(sql: string, f: () => T): T => {
      try {
        return f();
      } catch (err) {
        throw new SqlError(err, sql);
      }
    };
    const driver: SqlDriver = {
      kind: name,
      exec: async (sql) => wrap(sql, () => db.exec(sql)),
      run: async (sql, params: SqlParams = []) => wrap(sql, () => ({ changes: stmt(sql).run(...params).changes })),
      query: async <T>(sql: string, params: SqlParams = []) =>
        wrap(sql, () => {
          const s = stmt(sql);
          if (s.reader) return s.all(...params) as T[];
          s.run(...params);
          return [] as T[];
        }),
      batch: async (steps: readonly SqlStep[]) => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const out = steps.map((s) => wrap(s.sql, () => stmt(s.sql).run(...stepParams(s)).changes));
          db.exec('COMMIT');
          return out;
        } catch (err) {
          db.exec('ROLLBACK');
          throw err;
        }
      },
      close: async () => db.close(),
    };
    return driver;
  };
}

// ---------------------------------------------------------------------------------------------
const cameras = 16;
const objectsPerFrame = 20;
const labels = ['person', 'car', 'bicycle', 'dog'];

/** One engine batch: one frame from each of 16 cameras, 20 tracked objects each. */
function engineBatch(n: number, t0: number): MetadataBatch {
  const time = t0 + n * 40; // 25 fps
  const generation = Math.floor(n / 250); // tracks last 10 s
  const phase = n % 250;
  const frames = [];
  const events = [];
  for (let c = 0; c < cameras; c++) {
    const camera = `cam-${c}`;
    const objects = [];
    for (let j = 0; j < objectsPerFrame; j++) {
      const track = generation * objectsPerFrame + j + 1;
      const label = labels[j % 4]!;
      const box: [number, number, number, number] = [100 + phase * 3 + j * 10, 200 + j * 15, 60 + (j % 5), 120 + (j % 7)];
      const score = 0.4 + ((j * 13 + phase) % 60) / 100;
      objects.push({ track, classId: j % 4, label, score, box, inferred: false });
      if (phase === 0 || phase === 249) {
        events.push({
          kind: phase === 0 ? ('start' as const) : ('end' as const),
          camera,
          track,
          classId: j % 4,
          label,
          time,
          box,
          score,
          best: { frame: n, time, score, box },
        });
      }
    }
    frames.push({ camera, frame: n, pts: n / 25, time, width: 1920, height: 1080, objects });
  }
  return { frames, events };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const ms = (v: number): string => `${v.toFixed(v < 10 ? 2 : 1)} ms`;

interface InsertFigures {
  binding: string;
  detectionsPerSecond: number;
  committed: number;
  thinned: number;
  loopP50: number;
  loopP99: number;
  loopMax: number;
  commitMs: number;
}

async function insertBench(opener: DriverOpener, label: string): Promise<InsertFigures> {
  const dir = mkdtempSync(join(work, 'insert-'));
  const store = await openStore({ dataDir: dir, driver: opener, log: quiet, writerCacheKiB });
  const t0 = Date.UTC(2026, 0, 1);
  let n = 0;
  let commits = 0;
  let commitMsTotal = 0;
  let prepareMsTotal = 0;
  let prepareMsMax = 0;
  let writeMs = 0;
  store.recorder.onCommit((c) => {
    commits++;
    commitMsTotal += c.ms;
    prepareMsTotal += c.prepareMs;
    prepareMsMax = Math.max(prepareMsMax, c.prepareMs);
  });
  const loop = monitorEventLoopDelay({ resolution: 2 });
  loop.enable();
  const start = performance.now();
  const deadline = start + insertSeconds * 1000;
  // The engine side: one batch per event-loop turn, as fast as the recorder drains them (without making it thin).
  while (performance.now() < deadline) {
    if (store.recorder.stats().queuedDetections > 60_000) await new Promise((r) => setTimeout(r, 1));
    else {
      const batch = engineBatch(n++, t0);
      const w = performance.now();
      store.recorder.write(batch);
      writeMs += performance.now() - w;
      await new Promise((r) => setImmediate(r));
    }
  }
  await store.recorder.flush();
  const elapsed = (performance.now() - start) / 1000;
  loop.disable();
  const s = store.recorder.stats();
  await store.close();
  const size = statSync(join(dir, 'vigil.db')).size;
  rmSync(dir, { recursive: true, force: true });
  const f: InsertFigures = {
    binding: label,
    detectionsPerSecond: Math.round(s.detectionsCommitted / elapsed),
    committed: s.detectionsCommitted,
    thinned: s.thinnedDetections,
    loopP50: loop.percentile(50) / 1e6,
    loopP99: loop.percentile(99) / 1e6,
    loopMax: loop.max / 1e6,
    commitMs: commitMsTotal / Math.max(1, commits),
  };
  console.log(
    `insert [${label}]: ${f.detectionsPerSecond.toLocaleString('en')} detections/s sustained (${f.committed.toLocaleString('en')} in ${elapsed.toFixed(1)} s, ` +
      `${cameras} cameras x ${objectsPerFrame} objects/frame, ${f.thinned} thinned, ${(size / f.committed).toFixed(1)} bytes/detection on disk); ` +
      `mean transaction ${ms(f.commitMs)}; main thread: write() ${ms(writeMs / Math.max(1, n))} per batch, building each transaction ${ms(prepareMsTotal / Math.max(1, commits))} in slices (max ${ms(prepareMsMax)}), ` +
      `event-loop delay p50 ${ms(f.loopP50)}, p99 ${ms(f.loopP99)}, max ${ms(f.loopMax)}`,
  );
  return f;
}

// ---------------------------------------------------------------------------------------------
// The review database: a week of 16 cameras, tracks of 60 boxes (1 Hz recording), generated in SQL.
const weekStart = Date.UTC(2026, 0, 5);
const boxesPerTrack = 60;

async function buildReviewDatabase(dir: string): Promise<{ tracks: number; seconds: number; bytes: number }> {
  const file = join(dir, 'vigil.db');
  const started = performance.now();
  const db = await openSqlite3(file, { readonly: false });
  await migrate(db, file);
  // A throwaway build: no journal, no fsync. The store switches the file to WAL when it opens it.
  await db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;');
  const tracks = Math.ceil(targetDetections / boxesPerTrack);
  const spacing = Math.floor((7 * 86_400_000) / tracks);
  await db.exec(`INSERT INTO cameras (id, name, created_at) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${cameras}) SELECT i, 'cam-' || (i - 1), ${weekStart} FROM c;
    INSERT INTO runs VALUES (1, ${weekStart});`);
  const chunk = 25_000;
  for (let first = 0; first < tracks; first += chunk) {
    const last = Math.min(tracks, first + chunk) - 1;
    await db.exec(`BEGIN;
      INSERT INTO tracks (id, run_id, camera_id, engine_track, label, class_id, first_time, last_time, best_score, best_time, best_box, ended)
        WITH RECURSIVE s(i) AS (SELECT ${first} UNION ALL SELECT i + 1 FROM s WHERE i < ${last})
        SELECT i + 1, 1, i % ${cameras} + 1, i, CASE WHEN i % 10 < 6 THEN 'person' WHEN i % 10 < 9 THEN 'car' WHEN i % 20 = 9 THEN 'bicycle' ELSE 'dog' END,
               CASE WHEN i % 10 < 6 THEN 0 WHEN i % 10 < 9 THEN 2 WHEN i % 20 = 9 THEN 1 ELSE 16 END,
               ${weekStart} + i * ${spacing}, ${weekStart} + i * ${spacing} + ${(boxesPerTrack - 1) * 1000},
               0.3 + (i * 7919 % 700) / 1000.0, ${weekStart} + i * ${spacing} + 5000, '[100,200,60,120]', 1 FROM s;
      INSERT INTO detections (track_id, dt, box, score)
        WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < ${boxesPerTrack - 1})
        SELECT t.id, k.j * 1000, (((100 + k.j * 7) * 8192 + 200 + t.id % 300) * 8192 + 60) * 8192 + 120, 300 + (t.id * 31 + k.j) % 700
          FROM tracks t, k WHERE t.id BETWEEN ${first + 1} AND ${last + 1} ORDER BY t.id, k.j;
      INSERT INTO events (time, camera_id, track_id, kind)
        SELECT first_time, camera_id, id, 'track-start' FROM tracks WHERE id BETWEEN ${first + 1} AND ${last + 1}
        UNION ALL SELECT last_time, camera_id, id, 'track-end' FROM tracks WHERE id BETWEEN ${first + 1} AND ${last + 1};
      INSERT INTO track_zones (zone, track_id) SELECT 'zone-' || (id % 3), id FROM tracks WHERE id BETWEEN ${first + 1} AND ${last + 1} AND id % 4 = 0;
      COMMIT;`);
  }
  await db.exec(`INSERT INTO timeline_minute (minute, camera_id, label, detections, tracks)
      SELECT m, camera_id, label, sum(d), sum(s) FROM (
        SELECT (t.first_time + k.j * 1000) / 60000 AS m, t.camera_id, t.label, 1 AS d, 0 AS s
          FROM tracks t, (WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < ${boxesPerTrack - 1}) SELECT j FROM k) k
        UNION ALL SELECT first_time / 60000, camera_id, label, 0, 1 FROM tracks
      ) GROUP BY m, camera_id, label;
    INSERT INTO timeline_5min (five, camera_id, label, detections, tracks)
      SELECT minute / 5, camera_id, label, sum(detections), sum(tracks) FROM timeline_minute GROUP BY minute / 5, camera_id, label;
    INSERT INTO timeline_hour (hour, camera_id, label, detections, tracks)
      SELECT minute / 60, camera_id, label, sum(detections), sum(tracks) FROM timeline_minute GROUP BY minute / 60, camera_id, label;
    ANALYZE;`);
  const [count] = await db.query<{ n: number }>('SELECT count(*) AS n FROM detections');
  await db.close();
  const seconds = (performance.now() - started) / 1000;
  const bytes = statSync(file).size;
  console.log(
    `review database: ${count?.n.toLocaleString('en')} detections, ${tracks.toLocaleString('en')} tracks, ${cameras} cameras over 7 days, ` +
      `${(bytes / 1e6).toFixed(0)} MB, built in ${seconds.toFixed(1)} s`,
  );
  return { tracks, seconds, bytes };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Runs `n` queries one after another (yielding to the event loop between them) and keeps each one's time under its tag. */
async function timed(
  n: number,
  run: (i: number) => Promise<string | void>,
): Promise<{ p50: number; p95: number; max: number; byTag: string; cpuMs: number; n: number }> {
  const t: number[] = [];
  const tags = new Map<string, number[]>();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    await new Promise((r) => setImmediate(r));
    const s = performance.now();
    const tag = await run(i);
    const d = performance.now() - s;
    t.push(d);
    if (tag) tags.set(tag, [...(tags.get(tag) ?? []), d]);
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / n;
  t.sort((a, b) => a - b);
  const byTag = [...tags]
    .map(
      ([k, v]) =>
        `${k} p95 ${percentile(
          v.sort((a, b) => a - b),
          95,
        ).toFixed(1)}`,
    )
    .join('; ');
  return { p50: percentile(t, 50), p95: percentile(t, 95), max: t[t.length - 1]!, byTag, cpuMs, n };
}

async function queryBench(
  store: Store,
  label: string,
  tracks: number,
): Promise<Record<string, { p50: number; p95: number; byTag: string; cpuMs: number; n: number }>> {
  const r = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const cam = (): string => `cam-${Math.floor(r() * cameras)}`;
  const zooms = [
    { span: 3_600_000, bucket: 60_000 }, // an hour by minute
    { span: 6 * 3_600_000, bucket: 5 * 60_000 },
    { span: 86_400_000, bucket: 15 * 60_000 }, // a day by quarter hour
    { span: 86_400_000, bucket: 3_600_000 },
    { span: 7 * 86_400_000, bucket: 3_600_000 }, // the week by hour
  ];
  const loop = monitorEventLoopDelay({ resolution: 2 });
  loop.enable();
  const out: Record<string, { p50: number; p95: number; byTag: string; cpuMs: number; n: number }> = {};
  out.timeline = await timed(queriesPerKind, async () => {
    const z = pick(zooms);
    // The timeline view snaps its start to a bucket boundary (so buckets sit on the clock).
    const from = Math.floor((weekStart + r() * (7 * 86_400_000 - z.span)) / z.bucket) * z.bucket;
    const filter = r();
    const tag = `${z.span / 3_600_000}h/${z.bucket / 60_000}min${filter < 0.3 ? '+cams' : filter < 0.5 ? '+label' : ''}`;
    await store.queries.timeline({
      from,
      to: from + z.span,
      bucketMs: z.bucket,
      ...(filter < 0.3 ? { cameras: [cam(), cam(), cam(), cam()] } : filter < 0.5 ? { labels: ['person'] } : {}),
    });
    return tag;
  });
  // Starts at an arbitrary minute: only the minute rollup fits, the slow case.
  out.timelineUnaligned = await timed(Math.max(10, queriesPerKind / 4), async () => {
    const z = pick(zooms.slice(1, 4));
    const from = Math.floor((weekStart + r() * (7 * 86_400_000 - z.span)) / 60_000) * 60_000 + 60_000;
    await store.queries.timeline({ from, to: from + z.span, bucketMs: z.bucket });
    return `${z.span / 3_600_000}h/${z.bucket / 60_000}min`;
  });
  let cursor: string | null = null;
  out.searchTracks = await timed(queriesPerKind, async (i) => {
    const kind = i % 7;
    const from = weekStart + Math.floor(r() * 6 * 86_400_000);
    const q =
      kind === 0
        ? {}
        : kind === 1
          ? { cameras: [cam()] }
          : kind === 2
            ? { labels: ['dog'], cameras: [cam(), cam()] }
            : kind === 3
              ? { zone: 'zone-1', from, to: from + 86_400_000 }
              : kind === 4
                ? { minScore: 0.95, labels: ['person'] }
                : kind === 5
                  ? { from, to: from + 3_600_000, cameras: [cam()] }
                  : cursor
                    ? { cursor }
                    : {};
    const res = await store.queries.searchTracks({ ...q, limit: 50 });
    cursor = res.nextCursor;
    return ['all', '1 camera', 'dog on 2 cameras', 'zone in a day', 'person score>=0.95', '1 camera in an hour', 'next page'][kind];
  });
  out.track = await timed(queriesPerKind, async () => {
    const t = await store.queries.track(1 + Math.floor(r() * tracks));
    if (!t || t.path.length !== boxesPerTrack) throw new Error('track query returned the wrong path');
  });
  out.eventsAround = await timed(queriesPerKind, async () => {
    await store.queries.eventsAround({ time: weekStart + Math.floor(r() * 7 * 86_400_000), windowMs: 60_000, ...(r() < 0.5 ? { cameras: [cam()] } : {}) });
  });
  loop.disable();
  for (const [k, v] of Object.entries(out))
    console.log(`query [${label}] ${k}: p50 ${ms(v.p50)}, p95 ${ms(v.p95)}, CPU ${ms(v.cpuMs)} per query (${v.n} queries)${v.byTag ? ` — ${v.byTag}` : ''}`);
  console.log(
    `query [${label}]: main-thread event-loop delay during queries p50 ${ms(loop.percentile(50) / 1e6)}, p99 ${ms(loop.percentile(99) / 1e6)}, max ${ms(loop.max / 1e6)}`,
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const os = await import('node:os');
  // Other work on the machine inflates tail latencies: the load average says how much there was.
  const load = (): string =>
    os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  console.log(
    `store benchmark: Node ${process.version}, ${os.cpus().length} CPUs, load average ${load()}, writer page cache ${writerCacheKiB} KiB, temp dir ${work}`,
  );
  const better = loadBetter();
  if ('error' in better) console.log(`better-sqlite3 unavailable: ${better.error}`);
  else console.log(`comparing sqlite3 with ${better.name}`);

  const ins: InsertFigures[] = [];
  if (insertSeconds > 0) {
    ins.push(await insertBench(openSqlite3, 'sqlite3'));
    if ('ctor' in better) ins.push(await insertBench(betterOpener(better.ctor, better.name), better.name));
  }

  const reuse = process.argv.find((x) => x.startsWith('--reuse='))?.split('=')[1];
  const dir = reuse ?? mkdtempSync(join(work, 'review-'));
  const built = reuse ? { tracks: Math.ceil(targetDetections / boxesPerTrack) } : await buildReviewDatabase(dir);
  const stores: [string, DriverOpener][] = [['sqlite3', openSqlite3]];
  if ('ctor' in better) stores.push([better.name, betterOpener(better.ctor, better.name)]);
  const results: Record<string, Record<string, { p50: number; p95: number; byTag: string; cpuMs: number; n: number }>> = {};
  for (const [label, opener] of stores) {
    const store = await openStore({ dataDir: dir, driver: opener, log: quiet });
    results[label] = await queryBench(store, label, built.tracks);
    await store.close();
  }
  const q = results.sqlite3!;
  const goals = [
    [`sustained insert ≥ 100,000 detections/s`, (ins[0]?.detectionsPerSecond ?? 0) >= 100_000, `${(ins[0]?.detectionsPerSecond ?? 0).toLocaleString('en')}/s`],
    ['timeline p95 ≤ 50 ms (bucket-aligned, as the timeline view asks)', q.timeline!.p95 <= 50, ms(q.timeline!.p95)],
    ['track search p95 ≤ 20 ms', q.searchTracks!.p95 <= 20, ms(q.searchTracks!.p95)],
  ] as const;
  console.log(`\nload average at the end: ${load()}`);
  console.log('goals (sqlite3, the shipped binding):');
  for (const [what, ok, value] of goals) console.log(`  ${ok ? 'MET ' : 'MISS'} ${what}: ${value}`);
  if (!keep) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}

main().catch((err: unknown) => {
  console.error(`store benchmark failed: ${(err as Error).message}`);
  if (!keep) rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
