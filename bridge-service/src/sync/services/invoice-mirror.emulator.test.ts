/**
 * writeInvoice against the Salesforce emulator (its approval process and InvoiceTriggerHandler mirror): a write-back
 * that loaded the invoice before finance decided (RESYNC waits on Xero between its load and its write) shows the
 * approval the record holds when it writes, not the one it loaded (review-13 F1).
 */
import type { Connection } from 'jsforce';
import pino from 'pino';
import type { SalesforceEmulator } from '../../../sandbox/salesforce/server';
import { FINANCE, SALES, connect, startTestEmulator } from '../../../sandbox/salesforce/test-helpers';
import { createQueries } from '../../salesforce/queries';
import { salesforceNames } from '../../salesforce/schema';
import { createWriteback } from '../../salesforce/writeback';
import type { XeroInvoice } from '../../xero/types';
import { createInvoiceMirror, type InvoiceMirrors } from './invoice-mirror';

const XERO_ID = '11111111-1111-4111-8111-111111111111';
const TENANT = '22222222-2222-4222-8222-222222222222';
type Row = Record<string, unknown> & { Id: string };

/** Xero's draft as a RESYNC reads it, at a version newer than the mirror's. */
const xeroDraft = {
  invoiceID: XERO_ID,
  type: 'ACCREC',
  status: 'DRAFT',
  currencyCode: 'GBP',
  subTotal: 1000,
  totalTax: 200,
  total: 1200,
  amountDue: 1200,
  amountPaid: 0,
  amountCredited: 0,
  updatedDateUTC: new Date('2026-01-15T10:05:00Z'),
  lineItems: [],
} as unknown as XeroInvoice;

let em: SalesforceEmulator;
let integration: Connection;
let mirrors: InvoiceMirrors;
beforeEach(async () => {
  em = await startTestEmulator();
  integration = connect(em);
  const names = salesforceNames('');
  const log = pino({ level: 'silent' });
  mirrors = createInvoiceMirror({
    queries: createQueries({ conn: integration, names, multiCurrency: true }),
    writeback: createWriteback({ conn: integration, names, log }),
    xero: { getInvoicesByIds: async () => [xeroDraft] },
    summaries: { refreshOpportunities: async () => undefined, refreshAccounts: async () => undefined },
    clock: { now: () => Date.UTC(2026, 0, 15, 10, 6) },
    log,
  });
});
afterEach(() => em.close());

/** A draft in Xero, synced, as the bridge wrote it. */
async function draftInvoice(): Promise<string> {
  const sales = connect(em, SALES);
  const opp = (await sales.query<Row>('SELECT Id, AccountId FROM Opportunity WHERE IsClosed = false LIMIT 1'))
    .records[0]!;
  const created = (await integration.sobject('Invoice__c').create({
    Opportunity__c: opp.Id,
    Account__c: opp.AccountId,
    Currency_Code__c: 'GBP',
    Xero_Invoice_Id__c: XERO_ID,
    Xero_Tenant_Id__c: TENANT,
    Total__c: 1200,
    Status__c: 'Draft',
    Sync_Status__c: 'Synced',
    Xero_Updated__c: '2026-01-15T10:00:00.000Z',
  })) as unknown as { id: string };
  return created.id;
}

const saved = async (id: string) => (await integration.sobject('Invoice__c').retrieve(id)) as Row;

it('approved while the job ran: the write keeps Approved, and the approval AUTHORISE carries stands', async () => {
  const id = await draftInvoice();
  em.control.approvals.submit(id, { user: SALES });
  const loaded = await mirrors.load(id);
  expect(loaded.Approval_Status__c).toBe('Pending');
  em.control.approvals.approve(id, { user: FINANCE });
  expect(em.control.events('/event/Invoice_Request__e').map((e) => e.data.payload.Action__c)).toEqual(['AUTHORISE']);

  await mirrors.writeInvoice(loaded, xeroDraft);

  expect(await saved(id)).toMatchObject({
    Status__c: 'Approved',
    Approval_Status__c: 'Approved',
    Sync_Status__c: 'Synced',
    Xero_Updated__c: '2026-01-15T10:05:00.000+0000',
  });
});

it('submitted for approval: a write-back of the draft keeps Awaiting Approval, as the approval process set it', async () => {
  const id = await draftInvoice();
  em.control.approvals.submit(id, { user: SALES });
  expect(await saved(id)).toMatchObject({ Status__c: 'Awaiting Approval', Approval_Status__c: 'Pending' });

  await mirrors.writeInvoice(await mirrors.load(id), xeroDraft);

  expect(await saved(id)).toMatchObject({ Status__c: 'Awaiting Approval', Approval_Status__c: 'Pending' });
  // Rejected, it is a Draft again, to be corrected.
  em.control.approvals.reject(id, { user: FINANCE });
  await mirrors.writeInvoice(await mirrors.load(id), xeroDraft);
  expect(await saved(id)).toMatchObject({ Status__c: 'Draft', Approval_Status__c: 'Rejected' });
});

it('sent back while the job ran: the write shows Draft, not the approval the job loaded', async () => {
  const id = await draftInvoice();
  em.control.approvals.submit(id, { user: SALES });
  em.control.approvals.approve(id, { user: FINANCE });
  const loaded = await mirrors.load(id);
  expect(loaded.Approval_Status__c).toBe('Approved');
  await mirrors.sendBack(loaded, 'Not authorised in Xero: changed since finance approved it');
  expect(await saved(id)).toMatchObject({ Status__c: 'Draft', Approval_Status__c: 'Not Submitted' });

  await mirrors.writeInvoice(loaded, xeroDraft);

  expect(await saved(id)).toMatchObject({
    Status__c: 'Draft',
    Approval_Status__c: 'Not Submitted',
    Xero_Updated__c: '2026-01-15T10:05:00.000+0000',
  });
});
