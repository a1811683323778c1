import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { LedgerlineError } from '../lib/errors';
import {
  DEFAULT_ORG_KEYS,
  DEFAULT_POLL_IDLE_MAX_MS,
  DEFAULT_XERO_SCOPES,
  EMPTY_IS_VALUE,
  ENV_KEYS,
  envSchema,
  missingXeroScopes,
  type Env,
} from './schema';

export {
  DEFAULT_XERO_SCOPES,
  ENV_KEYS,
  isSecureEndpoint,
  LEGACY_XERO_SCOPES,
  LOG_LEVELS,
  missingXeroScopes,
  SECURE_ENDPOINT_RULE,
  XERO_SCOPES_BY_NEED,
} from './schema';

/**
 * One org's bridge configuration: the deployment's settings (server, store, timeouts, Xero endpoints and limits)
 * with the org's own Salesforce login and Xero app. The org configured by environment gets it from loadConfig; an
 * org kept in the store gets it from its profile and secrets (host/org-config.ts).
 */
export type Config = DeploymentConfig & OrgSettings;

/** What every org of a deployment shares, from the environment. */
export type DeploymentConfig = ReturnType<typeof toDeployment>;

/** What is each org's own. */
export interface OrgSettings {
  pollIntervalMs: number;
  /** Amendment proration: 'daily' (365-day year, inclusive dates) or 'monthly-daily'. */
  prorationMethod: 'daily' | 'monthly-daily';
  salesforce: {
    loginUrl: string;
    /** Optional: the JWT token response names the instance; this overrides it (emulators, My Domain). */
    instanceUrl: string | undefined;
    apiVersion: string;
    clientId: string;
    username: string;
    privateKey: string;
    audience: string;
    /** '' or e.g. 'ldgr__', prepended to every custom API name. */
    namespacePrefix: '' | `${string}__`;
  };
  xero: XeroEndpoints & {
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    scopes: string[];
    webhookKey: string;
    /** The key being replaced, still accepted on webhooks during a rotation. */
    webhookKeyPrevious: string | undefined;
    limits: XeroLimitSettings;
  };
}

export interface XeroEndpoints {
  apiBaseUrl: string;
  tokenUrl: string;
  authorizeUrl: string;
  connectionsUrl: string;
}

export interface XeroLimitSettings {
  tenantConcurrency: number;
  tenantPerMinute: number;
  tenantPerDay: number;
  appPerMinute: number;
}

/** The deployment's settings plus the org configured by environment (null with DEFAULT_ORG=none). */
export type HostConfig = DeploymentConfig & { defaultOrg: Config | null };

function toDeployment(e: Env, resolved: { encryptionKey: Buffer; previousKeys: Buffer[] }) {
  return {
    server: { host: e.HOST, port: e.PORT },
    logLevel: e.LOG_LEVEL,
    /** Identifies this process as a lease owner in the shared store. */
    instanceId: e.BRIDGE_INSTANCE_ID ?? `${hostname()}:${process.pid}`,
    httpTimeoutMs: e.HTTP_TIMEOUT_MS,
    /** The longest an idle tenant waits between polls (never less than its org's poll interval). */
    pollIdleMaxMs: e.POLL_IDLE_MAX_MS ?? Math.max(DEFAULT_POLL_IDLE_MAX_MS, e.POLL_INTERVAL_MS),
    /** Documents a historical import reads per Xero page. */
    importPageSize: e.IMPORT_PAGE_SIZE,
    /** Days a done job is kept before the daily prune deletes it. */
    jobRetentionDays: e.JOB_RETENTION_DAYS,
    adminToken: e.ADMIN_TOKEN,
    /** ADMIN_TOKEN_PREVIOUS, accepted too during a rotation. */
    adminTokenPrevious: e.ADMIN_TOKEN_PREVIOUS,
    store: storeConfig(e, resolved.encryptionKey, resolved.previousKeys),
    /** How often the orgs are read from the store. */
    orgRefreshIntervalMs: e.ORG_REFRESH_INTERVAL_MS,
    /** What an org kept in the store gets unless its profile says otherwise. */
    orgDefaults: {
      pollIntervalMs: e.POLL_INTERVAL_MS,
      prorationMethod: e.PRORATION_METHOD,
      salesforceApiVersion: e.SF_API_VERSION,
      xero: {
        apiBaseUrl: stripSlash(e.XERO_API_BASE_URL),
        tokenUrl: e.XERO_TOKEN_URL,
        authorizeUrl: e.XERO_AUTHORIZE_URL,
        connectionsUrl: stripSlash(e.XERO_CONNECTIONS_URL),
      } satisfies XeroEndpoints,
      xeroLimits: {
        tenantConcurrency: e.XERO_TENANT_MAX_CONCURRENT,
        tenantPerMinute: e.XERO_TENANT_PER_MINUTE,
        tenantPerDay: e.XERO_TENANT_PER_DAY,
        appPerMinute: e.XERO_APP_PER_MINUTE,
      } satisfies XeroLimitSettings,
    },
  };
}

/** The org configured by environment: every DEFAULT_ORG_KEYS variable was checked present. */
function toDefaultOrg(e: Env, privateKey: string, deployment: DeploymentConfig): Config {
  const set = (value: string | undefined): string => value ?? '';
  const { orgDefaults } = deployment;
  return {
    ...deployment,
    pollIntervalMs: orgDefaults.pollIntervalMs,
    prorationMethod: orgDefaults.prorationMethod,
    salesforce: {
      loginUrl: stripSlash(e.SF_LOGIN_URL),
      instanceUrl: e.SF_INSTANCE_URL === undefined ? undefined : stripSlash(e.SF_INSTANCE_URL),
      apiVersion: e.SF_API_VERSION,
      clientId: set(e.SF_CLIENT_ID),
      username: set(e.SF_USERNAME),
      privateKey,
      audience: stripSlash(e.SF_AUDIENCE ?? jwtAudience(e.SF_LOGIN_URL)),
      namespacePrefix: e.SF_NAMESPACE_PREFIX,
    },
    xero: {
      ...orgDefaults.xero,
      clientId: set(e.XERO_CLIENT_ID),
      clientSecret: set(e.XERO_CLIENT_SECRET),
      redirectUri: set(e.XERO_REDIRECT_URI),
      scopes: e.XERO_SCOPES.split(/\s+/).filter(Boolean),
      webhookKey: set(e.XERO_WEBHOOK_KEY),
      webhookKeyPrevious: e.XERO_WEBHOOK_KEY_PREVIOUS,
      limits: orgDefaults.xeroLimits,
    },
  };
}

/** Where the store lives: an SQLite file (one host) or a PostgreSQL database (replicas, many orgs). */
export type StoreConfig = { encryptionKey: Buffer; previousEncryptionKeys: Buffer[] } & (
  { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; poolSize: number; statementTimeoutMs: number }
);

export const DEFAULT_STORE_PATH = 'data/ledgerline.sqlite';

function storeConfig(e: Env, encryptionKey: Buffer, previousEncryptionKeys: Buffer[]): StoreConfig {
  return e.STORE_URL === undefined
    ? { kind: 'sqlite', path: e.STORE_PATH ?? DEFAULT_STORE_PATH, encryptionKey, previousEncryptionKeys }
    : {
        kind: 'postgres',
        url: e.STORE_URL,
        poolSize: e.STORE_POOL_SIZE,
        statementTimeoutMs: e.STORE_STATEMENT_TIMEOUT_MS,
        encryptionKey,
        previousEncryptionKeys,
      };
}

/** Boot-time configuration failure; `problems` lists every bad or missing setting, one per line. */
export class ConfigError extends LedgerlineError {
  readonly problems: string[];

  constructor(problems: string[]) {
    super('CONFIG_INVALID', `Invalid configuration (${problems.length} problem(s)):\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

export interface LoadConfigOptions {
  /** Reads LEDGERLINE_CONFIG_FILE and SF_PRIVATE_KEY_FILE; injectable for tests. */
  readFile?: (path: string) => string;
}

type RawEnv = Record<string, string | undefined>;

/**
 * The configuration of the org configured by environment (DEFAULT_ORG=env), from environment variables optionally
 * merged over a JSON file named by LEDGERLINE_CONFIG_FILE (flat, same variable names; the environment wins). Throws
 * one ConfigError that lists every problem at once.
 */
export function loadConfig(env: RawEnv = process.env, opts: LoadConfigOptions = {}): Config {
  const host = loadHostConfig(env, opts);
  if (!host.defaultOrg) {
    throw new ConfigError(['DEFAULT_ORG: is none, so no org is configured by environment (its orgs are in the store)']);
  }
  return host.defaultOrg;
}

/**
 * The deployment's configuration and, unless DEFAULT_ORG=none, the org configured by environment: what a bridge
 * process serves (the other orgs come from the store). Throws one ConfigError that lists every problem at once.
 */
export function loadHostConfig(env: RawEnv = process.env, opts: LoadConfigOptions = {}): HostConfig {
  const readFile = opts.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const problems: string[] = [];

  const fromFile = readConfigFile(env.LEDGERLINE_CONFIG_FILE, readFile, problems);
  const merged: RawEnv = {};
  for (const key of ENV_KEYS) {
    const value = env[key] ?? fromFile[key];
    merged[key] = value === '' && !EMPTY_IS_VALUE.has(key) ? undefined : value;
  }

  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
  }

  // Checks across variables or on decoded values; run even when the schema failed, so the list is complete.
  const withDefaultOrg = merged.DEFAULT_ORG !== 'none';
  if (withDefaultOrg) {
    for (const key of DEFAULT_ORG_KEYS) if (merged[key] === undefined) problems.push(`${key}: is required`);
  }
  const privateKey = withDefaultOrg ? resolvePrivateKey(merged, readFile, problems) : '';
  const encryptionKey = decodeKey(merged.TOKEN_ENCRYPTION_KEY, problems);
  const previousKeys = (merged.TOKEN_ENCRYPTION_KEY_PREVIOUS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => decodeKey(k, problems, 'TOKEN_ENCRYPTION_KEY_PREVIOUS'));
  const scopes = (merged.XERO_SCOPES ?? parsed.data?.XERO_SCOPES ?? '').split(/\s+/).filter(Boolean);
  if (merged.STORE_URL !== undefined && merged.STORE_PATH !== undefined) {
    problems.push('STORE_PATH / STORE_URL: set one, not both (STORE_URL for PostgreSQL, STORE_PATH for SQLite)');
  }
  if (merged.XERO_SCOPES !== undefined && !scopes.includes('offline_access')) {
    problems.push('XERO_SCOPES: must include offline_access (without it Xero issues no refresh token)');
  }
  const uncovered = missingXeroScopes(scopes).filter((scope) => scope !== 'offline_access');
  if (merged.XERO_SCOPES !== undefined && uncovered.length > 0) {
    problems.push(
      `XERO_SCOPES: lacks ${uncovered.join(', ')}, which the bridge's calls need (default: ${DEFAULT_XERO_SCOPES})`,
    );
  }

  if (
    problems.length > 0 ||
    !parsed.success ||
    privateKey === undefined ||
    encryptionKey === undefined ||
    previousKeys.some((k) => k === undefined)
  ) {
    throw new ConfigError(problems.length > 0 ? problems : ['unknown configuration error']);
  }
  const deployment = toDeployment(parsed.data, { encryptionKey, previousKeys: previousKeys.filter((k) => !!k) });
  return { ...deployment, defaultOrg: withDefaultOrg ? toDefaultOrg(parsed.data, privateKey, deployment) : null };
}

/**
 * The JWT `aud` Salesforce expects for a login URL: https://login.salesforce.com for production and My Domain
 * logins, https://test.salesforce.com for sandboxes (Salesforce's JWT bearer flow accepts only these and an
 * Experience Cloud URL). Any other server (the emulator, a proxy) is its own audience.
 */
export function jwtAudience(loginUrl: string): string {
  const host = new URL(loginUrl).hostname.toLowerCase();
  if (host === 'test.salesforce.com' || host.endsWith('.sandbox.my.salesforce.com'))
    return 'https://test.salesforce.com';
  if (host === 'login.salesforce.com' || host.endsWith('.my.salesforce.com')) return 'https://login.salesforce.com';
  return new URL(loginUrl).origin;
}

function readConfigFile(path: string | undefined, readFile: (p: string) => string, problems: string[]): RawEnv {
  if (path === undefined || path === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(readFile(path));
  } catch (err) {
    problems.push(`LEDGERLINE_CONFIG_FILE: cannot read ${path} as JSON (${(err as Error).message})`);
    return {};
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.push(`LEDGERLINE_CONFIG_FILE: ${path} must hold a JSON object of VARIABLE: value`);
    return {};
  }
  const out: RawEnv = {};
  const known = new Set<string>(ENV_KEYS);
  for (const [key, value] of Object.entries(data)) {
    if (!known.has(key) || key === 'LEDGERLINE_CONFIG_FILE') {
      problems.push(`${key} (in ${path}): unknown setting`);
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[key] = String(value);
    } else {
      problems.push(`${key} (in ${path}): must be a string or number`);
    }
  }
  return out;
}

function resolvePrivateKey(env: RawEnv, readFile: (p: string) => string, problems: string[]): string | undefined {
  const inline = env.SF_PRIVATE_KEY;
  const file = env.SF_PRIVATE_KEY_FILE;
  if (inline !== undefined && file !== undefined) {
    problems.push('SF_PRIVATE_KEY / SF_PRIVATE_KEY_FILE: set one, not both');
    return undefined;
  }
  let pem: string;
  if (inline !== undefined) {
    pem = inline.replace(/\\n/g, '\n'); // one-line env values carry "\n"
  } else if (file !== undefined) {
    try {
      pem = readFile(file);
    } catch (err) {
      problems.push(`SF_PRIVATE_KEY_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  } else {
    problems.push('SF_PRIVATE_KEY / SF_PRIVATE_KEY_FILE: one is required (the JWT signing key, PEM)');
    return undefined;
  }
  if (!/-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----[\s\S]+-----END (RSA |ENCRYPTED )?PRIVATE KEY-----/.test(pem)) {
    problems.push(`${inline !== undefined ? 'SF_PRIVATE_KEY' : 'SF_PRIVATE_KEY_FILE'}: is not a PEM private key`);
    return undefined;
  }
  return pem;
}

/** Decodes a 32-byte key given as 64 hex characters or base64. */
export function decodeKey(
  value: string | undefined,
  problems: string[],
  name = 'TOKEN_ENCRYPTION_KEY',
): Buffer | undefined {
  if (value === undefined) return undefined; // the schema already reported it
  const trimmed = value.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) key = Buffer.from(trimmed, 'base64');
  if (key?.length !== 32) {
    problems.push(`${name}: must be 32 bytes, as 64 hex characters or base64 (openssl rand -base64 32)`);
    return undefined;
  }
  return key;
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
