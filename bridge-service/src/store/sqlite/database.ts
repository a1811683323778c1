import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { Clock } from '../../lib/clock';
import { SchemaTooNewError, type Migration } from '../migrations';
import type { Row } from '../rows';

export { numberOrNull, textOrNull, type Row } from '../rows';

/** Distinct SQL texts kept prepared (the store's repositories use about a hundred). */
const STATEMENT_CACHE = 256;

/**
 * One node:sqlite connection as the repositories share it: WAL (readers never block the writer), busy_timeout so
 * processes sharing the file queue for the write lock, and BEGIN IMMEDIATE around every read-then-write so two
 * processes cannot both claim a job or a lease.
 */
export class SqliteDatabase {
  private readonly db: DatabaseSync;
  private closed = false;
  /**
   * Prepared statements by SQL text, reused. Preparing one per call left a native sqlite3_stmt behind a small JS
   * object for every query until V8 happened to collect it; V8 does not see that memory, so RSS grew by tens of MB
   * with a backlog while the heap stayed flat (bench memory section). Bounded: SQL built with a varying number of
   * placeholders still reaches only STATEMENT_CACHE distinct texts before the oldest is dropped.
   */
  private readonly statements = new Map<string, StatementSync>();

  constructor(
    path: string,
    readonly clock: Pick<Clock, 'now'>,
    busyTimeoutMs: number,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    this.db.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec('PRAGMA foreign_keys = ON');
  }

  /** Applies pending migrations in version order, each once, recorded in `schema_migrations`. */
  migrate(migrations: readonly Migration[]): void {
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
    );
    const ordered = [...migrations].sort((a, b) => a.version - b.version);
    // One writer at a time: a second process starting together waits, then sees the work done.
    this.transaction(() => {
      const applied = new Set(this.all('SELECT version FROM schema_migrations').map((r) => Number(r.version)));
      SchemaTooNewError.check('SQLite store', applied, ordered);
      for (const m of ordered) {
        if (applied.has(m.version)) continue;
        this.db.exec(m.sql);
        this.run(
          'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
          m.version,
          m.name,
          this.clock.now(),
        );
      }
    });
  }

  /** Runs `fn` inside BEGIN IMMEDIATE (takes the write lock up front, so read-then-write is atomic). */
  transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  run(sql: string, ...params: SQLInputValue[]) {
    return this.statement(sql).run(...params);
  }

  get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.statement(sql).get(...params) as Row | undefined;
  }

  all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.statement(sql).all(...params) as Row[];
  }

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (statement) {
      // Most recently used last, so the bound drops the statement unused longest.
      this.statements.delete(sql);
    } else {
      statement = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, statement);
    return statement;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
