import { createHash, randomBytes } from 'node:crypto';
import { XeroClient } from 'xero-node';
import { ScaledClock } from '../shared/clock';
import type { Harness } from './test-helpers';
import { EU, failure, startHarness, UK, US } from './test-helpers';

// openid-client is xero-node's own dependency; resolve it from there (reference §1, option 2).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Issuer } = require(
  require.resolve('openid-client', { paths: [require.resolve('xero-node')] }),
) as typeof import('openid-client');

const MINUTE = 60_000;

describe('xero emulator: OAuth2, tenants and connections', () => {
  let h: Harness;
  let clock: ScaledClock;
  const app = () => h.emulator.seed.app;
  const basic = () => `Basic ${Buffer.from(`${app().clientId}:${app().clientSecret}`).toString('base64')}`;
  const token = (form: Record<string, string>, authorization: string | undefined = basic()) =>
    fetch(`${h.emulator.identityUrl}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
      body: new URLSearchParams(form).toString(),
    });

  beforeAll(async () => {
    clock = new ScaledClock({ start: Date.UTC(2026, 4, 1), scale: 0 });
    h = await startHarness({ clock });
  });
  afterAll(() => h.close());

  it('answers a bad or missing bearer token with a 401 Problem-Details body', async () => {
    const xero = new XeroClient();
    xero.setTokenSet({ access_token: 'not-a-token' });
    xero.accountingApi.basePath = h.emulator.apiUrl;
    const bad = await failure(xero.accountingApi.getInvoices(UK));
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toMatchObject({ Title: 'Unauthorized', Status: 401, Detail: 'AuthenticationUnsuccessful' });
    expect(bad.headers['x-minlimit-remaining']).toBeDefined();
    const none = await fetch(`${h.emulator.apiUrl}/Invoices`, { headers: { 'xero-tenant-id': UK } });
    expect(none.status).toBe(401);
  });

  it('expires access tokens after 30 minutes with TokenExpired', async () => {
    const xero = h.client();
    await xero.accountingApi.getOrganisations(UK);
    clock.advance(30 * MINUTE);
    const expired = await failure(xero.accountingApi.getOrganisations(UK));
    expect(expired.statusCode).toBe(401);
    expect((expired.body as { Detail: string }).Detail).toMatch(
      /^TokenExpired: token expired at \d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d$/,
    );
  });

  it('answers a missing, unknown or unconnected xero-tenant-id with 403', async () => {
    const xero = h.client();
    const unknown = await failure(xero.accountingApi.getInvoices('44444444-4444-4444-8444-444444444444'));
    expect(unknown.statusCode).toBe(403);
    expect(unknown.body).toMatchObject({ Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful' });
    const tokens = h.emulator.control.issueTokens();
    const missing = await fetch(`${h.emulator.apiUrl}/Invoices`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(missing.status).toBe(403);
  });

  it('rotates refresh tokens: new pair, 1800 s, no id_token; the old one works for the grace period only', async () => {
    const first = h.emulator.control.issueTokens();
    const res = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string });
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as Record<string, unknown>;
    expect(rotated).toMatchObject({ token_type: 'Bearer', expires_in: 1800 });
    expect(rotated.id_token).toBeUndefined();
    expect(rotated.refresh_token).not.toBe(first.refresh_token);

    clock.advance(29 * MINUTE);
    const retry = (await (
      await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string })
    ).json()) as Record<string, unknown>;
    expect(retry.refresh_token).toBe(rotated.refresh_token);
    clock.advance(2 * MINUTE);
    const late = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string });
    expect([late.status, await late.json()]).toEqual([400, { error: 'invalid_grant' }]);

    const xero = new XeroClient();
    // The grace answer carries a fresh access token (the first rotated one is 31 minutes old now).
    xero.setTokenSet({ access_token: retry.access_token as string });
    xero.accountingApi.basePath = h.emulator.apiUrl;
    expect((await xero.accountingApi.getOrganisations(EU)).response.status).toBe(200);
  });

  it('makes refresh tokens single-use when the grace is 0, expires them after 60 days, and checks the client', async () => {
    h.emulator.control.setRefreshGrace(0);
    try {
      const first = h.emulator.control.issueTokens();
      expect((await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string })).status).toBe(
        200,
      );
      const reuse = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string });
      expect(await reuse.json()).toEqual({ error: 'invalid_grant' });
    } finally {
      h.emulator.control.setRefreshGrace(30 * MINUTE);
    }
    const old = h.emulator.control.issueTokens();
    clock.advance(60 * 24 * 60 * MINUTE);
    expect(
      await (await token({ grant_type: 'refresh_token', refresh_token: old.refresh_token as string })).json(),
    ).toEqual({ error: 'invalid_grant' });
    const revoked = h.emulator.control.issueTokens();
    const revocation = await fetch(`${h.emulator.identityUrl}/connect/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic() },
      body: new URLSearchParams({ token: revoked.refresh_token as string }).toString(),
    });
    expect(revocation.status).toBe(200);
    expect(
      await (await token({ grant_type: 'refresh_token', refresh_token: revoked.refresh_token as string })).json(),
    ).toEqual({
      error: 'invalid_grant',
    });
    const wrong = await token(
      { grant_type: 'refresh_token', refresh_token: 'x' },
      `Basic ${Buffer.from(`${app().clientId}:nope`).toString('base64')}`,
    );
    expect([wrong.status, await wrong.json()]).toEqual([401, { error: 'invalid_client' }]);
  });

  it("refreshes through xero-node's own refreshToken() when its openid client points at the emulator", async () => {
    const xero = new XeroClient({
      clientId: app().clientId,
      clientSecret: app().clientSecret,
      redirectUris: [app().redirectUris[0] as string],
    });
    const issued = h.emulator.control.issueTokens();
    xero.setTokenSet({ ...issued, expires_at: Math.floor(clock.now() / 1000) + 60 });
    xero.accountingApi.basePath = h.emulator.apiUrl;
    const issuer = new Issuer({
      issuer: h.emulator.identityUrl,
      token_endpoint: `${h.emulator.identityUrl}/connect/token`,
      revocation_endpoint: `${h.emulator.identityUrl}/connect/revocation`,
    });
    xero.openIdClient = new issuer.Client({
      client_id: app().clientId,
      client_secret: app().clientSecret,
      redirect_uris: app().redirectUris,
    });
    const refreshed = await xero.refreshToken();
    expect(refreshed.access_token).not.toBe(issued.access_token);
    expect(refreshed.refresh_token).not.toBe(issued.refresh_token);
    expect((await xero.accountingApi.getOrganisations(US)).response.status).toBe(200);
  });

  it('runs the authorization-code flow with PKCE S256 and passes state through', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = app().redirectUris[0] as string;
    const authorize = (params: Record<string, string>) =>
      fetch(`${h.emulator.identityUrl}/identity/connect/authorize?${new URLSearchParams(params).toString()}`, {
        redirect: 'manual',
      });
    const base = {
      response_type: 'code',
      client_id: app().clientId,
      redirect_uri: redirectUri,
      scope: 'openid offline_access accounting.invoices',
      state: 'st-123',
    };

    const res = await authorize({ ...base, code_challenge: challenge, code_challenge_method: 'S256' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    expect(location.searchParams.get('state')).toBe('st-123');
    const code = location.searchParams.get('code') as string;

    const wrongVerifier = await token(
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: 'wrong',
        client_id: app().clientId,
      },
      undefined,
    );
    expect(await wrongVerifier.json()).toMatchObject({ error: 'invalid_grant' });
    const res2 = await authorize({ ...base, code_challenge: challenge, code_challenge_method: 'S256' });
    const code2 = new URL(res2.headers.get('location') as string).searchParams.get('code') as string;
    const ok = await token(
      {
        grant_type: 'authorization_code',
        code: code2,
        redirect_uri: redirectUri,
        code_verifier: verifier,
        client_id: app().clientId,
      },
      undefined,
    );
    const tokens = (await ok.json()) as Record<string, unknown>;
    expect(ok.status).toBe(200);
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 1800 });
    expect(typeof tokens.refresh_token).toBe('string');
    const reused = await token(
      {
        grant_type: 'authorization_code',
        code: code2,
        redirect_uri: redirectUri,
        code_verifier: verifier,
        client_id: app().clientId,
      },
      undefined,
    );
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });

    const plain = await authorize({ ...base, code_challenge: verifier, code_challenge_method: 'plain' });
    expect(new URL(plain.headers.get('location') as string).searchParams.get('error')).toBe('invalid_request');
    const badRedirect = await authorize({ ...base, redirect_uri: 'https://evil.example/cb' });
    expect(badRedirect.status).toBe(400);
  });

  it('lists connections and disconnecting one makes its tenant 403', async () => {
    const tokens = h.emulator.control.issueTokens();
    const headers = { authorization: `Bearer ${tokens.access_token}` };
    const list = (await (await fetch(`${h.emulator.url}/connections`, { headers })).json()) as {
      id: string;
      tenantId: string;
      tenantType: string;
    }[];
    expect(list.map((c) => c.tenantId).sort()).toEqual([UK, US, EU].sort());
    expect(list.every((c) => c.tenantType === 'ORGANISATION')).toBe(true);
    const eu = list.find((c) => c.tenantId === EU) as { id: string };
    expect((await fetch(`${h.emulator.url}/connections/${eu.id}`, { method: 'DELETE', headers })).status).toBe(204);
    expect((await fetch(`${h.emulator.url}/connections/${eu.id}`, { method: 'DELETE', headers })).status).toBe(404);
    const xero = new XeroClient();
    xero.setTokenSet({ access_token: tokens.access_token });
    xero.accountingApi.basePath = h.emulator.apiUrl;
    expect((await failure(xero.accountingApi.getInvoices(EU))).statusCode).toBe(403);
    expect((await xero.accountingApi.getInvoices(UK)).response.status).toBe(200);
    expect((await fetch(`${h.emulator.url}/connections`)).status).toBe(401);
  });
});
