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
  /** Prepared statements the connection keeps for reuse now (bindings that keep them). */
  readonly statementsKept?: number;
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

/** Prepared statements kept per connection (least recently used first out). */
export const STATEMENT_CACHE = 64;

class Sqlite3Driver implements SqlDriver {
  readonly kind = 'sqlite3';
  private readonly statements = new Map<string, Promise<sqlite3.Statement>>();
  /** Evicted statements whose finalize has not finished (close waits for them). */
  private readonly finalizing = new Set<Promise<void>>();
  constructor(private readonly db: sqlite3.Database) {}

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.exec(sql, (err) => (err ? reject(new SqlError(err, sql)) : resolve()));
    });
  }

  run(sql: string, params: SqlParams = []): Promise<{ changes: number }> {
    return this.statement(sql).then(
      (stmt) =>
        new Promise((resolve, reject) => {
          stmt.run(params as unknown[], function (this: sqlite3.RunResult, err: Error | null) {
            if (err) reject(new SqlError(err, sql));
            else resolve({ changes: this.changes });
          });
        }),
    );
  }

  query<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    return this.statement(sql).then(
      (stmt) =>
        new Promise((resolve, reject) => {
          stmt.all(params as unknown[], (err: Error | null, rows: T[]) => (err ? reject(new SqlError(err, sql)) : resolve(rows)));
        }),
    );
  }

  /** How many prepared statements this connection keeps now (at most STATEMENT_CACHE). */
  get statementsKept(): number {
    return this.statements.size;
  }

  /**
   * The prepared statement for this SQL text: parsed and planned once, then reused (the recorder runs
   * the same few statements several times a second). The least recently used beyond STATEMENT_CACHE
   * is finalized, so queries built with varying text cannot pile up.
   */
  private statement(sql: string): Promise<sqlite3.Statement> {
    const kept = this.statements.get(sql);
    if (kept) {
      this.statements.delete(sql);
      this.statements.set(sql, kept);
      return kept;
    }
    const prepared = new Promise<sqlite3.Statement>((resolve, reject) => {
      const stmt = this.db.prepare(sql, (err) => (err ? reject(new SqlError(err, sql)) : resolve(stmt)));
    });
    this.statements.set(sql, prepared);
    // A statement that does not prepare is not kept: the next call reports the error again.
    prepared.catch(() => {
      if (this.statements.get(sql) === prepared) this.statements.delete(sql);
    });
    if (this.statements.size > STATEMENT_CACHE) {
      const [oldest, stmt] = this.statements.entries().next().value as [string, Promise<sqlite3.Statement>];
      this.statements.delete(oldest);
      const done = finalize(stmt).finally(() => this.finalizing.delete(done));
      this.finalizing.add(done);
    }
    return prepared;
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

  async close(): Promise<void> {
    // SQLite refuses to close a connection with statements still prepared.
    const kept = [...this.statements.values()];
    this.statements.clear();
    await Promise.all([...kept.map(finalize), ...this.finalizing]);
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}

/** Finalizes a kept statement once its queued runs are done (one that never prepared needs nothing). */
function finalize(stmt: Promise<sqlite3.Statement>): Promise<void> {
  return stmt.then(
    (s) => new Promise<void>((resolve) => s.finalize(() => resolve())),
    () => undefined,
  );
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
