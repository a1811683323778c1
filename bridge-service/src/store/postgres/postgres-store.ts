import { setTimeout } from 'node:timers/promises';
import pg from 'pg';
import { systemClock, type Clock } from '../../lib/clock';
import { TimeoutError } from '../../lib/errors';
import { resealRows, sealedOrgSecretsRow, sealedTokenSetRow, SecretBox, type ResealReport } from '../crypto';
import { SchemaTooNewError } from '../migrations';
import { checkOrgId, DEFAULT_ORG_ID } from '../orgs';
import type { Repositories, Store } from '../types';
import { PgDatabase, type Queryable } from './database';
import { PgImportRuns } from './import-runs';
import { PgJobs } from './jobs';
import { PgLeases } from './leases';
import { MIGRATIONS, type PgMigration } from './migrations';
import { PgOAuthStates } from './oauth-states';
import { PgOrgs } from './orgs';
import { PgRateLimits } from './rate-limits';
import { PgContactMappings, PgReplayCursors, PgWatermarks, PgWebhookEvents, PgXeroResults } from './small-repositories';
import { PgXeroConnections } from './xero-connections';

/** The advisory lock every bridge takes to migrate ("Ledgerln" in ASCII): one migrates, the others wait. */
export const MIGRATION_LOCK_KEY = '5505246097779927406';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (libpq URL; ?sslmode=… and friends are honoured by pg). */
  url: string;
  /** 32-byte key for token sets and org credentials at rest. */
  encryptionKey: Buffer;
  /** Keys that sealed values before the current one (rotation): still opened, re-sealed by resealSecrets. */
  previousEncryptionKeys?: readonly Buffer[];
  clock?: Pick<Clock, 'now'>;
  /** Connections in this process's pool. Default 10. */
  poolSize?: number;
  /** Server-side limit on any one statement. Default 15 s. */
  statementTimeoutMs?: number;
  /** How long to wait for a connection (pool or server). Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * How long a bridge waits for another's migration, and for a lock or a transactional migration step (an index built
   * CONCURRENTLY is not cut off: see migrate). Default 5 minutes.
   */
  migrationTimeoutMs?: number;
  /** Shown in pg_stat_activity (Config.instanceId). */
  applicationName?: string;
  migrations?: readonly PgMigration[];
  /** Called with errors of idle pooled connections (the server restarted, the network dropped). */
  onIdleError?: (err: Error) => void;
}

/**
 * Every repository on one PostgreSQL database, shared by any number of bridge processes: jobs claimed with
 * FOR UPDATE SKIP LOCKED, leases and rate-limit permits as rows, token refresh under a row lock. `open` migrates
 * first, under an advisory lock.
 */
export class PostgresStore implements Store {
  readonly jobs: PgJobs;
  readonly xeroResults: PgXeroResults;
  readonly replayCursors: PgReplayCursors;
  readonly xeroConnections: PgXeroConnections;
  readonly leases: PgLeases;
  readonly contactMappings: PgContactMappings;
  readonly watermarks: PgWatermarks;
  readonly webhookEvents: PgWebhookEvents;
  readonly importRuns: PgImportRuns;
  readonly orgs: PgOrgs;
  readonly rateLimits: PgRateLimits;
  readonly oauthStates: PgOAuthStates;
  private readonly box: SecretBox;
  private readonly scoped = new Map<string, PgRepositories>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly db: PgDatabase,
    encryptionKey: Buffer,
    previousEncryptionKeys: readonly Buffer[] = [],
  ) {
    this.box = new SecretBox(encryptionKey, previousEncryptionKeys);
    this.orgs = new PgOrgs(db, this.box);
    this.rateLimits = new PgRateLimits(db);
    this.oauthStates = new PgOAuthStates(db, this.box);
    const own = this.forOrg(DEFAULT_ORG_ID);
    this.jobs = own.jobs;
    this.xeroResults = own.xeroResults;
    this.replayCursors = own.replayCursors;
    this.xeroConnections = own.xeroConnections;
    this.leases = own.leases;
    this.contactMappings = own.contactMappings;
    this.watermarks = own.watermarks;
    this.webhookEvents = own.webhookEvents;
    this.importRuns = own.importRuns;
  }

  /** Connects, applies pending migrations (waiting for another bridge that is migrating), and returns the store. */
  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 10,
      statement_timeout: opts.statementTimeoutMs ?? 15_000,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
      // A transaction left open (a hung process) must not hold locks for ever.
      idle_in_transaction_session_timeout: 60_000,
      application_name: (opts.applicationName ?? 'ledgerline-bridge').slice(0, 63),
      // Idle pooled connections alone do not keep the process alive (a bridge that failed to start exits).
      allowExitOnIdle: true,
    });
    // Without a listener, an idle connection's error (server restart) would crash the process.
    pool.on('error', (err) => opts.onIdleError?.(err));
    const db = new PgDatabase(pool, opts.clock ?? systemClock);
    try {
      await migrate(db, opts.migrations ?? MIGRATIONS, opts.migrationTimeoutMs ?? 300_000);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresStore(db, opts.encryptionKey, opts.previousEncryptionKeys);
  }

  forOrg(orgId: string): PgRepositories {
    let repos = this.scoped.get(orgId);
    if (!repos) {
      const id = checkOrgId(orgId);
      repos = {
        jobs: new PgJobs(this.db, id),
        xeroResults: new PgXeroResults(this.db, id),
        replayCursors: new PgReplayCursors(this.db, id),
        xeroConnections: new PgXeroConnections(this.db, id, this.box),
        leases: new PgLeases(this.db, id),
        contactMappings: new PgContactMappings(this.db, id),
        watermarks: new PgWatermarks(this.db, id),
        webhookEvents: new PgWebhookEvents(this.db, id),
        importRuns: new PgImportRuns(this.db, id),
      };
      this.scoped.set(orgId, repos);
    }
    return repos;
  }

  /** Applied migration versions, oldest first. */
  async appliedMigrations(): Promise<number[]> {
    return (await this.db.rows('SELECT version FROM schema_migrations ORDER BY version')).map((r) => Number(r.version));
  }

  async resealSecrets(): Promise<ResealReport> {
    // Each write only replaces the value read: a refresh that rotated the token set meanwhile sealed it anew.
    const tokenRows = (
      await this.db.rows(
        'SELECT org_id, connection_id, token_sealed FROM xero_connections WHERE token_sealed IS NOT NULL',
      )
    ).map(sealedTokenSetRow);
    const xeroTokenSets = await resealRows(
      this.box,
      tokenRows,
      async (row, next) =>
        (await this.db.run(
          `UPDATE xero_connections SET token_sealed = $1
            WHERE org_id = $2 AND connection_id = $3 AND token_sealed = $4`,
          [next, row.orgId, row.connectionId, row.sealed],
        )) > 0,
    );
    const orgRows = (await this.db.rows('SELECT org_id, secrets_sealed FROM orgs')).map(sealedOrgSecretsRow);
    const orgSecrets = await resealRows(
      this.box,
      orgRows,
      async (row, next) =>
        (await this.db.run('UPDATE orgs SET secrets_sealed = $1 WHERE org_id = $2 AND secrets_sealed = $3', [
          next,
          row.orgId,
          row.sealed,
        ])) > 0,
    );
    return { xeroTokenSets, orgSecrets };
  }

  async ping(): Promise<void> {
    await this.db.row('SELECT 1 AS ok');
  }

  close(): Promise<void> {
    this.closing ??= this.db.pool.end();
    return this.closing;
  }
}

/** How often a bridge waiting for another's migration tries the lock again. */
const MIGRATION_LOCK_RETRY_MS = 200;

/**
 * Applies pending migrations in order on one session holding the advisory lock: each in its own transaction with the
 * record of its version, or, for a step with `transaction: false`, statement by statement and recorded after. A
 * second bridge starting at the same time waits for the lock, then finds every version applied and does nothing.
 *
 * Waiting for the lock is bounded by `timeoutMs`, and so is each transactional step and each wait for a lock. A step
 * outside a transaction (an index built CONCURRENTLY) runs as long as it takes: it blocks no writes, and a cut-off
 * build starts again from nothing at the next start, so a limit it cannot meet would never let it finish.
 */
async function migrate(db: PgDatabase, migrations: readonly PgMigration[], timeoutMs: number): Promise<void> {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const limit = `${timeoutMs}ms`;
  await db.session(async (session) => {
    await session.row("SELECT set_config('statement_timeout', $1, false), set_config('lock_timeout', $1, false)", [
      limit,
    ]);
    await takeMigrationLock(session, timeoutMs);
    await session.run(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
    );
    const applied = new Set(
      (await session.rows('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
    );
    SchemaTooNewError.check('PostgreSQL store', applied, ordered);
    const record = (tx: Queryable, m: PgMigration) =>
      tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        db.clock.now(),
      ]);
    for (const m of ordered) {
      if (applied.has(m.version)) continue;
      if (m.transaction === false) {
        await session.row("SELECT set_config('statement_timeout', '0', false)");
        for (const statement of m.statements) await session.run(statement);
        await session.row("SELECT set_config('statement_timeout', $1, false)", [limit]);
        await record(session, m);
      } else {
        await session.transaction(async (tx) => {
          await tx.run(m.sql);
          await record(tx, m);
        });
      }
    }
  });
}

/**
 * Takes the session's advisory lock, trying again until `timeoutMs`. Not pg_advisory_lock: a session blocked in it
 * keeps its statement's snapshot, whose end CREATE INDEX CONCURRENTLY waits for, while the building session holds the
 * lock it waits for; PostgreSQL ends that deadlock by failing one of the two bridges.
 */
async function takeMigrationLock(session: Queryable, timeoutMs: number): Promise<void> {
  const deadline = AbortSignal.timeout(timeoutMs);
  for (;;) {
    const taken = await session.row('SELECT pg_try_advisory_lock($1::bigint) AS taken', [MIGRATION_LOCK_KEY]);
    if (taken?.taken === true) return;
    if (deadline.aborted)
      throw new TimeoutError('Waiting for another bridge to migrate the PostgreSQL store', timeoutMs);
    await setTimeout(MIGRATION_LOCK_RETRY_MS);
  }
}

interface PgRepositories extends Repositories {
  jobs: PgJobs;
  xeroResults: PgXeroResults;
  replayCursors: PgReplayCursors;
  xeroConnections: PgXeroConnections;
  leases: PgLeases;
  contactMappings: PgContactMappings;
  watermarks: PgWatermarks;
  webhookEvents: PgWebhookEvents;
  importRuns: PgImportRuns;
}
