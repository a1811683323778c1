import type { InvoiceMirror } from '../../salesforce/selections';
import type { WriteOutcome } from '../../salesforce/writeback';
import type { XeroInvoice } from '../../xero/types';
import { invoiceMirrorRow, MIRROR_XERO_ID } from './__fixtures__/invoice-mirror';
import { createInvoiceMirror, type InvoiceMirrorDeps } from './invoice-mirror';

const XERO_ID = MIRROR_XERO_ID;

const mirror = (xeroUpdated: string | null): InvoiceMirror => invoiceMirrorRow({ Xero_Updated__c: xeroUpdated });

const xeroInvoice = (status: string, amountPaid: number, updated: string): XeroInvoice =>
  ({
    invoiceID: XERO_ID,
    invoiceNumber: 'INV-0001',
    type: 'ACCREC',
    status,
    currencyCode: 'GBP',
    subTotal: 90,
    totalTax: 18,
    total: 108,
    amountPaid,
    amountDue: 108 - amountPaid,
    updatedDateUTC: new Date(updated),
    lineItems: [],
  }) as unknown as XeroInvoice;

/** Salesforce and Xero as the invoice-mirror sees them: the mirror's stored row, and Xero's invoice now. */
function setup(stored: InvoiceMirror, inXero: XeroInvoice) {
  const written: Record<string, unknown>[] = [];
  const deps: InvoiceMirrorDeps = {
    queries: { invoices: async () => [stored], invoiceLines: async () => [] },
    writeback: {
      update: async (_object, records) => {
        written.push(...records.map((r) => ({ ...r })));
        return records.map((): WriteOutcome => ({ ok: true, id: stored.Id }));
      },
      upsert: async (_object, _key, records) => records.map((): WriteOutcome => ({ ok: true, id: stored.Id })),
      create: async (_object, records) => records.map((): WriteOutcome => ({ ok: true, id: 'e00000000000001AAA' })),
      requireAll: (_object, _keys, outcomes) => outcomes.flatMap((o) => (o.ok ? [o.id] : [])),
    },
    xero: { getInvoicesByIds: async () => [inXero] },
    summaries: { refreshOpportunities: async () => undefined, refreshAccounts: async () => undefined },
    clock: { now: () => Date.UTC(2026, 5, 1) },
    log: { info: () => undefined } as unknown as InvoiceMirrorDeps['log'],
  };
  return { mirrors: createInvoiceMirror(deps), written };
}

describe('invoice mirror write-back', () => {
  it('never writes an older Xero state over a newer one: a payment polled while the job ran stays', async () => {
    // AUTHORISE read the invoice authorised (10:00), then emailed it; meanwhile the customer paid (10:01) and the
    // poller wrote PAID to the mirror, moving its watermark past that change. The job's write comes last.
    const paid = xeroInvoice('PAID', 108, '2026-06-01T10:01:00Z');
    const { mirrors, written } = setup(mirror('2026-06-01T10:01:00.000Z'), paid);
    const loadedBefore = mirror('2026-06-01T09:59:00.000Z');
    await mirrors.writeInvoice(loadedBefore, xeroInvoice('AUTHORISED', 0, '2026-06-01T10:00:00Z'));
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ Status__c: 'Paid', Amount_Paid__c: 108, Amount_Due__c: 0 });
    expect(written[0]!.Xero_Updated__c).toBe('2026-06-01T10:01:00.000Z');
  });

  it('writes the state it read when the mirror holds nothing newer', async () => {
    const authorised = xeroInvoice('AUTHORISED', 0, '2026-06-01T10:00:00Z');
    const { mirrors, written } = setup(
      mirror('2026-06-01T09:59:00.000Z'),
      xeroInvoice('PAID', 108, '2026-06-01T10:05:00Z'),
    );
    await mirrors.writeInvoice(mirror('2026-06-01T09:59:00.000Z'), authorised);
    expect(written[0]).toMatchObject({ Status__c: 'Authorised', Amount_Paid__c: 0 });
  });
});
