import type { SecretBox } from '../crypto';
import type {
  NewXeroTenant,
  XeroConnection,
  XeroConnectionRepository,
  XeroConnectionStatus,
  XeroTenantLink,
  XeroTokenSet,
} from '../xero-connections';
import { numberOrNull, textOrNull, type Row, type SqliteDatabase } from './database';

/** Bound as additional authenticated data: a sealed token set copied to another connection's row fails to open. */
const tokenContext = (connectionId: string) => `xero-token-set:${connectionId}`;

function toConnectionInfo(row: Row): Omit<XeroConnection, 'tokenSet'> {
  return {
    connectionId: String(row.connection_id),
    status: String(row.status) as XeroConnectionStatus,
    statusMessage: textOrNull(row.status_message),
    tokenUpdatedAt: numberOrNull(row.token_updated_at),
    updatedAt: Number(row.updated_at),
  };
}

function toTenantLink(row: Row): XeroTenantLink {
  return {
    tenantId: String(row.tenant_id),
    connectionId: String(row.connection_id),
    tenantName: textOrNull(row.tenant_name),
    tenantType: textOrNull(row.tenant_type),
    updatedAt: Number(row.updated_at),
  };
}

/** Connections and tenants on SQLite; token sets sealed with AES-256-GCM (SecretBox) before they are written. */
export class SqliteXeroConnections implements XeroConnectionRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly box: SecretBox,
  ) {}

  async getXeroConnection(connectionId: string): Promise<XeroConnection | null> {
    const row = this.db.get('SELECT * FROM xero_connections WHERE connection_id = ?', connectionId);
    if (!row) return null;
    const sealed = textOrNull(row.token_sealed);
    const tokenSet =
      sealed === null ? null : (JSON.parse(this.box.open(sealed, tokenContext(connectionId))) as XeroTokenSet);
    return { ...toConnectionInfo(row), tokenSet };
  }

  async listXeroConnections(): Promise<Omit<XeroConnection, 'tokenSet'>[]> {
    return this.db.all('SELECT * FROM xero_connections ORDER BY connection_id').map(toConnectionInfo);
  }

  async saveXeroTokenSet(connectionId: string, tokenSet: XeroTokenSet): Promise<void> {
    const now = this.db.clock.now();
    const sealed = this.box.seal(JSON.stringify(tokenSet), tokenContext(connectionId));
    this.db.run(
      `INSERT INTO xero_connections (connection_id, token_sealed, status, status_message, token_updated_at, updated_at)
       VALUES (?, ?, 'active', NULL, ?, ?)
       ON CONFLICT (connection_id) DO UPDATE SET token_sealed = excluded.token_sealed, status = 'active',
         status_message = NULL, token_updated_at = excluded.token_updated_at, updated_at = excluded.updated_at`,
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
      `INSERT INTO xero_connections (connection_id, status, status_message, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (connection_id) DO UPDATE SET status = excluded.status, status_message = excluded.status_message,
         updated_at = excluded.updated_at`,
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
          `INSERT INTO xero_tenants (tenant_id, connection_id, tenant_name, tenant_type, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (tenant_id) DO UPDATE SET connection_id = excluded.connection_id,
             tenant_name = excluded.tenant_name, tenant_type = excluded.tenant_type, updated_at = excluded.updated_at`,
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
    const row = this.db.get('SELECT * FROM xero_tenants WHERE tenant_id = ?', tenantId);
    return row ? toTenantLink(row) : null;
  }

  async listXeroTenants(): Promise<XeroTenantLink[]> {
    return this.db.all('SELECT * FROM xero_tenants ORDER BY tenant_name, tenant_id').map(toTenantLink);
  }
}
