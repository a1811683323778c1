import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../config';
import { systemClock, type Clock } from '../lib/clock';
import { describeError, isTransient } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { retry } from '../lib/retry';
import {
  TokenRefreshLockTimeout,
  type XeroConnection,
  type XeroConnectionRepository,
  type XeroTokenSet,
} from '../store';
import { XeroNotConnectedError, XeroReauthorisationRequired, XeroTokenError } from './errors';

export type XeroAuthConfig = Pick<
  Config['xero'],
  'tokenUrl' | 'authorizeUrl' | 'connectionsUrl' | 'clientId' | 'clientSecret' | 'redirectUri' | 'scopes'
>;

type TokenStore = Pick<
  XeroConnectionRepository,
  | 'getXeroConnection'
  | 'saveXeroTokenSet'
  | 'setXeroConnectionStatus'
  | 'saveXeroTenants'
  | 'getXeroTenant'
  | 'refreshXeroTokenSet'
>;

/** One organisation a token can reach (GET /connections). */
export interface XeroTenantConnection {
  id: string;
  tenantId: string;
  tenantType: string;
  tenantName: string | null;
  authEventId?: string;
  createdDateUtc?: string;
  updatedDateUtc?: string;
}

export interface XeroTokenManagerOptions {
  /** Where token sets and tenant links live; its refreshXeroTokenSet serialises refreshes across processes. */
  connections: TokenStore;
  config: XeroAuthConfig;
  /** This process's name as a lock owner in the store (Config.instanceId). */
  owner: string;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  clock?: Clock;
  httpTimeoutMs?: number;
  /** Refresh when the access token has less than this left. Default 2 minutes. */
  refreshLeewayMs?: number;
  /** How long to wait for another process's refresh before giving up. Default 30 s. */
  lockWaitMs?: number;
  /** Reported once per refusal: the connection needs a person. */
  onReauthorisationRequired?: (err: XeroReauthorisationRequired) => void;
  /** Every refresh this process attempted, by outcome (metrics); `refused` also counts a set issued elsewhere. */
  onRefresh?: (outcome: 'refreshed' | 'refused' | 'failed') => void;
  fetch?: typeof fetch;
}

/**
 * Xero OAuth tokens, done by the bridge itself (xero-node's refresh hard-codes Xero's identity URLs).
 *
 * Refresh is single-flight per connection within the process, and across every process that shares the store
 * (XeroConnectionRepository.refreshXeroTokenSet: the connection's row lock on PostgreSQL, a lease on SQLite).
 * Under the lock the token set is read again: another process may have refreshed it meanwhile, and its rotated
 * refresh token is the only valid one (Xero refuses a used refresh token once its 30-minute grace has passed).
 * The new token set, rotated refresh token included, is stored before the lock is released and before the new
 * access token is handed out.
 * A refused refresh token (400 invalid_grant) marks the connection `reauthorisation_required` and throws
 * XeroReauthorisationRequired; from then on no refresh is attempted until someone reconnects.
 *
 * Every token set is bound to the token endpoint that issued it (`issuedBy`, origin + path). A set issued by
 * another endpoint than the configured one (the org's tokenUrl changed: sandbox to live, a typo, a hostile edit)
 * is refused the same way before any request: its refresh token, the client secret and its access token stay in
 * the process. A set stored before the binding existed is bound to the configured endpoint on first use, under the
 * refresh lock: that endpoint is where the bridge sent it until then, and from then on it goes nowhere else.
 */
export class XeroTokenManager {
  private readonly store: TokenStore;
  private readonly config: XeroAuthConfig;
  /** The configured token endpoint as token sets are bound to it. */
  private readonly tokenEndpoint: string;
  private readonly owner: string;
  private readonly log: Pick<Logger, 'info' | 'warn' | 'error'> | undefined;
  private readonly clock: Clock;
  private readonly httpTimeoutMs: number;
  private readonly leewayMs: number;
  private readonly lockWaitMs: number;
  private readonly holdMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly onReauth: ((err: XeroReauthorisationRequired) => void) | undefined;
  private readonly onRefresh: ((outcome: 'refreshed' | 'refused' | 'failed') => void) | undefined;
  private readonly inflight = new Map<string, Promise<XeroTokenSet>>();

  constructor(opts: XeroTokenManagerOptions) {
    this.store = opts.connections;
    this.config = opts.config;
    this.tokenEndpoint = tokenEndpointOf(opts.config.tokenUrl);
    this.owner = opts.owner;
    this.log = opts.logger;
    this.clock = opts.clock ?? systemClock;
    this.httpTimeoutMs = opts.httpTimeoutMs ?? 30_000;
    this.leewayMs = opts.refreshLeewayMs ?? 120_000;
    this.lockWaitMs = opts.lockWaitMs ?? 30_000;
    // long enough for a refresh with its retries; a crashed holder's lock lapses after this (SQLite)
    this.holdMs = this.httpTimeoutMs * 3 + 15_000;
    this.fetchFn = opts.fetch ?? fetch;
    this.onReauth = opts.onReauthorisationRequired;
    this.onRefresh = opts.onRefresh;
  }

  /** The connection holding the tenant's token set (set when the tenant was connected). */
  async connectionIdForTenant(tenantId: string): Promise<string> {
    const link = await this.store.getXeroTenant(tenantId);
    if (!link) throw new XeroNotConnectedError(`Xero tenant ${tenantId} is not connected to the bridge`);
    return link.connectionId;
  }

  /** A usable access token for the connection, refreshed first if it has under two minutes left. */
  async getAccessToken(connectionId: string): Promise<string> {
    return (await this.getTokenSet(connectionId)).accessToken;
  }

  /** The current token set, refreshed first if needed. */
  async getTokenSet(connectionId: string): Promise<XeroTokenSet> {
    const current = await this.readUsable(connectionId);
    // A set not bound to the configured endpoint goes under the lock: bound there on first use, or refused.
    if (current.issuedBy === this.tokenEndpoint && this.isFresh(current)) return current;
    try {
      return await this.refresh(connectionId);
    } catch (err) {
      // A proactive refresh that failed for a passing reason: the old token still works for a while. Not a set issued
      // by another token endpoint: only the refresh under the lock may decide on that one, and it refuses it.
      const stillValidMs = current.expiresAt - this.clock.now();
      const mayUse = current.issuedBy === undefined || current.issuedBy === this.tokenEndpoint;
      if (mayUse && err instanceof XeroTokenError && isTransient(err) && stillValidMs > 10_000) {
        this.log?.warn({ connectionId, err, stillValidMs }, 'Xero token refresh failed; using the current token');
        return current;
      }
      throw err;
    }
  }

  /**
   * Refreshes now (single-flight). Pass the access token Xero just rejected with 401 to force a refresh
   * even though it looks unexpired; if another process already replaced it, the replacement is returned.
   */
  refresh(connectionId: string, opts: { rejectedAccessToken?: string } = {}): Promise<XeroTokenSet> {
    const running = this.inflight.get(connectionId);
    if (running) return running;
    const promise = this.refreshShared(connectionId, opts.rejectedAccessToken).finally(() =>
      this.inflight.delete(connectionId),
    );
    this.inflight.set(connectionId, promise);
    return promise;
  }

  /** Exchanges an authorization code (with its PKCE verifier) for a token set. Does not store it. */
  async exchangeAuthorizationCode(code: string, codeVerifier: string): Promise<XeroTokenSet> {
    return this.tokenRequest(
      new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: this.config.redirectUri,
        code_verifier: codeVerifier,
      }),
      undefined,
    );
  }

  /**
   * Completes "Connect to Xero": exchanges the code, stores the token set under `connectionId`, lists the
   * organisations it reaches and links each tenant to the connection. Returns those organisations.
   */
  async completeAuthorization(input: {
    code: string;
    codeVerifier: string;
    connectionId: string;
  }): Promise<{ tokenSet: XeroTokenSet; tenants: XeroTenantConnection[] }> {
    const tokenSet = await this.exchangeAuthorizationCode(input.code, input.codeVerifier);
    await this.store.saveXeroTokenSet(input.connectionId, tokenSet);
    const tenants = await this.listConnections(tokenSet.accessToken);
    await this.store.saveXeroTenants(
      input.connectionId,
      tenants.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName, tenantType: t.tenantType })),
    );
    this.log?.info({ connectionId: input.connectionId, tenants: tenants.map((t) => t.tenantId) }, 'Xero connected');
    return { tokenSet, tenants };
  }

  /** GET the configured connections URL: the organisations this access token can reach. */
  async listConnections(accessToken: string): Promise<XeroTenantConnection[]> {
    let response: Response;
    try {
      response = await this.fetchFn(this.config.connectionsUrl, {
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.httpTimeoutMs),
      });
    } catch (err) {
      throw new XeroTokenError(`Xero connections: no response (${describeError(err)})`, 0, undefined, { cause: err });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new XeroTokenError(`Xero connections failed (${response.status}): ${text.slice(0, 200)}`, response.status);
    }
    const parsed = JSON.parse(text) as XeroTenantConnection[];
    if (!Array.isArray(parsed)) throw new XeroTokenError('Xero connections: expected an array', 502);
    return parsed.map((c) => ({ ...c, tenantName: c.tenantName ?? null }));
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────────

  private isFresh(tokenSet: XeroTokenSet, rejectedAccessToken?: string): boolean {
    if (rejectedAccessToken !== undefined && tokenSet.accessToken === rejectedAccessToken) return false;
    return tokenSet.expiresAt - this.clock.now() > this.leewayMs;
  }

  /** Reads the stored token set; throws if there is none or the connection awaits reauthorisation. */
  private async readUsable(connectionId: string): Promise<XeroTokenSet> {
    return this.usable(connectionId, await this.store.getXeroConnection(connectionId));
  }

  private usable(connectionId: string, connection: XeroConnection | null): XeroTokenSet {
    if (!connection?.tokenSet) {
      throw new XeroNotConnectedError(`Xero connection ${connectionId} has no token set: connect Xero first`);
    }
    if (connection.status === 'reauthorisation_required') {
      throw new XeroReauthorisationRequired(connectionId, connection.statusMessage ?? 'refresh token refused');
    }
    return connection.tokenSet;
  }

  /** Refusal of a set issued by another token endpoint than the configured one; null if it may be used here. */
  private endpointRefusal(connectionId: string, tokenSet: XeroTokenSet): XeroReauthorisationRequired | null {
    if (tokenSet.issuedBy === undefined || tokenSet.issuedBy === this.tokenEndpoint) return null;
    return new XeroReauthorisationRequired(
      connectionId,
      `its token set was issued by ${tokenSet.issuedBy} and the configured token URL is now ${this.tokenEndpoint}; ` +
        'its tokens are not sent there',
    );
  }

  private async refreshShared(connectionId: string, rejectedAccessToken?: string): Promise<XeroTokenSet> {
    let refreshed = false;
    let refused = false;
    let issuedElsewhere: string | undefined;
    let boundOnFirstUse = false;
    try {
      const connection = await this.store.refreshXeroTokenSet(
        connectionId,
        { owner: this.owner, waitMs: this.lockWaitMs, holdMs: this.holdMs },
        async (stored) => {
          // Read under the lock: another process may have rotated the refresh token (or been refused) meanwhile.
          const current = this.usable(connectionId, stored);
          const moved = this.endpointRefusal(connectionId, current);
          if (moved) {
            issuedElsewhere = current.issuedBy;
            this.onRefresh?.('refused');
            throw moved;
          }
          boundOnFirstUse = current.issuedBy === undefined;
          if (this.isFresh(current, rejectedAccessToken)) {
            return boundOnFirstUse ? { ...current, issuedBy: this.tokenEndpoint } : null;
          }
          const next = await retry(() => this.tokenRequest(refreshForm(current.refreshToken), connectionId), {
            retries: 2,
            baseDelayMs: 500,
            clock: this.clock,
            isRetryable: (err) => err instanceof XeroTokenError && isTransient(err),
          }).catch((err: unknown) => {
            refused = err instanceof XeroReauthorisationRequired;
            this.onRefresh?.(refused ? 'refused' : 'failed');
            throw err;
          });
          this.onRefresh?.('refreshed');
          refreshed = true;
          return next; // stored (encrypted) before the lock is released and before anyone uses it
        },
      );
      const tokenSet = this.usable(connectionId, connection);
      if (boundOnFirstUse) {
        this.log?.info({ connectionId, issuedBy: this.tokenEndpoint }, 'Xero token set bound to its token endpoint');
      }
      if (refreshed) {
        this.log?.info({ connectionId, expiresAt: new Date(tokenSet.expiresAt).toISOString() }, 'Xero token refreshed');
      }
      return tokenSet;
    } catch (err) {
      if (err instanceof TokenRefreshLockTimeout) {
        throw new XeroTokenError(err.message, 503, connectionId, { cause: err });
      }
      if ((refused || issuedElsewhere !== undefined) && err instanceof XeroReauthorisationRequired) {
        await this.store.setXeroConnectionStatus(connectionId, 'reauthorisation_required', err.message);
        if (issuedElsewhere !== undefined) {
          // The endpoints only (origin + path: no credentials or query), never the token set.
          this.log?.error(
            { connectionId, issuedBy: issuedElsewhere, tokenUrl: this.tokenEndpoint, err },
            'Xero token set refused: issued by another token endpoint than the configured one; reconnect Xero',
          );
        } else {
          this.log?.error({ connectionId, err }, 'Xero refresh token refused: reconnect Xero');
        }
        this.onReauth?.(err);
      } else if (err instanceof XeroTokenError && err.status >= 400 && err.status < 500) {
        await this.store.setXeroConnectionStatus(connectionId, 'error', err.message);
        this.log?.error({ connectionId, err }, 'Xero token refresh refused');
      }
      throw err;
    }
  }

  private async tokenRequest(form: URLSearchParams, connectionId: string | undefined): Promise<XeroTokenSet> {
    const basic = Buffer.from(`${this.config.clientId}:${this.config.clientSecret}`).toString('base64');
    const grant = form.get('grant_type');
    let response: Response;
    try {
      response = await this.fetchFn(this.config.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        signal: AbortSignal.timeout(this.httpTimeoutMs),
      });
    } catch (err) {
      throw new XeroTokenError(`Xero token ${grant}: no response (${describeError(err)})`, 0, connectionId, {
        cause: err,
      });
    }
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // non-JSON error pages are reported by status below
    }
    if (!response.ok) {
      const error = typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
      if (response.status === 400 && error === 'invalid_grant' && grant === 'refresh_token' && connectionId) {
        throw new XeroReauthorisationRequired(connectionId, 'Xero refused the refresh token: invalid_grant');
      }
      throw new XeroTokenError(`Xero token ${grant} refused: ${error}`, response.status, connectionId);
    }
    const accessToken = body.access_token;
    const refreshToken = body.refresh_token;
    const expiresIn = Number(body.expires_in);
    if (typeof accessToken !== 'string' || typeof refreshToken !== 'string' || !(expiresIn > 0)) {
      throw new XeroTokenError(
        `Xero token ${grant}: response lacks access_token, refresh_token or expires_in`,
        502,
        connectionId,
      );
    }
    const tokenSet: XeroTokenSet = {
      accessToken,
      refreshToken,
      expiresAt: this.clock.now() + expiresIn * 1000,
      issuedBy: this.tokenEndpoint,
    };
    if (typeof body.scope === 'string') tokenSet.scope = body.scope;
    if (typeof body.token_type === 'string') tokenSet.tokenType = body.token_type;
    if (typeof body.id_token === 'string') tokenSet.idToken = body.id_token;
    return tokenSet;
  }
}

/** A token endpoint as token sets are bound to it: origin and path, without credentials, query or fragment. */
export function tokenEndpointOf(tokenUrl: string): string {
  const url = new URL(tokenUrl);
  return `${url.origin}${url.pathname}`;
}

const refreshForm = (refreshToken: string) =>
  new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });

/** A PKCE verifier and its S256 challenge for the authorization-code flow. */
export function createPkcePair(): { codeVerifier: string; codeChallenge: string } {
  const codeVerifier = randomBytes(48).toString('base64url');
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  return { codeVerifier, codeChallenge };
}

/** The configured authorize URL with client, redirect, scopes, state and PKCE challenge. */
export function buildAuthorizeUrl(
  config: Pick<XeroAuthConfig, 'authorizeUrl' | 'clientId' | 'redirectUri' | 'scopes'>,
  params: { state: string; codeChallenge: string },
): string {
  const url = new URL(config.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', config.redirectUri);
  url.searchParams.set('scope', config.scopes.join(' '));
  url.searchParams.set('state', params.state);
  url.searchParams.set('code_challenge', params.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}
