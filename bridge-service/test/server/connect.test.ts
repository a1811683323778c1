import { createHash } from 'node:crypto';
import { auth, build, CONNECTED, ENTITIES, TOKEN_SET, testConfig } from '../helper';
import { codeChallengeS256, inMemoryPendingAuthorizations } from '../../src/server/pkce';

async function start(app: Awaited<ReturnType<typeof build>>['app']) {
  const res = await app.inject({ method: 'GET', url: '/connect/xero', headers: auth });
  expect(res.statusCode).toBe(302);
  const location = new URL(res.headers.location as string);
  return { res, location, state: location.searchParams.get('state') as string };
}

describe('GET /connect/xero', () => {
  it('redirects to the configured authorize URL with PKCE S256 and a random state', async () => {
    const { app, fakes } = await build();
    const { res, location, state } = await start(app);
    expect(`${location.origin}${location.pathname}`).toBe(testConfig.xero.authorizeUrl);
    const q = Object.fromEntries(location.searchParams);
    expect(q).toEqual({
      response_type: 'code',
      client_id: 'xero-client-id',
      redirect_uri: 'http://localhost:3000/connect/xero/callback',
      scope: 'openid offline_access accounting.transactions',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
    });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ authorizeUrl: location.toString(), expiresAt: expect.any(String) });

    // the verifier sent at the callback hashes to the challenge sent to Xero
    await app.inject({ method: 'GET', url: `/connect/xero/callback?code=abc&state=${state}` });
    const { codeVerifier } = fakes.xeroConnect.exchangeCode.mock.calls[0]![0];
    expect(codeVerifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(createHash('sha256').update(codeVerifier).digest('base64url')).toBe(q.code_challenge);

    const second = await start(app);
    expect(second.state).not.toBe(state);
    expect(second.location.searchParams.get('code_challenge')).not.toBe(q.code_challenge);
  });

  it('matches the RFC 7636 appendix B example', () => {
    expect(codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });
});

describe('GET /connect/xero/callback', () => {
  it('exchanges the code with the verifier, stores the token set and tenants, reports missing billing entities', async () => {
    const { app, fakes, logText } = await build();
    const { state } = await start(app);
    const res = await app.inject({ method: 'GET', url: `/connect/xero/callback?code=the-code&state=${state}` });
    expect(res.statusCode).toBe(200);
    expect(fakes.xeroConnect.exchangeCode).toHaveBeenCalledWith({
      code: 'the-code',
      codeVerifier: expect.any(String),
      redirectUri: testConfig.xero.redirectUri,
    });
    expect(fakes.xeroConnect.saveTokenSet).toHaveBeenCalledWith(TOKEN_SET);
    expect(fakes.xeroConnect.listTenants).toHaveBeenCalledWith(TOKEN_SET);
    expect(fakes.xeroConnect.saveTenants).toHaveBeenCalledWith('conn-1', CONNECTED);
    expect(res.json()).toEqual({
      connected: true,
      connectionId: 'conn-1',
      tenants: [
        { tenantId: 'tenant-uk', tenantName: 'Acme UK Ltd', tenantType: 'ORGANISATION' },
        { tenantId: 'tenant-us', tenantName: 'Acme US Inc', tenantType: 'ORGANISATION' },
      ],
      billingEntities: [
        { developerName: 'UK_Ltd', xeroTenantId: 'tenant-uk', connected: true },
        { developerName: 'US_Inc', xeroTenantId: 'tenant-us', connected: true },
        { developerName: 'EU_BV', xeroTenantId: 'tenant-eu', connected: false },
      ],
      missing: [{ developerName: 'EU_BV', xeroTenantId: 'tenant-eu' }],
      billingEntitiesError: null,
    });
    // neither the code nor the tokens reach the log
    expect(logText()).not.toContain('the-code');
    expect(logText()).not.toContain(TOKEN_SET.accessToken);
    expect(logText()).not.toContain(TOKEN_SET.refreshToken);
  });

  it('answers a browser with a readable HTML page, names escaped', async () => {
    const { app, fakes } = await build();
    fakes.xeroConnect.listTenants.mockResolvedValueOnce([
      { tenantId: 'tenant-uk', tenantName: '<script>x</script> Ltd' },
    ]);
    const { state } = await start(app);
    const res = await app.inject({
      method: 'GET',
      url: `/connect/xero/callback?code=c&state=${state}`,
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Xero connected');
    expect(res.body).toContain('&lt;script&gt;x&lt;/script&gt; Ltd');
    expect(res.body).not.toContain('<script>');
    expect(res.body).toMatch(/US_Inc.*NOT reachable/s);
    expect(res.body).toMatch(/EU_BV.*NOT reachable/s);
  });

  it('accepts a state once only', async () => {
    const { app, fakes } = await build();
    const { state } = await start(app);
    expect((await app.inject({ method: 'GET', url: `/connect/xero/callback?code=c&state=${state}` })).statusCode).toBe(
      200,
    );
    const again = await app.inject({ method: 'GET', url: `/connect/xero/callback?code=c&state=${state}` });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('STATE_INVALID');
    expect(fakes.xeroConnect.exchangeCode).toHaveBeenCalledTimes(1);
  });

  it('refuses an unknown, expired or missing state without calling Xero', async () => {
    let now = Date.UTC(2026, 0, 1);
    const { app, fakes } = await build((deps) => ({ ...deps, clock: { now: () => now } }), {
      authorizationTtlMs: 60_000,
    });
    const unknown = await app.inject({ method: 'GET', url: '/connect/xero/callback?code=c&state=forged' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toEqual({
      error: { code: 'STATE_INVALID', message: expect.stringContaining('Start again at /connect/xero') },
      reqId: expect.any(String),
    });
    const { state } = await start(app);
    now += 60_001;
    const expired = await app.inject({ method: 'GET', url: `/connect/xero/callback?code=c&state=${state}` });
    expect(expired.statusCode).toBe(400);
    const noCode = await app.inject({ method: 'GET', url: '/connect/xero/callback?state=x' });
    expect(noCode.json().error.code).toBe('CALLBACK_INVALID');
    expect(fakes.xeroConnect.exchangeCode).not.toHaveBeenCalled();
  });

  it('reports a denied authorization and burns the state', async () => {
    const { app, fakes } = await build();
    const { state } = await start(app);
    const denied = await app.inject({
      method: 'GET',
      url: `/connect/xero/callback?error=access_denied&state=${state}`,
    });
    expect(denied.statusCode).toBe(400);
    expect(denied.json().error).toEqual({
      code: 'XERO_AUTHORIZATION_DENIED',
      message: 'Xero did not authorize the connection (access_denied). Start again at /connect/xero.',
    });
    const reuse = await app.inject({ method: 'GET', url: `/connect/xero/callback?code=c&state=${state}` });
    expect(reuse.json().error.code).toBe('STATE_INVALID');
    expect(fakes.xeroConnect.exchangeCode).not.toHaveBeenCalled();
  });

  it('502s with a generic message when Xero refuses the code, storing nothing', async () => {
    const { app, fakes, logText } = await build();
    fakes.xeroConnect.exchangeCode.mockRejectedValueOnce(new Error('400 invalid_grant: secret detail'));
    const { state } = await start(app);
    const res = await app.inject({ method: 'GET', url: `/connect/xero/callback?code=c&state=${state}` });
    expect(res.statusCode).toBe(502);
    expect(res.json().error).toEqual({
      code: 'XERO_EXCHANGE_FAILED',
      message: 'Xero did not accept the authorization code. Start again at /connect/xero.',
    });
    expect(res.body).not.toContain('secret detail');
    expect(logText()).toContain('invalid_grant');
    expect(fakes.xeroConnect.saveTokenSet).not.toHaveBeenCalled();
  });

  it('still reports the stored connection when Billing_Entity__mdt cannot be read', async () => {
    const { app, fakes } = await build();
    fakes.billingEntities.mockRejectedValueOnce(new Error('Salesforce down'));
    const { state } = await start(app);
    const res = await app.inject({ method: 'GET', url: `/connect/xero/callback?code=c&state=${state}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      connected: true,
      missing: [],
      billingEntitiesError: expect.stringContaining('/ready'),
    });
    expect(fakes.xeroConnect.saveTenants).toHaveBeenCalled();
  });

  it('uses the injected pending-authorization store', async () => {
    const pending = inMemoryPendingAuthorizations();
    const put = jest.spyOn(pending, 'put');
    const { app } = await build((deps) => ({ ...deps, pendingAuthorizations: pending }));
    const { state } = await start(app);
    expect(put).toHaveBeenCalledWith(state, {
      orgId: 'default',
      codeVerifier: expect.any(String),
      expiresAt: expect.any(Number),
    });
    expect(ENTITIES).toHaveLength(3);
  });
});

describe('inMemoryPendingAuthorizations', () => {
  it('is single use, expires, and stays bounded', async () => {
    const pending = inMemoryPendingAuthorizations(2);
    const far = Date.now() + 60_000;
    await pending.put('a', { orgId: 'default', codeVerifier: 'va', expiresAt: far });
    await pending.put('b', { orgId: 'default', codeVerifier: 'vb', expiresAt: far });
    await pending.put('c', { orgId: 'org-c', codeVerifier: 'vc', expiresAt: far });
    expect(await pending.take('a', Date.now())).toBeNull(); // evicted, oldest first
    expect(await pending.take('b', far)).toBeNull(); // expired at far
    expect(await pending.take('c', Date.now())).toEqual({ orgId: 'org-c', codeVerifier: 'vc' });
    expect(await pending.take('c', Date.now())).toBeNull();
  });
});
