/**
 * Issue 13 item 12 end to end: the bridge's Xero scopes against an emulated Xero app created after 2 March 2026,
 * which (like Xero) refuses the broad scopes at authorisation and refuses every call the token's scopes do not
 * cover. The bridge's own default scopes must be granted through /connect/xero; a token missing one fails the
 * work that needs it, on the record.
 */
import pino from 'pino';
import type { Connection } from 'jsforce';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { connect } from '../sandbox/salesforce/test-helpers';
import { DEFAULT_XERO_SCOPES } from '../src/config';
import { waitFor } from './wait-for';

type Row = Record<string, unknown>;
const logger = pino({ level: process.env.BRIDGE_LOG ?? 'silent' });

describe("the bridge's default Xero scopes", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ bridge: { workerIdleMs: 50 }, logger });
  });
  afterAll(() => sandbox.close());

  it('name no broad scope, and a Xero app created since 2 March 2026 grants them through /connect/xero', async () => {
    expect(DEFAULT_XERO_SCOPES.split(' ')).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^accounting\.(transactions|reports\.read)/)]),
    );
    const admin = { authorization: `Bearer ${sandbox.config.adminToken}` };
    const start = await fetch(`${sandbox.url}/connect/xero`, { headers: admin, redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorizeUrl = new URL(start.headers.get('location')!);
    expect(authorizeUrl.searchParams.get('scope')).toBe(DEFAULT_XERO_SCOPES);

    const consent = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    // The emulated app's redirect URI is not this bridge's address; hand the code over as the browser would.
    const back = new URL(consent.headers.get('location')!);
    const callback = await fetch(
      `${sandbox.url}/connect/xero/callback?code=${back.searchParams.get('code')}&state=${back.searchParams.get('state')}`,
    );
    expect(callback.status).toBe(200);
    expect(await callback.json()).toMatchObject({ connected: true, missing: [] });
  });
});

// The configured list is checked at start (config.test.ts); a token from a consent older than the list still lacks
// what the list added until the connection is consented again.
describe('a bridge whose stored Xero token lacks accounting.invoices', () => {
  let sandbox: Sandbox;
  let admin: Connection;
  beforeAll(async () => {
    sandbox = await startSandbox({
      bridge: { workerIdleMs: 50 },
      logger,
      xeroGrantedScopes: [
        'offline_access',
        'accounting.contacts',
        'accounting.payments.read',
        'accounting.settings.read',
      ],
    });
    admin = connect(sandbox.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
  });
  afterAll(() => sandbox.close());

  it('cannot create the draft, and the record says why', async () => {
    const { records } = await admin.query<Row>(
      "SELECT Id, Name FROM Opportunity WHERE CurrencyIsoCode = 'GBP' AND IsWon = false ORDER BY Name LIMIT 1",
    );
    const opp = records[0]!;
    await connect(sandbox.sf, 'sam.seller@ledgerline.example')
      .sobject('Opportunity')
      .update({ Id: opp.Id as string, StageName: 'Closed Won' });
    const invoice = await waitFor('the invoice in error', async () => {
      const rows = await admin.query<Row>(
        `SELECT Sync_Status__c, Sync_Message__c, Xero_Invoice_Id__c FROM Invoice__c WHERE Opportunity__c = '${String(opp.Id)}'`,
      );
      return rows.records[0]?.Sync_Status__c === 'Error' ? rows.records[0] : undefined;
    });
    expect(invoice.Xero_Invoice_Id__c ?? null).toBeNull();
    expect(String(invoice.Sync_Message__c)).toMatch(/401|AuthorizationUnsuccessful/);
    const refused = sandbox.xero.control
      .calls({ path: '/Invoices' })
      .filter((call) => call.method === 'PUT' && call.status === 401);
    expect(refused.length).toBeGreaterThan(0);
    expect(sandbox.xero.control.snapshot('11111111-1111-4111-8111-111111111111').invoices).toEqual([]);
  });
});
