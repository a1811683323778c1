import { generateKeyPairSync } from 'node:crypto';
import { Connection } from 'jsforce';
import type { SalesforceEmulator } from './server';
import type { ScaledClock } from './clock';
import {
  API_VERSION,
  CONSUMER_KEY,
  INTEGRATION,
  SALES,
  frozenClock,
  jwtAssertion,
  certificatePem,
  startTestEmulator,
} from './test-helpers';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

describe('OAuth token endpoint through jsforce', () => {
  let em: SalesforceEmulator;
  let clock: ScaledClock;
  beforeEach(async () => {
    clock = frozenClock();
    em = await startTestEmulator({
      clock,
      sessionTtlMs: 3_600_000,
      clientCredentials: { clientId: 'cc-client', clientSecret: 'cc-secret', username: INTEGRATION },
    });
  });
  afterEach(() => em.close());

  const claims = (over: Record<string, unknown> = {}) => ({
    iss: CONSUMER_KEY,
    sub: INTEGRATION,
    aud: 'https://login.salesforce.com',
    exp: Math.floor(clock.now() / 1000) + 180,
    ...over,
  });

  it('grants a JWT bearer token signed with the connected app key, with the identity URL jsforce parses', async () => {
    const conn = new Connection({ loginUrl: em.url, version: API_VERSION });
    const userInfo = await conn.authorize({ grant_type: JWT_GRANT, assertion: jwtAssertion(claims()) });
    expect(userInfo.organizationId).toMatch(/^00D/);
    expect(userInfo.id).toBe(em.control.integrationUserId);
    expect(conn.instanceUrl).toBe(em.url);
    expect(conn.refreshToken).toBeUndefined();
    const res = await conn.query('SELECT Id FROM Account');
    expect(res.totalSize).toBe(6);
    expect(await conn.identity()).toMatchObject({
      user_id: userInfo.id,
      organization_id: userInfo.organizationId,
      username: INTEGRATION,
    });
  });

  it('refuses a JWT signed by another key, for another client, for an unknown user, or expired', async () => {
    const conn = new Connection({ loginUrl: em.url, version: API_VERSION });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const attempt = async (assertion: string) => {
      try {
        await conn.authorize({ grant_type: JWT_GRANT, assertion });
      } catch (err) {
        return { error: (err as Error).name, description: (err as Error).message };
      }
      throw new Error('expected a token error');
    };
    expect(await attempt(jwtAssertion(claims(), other))).toEqual({
      error: 'invalid_grant',
      description: 'invalid assertion',
    });
    expect(await attempt(jwtAssertion(claims({ iss: 'someone-else' })))).toEqual({
      error: 'invalid_client_id',
      description: 'client identifier invalid',
    });
    expect(await attempt(jwtAssertion(claims({ sub: 'nobody@example.com' })))).toEqual({
      error: 'invalid_grant',
      description: "user hasn't approved this consumer",
    });
    expect(await attempt(jwtAssertion(claims({ exp: Math.floor(clock.now() / 1000) - 1 })))).toEqual({
      error: 'invalid_grant',
      description: 'expired authorization code',
    });
    expect(await attempt(jwtAssertion(claims({ aud: 'https://evil.example.com' })))).toEqual({
      error: 'invalid_grant',
      description: 'audience is invalid',
    });
  });

  describe("the bridge's External Client App: what a JWT bearer login needs (README, install step 6)", () => {
    const attempt = async (assertion: string) => {
      const conn = new Connection({ loginUrl: em.url, version: API_VERSION });
      try {
        await conn.authorize({ grant_type: JWT_GRANT, assertion });
      } catch (err) {
        return { error: (err as Error).name, description: (err as Error).message };
      }
      return { granted: conn.accessToken !== undefined };
    };

    it('grants a login to the integration user, who holds the permission set the policy pre-authorises', async () => {
      expect(await attempt(jwtAssertion(claims()))).toEqual({ granted: true });
    });

    it('refuses an active user the admin has not pre-authorised', async () => {
      expect(await attempt(jwtAssertion(claims({ sub: SALES })))).toEqual({
        error: 'invalid_app_access',
        description: 'user is not admin approved to access this app',
      });
    });

    it('pre-authorises by profile as well as by permission set', async () => {
      await em.close();
      em = await startTestEmulator({
        clock,
        externalClientApp: { consumerKey: CONSUMER_KEY, certificatePem, profiles: ['Standard User'] },
      });
      expect(await attempt(jwtAssertion(claims({ sub: SALES })))).toEqual({ granted: true });
      expect(await attempt(jwtAssertion(claims()))).toMatchObject({ error: 'invalid_app_access' });
    });

    it('refuses every JWT login while users may only self-authorise (nobody approved the app interactively)', async () => {
      await em.close();
      em = await startTestEmulator({
        clock,
        externalClientApp: { consumerKey: CONSUMER_KEY, certificatePem, permittedUsers: 'AllSelfAuthorized' },
      });
      expect(await attempt(jwtAssertion(claims()))).toEqual({
        error: 'invalid_grant',
        description: "user hasn't approved this consumer",
      });
    });

    it('refuses an inactive user', async () => {
      em.org.update(
        'User',
        em.control.integrationUserId,
        { IsActive: false },
        { userId: em.control.integrationUserId },
      );
      expect(await attempt(jwtAssertion(claims()))).toEqual({ error: 'invalid_grant', description: 'inactive user' });
    });

    it('verifies signatures against the uploaded certificate, and takes nothing but a certificate', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
      expect(
        await attempt(jwtAssertion(claims(), other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())),
      ).toEqual({ error: 'invalid_grant', description: 'invalid assertion' });
      await em.close();
      await expect(
        startTestEmulator({
          clock,
          externalClientApp: {
            consumerKey: CONSUMER_KEY,
            certificatePem: other.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          },
        }),
      ).rejects.toThrow(/certificate/);
      em = await startTestEmulator({ clock });
    });

    it('refuses any JWT login when the org has no such app', async () => {
      await em.close();
      em = await startTestEmulator({ clock, externalClientApp: undefined });
      expect(await attempt(jwtAssertion(claims()))).toEqual({
        error: 'invalid_client_id',
        description: 'client identifier invalid',
      });
    });
  });

  it('grants client credentials to the run-as user', async () => {
    const conn = new Connection({ loginUrl: em.url, version: API_VERSION });
    const info = await conn.authorize({
      grant_type: 'client_credentials',
      client_id: 'cc-client',
      client_secret: 'cc-secret',
    });
    expect(info.id).toBe(em.control.integrationUserId);
    await expect(
      conn.authorize({ grant_type: 'client_credentials', client_id: 'cc-client', client_secret: 'wrong' }),
    ).rejects.toMatchObject({
      name: 'invalid_client',
      message: 'invalid client credentials',
    });
  });

  it('expires sessions on the clock; jsforce refreshes through refreshFn on 401 and retries', async () => {
    let mints = 0;
    const mint = async () => {
      mints++;
      const res = await fetch(`${em.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: JWT_GRANT, assertion: jwtAssertion(claims()) }),
      });
      return (await res.json()) as { access_token: string };
    };
    const conn = new Connection({
      loginUrl: em.url,
      instanceUrl: em.url,
      version: API_VERSION,
      accessToken: (await mint()).access_token,
      refreshFn: (_c, cb) => {
        mint().then((t) => cb(null, t.access_token), cb);
      },
    });
    await conn.query('SELECT Id FROM Account');
    const first = conn.accessToken;
    clock.advance(3_600_001);
    const after = await conn.query('SELECT Id FROM Account');
    expect(after.totalSize).toBe(6);
    expect(mints).toBe(2);
    expect(conn.accessToken).not.toBe(first);

    const noRefresh = new Connection({ instanceUrl: em.url, version: API_VERSION, accessToken: first! });
    await expect(noRefresh.query('SELECT Id FROM Account')).rejects.toMatchObject({ errorCode: 'INVALID_SESSION_ID' });
  });

  it('exchanges an authorization code for a refresh token, and refreshes with it', async () => {
    const conn = new Connection({
      oauth2: { loginUrl: em.url, clientId: 'web-app', redirectUri: 'http://localhost/cb' },
      version: API_VERSION,
    });
    await conn.authorize(em.control.authorizationCode(INTEGRATION));
    expect(conn.refreshToken).toMatch(/^5Aep/);
    const before = conn.accessToken;
    em.control.expireSessions();
    // jsforce refreshes with the oauth2 refresh token on 401 by itself
    expect((await conn.query('SELECT Id FROM Account')).totalSize).toBe(6);
    expect(conn.accessToken).not.toBe(before);
    await expect(conn.authorize(em.control.authorizationCode(INTEGRATION).replace(/.$/, '!'))).rejects.toMatchObject({
      name: 'invalid_grant',
    });
  });
});
