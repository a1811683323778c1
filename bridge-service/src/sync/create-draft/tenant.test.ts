import { randomBytes } from 'node:crypto';
import { SqliteStore } from '../../store';
import type { NewInvoice } from '../../xero/client';
import type { XeroContact, XeroInvoice } from '../../xero/types';
import {
  created,
  draft,
  invoiceForSummary,
  job,
  opportunity,
  seats,
  UK_TENANT,
  xeroInvoice,
  newCustomers,
} from './__fixtures__/drafts';
import type { Instalment } from '../../domain/billing-plan';
import { money } from '../../domain/money';
import { sourceUrl, type Draft } from './draft';
import { draftInTenant, type TenantDeps } from './tenant';

const INSTANCE = 'https://acme.my.salesforce.com';
let store: SqliteStore;
beforeEach(() => {
  store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
});
afterEach(() => store.close());

function deps(inXero: XeroInvoice[] = []) {
  const saved: { requestKey: string; invoiceRecordId: string | null; reason: string }[] = [];
  const createInvoices = jest.fn(async (_t: string, inputs: readonly NewInvoice[]) =>
    inputs.map((input, i) => {
      const id = `inv-${input.document.reference}`;
      return created(i, id, xeroInvoice(id));
    }),
  );
  const tenantDeps: TenantDeps = {
    xero: {
      createContacts: async (_t, inputs) =>
        inputs.map((c, i) => created<XeroContact>(i, `contact-${c.contactNumber}`, { name: c.name })),
      findContactByNumber: async () => null,
      getInvoicesByIds: async () => [],
      getInvoicesModifiedSince: async () => ({ items: inXero, page: 1, pageSize: 100, hasMore: false }),
      createInvoices,
    },
    ...newCustomers(),
    xeroResults: store.xeroResults,
    instanceUrl: () => INSTANCE,
    clock: { now: () => Date.UTC(2026, 6, 1) },
    corporateCurrency: 'GBP',
    queries: {
      invoicesFor: async (_field, ids) => [invoiceForSummary('a0I000000000009AAA', 'Authorised', ids[0]!)],
    },
    creditNotes: {
      saveDraft: async (_document, source) => {
        saved.push(source);
        return 'a0C000000000001AAA';
      },
    },
    reference: { taxRates: async () => [{ taxType: 'OUTPUT2', effectiveRate: 20 }] },
    log: { info: () => undefined, warn: () => undefined },
  };
  return { tenantDeps, createInvoices, saved };
}

describe('CREATE_DRAFT: one tenant', () => {
  it('creates the invoices of new deals', async () => {
    const { tenantDeps, createInvoices } = deps();
    const outcomes = await draftInTenant(tenantDeps, UK_TENANT, [draft(1), draft(2)], new Map());
    expect(outcomes.map((o) => o.kind)).toEqual(['invoiced', 'invoiced']);
    expect(createInvoices).toHaveBeenCalledTimes(1);
  });

  it('sends a line priced by its Total Price at that total, and hands its warning on to the record (review-12 F2)', async () => {
    const { tenantDeps, createInvoices } = deps();
    // 300 seats for 10,000.00: Salesforce derives the Sales Price 33.33 (300 × 33.33 = 9,999.00).
    const priced = draft(1, {
      opportunity: opportunity(1, { Amount: 10000 }),
      lineItems: [{ ...seats(300, 33.33), TotalPrice: 10000 }],
    });
    const outcomes = await draftInTenant(tenantDeps, UK_TENANT, [priced, draft(2)], new Map());
    const sent = createInvoices.mock.calls[0]![1].map((i) => i.document);
    expect(sent.map((d) => [d.subTotal, d.lineItems.map((l) => [l.quantity, l.unitAmount, l.lineAmount])])).toEqual([
      ['10000.00', [['1', '10000.00', '10000.00']]],
      ['1000.00', [['10', '100.00', '1000.00']]],
    ]);
    expect(outcomes).toEqual([
      {
        kind: 'invoiced',
        draft: priced,
        invoice: expect.anything(),
        warnings: [
          'line 1 (Platform seats): its Total Price 10000.00 is not 300 × 33.33 (9999.00); sent to Xero as 1 × 10000.00, the quantity and price in its description',
        ],
      },
      // A deal whose lines agree has nothing to say.
      {
        kind: 'invoiced',
        draft: expect.objectContaining({ requestKey: draft(2).requestKey }),
        invoice: expect.anything(),
      },
    ]);
  });

  it("keeps what a retried job's earlier attempt made in Xero, and remembers it", async () => {
    const retried = draft(1, { job: job(1, { attempts: 3 }) });
    const earlier = xeroInvoice('inv-earlier', {
      url: sourceUrl(INSTANCE, retried.opportunity.Id),
      contact: { contactID: `contact-${retried.account.Id}` },
    });
    const { tenantDeps, createInvoices } = deps([earlier]);
    const outcomes = await draftInTenant(tenantDeps, UK_TENANT, [retried], new Map());
    expect(outcomes).toEqual([{ kind: 'invoiced', draft: retried, invoice: earlier }]);
    expect(createInvoices).not.toHaveBeenCalled();
    expect(await store.xeroResults.findXeroResult(retried.requestKey, UK_TENANT, 'invoice')).toMatchObject({
      xeroId: 'inv-earlier',
    });
  });

  it("records a downgrade's credit note against the amended deal's invoice; an amendment no plan priced is refused", async () => {
    const original = {
      opportunity: opportunity(9, { Service_Start_Date__c: '2026-01-01', Service_End_Date__c: '2026-12-31' }),
      lineItems: [seats(25, 600)],
    };
    const period = { start: '2026-10-01', end: '2026-12-31' };
    // The deal plan's signature instalment for 5 seats off from 1 Oct: 5 × 600.00 × 92/365 = 756.16.
    const credit: Instalment = {
      key: 'credit-1',
      version: 'v1',
      sequence: 2,
      issueDate: '2026-06-28',
      kind: 'credit-note',
      amount: money('-756.16'),
      servicePeriod: period,
      lines: [
        {
          lineKey: seats(25, 600).Id,
          contractKey: original.opportunity.Id,
          description: 'Platform seats',
          periodKey: period.start,
          servicePeriod: period,
          amount: money('-756.16'),
        },
      ],
    };
    const amending = (n: number, billing?: Draft['billing']) =>
      draft(n, {
        opportunity: opportunity(n, {
          Amended_Opportunity__c: original.opportunity.Id,
          Service_Start_Date__c: '2026-10-01',
        }),
        lineItems: [seats(20, 600)],
        original,
        ...(billing ? { billing } : {}),
      });
    const { tenantDeps, saved } = deps();
    const outcomes = await draftInTenant(
      tenantDeps,
      UK_TENANT,
      [amending(1, { instalment: credit, invoiceType: 'Amendment' }), amending(2)],
      new Map(),
    );
    expect(outcomes).toEqual([
      // Only its deal plan prices an amendment (billing.ts): without one it is refused, never billed in full.
      { kind: 'refused', job: job(2), message: expect.stringMatching(/is billed by its deal's plan, not in full/) },
      {
        kind: 'settled',
        job: job(1),
        outcome: { kind: 'done', result: { creditNoteRecordId: 'a0C000000000001AAA', total: '907.39' } },
      },
    ]);
    expect(saved).toEqual([
      {
        requestKey: job(1).payload.requestKey,
        invoiceRecordId: 'a0I000000000009AAA',
        accountId: draft(1).account.Id,
        reason: 'Downgrade: Deal 1',
      },
    ]);
  });
});
