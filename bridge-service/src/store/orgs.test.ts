import { DEFAULT_XERO_SCOPES } from '../config/schema';
import { orgProfileInputSchema, type OrgProfile } from './orgs';
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
