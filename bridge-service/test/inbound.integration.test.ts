/**
 * Issue 7, the inbound half end to end: the real bridge against both emulators. A payment recorded in Xero
 * reaches Payment__c and the invoice status after one webhook round, and within the idle cap (the longest an idle
 * tenant waits between polls) with webhooks off; duplicated and reordered webhooks leave the newest state; a forged signature gets 401 and stores nothing.
 */
import type { Connection } from 'jsforce';
import pino from 'pino';
import { XeroClient } from 'xero-node';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { connect } from '../sandbox/salesforce/test-helpers';
import { xeroSignature } from '../src/server/routes/webhooks';
import { authorisedInvoice as closeAndAuthorise, FINANCE, SALES } from './invoice-life';
import { waitFor } from './wait-for';

const UK = '11111111-1111-4111-8111-111111111111';
const US = '22222222-2222-4222-8222-222222222222';
const EU = '33333333-3333-4333-8333-333333333333';
/**
 * Five resources a poll (invoices, credit notes, payments, overpayments, prepayments): 6 s keeps the poller at 50 of
 * Xero's 60 calls a minute per tenant.
 */
const POLL_INTERVAL_MS = 6_000;
/** An idle tenant's wait doubles from the interval up to this (POLL_IDLE_MAX_MS). */
const POLL_IDLE_MAX_MS = 12_000;

type Row = Record<string, unknown>;

let sandbox: Sandbox;
let sales: Connection;
let admin: Connection;

beforeAll(async () => {
  sandbox = await startSandbox({
    bridge: { workerIdleMs: 50, referenceTtlMs: 0, pollIntervalMs: POLL_INTERVAL_MS, pollIdleMaxMs: POLL_IDLE_MAX_MS },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
  sales = connect(sandbox.sf, SALES);
  admin = connect(sandbox.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
  sandbox.xero.control.configureWebhooks({ url: `${sandbox.url}/webhooks/xero`, batchDelayMs: 20 });
});

afterAll(async () => {
  await sandbox?.close();
});

async function invoiceOf(opportunityId: string): Promise<Row | undefined> {
  const { records } = await admin.query<Row>(
    `SELECT Id, Status__c, Sync_Status__c, Xero_Invoice_Id__c, Xero_Tenant_Id__c, Total__c, Amount_Paid__c, Amount_Due__c, ` +
      `Xero_Updated__c, (SELECT Id, Xero_Payment_Id__c, Amount__c, Status__c, Payment_Date__c FROM Payments__r) ` +
      `FROM Invoice__c WHERE Opportunity__c = '${opportunityId}'`,
  );
  return records[0];
}

const paymentsOf = (invoice: Row | undefined): Row[] =>
  ((invoice?.Payments__r as { records?: Row[] } | null)?.records ?? []) as Row[];

/** Closes the named deal, has finance approve its draft, and waits for the authorised mirror. */
const authorisedInvoice = (name: string) => closeAndAuthorise(sandbox, { sales, admin }, name, invoiceOf);

const money = (value: number) => value.toFixed(2);

/** The real xero-node client against the emulator, for what a Xero user does by hand. */
function xeroApi() {
  const xero = new XeroClient();
  const tokens = sandbox.xero.control.issueTokens();
  xero.setTokenSet({ ...tokens, expires_at: Math.floor(sandbox.xero.control.now() / 1000) + tokens.expires_in });
  xero.accountingApi.basePath = sandbox.xero.apiUrl;
  return xero.accountingApi;
}

describe('payments made in Xero reach Salesforce', () => {
  it('after one webhook round: Payment__c and Partially Paid, then Paid', async () => {
    const invoice = await authorisedInvoice('Acme - Platform 2026');
    const total = Number(invoice.Total__c);
    const first = sandbox.xero.control.recordCustomerPayment({
      tenantId: UK,
      invoiceId: invoice.Xero_Invoice_Id__c as string,
      amount: '100.00',
      reference: 'Part payment',
    });
    await sandbox.xero.control.flushWebhooks();
    const partial = await waitFor('the partial payment in Salesforce', async () => {
      const row = await invoiceOf(invoice.Opportunity__c as string);
      return row?.Status__c === 'Partially Paid' && paymentsOf(row).length === 1 ? row : undefined;
    });
    expect(partial.Amount_Paid__c).toBe(100);
    expect(partial.Amount_Due__c).toBeCloseTo(total - 100, 2);
    expect(paymentsOf(partial)[0]).toMatchObject({
      Xero_Payment_Id__c: (first as { PaymentID?: string }).PaymentID ?? expect.any(String),
      Amount__c: 100,
      Status__c: 'Authorised',
    });

    sandbox.xero.control.recordCustomerPayment({
      tenantId: UK,
      invoiceId: invoice.Xero_Invoice_Id__c as string,
      amount: money(total - 100),
    });
    await sandbox.xero.control.flushWebhooks();
    const paid = await waitFor('the paid invoice in Salesforce', async () => {
      const row = await invoiceOf(invoice.Opportunity__c as string);
      return row?.Status__c === 'Paid' && paymentsOf(row).length === 2 ? row : undefined;
    });
    expect(paid.Amount_Due__c).toBe(0);
    expect(paid.Amount_Paid__c).toBeCloseTo(total, 2);

    // The rep's summary on the Opportunity follows (refreshed right after the invoice and its payments).
    const summary = await waitFor('the Opportunity summary', async () => {
      const { records } = await admin.query<Row>(
        `SELECT Amount_Paid__c, Amount_Due__c, Last_Payment_Date__c FROM Opportunity WHERE Id = '${String(invoice.Opportunity__c)}'`,
      );
      return records[0]?.Amount_Due__c === 0 && records[0].Last_Payment_Date__c ? records[0] : undefined;
    });
    expect(summary.Amount_Paid__c).toBeCloseTo(total, 2);
  });

  it('within the idle cap with webhooks off', async () => {
    const invoice = await authorisedInvoice('Globex - Platform Expansion');
    // Deliver what authorising the invoice queued before webhooks go off, so the counts below are settled.
    await sandbox.xero.control.flushWebhooks();
    sandbox.xero.control.configureWebhooks({ url: undefined });
    const deliveriesBefore = sandbox.xero.control.webhookDeliveries().length;
    const jobsBefore = (await sandbox.store.jobs.listJobs({ action: 'XERO_CHANGE', limit: 1000 })).length;
    try {
      sandbox.xero.control.recordCustomerPayment({
        tenantId: US,
        invoiceId: invoice.Xero_Invoice_Id__c as string,
        amount: '250.00',
      });
      const started = Date.now();
      const polled = await waitFor(
        'the polled payment in Salesforce',
        async () => {
          const row = await invoiceOf(invoice.Opportunity__c as string);
          return row?.Status__c === 'Partially Paid' && paymentsOf(row).length === 1 ? row : undefined;
        },
        // The longest an idle tenant waits, plus the poll's own calls under the rate limiter.
        POLL_IDLE_MAX_MS + 6_000,
      );
      expect(Date.now() - started).toBeLessThan(POLL_IDLE_MAX_MS + 6_000);
      expect(polled.Amount_Paid__c).toBe(250);
      // The poller brought it: no webhook went out and no webhook job was stored meanwhile.
      expect(sandbox.xero.control.webhookDeliveries()).toHaveLength(deliveriesBefore);
      expect(await sandbox.store.jobs.listJobs({ action: 'XERO_CHANGE', limit: 1000 })).toHaveLength(jobsBefore);
    } finally {
      sandbox.xero.control.configureWebhooks({ url: `${sandbox.url}/webhooks/xero` });
    }
  });
});

describe('at-least-once, unordered webhooks', () => {
  it('duplicated and reordered deliveries leave the newest state, each event stored once', async () => {
    const invoice = await authorisedInvoice('Vandelay - Platform EU');
    const total = Number(invoice.Total__c);
    const deliveriesBefore = sandbox.xero.control.webhookDeliveries().length;
    sandbox.xero.control.setWebhookFaults({ duplicate: 3, reorder: 1 });

    sandbox.xero.control.recordCustomerPayment({
      tenantId: EU,
      invoiceId: invoice.Xero_Invoice_Id__c as string,
      amount: '10.00',
    });
    await sandbox.xero.control.sendQueuedWebhooks();
    sandbox.xero.control.recordCustomerPayment({
      tenantId: EU,
      invoiceId: invoice.Xero_Invoice_Id__c as string,
      amount: money(total - 10),
    });
    await sandbox.xero.control.flushWebhooks();
    await sandbox.xero.control.flushWebhooks();

    const paid = await waitFor('the newest state after faulty deliveries', async () => {
      const row = await invoiceOf(invoice.Opportunity__c as string);
      return row?.Status__c === 'Paid' && paymentsOf(row).length === 2 ? row : undefined;
    });
    expect(paid.Amount_Due__c).toBe(0);
    const xeroPaid = (sandbox.xero.control.snapshot(EU).invoices as Row[]).find(
      (x) => x.id === invoice.Xero_Invoice_Id__c,
    );
    expect(String(xeroPaid?.status ?? 'PAID')).toBe('PAID');

    // Duplicates collapsed: one job per distinct event, however often it was delivered.
    const deliveries = sandbox.xero.control.webhookDeliveries().slice(deliveriesBefore);
    expect(deliveries.length).toBeGreaterThan(1);
    const jobs = await sandbox.store.jobs.listJobs({ action: 'XERO_CHANGE', limit: 1000 });
    expect(new Set(jobs.map((j) => j.key)).size).toBe(jobs.length);

    // A late, repeated event for the invoice changes nothing: the mirror already holds Xero's newest version.
    const before = await invoiceOf(invoice.Opportunity__c as string);
    sandbox.xero.control.emitWebhookEvent({
      tenantId: EU,
      category: 'INVOICE',
      eventType: 'UPDATE',
      resourceId: invoice.Xero_Invoice_Id__c as string,
    });
    await sandbox.xero.control.flushWebhooks();
    await waitFor('the repeated event handled', async () => {
      const open = await sandbox.store.jobs.listJobs({ action: 'XERO_CHANGE', states: ['queued', 'running'] });
      return open.length === 0;
    });
    const after = await invoiceOf(invoice.Opportunity__c as string);
    expect(after).toMatchObject({ Status__c: 'Paid', Amount_Due__c: 0, Xero_Updated__c: before!.Xero_Updated__c });
    expect(paymentsOf(after)).toHaveLength(2);
  });

  it('a forged signature gets 401 and stores nothing', async () => {
    const jobsBefore = await sandbox.store.jobs.listJobs({ action: 'XERO_CHANGE', limit: 1000 });
    const body = JSON.stringify({
      events: [
        {
          resourceUrl: 'https://api.xero.com/api.xro/2.0/Invoices/0f0f0f0f-0000-4000-8000-000000000001',
          resourceId: '0f0f0f0f-0000-4000-8000-000000000001',
          eventDateUtc: '2026-01-01T00:00:00.000',
          eventType: 'UPDATE',
          eventCategory: 'INVOICE',
          tenantId: UK,
          tenantType: 'ORGANISATION',
        },
      ],
      firstEventSequence: 1,
      lastEventSequence: 1,
      entropy: 'FORGED',
    });
    const forged = await fetch(`${sandbox.url}/webhooks/xero`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-xero-signature': xeroSignature(Buffer.from(body), 'not-the-key'),
      },
      body,
    });
    expect(forged.status).toBe(401);
    expect(await forged.text()).toBe('');
    const jobsAfter = await sandbox.store.jobs.listJobs({ action: 'XERO_CHANGE', limit: 1000 });
    expect(jobsAfter.map((j) => j.key)).toEqual(jobsBefore.map((j) => j.key));
    expect(jobsAfter.some((j) => j.key.includes('0f0f0f0f-0000-4000-8000-000000000001'))).toBe(false);

    // The same body correctly signed is accepted (and stored once, however often it is sent).
    for (let i = 0; i < 2; i += 1) {
      const good = await fetch(`${sandbox.url}/webhooks/xero`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-xero-signature': xeroSignature(Buffer.from(body), sandbox.config.xero.webhookKey),
        },
        body,
      });
      expect(good.status).toBe(200);
    }
    const stored = await sandbox.store.jobs.listJobs({ action: 'XERO_CHANGE', limit: 1000 });
    expect(stored.filter((j) => j.key.includes('0f0f0f0f-0000-4000-8000-000000000001'))).toHaveLength(1);
  });
});

describe('documents changed by hand in Xero', () => {
  it('a credit note raised and allocated in Xero, an invoice raised there and a deleted payment all reach Salesforce', async () => {
    const invoice = await authorisedInvoice('Northwind - Support Renewal');
    const api = xeroApi();
    const inXero = (await api.getInvoice(UK, invoice.Xero_Invoice_Id__c as string)).body.invoices![0]!;
    const line = inXero.lineItems![0]!;
    const contactID = inXero.contact!.contactID!;
    // A credit asked in Salesforce for this customer waits for finance: it is not on its way to Xero, so it holds
    // back nothing raised there meanwhile.
    expect(
      sandbox.sf.control.invoiceActions.credit(invoice.Id as string, FINANCE, { amount: 10, reason: 'Awaiting' }),
    ).toMatchObject({ isSuccess: true });
    await waitFor('the credit awaiting approval', async () => {
      const { records } = await admin.query<Row>(
        `SELECT Id FROM Credit_Note__c WHERE Invoice__c = '${String(invoice.Id)}' AND Status__c = 'Draft'`,
      );
      return records[0];
    });

    // A credit note for the customer, authorised and partly allocated to the invoice.
    const created = await api.createCreditNotes(UK, {
      creditNotes: [
        {
          type: 'ACCRECCREDIT' as never,
          contact: { contactID },
          currencyCode: inXero.currencyCode,
          status: 'AUTHORISED' as never,
          lineItems: [
            {
              description: 'Goodwill',
              quantity: 1,
              unitAmount: 50,
              accountCode: line.accountCode,
              taxType: line.taxType,
            },
          ],
        },
      ],
    });
    const note = created.body.creditNotes![0]!;
    await api.createCreditNoteAllocation(UK, note.creditNoteID!, {
      allocations: [{ invoice: { invoiceID: inXero.invoiceID! }, amount: 30, date: '2026-03-15' }],
    });
    await sandbox.xero.control.flushWebhooks();
    const mirrored = await waitFor('the credit note in Salesforce', async () => {
      const { records } = await admin.query<Row>(
        `SELECT Id, Invoice__c, Account__c, Total__c, Remaining_Credit__c, Status__c, Request_Key__c, ` +
          `(SELECT Xero_Allocation_Id__c, Amount__c, Status__c, Invoice__c FROM Allocations__r) ` +
          `FROM Credit_Note__c WHERE Xero_Credit_Note_Id__c = '${note.creditNoteID}'`,
      );
      const row = records[0];
      return ((row?.Allocations__r as { records?: Row[] } | null)?.records ?? []).length === 1 ? row : undefined;
    });
    expect(mirrored).toMatchObject({
      Invoice__c: invoice.Id,
      Status__c: 'Authorised',
      Request_Key__c: `XERO:${note.creditNoteID}`,
    });
    expect(mirrored.Remaining_Credit__c).toBeCloseTo(Number(note.total) - 30, 2);
    expect((mirrored.Allocations__r as { records: Row[] }).records[0]).toMatchObject({
      Amount__c: 30,
      Status__c: 'Active',
      Invoice__c: invoice.Id,
    });
    await waitFor('the amount credited on the invoice', async () => {
      const row = await invoiceOf(invoice.Opportunity__c as string);
      return row && Number(row.Amount_Due__c) === Number(invoice.Total__c) - 30 ? row : undefined;
    });

    // An invoice raised directly in Xero for this customer gets a mirror on the Account.
    const raised = await api.createInvoices(UK, {
      invoices: [
        {
          type: 'ACCREC' as never,
          contact: { contactID },
          currencyCode: inXero.currencyCode,
          status: 'AUTHORISED' as never,
          dueDate: '2026-04-30',
          lineItems: [
            {
              description: 'Extra seats',
              quantity: 2,
              unitAmount: 40,
              accountCode: line.accountCode,
              taxType: line.taxType,
            },
          ],
        },
      ],
    });
    const direct = raised.body.invoices![0]!;
    await sandbox.xero.control.flushWebhooks();
    const { records: opp } = await admin.query<Row>(
      `SELECT AccountId FROM Opportunity WHERE Id = '${String(invoice.Opportunity__c)}'`,
    );
    const directMirror = await waitFor('the mirror of the invoice raised in Xero', async () => {
      const { records } = await admin.query<Row>(
        `SELECT Id, Account__c, Opportunity__c, Request_Key__c, Status__c, Total__c, (SELECT Id FROM Invoice_Lines__r) ` +
          `FROM Invoice__c WHERE Xero_Invoice_Id__c = '${direct.invoiceID}'`,
      );
      // The mirror is written first, its lines right after.
      return ((records[0]?.Invoice_Lines__r as { records?: Row[] } | null)?.records ?? []).length > 0
        ? records[0]
        : undefined;
    });
    expect(directMirror).toMatchObject({
      Account__c: opp[0]!.AccountId,
      Opportunity__c: null,
      Request_Key__c: `XERO:${direct.invoiceID}`,
      Status__c: 'Authorised',
      Total__c: direct.total,
    });
    expect((directMirror.Invoice_Lines__r as { records: Row[] }).records).toHaveLength(1);

    // A payment deleted in Xero stays in Salesforce, marked Deleted, and the invoice is due again.
    const payment = sandbox.xero.control.recordCustomerPayment({
      tenantId: UK,
      invoiceId: invoice.Xero_Invoice_Id__c as string,
      amount: '20.00',
    }) as { PaymentID?: string; Payments?: { PaymentID?: string }[] };
    const paymentId = payment.PaymentID ?? payment.Payments?.[0]?.PaymentID;
    await sandbox.xero.control.flushWebhooks();
    await waitFor('the payment in Salesforce', async () => {
      const row = await invoiceOf(invoice.Opportunity__c as string);
      return paymentsOf(row).some((p) => p.Status__c === 'Authorised') ? row : undefined;
    });
    const recorded = paymentsOf(await invoiceOf(invoice.Opportunity__c as string))[0]!;
    expect(recorded.Xero_Payment_Id__c).toBe(paymentId ?? recorded.Xero_Payment_Id__c);
    await api.deletePayment(UK, recorded.Xero_Payment_Id__c as string, { status: 'DELETED' });
    await sandbox.xero.control.flushWebhooks();
    const reversed = await waitFor('the deleted payment in Salesforce', async () => {
      const row = await invoiceOf(invoice.Opportunity__c as string);
      // Via the invoice (webhook) or the Payments poll: either way both the row and the amounts follow.
      return paymentsOf(row)[0]?.Status__c === 'Deleted' && row?.Amount_Paid__c === 0 ? row : undefined;
    });
    expect(reversed.Amount_Paid__c).toBe(0);
    expect(reversed.Amount_Due__c).toBeCloseTo(Number(invoice.Total__c) - 30, 2);
    // Still part-settled by the credit note (domain/receivables: credits count towards Partially Paid).
    expect(reversed.Status__c).toBe('Partially Paid');
  });
});

describe('a credit note finance approved that Xero refused', () => {
  it('says why on the credit note, holds back nothing raised in Xero for the customer (even of the same total), and goes again on Retry', async () => {
    const invoice = await authorisedInvoice('Stark - Premium Support');
    const tenantId = invoice.Xero_Tenant_Id__c as string;
    const api = xeroApi();
    const inXero = (await api.getInvoice(tenantId, invoice.Xero_Invoice_Id__c as string)).body.invoices![0]!;
    const line = inXero.lineItems![0]!;
    expect(
      sandbox.sf.control.invoiceActions.credit(invoice.Id as string, FINANCE, { amount: 10, reason: 'Refused' }),
    ).toMatchObject({ isSuccess: true });
    const asked = await waitFor('the credit awaiting approval', async () => {
      const { records } = await admin.query<Row>(
        `SELECT Id, Total__c FROM Credit_Note__c WHERE Invoice__c = '${String(invoice.Id)}' AND Status__c = 'Draft'`,
      );
      return records[0];
    });
    expect(asked.Total__c).toBe(10);

    // Xero refuses the credit note the approval sends (a 400 no retry can fix).
    sandbox.xero.control.addFault({ kind: 'status', status: 400, method: 'PUT', path: '/CreditNotes', count: 1 });
    sandbox.sf.control.approvals.submit(asked.Id as string, { user: FINANCE });
    sandbox.sf.control.approvals.approve(asked.Id as string, { user: FINANCE });
    const refused = await waitFor('the refusal on the credit note', async () => {
      const { records } = await admin.query<Row>(
        `SELECT Sync_Status__c, Sync_Message__c, Approval_Status__c, Xero_Credit_Note_Id__c FROM Credit_Note__c ` +
          `WHERE Id = '${String(asked.Id)}'`,
      );
      return records[0]?.Sync_Status__c === 'Error' ? records[0] : undefined;
    });
    expect(refused).toMatchObject({ Approval_Status__c: 'Approved', Xero_Credit_Note_Id__c: null });
    expect(String(refused.Sync_Message__c)).toMatch(/400/);

    // The same 10.00 raised by hand in Xero for this customer is not the refused one: it reaches Salesforce.
    const created = await api.createCreditNotes(tenantId, {
      creditNotes: [
        {
          type: 'ACCRECCREDIT' as never,
          contact: { contactID: inXero.contact!.contactID! },
          currencyCode: inXero.currencyCode,
          lineAmountTypes: 'Inclusive' as never,
          status: 'AUTHORISED' as never,
          lineItems: [
            {
              description: 'Goodwill',
              quantity: 1,
              unitAmount: 10,
              accountCode: line.accountCode,
              taxType: line.taxType,
            },
          ],
        },
      ],
    });
    const note = created.body.creditNotes![0]!;
    expect(note.total).toBe(10);
    await sandbox.xero.control.flushWebhooks();
    const mirrored = await waitFor('the credit note raised in Xero, in Salesforce', async () => {
      const { records } = await admin.query<Row>(
        `SELECT Account__c, Total__c, Request_Key__c FROM Credit_Note__c WHERE Xero_Credit_Note_Id__c = '${note.creditNoteID}'`,
      );
      return records[0];
    });
    const { records: opp } = await admin.query<Row>(
      `SELECT AccountId FROM Opportunity WHERE Id = '${String(invoice.Opportunity__c)}'`,
    );
    expect(mirrored).toMatchObject({
      Account__c: opp[0]!.AccountId,
      Total__c: 10,
      Request_Key__c: `XERO:${note.creditNoteID}`,
    });

    // Whatever Xero refused is fixed: Retry on the invoice sends the approved credit note again, and it is made.
    sandbox.sf.control.invoiceActions.requestResync(invoice.Id as string, FINANCE);
    const made = await waitFor('the approved credit note made in Xero on Retry', async () => {
      const { records } = await admin.query<Row>(
        `SELECT Sync_Status__c, Sync_Message__c, Status__c, Xero_Credit_Note_Id__c FROM Credit_Note__c ` +
          `WHERE Id = '${String(asked.Id)}'`,
      );
      return records[0]?.Xero_Credit_Note_Id__c ? records[0] : undefined;
    });
    expect(made).toMatchObject({ Sync_Status__c: 'Synced', Sync_Message__c: null });
    expect(made.Xero_Credit_Note_Id__c).not.toBe(note.creditNoteID);
  });
});

describe('customer credit', () => {
  it('a customer who paid more than due: the overpayment, where it went and what is left, on the Account', async () => {
    const invoice = await authorisedInvoice('Initech - Onboarding');
    const tenantId = String(invoice.Xero_Tenant_Id__c);
    const api = xeroApi();
    const inXero = (await api.getInvoice(tenantId, invoice.Xero_Invoice_Id__c as string)).body.invoices![0]!;
    const bank = sandbox.xero.state.tenant(tenantId)!.org.accounts.find((a) => a.Type === 'BANK')!;

    // Received in Xero as an overpayment (no webhook: Xero sends none for these), part of it set against the invoice.
    const received = await api.createBankTransactions(tenantId, {
      bankTransactions: [
        {
          type: 'RECEIVE-OVERPAYMENT' as never,
          contact: { contactID: inXero.contact!.contactID! },
          bankAccount: { code: bank.Code },
          lineItems: [{ description: 'Paid twice', lineAmount: 150 }],
          lineAmountTypes: 'NoTax' as never,
        },
      ],
    });
    const overpaymentID = received.body.bankTransactions![0]!.overpaymentID!;
    await api.createOverpaymentAllocations(tenantId, overpaymentID, {
      allocations: [{ invoice: { invoiceID: inXero.invoiceID! }, amount: 100, date: '2026-03-20' }],
    });
    const credit = await waitFor(
      'the overpayment in Salesforce',
      async () => {
        const { records } = await admin.query<Row>(
          `SELECT Id, Account__c, Credit_Type__c, Total__c, Allocated__c, Remaining_Credit__c, Status__c, ` +
            `(SELECT Invoice__c, Amount__c, Kind__c, Status__c FROM Allocations__r) ` +
            `FROM Customer_Credit__c WHERE Xero_Credit_Id__c = '${overpaymentID}'`,
        );
        const row = records[0];
        return ((row?.Allocations__r as { records?: Row[] } | null)?.records ?? []).length === 1 ? row : undefined;
      },
      POLL_INTERVAL_MS * 3,
    );
    const { records: opp } = await admin.query<Row>(
      `SELECT AccountId FROM Opportunity WHERE Id = '${String(invoice.Opportunity__c)}'`,
    );
    expect(credit).toMatchObject({ Account__c: opp[0]!.AccountId, Credit_Type__c: 'Overpayment', Total__c: 150 });
    expect([credit.Allocated__c, credit.Remaining_Credit__c]).toEqual([100, 50]);
    expect((credit.Allocations__r as { records: Row[] }).records[0]).toMatchObject({
      Invoice__c: invoice.Id,
      Amount__c: 100,
      Status__c: 'Active',
    });
    await waitFor('the invoice settled by the credit', async () => {
      const row = await invoiceOf(invoice.Opportunity__c as string);
      return row && Number(row.Amount_Due__c) === Number(invoice.Total__c) - 100 ? row : undefined;
    });
  });
});
