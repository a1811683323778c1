import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSecretKey } from '../lib/logger';
import { ConfigError, ENV_KEYS, jwtAudience, loadConfig, loadHostConfig } from './index';
import { LEGACY_XERO_SCOPES, MIN_JOB_RETENTION_DAYS, missingXeroScopes, SALESFORCE_API_VERSION } from './schema';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 1024,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

const validEnv = (): Record<string, string | undefined> => ({
  SF_CLIENT_ID: 'sf-client',
  SF_USERNAME: 'bridge@example.com',
  SF_PRIVATE_KEY: privateKey,
  XERO_CLIENT_ID: 'xero-client',
  XERO_CLIENT_SECRET: 'xero-secret',
  XERO_REDIRECT_URI: 'http://localhost:3000/connect/xero/callback',
  XERO_WEBHOOK_KEY: 'webhook-key',
  ADMIN_TOKEN: 'a'.repeat(40),
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
});

function problemsOf(env: Record<string, string | undefined>, readFile?: (p: string) => string): string[] {
  try {
    loadConfig(env, readFile ? { readFile } : {});
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('builds a config with the documented defaults', () => {
    const config = loadConfig(validEnv());
    expect(config.salesforce.apiVersion).toBe('68.0');
    expect(config.salesforce.loginUrl).toBe('https://login.salesforce.com');
    expect(config.salesforce.audience).toBe('https://login.salesforce.com');
    expect(config.salesforce.namespacePrefix).toBe('');
    expect(config.xero.apiBaseUrl).toBe('https://api.xero.com/api.xro/2.0');
    expect(config.xero.tokenUrl).toBe('https://identity.xero.com/connect/token');
    expect(config.xero.authorizeUrl).toBe('https://login.xero.com/identity/connect/authorize');
    expect(config.xero.connectionsUrl).toBe('https://api.xero.com/connections');
    // The granular scopes a Xero app created since 2 March 2026 may have (month-end.md §1), nothing broad.
    expect(config.xero.scopes).toEqual([
      'offline_access',
      'accounting.invoices',
      'accounting.payments.read',
      'accounting.contacts',
      'accounting.settings.read',
      'accounting.manualjournals',
      'accounting.reports.trialbalance.read',
    ]);
    expect(config.xero.limits).toEqual({
      tenantConcurrency: 5,
      tenantPerMinute: 60,
      tenantPerDay: 5000,
      appPerMinute: 10000,
    });
    expect(config.store.encryptionKey).toHaveLength(32);
    expect(config.server.port).toBe(3000);
  });

  it('refuses Xero scopes that do not cover every call the bridge makes, naming what is missing', () => {
    const short =
      'offline_access accounting.invoices accounting.payments.read accounting.contacts accounting.settings.read';
    expect(() => loadConfig({ ...validEnv(), XERO_SCOPES: short })).toThrow(
      /XERO_SCOPES: lacks accounting\.manualjournals, accounting\.reports\.trialbalance\.read/,
    );
    // A pre-March-2026 app's broad scopes cover the same calls; a full scope covers its `.read`.
    expect(loadConfig({ ...validEnv(), XERO_SCOPES: LEGACY_XERO_SCOPES }).xero.scopes).toContain(
      'accounting.transactions',
    );
    expect(missingXeroScopes(LEGACY_XERO_SCOPES.split(' '))).toEqual([]);
    expect(missingXeroScopes(['offline_access', 'accounting.payments', 'accounting.settings'])).toEqual([
      'accounting.invoices',
      'accounting.contacts',
      'accounting.manualjournals',
      'accounting.reports.trialbalance.read',
    ]);
  });

  it('keeps done jobs 90 days unless told otherwise, and refuses a retention shorter than what idempotency needs', () => {
    expect(loadConfig(validEnv()).jobRetentionDays).toBe(90);
    expect(loadConfig({ ...validEnv(), JOB_RETENTION_DAYS: '35' }).jobRetentionDays).toBe(MIN_JOB_RETENTION_DAYS);
    expect(loadConfig({ ...validEnv(), JOB_RETENTION_DAYS: '400' }).jobRetentionDays).toBe(400);
    expect(problemsOf({ ...validEnv(), JOB_RETENTION_DAYS: '7' })).toEqual([
      'JOB_RETENTION_DAYS: must be at least 35: a done job younger than that is what keeps a replayed request or ' +
        "a month's close asked again from running twice (docs/operations.md, Job retention)",
    ]);
    expect(problemsOf({ ...validEnv(), JOB_RETENTION_DAYS: '90.5' })).toEqual([
      'JOB_RETENTION_DAYS: must be a whole number of days',
    ]);
    expect(problemsOf({ ...validEnv(), JOB_RETENTION_DAYS: 'forever' })).toEqual([
      'JOB_RETENTION_DAYS: must be a whole number of days',
    ]);
  });

  it('points every external URL at emulators when told to', () => {
    const config = loadConfig({
      ...validEnv(),
      SF_LOGIN_URL: 'http://127.0.0.1:4020/',
      SF_INSTANCE_URL: 'http://127.0.0.1:4020',
      XERO_API_BASE_URL: 'http://127.0.0.1:4010/api.xro/2.0/',
      XERO_TOKEN_URL: 'http://127.0.0.1:4010/connect/token',
      XERO_AUTHORIZE_URL: 'http://127.0.0.1:4010/identity/connect/authorize',
      XERO_CONNECTIONS_URL: 'http://127.0.0.1:4010/connections',
      SF_NAMESPACE_PREFIX: 'ldgr__',
    });
    expect(config.xero.apiBaseUrl).toBe('http://127.0.0.1:4010/api.xro/2.0');
    expect(config.salesforce.audience).toBe('http://127.0.0.1:4020');
    expect(config.salesforce.namespacePrefix).toBe('ldgr__');
  });

  it('refuses plain http to another machine for every URL secrets or tokens go to (https, or http to loopback)', () => {
    const urls = [
      'SF_LOGIN_URL',
      'SF_INSTANCE_URL',
      'SF_AUDIENCE',
      'XERO_API_BASE_URL',
      'XERO_TOKEN_URL',
      'XERO_AUTHORIZE_URL',
      'XERO_CONNECTIONS_URL',
      'XERO_REDIRECT_URI',
    ];
    const problems = problemsOf({
      ...validEnv(),
      ...Object.fromEntries(urls.map((k) => [k, 'http://xero.example.com'])),
    });
    expect(problems).toEqual(urls.map((k) => `${k}: must be https (plain http only to localhost, 127.0.0.1 or [::1])`));
    for (const loopback of [
      'http://localhost:4010',
      'http://127.0.0.1:4010',
      'http://[::1]:4010',
      'https://x.example',
    ]) {
      expect(loadConfig({ ...validEnv(), XERO_TOKEN_URL: loopback }).xero.tokenUrl).toBe(loopback);
    }
  });

  it('names every secret setting so that the logger never writes its value (lib/logger.ts, SECRET_KEYS)', () => {
    const secrets = ENV_KEYS.filter((k) => /KEY|SECRET|TOKEN/.test(k) && !/_URL$|_FILE$|SCOPES/.test(k));
    // SF_PRIVATE_KEY, XERO_CLIENT_SECRET, XERO_WEBHOOK_KEY(_PREVIOUS), ADMIN_TOKEN(_PREVIOUS), TOKEN_ENCRYPTION_KEY(_PREVIOUS)
    expect(secrets).toHaveLength(8);
    expect(secrets.filter((name) => !isSecretKey(name))).toEqual([]);
  });

  it('lists every problem at once, not just the first', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      XERO_API_BASE_URL: 'not a url',
      SF_NAMESPACE_PREFIX: 'ldgr',
      ADMIN_TOKEN: 'short',
      TOKEN_ENCRYPTION_KEY: 'abcd',
      XERO_SCOPES: 'accounting.transactions',
      LOG_LEVEL: 'loud',
    });
    const text = problems.join('\n');
    for (const name of [
      'PORT',
      'XERO_API_BASE_URL',
      'SF_NAMESPACE_PREFIX',
      'ADMIN_TOKEN',
      'TOKEN_ENCRYPTION_KEY',
      'XERO_SCOPES',
      'LOG_LEVEL',
      'SF_CLIENT_ID',
      'SF_USERNAME',
      'SF_PRIVATE_KEY',
      'XERO_CLIENT_ID',
      'XERO_CLIENT_SECRET',
      'XERO_REDIRECT_URI',
      'XERO_WEBHOOK_KEY',
    ]) {
      expect(text).toContain(name);
    }
    expect(problems.length).toBeGreaterThanOrEqual(14);
  });

  it("caps an idle tenant's poll wait at 15 minutes, never below POLL_INTERVAL_MS, and says so when set below it", () => {
    expect(loadConfig(validEnv())).toMatchObject({ pollIntervalMs: 60_000, pollIdleMaxMs: 900_000 });
    // A poll interval longer than the default cap (15 to 30 minutes on Starter) is not an error: no backoff then.
    expect(loadConfig({ ...validEnv(), POLL_INTERVAL_MS: '1800000' }).pollIdleMaxMs).toBe(1_800_000);
    expect(loadConfig({ ...validEnv(), POLL_IDLE_MAX_MS: '3600000' }).pollIdleMaxMs).toBe(3_600_000);
    expect(problemsOf({ ...validEnv(), POLL_INTERVAL_MS: '300000', POLL_IDLE_MAX_MS: '120000' })).toEqual([
      'POLL_IDLE_MAX_MS: must be at least POLL_INTERVAL_MS (300000): it caps how long an idle tenant waits between ' +
        'polls, and an idle tenant never polls more often than an active one',
    ]);
    expect(problemsOf({ ...validEnv(), POLL_IDLE_MAX_MS: 'soon' })).toEqual([
      'POLL_IDLE_MAX_MS: must be a whole number',
    ]);
  });

  it('has no default secrets', () => {
    const env = validEnv();
    delete env.ADMIN_TOKEN;
    delete env.TOKEN_ENCRYPTION_KEY;
    delete env.XERO_CLIENT_SECRET;
    const text = problemsOf(env).join('\n');
    expect(text).toMatch(/ADMIN_TOKEN: is required/);
    expect(text).toMatch(/TOKEN_ENCRYPTION_KEY: is required/);
    expect(text).toMatch(/XERO_CLIENT_SECRET: is required/);
  });

  it('chooses SQLite by default and PostgreSQL with STORE_URL, never both', () => {
    expect(loadConfig(validEnv()).store).toMatchObject({ kind: 'sqlite', path: 'data/ledgerline.sqlite' });
    expect(loadConfig({ ...validEnv(), STORE_PATH: '/var/lib/ledgerline/bridge.sqlite' }).store).toMatchObject({
      kind: 'sqlite',
      path: '/var/lib/ledgerline/bridge.sqlite',
    });
    const url = 'postgres://bridge:pw@db.internal:5432/ledgerline?sslmode=require';
    expect(loadConfig({ ...validEnv(), STORE_URL: url, STORE_POOL_SIZE: '25' }).store).toMatchObject({
      kind: 'postgres',
      url,
      poolSize: 25,
      statementTimeoutMs: 15_000,
    });
    expect(problemsOf({ ...validEnv(), STORE_URL: url, STORE_PATH: 'x.sqlite' })).toEqual([
      'STORE_PATH / STORE_URL: set one, not both (STORE_URL for PostgreSQL, STORE_PATH for SQLite)',
    ]);
    expect(problemsOf({ ...validEnv(), STORE_URL: 'mysql://db/x', STORE_POOL_SIZE: '0' })).toEqual([
      'STORE_URL: must be a postgres:// or postgresql:// URL',
      'STORE_POOL_SIZE: must be at least 1',
    ]);
  });

  it('treats empty values as unset', () => {
    expect(problemsOf({ ...validEnv(), XERO_CLIENT_ID: '' })).toEqual(['XERO_CLIENT_ID: is required']);
  });

  it('accepts a hex encryption key and a private key file, and rejects both key forms at once', () => {
    const files: Record<string, string> = { '/keys/sf.pem': privateKey };
    const readFile = (p: string) => {
      const content = files[p];
      if (content === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return content;
    };
    const env: Record<string, string | undefined> = {
      ...validEnv(),
      SF_PRIVATE_KEY: undefined,
      SF_PRIVATE_KEY_FILE: '/keys/sf.pem',
    };
    env.TOKEN_ENCRYPTION_KEY = randomBytes(32).toString('hex');
    expect(loadConfig(env, { readFile }).salesforce.privateKey).toBe(privateKey);
    expect(problemsOf({ ...env, SF_PRIVATE_KEY_FILE: '/keys/missing.pem' }, readFile)).toEqual([
      'SF_PRIVATE_KEY_FILE: cannot read /keys/missing.pem (ENOENT)',
    ]);
    expect(problemsOf({ ...env, SF_PRIVATE_KEY: privateKey }, readFile)).toEqual([
      'SF_PRIVATE_KEY / SF_PRIVATE_KEY_FILE: set one, not both',
    ]);
    expect(problemsOf({ ...validEnv(), SF_PRIVATE_KEY: 'not a key' })[0]).toMatch(/not a PEM private key/);
    expect(
      loadConfig({ ...validEnv(), SF_PRIVATE_KEY: privateKey.replace(/\n/g, '\\n') }).salesforce.privateKey,
    ).toContain('\n');
  });

  it('merges a JSON file under the environment and reports unknown keys in it', () => {
    const env = validEnv();
    delete env.XERO_CLIENT_ID;
    const file = JSON.stringify({ XERO_CLIENT_ID: 'from-file', PORT: 8080, LOG_LEVEL: 'debug' });
    const config = loadConfig(
      { ...env, LOG_LEVEL: 'warn', LEDGERLINE_CONFIG_FILE: '/c.json' },
      { readFile: () => file },
    );
    expect(config.xero.clientId).toBe('from-file');
    expect(config.server.port).toBe(8080);
    expect(config.logLevel).toBe('warn');
    const typo = JSON.stringify({ XERO_CLIENTID: 'x' });
    expect(problemsOf({ ...validEnv(), LEDGERLINE_CONFIG_FILE: '/c.json' }, () => typo)).toEqual([
      'XERO_CLIENTID (in /c.json): unknown setting',
    ]);
  });

  it('serves no org from the environment with DEFAULT_ORG=none, and needs no org settings then', () => {
    const host = loadHostConfig({
      DEFAULT_ORG: 'none',
      ADMIN_TOKEN: 'a'.repeat(40),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      XERO_TENANT_PER_DAY: '1000',
    });
    expect(host.defaultOrg).toBeNull();
    expect(host.orgDefaults.xeroLimits.tenantPerDay).toBe(1000); // Xero's Starter tier
    expect(() => loadConfig({ DEFAULT_ORG: 'none', ADMIN_TOKEN: 'a'.repeat(40) })).toThrow(ConfigError);
    // The default org's settings are required with DEFAULT_ORG=env (the default), each named.
    expect(
      problemsOf({ ADMIN_TOKEN: 'a'.repeat(40), TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') }),
    ).toEqual(expect.arrayContaining(['SF_CLIENT_ID: is required', 'XERO_WEBHOOK_KEY: is required']));
    expect(loadHostConfig(validEnv()).defaultOrg?.salesforce.clientId).toBe('sf-client');
  });

  it('takes the previous keys and tokens of a rotation, and checks them', () => {
    const old = randomBytes(32);
    const config = loadConfig({
      ...validEnv(),
      TOKEN_ENCRYPTION_KEY_PREVIOUS: `${old.toString('hex')}, ${randomBytes(32).toString('base64')}`,
      ADMIN_TOKEN_PREVIOUS: 'b'.repeat(40),
      XERO_WEBHOOK_KEY_PREVIOUS: 'old-webhook-key',
    });
    expect(config.store.previousEncryptionKeys).toHaveLength(2);
    expect(config.store.previousEncryptionKeys[0]).toEqual(old);
    expect(config.adminTokenPrevious).toBe('b'.repeat(40));
    expect(config.xero.webhookKeyPrevious).toBe('old-webhook-key');
    expect(
      problemsOf({ ...validEnv(), TOKEN_ENCRYPTION_KEY_PREVIOUS: 'short', ADMIN_TOKEN_PREVIOUS: 'short' }),
    ).toEqual([
      'ADMIN_TOKEN_PREVIOUS: must be at least 32 characters',
      'TOKEN_ENCRYPTION_KEY_PREVIOUS: must be 32 bytes, as 64 hex characters or base64 (openssl rand -base64 32)',
    ]);
  });

  it('documents every variable in .env.example', () => {
    const example = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(ENV_KEYS.filter((key) => !documented.has(key))).toEqual([]);
  });
});

describe('SALESFORCE_API_VERSION', () => {
  it("is the package's sourceApiVersion, so the bridge calls the API version the package is built and tested for", () => {
    const project = JSON.parse(readFileSync(join(__dirname, '../../../sfdx-project.json'), 'utf8')) as {
      sourceApiVersion: string;
    };
    expect(SALESFORCE_API_VERSION).toBe(project.sourceApiVersion);
  });
});

describe('jwtAudience', () => {
  it.each([
    ['https://login.salesforce.com', 'https://login.salesforce.com'],
    ['https://acme.my.salesforce.com', 'https://login.salesforce.com'],
    ['https://acme--uat.sandbox.my.salesforce.com', 'https://test.salesforce.com'],
    ['https://test.salesforce.com/', 'https://test.salesforce.com'],
    ['http://127.0.0.1:4321', 'http://127.0.0.1:4321'],
  ])('%s → %s (Salesforce refuses a My Domain audience)', (loginUrl, audience) => {
    expect(jwtAudience(loginUrl)).toBe(audience);
  });
});
