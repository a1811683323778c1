/**
 * A credit note refunded in Xero, end to end: the real bridge against both emulators. Finance raises a credit note in
 * Xero for a customer, allocates part of it to the customer's invoice and pays part of the rest back (a Payment on the
 * CreditNote, xero-api.md §8 "Refund remaining credit with a Payment on the CreditNote"). The refund reaches Salesforce
 * as a Credit_Note_Refund__c with its amount, the credit note's remaining credit falls by it, and the drift check finds
 * nothing. Deleting the refund in Xero marks it Deleted and gives the credit back, and the drift check still agrees.
 */
import type { Connection } from 'jsforce';
import pino from 'pino';
import { XeroClient } from 'xero-node';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { connect } from '../sandbox/salesforce/test-helpers';
import { authorisedInvoice as closeAndAuthorise, SALES } from './invoice-life';
import { waitFor } from './wait-for';

jest.setTimeout(120_000);

const UK = '11111111-1111-4111-8111-111111111111';

type Row = Record<string, unknown>;

let sandbox: Sandbox;
let sales: Connection;
let admin: Connection;
/** When the latest drift check this test saw ran. */
let lastCheck = 0;

beforeAll(async () => {
  sandbox = await startSandbox({
    bridge: { workerIdleMs: 50, referenceTtlMs: 0, pollIntervalMs: 6_000, pollIdleMaxMs: 12_000 },
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
    `SELECT Id, Status__c, Sync_Status__c, Xero_Invoice_Id__c, Total__c, Amount_Due__c, Currency_Code__c ` +
      `FROM Invoice__c WHERE Opportunity__c = '${opportunityId}'`,
  );
  return records[0];
}

/** The credit note's mirror with its allocations and refunds. */
async function creditNoteMirror(creditNoteId: string): Promise<Row | undefined> {
  const { records } = await admin.query<Row>(
    `SELECT Id, Invoice__c, Total__c, Remaining_Credit__c, Status__c, ` +
      `(SELECT Xero_Allocation_Id__c, Amount__c, Status__c FROM Allocations__r), ` +
      `(SELECT Xero_Payment_Id__c, Amount__c, Currency_Code__c, Refund_Date__c, Status__c FROM Refunds__r) ` +
      `FROM Credit_Note__c WHERE Xero_Credit_Note_Id__c = '${creditNoteId}'`,
  );
  return records[0];
}

const children = (row: Row | undefined, name: string): Row[] =>
  ((row?.[name] as { records?: Row[] } | null)?.records ?? []) as Row[];

/** The real xero-node client against the emulator, for what a Xero user does by hand. */
function xeroApi() {
  const xero = new XeroClient();
  const tokens = sandbox.xero.control.issueTokens();
  xero.setTokenSet({ ...tokens, expires_at: Math.floor(sandbox.xero.control.now() / 1000) + tokens.expires_in });
  xero.accountingApi.basePath = sandbox.xero.apiUrl;
  return xero.accountingApi;
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Row }> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${sandbox.config.adminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Row };
}

/** Asks the bridge for a drift check of the UK entity and waits for its report. */
async function driftCheck(): Promise<Row> {
  const asked = await api('POST', '/admin/drift-checks', { entity: 'UK_Ltd' });
  expect(asked.status).toBe(202);
  const report = await waitFor(
    'the drift check',
    async () => {
      const latest = await api('GET', '/admin/drift/UK_Ltd');
      return latest.status === 200 && Date.parse(String(latest.body.checkedAt)) > lastCheck ? latest.body : undefined;
    },
    60_000,
  );
  lastCheck = Date.parse(String(report.checkedAt));
  return report;
}

describe('a credit note refunded in Xero', () => {
  it('reaches Salesforce as a Credit_Note_Refund__c, lowers the remaining credit, and the drift check agrees', async () => {
    const invoice = await closeAndAuthorise(sandbox, { sales, admin }, 'Northwind - Support Renewal', invoiceOf);
    const xero = xeroApi();
    const inXero = (await xero.getInvoice(UK, invoice.Xero_Invoice_Id__c as string)).body.invoices![0]!;
    const line = inXero.lineItems![0]!;

    // An authorised credit note for the customer, 30.00 of it allocated to the invoice.
    const created = await xero.createCreditNotes(UK, {
      creditNotes: [
        {
          type: 'ACCRECCREDIT' as never,
          contact: { contactID: inXero.contact!.contactID! },
          currencyCode: inXero.currencyCode,
          status: 'AUTHORISED' as never,
          lineItems: [
            {
              description: 'Service credit',
              quantity: 1,
              unitAmount: 100,
              accountCode: line.accountCode,
              taxType: line.taxType,
            },
          ],
        },
      ],
    });
    const note = created.body.creditNotes![0]!;
    const total = Number(note.total);
    const today = new Date(sandbox.xero.control.now()).toISOString().slice(0, 10);
    await xero.createCreditNoteAllocation(UK, note.creditNoteID!, {
      allocations: [{ invoice: { invoiceID: inXero.invoiceID! }, amount: 30, date: today }],
    });

    // 25.00 of the rest paid back to the customer: a Payment on the credit note, out of the bank account.
    const paid = await xero.createPayment(UK, {
      creditNote: { creditNoteID: note.creditNoteID! },
      account: { code: '090' },
      amount: 25,
      date: today,
      reference: 'Refund of unused credit',
    });
    const refund = paid.body.payments![0]!;
    expect(String(refund.paymentType)).toBe('ARCREDITPAYMENT');
    const afterRefund = (await xero.getCreditNote(UK, note.creditNoteID!)).body.creditNotes![0]!;
    expect(afterRefund.remainingCredit).toBeCloseTo(total - 55, 2);
    expect(afterRefund.payments?.map((p) => [p.paymentID, p.amount])).toEqual([[refund.paymentID, 25]]);
    await sandbox.xero.control.flushWebhooks();

    const mirrored = await waitFor(
      'the refund in Salesforce',
      async () => {
        const row = await creditNoteMirror(note.creditNoteID!);
        return children(row, 'Refunds__r').length === 1 && children(row, 'Allocations__r').length === 1
          ? row
          : undefined;
      },
      30_000,
    );
    expect(mirrored).toMatchObject({ Invoice__c: invoice.Id, Status__c: 'Authorised', Total__c: total });
    expect(mirrored.Remaining_Credit__c).toBeCloseTo(total - 55, 2);
    expect(children(mirrored, 'Refunds__r')[0]).toEqual({
      attributes: expect.anything(),
      Xero_Payment_Id__c: refund.paymentID,
      Amount__c: 25,
      Currency_Code__c: inXero.currencyCode,
      Refund_Date__c: today,
      Status__c: 'Active',
    });
    // The refund is not a payment of the invoice: only the allocation lowers what it owes.
    const owing = await invoiceOf(String(invoice.Opportunity__c));
    expect(owing!.Amount_Due__c).toBeCloseTo(Number(invoice.Total__c) - 30, 2);
    const { records: payments } = await admin.query<Row>(
      `SELECT Id FROM Payment__c WHERE Xero_Payment_Id__c = '${refund.paymentID}'`,
    );
    expect(payments).toEqual([]);

    // The daily drift check: the credit note, its allocation and its refund agree with Xero; the books tie.
    const report = await driftCheck();
    expect(report.open).toEqual([]);
    expect(report.reconciliationDifferences).toEqual([]);
    expect((report.documents as Row).credits).toBeGreaterThanOrEqual(1);

    // The refund deleted in Xero: kept in Salesforce as Deleted, the credit held again, still no drift.
    await xero.deletePayment(UK, refund.paymentID!, { status: 'DELETED' });
    await sandbox.xero.control.flushWebhooks();
    const reversed = await waitFor(
      'the deleted refund in Salesforce',
      async () => {
        const row = await creditNoteMirror(note.creditNoteID!);
        return children(row, 'Refunds__r')[0]?.Status__c === 'Deleted' ? row : undefined;
      },
      30_000,
    );
    expect(reversed.Remaining_Credit__c).toBeCloseTo(total - 30, 2);
    expect(children(reversed, 'Refunds__r')).toHaveLength(1);
    const again = await driftCheck();
    expect(again.open).toEqual([]);
    expect(again.reconciliationDifferences).toEqual([]);
  });

  it('refunded in full with its webhook lost: the CreditNotes poll brings the refund and the credit note is Paid', async () => {
    const invoice = await invoiceOf(
      String(
        (await admin.query<Row>("SELECT Id FROM Opportunity WHERE Name = 'Northwind - Support Renewal'")).records[0]!
          .Id,
      ),
    );
    const xero = xeroApi();
    const inXero = (await xero.getInvoice(UK, invoice!.Xero_Invoice_Id__c as string)).body.invoices![0]!;
    const line = inXero.lineItems![0]!;
    const created = await xero.createCreditNotes(UK, {
      creditNotes: [
        {
          type: 'ACCRECCREDIT' as never,
          contact: { contactID: inXero.contact!.contactID! },
          currencyCode: inXero.currencyCode,
          status: 'AUTHORISED' as never,
          lineItems: [
            {
              description: 'Cancelled seats',
              quantity: 1,
              unitAmount: 40,
              accountCode: line.accountCode,
              taxType: line.taxType,
            },
          ],
        },
      ],
    });
    const note = created.body.creditNotes![0]!;
    await sandbox.xero.control.flushWebhooks();
    await waitFor('the credit note in Salesforce', async () => creditNoteMirror(note.creditNoteID!), 30_000);

    // Its whole credit paid back; the change's webhook never arrives.
    sandbox.xero.control.setWebhookFaults({ drop: 10 });
    try {
      const paid = await xero.createPayment(UK, {
        creditNote: { creditNoteID: note.creditNoteID! },
        account: { code: '090' },
        amount: Number(note.total),
        date: new Date(sandbox.xero.control.now()).toISOString().slice(0, 10),
      });
      const refund = paid.body.payments![0]!;
      await sandbox.xero.control.flushWebhooks();
      const mirrored = await waitFor(
        'the refund brought by the poll',
        async () => {
          const row = await creditNoteMirror(note.creditNoteID!);
          return children(row, 'Refunds__r').length === 1 ? row : undefined;
        },
        45_000,
      );
      expect(mirrored).toMatchObject({ Status__c: 'Paid', Remaining_Credit__c: 0 });
      expect(children(mirrored, 'Refunds__r')[0]).toMatchObject({
        Xero_Payment_Id__c: refund.paymentID,
        Amount__c: Number(note.total),
        Status__c: 'Active',
      });
    } finally {
      sandbox.xero.control.setWebhookFaults({ drop: 0 });
    }
    const report = await driftCheck();
    expect(report.open).toEqual([]);
    expect(report.reconciliationDifferences).toEqual([]);
  });
});
