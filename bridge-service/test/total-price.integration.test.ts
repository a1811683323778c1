/**
 * review-12 F2 end to end: a deal whose line is priced by its Total Price (Salesforce rounds the derived Sales Price)
 * closes won and becomes a Xero DRAFT for that total, to the cent; the Invoice__c says how the line was sent.
 */
import type { Connection } from 'jsforce';
import pino from 'pino';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { connect } from '../sandbox/salesforce/test-helpers';
import { waitFor } from './wait-for';

const SALES = 'sam.seller@ledgerline.example';
const UK = '11111111-1111-4111-8111-111111111111';

type Row = Record<string, unknown>;

let sandbox: Sandbox;
let sales: Connection;
let admin: Connection;

beforeAll(async () => {
  sandbox = await startSandbox({
    bridge: { workerIdleMs: 50, referenceTtlMs: 0 },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
  sales = connect(sandbox.sf, SALES);
  admin = connect(sandbox.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
});

afterAll(async () => {
  await sandbox.close();
});

it('300 seats for a Total Price of 10,000.00 are invoiced 10,000.00 net, and the record says how', async () => {
  const { records: entries } = await admin.query<Row>(
    "SELECT Id FROM PricebookEntry WHERE CurrencyIsoCode = 'GBP' LIMIT 1",
  );
  const account = (await sales.sobject('Account').create({
    Name: 'Total Price Trading Ltd',
    BillingCountry: 'GB',
    CurrencyIsoCode: 'GBP',
  })) as { id: string };
  const opp = (await sales.sobject('Opportunity').create({
    Name: 'Total Price 2026',
    AccountId: account.id,
    StageName: 'Negotiation/Review',
    CloseDate: '2026-11-20',
    CurrencyIsoCode: 'GBP',
  })) as { id: string };
  await sales.sobject('OpportunityLineItem').create({
    OpportunityId: opp.id,
    PricebookEntryId: entries[0]!.Id,
    Quantity: 300,
    TotalPrice: 10000,
  });
  const { records: lines } = await admin.query<Row>(
    `SELECT UnitPrice, TotalPrice FROM OpportunityLineItem WHERE OpportunityId = '${opp.id}'`,
  );
  expect(lines).toEqual([expect.objectContaining({ UnitPrice: 33.33, TotalPrice: 10000 })]);

  await sales.sobject('Opportunity').update({ Id: opp.id, StageName: 'Closed Won' });
  const invoice = await waitFor('the invoice of Total Price 2026', async () => {
    const { records } = await admin.query<Row>(
      `SELECT Id, Sync_Status__c, Sync_Message__c, Xero_Invoice_Id__c, Sub_Total__c, Total_Tax__c, Total__c, ` +
        `(SELECT Quantity__c, Unit_Amount__c, Line_Amount__c, Description__c FROM Invoice_Lines__r) ` +
        `FROM Invoice__c WHERE Opportunity__c = '${opp.id}'`,
    );
    const row = records[0];
    const written = (row?.Invoice_Lines__r as { records?: Row[] } | null)?.records ?? [];
    return (row?.Sync_Status__c === 'Synced' && written.length > 0) || row?.Sync_Status__c === 'Error'
      ? row
      : undefined;
  });
  expect(invoice).toMatchObject({ Sync_Status__c: 'Synced', Sub_Total__c: 10000, Total_Tax__c: 2000, Total__c: 12000 });
  expect((invoice.Invoice_Lines__r as { records: Row[] }).records).toEqual([
    expect.objectContaining({ Quantity__c: 1, Unit_Amount__c: 10000, Line_Amount__c: 10000 }),
  ]);
  expect(String((invoice.Invoice_Lines__r as { records: Row[] }).records[0]!.Description__c)).toContain(
    '(300 × 33.33, total price 10000.00)',
  );
  expect(invoice.Sync_Message__c).toMatch(
    /^Check before approving:\n.*its Total Price 10000\.00 is not 300 × 33\.33 \(9999\.00\)/,
  );
  const inXero = (sandbox.xero.control.snapshot(UK).invoices as Row[]).find((x) => x.id === invoice.Xero_Invoice_Id__c);
  // Xero's own arithmetic: the deal's 10,000.00 to the cent, tax on that line.
  expect(inXero).toMatchObject({ status: 'DRAFT', subTotal: '10000.00', totalTax: '2000.00', total: '12000.00' });
});
