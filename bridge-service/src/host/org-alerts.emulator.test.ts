/**
 * A suspended org pages nobody; a failed one does (review 13, finding 1). Two replicas (hosts on one store) serve
 * org-b, whose Salesforce and Xero are emulators, and org-c, whose Salesforce login goes to a closed port (failed).
 * The runbook's own alert expressions (docs/operations.md section 10) are evaluated on what both replicas' /metrics
 * serve, as Prometheus would across its targets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_XERO_SCOPES, loadHostConfig } from '../config';
import { createLogger } from '../lib/logger';
import { createMetrics, type BridgeMetrics } from '../server/metrics';
import type { Bridge } from '../server/main';
import { openStore } from '../store';
import type { OrgProfile, OrgSecrets, Store } from '../store/types';
import { connectXeroOrganisations, startEmulatedSystems, type EmulatedSystems } from '../../sandbox/sandbox-bridge';
import { documentedAlerts, parseMetrics, type Firing } from '../../test/documented-alerts';
import { waitFor } from '../../test/wait-for';
import { createHost } from './host';

const HOUR = 3_600_000;
const POLL_INTERVAL_MS = 60_000;
const DAILY_LIMIT = 1_000;
const CLOSED = 'http://127.0.0.1:9'; // nothing listens: org-c's bridge fails to start

jest.setTimeout(120_000);

let dir: string;
let b: EmulatedSystems;
let store: Store;
const replicas: { host: Bridge; metrics: BridgeMetrics }[] = [];

function orgB(): { profile: OrgProfile; secrets: OrgSecrets } {
  const env = b.env;
  return {
    profile: {
      displayName: 'Org B',
      status: 'active',
      salesforce: {
        loginUrl: env.SF_LOGIN_URL!,
        audience: env.SF_AUDIENCE!,
        apiVersion: env.SF_API_VERSION!,
        clientId: env.SF_CLIENT_ID!,
        username: env.SF_USERNAME!,
        namespacePrefix: '',
      },
      xero: {
        clientId: env.XERO_CLIENT_ID!,
        scopes: DEFAULT_XERO_SCOPES.split(' '),
        redirectUri: env.XERO_REDIRECT_URI!,
        dailyCallLimit: DAILY_LIMIT,
        endpoints: {
          apiBaseUrl: env.XERO_API_BASE_URL!,
          tokenUrl: env.XERO_TOKEN_URL!,
          authorizeUrl: env.XERO_AUTHORIZE_URL!,
          connectionsUrl: env.XERO_CONNECTIONS_URL!,
        },
      },
      settings: { prorationMethod: 'daily', pollIntervalMs: POLL_INTERVAL_MS },
    },
    secrets: {
      salesforcePrivateKey: env.SF_PRIVATE_KEY!,
      xeroClientSecret: env.XERO_CLIENT_SECRET!,
      xeroWebhookKey: env.XERO_WEBHOOK_KEY!,
    },
  };
}

function orgC(): { profile: OrgProfile; secrets: OrgSecrets } {
  const { profile, secrets } = orgB();
  return {
    profile: { ...profile, displayName: 'Org C', salesforce: { ...profile.salesforce, loginUrl: CLOSED } },
    secrets,
  };
}

/** Every documented gauge alert that fires, over both replicas' scrapes, as "alert: org" (and tenant). */
async function firing(timeSeconds = Date.now() / 1000): Promise<string[]> {
  const samples = (
    await Promise.all(
      replicas.map(async ({ metrics }, n) => parseMetrics(await metrics.registry.metrics(), { instance: `r${n + 1}` })),
    )
  ).flat();
  const placeholders = { 'poll interval in s': POLL_INTERVAL_MS / 1000, 'daily limit': DAILY_LIMIT };
  const fired: Firing[] = documentedAlerts().gauge.flatMap((a) => a.evaluate(samples, { timeSeconds, placeholders }));
  return fired.map(({ alert, labels }) => `${alert}: ${Object.values(labels).join(' ')}`).sort();
}

const states = (orgId: string) =>
  replicas.map(({ host }) => host.deps.orgs!.statuses().find((s) => s.orgId === orgId)?.state);
const inBoth = (orgId: string, state: string) =>
  waitFor(`${orgId} ${state} in both replicas`, async () => states(orgId).every((s) => s === state));
/** org-b runs in both replicas, one of them subscribes, and its tenants were polled. */
async function orgBServed(): Promise<void> {
  await inBoth('org-b', 'running');
  await waitFor('one subscriber of org-b and its polls', async () => {
    const samples = (await Promise.all(replicas.map(({ metrics }) => metrics.registry.metrics())))
      .map((text) => parseMetrics(text))
      .flat();
    const subscribers = samples.filter(
      (s) => s.name === 'ledgerline_role_held' && s.labels.role === 'salesforce-subscriber' && s.labels.org === 'org-b',
    );
    const polled = samples.some(
      (s) => s.name === 'ledgerline_xero_poll_last_success_timestamp_seconds' && s.labels.org === 'org-b',
    );
    return subscribers.reduce((sum, s) => sum + s.value, 0) === 1 && polled;
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ledgerline-org-alerts-'));
  b = await startEmulatedSystems({ dataDir: join(dir, 'b') });
  const hostConfig = (instance: string) =>
    loadHostConfig(
      {
        DEFAULT_ORG: 'none',
        ADMIN_TOKEN: 'admin-token-0123456789-0123456789-abcdef',
        TOKEN_ENCRYPTION_KEY: '11'.repeat(32),
        STORE_PATH: join(dir, 'store.sqlite'),
        BRIDGE_INSTANCE_ID: instance,
        ORG_REFRESH_INTERVAL_MS: '1000',
      },
      { readFile: () => '' },
    );
  store = await openStore(hostConfig('seed'));
  await connectXeroOrganisations(store.forOrg('org-b'), b.xero);
  // org-b has a job given up, and one stored two hours ago that waits (due next year): both alert while it runs.
  const jobs = store.forOrg('org-b').jobs;
  const { job: dead } = await jobs.enqueueJob({ key: 'given-up', action: 'OPS_TEST', payload: {} });
  await jobs.claimJobs({ owner: 'seed', leaseMs: 60_000, limit: 1, actions: ['OPS_TEST'] });
  await jobs.failJob(dead.id, 'seed', 'Xero rejected it', null);
  const earlier = await openStore(hostConfig('seed'), { clock: { now: () => Date.now() - 2 * HOUR } });
  await earlier
    .forOrg('org-b')
    .jobs.enqueueJob({ key: 'waiting', action: 'OPS_TEST', payload: {}, runAt: Date.now() + 8_760 * HOUR });
  await earlier.close();

  for (const instance of ['r1', 'r2']) {
    const metrics = createMetrics({ defaultMetrics: false });
    const host = await createHost(
      hostConfig(instance),
      { logger: createLogger({ level: 'silent' }), metrics },
      { store, retry: { firstMs: 600_000, maxMs: 600_000 }, applyWaitMs: 10_000 },
    );
    replicas.push({ host, metrics });
  }
  const admin = replicas[0]!.host.deps.orgAdmin!;
  await admin.saveOrg('org-b', orgB());
  await admin.saveOrg('org-c', orgC());
  for (const { host } of replicas) await host.start();
  await orgBServed();
  await inBoth('org-c', 'failed');
});

afterAll(async () => {
  for (const { host } of replicas) {
    const { intake, inFlight, resources } = host.deps.shutdown!;
    for (const step of intake) await step.stop();
    for (const step of inFlight) await step.drain();
    for (const step of resources) await step.close();
  }
  await store?.close();
  await b?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('evaluates every documented gauge alert; the others read counters, which stop growing with the org', () => {
  const { gauge, skipped } = documentedAlerts();
  expect(gauge.map((a) => a.alert)).toEqual([
    "an org's bridge is not running",
    "nobody subscribes to an org's events",
    'two replicas think they subscribe',
    'a tenant is not polled',
    'work waits too long',
    'jobs gave up',
    'a tenant near its daily limit',
    'Salesforce events arrive late',
  ]);
  expect(skipped).toHaveLength(8);
});

it('pages for a failed org, not for a suspended one, in every replica, for as long as it stays suspended', async () => {
  const orgCDown = "an org's bridge is not running: org-c";
  const orgBWork = ['jobs gave up: org-b', 'work waits too long: org-b'];
  expect(await firing()).toEqual([orgCDown, ...orgBWork].sort());

  await replicas[0]!.host.deps.orgAdmin!.setOrgStatus('org-b', 'suspended');
  await inBoth('org-b', 'disabled'); // the other replica within ORG_REFRESH_INTERVAL_MS
  // An hour on: its last poll and every gauge of it would have stood still all that time.
  expect(await firing(Date.now() / 1000 + 1 * 3600)).toEqual([orgCDown]);
  expect(await firing(Date.now() / 1000 + 24 * 3600)).toEqual([orgCDown]);

  await replicas[0]!.host.deps.orgAdmin!.setOrgStatus('org-b', 'active');
  await orgBServed();
  expect(await firing()).toEqual([orgCDown, ...orgBWork].sort());
});
