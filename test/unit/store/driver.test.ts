// The sqlite3 driver keeps what a long run needs bounded: each statement is prepared once and reused,
// at most STATEMENT_CACHE are kept (the rest finalized), and the recorder's connection has a small
// page cache. Real SQLite files; the soak (bench/soak.ts) measures what these bounds do to memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite3, STATEMENT_CACHE, type DriverOpener, type SqlDriver } from '../../../main/store/driver.js';
import { openStore, WRITER_CACHE_KIB } from '../../../main/store/store.js';
import { sceneBatch } from './batches.js';

const scene = { cameras: 2, objects: 3 };

const dirs: string[] = [];
const open: SqlDriver[] = [];

async function database(): Promise<SqlDriver> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-driver-'));
  dirs.push(dir);
  const db = await openSqlite3(join(dir, 'test.db'), { readonly: false });
  open.push(db);
  await db.exec('PRAGMA synchronous = OFF; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  return db;
}

afterEach(async () => {
  for (const db of open.splice(0)) await db.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('sqlite3 driver: prepared statements', () => {
  it('prepares a statement once and reuses it, with fresh parameters each run', async () => {
    const db = await database();
    for (let i = 0; i < 100; i++) await db.run('INSERT INTO t (id, v) VALUES (?, ?)', [i, `v${i}`]);
    const rows = await db.query<{ n: number; first: string }>('SELECT count(*) AS n, min(v) AS first FROM t WHERE id >= ?', [0]);
    expect(rows).toEqual([{ n: 100, first: 'v0' }]);
    // The same query again, with another parameter: a result of its own, not the previous one's.
    expect(await db.query('SELECT count(*) AS n, min(v) AS first FROM t WHERE id >= ?', [95])).toEqual([{ n: 5, first: 'v95' }]);
    expect(db.statementsKept).toBe(2);
    // A run reports its own changes.
    expect(await db.run('UPDATE t SET v = ? WHERE id < ?', ['x', 10])).toEqual({ changes: 10 });
    expect(await db.run('UPDATE t SET v = ? WHERE id < ?', ['y', 3])).toEqual({ changes: 3 });
  });

  it(`keeps at most ${STATEMENT_CACHE} statements however many texts it runs, and closes with none left prepared`, async () => {
    const db = await database();
    for (let i = 0; i < STATEMENT_CACHE * 3; i++) await db.query(`SELECT ${i} AS n, count(*) AS c FROM t`);
    expect(db.statementsKept).toBe(STATEMENT_CACHE);
    // The most recent ones are the ones kept: running them again adds nothing.
    await db.query(`SELECT ${STATEMENT_CACHE * 3 - 1} AS n, count(*) AS c FROM t`);
    expect(db.statementsKept).toBe(STATEMENT_CACHE);
    // SQLite refuses to close a connection whose statements are not finalized: this would reject.
    open.splice(open.indexOf(db), 1);
    await expect(db.close()).resolves.toBeUndefined();
  });

  it('does not keep a statement that fails to prepare, and names it in the error', async () => {
    const db = await database();
    await expect(db.query('SELECT nope FROM t')).rejects.toThrow(/no such column: nope \(in: SELECT nope FROM t\)/);
    await expect(db.query('SELECT nope FROM t')).rejects.toThrow(/no such column/);
    expect(db.statementsKept).toBe(0);
  });

  it('runs a reused statement inside a transaction that rolls back, then again after it', async () => {
    const db = await database();
    await db.run('INSERT INTO t (id, v) VALUES (?, ?)', [1, 'a']);
    await expect(
      db.batch([
        { sql: 'INSERT INTO t (id, v) VALUES (?, ?)', params: [2, 'b'] },
        { sql: 'INSERT INTO t (id, v) VALUES (?, ?)', params: [1, 'duplicate'] },
      ]),
    ).rejects.toThrow(/UNIQUE constraint failed/);
    expect(await db.query('SELECT id, v FROM t ORDER BY id')).toEqual([{ id: 1, v: 'a' }]);
    await db.batch([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', params: [2, 'b'] }]);
    expect(await db.query('SELECT id, v FROM t ORDER BY id')).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
    ]);
  });
});

describe('store: the recorder connection', () => {
  it(`has a ${WRITER_CACHE_KIB} KiB page cache and reuses its statements across commits`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-driver-'));
    dirs.push(dir);
    const connections: SqlDriver[] = [];
    // The real sqlite3 driver; the wrapper only remembers which connection is which.
    const opener: DriverOpener = async (file, options) => {
      const db = await openSqlite3(file, options);
      connections.push(db);
      return db;
    };
    const store = await openStore({ dataDir: dir, driver: opener, maxDelayMs: 10, log: () => undefined });
    try {
      const writer = connections[0]!;
      expect(await writer.query('PRAGMA cache_size')).toEqual([{ cache_size: -WRITER_CACHE_KIB }]);
      store.recorder.write(sceneBatch(0, scene));
      await store.recorder.flush();
      const afterOne = writer.statementsKept ?? NaN;
      for (let i = 1; i <= 40; i++) {
        store.recorder.write(sceneBatch(i, scene));
        await store.recorder.flush();
      }
      // 40 more transactions of the same kinds prepare nothing new (a new kind of row may add one or two).
      expect(writer.statementsKept).toBeLessThanOrEqual(afterOne + 2);
      expect(await store.queries.usage()).toMatchObject({ databaseBytes: expect.any(Number) });
    } finally {
      await store.close();
    }
  });
});
