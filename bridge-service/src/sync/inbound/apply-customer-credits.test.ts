import pino from 'pino';
import { uk } from '../../domain/__fixtures__/opportunities';
import { contactLink } from '../../salesforce/golive-queries';
import { CustomerCreditAllocation } from '../../salesforce/objects';
import { salesforceNames } from '../../salesforce/schema';
import type { XeroOverpayment, XeroPrepayment } from '../../xero/types';
import { createApplyContext, type ApplyDeps } from './apply-context';
import { applyCustomerCredits, type XeroCustomerCredit } from './apply-customer-credits';

const TENANT = 'tenant-uk';
const ACCOUNT = '001000000000001AAA';
const CONTACT = 'c0c0c0c0-0000-4000-8000-000000000001';
const CREDIT_ID = 'a0a0a0a0-0000-4000-8000-000000000001';

type Row = Record<string, unknown>;

function setup() {
  const upserted: Row[] = [];
  /** Customer_Credit_Allocation__c rows inserted (allocations and refunds). */
  const created: Row[] = [];
  const logged: { level: number; msg: string; type?: string; creditId?: string }[] = [];
  const ok = (rows: readonly unknown[]) => rows.map((_, i) => ({ ok: true as const, id: `a1${i}` }));
  const deps: ApplyDeps = {
    queries: {
      invoicesByXeroIds: async () => [],
      creditNotesByXeroIds: async () => [],
      paymentsByXeroIds: async () => [],
      pendingCreditNotes: async () => [],
    },
    writeback: {
      update: async (_object, rows) => ok(rows),
      create: async (object, rows) => {
        if (object.name === CustomerCreditAllocation.name) created.push(...(rows as Row[]));
        return ok(rows);
      },
      upsert: async (_object, _key, rows) => (upserted.push(...(rows as Row[])), ok(rows)),
    },
    contactMappings: { getContactMapping: async () => null },
    goLive: {
      linksOfContacts: async () => [
        contactLink.parse(salesforceNames(''), {
          Id: 'a0X000000000001AAA',
          Account__c: ACCOUNT,
          Billing_Entity__c: uk.developerName,
          Xero_Tenant_Id__c: TENANT,
          Xero_Contact_Id__c: CONTACT,
          Contact_Name__c: 'Acme',
          Match_Method__c: 'Created',
          Link_Key__c: `${uk.developerName}:${ACCOUNT}`,
        }),
      ],
      opportunities: async () => [],
      wonDealsOfAccounts: async () => [],
      customerCreditsByXeroIds: async () => [],
    },
    reference: { billingEntities: async () => [{ ...uk, xeroTenantId: TENANT }] },
    summaries: { refreshOpportunities: async () => undefined, refreshAccounts: async () => undefined },
    clock: { now: () => Date.parse('2026-03-01T10:01:00.000Z') },
    log: pino({ level: 'debug' }, { write: (line: string) => void logged.push(JSON.parse(line)) }),
  };
  return { deps, ctx: createApplyContext(deps), upserted, created, logged };
}

/** A 250.00 credit as Xero lists it: 100.00 set against an invoice, 30.00 paid back. */
function credit(kind: 'overpayment' | 'prepayment', type: string): XeroCustomerCredit {
  const fields = {
    type,
    status: 'AUTHORISED' as const,
    contact: { contactID: CONTACT },
    currencyCode: 'GBP',
    subTotal: 250,
    totalTax: 0,
    total: 250,
    remainingCredit: 120,
    date: '2026-03-01',
    updatedDateUTC: new Date('2026-03-01T10:00:00.000Z'),
    allocations: [
      {
        allocationID: 'b0b0b0b0-0000-4000-8000-000000000001',
        amount: 100,
        date: '2026-03-01',
        invoice: { invoiceID: 'd0d0d0d0-0000-4000-8000-000000000001' },
      },
    ],
    payments: [{ paymentID: 'e0e0e0e0-0000-4000-8000-000000000001', amount: 30, date: '2026-03-02' }],
  };
  return kind === 'overpayment'
    ? { kind, credit: { ...fields, overpaymentID: CREDIT_ID } satisfies XeroOverpayment }
    : { kind, credit: { ...fields, prepaymentID: CREDIT_ID } satisfies XeroPrepayment };
}

describe('applyCustomerCredits: which Xero credit types are a customer credit', () => {
  it.each([
    ['overpayment', 'RECEIVE-OVERPAYMENT', 'Overpayment'],
    ['overpayment', 'AROVERPAYMENT', 'Overpayment'],
    ['prepayment', 'RECEIVE-PREPAYMENT', 'Prepayment'],
    ['prepayment', 'ARPREPAYMENT', 'Prepayment'],
  ] as const)('%s of Type %s: mirrored with its allocation and refund', async (kind, type, creditType) => {
    const t = setup();
    const result = await applyCustomerCredits(t.deps, t.ctx, TENANT, [credit(kind, type)]);
    expect(result.skipped).toEqual([]);
    expect(t.upserted).toEqual([
      expect.objectContaining({
        Xero_Credit_Id__c: CREDIT_ID,
        Account__c: ACCOUNT,
        Credit_Type__c: creditType,
        Total__c: 250,
        Allocated__c: 100,
        Refunded__c: 30,
        Remaining_Credit__c: 120,
      }),
    ]);
    expect(t.created.map((row) => [row.Kind__c, row.Amount__c, row.Status__c])).toEqual([
      ['Allocation', 100, 'Active'],
      ['Refund', 30, 'Active'],
    ]);
  });

  it.each([
    ['overpayment', 'SPEND-OVERPAYMENT'],
    ['prepayment', 'SPEND-PREPAYMENT'],
    ['prepayment', 'APPREPAYMENT'],
  ] as const)("a supplier's %s (%s): not mirrored, but skipped and logged", async (kind, type) => {
    const t = setup();
    const result = await applyCustomerCredits(t.deps, t.ctx, TENANT, [credit(kind, type)]);
    expect([t.upserted, t.created, result.skipped]).toEqual([[], [], [CREDIT_ID]]);
    expect(t.logged).toEqual([
      expect.objectContaining({ level: 30, type, creditId: CREDIT_ID, msg: expect.stringContaining('supplier') }),
    ]);
  });

  it('warns about a Type it does not know rather than dropping the credit unseen', async () => {
    const t = setup();
    const result = await applyCustomerCredits(t.deps, t.ctx, TENANT, [credit('overpayment', 'NEW-KIND')]);
    expect([t.upserted, result.skipped]).toEqual([[], [CREDIT_ID]]);
    expect(t.logged).toEqual([expect.objectContaining({ level: 40, type: 'NEW-KIND', creditId: CREDIT_ID })]);
  });
});
