import { sign } from 'node:crypto';
import { Connection } from 'jsforce';
import type { Config } from '../config';
import { LedgerlineError } from '../lib/errors';
import type { Logger } from '../lib/logger';

export type SalesforceConfig = Config['salesforce'];

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
// Salesforce accepts an assertion that expires at most a few minutes out.
const ASSERTION_LIFETIME_S = 180;

/** Salesforce refused to mint a token for the integration user (bad key, unapproved app, wrong user). */
export class SalesforceAuthError extends LedgerlineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SALESFORCE_AUTH', message, options);
  }
}

const b64url = (text: string) => Buffer.from(text).toString('base64url');

/** An RS256 JWT bearer assertion for the integration user (Salesforce OAuth 2.0 JWT bearer flow). */
export function jwtAssertion(cfg: SalesforceConfig, nowMs: number): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = b64url(
    JSON.stringify({
      iss: cfg.clientId,
      sub: cfg.username,
      aud: cfg.audience,
      exp: Math.floor(nowMs / 1000) + ASSERTION_LIFETIME_S,
    }),
  );
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), cfg.privateKey).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

/**
 * A jsforce connection authenticated with the JWT bearer flow. JWT gives no refresh token, so jsforce's
 * refreshFn mints a new assertion whenever Salesforce answers 401, then retries the call once.
 */
export async function connectSalesforce(
  cfg: SalesforceConfig,
  log: Logger,
  now: () => number = Date.now,
): Promise<Connection> {
  const params = () => ({ grant_type: JWT_GRANT, assertion: jwtAssertion(cfg, now()) });
  const refused = (err: unknown) =>
    new SalesforceAuthError(`Salesforce refused the integration user ${cfg.username}: ${(err as Error).message}`, {
      cause: err,
    });

  const conn: Connection = new Connection({
    loginUrl: cfg.loginUrl,
    version: cfg.apiVersion,
    refreshFn: (c, callback) => {
      c.oauth2
        .requestToken(params())
        .then((token) => {
          log.info({ username: cfg.username }, 'Salesforce session refreshed');
          callback(null, token.access_token, token);
        })
        .catch((err: unknown) => callback(refused(err)));
    },
  });
  try {
    await conn.authorize(params());
  } catch (err) {
    throw refused(err);
  }
  // The token response names the instance; configuration may override it (My Domain, emulators).
  if (cfg.instanceUrl) conn.instanceUrl = cfg.instanceUrl;
  log.info({ username: cfg.username, instanceUrl: conn.instanceUrl }, 'connected to Salesforce');
  return conn;
}
