import { setTimeout as sleep } from 'node:timers/promises';
import { sealedFor, type SecretBox } from '../crypto';
import { toConnection, toConnectionInfo, toTenantLink } from '../rows';
import {
  TokenRefreshLockTimeout,
  type NewXeroTenant,
  type TokenRefreshOptions,
  type XeroConnection,
  type XeroConnectionRepository,
  type XeroConnectionStatus,
  type XeroTenantLink,
  type XeroTokenSet,
} from '../xero-connections';
import type { SqliteDatabase } from './database';
import type { SqliteLeases } from './leases';

/** Connections and tenants on SQLite; token sets sealed with AES-256-GCM (SecretBox) before they are written. */
export class SqliteXeroConnections implements XeroConnectionRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly orgId: string,
    private readonly box: SecretBox,
    private readonly leases: SqliteLeases,
  ) {}

  async getXeroConnection(connectionId: string): Promise<XeroConnection | null> {
    const row = this.db.get(
      'SELECT * FROM xero_connections WHERE org_id = ? AND connection_id = ?',
      this.orgId,
      connectionId,
    );
    return row ? toConnection(row, this.orgId, this.box) : null;
  }

  async listXeroConnections(): Promise<Omit<XeroConnection, 'tokenSet'>[]> {
    return this.db
      .all('SELECT * FROM xero_connections WHERE org_id = ? ORDER BY connection_id', this.orgId)
      .map(toConnectionInfo);
  }

  async saveXeroTokenSet(connectionId: string, tokenSet: XeroTokenSet): Promise<void> {
    const now = this.db.clock.now();
    const sealed = this.box.seal(JSON.stringify(tokenSet), sealedFor.xeroTokenSet(this.orgId, connectionId));
    this.db.run(
      `INSERT INTO xero_connections
         (org_id, connection_id, token_sealed, status, status_message, token_updated_at, updated_at)
       VALUES (?, ?, ?, 'active', NULL, ?, ?)
       ON CONFLICT (org_id, connection_id) DO UPDATE SET token_sealed = excluded.token_sealed, status = 'active',
         status_message = NULL, token_updated_at = excluded.token_updated_at, updated_at = excluded.updated_at`,
      this.orgId,
      connectionId,
      sealed,
      now,
      now,
    );
  }

  async setXeroConnectionStatus(
    connectionId: string,
    status: XeroConnectionStatus,
    message: string | null,
  ): Promise<void> {
    this.db.run(
      `INSERT INTO xero_connections (org_id, connection_id, status, status_message, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (org_id, connection_id) DO UPDATE SET status = excluded.status,
         status_message = excluded.status_message, updated_at = excluded.updated_at`,
      this.orgId,
      connectionId,
      status,
      message,
      this.db.clock.now(),
    );
  }

  async saveXeroTenants(connectionId: string, tenants: NewXeroTenant[]): Promise<void> {
    const now = this.db.clock.now();
    this.db.transaction(() => {
      for (const t of tenants) {
        this.db.run(
          `INSERT INTO xero_tenants (org_id, tenant_id, connection_id, tenant_name, tenant_type, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (org_id, tenant_id) DO UPDATE SET connection_id = excluded.connection_id,
             tenant_name = excluded.tenant_name, tenant_type = excluded.tenant_type, updated_at = excluded.updated_at`,
          this.orgId,
          t.tenantId,
          connectionId,
          t.tenantName ?? null,
          t.tenantType ?? null,
          now,
        );
      }
    });
  }

  async getXeroTenant(tenantId: string): Promise<XeroTenantLink | null> {
    const row = this.db.get('SELECT * FROM xero_tenants WHERE org_id = ? AND tenant_id = ?', this.orgId, tenantId);
    return row ? toTenantLink(row) : null;
  }

  async listXeroTenants(): Promise<XeroTenantLink[]> {
    return this.db
      .all('SELECT * FROM xero_tenants WHERE org_id = ? ORDER BY tenant_name, tenant_id', this.orgId)
      .map(toTenantLink);
  }

  /**
   * Serialised by the `xero-token:<connection>` lease (SQLite has no row locks to hold across the HTTP call):
   * waiters poll it, and a crashed holder's lease lapses after `holdMs`.
   */
  async refreshXeroTokenSet(
    connectionId: string,
    opts: TokenRefreshOptions,
    refresh: (current: XeroConnection | null) => Promise<XeroTokenSet | null>,
  ): Promise<XeroConnection | null> {
    const lease = `xero-token:${connectionId}`;
    const started = performance.now();
    // Waiting is real time (the store's clock may be a test's, standing still).
    while (!(await this.leases.tryAcquireLease(lease, opts.owner, opts.holdMs))) {
      const waited = performance.now() - started;
      if (waited >= opts.waitMs) throw new TokenRefreshLockTimeout(connectionId, Math.round(waited));
      await sleep(Math.min(50 + Math.floor(Math.random() * 100), Math.max(1, opts.waitMs - waited)));
    }
    try {
      const next = await refresh(await this.getXeroConnection(connectionId));
      if (next) await this.saveXeroTokenSet(connectionId, next);
      return await this.getXeroConnection(connectionId);
    } finally {
      await this.leases.releaseLease(lease, opts.owner);
    }
  }
}
