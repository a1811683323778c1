import { systemClock, type Clock } from '../../lib/clock';
import { resealRows, sealedOrgSecretsRow, sealedTokenSetRow, SecretBox, type ResealReport } from '../crypto';
import { checkOrgId, DEFAULT_ORG_ID } from '../orgs';
import type { Repositories, Store } from '../types';
import { SqliteContactMappings } from './contact-mappings';
import { SqliteDatabase } from './database';
import { SqliteImportRuns } from './import-runs';
import { SqliteJobs } from './jobs';
import { SqliteLeases } from './leases';
import { MIGRATIONS, type Migration } from './migrations';
import { SqliteOAuthStates } from './oauth-states';
import { SqliteOrgs } from './orgs';
import { SqliteRateLimits } from './rate-limits';
import { SqliteReplayCursors } from './replay-cursors';
import { SqliteWatermarks } from './watermarks';
import { SqliteWebhookEvents } from './webhook-events';
import { SqliteXeroConnections } from './xero-connections';
import { SqliteXeroResults } from './xero-results';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' (tests only: a memory DB is private to one connection). */
  path: string;
  /** 32-byte key for token sets and org credentials at rest. */
  encryptionKey: Buffer;
  /** Keys that sealed values before the current one (rotation): still opened, re-sealed by resealSecrets. */
  previousEncryptionKeys?: readonly Buffer[];
  clock?: Pick<Clock, 'now'>;
  /** How long a write waits for another process's lock before SQLITE_BUSY. Default 5000 ms. */
  busyTimeoutMs?: number;
  migrations?: readonly Migration[];
}

/** Every repository on one SQLite file (node:sqlite, WAL), migrated when opened. */
export class SqliteStore implements Store {
  readonly jobs: SqliteJobs;
  readonly xeroResults: SqliteXeroResults;
  readonly replayCursors: SqliteReplayCursors;
  readonly xeroConnections: SqliteXeroConnections;
  readonly leases: SqliteLeases;
  readonly contactMappings: SqliteContactMappings;
  readonly watermarks: SqliteWatermarks;
  readonly webhookEvents: SqliteWebhookEvents;
  readonly importRuns: SqliteImportRuns;
  readonly orgs: SqliteOrgs;
  readonly rateLimits: SqliteRateLimits;
  readonly oauthStates: SqliteOAuthStates;
  private readonly db: SqliteDatabase;
  private readonly box: SecretBox;
  private readonly scoped = new Map<string, SqliteRepositories>();

  constructor(opts: SqliteStoreOptions) {
    this.db = new SqliteDatabase(opts.path, opts.clock ?? systemClock, opts.busyTimeoutMs ?? 5000);
    this.db.migrate(opts.migrations ?? MIGRATIONS);
    this.box = new SecretBox(opts.encryptionKey, opts.previousEncryptionKeys);
    this.orgs = new SqliteOrgs(this.db, this.box);
    this.rateLimits = new SqliteRateLimits(this.db);
    this.oauthStates = new SqliteOAuthStates(this.db, this.box);
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

  forOrg(orgId: string): SqliteRepositories {
    let repos = this.scoped.get(orgId);
    if (!repos) {
      const id = checkOrgId(orgId);
      const leases = new SqliteLeases(this.db, id);
      repos = {
        jobs: new SqliteJobs(this.db, id),
        xeroResults: new SqliteXeroResults(this.db, id),
        replayCursors: new SqliteReplayCursors(this.db, id),
        xeroConnections: new SqliteXeroConnections(this.db, id, this.box, leases),
        leases,
        contactMappings: new SqliteContactMappings(this.db, id),
        watermarks: new SqliteWatermarks(this.db, id),
        webhookEvents: new SqliteWebhookEvents(this.db, id),
        importRuns: new SqliteImportRuns(this.db, id),
      };
      this.scoped.set(orgId, repos);
    }
    return repos;
  }

  /** Applied migration versions, oldest first. */
  appliedMigrations(): number[] {
    return this.db.all('SELECT version FROM schema_migrations ORDER BY version').map((r) => Number(r.version));
  }

  async resealSecrets(): Promise<ResealReport> {
    // Each write only replaces the value read: a refresh that rotated the token set meanwhile sealed it anew.
    const tokenRows = this.db
      .all('SELECT org_id, connection_id, token_sealed FROM xero_connections WHERE token_sealed IS NOT NULL')
      .map(sealedTokenSetRow);
    const xeroTokenSets = await resealRows(
      this.box,
      tokenRows,
      async (row, next) =>
        this.db.run(
          'UPDATE xero_connections SET token_sealed = ? WHERE org_id = ? AND connection_id = ? AND token_sealed = ?',
          next,
          row.orgId,
          row.connectionId,
          row.sealed,
        ).changes > 0,
    );
    const orgRows = this.db.all('SELECT org_id, secrets_sealed FROM orgs').map(sealedOrgSecretsRow);
    const orgSecrets = await resealRows(
      this.box,
      orgRows,
      async (row, next) =>
        this.db.run(
          'UPDATE orgs SET secrets_sealed = ? WHERE org_id = ? AND secrets_sealed = ?',
          next,
          row.orgId,
          row.sealed,
        ).changes > 0,
    );
    return { xeroTokenSets, orgSecrets };
  }

  async ping(): Promise<void> {
    this.db.get('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

interface SqliteRepositories extends Repositories {
  jobs: SqliteJobs;
  xeroResults: SqliteXeroResults;
  replayCursors: SqliteReplayCursors;
  xeroConnections: SqliteXeroConnections;
  leases: SqliteLeases;
  contactMappings: SqliteContactMappings;
  watermarks: SqliteWatermarks;
  webhookEvents: SqliteWebhookEvents;
  importRuns: SqliteImportRuns;
}
