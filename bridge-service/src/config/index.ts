import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { LedgerlineError } from '../lib/errors';
import { EMPTY_IS_VALUE, ENV_KEYS, envSchema, type Env } from './schema';

export { DEFAULT_XERO_SCOPES, ENV_KEYS, LEGACY_XERO_SCOPES, LOG_LEVELS, XERO_SCOPES_BY_NEED } from './schema';

/** The bridge's configuration, parsed once at boot: its shape and types follow from the zod schema (schema.ts). */
export type Config = ReturnType<typeof toConfig>;

/** The configuration from the parsed environment and the values resolved beside it (key file, decoded key). */
function toConfig(e: Env, resolved: { privateKey: string; encryptionKey: Buffer }) {
  return {
    server: { host: e.HOST, port: e.PORT },
    logLevel: e.LOG_LEVEL,
    /** Identifies this process as a lease owner in the shared store. */
    instanceId: e.BRIDGE_INSTANCE_ID ?? `${hostname()}:${process.pid}`,
    httpTimeoutMs: e.HTTP_TIMEOUT_MS,
    pollIntervalMs: e.POLL_INTERVAL_MS,
    /** Amendment proration: 'daily' (365-day year, inclusive dates) or 'monthly-daily'. */
    prorationMethod: e.PRORATION_METHOD,
    /** Documents a historical import reads per Xero page. */
    importPageSize: e.IMPORT_PAGE_SIZE,
    salesforce: {
      loginUrl: stripSlash(e.SF_LOGIN_URL),
      /** Optional: the JWT token response names the instance; this overrides it (emulators, My Domain). */
      instanceUrl: e.SF_INSTANCE_URL === undefined ? undefined : stripSlash(e.SF_INSTANCE_URL),
      apiVersion: e.SF_API_VERSION,
      clientId: e.SF_CLIENT_ID,
      username: e.SF_USERNAME,
      privateKey: resolved.privateKey,
      audience: stripSlash(e.SF_AUDIENCE ?? jwtAudience(e.SF_LOGIN_URL)),
      /** '' or e.g. 'ldgr__', prepended to every custom API name. */
      namespacePrefix: e.SF_NAMESPACE_PREFIX,
    },
    xero: {
      apiBaseUrl: stripSlash(e.XERO_API_BASE_URL),
      tokenUrl: e.XERO_TOKEN_URL,
      authorizeUrl: e.XERO_AUTHORIZE_URL,
      connectionsUrl: stripSlash(e.XERO_CONNECTIONS_URL),
      clientId: e.XERO_CLIENT_ID,
      clientSecret: e.XERO_CLIENT_SECRET,
      redirectUri: e.XERO_REDIRECT_URI,
      scopes: e.XERO_SCOPES.split(/\s+/).filter(Boolean),
      webhookKey: e.XERO_WEBHOOK_KEY,
      limits: {
        tenantConcurrency: e.XERO_TENANT_MAX_CONCURRENT,
        tenantPerMinute: e.XERO_TENANT_PER_MINUTE,
        tenantPerDay: e.XERO_TENANT_PER_DAY,
        appPerMinute: e.XERO_APP_PER_MINUTE,
      },
    },
    adminToken: e.ADMIN_TOKEN,
    store: storeConfig(e, resolved.encryptionKey),
  };
}

/** Where the store lives: an SQLite file (one host) or a PostgreSQL database (replicas, many orgs). */
export type StoreConfig = { encryptionKey: Buffer } & (
  { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; poolSize: number; statementTimeoutMs: number }
);

export const DEFAULT_STORE_PATH = 'data/ledgerline.sqlite';

function storeConfig(e: Env, encryptionKey: Buffer): StoreConfig {
  return e.STORE_URL === undefined
    ? { kind: 'sqlite', path: e.STORE_PATH ?? DEFAULT_STORE_PATH, encryptionKey }
    : {
        kind: 'postgres',
        url: e.STORE_URL,
        poolSize: e.STORE_POOL_SIZE,
        statementTimeoutMs: e.STORE_STATEMENT_TIMEOUT_MS,
        encryptionKey,
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
 * Builds the configuration from environment variables, optionally merged over a JSON file named by
 * LEDGERLINE_CONFIG_FILE (flat, same variable names; the environment wins). Throws one ConfigError that
 * lists every problem at once.
 */
export function loadConfig(env: RawEnv = process.env, opts: LoadConfigOptions = {}): Config {
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
  const privateKey = resolvePrivateKey(merged, readFile, problems);
  const encryptionKey = decodeKey(merged.TOKEN_ENCRYPTION_KEY, problems);
  const scopes = (merged.XERO_SCOPES ?? parsed.data?.XERO_SCOPES ?? '').split(/\s+/).filter(Boolean);
  if (merged.STORE_URL !== undefined && merged.STORE_PATH !== undefined) {
    problems.push('STORE_PATH / STORE_URL: set one, not both (STORE_URL for PostgreSQL, STORE_PATH for SQLite)');
  }
  if (merged.XERO_SCOPES !== undefined && !scopes.includes('offline_access')) {
    problems.push('XERO_SCOPES: must include offline_access (without it Xero issues no refresh token)');
  }

  if (problems.length > 0 || !parsed.success || privateKey === undefined || encryptionKey === undefined) {
    throw new ConfigError(problems.length > 0 ? problems : ['unknown configuration error']);
  }
  return toConfig(parsed.data, { privateKey, encryptionKey });
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
export function decodeKey(value: string | undefined, problems: string[]): Buffer | undefined {
  if (value === undefined) return undefined; // the schema already reported it
  const trimmed = value.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) key = Buffer.from(trimmed, 'base64');
  if (key?.length !== 32) {
    problems.push('TOKEN_ENCRYPTION_KEY: must be 32 bytes, as 64 hex characters or base64 (openssl rand -base64 32)');
    return undefined;
  }
  return key;
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
