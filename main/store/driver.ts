// The one module that knows which SQLite binding Vigil uses (`sqlite3`: statements run on libuv's
// thread pool, so the main thread only pays for marshalling). Everything else talks to SqlDriver.

import sqlite3 from 'sqlite3';

export type SqlValue = string | number | bigint | null | Uint8Array;
export type SqlParams = readonly SqlValue[];

export interface SqlStep {
  sql: string;
  /** A function is called just before the step runs, so big parameters are built between steps, not all at once. */
  params?: SqlParams | (() => SqlParams);
}

export function stepParams(step: SqlStep): SqlParams {
  return typeof step.params === 'function' ? step.params() : (step.params ?? []);
}

export interface SqlDriver {
  /** Which binding this is, for logs and benchmarks. */
  readonly kind: string;
  /** Several statements without parameters (schema, pragmas). */
  exec(sql: string): Promise<void>;
  run(sql: string, params?: SqlParams): Promise<{ changes: number }>;
  query<T>(sql: string, params?: SqlParams): Promise<T[]>;
  /** The steps in one write transaction (BEGIN IMMEDIATE ... COMMIT; rolled back on any error). */
  batch(steps: readonly SqlStep[]): Promise<number[]>;
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly: boolean;
}

export type DriverOpener = (file: string, options: OpenOptions) => Promise<SqlDriver>;

/** Error from SQLite with the statement that failed, shortened, so a log line says what broke. */
export class SqlError extends Error {
  constructor(cause: unknown, sql: string) {
    const what = cause instanceof Error ? cause.message : String(cause);
    super(`${what} (in: ${sql.replace(/\s+/g, ' ').slice(0, 120)})`, { cause });
    this.name = 'SqlError';
  }
}

class Sqlite3Driver implements SqlDriver {
  readonly kind = 'sqlite3';
  constructor(private readonly db: sqlite3.Database) {}

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.exec(sql, (err) => (err ? reject(new SqlError(err, sql)) : resolve()));
    });
  }

  run(sql: string, params: SqlParams = []): Promise<{ changes: number }> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params as unknown[], function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(new SqlError(err, sql));
        else resolve({ changes: this.changes });
      });
    });
  }

  query<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, params as unknown[], (err: Error | null, rows: T[]) => (err ? reject(new SqlError(err, sql)) : resolve(rows)));
    });
  }

  async batch(steps: readonly SqlStep[]): Promise<number[]> {
    await this.exec('BEGIN IMMEDIATE');
    try {
      const changes: number[] = [];
      for (const step of steps) changes.push((await this.run(step.sql, stepParams(step))).changes);
      await this.exec('COMMIT');
      return changes;
    } catch (err) {
      await this.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}

/** Opens a database file with the `sqlite3` binding (creating it unless read-only). */
export const openSqlite3: DriverOpener = (file, options) =>
  new Promise((resolve, reject) => {
    const mode = options.readonly ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE;
    const db = new sqlite3.Database(file, mode, (err) => {
      if (err) reject(new Error(`cannot open the database ${file}: ${err.message} — check that the data directory exists and is writable`));
      else {
        db.configure('busyTimeout', 5000);
        resolve(new Sqlite3Driver(db));
      }
    });
  });
