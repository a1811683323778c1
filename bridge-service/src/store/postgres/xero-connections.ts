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
import { sqlState, type PgDatabase, type Queryable } from './database';

const UPSERT_TOKEN_SET = `
  INSERT INTO xero_connections (org_id, connection_id, token_sealed, status, status_message, token_updated_at, updated_at)
  VALUES ($1, $2, $3, 'active', NULL, $4, $4)
  ON CONFLICT (org_id, connection_id) DO UPDATE SET token_sealed = excluded.token_sealed, status = 'active',
    status_message = NULL, token_updated_at = excluded.token_updated_at, updated_at = excluded.updated_at
  RETURNING *`;

/** Connections and tenants on PostgreSQL; token sets sealed with AES-256-GCM (SecretBox) before they are written. */
export class PgXeroConnections implements XeroConnectionRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly orgId: string,
    private readonly box: SecretBox,
  ) {}

  async getXeroConnection(connectionId: string): Promise<XeroConnection | null> {
    const row = await this.db.row('SELECT * FROM xero_connections WHERE org_id = $1 AND connection_id = $2', [
      this.orgId,
      connectionId,
    ]);
    return row ? toConnection(row, this.orgId, this.box) : null;
  }

  async listXeroConnections(): Promise<Omit<XeroConnection, 'tokenSet'>[]> {
    const rows = await this.db.rows('SELECT * FROM xero_connections WHERE org_id = $1 ORDER BY connection_id', [
      this.orgId,
    ]);
    return rows.map(toConnectionInfo);
  }

  private async upsertTokenSet(q: Queryable, connectionId: string, tokenSet: XeroTokenSet) {
    const sealed = this.box.seal(JSON.stringify(tokenSet), sealedFor.xeroTokenSet(this.orgId, connectionId));
    return q.row(UPSERT_TOKEN_SET, [this.orgId, connectionId, sealed, this.db.clock.now()]);
  }

  async saveXeroTokenSet(connectionId: string, tokenSet: XeroTokenSet): Promise<void> {
    await this.upsertTokenSet(this.db, connectionId, tokenSet);
  }

  async setXeroConnectionStatus(
    connectionId: string,
    status: XeroConnectionStatus,
    message: string | null,
  ): Promise<void> {
    await this.db.run(
      `INSERT INTO xero_connections (org_id, connection_id, status, status_message, updated_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (org_id, connection_id) DO UPDATE SET status = excluded.status,
         status_message = excluded.status_message, updated_at = excluded.updated_at`,
      [this.orgId, connectionId, status, message, this.db.clock.now()],
    );
  }

  async saveXeroTenants(connectionId: string, tenants: NewXeroTenant[]): Promise<void> {
    if (tenants.length === 0) return;
    // One statement for the whole list (unnest of parallel arrays).
    await this.db.run(
      `INSERT INTO xero_tenants (org_id, tenant_id, connection_id, tenant_name, tenant_type, updated_at)
       SELECT $1, t.tenant_id, $2, t.tenant_name, t.tenant_type, $3
         FROM unnest($4::text[], $5::text[], $6::text[]) AS t (tenant_id, tenant_name, tenant_type)
       ON CONFLICT (org_id, tenant_id) DO UPDATE SET connection_id = excluded.connection_id,
         tenant_name = excluded.tenant_name, tenant_type = excluded.tenant_type, updated_at = excluded.updated_at`,
      [
        this.orgId,
        connectionId,
        this.db.clock.now(),
        tenants.map((t) => t.tenantId),
        tenants.map((t) => t.tenantName ?? null) as string[],
        tenants.map((t) => t.tenantType ?? null) as string[],
      ],
    );
  }

  async getXeroTenant(tenantId: string): Promise<XeroTenantLink | null> {
    const row = await this.db.row('SELECT * FROM xero_tenants WHERE org_id = $1 AND tenant_id = $2', [
      this.orgId,
      tenantId,
    ]);
    return row ? toTenantLink(row) : null;
  }

  async listXeroTenants(): Promise<XeroTenantLink[]> {
    const rows = await this.db.rows(
      'SELECT * FROM xero_tenants WHERE org_id = $1 ORDER BY tenant_name COLLATE "C" NULLS FIRST, tenant_id COLLATE "C"',
      [this.orgId],
    );
    return rows.map(toTenantLink);
  }

  /**
   * Serialised by a row lock: SELECT … FOR UPDATE of the connection in a transaction that lasts through the
   * refresh. Other processes wait on the lock (up to `waitMs`), then read the rotated token set. A holder that
   * dies loses its connection and with it the lock; one that hangs is cut off after `holdMs` idle in the
   * transaction. Readers are never blocked: they see the previous token set until the commit.
   */
  async refreshXeroTokenSet(
    connectionId: string,
    opts: TokenRefreshOptions,
    refresh: (current: XeroConnection | null) => Promise<XeroTokenSet | null>,
  ): Promise<XeroConnection | null> {
    return this.db.transaction(async (tx) => {
      await tx.row(
        `SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true),
                set_config('idle_in_transaction_session_timeout', $3, true)`,
        [`${Math.ceil(opts.waitMs)}ms`, `${Math.ceil(opts.waitMs) + 5_000}ms`, `${Math.ceil(opts.holdMs)}ms`],
      );
      let row;
      try {
        row = await tx.row('SELECT * FROM xero_connections WHERE org_id = $1 AND connection_id = $2 FOR UPDATE', [
          this.orgId,
          connectionId,
        ]);
      } catch (err) {
        if (sqlState(err) === '55P03') throw new TokenRefreshLockTimeout(connectionId, opts.waitMs);
        throw err;
      }
      const current = row ? toConnection(row, this.orgId, this.box) : null;
      const next = await refresh(current);
      if (!next) return current;
      const saved = await this.upsertTokenSet(tx, connectionId, next);
      return saved ? toConnection(saved, this.orgId, this.box) : null;
    });
  }
}
