/**
 * The drift check of one tenant against fake Salesforce and Xero reads: which invoices it reads in full, and what it
 * finds and reconciles when a payment or a refund never reached Salesforce.
 */
import pino from 'pino';
import { uk } from '../../domain/__fixtures__/opportunities';
import {
  contactLink,
  creditNoteForDrift,
  invoiceForDrift,
  wonDeal,
  type CreditNoteForDrift,
  type InvoiceForDrift,
} from '../../salesforce/golive-queries';
import { salesforceNames } from '../../salesforce/schema';
import { storedJob } from '../../store/__fixtures__/jobs';
import type { XeroCreditNote, XeroInvoice, XeroOverpayment } from '../../xero/types';
import type { JobOf } from '../handler';
import { createDriftCheck, type DriftDeps } from './drift-check';

/**
 * A payment status as xero-node types it, without importing the SDK outside src/xero: its enum's members are Xero's
 * own words at run time (`AUTHORISED = <any>'AUTHORISED'`), which the type system cannot see.
 */
type RefundStatus = NonNullable<NonNullable<XeroCreditNote['payments']>[number]['status']>;
const refundStatus = (status: 'AUTHORISED' | 'DELETED') => status as unknown as RefundStatus;

const TENANT = '11111111-1111-4111-8111-111111111111';
const ENTITY = uk.developerName;
const ACCOUNT = '001000000000001AAA';
const DEAL = '006000000000001AAA';
const CONTACT = 'c0c0c0c0-0000-4000-8000-000000000001';
const INVOICE = 'a1a1a1a1-0000-4000-8000-000000000001';
const INVOICE_RECORD = 'a00000000000001AAA';
const NOTE = 'b2b2b2b2-0000-4000-8000-000000000001';
const NOTE_RECORD = 'a0B000000000001AAA';
const PAYMENT = 'p0p0p0p0-0000-4000-8000-000000000001';
const REFUND = 'r0r0r0r0-0000-4000-8000-000000000001';
// Xero's version has milliseconds; Salesforce keeps the second.
const XERO_VERSION = new Date('2026-03-01T10:00:00.790Z');
const STORED_VERSION = '2026-03-01T10:00:00.000Z';
const names = salesforceNames('');

/** Xero's invoice: 1,200.00 with 500.00 paid. */
function xeroInvoice(extra: Partial<XeroInvoice> = {}): XeroInvoice {
  return {
    invoiceID: INVOICE,
    invoiceNumber: 'INV-0001',
    type: 'ACCREC',
    status: 'AUTHORISED',
    contact: { contactID: CONTACT },
    currencyCode: 'GBP',
    date: '2026-02-01',
    subTotal: 1000,
    totalTax: 200,
    total: 1200,
    amountPaid: 500,
    amountCredited: 0,
    amountDue: 700,
    updatedDateUTC: XERO_VERSION,
    payments: [{ paymentID: PAYMENT, amount: 500, date: '2026-02-20' }],
    ...extra,
  } as XeroInvoice;
}

/** A summary read (summaryOnly): status and totals, no payments. */
const summaryOf = ({ payments: _payments, ...invoice }: XeroInvoice): XeroInvoice => invoice as XeroInvoice;

/** The invoice's mirror, in step with Xero's figures; `payments` are its Payment__c records. */
function invoiceMirror(
  payments: { id: string; amount: number; status?: string }[],
  extra: Record<string, unknown> = {},
): InvoiceForDrift {
  return invoiceForDrift.parse(names, {
    Id: INVOICE_RECORD,
    Opportunity__c: DEAL,
    Account__c: ACCOUNT,
    Xero_Invoice_Id__c: INVOICE,
    Invoice_Number__c: 'INV-0001',
    Billing_Entity__c: ENTITY,
    Currency_Code__c: 'GBP',
    Sub_Total__c: 1000,
    Total_Tax__c: 200,
    Total__c: 1200,
    Amount_Paid__c: 500,
    Amount_Credited__c: 0,
    Amount_Due__c: 700,
    Status__c: 'Partially Paid',
    Approval_Status__c: 'Approved',
    Xero_Updated__c: STORED_VERSION,
    Payments__r: {
      records: payments.map((p) => ({
        Xero_Payment_Id__c: p.id,
        Amount__c: p.amount,
        Payment_Date__c: '2026-02-20',
        Status__c: p.status ?? 'Authorised',
        Reference__c: null,
      })),
    },
    ...extra,
  });
}

/** Xero's credit note: 120.00 (100.00 + 20.00 VAT) against the invoice; `use` says how its credit went. */
function xeroCreditNote(use: 'refunded' | 'allocated'): XeroCreditNote {
  return {
    creditNoteID: NOTE,
    creditNoteNumber: 'CN-0001',
    type: 'ACCRECCREDIT',
    status: 'PAID',
    contact: { contactID: CONTACT },
    currencyCode: 'GBP',
    date: '2026-02-25',
    subTotal: 100,
    totalTax: 20,
    total: 120,
    remainingCredit: 0,
    updatedDateUTC: XERO_VERSION,
    allocations:
      use === 'allocated'
        ? [
            {
              allocationID: 'a0a0a0a0-0000-4000-8000-000000000001',
              invoice: { invoiceID: INVOICE },
              amount: 120,
              date: '2026-02-25',
            },
          ]
        : [],
    payments:
      use === 'refunded'
        ? [{ paymentID: REFUND, amount: 120, date: '2026-02-26', status: refundStatus('AUTHORISED') }]
        : [],
  } as XeroCreditNote;
}

/** Its mirror, raised against the invoice in Salesforce, with what the sync wrote of its allocations and refunds. */
function creditNoteMirror(use: 'refunded' | 'allocated', refunds: { amount: number; status: string }[] = []) {
  return creditNoteForDrift.parse(names, {
    Id: NOTE_RECORD,
    Invoice__c: INVOICE_RECORD,
    Account__c: ACCOUNT,
    Xero_Credit_Note_Id__c: NOTE,
    Credit_Note_Number__c: 'CN-0001',
    Currency_Code__c: 'GBP',
    Sub_Total__c: 100,
    Total_Tax__c: 20,
    Total__c: 120,
    Remaining_Credit__c: 0,
    Status__c: 'Paid',
    Approval_Status__c: 'Approved',
    Xero_Updated__c: STORED_VERSION,
    Allocations__r:
      use === 'allocated'
        ? {
            records: [
              {
                Xero_Allocation_Id__c: 'a0a0a0a0-0000-4000-8000-000000000001',
                Invoice__c: INVOICE_RECORD,
                Amount__c: 120,
                Allocation_Date__c: '2026-02-25',
                Status__c: 'Active',
              },
            ],
          }
        : null,
    Refunds__r: {
      records: refunds.map((r) => ({
        Xero_Payment_Id__c: REFUND,
        Amount__c: r.amount,
        Refund_Date__c: '2026-02-26',
        Status__c: r.status,
      })),
    },
  });
}

interface World {
  invoices?: XeroInvoice[];
  invoiceMirrors?: InvoiceForDrift[];
  creditNotes?: XeroCreditNote[];
  creditNoteMirrors?: CreditNoteForDrift[];
  overpayments?: XeroOverpayment[];
}

const onePage = <T>(items: T[]) => ({
  items,
  page: 1,
  pageSize: 1000,
  pageCount: 1,
  itemCount: items.length,
  hasMore: false,
});

function setup(world: World) {
  const readInFull: string[][] = [];
  const invoices = world.invoices ?? [];
  const deps: DriftDeps = {
    goLive: {
      invoiceMirrorsOfTenant: async () => world.invoiceMirrors ?? [],
      creditNoteMirrors: async () => world.creditNoteMirrors ?? [],
      customerCreditsOfTenant: async () => [],
      linksOfEntity: async () => [
        contactLink.parse(names, {
          Id: 'a0X000000000001AAA',
          Account__c: ACCOUNT,
          Billing_Entity__c: ENTITY,
          Xero_Tenant_Id__c: TENANT,
          Xero_Contact_Id__c: CONTACT,
          Contact_Name__c: 'Acme',
          Match_Method__c: 'Created',
          Link_Key__c: `${ENTITY}:${ACCOUNT}`,
        }),
      ],
      driftResults: async () => [],
      wonDealsOfAccounts: async () => [
        wonDeal(false).parse(names, {
          Id: DEAL,
          Name: 'Acme',
          AccountId: ACCOUNT,
          Amount: 1000,
          CloseDate: '2026-01-20',
          IsWon: true,
          PO_Number__c: null,
        }),
      ],
    },
    ledger: {
      getInvoices: async (_tenant, read) => onePage(read.summaryOnly ? invoices.map(summaryOf) : invoices),
      getOverpayments: async () => onePage(world.overpayments ?? []),
      getPrepayments: async () => onePage([]),
    },
    xero: {
      getInvoicesByIds: async (_tenant, ids) => {
        readInFull.push([...ids]);
        return invoices.filter((i) => ids.includes(String(i.invoiceID).toLowerCase()));
      },
      getCreditNotes: async (_tenant, query) => ({
        items: world.creditNotes ?? [],
        page: query?.page ?? 1,
        pageSize: 1000,
        hasMore: false,
      }),
    },
    reference: { billingEntities: async () => [{ ...uk, xeroTenantId: TENANT }] },
    importRuns: { listImportRuns: async () => [] },
    jobs: { enqueueJob: async (job) => ({ job: storedJob(job, 2), created: true }) },
    writeback: {
      upsert: async (_object, _key, records) => records.map((_, i) => ({ ok: true as const, id: `r${i}` })),
      update: async (_object, records) => records.map((_, i) => ({ ok: true as const, id: `u${i}` })),
    },
    clock: { now: () => Date.parse('2026-03-02T02:00:00.000Z') },
    log: pino({ level: 'silent' }),
  };
  const drift = createDriftCheck(deps);
  async function check() {
    const job = storedJob(
      {
        key: 'DRIFT_CHECK:test',
        action: 'DRIFT_CHECK',
        payload: { tenantId: TENANT, entity: ENTITY, reason: 'on-demand' },
      },
      1,
    ) as JobOf<'DRIFT_CHECK'>;
    const outcomes = await drift.handler.run([job]);
    expect(outcomes.get(1)).toMatchObject({ kind: 'done' });
    return drift.latest(ENTITY)!;
  }
  return { check, readInFull };
}

const brief = (report: { findings: { field: string; cause: string; fix: string; amountDifference?: string }[] }) =>
  report.findings.map((f) => `${f.field} ${f.cause} ${f.fix} ${f.amountDifference ?? ''}`.trim());

describe('an invoice whose summary agrees with its mirror', () => {
  it('is not read in full when the mirror holds its payments', async () => {
    const t = setup({ invoices: [xeroInvoice()], invoiceMirrors: [invoiceMirror([{ id: PAYMENT, amount: 500 }])] });
    const report = await t.check();
    expect(t.readInFull).toEqual([]);
    expect(report.findings).toEqual([]);
    expect(report.reconciliationDifferences).toEqual([]);
  });

  it('is read in full when its Payment__c records do not add up to Amount_Paid__c: the missing payment is found', async () => {
    // Amount_Paid__c 500.00 came with the invoice; its Payment__c (a separate write) was refused or deleted by hand.
    const t = setup({ invoices: [xeroInvoice()], invoiceMirrors: [invoiceMirror([])] });
    const report = await t.check();
    expect(t.readInFull).toEqual([[INVOICE]]);
    expect(brief(report)).toEqual(['Payment PAYMENT_RECORDED_IN_XERO RESYNC 500.00']);
    expect(report.reconciliationDifferences).toEqual(
      expect.arrayContaining([
        { level: 'deal', key: DEAL, figure: 'paid', currencyCode: 'GBP', salesforce: '0.00', xero: '500.00' },
      ]),
    );
  });

  it('a deleted Payment__c does not count towards what the mirror holds', async () => {
    const t = setup({
      invoices: [xeroInvoice()],
      invoiceMirrors: [invoiceMirror([{ id: PAYMENT, amount: 500, status: 'Deleted' }])],
    });
    const report = await t.check();
    expect(t.readInFull).toEqual([[INVOICE]]);
    expect(brief(report)).toEqual(['Payment PAYMENT_RECORDED_IN_XERO RESYNC 500.00']);
  });
});

describe('a credit note refunded in Xero', () => {
  const world = (refunds: { amount: number; status: string }[]) => ({
    invoices: [xeroInvoice()],
    invoiceMirrors: [invoiceMirror([{ id: PAYMENT, amount: 500 }])],
    creditNotes: [xeroCreditNote('refunded')],
    creditNoteMirrors: [creditNoteMirror('refunded', refunds)],
  });

  it('agrees with its mirror once the refund is mirrored (Credit_Note_Refund__c): nothing found, credit held ties', async () => {
    const report = await setup(world([{ amount: 120, status: 'Active' }])).check();
    expect(report.findings).toEqual([]);
    expect(report.reconciliationDifferences).toEqual([]);
  });

  it('a refund that never reached Salesforce is found, and the credit it held differs', async () => {
    const report = await setup(world([])).check();
    expect(brief(report)).toEqual(['Refund PAYMENT_RECORDED_IN_XERO RESYNC 120.00']);
    expect(report.reconciliationDifferences).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'entity', figure: 'creditHeld', salesforce: '120.00' }),
      ]),
    );
  });

  it('a refund deleted in Xero and kept Deleted in Salesforce is no finding', async () => {
    const deleted: XeroCreditNote = {
      ...xeroCreditNote('refunded'),
      status: 'AUTHORISED',
      remainingCredit: 120,
      payments: [{ paymentID: REFUND, amount: 120, date: '2026-02-26', status: refundStatus('DELETED') }],
    };
    const mirror = creditNoteForDrift.parse(names, {
      ...creditNoteMirror('refunded', [{ amount: 120, status: 'Deleted' }]),
      Status__c: 'Authorised',
      Remaining_Credit__c: 120,
    });
    const report = await setup({ ...world([]), creditNotes: [deleted], creditNoteMirrors: [mirror] }).check();
    expect(report.findings).toEqual([]);
    expect(report.reconciliationDifferences).toEqual([]);
  });
});

describe('a credit note raised against an invoice', () => {
  it("counts on that invoice's deal on both sides (credited net, billed net)", async () => {
    const credited = { amountCredited: 120, amountDue: 580 };
    const report = await setup({
      invoices: [xeroInvoice(credited)],
      invoiceMirrors: [invoiceMirror([{ id: PAYMENT, amount: 500 }], { Amount_Credited__c: 120, Amount_Due__c: 580 })],
      creditNotes: [xeroCreditNote('allocated')],
      creditNoteMirrors: [creditNoteMirror('allocated')],
    }).check();
    expect(report.findings).toEqual([]);
    expect(report.reconciliationDifferences).toEqual([]);
    const deal = report.reconciliation.find((l) => l.level === 'deal' && l.key === DEAL)!;
    expect([deal.creditedNet, deal.billedNet, deal.unbilled].map((m) => m.toFixed(2))).toEqual([
      '100.00',
      '900.00',
      '100.00',
    ]);
  });
});

describe("an overpayment on a linked customer's contact, none mirrored", () => {
  const overpayment = (type: string): XeroOverpayment => ({
    overpaymentID: 'o0o0o0o0-0000-4000-8000-000000000001',
    type,
    status: 'AUTHORISED',
    contact: { contactID: CONTACT },
    currencyCode: 'GBP',
    lineAmountTypes: 'NoTax' as XeroOverpayment['lineAmountTypes'],
    date: '2026-02-20',
    subTotal: 150,
    totalTax: 0,
    total: 150,
    remainingCredit: 150,
    allocations: [],
    payments: [],
  });

  it.each(['RECEIVE-OVERPAYMENT', 'AROVERPAYMENT'])(
    'a customer credit (%s) not in Salesforce is found',
    async (type) => {
      const t = setup({ overpayments: [overpayment(type)] });
      expect((await t.check()).findings.length).toBeGreaterThan(0);
    },
  );

  it.each(['SPEND-OVERPAYMENT', 'APOVERPAYMENT'])(
    'a supplier credit (%s) is no finding: the bridge mirrors only a customer credit',
    async (type) => {
      const t = setup({ overpayments: [overpayment(type)] });
      expect((await t.check()).findings).toEqual([]);
    },
  );
});
