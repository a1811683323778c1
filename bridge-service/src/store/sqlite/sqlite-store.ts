import { systemClock, type Clock } from '../../lib/clock';
import { SecretBox } from '../crypto';
import type { Store } from '../types';
import { SqliteContactMappings } from './contact-mappings';
import { SqliteDatabase } from './database';
import { SqliteJobs } from './jobs';
import { SqliteLeases } from './leases';
import { MIGRATIONS, type Migration } from './migrations';
import { SqliteReplayCursors } from './replay-cursors';
import { SqliteWatermarks } from './watermarks';
import { SqliteWebhookEvents } from './webhook-events';
import { SqliteXeroConnections } from './xero-connections';
import { SqliteXeroResults } from './xero-results';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' (tests only: a memory DB is private to one connection). */
  path: string;
  /** 32-byte key for token sets at rest. */
  encryptionKey: Buffer;
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
  private readonly db: SqliteDatabase;

  constructor(opts: SqliteStoreOptions) {
    this.db = new SqliteDatabase(opts.path, opts.clock ?? systemClock, opts.busyTimeoutMs ?? 5000);
    this.db.migrate(opts.migrations ?? MIGRATIONS);
    this.jobs = new SqliteJobs(this.db);
    this.xeroResults = new SqliteXeroResults(this.db);
    this.replayCursors = new SqliteReplayCursors(this.db);
    this.xeroConnections = new SqliteXeroConnections(this.db, new SecretBox(opts.encryptionKey));
    this.leases = new SqliteLeases(this.db);
    this.contactMappings = new SqliteContactMappings(this.db);
    this.watermarks = new SqliteWatermarks(this.db);
    this.webhookEvents = new SqliteWebhookEvents(this.db);
  }

  /** Applied migration versions, oldest first. */
  appliedMigrations(): number[] {
    return this.db.all('SELECT version FROM schema_migrations ORDER BY version').map((r) => Number(r.version));
  }

  async ping(): Promise<void> {
    this.db.get('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
