/**
 * Customer credits of Xero's AR types (Overpayment.Type AROVERPAYMENT, Prepayment.Type ARPREPAYMENT: the spec's other
 * customer-side values besides RECEIVE-*) reach Customer_Credit__c through the real poller, with the allocation to the
 * customer's invoice and the refund. Before, only RECEIVE-* was kept: these were dropped unseen and the watermark
 * passed them. The real bridge against both emulators.
 */
import type { Connection } from 'jsforce';
import pino from 'pino';
import { XeroClient } from 'xero-node';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { connect } from '../sandbox/salesforce/test-helpers';
import { authorisedInvoice, SALES } from './invoice-life';
import { waitFor } from './wait-for';

jest.setTimeout(120_000);

/** Five resources a poll: 6 s keeps each tenant under Xero's 60 calls a minute. */
const POLL_INTERVAL_MS = 6_000;

type Row = Record<string, unknown>;

let sandbox: Sandbox;
let sales: Connection;
let admin: Connection;

beforeAll(async () => {
  sandbox = await startSandbox({
    bridge: { workerIdleMs: 50, referenceTtlMs: 0, pollIntervalMs: POLL_INTERVAL_MS, pollIdleMaxMs: 12_000 },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
  sales = connect(sandbox.sf, SALES);
  admin = connect(sandbox.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
}, 60_000);

afterAll(() => sandbox?.close());

async function invoiceOf(opportunityId: string): Promise<Row | undefined> {
  const { records } = await admin.query<Row>(
    `SELECT Id, Status__c, Sync_Status__c, Xero_Invoice_Id__c, Xero_Tenant_Id__c, Total__c ` +
      `FROM Invoice__c WHERE Opportunity__c = '${opportunityId}'`,
  );
  return records[0];
}

async function creditMirror(creditId: string): Promise<Row | undefined> {
  const { records } = await admin.query<Row>(
    `SELECT Account__c, Credit_Type__c, Total__c, Allocated__c, Refunded__c, Remaining_Credit__c, ` +
      `(SELECT Kind__c, Invoice__c, Amount__c, Status__c FROM Allocations__r) ` +
      `FROM Customer_Credit__c WHERE Xero_Credit_Id__c = '${creditId}'`,
  );
  return records[0];
}

const children = (row: Row | undefined): Row[] =>
  ((row?.Allocations__r as { records?: Row[] } | null)?.records ?? []) as Row[];

it('an AROVERPAYMENT part applied and part refunded, and an ARPREPAYMENT, on the customer', async () => {
  const invoice = await authorisedInvoice(sandbox, { sales, admin }, 'Initech - Onboarding', invoiceOf);
  const tenantId = String(invoice.Xero_Tenant_Id__c);
  const xero = new XeroClient();
  const tokens = sandbox.xero.control.issueTokens();
  xero.setTokenSet({ ...tokens, expires_at: Math.floor(sandbox.xero.control.now() / 1000) + tokens.expires_in });
  xero.accountingApi.basePath = sandbox.xero.apiUrl;
  const inXero = (await xero.accountingApi.getInvoice(tenantId, String(invoice.Xero_Invoice_Id__c))).body.invoices![0]!;
  const contactId = inXero.contact!.contactID!;

  const { goLive } = sandbox.xero.control;
  const overpayment = goLive.recordCredit(tenantId, {
    kind: 'overpayment',
    contactId,
    amount: '150.00',
    allocate: { invoiceId: inXero.invoiceID!, amount: '100.00' },
    arType: true,
  });
  await xero.accountingApi.createPayment(tenantId, {
    overpayment: { overpaymentID: overpayment.creditId },
    account: { code: '090' },
    amount: 20,
  });
  const prepayment = goLive.recordCredit(tenantId, { kind: 'prepayment', contactId, amount: '60.00', arType: true });

  const mirrored = await waitFor(
    'both AR credits in Salesforce',
    async () => {
      const [over, pre] = [await creditMirror(overpayment.creditId), await creditMirror(prepayment.creditId)];
      return children(over).length === 2 && pre ? { over: over!, pre } : undefined;
    },
    POLL_INTERVAL_MS * 4,
  );
  const { records: opportunity } = await admin.query<Row>(
    `SELECT AccountId FROM Opportunity WHERE Id = '${String(invoice.Opportunity__c)}'`,
  );
  const accountId = opportunity[0]!.AccountId;
  expect(mirrored.over).toMatchObject({
    Account__c: accountId,
    Credit_Type__c: 'Overpayment',
    Total__c: 150,
    Allocated__c: 100,
    Refunded__c: 20,
    Remaining_Credit__c: 30,
  });
  expect(
    children(mirrored.over)
      .map((row) => [row.Kind__c, row.Invoice__c ?? null, row.Amount__c, row.Status__c])
      .sort(),
  ).toEqual([
    ['Allocation', invoice.Id, 100, 'Active'],
    ['Refund', null, 20, 'Active'],
  ]);
  expect(mirrored.pre).toMatchObject({ Account__c: accountId, Credit_Type__c: 'Prepayment', Remaining_Credit__c: 60 });
});
