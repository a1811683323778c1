/**
 * Test helper for the HTTP server: `build()` returns a ready Fastify app wired to in-memory fakes, plus
 * the fakes themselves and the captured log lines. Use `app.inject(...)`; every app built here is closed
 * after each test (the afterEach hook is registered when a test file imports this module).
 */
import { Writable } from 'node:stream';
import { createLogger } from '../src/lib/logger';
import { buildApp, type BridgeApp } from '../src/server/app';
import type {
  AppDeps,
  AppOptions,
  BillingEntityTenant,
  ServerConfig,
  XeroTenant,
  XeroWebhookPayload,
} from '../src/server/deps';
import { createMetrics } from '../src/server/metrics';
import { OPEN_JOB_STATES, type Job, type JobFilter, type OpenJobState, type XeroTokenSet } from '../src/store/types';

// light-my-request (behind app.inject) requires `cookie` 2, which ships as ES modules only; Jest's CommonJS
// runtime cannot load it. inject only calls stringifySetCookie when a test passes `cookies`, which these
// tests never do, so a CommonJS stand-in that refuses is enough. (The lasting fix is a transform for
// node_modules/cookie in jest.config.js.)
jest.mock('cookie', () => ({
  stringifySetCookie: () => {
    throw new Error('inject({ cookies }) is not supported in the bridge-service tests');
  },
}));

export const ADMIN_TOKEN = 'admin-token-0123456789-abcdefghijklmnop';
export const WEBHOOK_KEY = 'webhook-signing-key-for-tests';

export const testConfig = {
  adminToken: ADMIN_TOKEN,
  xero: {
    clientId: 'xero-client-id',
    authorizeUrl: 'https://login.xero.test/identity/connect/authorize',
    redirectUri: 'http://localhost:3000/connect/xero/callback',
    scopes: ['openid', 'offline_access', 'accounting.transactions'],
    webhookKey: WEBHOOK_KEY,
  },
} satisfies ServerConfig;

export const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** In-memory jobs with the store's listing semantics: newest (highest id) first, beforeId pages on. */
export class FakeJobs {
  jobs: Job[] = [];
  private nextId = 1;

  add(partial: Partial<Job> & Pick<Job, 'action'>): Job {
    const id = this.nextId++;
    const job: Job = {
      id,
      key: `key-${id}`,
      payload: { opportunityId: `006${id}` },
      tenantId: null,
      state: 'queued',
      attempts: 0,
      nextRunAt: Date.UTC(2026, 0, 1, 0, 0, id),
      lastError: null,
      result: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      createdAt: Date.UTC(2026, 0, 1, 0, 0, id),
      updatedAt: Date.UTC(2026, 0, 1, 0, 0, id),
      ...partial,
    };
    this.jobs.push(job);
    return job;
  }

  listJobs = jest.fn(async (filter: JobFilter = {}): Promise<Job[]> => {
    return this.jobs
      .filter((j) => !filter.states || filter.states.includes(j.state))
      .filter((j) => filter.action === undefined || j.action === filter.action)
      .filter((j) => filter.tenantId === undefined || j.tenantId === filter.tenantId)
      .filter((j) => filter.beforeId === undefined || j.id < filter.beforeId)
      .sort((a, b) => b.id - a.id)
      .slice(0, filter.limit ?? 100)
      .map((j) => ({ ...j }));
  });

  getJob = jest.fn(async (id: number): Promise<Job | null> => {
    const job = this.jobs.find((j) => j.id === id);
    return job ? { ...job } : null;
  });

  retryJob = jest.fn(async (id: number): Promise<Job | null> => {
    const job = this.jobs.find((j) => j.id === id);
    if (!job || (job.state !== 'failed' && job.state !== 'dead')) return null;
    job.state = 'queued';
    job.nextRunAt = Date.UTC(2026, 0, 2);
    job.updatedAt = Date.UTC(2026, 0, 2);
    return { ...job };
  });

  countOpenJobsByState = jest.fn(async (): Promise<Record<OpenJobState, number>> => {
    const counts = Object.fromEntries(OPEN_JOB_STATES.map((s) => [s, 0])) as Record<OpenJobState, number>;
    for (const job of this.jobs) if (job.state !== 'done') counts[job.state] += 1;
    return counts;
  });
}

export const TOKEN_SET: XeroTokenSet = {
  accessToken: 'access-token-from-exchange',
  refreshToken: 'refresh-token-from-exchange',
  expiresAt: Date.UTC(2026, 0, 1, 0, 30),
  scope: 'openid offline_access accounting.transactions',
};

export const ENTITIES: BillingEntityTenant[] = [
  { developerName: 'UK_Ltd', xeroTenantId: 'tenant-uk' },
  { developerName: 'US_Inc', xeroTenantId: 'tenant-us' },
  { developerName: 'EU_BV', xeroTenantId: 'tenant-eu' },
];

export const CONNECTED: XeroTenant[] = [
  { tenantId: 'tenant-uk', tenantName: 'Acme UK Ltd', tenantType: 'ORGANISATION' },
  { tenantId: 'tenant-us', tenantName: 'Acme US Inc', tenantType: 'ORGANISATION' },
];

export function makeFakes() {
  const order: string[] = [];
  const jobs = new FakeJobs();
  const webhooks: XeroWebhookPayload[] = [];
  const fakes = {
    order,
    jobs,
    webhooks,
    readiness: {
      store: jest.fn(async () => undefined),
      salesforce: jest.fn(async () => undefined),
      xeroTenants: jest.fn(async (): Promise<XeroTenant[]> => CONNECTED),
    },
    billingEntities: jest.fn(async (): Promise<BillingEntityTenant[]> => ENTITIES),
    xeroConnect: {
      exchangeCode: jest.fn(async (_args: { code: string; codeVerifier: string; redirectUri: string }) => TOKEN_SET),
      saveTokenSet: jest.fn(async (_tokenSet: XeroTokenSet) => ({ connectionId: 'conn-1' })),
      listTenants: jest.fn(async (_tokenSet: XeroTokenSet): Promise<XeroTenant[]> => CONNECTED),
      saveTenants: jest.fn(async (_connectionId: string, _tenants: XeroTenant[]) => undefined),
    },
    acceptWebhook: jest.fn(async (payload: XeroWebhookPayload) => {
      webhooks.push(payload);
    }),
    shutdown: {
      intake: [
        {
          name: 'subscriber',
          stop: jest.fn(async (): Promise<void> => {
            order.push('stop subscriber');
          }),
        },
        {
          name: 'poller',
          stop: jest.fn(async (): Promise<void> => {
            order.push('stop poller');
          }),
        },
      ],
      inFlight: [
        {
          name: 'workers',
          drain: jest.fn(async (): Promise<void> => {
            order.push('drain workers');
          }),
        },
      ],
      resources: [
        {
          name: 'store',
          close: jest.fn(async (): Promise<void> => {
            order.push('close store');
          }),
        },
      ],
    },
  };
  return fakes;
}

export type Fakes = ReturnType<typeof makeFakes>;

export interface Built {
  app: BridgeApp;
  fakes: Fakes;
  /** Parsed JSON log lines written so far. */
  logs: () => Record<string, unknown>[];
  /** Raw log text written so far. */
  logText: () => string;
}

const open: BridgeApp[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

/**
 * A ready app on fakes. `customize` may replace any dependency before the app is built; `extend` may add
 * test-only routes before it is made ready.
 */
export async function build(
  customize: (deps: AppDeps, fakes: Fakes) => AppDeps = (deps) => deps,
  options: AppOptions = {},
  extend?: (app: BridgeApp) => void,
): Promise<Built> {
  const fakes = makeFakes();
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  const deps: AppDeps = {
    config: testConfig,
    logger,
    clock: { now: () => Date.now() },
    metrics: createMetrics({ defaultMetrics: false }),
    jobs: fakes.jobs,
    readiness: fakes.readiness,
    billingEntities: fakes.billingEntities,
    xeroConnect: fakes.xeroConnect,
    acceptWebhook: fakes.acceptWebhook,
    shutdown: fakes.shutdown,
  };
  const app = buildApp(customize(deps, fakes), options);
  open.push(app);
  extend?.(app);
  await app.ready();
  const logText = () => lines.join('');
  const logs = () =>
    logText()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { app, fakes, logs, logText };
}
