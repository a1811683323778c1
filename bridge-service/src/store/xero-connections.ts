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
  /** By tenant name, then id. */
  listXeroTenants(): Promise<XeroTenantLink[]>;
}
