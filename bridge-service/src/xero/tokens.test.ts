import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { createLogger } from '../lib/logger';
import { describePostgres } from '../../test/postgres/test-database';
import { PostgresStore, SqliteStore, type Store, type XeroConnectionRepository, type XeroTokenSet } from '../store';
import { startFakeIdentity, type FakeIdentity } from './__fixtures__/fake-identity';
import { XeroNotConnectedError, XeroReauthorisationRequired, XeroTokenError } from './errors';
import { buildAuthorizeUrl, createPkcePair, tokenEndpointOf, XeroTokenManager, type XeroAuthConfig } from './tokens';

const run = promisify(execFile);
const CLIENT = { clientId: 'client', clientSecret: 'secret' };
const key = randomBytes(32);

let idp: FakeIdentity;
let dir: string;
let dbPath: string;
const stores: SqliteStore[] = [];

function authConfig(server: FakeIdentity = idp): XeroAuthConfig {
  return {
    ...CLIENT,
    tokenUrl: server.tokenUrl,
    connectionsUrl: server.connectionsUrl,
    authorizeUrl: `${server.url}/identity/connect/authorize`,
    redirectUri: 'http://localhost:3000/connect/xero/callback',
    scopes: ['openid', 'offline_access', 'accounting.transactions'],
  };
}

function openStore(): SqliteStore {
  const store = new SqliteStore({ path: dbPath, encryptionKey: key });
  stores.push(store);
  return store;
}

function manager(
  store: Pick<Store, 'xeroConnections'>,
  owner = 'proc-a',
  extra: Partial<ConstructorParameters<typeof XeroTokenManager>[0]> = {},
) {
  return new XeroTokenManager({
    connections: store.xeroConnections,
    owner,
    config: authConfig(),
    httpTimeoutMs: 5_000,
    ...extra,
  });
}

/** Stores a token set whose access token expires in `inMs` and whose refresh token the fake IdP accepts. */
async function seed(store: SqliteStore, inMs: number): Promise<XeroTokenSet> {
  const tokenSet = {
    accessToken: 'access-0',
    refreshToken: `refresh-0-${Math.random()}`,
    expiresAt: Date.now() + inMs,
  };
  idp.seedRefreshToken(tokenSet.refreshToken);
  await store.xeroConnections.saveXeroTokenSet('conn-1', tokenSet);
  return tokenSet;
}

beforeEach(async () => {
  idp = await startFakeIdentity(CLIENT);
  dir = mkdtempSync(join(tmpdir(), 'ledgerline-tokens-'));
  dbPath = join(dir, 'bridge.sqlite');
});

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  await idp.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('XeroTokenManager refresh', () => {
  it('uses a token with more than two minutes left without calling Xero', async () => {
    const store = openStore();
    await seed(store, 10 * 60_000);
    await expect(manager(store).getAccessToken('conn-1')).resolves.toBe('access-0');
    expect(idp.refreshCalls).toBe(0);
  });

  it('refreshes proactively under two minutes and stores the rotated refresh token first', async () => {
    const store = openStore();
    const old = await seed(store, 90_000);
    const access = await manager(store).getAccessToken('conn-1');
    expect(access).toMatch(/^access-1-/);
    expect(idp.refreshCalls).toBe(1);
    const stored = (await store.xeroConnections.getXeroConnection('conn-1'))!.tokenSet!;
    expect(stored.accessToken).toBe(access);
    expect(stored.refreshToken).not.toBe(old.refreshToken);
    expect(stored.expiresAt).toBeGreaterThan(Date.now() + 29 * 60_000);
  });

  it('hands out no new access token if the rotated refresh token cannot be stored', async () => {
    const store = openStore();
    await seed(store, 0);
    const failingStore = {
      xeroConnections: Object.assign(Object.create(store.xeroConnections) as XeroConnectionRepository, {
        saveXeroTokenSet: async () => {
          throw new Error('disk full');
        },
      }),
    };
    await expect(manager(failingStore).getAccessToken('conn-1')).rejects.toThrow('disk full');
  });

  it('is single-flight inside one process', async () => {
    const store = openStore();
    await seed(store, 0);
    idp.latencyMs = 100;
    const tokens = manager(store);
    const results = await Promise.all(Array.from({ length: 10 }, () => tokens.getAccessToken('conn-1')));
    expect(new Set(results).size).toBe(1);
    expect(idp.refreshCalls).toBe(1);
  });

  it('refreshes once when two bridge instances share the store', async () => {
    await seed(openStore(), 0);
    idp.latencyMs = 150;
    const a = manager(openStore(), 'proc-a');
    const b = manager(openStore(), 'proc-b');
    const results = await Promise.all([
      a.getAccessToken('conn-1'),
      b.getAccessToken('conn-1'),
      a.getAccessToken('conn-1'),
    ]);
    expect(new Set(results).size).toBe(1);
    expect(idp.refreshCalls).toBe(1);
  });

  it('refreshes once when two OS processes share the store file', async () => {
    await seed(openStore(), 0);
    idp.latencyMs = 200;
    const worker = join(__dirname, '__fixtures__', 'refresh-worker.ts');
    const startAt = String(Date.now() + 1500);
    const spawn = (owner: string) =>
      run(
        process.execPath,
        ['--require', 'tsx/cjs', worker, dbPath, key.toString('hex'), owner, idp.tokenUrl, startAt],
        {
          cwd: __dirname,
          timeout: 60_000,
        },
      );
    const [one, two] = await Promise.all([spawn('proc-1'), spawn('proc-2')]);
    const tokens = [...(JSON.parse(one.stdout) as string[]), ...(JSON.parse(two.stdout) as string[])];
    expect(new Set(tokens).size).toBe(1);
    expect(idp.refreshCalls).toBe(1);
  }, 90_000);

  it('forces a refresh for an access token Xero rejected, unless another process already replaced it', async () => {
    const store = openStore();
    await seed(store, 20 * 60_000);
    const tokens = manager(store);
    const fresh = await tokens.refresh('conn-1', { rejectedAccessToken: 'access-0' });
    expect(fresh.accessToken).toMatch(/^access-1-/);
    const again = await tokens.refresh('conn-1', { rejectedAccessToken: 'access-0' });
    expect(again.accessToken).toBe(fresh.accessToken);
    expect(idp.refreshCalls).toBe(1);
  });

  it('retries a 5xx from the token endpoint', async () => {
    const store = openStore();
    await seed(store, 0);
    idp.failNext(503);
    await expect(manager(store).getAccessToken('conn-1')).resolves.toMatch(/^access-1-/);
    expect(idp.refreshCalls).toBe(2);
  });

  it('keeps using a still-valid token when a proactive refresh fails for a passing reason', async () => {
    const store = openStore();
    await seed(store, 90_000);
    idp.failNext(503, 3); // the first attempt and both retries
    await expect(manager(store).getAccessToken('conn-1')).resolves.toBe('access-0');
    expect(idp.refreshCalls).toBe(3);
    expect((await store.xeroConnections.getXeroConnection('conn-1'))?.status).toBe('active');
  });

  it('reports a reused refresh token once, records it on the connection and never loops', async () => {
    const store = openStore();
    await store.xeroConnections.saveXeroTokenSet('conn-1', {
      accessToken: 'a',
      refreshToken: 'already-used',
      expiresAt: 0,
    });
    const reported: XeroReauthorisationRequired[] = [];
    const tokens = manager(store, 'proc-a', { onReauthorisationRequired: (err) => reported.push(err) });
    await expect(tokens.getAccessToken('conn-1')).rejects.toBeInstanceOf(XeroReauthorisationRequired);
    expect(idp.refreshCalls).toBe(1);
    expect(reported).toHaveLength(1);
    const connection = await store.xeroConnections.getXeroConnection('conn-1');
    expect(connection).toMatchObject({ status: 'reauthorisation_required' });
    expect(connection?.statusMessage).toMatch(/invalid_grant/);

    // later calls (this process or another) fail fast without calling Xero again
    await expect(tokens.getAccessToken('conn-1')).rejects.toBeInstanceOf(XeroReauthorisationRequired);
    await expect(manager(openStore(), 'proc-b').getAccessToken('conn-1')).rejects.toBeInstanceOf(
      XeroReauthorisationRequired,
    );
    expect(idp.refreshCalls).toBe(1);
    expect(reported).toHaveLength(1);
  });

  it('treats bad client credentials as a non-retryable error', async () => {
    const store = openStore();
    await seed(store, 0);
    const tokens = new XeroTokenManager({
      connections: store.xeroConnections,
      owner: 'a',
      config: { ...authConfig(), clientSecret: 'wrong' },
    });
    const err = await tokens.getAccessToken('conn-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XeroTokenError);
    expect((err as XeroTokenError).status).toBe(400);
    expect((await store.xeroConnections.getXeroConnection('conn-1'))?.status).toBe('error');
  });

  it('reports a connection or tenant that was never connected', async () => {
    const tokens = manager(openStore());
    await expect(tokens.getAccessToken('nope')).rejects.toBeInstanceOf(XeroNotConnectedError);
    await expect(tokens.connectionIdForTenant('tenant-x')).rejects.toBeInstanceOf(XeroNotConnectedError);
  });
});

describe('connecting Xero', () => {
  it('builds the authorize URL from configuration, with state and S256 PKCE', () => {
    const { codeChallenge } = createPkcePair();
    const url = new URL(buildAuthorizeUrl(authConfig(), { state: 'st-1', codeChallenge }));
    expect(url.origin + url.pathname).toBe(`${idp.url}/identity/connect/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'client',
      state: 'st-1',
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      scope: 'openid offline_access accounting.transactions',
    });
  });

  it('exchanges the code with its verifier, stores the token set and links the tenants', async () => {
    const store = openStore();
    const tokens = manager(store);
    const pkce = createPkcePair();
    idp.seedCode('code-1', pkce.codeChallenge);
    const { tokenSet, tenants } = await tokens.completeAuthorization({
      code: 'code-1',
      codeVerifier: pkce.codeVerifier,
      connectionId: 'conn-1',
    });
    expect(tenants.map((t) => t.tenantId)).toEqual(['tenant-uk', 'tenant-us']);
    expect((await store.xeroConnections.getXeroConnection('conn-1'))?.tokenSet).toEqual(tokenSet);
    expect(tokenSet.issuedBy).toBe(idp.tokenUrl);
    await expect(tokens.connectionIdForTenant('tenant-us')).resolves.toBe('conn-1');
    // a wrong verifier is refused
    idp.seedCode('code-2', pkce.codeChallenge);
    await expect(tokens.exchangeAuthorizationCode('code-2', 'wrong-verifier')).rejects.toBeInstanceOf(XeroTokenError);
  });
});

describe('a token set is bound to the token endpoint that issued it', () => {
  let other: FakeIdentity;
  beforeEach(async () => {
    other = await startFakeIdentity(CLIENT);
  });
  afterEach(async () => {
    await other.close();
  });

  function capturedLogger() {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString('utf8'));
        cb();
      },
    });
    return { logger: createLogger({ level: 'info', destination }), output: () => lines.join('') };
  }

  /** Connects conn-1 through `idp` (the token set it stores is bound to idp's token endpoint). */
  async function connectThroughIdp(store: SqliteStore) {
    const pkce = createPkcePair();
    idp.seedCode('code-a', pkce.codeChallenge);
    const { tokenSet } = await manager(store).completeAuthorization({
      code: 'code-a',
      codeVerifier: pkce.codeVerifier,
      connectionId: 'conn-1',
    });
    return tokenSet;
  }

  it('never sends a token set issued by one token URL to another: no request, reconnect required, once', async () => {
    const store = openStore();
    const issued = await connectThroughIdp(store);
    await store.xeroConnections.saveXeroTokenSet('conn-1', { ...issued, expiresAt: 0 }); // due for refresh
    const { logger, output } = capturedLogger();
    const reported: XeroReauthorisationRequired[] = [];
    const outcomes: string[] = [];
    const moved = manager(store, 'proc-a', {
      config: authConfig(other), // the org's tokenUrl now points at another identity server
      logger,
      onReauthorisationRequired: (err) => reported.push(err),
      onRefresh: (outcome) => outcomes.push(outcome),
    });

    await expect(moved.getAccessToken('conn-1')).rejects.toBeInstanceOf(XeroReauthorisationRequired);
    await expect(moved.refresh('conn-1', { rejectedAccessToken: issued.accessToken })).rejects.toBeInstanceOf(
      XeroReauthorisationRequired,
    );
    expect(other.requests).toBe(0);
    expect(idp.refreshCalls).toBe(0);
    expect(reported).toHaveLength(1);
    expect(outcomes).toEqual(['refused']);
    const connection = await store.xeroConnections.getXeroConnection('conn-1');
    expect(connection?.status).toBe('reauthorisation_required');
    expect(connection?.statusMessage).toContain(`issued by ${idp.tokenUrl}`);
    expect(connection?.statusMessage).toContain(`token URL is now ${other.tokenUrl}`);
    expect(connection?.tokenSet?.refreshToken).toBe(issued.refreshToken); // kept: the old endpoint may come back

    const logged = output();
    expect(logged).toContain('issued by another token endpoint');
    expect(logged).toContain(other.tokenUrl);
    for (const secret of [issued.refreshToken, issued.accessToken, CLIENT.clientSecret]) {
      expect(logged).not.toContain(secret);
    }
  });

  it('hands out no access token either, however fresh, once the token URL has moved', async () => {
    const store = openStore();
    await connectThroughIdp(store);
    const moved = manager(store, 'proc-a', { config: authConfig(other) });
    await expect(moved.getAccessToken('conn-1')).rejects.toBeInstanceOf(XeroReauthorisationRequired);
    expect(other.requests).toBe(0);
    // the original endpoint is configured again: still refused until someone reconnects
    await expect(manager(store).getAccessToken('conn-1')).rejects.toBeInstanceOf(XeroReauthorisationRequired);
    expect(idp.refreshCalls).toBe(0);
  });

  it('hands out no access token of a set issued elsewhere while another process holds the refresh lock', async () => {
    const store = openStore();
    await connectThroughIdp(store); // fresh for an hour
    let release!: () => void;
    const holding = store.xeroConnections.refreshXeroTokenSet(
      'conn-1',
      { owner: 'proc-b', waitMs: 5_000, holdMs: 30_000 },
      () => new Promise((resolve) => (release = () => resolve(null))),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const moved = manager(store, 'proc-a', { config: authConfig(other), lockWaitMs: 300 });
    const err = await moved.getAccessToken('conn-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XeroTokenError); // the lock's 503: asked again later, and refused then
    expect(other.requests).toBe(0);
    release();
    await holding;
    await expect(moved.getAccessToken('conn-1')).rejects.toBeInstanceOf(XeroReauthorisationRequired);
  });

  it('binds a set stored before the binding to the configured token URL on first use, then refuses another', async () => {
    const store = openStore();
    const legacy = await seed(store, 10 * 60_000); // no issuedBy, as every set stored before the binding
    expect((await store.xeroConnections.getXeroConnection('conn-1'))?.tokenSet?.issuedBy).toBeUndefined();
    const { logger, output } = capturedLogger();

    await expect(manager(store, 'proc-a', { logger }).getAccessToken('conn-1')).resolves.toBe(legacy.accessToken);
    expect(idp.refreshCalls).toBe(0);
    const bound = (await store.xeroConnections.getXeroConnection('conn-1'))?.tokenSet;
    expect(bound).toEqual({ ...legacy, issuedBy: idp.tokenUrl });
    expect(output()).toContain('bound to its token endpoint');

    await store.xeroConnections.saveXeroTokenSet('conn-1', { ...bound!, expiresAt: 0 });
    await expect(manager(store, 'proc-b', { config: authConfig(other) }).getAccessToken('conn-1')).rejects.toThrow(
      /issued by/,
    );
    expect(other.requests).toBe(0);
  });

  it('refreshes an unbound set that is due at the configured token URL, and binds the rotated set to it', async () => {
    const store = openStore();
    await seed(store, 0);
    await expect(manager(store).getAccessToken('conn-1')).resolves.toMatch(/^access-1-/);
    expect(idp.refreshCalls).toBe(1);
    expect((await store.xeroConnections.getXeroConnection('conn-1'))?.tokenSet?.issuedBy).toBe(idp.tokenUrl);
  });

  it('compares origin and path only: credentials, query and letter case of the host make no other endpoint', () => {
    expect(tokenEndpointOf('https://user:pw@Identity.Xero.com:443/connect/token?x=1#f')).toBe(
      'https://identity.xero.com/connect/token',
    );
    expect(tokenEndpointOf('https://identity.xero.com/connect/token')).not.toBe(
      tokenEndpointOf('https://identity.xero.com.evil.example/connect/token'),
    );
  });
});

describePostgres('XeroTokenManager refresh on PostgreSQL', (database) => {
  const pgStores: PostgresStore[] = [];
  const openPg = async () => {
    const store = await PostgresStore.open({ url: database().url, encryptionKey: key, poolSize: 3 });
    pgStores.push(store);
    return store;
  };
  afterEach(async () => {
    for (const s of pgStores.splice(0)) await s.close();
  });

  it('refreshes once for three bridge hosts, each reading the rotated token set under the row lock', async () => {
    const hosts = await Promise.all([openPg(), openPg(), openPg()]);
    const tokenSet = { accessToken: 'access-0', refreshToken: `refresh-pg-${Math.random()}`, expiresAt: Date.now() };
    idp.seedRefreshToken(tokenSet.refreshToken);
    await hosts[0]!.xeroConnections.saveXeroTokenSet('conn-pg', tokenSet);
    idp.latencyMs = 150;
    const managers = hosts.map((h, i) => manager(h, `host-${i}`));
    const results = await Promise.all(
      managers.flatMap((m) => [m.getAccessToken('conn-pg'), m.getAccessToken('conn-pg')]),
    );
    expect(new Set(results).size).toBe(1);
    expect(idp.refreshCalls).toBe(1);
  });

  it('gives up after the lock wait with a retryable 503 while another host holds the refresh', async () => {
    const [a, b] = await Promise.all([openPg(), openPg()]);
    await a.xeroConnections.saveXeroTokenSet('conn-slow', { accessToken: 'x', refreshToken: 'r', expiresAt: 0 });
    let release!: () => void;
    const holding = a.xeroConnections.refreshXeroTokenSet(
      'conn-slow',
      { owner: 'host-a', waitMs: 5_000, holdMs: 30_000 },
      () => new Promise((resolve) => (release = () => resolve(null))),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const err = await manager(b, 'host-b', { lockWaitMs: 300 })
      .refresh('conn-slow')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XeroTokenError);
    expect(err).toMatchObject({ status: 503 });
    release();
    await holding;
  });
});
