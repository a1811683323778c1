import { randomBytes } from 'node:crypto';
import { ManualClock } from '../lib/clock';
import { SqliteStore } from '../store';
import type { XeroTokenSet } from '../store/types';
import type { XeroTokenManager } from '../xero/tokens';
import { readinessFrom, xeroConnectFrom, xeroMetricsListener, type TokenManagerLike } from './adapters';
import { createMetrics } from './metrics';

const tokenSet = (n: number): XeroTokenSet => ({
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}`,
  expiresAt: Date.UTC(2030, 0, 1),
});

// the real token manager fits the adapters' narrow interface
const _fits: TokenManagerLike = {} as XeroTokenManager;
void _fits;

describe('xeroConnectFrom', () => {
  it('stores the token set under a new connection and links the tenants to it (real SQLite store)', async () => {
    const store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
    try {
      const tokens = {
        exchangeAuthorizationCode: jest.fn(async () => tokenSet(1)),
        listConnections: jest.fn(async () => [
          { tenantId: 'tenant-uk', tenantName: 'UK Ltd', tenantType: 'ORGANISATION' },
        ]),
      };
      const connect = xeroConnectFrom(tokens, store.xeroConnections, () => 'conn-a');
      const exchanged = await connect.exchangeCode({ code: 'c', codeVerifier: 'v', redirectUri: 'ignored' });
      expect(tokens.exchangeAuthorizationCode).toHaveBeenCalledWith('c', 'v');
      const { connectionId } = await connect.saveTokenSet(exchanged);
      expect(connectionId).toBe('conn-a');
      const tenants = await connect.listTenants(exchanged);
      expect(tokens.listConnections).toHaveBeenCalledWith('access-1');
      await connect.saveTenants(connectionId, tenants);
      expect((await store.xeroConnections.getXeroConnection('conn-a'))?.tokenSet).toEqual(tokenSet(1));
      expect(await store.xeroConnections.getXeroTenant('tenant-uk')).toMatchObject({
        connectionId: 'conn-a',
        tenantName: 'UK Ltd',
      });
    } finally {
      await store.close();
    }
  });
});

describe('readinessFrom', () => {
  it('unions the tenants of active connections and caches a good answer', async () => {
    const clock = new ManualClock();
    const store = {
      ping: jest.fn(async () => undefined),
      listXeroConnections: jest.fn(async () => [
        { connectionId: 'a', status: 'active' as const, statusMessage: null, tokenUpdatedAt: 1, updatedAt: 1 },
        { connectionId: 'b', status: 'active' as const, statusMessage: null, tokenUpdatedAt: 1, updatedAt: 1 },
        {
          connectionId: 'c',
          status: 'reauthorisation_required' as const,
          statusMessage: 'refused',
          tokenUpdatedAt: 1,
          updatedAt: 1,
        },
      ]),
    };
    const tokens = {
      getAccessToken: jest.fn(async (id: string) => `token-${id}`),
      listConnections: jest.fn(async (token: string) =>
        token === 'token-a' ? [{ tenantId: 't1' }, { tenantId: 't2' }] : [{ tenantId: 't2' }, { tenantId: 't3' }],
      ),
    };
    const salesforce = jest.fn(async () => undefined);
    const readiness = readinessFrom({
      ping: store.ping,
      connections: store,
      tokens,
      salesforce,
      clock,
      xeroCacheMs: 1000,
    });
    await readiness.store();
    expect(store.ping).toHaveBeenCalled();
    expect((await readiness.xeroTenants()).map((t) => t.tenantId)).toEqual(['t1', 't2', 't3']);
    expect(tokens.getAccessToken).not.toHaveBeenCalledWith('c');
    await readiness.xeroTenants();
    expect(tokens.listConnections).toHaveBeenCalledTimes(2);
    await clock.advance(1000);
    await readiness.xeroTenants();
    expect(tokens.listConnections).toHaveBeenCalledTimes(4);
  });

  it('rejects (Xero unreachable) when a connection cannot be listed, and does not cache that', async () => {
    const store = {
      ping: async () => undefined,
      listXeroConnections: async () => [
        { connectionId: 'a', status: 'active' as const, statusMessage: null, tokenUpdatedAt: 1, updatedAt: 1 },
      ],
    };
    const tokens = {
      getAccessToken: jest.fn(async () => 'token'),
      listConnections: jest
        .fn()
        .mockRejectedValueOnce(new Error('502'))
        .mockResolvedValueOnce([{ tenantId: 't1' }]),
    };
    const readiness = readinessFrom({
      ping: store.ping,
      connections: store,
      tokens,
      salesforce: async () => undefined,
    });
    await expect(readiness.xeroTenants()).rejects.toThrow('502');
    expect(await readiness.xeroTenants()).toEqual([{ tenantId: 't1' }]);
  });
});

describe('xeroMetricsListener', () => {
  it('counts calls by status (0 for no response) and 429s by problem', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const listen = xeroMetricsListener(metrics);
    listen({ type: 'call', tenantId: 't1', status: 200 });
    listen({ type: 'call', tenantId: 't1', status: undefined });
    listen({ type: 'rate_limited', tenantId: 't1', problem: 'day' });
    listen({ type: 'rate_limited', tenantId: 't1', problem: undefined });
    const text = await metrics.registry.metrics();
    expect(text).toContain('ledgerline_xero_calls_total{tenant="t1",status="200"} 1');
    expect(text).toContain('ledgerline_xero_calls_total{tenant="t1",status="0"} 1');
    expect(text).toContain('ledgerline_xero_rate_limited_total{tenant="t1",problem="day"} 1');
    expect(text).toContain('ledgerline_xero_rate_limited_total{tenant="t1",problem="unknown"} 1');
  });
});
