import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../shared/clock';
import { ALL_GRANULAR_SCOPES, GRANULAR_ONLY_FROM, refusedScopes } from './scopes';
import type { Seed } from './seed';

export interface AuthSettings {
  /** Access token lifetime (Xero: 30 minutes). */
  accessTokenTtlMs: number;
  /** Unused refresh tokens expire after this (Xero: 60 days). */
  refreshTokenTtlMs: number;
  /** How long a rotated refresh token may still be replayed (Xero: 30 minutes, reference §2). */
  refreshGraceMs: number;
  /** Authorization codes are short-lived and single-use. */
  codeTtlMs: number;
  /**
   * The day the Xero app was created (YYYY-MM-DD). Apps created on or after 2026-03-02 cannot ask for the broad
   * scopes; the default is such a new app.
   */
  appCreatedAt: string;
}

export const XERO_AUTH: AuthSettings = {
  accessTokenTtlMs: 30 * 60_000,
  refreshTokenTtlMs: 60 * 86_400_000,
  refreshGraceMs: 30 * 60_000,
  codeTtlMs: 5 * 60_000,
  appCreatedAt: GRANULAR_ONLY_FROM,
};

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
  refresh_token?: string;
  scope: string;
}

export interface Connection {
  id: string;
  authEventId: string;
  tenantId: string;
  tenantType: 'ORGANISATION';
  tenantName: string;
  createdDateUtc: string;
  updatedDateUtc: string;
}

interface AccessRecord {
  userId: string;
  expiresAt: number;
  scope: string;
  revoked: boolean;
}

interface RefreshRecord {
  userId: string;
  scope: string;
  authEventId: string;
  expiresAt: number;
  rotatedAt?: number;
  successor?: TokenResponse;
  revoked: boolean;
}

interface CodeRecord {
  userId: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  challenge?: string;
  expiresAt: number;
  used: boolean;
}

export type AccessCheck = { ok: true; userId: string; scopes: string[] } | { ok: false; detail: string };
export type GrantResult =
  { ok: true; tokens: TokenResponse } | { ok: false; status: number; error: string; description?: string };

function b64url(value: Buffer | string): string {
  return Buffer.from(value).toString('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Xero identity as the bridge sees it: codes, token grants with rotation, connections per user. */
export class IdentityServer {
  private readonly access = new Map<string, AccessRecord>();
  private readonly refresh = new Map<string, RefreshRecord>();
  private readonly codes = new Map<string, CodeRecord>();
  /** userId -> tenantId -> connection */
  private readonly connectionsByUser = new Map<string, Map<string, Connection>>();

  constructor(
    private readonly seed: Seed,
    private readonly clock: Clock,
    public settings: AuthSettings,
    private readonly issuer: () => string,
  ) {
    for (const user of seed.users) this.connect(user.userId, randomUUID());
  }

  get app(): Seed['app'] {
    return this.seed.app;
  }

  private connect(userId: string, authEventId: string): void {
    const user = this.seed.users.find((u) => u.userId === userId);
    if (!user) return;
    const now = new Date(this.clock.now()).toISOString();
    const map = this.connectionsByUser.get(userId) ?? new Map<string, Connection>();
    for (const tenantId of user.tenantIds) {
      const org = this.seed.organisations.find((o) => o.tenantId === tenantId);
      const existing = map.get(tenantId);
      map.set(tenantId, {
        id: existing?.id ?? randomUUID(),
        authEventId,
        tenantId,
        tenantType: 'ORGANISATION',
        tenantName: org?.name ?? tenantId,
        createdDateUtc: existing?.createdDateUtc ?? now,
        updatedDateUtc: now,
      });
    }
    this.connectionsByUser.set(userId, map);
  }

  /** Checks HTTP Basic (or form) client credentials against the seeded app. */
  checkClient(authorization: string | undefined, form: Record<string, string>, allowPublic: boolean): boolean {
    let id = form.client_id;
    let secret = form.client_secret;
    if (authorization?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      id = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (id === undefined || !safeEqual(id, this.app.clientId)) return false;
    if (secret === undefined) return allowPublic;
    return safeEqual(secret, this.app.clientSecret);
  }

  /**
   * Mints a token set directly (for tests and the demo) as if the user had just consented to `scope` (default:
   * every granular scope). Throws `invalid_scope` for a scope the authorize endpoint would refuse this app.
   */
  issue(userId: string, scope = ALL_GRANULAR_SCOPES, authEventId?: string): TokenResponse {
    const refused = refusedScopes(scope, this.settings.appCreatedAt);
    if (refused !== undefined) throw new Error(refused);
    const eventId = authEventId ?? randomUUID();
    if (!this.connectionsByUser.get(userId)?.size || authEventId === undefined) this.connect(userId, eventId);
    return this.mint(userId, scope, eventId);
  }

  private mint(userId: string, scope: string, authEventId: string): TokenResponse {
    const now = this.clock.now();
    const exp = now + this.settings.accessTokenTtlMs;
    // Shaped like Xero's JWT access token so a client may read its claims; the signature is not real.
    const header = b64url(JSON.stringify({ alg: 'RS256', kid: 'sandbox', typ: 'JWT' }));
    const payload = b64url(
      JSON.stringify({
        nbf: Math.floor(now / 1000),
        exp: Math.floor(exp / 1000),
        iss: this.issuer(),
        aud: `${this.issuer()}/resources`,
        client_id: this.app.clientId,
        sub: userId,
        xero_userid: userId,
        authentication_event_id: authEventId,
        jti: randomUUID(),
        scope: scope.split(' '),
      }),
    );
    const accessToken = `${header}.${payload}.${b64url(randomBytes(32))}`;
    this.access.set(accessToken, { userId, expiresAt: exp, scope, revoked: false });
    const tokens: TokenResponse = {
      access_token: accessToken,
      expires_in: Math.round(this.settings.accessTokenTtlMs / 1000),
      token_type: 'Bearer',
      scope,
    };
    if (scope.split(' ').includes('offline_access')) {
      const refreshToken = b64url(randomBytes(32));
      this.refresh.set(refreshToken, {
        userId,
        scope,
        authEventId,
        expiresAt: now + this.settings.refreshTokenTtlMs,
        revoked: false,
      });
      tokens.refresh_token = refreshToken;
    }
    return tokens;
  }

  verifyAccess(token: string | undefined): AccessCheck {
    if (!token) return { ok: false, detail: 'AuthenticationUnsuccessful' };
    const record = this.access.get(token);
    if (!record || record.revoked) return { ok: false, detail: 'AuthenticationUnsuccessful' };
    if (this.clock.now() >= record.expiresAt) {
      const at = new Date(record.expiresAt);
      const pad = (n: number) => String(n).padStart(2, '0');
      const stamp = `${pad(at.getUTCMonth() + 1)}/${pad(at.getUTCDate())}/${at.getUTCFullYear()} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`;
      return { ok: false, detail: `TokenExpired: token expired at ${stamp}` };
    }
    return { ok: true, userId: record.userId, scopes: record.scope.split(' ').filter(Boolean) };
  }

  /**
   * Refresh grant. Each refresh returns a new refresh token; the old one is answered with the same
   * successor for `refreshGraceMs` (default 30 min) and is `invalid_grant` afterwards.
   */
  refreshGrant(refreshToken: string | undefined): GrantResult {
    const record = refreshToken ? this.refresh.get(refreshToken) : undefined;
    const now = this.clock.now();
    if (!record || record.revoked || now >= record.expiresAt) return { ok: false, status: 400, error: 'invalid_grant' };
    if (record.rotatedAt !== undefined) {
      if (record.successor && now - record.rotatedAt < this.settings.refreshGraceMs) {
        return {
          ok: true,
          tokens: {
            ...this.mint(record.userId, record.scope, record.authEventId),
            refresh_token: record.successor.refresh_token,
          },
        };
      }
      return { ok: false, status: 400, error: 'invalid_grant' };
    }
    const tokens = this.mint(record.userId, record.scope, record.authEventId);
    record.rotatedAt = now;
    record.successor = tokens;
    return { ok: true, tokens };
  }

  /** Authorization endpoint with auto-approval for the configured user. Returns the redirect target. */
  authorize(
    query: Record<string, string | undefined>,
    userId: string,
  ): { ok: true; location: string } | { ok: false; status: number; message: string } {
    const { client_id: clientId, redirect_uri: redirectUri, response_type: responseType, scope = '', state } = query;
    if (clientId !== this.app.clientId) return { ok: false, status: 400, message: 'unauthorized_client' };
    if (!redirectUri || !this.app.redirectUris.includes(redirectUri))
      return { ok: false, status: 400, message: 'invalid redirect_uri' };
    const back = new URL(redirectUri);
    const fail = (error: string) => {
      back.searchParams.set('error', error);
      if (state !== undefined) back.searchParams.set('state', state);
      return { ok: true as const, location: back.toString() };
    };
    if (responseType !== 'code') return fail('unsupported_response_type');
    if (query.code_challenge !== undefined && query.code_challenge_method !== 'S256') return fail('invalid_request');
    // Xero shows an error page for a scope the app may not have; it does not redirect back.
    const refused = refusedScopes(scope, this.settings.appCreatedAt);
    if (refused !== undefined) return { ok: false, status: 400, message: `Error: ${refused}` };
    if (!this.seed.users.some((u) => u.userId === userId)) return fail('access_denied');
    const code = b64url(randomBytes(24));
    this.codes.set(code, {
      userId,
      clientId,
      redirectUri,
      scope,
      challenge: query.code_challenge,
      expiresAt: this.clock.now() + this.settings.codeTtlMs,
      used: false,
    });
    back.searchParams.set('code', code);
    back.searchParams.set('scope', scope);
    if (state !== undefined) back.searchParams.set('state', state);
    return { ok: true, location: back.toString() };
  }

  /** Authorization-code grant, with the PKCE S256 check when the code was issued with a challenge. */
  codeGrant(form: Record<string, string>, confidential: boolean): GrantResult {
    const record = form.code ? this.codes.get(form.code) : undefined;
    if (!record || record.used || this.clock.now() >= record.expiresAt)
      return { ok: false, status: 400, error: 'invalid_grant' };
    if (form.redirect_uri !== record.redirectUri)
      return { ok: false, status: 400, error: 'invalid_grant', description: 'redirect_uri mismatch' };
    if (record.challenge !== undefined) {
      const verifier = form.code_verifier ?? '';
      const computed = createHash('sha256').update(verifier).digest('base64url');
      if (!safeEqual(computed, record.challenge))
        return { ok: false, status: 400, error: 'invalid_grant', description: 'code_verifier does not match' };
    } else if (!confidential) {
      return { ok: false, status: 400, error: 'invalid_client' };
    }
    record.used = true;
    const authEventId = randomUUID();
    this.connect(record.userId, authEventId);
    return { ok: true, tokens: this.mint(record.userId, record.scope, authEventId) };
  }

  revoke(token: string | undefined): void {
    if (!token) return;
    const refresh = this.refresh.get(token);
    if (refresh) refresh.revoked = true;
    const access = this.access.get(token);
    if (access) access.revoked = true;
  }

  connections(userId: string, authEventId?: string): Connection[] {
    const list = [...(this.connectionsByUser.get(userId)?.values() ?? [])];
    return authEventId ? list.filter((c) => c.authEventId === authEventId) : list;
  }

  disconnect(userId: string, connectionId: string): boolean {
    const map = this.connectionsByUser.get(userId);
    for (const [tenantId, connection] of map ?? []) {
      if (connection.id === connectionId) {
        map?.delete(tenantId);
        return true;
      }
    }
    return false;
  }

  isConnected(userId: string, tenantId: string): boolean {
    return this.connectionsByUser.get(userId)?.has(tenantId) ?? false;
  }
}
