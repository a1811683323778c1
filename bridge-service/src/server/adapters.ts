/**
 * Small adapters from the real store and Xero token manager to the server's narrow dependency interfaces,
 * for the composition root (createBridge). Each takes only the methods it uses.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../lib/clock';
import type { OAuthStateRepository, XeroConnectionRepository, XeroTokenSet } from '../store/types';
import type { ReadinessDeps, XeroConnectDeps, XeroTenant } from './deps';
import type { PendingAuthorizations } from './pkce';
import type { BridgeMetrics } from './metrics';

/** What the adapters need from the Xero token manager (src/xero/tokens.ts XeroTokenManager). */
export interface TokenManagerLike {
  exchangeAuthorizationCode(code: string, codeVerifier: string): Promise<XeroTokenSet>;
  listConnections(accessToken: string): Promise<XeroTenant[]>;
  getAccessToken(connectionId: string): Promise<string>;
}

/**
 * The callback's four steps on the token manager and the store. Every authorization gets a new connection
 * id; saving its tenants re-points each tenant at the newest connection.
 */
export function xeroConnectFrom(
  tokens: Pick<TokenManagerLike, 'exchangeAuthorizationCode' | 'listConnections'>,
  connections: Pick<XeroConnectionRepository, 'saveXeroTokenSet' | 'saveXeroTenants'>,
  newConnectionId: () => string = randomUUID,
): XeroConnectDeps {
  return {
    exchangeCode: ({ code, codeVerifier }) => tokens.exchangeAuthorizationCode(code, codeVerifier),
    saveTokenSet: async (tokenSet) => {
      const connectionId = newConnectionId();
      await connections.saveXeroTokenSet(connectionId, tokenSet);
      return { connectionId };
    },
    listTenants: (tokenSet) => tokens.listConnections(tokenSet.accessToken),
    saveTenants: (connectionId, tenants) =>
      connections.saveXeroTenants(
        connectionId,
        tenants.map((t) => ({
          tenantId: t.tenantId,
          tenantName: t.tenantName ?? null,
          tenantType: t.tenantType ?? null,
        })),
      ),
  };
}

export interface ReadinessFromOptions {
  /** The store's liveness probe (Store.ping). */
  ping: () => Promise<void>;
  connections: Pick<XeroConnectionRepository, 'listXeroConnections'>;
  tokens: Pick<TokenManagerLike, 'getAccessToken' | 'listConnections'>;
  /** A cheap authenticated Salesforce call (e.g. GET /services/data/vXX.X/limits). */
  salesforce: () => Promise<void>;
  /** How long a successful Xero answer is reused, so probes don't call Xero every few seconds. Default 30 s. */
  xeroCacheMs?: number;
  clock?: Pick<Clock, 'now'>;
}

/**
 * /ready checks on the real parts. Xero: for every active stored connection, a usable access token
 * (refreshed if needed) and GET /connections; the union of the tenants they reach. A connection that
 * needs reauthorisation contributes no tenants, so its billing entities show as missing.
 */
export function readinessFrom(opts: ReadinessFromOptions): ReadinessDeps {
  const clock = opts.clock ?? systemClock;
  const cacheMs = opts.xeroCacheMs ?? 30_000;
  let cached: { at: number; tenants: XeroTenant[] } | undefined;

  return {
    store: () => opts.ping(),
    salesforce: opts.salesforce,
    xeroTenants: async () => {
      if (cached && clock.now() - cached.at < cacheMs) return cached.tenants;
      const connections = (await opts.connections.listXeroConnections()).filter((c) => c.status === 'active');
      const lists = await Promise.all(
        connections.map(async (c) => opts.tokens.listConnections(await opts.tokens.getAccessToken(c.connectionId))),
      );
      const byId = new Map<string, XeroTenant>();
      for (const tenant of lists.flat()) byId.set(tenant.tenantId, tenant);
      const tenants = [...byId.values()];
      cached = { at: clock.now(), tenants };
      return tenants;
    },
  };
}

/** The Xero scheduler's per-call events (structurally XeroSchedulerOptions['onEvent']'s argument). */
export type XeroCallEvent =
  | { type: 'call'; tenantId: string; status: number | undefined }
  | { type: 'rate_limited'; tenantId: string; problem: string | undefined };

/** An `onEvent` for the Xero scheduler that counts calls and 429s per tenant on the bridge's metrics. */
export function xeroMetricsListener(
  metrics: Pick<BridgeMetrics, 'recordXeroCall' | 'recordXeroRateLimited'>,
): (event: XeroCallEvent) => void {
  return (event) => {
    if (event.type === 'call') metrics.recordXeroCall(event.tenantId, event.status ?? 0);
    else metrics.recordXeroRateLimited(event.tenantId, event.problem);
  };
}

/** Connect-to-Xero states in the store, so the callback works on whichever bridge process serves it. */
export function storePendingAuthorizations(states: OAuthStateRepository): PendingAuthorizations {
  return {
    put: (state, entry) => states.putOAuthState(state, entry),
    take: async (state, now) => {
      const pending = await states.takeOAuthState(state, now);
      return pending && { orgId: pending.orgId, codeVerifier: pending.codeVerifier };
    },
  };
}
