/**
 * Most Salesforce orgs are single-currency: no record has CurrencyIsoCode and CurrencyType does not exist, so a query
 * that names either is refused (INVALID_FIELD / INVALID_TYPE). The bridge must notice, select neither, and invoice in
 * the corporate currency. The emulator runs as such an org (multiCurrency: false); the deal is a UK one, invoiced by
 * the UK entity in GBP, the default entity's base currency.
 */
import type { Connection } from 'jsforce';
import pino from 'pino';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { connect, SALES } from '../sandbox/salesforce/test-helpers';
import { UK } from '../sandbox/xero/test-helpers';
import { waitFor } from './wait-for';

type Row = Record<string, unknown>;

let sandbox: Sandbox;
let sales: Connection;
let admin: Connection;

beforeAll(async () => {
  sandbox = await startSandbox({
    salesforce: { multiCurrency: false },
    bridge: { workerIdleMs: 50, referenceTtlMs: 0 },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
  sales = connect(sandbox.sf, SALES);
  admin = connect(sandbox.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
});

afterAll(async () => {
  await sandbox?.close();
});

it('is an org the platform would refuse currency queries in', async () => {
  await expect(admin.query('SELECT IsoCode FROM CurrencyType')).rejects.toMatchObject({ errorCode: 'INVALID_TYPE' });
  await expect(admin.query('SELECT CurrencyIsoCode FROM Opportunity')).rejects.toMatchObject({
    errorCode: 'INVALID_FIELD',
  });
});

it('invoices a won deal in the corporate currency, in the right Xero organisation', async () => {
  const { records } = await admin.query<Row>(
    "SELECT Id, Name FROM Opportunity WHERE Account.Name = 'Acme Widgets Ltd' AND IsWon = false ORDER BY Name LIMIT 1",
  );
  const opp = records[0]!;
  await sales.sobject('Opportunity').update({ Id: opp.Id as string, StageName: 'Closed Won' });
  const invoice = await waitFor(`the invoice of ${String(opp.Name)}`, async () => {
    const { records: invoices } = await admin.query<Row>(
      'SELECT Sync_Status__c, Sync_Message__c, Currency_Code__c, Xero_Tenant_Id__c, Xero_Invoice_Id__c, Total__c ' +
        `FROM Invoice__c WHERE Opportunity__c = '${String(opp.Id)}'`,
    );
    const row = invoices[0];
    return row?.Sync_Status__c === 'Synced' || row?.Sync_Status__c === 'Error' ? row : undefined;
  });
  expect(invoice).toMatchObject({ Sync_Status__c: 'Synced', Currency_Code__c: 'GBP', Xero_Tenant_Id__c: UK });
  const inXero = (sandbox.xero.control.snapshot(UK).invoices as Row[]).find(
    (doc) => doc.id === invoice.Xero_Invoice_Id__c,
  );
  expect(inXero).toMatchObject({ currencyCode: 'GBP', total: Number(invoice.Total__c).toFixed(2) });
});
