import type { Config } from '../config';
import type { Clock } from '../lib/clock';
import { SqliteStore } from './sqlite/sqlite-store';
import type { Store } from './types';

export * from './types';
export { advanceWatermark, type Stamped } from './watermarks';
export { SecretBox, SecretDecryptionError } from './crypto';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store';

/** Opens the configured store (SQLite today) and applies pending migrations. */
export function openStore(config: Pick<Config, 'store'>, opts: { clock?: Pick<Clock, 'now'> } = {}): Store {
  return new SqliteStore({ path: config.store.path, encryptionKey: config.store.encryptionKey, ...opts });
}
