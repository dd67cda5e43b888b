// openStore: the one entry point the main process uses. One writer connection (recorder,
// retention), one read-only connection for review queries; WAL lets them run side by side.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openSqlite3, type DriverOpener, type SqlDriver } from './driver.js';
import { StoreQueries } from './queries.js';
import { Recorder } from './recorder.js';
import type { RecorderOptions } from './types.js';
import { Retention } from './retention.js';
import { migrate } from './schema.js';
import { SegmentIndex } from './segments.js';

export interface StoreOptions extends RecorderOptions {
  /** Folder for the database and media (snapshots/, segments/). Created if missing. */
  dataDir: string;
  /** Database file name inside dataDir (default vigil.db). */
  fileName?: string;
  /**
   * 'normal' (default): a committed batch survives a crash of Vigil; a power cut may lose the last
   * second or so but never corrupts. 'full': fsync on every commit, survives power cuts too.
   */
  durability?: 'normal' | 'full';
  /** Another SQLite binding behind the same interface (the benchmark compares bindings). */
  driver?: DriverOpener;
  /**
   * Page cache of the writer connection, KiB (default WRITER_CACHE_KIB). It is held for the life of
   * the process and fills up to this size as the database grows, so it is kept to what writing needs.
   */
  writerCacheKiB?: number;
}

/**
 * The writer's page cache. Writing touches the right-hand edge of each table and index (new ids,
 * new times) plus the pages of the tracks still open: a few hundred pages. The database's other
 * pages stay in the operating system's file cache; the review connection reads them through mmap.
 * 1 MiB: the cache fills slowly (a soak's database grows about 8 MB an hour, so 4 MiB took most of
 * an hour to fill, which read as growth); `bench:store --writer-cache-kib` measured no insert-rate
 * difference between 1 and 4 MiB (201k–282k vs 216k–220k detections/s, 2026-12-02).
 */
export const WRITER_CACHE_KIB = 1024;

export interface Store {
  readonly file: string;
  readonly dataDir: string;
  readonly recorder: Recorder;
  readonly queries: StoreQueries;
  readonly retention: Retention;
  /** Video segments: files not yet indexed, events-mode decisions, per-camera limits. */
  readonly segments: SegmentIndex;
  /** At start-up, in the background: the media files an interrupted retention run left (count). */
  readonly interruptedDeletes: Promise<number>;
  close(): Promise<void>;
}

async function configureWriter(db: SqlDriver, durability: 'normal' | 'full', cacheKiB: number): Promise<void> {
  const [mode] = await db.query<{ journal_mode: string }>('PRAGMA journal_mode = WAL');
  if (mode?.journal_mode !== 'wal') throw new Error(`SQLite refused WAL mode (got '${mode?.journal_mode}') — is the data directory on a network file system?`);
  await db.exec(`PRAGMA synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'};
    PRAGMA cache_size = -${cacheKiB};
    PRAGMA temp_store = MEMORY;
    PRAGMA foreign_keys = OFF;`);
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const { dataDir } = options;
  const log = options.log ?? ((line: string) => console.warn(line));
  await mkdir(dataDir, { recursive: true }).catch((err: Error) => {
    throw new Error(`cannot create the data directory ${dataDir}: ${err.message} — choose a writable folder`);
  });
  const file = join(dataDir, options.fileName ?? 'vigil.db');
  const open = options.driver ?? openSqlite3;
  const writer = await open(file, { readonly: false });
  let reader: SqlDriver | null = null;
  try {
    await configureWriter(writer, options.durability ?? 'normal', options.writerCacheKiB ?? WRITER_CACHE_KIB);
    await migrate(writer, file);
    // A previous run that crashed left tracks open: they ended when it did.
    await writer.run('UPDATE tracks SET ended = 1 WHERE ended = 0');
    const cameraRows = await writer.query<{ id: number; name: string }>('SELECT id, name FROM cameras');
    const [ids] = await writer.query<{ track: number | null; run: number | null }>(
      'SELECT (SELECT max(id) FROM tracks) AS track, (SELECT max(id) FROM runs) AS run',
    );
    reader = await open(file, { readonly: true });
    await reader.exec('PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 268435456;');
    const recorder = new Recorder(
      writer,
      dataDir,
      { cameras: new Map(cameraRows.map((r) => [r.name, r.id])), nextTrackId: (ids?.track ?? 0) + 1, nextRunId: (ids?.run ?? 0) + 1, now: Date.now() },
      { ...options, log },
    );
    const queries = new StoreQueries(reader, file);
    const retention = new Retention({ db: writer, dataDir, file, exclusive: (job) => recorder.exclusive(job), log });
    const segments = new SegmentIndex({ db: writer, exclusive: (job) => recorder.exclusive(job), removeFiles: (paths) => retention.removeFiles(paths) });
    const interruptedDeletes = retention.finishInterruptedDeletes().catch((err: Error) => {
      log(`retention: cannot remove the media files an interrupted run left: ${err.message}`);
      return 0;
    });
    const readerDb = reader;
    let closed = false;
    return {
      file,
      dataDir,
      recorder,
      queries,
      retention,
      segments,
      interruptedDeletes,
      async close() {
        if (closed) return;
        closed = true;
        await interruptedDeletes;
        await recorder.close();
        await writer.exec('PRAGMA optimize').catch(() => undefined);
        await readerDb.close();
        await writer.close();
      },
    };
  } catch (err) {
    await reader?.close().catch(() => undefined);
    await writer.close().catch(() => undefined);
    throw err;
  }
}
