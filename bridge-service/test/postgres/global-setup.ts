/**
 * Jest globalSetup (bridge-service project): one PostgreSQL for the whole run, so the store contract and anything
 * else that needs PostgreSQL runs against a real one. Test files create their own database on it
 * (test-database.ts). If it cannot start, the reason is passed on: under CI=true every PostgreSQL test fails with
 * it; elsewhere they are skipped, loudly.
 */
import { startTestPostgres, type TestPostgresServer } from './server';

export const PG_URL_ENV = 'LEDGERLINE_TEST_PG_URL';
export const PG_ERROR_ENV = 'LEDGERLINE_TEST_PG_ERROR';

declare global {
  var __ledgerlineTestPostgres: TestPostgresServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env[PG_URL_ENV]) return; // given from outside (an existing server)
  const started = performance.now();
  try {
    if (process.env.LEDGERLINE_TEST_PG === 'off') throw new Error('turned off with LEDGERLINE_TEST_PG=off');
    const server = await startTestPostgres();
    globalThis.__ledgerlineTestPostgres = server;
    process.env[PG_URL_ENV] = server.url;
    process.env.LEDGERLINE_TEST_PG_START_MS = String(Math.round(performance.now() - started));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    process.env[PG_ERROR_ENV] = reason;
    process.stderr.write(
      `\n!!! PostgreSQL for tests is not available; PostgreSQL tests will ${process.env.CI === 'true' ? 'FAIL' : 'be SKIPPED'}:\n${reason}\n`,
    );
  }
}
