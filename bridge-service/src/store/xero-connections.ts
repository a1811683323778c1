import { LedgerlineError } from '../lib/errors';

/**
 * Xero connections (one per "Connect to Xero"), their OAuth token sets (encrypted at rest by the adapter), and
 * the tenants each connection reaches.
 */

/** A Xero OAuth token set as the bridge keeps it (decrypted). */
export interface XeroTokenSet {
  accessToken: string;
  refreshToken: string;
  /** Access-token expiry, epoch ms (persist this, never `expires_in`). */
  expiresAt: number;
  scope?: string;
  tokenType?: string;
  idToken?: string;
  /**
   * The token endpoint (origin + path) that issued the set: its tokens go to that identity server and no other.
   * Sealed with the tokens, so it cannot be changed without the key. Absent on sets stored before it existed.
   */
  issuedBy?: string;
}

export type XeroConnectionStatus = 'active' | 'reauthorisation_required' | 'error';

export interface XeroConnection {
  connectionId: string;
  status: XeroConnectionStatus;
  statusMessage: string | null;
  tokenSet: XeroTokenSet | null;
  tokenUpdatedAt: number | null;
  updatedAt: number;
}

export interface XeroTenantLink {
  tenantId: string;
  connectionId: string;
  tenantName: string | null;
  tenantType: string | null;
  updatedAt: number;
}

export interface NewXeroTenant {
  tenantId: string;
  tenantName?: string | null;
  tenantType?: string | null;
}

/** Another process held the connection's refresh lock for longer than the caller would wait. */
export class TokenRefreshLockTimeout extends LedgerlineError {
  constructor(connectionId: string, waitedMs: number) {
    super(
      'TOKEN_REFRESH_LOCK_TIMEOUT',
      `Timed out after ${waitedMs} ms waiting for another bridge process to refresh Xero connection ${connectionId}`,
    );
  }
}

export interface TokenRefreshOptions {
  /** This process (Config.instanceId): the lease owner on SQLite. */
  owner: string;
  /** How long to wait for another process's refresh of the same connection before giving up. */
  waitMs: number;
  /**
   * The longest a refresh may hold the lock. SQLite: the lease's TTL, after which a crashed holder's lock lapses.
   * PostgreSQL: the transaction's idle timeout (a crashed holder's row lock goes with its connection at once).
   */
  holdMs: number;
}

export interface XeroConnectionRepository {
  /** The connection with its token set decrypted; throws SecretDecryptionError if it cannot be. */
  getXeroConnection(connectionId: string): Promise<XeroConnection | null>;
  listXeroConnections(): Promise<Omit<XeroConnection, 'tokenSet'>[]>;
  /** Encrypts and stores the token set; marks the connection active. */
  saveXeroTokenSet(connectionId: string, tokenSet: XeroTokenSet): Promise<void>;
  setXeroConnectionStatus(connectionId: string, status: XeroConnectionStatus, message: string | null): Promise<void>;
  /** Links each tenant to this connection (a tenant linked before moves to it). */
  saveXeroTenants(connectionId: string, tenants: NewXeroTenant[]): Promise<void>;
  getXeroTenant(tenantId: string): Promise<XeroTenantLink | null>;
  /**
   * Token refresh, single-flight across every process sharing the store: runs `refresh` holding the connection's
   * refresh lock, with the connection as stored at that moment (null if there is none) (another process may have just rotated the refresh
   * token; its result is then what `refresh` sees). A token set `refresh` returns is encrypted and stored, and the
   * connection marked active, before the lock is released; null stores nothing (the current one is still fresh).
   * If `refresh` throws, nothing is stored and the error is rethrown. Resolves to the connection as it now is.
   * Throws TokenRefreshLockTimeout if another process held the lock for longer than `waitMs`.
   * PostgreSQL: SELECT … FOR UPDATE of the connection's row, in one transaction. SQLite: the
   * `xero-token:<connection>` lease. `refresh` must not write this connection through the repository itself.
   */
  refreshXeroTokenSet(
    connectionId: string,
    opts: TokenRefreshOptions,
    refresh: (current: XeroConnection | null) => Promise<XeroTokenSet | null>,
  ): Promise<XeroConnection | null>;
  /** By tenant name, then id. */
  listXeroTenants(): Promise<XeroTenantLink[]>;
}
