import type { Config } from '../config';
import type { Clock } from '../lib/clock';
import { PostgresStore } from './postgres/postgres-store';
import { SqliteStore } from './sqlite/sqlite-store';
import type { Store } from './types';

export * from './types';
export { advanceWatermark, type Stamped } from './watermarks';
export { SecretBox, SecretDecryptionError } from './crypto';
export { SchemaTooNewError } from './migrations';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store';
export { PostgresStore, type PostgresStoreOptions } from './postgres/postgres-store';

export interface OpenStoreOptions {
  clock?: Pick<Clock, 'now'>;
  /** Names this process to PostgreSQL (pg_stat_activity): Config.instanceId. */
  applicationName?: string;
  /** PostgreSQL: an idle pooled connection failed (server restart, network); the pool replaces it. */
  onIdleError?: (err: Error) => void;
}

/**
 * Opens the configured store and applies pending migrations: PostgreSQL when STORE_URL is set (waiting for
 * another bridge that is migrating it), otherwise the SQLite file at STORE_PATH.
 */
export async function openStore(config: Pick<Config, 'store'>, opts: OpenStoreOptions = {}): Promise<Store> {
  const store = config.store;
  if (store.kind === 'postgres') {
    return PostgresStore.open({
      url: store.url,
      encryptionKey: store.encryptionKey,
      poolSize: store.poolSize,
      statementTimeoutMs: store.statementTimeoutMs,
      ...opts,
    });
  }
  return new SqliteStore({
    path: store.path,
    encryptionKey: store.encryptionKey,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
}
