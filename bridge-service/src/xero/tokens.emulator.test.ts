// The token manager against the Xero emulator's identity server (sandbox/xero): the full connect flow
// (authorize → code + PKCE → token set → /connections), refresh with rotation, and a refused refresh token.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startXeroEmulator, type XeroEmulator } from '../../sandbox/xero/emulator';
import { DEFAULT_XERO_SCOPES } from '../config';
import { SqliteStore } from '../store';
import { XeroReauthorisationRequired } from './errors';
import { buildAuthorizeUrl, createPkcePair, XeroTokenManager, type XeroAuthConfig } from './tokens';

let emu: XeroEmulator;
let dir: string;
let store: SqliteStore;
let config: XeroAuthConfig;
const key = randomBytes(32);

beforeAll(async () => {
  emu = await startXeroEmulator();
  dir = mkdtempSync(join(tmpdir(), 'ledgerline-tokens-emu-'));
  store = new SqliteStore({ path: join(dir, 'bridge.sqlite'), encryptionKey: key });
  config = {
    tokenUrl: `${emu.identityUrl}/connect/token`,
    authorizeUrl: `${emu.identityUrl}/identity/connect/authorize`,
    connectionsUrl: `${emu.url}/connections`,
    clientId: emu.seed.app.clientId,
    clientSecret: emu.seed.app.clientSecret,
    redirectUri: emu.seed.app.redirectUris[0]!,
    // The bridge's own default scopes: the emulated Xero app (created after 2 March 2026) refuses broad ones.
    scopes: DEFAULT_XERO_SCOPES.split(' '),
  };
});

afterAll(async () => {
  await store.close();
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

it('connects Xero end to end: authorize URL, code with PKCE, token set stored, every tenant linked', async () => {
  const tokens = new XeroTokenManager({ connections: store.xeroConnections, config, owner: 'a' });
  const pkce = createPkcePair();
  const authorize = await fetch(buildAuthorizeUrl(config, { state: 'state-123', codeChallenge: pkce.codeChallenge }), {
    redirect: 'manual',
  });
  expect(authorize.status).toBe(302);
  const callback = new URL(authorize.headers.get('location')!);
  expect(callback.searchParams.get('state')).toBe('state-123');
  const { tenants } = await tokens.completeAuthorization({
    code: callback.searchParams.get('code')!,
    codeVerifier: pkce.codeVerifier,
    connectionId: 'conn-1',
  });
  expect(tenants.map((t) => t.tenantName).sort()).toEqual([
    'Ledgerline EU BV',
    'Ledgerline UK Ltd',
    'Ledgerline US Inc',
  ]);
  await expect(tokens.connectionIdForTenant(tenants[0]!.tenantId)).resolves.toBe('conn-1');
});

it('refreshes with rotation, once, for two bridge instances sharing the store', async () => {
  const before = (await store.xeroConnections.getXeroConnection('conn-1'))!.tokenSet!;
  await store.xeroConnections.saveXeroTokenSet('conn-1', { ...before, expiresAt: Date.now() + 30_000 }); // inside the 2-minute window
  let tokenCalls = 0;
  const countingFetch: typeof fetch = (input, init) => {
    if (String(input) === config.tokenUrl) tokenCalls += 1;
    return fetch(input, init);
  };
  const second = new SqliteStore({ path: join(dir, 'bridge.sqlite'), encryptionKey: key });
  const a = new XeroTokenManager({
    connections: store.xeroConnections,
    config,
    owner: 'a',
    fetch: countingFetch,
  });
  const b = new XeroTokenManager({
    connections: second.xeroConnections,
    config,
    owner: 'b',
    fetch: countingFetch,
  });
  const [x, y] = await Promise.all([a.getAccessToken('conn-1'), b.getAccessToken('conn-1')]);
  expect(x).toBe(y);
  expect(tokenCalls).toBe(1);
  await second.close();
  const after = (await store.xeroConnections.getXeroConnection('conn-1'))!.tokenSet!;
  expect(after.refreshToken).not.toBe(before.refreshToken);
  const connections = await a.listConnections(x);
  expect(connections).toHaveLength(3);
});

it('reports a refresh token the emulator refuses (invalid_grant) as needing reauthorisation', async () => {
  await store.xeroConnections.saveXeroTokenSet('conn-bad', {
    accessToken: 'x',
    refreshToken: 'never-issued',
    expiresAt: 0,
  });
  const tokens = new XeroTokenManager({ connections: store.xeroConnections, config, owner: 'a' });
  await expect(tokens.getAccessToken('conn-bad')).rejects.toBeInstanceOf(XeroReauthorisationRequired);
  expect(await store.xeroConnections.getXeroConnection('conn-bad')).toMatchObject({
    status: 'reauthorisation_required',
  });
});
