/**
 * The admin API's org secrets are write-only: a change to where the bridge sends them (and the tokens they earn)
 * needs every secret sent again, or the admin token alone could point an org at a capture server and collect a
 * replayable Salesforce JWT assertion, Xero client credentials and tokens (review 12, finding 1). The org's
 * Salesforce login points at a closed local port, so its bridge fails to start fast and nothing leaves the machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_XERO_SCOPES, loadHostConfig } from '../config';
import { createLogger } from '../lib/logger';
import { createMetrics } from '../server/metrics';
import type { Bridge } from '../server/main';
import type { OrgAdmin } from '../server/deps';
import { openStore } from '../store';
import type { OrgProfile, OrgRepository, OrgSecrets, Store } from '../store/types';
import { createHost } from './host';

const ORG = 'org-b';
const CLOSED = 'http://127.0.0.1:9'; // nothing listens: the org's bridge fails to start at once

const profile: OrgProfile = {
  displayName: 'Org B',
  status: 'active',
  salesforce: {
    loginUrl: CLOSED,
    audience: 'https://login.salesforce.com',
    clientId: '3MVG9-consumer-key',
    username: 'bridge@org-b.example',
    namespacePrefix: '',
  },
  xero: {
    clientId: 'XERO-CLIENT-B',
    scopes: DEFAULT_XERO_SCOPES.split(' '),
    redirectUri: 'https://bridge.example.com/orgs/org-b/connect/xero/callback',
    endpoints: { tokenUrl: `${CLOSED}/connect/token` },
  },
  settings: { prorationMethod: 'daily', pollIntervalMs: 60_000 },
};
const secrets: OrgSecrets = {
  salesforcePrivateKey: '-----BEGIN PRIVATE KEY-----\nMIIB-not-a-real-key\n-----END PRIVATE KEY-----',
  xeroClientSecret: 'xero-client-secret-b-0123456789',
  xeroWebhookKey: 'xero-webhook-key-b-0123456789',
};
const EVIL = 'https://capture.example.net';

let dir: string;
let store: Store;
let host: Bridge;
let admin: OrgAdmin;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ledgerline-host-'));
  const config = loadHostConfig(
    {
      DEFAULT_ORG: 'none',
      ADMIN_TOKEN: 'admin-token-0123456789-0123456789-abcdef',
      TOKEN_ENCRYPTION_KEY: '11'.repeat(32),
      STORE_PATH: join(dir, 'store.sqlite'),
      BRIDGE_INSTANCE_ID: 'host-test',
    },
    { readFile: () => '' },
  );
  store = await openStore(config);
  const logger = createLogger({ level: 'silent' });
  host = await createHost(
    config,
    { logger, metrics: createMetrics({ defaultMetrics: false }) },
    { store, retry: { firstMs: 600_000, maxMs: 600_000 }, applyWaitMs: 2_000 },
  );
  admin = host.deps.orgAdmin!;
  await admin.saveOrg(ORG, { profile, secrets });
});

afterAll(async () => {
  const { intake, inFlight, resources } = host.deps.shutdown!;
  for (const step of intake) await step.stop();
  for (const step of inFlight) await step.drain();
  for (const step of resources) await step.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const withSalesforce = (over: Partial<OrgProfile['salesforce']>): OrgProfile => ({
  ...profile,
  salesforce: { ...profile.salesforce, ...over },
});
const withXero = (over: NonNullable<OrgProfile['xero']['endpoints']>): OrgProfile => ({
  ...profile,
  xero: { ...profile.xero, endpoints: { ...profile.xero.endpoints, ...over } },
});

describe('changing where an org sends its secrets (PUT /admin/orgs/:orgId)', () => {
  it.each<[string, OrgProfile]>([
    ['salesforce.loginUrl', withSalesforce({ loginUrl: EVIL })],
    ['salesforce.instanceUrl', withSalesforce({ instanceUrl: EVIL })],
    ['salesforce.audience', withSalesforce({ audience: EVIL })],
    ['xero.endpoints.tokenUrl', withXero({ tokenUrl: `${EVIL}/connect/token` })],
    ['xero.endpoints.apiBaseUrl', withXero({ apiBaseUrl: `${EVIL}/api.xro/2.0` })],
    ['xero.endpoints.connectionsUrl', withXero({ connectionsUrl: `${EVIL}/connections` })],
    ['xero.endpoints.authorizeUrl', withXero({ authorizeUrl: `${EVIL}/authorize` })],
  ])('refuses a new %s unless every secret is sent again, and keeps the stored profile', async (field, changed) => {
    for (const partial of [undefined, { xeroClientSecret: 'x' }, { ...secrets, xeroWebhookKey: undefined }]) {
      const refused = admin.saveOrg(ORG, { profile: changed, secrets: partial });
      await expect(refused).rejects.toMatchObject({ statusCode: 400, code: 'ORG_SECRETS_REQUIRED' });
      await expect(refused).rejects.toThrow(field);
    }
    expect((await store.orgs.getOrg(ORG))?.profile).toEqual(profile);
  });

  it('keeps the stored secrets for a change that sends them nowhere new', async () => {
    const renamed = {
      ...profile,
      displayName: 'Org B (EMEA)',
      settings: { ...profile.settings, pollIntervalMs: 5_000 },
    };
    const { created } = await admin.saveOrg(ORG, { profile: renamed });
    expect(created).toBe(false);
    const stored = await store.orgs.getOrg(ORG);
    expect(stored?.profile).toEqual(renamed);
    expect(stored?.secrets).toEqual(secrets);
    // the deployment's default spelled out, or a trailing slash, goes to the same place
    await admin.saveOrg(ORG, { profile: withSalesforce({ loginUrl: `${CLOSED}/` }) });
    await admin.saveOrg(ORG, { profile: withXero({ apiBaseUrl: 'https://api.xero.com/api.xro/2.0/' }) });
    await admin.saveOrg(ORG, { profile });
  });

  it('accepts a new destination with every secret, and holds the Xero tokens issued by the old servers', async () => {
    const connections = store.forOrg(ORG).xeroConnections;
    const tokenSet = { accessToken: 'at-b', refreshToken: 'rt-b', expiresAt: Date.now() + 1_800_000 };
    await connections.saveXeroTokenSet('conn-b', tokenSet);

    // a new Salesforce login: the Xero tokens stay usable
    const moved = withSalesforce({ loginUrl: 'http://localhost:9' });
    await admin.saveOrg(ORG, { profile: moved, secrets });
    expect((await store.orgs.getOrg(ORG))?.profile).toEqual(moved);
    expect((await connections.getXeroConnection('conn-b'))?.status).toBe('active');

    // a new Xero API: the tokens are not sent there; connecting Xero again stores new ones
    const rotated = { ...secrets, xeroClientSecret: 'xero-client-secret-b-rotated' };
    const newXero = withXero({ apiBaseUrl: 'https://api.xero.example.com/api.xro/2.0' });
    await admin.saveOrg(ORG, { profile: newXero, secrets: rotated });
    expect((await store.orgs.getOrg(ORG))?.secrets).toEqual(rotated);
    const held = await connections.getXeroConnection('conn-b');
    expect(held?.status).toBe('reauthorisation_required');
    expect(held?.statusMessage).toMatch(/Xero endpoints changed: connect Xero again/);
  });
});

describe('a profile stored before the URL rule (or by hand)', () => {
  it('does not start its org while a URL would carry its secrets in the clear, and says which', async () => {
    const OLD = 'org-old';
    const insecure = withXero({ tokenUrl: 'http://capture.example.net/connect/token' });
    // The store as an older bridge left it: the admin API's save would refuse this profile today.
    const orgs: OrgRepository = {
      saveOrg: () => Promise.reject(new Error('not in this test')),
      getOrg: async (orgId) =>
        orgId === OLD ? { orgId, profile: insecure, secrets, createdAt: 1, updatedAt: 2 } : null,
      listOrgs: async () => [{ orgId: OLD, profile: insecure, createdAt: 1, updatedAt: 2 }],
      setOrgStatus: async () => false,
    };
    const legacyStore: Store = Object.create(store, { orgs: { value: orgs } });
    const config = loadHostConfig(
      {
        DEFAULT_ORG: 'none',
        ADMIN_TOKEN: 'admin-token-0123456789-0123456789-abcdef',
        TOKEN_ENCRYPTION_KEY: '11'.repeat(32),
        STORE_PATH: join(dir, 'store.sqlite'),
        BRIDGE_INSTANCE_ID: 'host-test-legacy',
      },
      { readFile: () => '' },
    );
    const legacy = await createHost(
      config,
      { logger: createLogger({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }) },
      { store: legacyStore, retry: { firstMs: 600_000, maxMs: 600_000 } },
    );
    try {
      await legacy.start();
      const [status] = legacy.deps.orgs!.statuses();
      expect(status).toMatchObject({ orgId: OLD, state: 'failed' });
      expect(status?.message).toMatch(/xero\.endpoints\.tokenUrl must be https .*save the profile again/);
    } finally {
      const { intake, inFlight } = legacy.deps.shutdown!;
      for (const step of intake) await step.stop();
      for (const step of inFlight) await step.drain();
    }
  });
});
