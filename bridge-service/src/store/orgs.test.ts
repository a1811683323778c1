import { DEFAULT_XERO_SCOPES } from '../config/schema';
import { isSecretKey } from '../lib/logger';
import { orgProfileInputSchema, orgSecretsSchema, type OrgProfile } from './orgs';
import { toOrgSummary } from './rows';

const OLD_RUNBOOK_SCOPES = [
  'offline_access',
  'accounting.invoices',
  'accounting.payments.read',
  'accounting.contacts',
  'accounting.settings.read',
];

const profile = (scopes: string[]): OrgProfile => ({
  displayName: 'Acme EMEA',
  status: 'active',
  salesforce: {
    loginUrl: 'https://acme.my.salesforce.com',
    clientId: '3MVG9-consumer-key',
    username: 'ledgerline-bridge@acme.com',
    namespacePrefix: 'ldgr__',
  },
  xero: { clientId: 'XERO-CLIENT-ID', scopes, redirectUri: 'https://bridge.acme.com/connect/xero/callback' },
  settings: { prorationMethod: 'daily', pollIntervalMs: 60_000 },
});

describe('org profiles and their Xero scopes', () => {
  it('refuses to save a profile whose scopes miss a call the bridge makes, naming the scopes', () => {
    const issues = orgProfileInputSchema.safeParse(profile(OLD_RUNBOOK_SCOPES)).error?.issues ?? [];
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      [
        'xero.scopes',
        "lacks accounting.manualjournals, accounting.reports.trialbalance.read, which the bridge's calls need",
      ],
    ]);
    expect(orgProfileInputSchema.safeParse(profile(DEFAULT_XERO_SCOPES.split(' '))).success).toBe(true);
  });

  it('still reads a profile stored before those scopes were needed (its org starts and warns)', () => {
    const row = {
      org_id: 'acme-emea',
      profile: JSON.stringify(profile(OLD_RUNBOOK_SCOPES)),
      created_at: 1,
      updated_at: 2,
    };
    expect(toOrgSummary(row).profile.xero.scopes).toEqual(OLD_RUNBOOK_SCOPES);
  });
});

describe('org profile URLs', () => {
  const ok = profile(DEFAULT_XERO_SCOPES.split(' '));
  const withUrls = (url: string): OrgProfile => ({
    ...ok,
    salesforce: { ...ok.salesforce, loginUrl: url, instanceUrl: url, audience: url },
    xero: {
      ...ok.xero,
      redirectUri: url,
      endpoints: { apiBaseUrl: url, tokenUrl: url, authorizeUrl: url, connectionsUrl: url },
    },
  });

  it('refuses plain http to another machine for every URL the bridge sends secrets, tokens or codes to', () => {
    const issues = orgProfileInputSchema.safeParse(withUrls('http://capture.example.net')).error?.issues ?? [];
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual(
      [
        'salesforce.loginUrl',
        'salesforce.instanceUrl',
        'salesforce.audience',
        'xero.redirectUri',
        'xero.endpoints.apiBaseUrl',
        'xero.endpoints.tokenUrl',
        'xero.endpoints.authorizeUrl',
        'xero.endpoints.connectionsUrl',
      ].map((path) => [path, 'must be https (plain http only to localhost, 127.0.0.1 or [::1])']),
    );
  });

  it('takes https anywhere, and plain http to this machine only (the emulators)', () => {
    for (const url of [
      'https://acme.my.salesforce.com',
      'http://localhost:4020',
      'http://127.0.0.1:4020',
      'http://[::1]:4020',
    ]) {
      expect(orgProfileInputSchema.safeParse(withUrls(url)).error?.issues ?? []).toEqual([]);
    }
    for (const url of ['http://127.0.0.2:4020', 'http://localhost.example.net', 'http://0.0.0.0:4020']) {
      expect(orgProfileInputSchema.safeParse(withUrls(url)).success).toBe(false);
    }
  });
});

it('names every org secret so that the logger never writes its value (lib/logger.ts, SECRET_KEYS)', () => {
  const names = Object.keys(orgSecretsSchema.shape);
  expect(names.filter((name) => !isSecretKey(name))).toEqual([]);
  expect(names).toContain('xeroWebhookKeyPrevious');
});
