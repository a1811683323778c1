import pg from 'pg';
import type { Clock } from '../../lib/clock';
import type { Row } from '../rows';

export type Param = string | number | boolean | null | readonly string[];

/** Runs parameterised SQL: the pool, or one connection inside a transaction. */
export interface Queryable {
  rows(sql: string, params?: readonly Param[]): Promise<Row[]>;
  row(sql: string, params?: readonly Param[]): Promise<Row | undefined>;
  /** Rows changed. */
  run(sql: string, params?: readonly Param[]): Promise<number>;
}

function queryable(target: pg.Pool | pg.PoolClient): Queryable {
  const query = (sql: string, params: readonly Param[] = []) => target.query<Row>(sql, params as Param[]);
  return {
    rows: async (sql, params) => (await query(sql, params)).rows,
    row: async (sql, params) => (await query(sql, params)).rows[0],
    run: async (sql, params) => (await query(sql, params)).rowCount ?? 0,
  };
}

/** SQLSTATE of an error from PostgreSQL, if it is one. */
export const sqlState = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;

/**
 * The repositories' shared pool. Every statement is parameterised ($1, $2, …); times are the store clock's epoch
 * milliseconds, passed in, so every replica and the SQLite adapter count time alike.
 */
export class PgDatabase implements Queryable {
  private readonly q: Queryable;

  constructor(
    readonly pool: pg.Pool,
    readonly clock: Pick<Clock, 'now'>,
  ) {
    this.q = queryable(pool);
  }

  rows(sql: string, params?: readonly Param[]): Promise<Row[]> {
    return this.q.rows(sql, params);
  }

  row(sql: string, params?: readonly Param[]): Promise<Row | undefined> {
    return this.q.row(sql, params);
  }

  run(sql: string, params?: readonly Param[]): Promise<number> {
    return this.q.run(sql, params);
  }

  /** BEGIN … COMMIT on one connection (ROLLBACK if `fn` throws). */
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: unknown;
    try {
      return await inTransaction(client, fn, (rollbackErr) => (broken = rollbackErr));
    } finally {
      // A connection whose rollback failed is in an unknown state: the pool drops it.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  /**
   * One connection for `fn`, for what lives as long as a session (an advisory lock, settings): closed afterwards,
   * never handed back to the pool, so nothing of it outlives `fn`.
   */
  async session<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await fn({ ...queryable(client), transaction: (work) => inTransaction(client, work, () => undefined) });
    } finally {
      client.release(true);
    }
  }
}

/** One connection's session: statements on their own, or a transaction on it. */
export interface Session extends Queryable {
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

async function inTransaction<T>(
  client: pg.PoolClient,
  fn: (tx: Queryable) => Promise<T>,
  onRollbackFailed: (err: unknown) => void,
): Promise<T> {
  try {
    await client.query('BEGIN');
    const result = await fn(queryable(client));
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(onRollbackFailed);
    throw err;
  }
}
