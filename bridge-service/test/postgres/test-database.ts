/**
 * A fresh PostgreSQL database per test file, on the run's server (global-setup.ts). `describePostgres` wraps a
 * suite: with no server it fails under CI=true (a missing input is an error there) and is skipped elsewhere,
 * loudly.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PG_ERROR_ENV, PG_URL_ENV } from './global-setup';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env[PG_URL_ENV] });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env[PG_URL_ENV];
  if (!base) throw new Error(`PostgreSQL for tests is not available: ${process.env[PG_ERROR_ENV] ?? 'no server'}`);
  const name = `ledgerline_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      admin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`)).then(() => undefined),
  };
}

/** `describe` for suites that need PostgreSQL; `database()` is a fresh database for this file. */
export function describePostgres(name: string, body: (database: () => TestDatabase) => void): void {
  const unavailable = process.env[PG_URL_ENV]
    ? undefined
    : (process.env[PG_ERROR_ENV] ?? 'no PostgreSQL server was started');
  if (unavailable !== undefined) {
    if (process.env.CI === 'true') {
      describe(name, () => {
        it('needs PostgreSQL (CI=true: no skipping)', () => {
          throw new Error(`PostgreSQL for tests is not available: ${unavailable}`);
        });
      });
    } else {
      process.stderr.write(`\n!!! SKIPPED (no PostgreSQL): ${name}: ${unavailable}\n`);
      describe.skip(name, () => body(() => ({ url: '', drop: async () => undefined })));
    }
    return;
  }
  describe(name, () => {
    let db: TestDatabase | undefined;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => {
      await db?.drop();
    });
    body(() => {
      if (!db) throw new Error('the test database is not created yet (use it inside tests or hooks)');
      return db;
    });
  });
}
