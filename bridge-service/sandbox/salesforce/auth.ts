/**
 * OAuth 2.0 token service: JWT bearer (RS256) for the bridge's External Client App, client credentials,
 * authorization code (codes minted through the control API) and refresh token. Sessions expire on the injectable
 * clock; an expired or unknown token is a 401 INVALID_SESSION_ID on REST and a handshake denial on CometD.
 *
 * A JWT bearer login needs what Salesforce checks: `iss` a consumer key the org knows (else `invalid_client_id`), a
 * signature that verifies against the certificate uploaded to that app (`invalid_grant: invalid assertion`), `aud`
 * the login URL (`audience is invalid`), `exp` in the future (`expired authorization code`), and `sub` an existing
 * active user (`inactive user`) whom the app's policy admits: "Admin approved users are pre-authorized" admits
 * holders of the permission sets or profiles it names (else `invalid_app_access: user is not admin approved to
 * access this app`); "All users may self-authorize" needs an earlier interactive approval, which nobody can give
 * in the emulator (`user hasn't approved this consumer`).
 */
import { randomBytes, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { OAuthError } from './errors';
import type { SalesforceOrg } from './salesforce-org';
import type { StoredSession } from './store';

/**
 * The bridge's External Client App as an admin has set it up in the org: its consumer key, the certificate uploaded
 * for the JWT bearer flow (its global OAuth settings) and its OAuth policy (who may use it).
 */
export interface ExternalClientAppConfig {
  /** the app's consumer key: the JWT `iss` */
  consumerKey: string;
  /** the X.509 certificate (PEM) uploaded to the app; JWT signatures must verify against it */
  certificatePem: string;
  /** OAuth policy "Permitted Users" (default: admin approved users are pre-authorized) */
  permittedUsers?: 'AdminApprovedPreAuthorized' | 'AllSelfAuthorized';
  /** package permission sets (names without namespace) whose holders are pre-authorised */
  permissionSets?: string[];
  /** profiles whose users are pre-authorised */
  profiles?: string[];
  /** audiences accepted besides the emulator's own URL, login.salesforce.com and test.salesforce.com */
  audiences?: string[];
}

/** What the policy checks a user by: the permission sets (package names) and profile they hold. */
export type UserAccess = (userId: string) => { permissionSets: string[]; profile: string | undefined };

export interface ClientCredentialsConfig {
  clientId: string;
  clientSecret: string;
  /** the "run as" user of the connected app */
  username: string;
}

export interface AuthOptions {
  externalClientApp?: ExternalClientAppConfig;
  /** required with externalClientApp: the users' permission sets and profiles */
  userAccess?: UserAccess;
  clientCredentials?: ClientCredentialsConfig;
  /** session lifetime; Salesforce's default session timeout is 2 hours */
  sessionTtlMs?: number;
}

const tokenRequest = z.discriminatedUnion('grant_type', [
  z.object({ grant_type: z.literal('urn:ietf:params:oauth:grant-type:jwt-bearer'), assertion: z.string().min(1) }),
  z.object({ grant_type: z.literal('client_credentials'), client_id: z.string(), client_secret: z.string() }),
  z.object({ grant_type: z.literal('refresh_token'), refresh_token: z.string(), client_id: z.string().optional() }),
  z.object({ grant_type: z.literal('authorization_code'), code: z.string(), client_id: z.string().optional() }),
]);

const jwtClaims = z.object({
  iss: z.string(),
  sub: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
});

export interface TokenResponse {
  access_token: string;
  instance_url: string;
  id: string;
  token_type: 'Bearer';
  scope: string;
  issued_at: string;
  signature?: string;
  refresh_token?: string;
}

export class AuthService {
  private readonly key: KeyObject | undefined;
  private readonly codes = new Map<string, string>();
  readonly sessionTtlMs: number;

  constructor(
    private readonly org: SalesforceOrg,
    private readonly options: AuthOptions,
    private readonly baseUrl: () => string,
  ) {
    this.sessionTtlMs = options.sessionTtlMs ?? 2 * 3_600_000;
    const app = options.externalClientApp;
    if (app) {
      // Salesforce takes a certificate upload, nothing else (a bare public key is not one).
      let certificate: X509Certificate;
      try {
        certificate = new X509Certificate(app.certificatePem);
      } catch (err) {
        throw new Error(
          `externalClientApp.certificatePem: not a PEM X.509 certificate (${(err as Error).message}); ` +
            'upload the certificate of the key pair, e.g. from `openssl req -x509 ...`',
        );
      }
      this.key = certificate.publicKey;
      if (!options.userAccess) throw new Error('externalClientApp needs userAccess to apply its policy');
    }
  }

  /** Handles a form-encoded token request; throws OAuthError with Salesforce's error/error_description. */
  token(form: Record<string, unknown>): TokenResponse {
    const parsed = tokenRequest.safeParse(form);
    if (!parsed.success) {
      if (
        typeof form.grant_type === 'string' &&
        ![
          'urn:ietf:params:oauth:grant-type:jwt-bearer',
          'client_credentials',
          'refresh_token',
          'authorization_code',
        ].includes(form.grant_type)
      ) {
        throw new OAuthError(400, 'unsupported_grant_type', 'grant type not supported');
      }
      throw new OAuthError(400, 'invalid_request', 'invalid request');
    }
    const req = parsed.data;
    switch (req.grant_type) {
      case 'urn:ietf:params:oauth:grant-type:jwt-bearer':
        return this.issue(this.verifyJwt(req.assertion), false);
      case 'client_credentials': {
        const cc = this.options.clientCredentials;
        if (!cc || cc.clientId !== req.client_id)
          throw new OAuthError(400, 'invalid_client_id', 'client identifier invalid');
        if (cc.clientSecret !== req.client_secret)
          throw new OAuthError(400, 'invalid_client', 'invalid client credentials');
        const user = this.org.userByUsername(cc.username);
        if (!user) throw new OAuthError(400, 'invalid_grant', 'no client credentials user enabled');
        const res = this.issue(user.Id, false);
        res.signature = randomBytes(32).toString('base64');
        return res;
      }
      case 'authorization_code': {
        const userId = this.codes.get(req.code);
        if (!userId) throw new OAuthError(400, 'invalid_grant', 'invalid authorization code');
        this.codes.delete(req.code);
        return this.issue(userId, true);
      }
      case 'refresh_token': {
        const userId = this.org.store.refreshTokens.get(req.refresh_token);
        if (!userId) throw new OAuthError(400, 'invalid_grant', 'expired access/refresh token');
        return this.issue(userId, false);
      }
    }
  }

  private verifyJwt(assertion: string): string {
    const parts = assertion.split('.');
    if (parts.length !== 3) throw new OAuthError(400, 'invalid_grant', 'invalid assertion');
    const [h, c, sig] = parts as [string, string, string];
    let header: { alg?: string };
    let claims: z.infer<typeof jwtClaims>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
      claims = jwtClaims.parse(JSON.parse(Buffer.from(c, 'base64url').toString('utf8')));
    } catch {
      throw new OAuthError(400, 'invalid_grant', 'invalid assertion');
    }
    const app = this.options.externalClientApp;
    if (!this.key || !app || claims.iss !== app.consumerKey)
      throw new OAuthError(400, 'invalid_client_id', 'client identifier invalid');
    if (
      header.alg !== 'RS256' ||
      !verify('RSA-SHA256', Buffer.from(`${h}.${c}`), this.key, Buffer.from(sig, 'base64url'))
    ) {
      throw new OAuthError(400, 'invalid_grant', 'invalid assertion');
    }
    const audiences = [
      'https://login.salesforce.com',
      'https://test.salesforce.com',
      this.baseUrl(),
      ...(app.audiences ?? []),
    ];
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.some((a) => audiences.includes(a.replace(/\/$/, ''))))
      throw new OAuthError(400, 'invalid_grant', 'audience is invalid');
    const nowSec = Math.floor(this.org.clock.now() / 1000);
    if (claims.exp <= nowSec) throw new OAuthError(400, 'invalid_grant', 'expired authorization code');
    const user = this.org.userByUsername(claims.sub);
    if (!user) throw new OAuthError(400, 'invalid_grant', "user hasn't approved this consumer");
    if (user.IsActive === false) throw new OAuthError(400, 'invalid_grant', 'inactive user');
    if ((app.permittedUsers ?? 'AdminApprovedPreAuthorized') === 'AllSelfAuthorized') {
      // JWT bearer cannot ask the user; it needs an approval given earlier in an interactive flow
      throw new OAuthError(400, 'invalid_grant', "user hasn't approved this consumer");
    }
    const access = this.options.userAccess!(user.Id);
    const preAuthorised =
      access.permissionSets.some((p) => (app.permissionSets ?? []).includes(p)) ||
      (access.profile !== undefined && (app.profiles ?? []).includes(access.profile));
    if (!preAuthorised)
      throw new OAuthError(400, 'invalid_app_access', 'user is not admin approved to access this app');
    return user.Id;
  }

  private issue(userId: string, withRefresh: boolean): TokenResponse {
    const now = this.org.clock.now();
    const token = `${this.org.orgId.slice(0, 15)}!${randomBytes(24).toString('base64url')}`;
    const session: StoredSession = { token, userId, issuedAt: now, expiresAt: now + this.sessionTtlMs };
    const res: TokenResponse = {
      access_token: token,
      instance_url: this.baseUrl(),
      id: `${this.baseUrl()}/id/${this.org.orgId}/${userId}`,
      token_type: 'Bearer',
      scope: 'api',
      issued_at: String(now),
    };
    if (withRefresh) {
      const refresh = `5Aep${randomBytes(32).toString('base64url')}`;
      this.org.store.refreshTokens.set(refresh, userId);
      session.refreshToken = refresh;
      res.refresh_token = refresh;
    }
    this.org.store.sessions.set(token, session);
    this.org.store.persist();
    return res;
  }

  /** The live session for a bearer token, or undefined when it is unknown, revoked or expired. */
  session(token: string | undefined): StoredSession | undefined {
    if (!token) return undefined;
    const s = this.org.store.sessions.get(token);
    if (!s) return undefined;
    if (s.expiresAt <= this.org.clock.now()) {
      this.org.store.sessions.delete(token);
      return undefined;
    }
    return s;
  }

  /** Issues a session directly (tests, the CLI's printed demo token). */
  login(username: string): TokenResponse {
    const user = this.org.userByUsername(username);
    if (!user) throw new OAuthError(400, 'invalid_grant', 'authentication failure');
    return this.issue(user.Id, false);
  }

  /** Mints a one-time authorization code, as the web-server flow's redirect would deliver it. */
  authorizationCode(username: string): string {
    const user = this.org.userByUsername(username);
    if (!user) throw new OAuthError(400, 'invalid_grant', 'authentication failure');
    const code = `aPrx${randomBytes(16).toString('base64url')}`;
    this.codes.set(code, user.Id);
    return code;
  }

  revoke(token: string): void {
    const s = this.org.store.sessions.get(token);
    this.org.store.sessions.delete(token);
    if (this.org.store.refreshTokens.has(token)) this.org.store.refreshTokens.delete(token);
    if (s?.refreshToken) this.org.store.refreshTokens.delete(s.refreshToken);
    this.org.store.persist();
  }

  /** Fault: every current session stops working (as after a session timeout or a password reset). */
  expireAll(): void {
    this.org.store.sessions.clear();
    this.org.store.persist();
  }
}
