/** Shared set-up for the emulator's tests: a frozen clock, RSA keys for JWT bearer, jsforce connections. */
import { generateKeyPairSync, sign } from 'node:crypto';
import { join } from 'node:path';
import { Connection } from 'jsforce';
import type { SalesforceConfig } from '../../src/salesforce/connection';
import { selfSignedCertificate } from './certificate';
import { ScaledClock } from './clock';
import { startSalesforceEmulator, type EmulatorOptions, type SalesforceEmulator } from './server';

export const FIXTURE_FORCE_APP = join(__dirname, 'test-fixtures', 'force-app');
export const INTEGRATION = 'integration@ledgerline.example';
export const SALES = 'sam.seller@ledgerline.example';
export const FINANCE = 'fran.finance@ledgerline.example';
/** a rep with the Standard User profile and no Ledgerline permission set (nor does Data Loader need one) */
export const NEWHIRE = 'nico.newhire@ledgerline.example';
/** System Administrator profile (Modify All Data) and the Ledgerline Admin permission set */
export const ADMIN = 'ada.admin@ledgerline.example';
export const API_VERSION = '62.0';
export const CONSUMER_KEY = '3MVG9-ledgerline-test-consumer';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const privateKeyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** The certificate uploaded to the bridge's External Client App (the private key above signs the JWTs). */
export const certificatePem = selfSignedCertificate(keys);

/** A frozen clock (scale 0): time moves only when a test advances it. */
export function frozenClock(start = Date.UTC(2026, 0, 15, 9, 0, 0)): ScaledClock {
  return new ScaledClock({ start, scale: 0 });
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<SalesforceEmulator> {
  return startSalesforceEmulator({
    port: 0,
    clock: options.clock ?? frozenClock(),
    externalClientApp: { consumerKey: CONSUMER_KEY, certificatePem, permissionSets: ['Ledgerline_Integration'] },
    cometdTimeoutSeconds: 2,
    ...options,
  });
}

/** The bridge's Salesforce configuration for this emulator: JWT bearer as the integration user. */
export function bridgeSalesforceConfig(em: SalesforceEmulator, namespacePrefix = ''): SalesforceConfig {
  return {
    loginUrl: em.url,
    instanceUrl: undefined,
    apiVersion: API_VERSION,
    clientId: CONSUMER_KEY,
    username: INTEGRATION,
    privateKey: privateKeyPem,
    audience: em.url,
    namespacePrefix,
  };
}

export function connect(em: SalesforceEmulator, username = INTEGRATION): Connection {
  const session = em.control.login(username);
  return new Connection({ instanceUrl: em.url, accessToken: session.accessToken, version: API_VERSION });
}

/** An RS256 JWT bearer assertion as a connected app's client signs it (reference §4.5). */
export function jwtAssertion(claims: Record<string, unknown>, key = privateKeyPem): string {
  const b64u = (s: string): string => Buffer.from(s).toString('base64url');
  const h = b64u(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const c = b64u(JSON.stringify(claims));
  return `${h}.${c}.${sign('RSA-SHA256', Buffer.from(`${h}.${c}`), key).toString('base64url')}`;
}

/** Waits until `check` passes (streaming arrives asynchronously). */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
