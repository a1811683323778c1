import { z } from 'zod';

/**
 * Every environment variable the bridge reads, with its default. Names are the contract with `.env.example`
 * (a test keeps the two in step). Values arrive as strings; empty strings count as "not set".
 */

/** Needed only for the org configured by environment (DEFAULT_ORG=env); loadConfig says so when one is missing. */
const orgSetting = () => z.string().min(1).optional();

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Where the bridge may send secrets and tokens (a JWT assertion, client credentials, access and refresh tokens, an
 * OAuth state): an https URL, or plain http to this machine only (the emulators and the tests). Plain http to any
 * other host would put them on the wire in the clear.
 */
export function isSecureEndpoint(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname));
}

export const SECURE_ENDPOINT_RULE = 'must be https (plain http only to localhost, 127.0.0.1 or [::1])';

const httpUrl = (fallback?: string) => {
  const url = z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .refine(isSecureEndpoint, SECURE_ENDPOINT_RULE);
  return fallback === undefined ? z.string({ error: 'is required' }).pipe(url) : z.string().default(fallback).pipe(url);
};

const int = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The Xero OAuth scopes the bridge asks for at /connect/xero, by what needs them: the smallest granular set that
 * covers every Accounting API call it makes. Xero apps created on or after 2 March 2026 cannot ask for the broad
 * `accounting.transactions`; older apps may until September 2027, and move by reconnecting (a new consent).
 * A feature that calls a new endpoint adds its scope here (the finance layer: `accounting.manualjournals` for
 * month-end journals, `accounting.reports.trialbalance.read` for the tie-out); the Xero emulator refuses any call
 * the token's scopes do not cover, so a missing one fails a test.
 */
export const XERO_SCOPES_BY_NEED = {
  /** a refresh token, so the connection outlives the 30-minute access token */
  refreshTokens: ['offline_access'],
  /** Invoices (create, update, email, online link), CreditNotes and their Allocations */
  invoicesAndCreditNotes: ['accounting.invoices'],
  /** GET Payments (the poller); the bridge records no payment in Xero */
  readPayments: ['accounting.payments.read'],
  /** Contacts (find by number, create) */
  contacts: ['accounting.contacts'],
  /** GET Organisation (base currency, lock dates), Accounts (the close's accounts exist and are active) and TaxRates */
  readSettings: ['accounting.settings.read'],
  /** Month-end close: PUT/POST ManualJournals (recognition, accrual and its reversal, adjustments; voids) */
  manualJournals: ['accounting.manualjournals'],
  /** Month-end tie-out: GET Reports/TrialBalance (deferred and accrued revenue balances; /Journals is premium-only) */
  trialBalance: ['accounting.reports.trialbalance.read'],
} as const satisfies Record<string, readonly string[]>;

export const DEFAULT_XERO_SCOPES = Object.values(XERO_SCOPES_BY_NEED).flat().join(' ');

/** The broad scope that still covers a need for a Xero app created before 2 March 2026 (LEGACY_XERO_SCOPES). */
const BROAD_SCOPE_FOR: Partial<Record<keyof typeof XERO_SCOPES_BY_NEED, string>> = {
  invoicesAndCreditNotes: 'accounting.transactions',
  readPayments: 'accounting.transactions',
  manualJournals: 'accounting.transactions',
  trialBalance: 'accounting.reports.read',
};

/**
 * The scopes a configured list lacks for the calls the bridge makes: each need is covered by its granular scope,
 * the same scope without `.read`, or the broad scope that replaced it. Checked where scopes are configured (env
 * and org profiles), so a short list fails at start or at `PUT /admin/orgs` instead of as a 401 at month end.
 */
export function missingXeroScopes(scopes: readonly string[]): string[] {
  const held = new Set(scopes);
  return Object.entries(XERO_SCOPES_BY_NEED).flatMap(([need, needed]) =>
    needed.filter((scope) => {
      const broad = BROAD_SCOPE_FOR[need as keyof typeof XERO_SCOPES_BY_NEED];
      return !held.has(scope) && !held.has(scope.replace(/\.read$/, '')) && !(broad && held.has(broad));
    }),
  );
}

/** The same needs as broad scopes, for a Xero app created before 2 March 2026 that has not moved yet. */
export const LEGACY_XERO_SCOPES =
  'offline_access accounting.transactions accounting.contacts accounting.settings.read accounting.reports.read';

/** The REST API version the bridge calls by default: the package's sourceApiVersion (config.test.ts holds them equal). */
export const SALESFORCE_API_VERSION = '68.0';

/**
 * The shortest JOB_RETENTION_DAYS. A done job is what tells a repeat of its request from a new one, and the longest
 * any repeat comes is a month's close, asked for again at every start until the month after it ends (up to 31 days
 * after it ran); then the reconcile after an event gap (30 days back), Salesforce's event replay (72 hours) and Xero's
 * webhook repeats (24 hours). docs/operations.md (Job retention) lists every reader of done jobs and what it needs.
 */
export const MIN_JOB_RETENTION_DAYS = 35;

const envFields = z.object({
  // server
  HOST: z.string().default('0.0.0.0'),
  PORT: int(3000, 0, 65535),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  BRIDGE_INSTANCE_ID: z.string().max(200).optional(),
  HTTP_TIMEOUT_MS: int(30_000, 100, 600_000),
  POLL_INTERVAL_MS: int(60_000, 1_000),
  /**
   * The longest an idle tenant waits between polls: its wait doubles from POLL_INTERVAL_MS while its polls find
   * nothing, and is back to POLL_INTERVAL_MS at the next change, webhook or write. Unset: 15 minutes, or
   * POLL_INTERVAL_MS where that is longer. Set: at least POLL_INTERVAL_MS (checked below).
   */
  POLL_IDLE_MAX_MS: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1_000, 'must be at least 1000')
    .optional(),
  /** How amendments prorate the remaining term: CPQ's Daily (default) or Monthly + Daily. */
  PRORATION_METHOD: z.enum(['daily', 'monthly-daily']).default('daily'),
  /** Documents a historical import reads per page (go-live): 1-1000. */
  IMPORT_PAGE_SIZE: int(500, 1, 1000),
  /**
   * Days a done job is kept before the daily prune deletes it (given-up jobs are never deleted). Default 90: a quarter
   * of history in /admin/jobs, past a quarter's close.
   */
  JOB_RETENTION_DAYS: z.coerce
    .number({ error: 'must be a whole number of days' })
    .int('must be a whole number of days')
    .min(
      MIN_JOB_RETENTION_DAYS,
      `must be at least ${MIN_JOB_RETENTION_DAYS}: a done job younger than that is what keeps a replayed request or ` +
        "a month's close asked again from running twice (docs/operations.md, Job retention)",
    )
    .max(36_500, 'must be at most 36500 (100 years)')
    .default(90),

  // Salesforce
  SF_LOGIN_URL: httpUrl('https://login.salesforce.com'),
  SF_INSTANCE_URL: httpUrl().optional(),
  SF_API_VERSION: z
    .string()
    .regex(/^\d{2,3}\.0$/, 'must look like 68.0')
    .default(SALESFORCE_API_VERSION),
  SF_CLIENT_ID: orgSetting(),
  SF_USERNAME: orgSetting(),
  SF_PRIVATE_KEY: z.string().optional(),
  SF_PRIVATE_KEY_FILE: z.string().optional(),
  SF_AUDIENCE: httpUrl().optional(),
  SF_NAMESPACE_PREFIX: z
    .string()
    .regex(/^([A-Za-z][A-Za-z0-9]{0,14}__)?$/, "must be '' or a namespace followed by '__' (e.g. ldgr__)")
    .default('')
    .transform((prefix): '' | `${string}__` => (prefix === '' ? '' : `${prefix.slice(0, -2)}__`)),

  // Xero
  XERO_API_BASE_URL: httpUrl('https://api.xero.com/api.xro/2.0'),
  XERO_TOKEN_URL: httpUrl('https://identity.xero.com/connect/token'),
  XERO_AUTHORIZE_URL: httpUrl('https://login.xero.com/identity/connect/authorize'),
  XERO_CONNECTIONS_URL: httpUrl('https://api.xero.com/connections'),
  XERO_CLIENT_ID: orgSetting(),
  XERO_CLIENT_SECRET: orgSetting(),
  XERO_REDIRECT_URI: httpUrl().optional(),
  XERO_SCOPES: z.string().default(DEFAULT_XERO_SCOPES),
  XERO_WEBHOOK_KEY: orgSetting(),
  /** The webhook key being replaced, accepted too while Xero switches to the new one (key rotation). */
  XERO_WEBHOOK_KEY_PREVIOUS: z.string().min(1).optional(),
  /**
   * Xero calls in flight per tenant, across every process on the store: Xero allows 5 concurrent calls per tenant
   * (reference/xero-api.md), the default; lower it only to leave room for another program on the same Xero app.
   */
  XERO_TENANT_MAX_CONCURRENT: int(5, 1, 5),
  XERO_TENANT_PER_MINUTE: int(60, 1, 60),
  XERO_TENANT_PER_DAY: int(5_000, 1, 5_000),
  XERO_APP_PER_MINUTE: int(10_000, 1, 10_000),

  // secrets and storage
  ADMIN_TOKEN: z
    .string({ error: 'is required' })
    .min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)'),
  /** The admin token being replaced, accepted too until every client has the new one (rotation). */
  ADMIN_TOKEN_PREVIOUS: z.string().min(32, 'must be at least 32 characters').optional(),
  /** SQLite file (the embedded default). Default data/ledgerline.sqlite; not with STORE_URL. */
  STORE_PATH: z.string().min(1).optional(),
  /** PostgreSQL instead of SQLite: postgres://user:password@host:5432/database (replicas, many orgs). */
  STORE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  STORE_POOL_SIZE: int(10, 1, 200),
  STORE_STATEMENT_TIMEOUT_MS: int(15_000, 100, 600_000),
  TOKEN_ENCRYPTION_KEY: z.string({ error: 'is required (32 random bytes, base64 or hex)' }),
  /** Keys that sealed stored secrets before TOKEN_ENCRYPTION_KEY (rotation), comma-separated: still opened. */
  TOKEN_ENCRYPTION_KEY_PREVIOUS: z.string().optional(),

  // orgs
  /**
   * env: the org configured by the SF_ and XERO_ variables above is served as org 'default' (a single-org
   * deployment). none: only orgs added through the admin API (kept in the store) are served.
   */
  DEFAULT_ORG: z.enum(['env', 'none'], { error: 'must be env or none' }).default('env'),
  /** How often each bridge process reads the orgs from the store, to start, restart or stop their bridges. */
  ORG_REFRESH_INTERVAL_MS: int(15_000, 1_000),

  // where the rest came from (read by loadConfig, listed so the file cannot set it)
  LEDGERLINE_CONFIG_FILE: z.string().optional(),
});

/** The environment's schema: each variable, then the rules between them. */
export const envSchema = envFields.superRefine((env, ctx) => {
  if (env.POLL_IDLE_MAX_MS !== undefined && env.POLL_IDLE_MAX_MS < env.POLL_INTERVAL_MS)
    ctx.addIssue({
      code: 'custom',
      path: ['POLL_IDLE_MAX_MS'],
      message:
        `must be at least POLL_INTERVAL_MS (${env.POLL_INTERVAL_MS}): it caps how long an idle tenant waits between ` +
        'polls, and an idle tenant never polls more often than an active one',
    });
});

/** POLL_IDLE_MAX_MS when unset (or POLL_INTERVAL_MS where that is longer): 96 polls of an idle tenant a day. */
export const DEFAULT_POLL_IDLE_MAX_MS = 15 * 60_000;

export type EnvInput = z.input<typeof envSchema>;
export type Env = z.output<typeof envSchema>;

/** Variables whose empty value is meaningful (everything else treats '' as unset). */
export const EMPTY_IS_VALUE = new Set<string>(['SF_NAMESPACE_PREFIX']);

export const ENV_KEYS = Object.keys(envFields.shape) as (keyof Env)[];

/** What the org configured by environment needs (DEFAULT_ORG=env). */
export const DEFAULT_ORG_KEYS = [
  'SF_CLIENT_ID',
  'SF_USERNAME',
  'XERO_CLIENT_ID',
  'XERO_CLIENT_SECRET',
  'XERO_REDIRECT_URI',
  'XERO_WEBHOOK_KEY',
] as const satisfies readonly (keyof Env)[];
