/**
 * What the inbound invoice writer reads from Xero and writes to Salesforce for the bridge's own changes coming back
 * (poll summaries, webhook events), against a fake Salesforce: only mirrors that are behind are read and written.
 */
import pino from 'pino';
import { salesforceNames } from '../../salesforce/schema';
import { invoiceForInbound, type InvoiceForInbound } from '../../salesforce/selections';
import type { XeroInvoice } from '../../xero/types';
import { createApplyContext, type ApplyDeps } from './apply-context';
import { applyInvoiceEvents, applyInvoiceSummaries } from './apply-invoices';
import { xeroInvoice } from './__fixtures__/invoices';

const T1 = Date.parse('2026-03-01T10:00:00.000Z');
const T2 = T1 + 5_000;
const id = (n: number) => `a1b2c3d4-0000-4000-8000-00000000000${n}`;

function invoice(n: number, overrides: Partial<XeroInvoice> = {}): XeroInvoice {
  return xeroInvoice({
    invoiceID: id(n),
    invoiceNumber: `INV-${n}`,
    updatedDateUTC: new Date(T1),
    lineItems: [{ lineItemID: `line-${n}`, description: 'Seats', quantity: 10, unitAmount: 100, lineAmount: 1000 }],
    ...overrides,
  });
}

/** The mirror of invoice n as Salesforce holds it after the bridge wrote version T1. */
function mirror(n: number): InvoiceForInbound {
  return invoiceForInbound.parse(salesforceNames(''), {
    Id: `a0000000000000${n}AAA`,
    Opportunity__c: null,
    Account__c: '001000000000001AAA',
    Request_Key__c: `REQ-${n}`,
    Xero_Invoice_Id__c: id(n),
    Xero_Tenant_Id__c: 'tenant-uk',
    Billing_Entity__c: 'UK_Ltd',
    Invoice_Number__c: `INV-${n}`,
    Status__c: 'Authorised',
    Currency_Code__c: 'GBP',
    Total__c: 1200,
    Amount_Paid__c: 0,
    Amount_Credited__c: 0,
    Amount_Due__c: 1200,
    Due_Date__c: '2026-03-31',
    Reference__c: null,
    Approval_Status__c: 'Approved',
    Xero_Updated__c: '2026-03-01T10:00:00.000+0000',
    Invoice_Lines__r: { totalSize: 1, done: true, records: [{ Id: `a01${n}`, Xero_Line_Item_Id__c: `line-${n}` }] },
    Payments__r: null,
  });
}

function setup(mirrors: InvoiceForInbound[]) {
  const writes: string[] = [];
  const ok = (records: readonly unknown[]) => records.map((_, i) => ({ ok: true as const, id: `x${i}` }));
  const deps: ApplyDeps = {
    queries: {
      invoicesByXeroIds: async (ids) => mirrors.filter((m) => ids.includes(String(m.Xero_Invoice_Id__c))),
      creditNotesByXeroIds: async () => [],
      paymentsByXeroIds: async () => [],
      pendingCreditNotes: async () => [],
    },
    writeback: {
      update: async (object, records) => (writes.push(`update ${object.name} ${records.length}`), ok(records)),
      create: async (object, records) => (writes.push(`create ${object.name} ${records.length}`), ok(records)),
      upsert: async (object, _key, records) => (writes.push(`upsert ${object.name} ${records.length}`), ok(records)),
    },
    contactMappings: { getContactMapping: async () => null },
    goLive: {
      linksOfContacts: async () => [],
      opportunities: async () => [],
      wonDealsOfAccounts: async () => [],
      customerCreditsByXeroIds: async () => [],
    },
    reference: { billingEntities: async () => [] },
    summaries: { refreshOpportunities: async () => undefined, refreshAccounts: async () => undefined },
    clock: { now: () => T2 + 60_000 },
    log: pino({ level: 'silent' }),
  };
  const reads: string[][] = [];
  const readFull = (byId: Map<string, XeroInvoice>) => async (ids: string[]) => {
    reads.push(ids);
    return ids.map((i) => byId.get(i.toLowerCase())!);
  };
  return { deps, ctx: createApplyContext(deps), writes, reads, readFull };
}

describe('versions as Salesforce stores them (to the second)', () => {
  // Xero's UpdatedDateUTC has milliseconds; Xero_Updated__c keeps whole seconds (mirror(n) holds 10:00:00.000).
  const withMs = (n: number) =>
    invoice(n, { updatedDateUTC: new Date(T1 + 250), lineItems: undefined, payments: undefined });

  it('a poll summary of the version the mirror holds to the second, with the same fields, is unchanged', async () => {
    const t = setup([mirror(1)]);
    const result = await applyInvoiceSummaries(t.deps, t.ctx, 'tenant-uk', [withMs(1)], t.readFull(new Map()));
    expect(t.reads).toEqual([]);
    expect(t.writes).toEqual([]);
    expect(result).toMatchObject({ unchanged: 1 });
  });

  it('the webhook of the bridge’s own change (the mirror holds its second) is not read', async () => {
    const t = setup([mirror(1)]);
    await applyInvoiceEvents(t.deps, t.ctx, 'tenant-uk', [{ invoiceId: id(1), at: T1 + 250 }], t.readFull(new Map()));
    expect(t.reads).toEqual([]);
  });

  it('a change of that same second with other fields is written (the poll compares fields)', async () => {
    const t = setup([mirror(1)]);
    const paid = invoice(1, { updatedDateUTC: new Date(T1 + 900), status: 'PAID', amountPaid: 1200, amountDue: 0 });
    const result = await applyInvoiceSummaries(
      t.deps,
      t.ctx,
      'tenant-uk',
      [{ ...paid, lineItems: undefined, payments: undefined }],
      t.readFull(new Map([[id(1), paid]])),
    );
    expect(t.reads).toEqual([[id(1)]]);
    expect(result.changed).toHaveLength(1);
  });
});

describe('the bridge’s own invoices coming back', () => {
  it('poll summaries of versions the mirrors hold: nothing read in full, nothing written', async () => {
    const t = setup([mirror(1), mirror(2)]);
    const summaries = [1, 2].map((n) => invoice(n, { lineItems: undefined, payments: undefined }));
    const result = await applyInvoiceSummaries(t.deps, t.ctx, 'tenant-uk', summaries, t.readFull(new Map()));
    expect(t.reads).toEqual([]);
    expect(t.writes).toEqual([]);
    expect(result).toMatchObject({ unchanged: 2, changed: [] });
  });

  it('a summary newer than its mirror is read in full and written, lines before the version', async () => {
    const t = setup([mirror(1), mirror(2)]);
    const paid = invoice(2, { updatedDateUTC: new Date(T2), status: 'PAID', amountPaid: 1200, amountDue: 0 });
    const summaries = [invoice(1), { ...paid, lineItems: undefined, payments: undefined }];
    const result = await applyInvoiceSummaries(
      t.deps,
      t.ctx,
      'tenant-uk',
      summaries,
      t.readFull(new Map([[id(2), paid]])),
    );
    expect(t.reads).toEqual([[id(2)]]);
    // lines first, then the invoice (with its Xero version), then the rep's event
    expect(t.writes).toEqual(['update Invoice_Line__c 1', 'update Invoice__c 1', 'create Sync_Update__e 1']);
    expect(result).toMatchObject({ unchanged: 1 });
    expect(result.changed).toHaveLength(1);
  });

  it('webhook events at or before the version a mirror holds are not read; later ones and untimed ones are', async () => {
    const t = setup([mirror(1), mirror(2), mirror(3)]);
    const later = invoice(2, { updatedDateUTC: new Date(T2), amountPaid: 200, amountDue: 1000 });
    const result = await applyInvoiceEvents(
      t.deps,
      t.ctx,
      'tenant-uk',
      [
        { invoiceId: id(1), at: T1 }, // the bridge's own approval, echoed
        { invoiceId: id(1).toUpperCase(), at: T1 - 10 },
        { invoiceId: id(2), at: T2 }, // changed in Xero after
        { invoiceId: id(3) }, // named by an allocation: no time
      ],
      t.readFull(
        new Map([
          [id(2), later],
          [id(3), invoice(3)],
        ]),
      ),
    );
    expect(t.reads).toEqual([[id(2), id(3)]]);
    // invoice 3 was read, and is unchanged: only invoice 2 is written
    expect(t.writes).toEqual(['update Invoice_Line__c 1', 'update Invoice__c 1', 'create Sync_Update__e 1']);
    expect(result).toMatchObject({ unchanged: 2 });
  });

  it('a webhook for an invoice the bridge made whose mirror is not written yet is not read: it waits for the mirror', async () => {
    const t = setup([mirror(1)]);
    const result = await applyInvoiceEvents(
      t.deps,
      t.ctx,
      'tenant-uk',
      [
        { invoiceId: id(7), at: T2 }, // the bridge created it a moment ago; its batch is still writing mirrors
        { invoiceId: id(8), at: T2 }, // made in Xero by someone else, no mirror: read
        { invoiceId: id(1), at: T2 }, // the bridge made it and its mirror is there, behind the event: read
      ],
      t.readFull(
        new Map([
          [id(8), invoice(8, { contact: { contactID: 'c-8' } })],
          [id(1), invoice(1, { updatedDateUTC: new Date(T2) })],
        ]),
      ),
      new Set([id(7), id(1)]),
    );
    expect(t.reads).toEqual([[id(8), id(1)]]);
    expect(result.awaitingMirror).toEqual([id(7)]);
    expect(result.unchanged).toBe(0);
  });

  it('a summary of a draft the bridge is still creating, or of a stranger’s invoice, is not read in full', async () => {
    const t = setup([]);
    const bridgeMade = invoice(4, {
      url: 'https://acme.my.salesforce.com/lightning/r/Opportunity/006000000000004AAA/view',
      lineItems: undefined,
    });
    const stranger = invoice(5, {
      contact: { contactID: 'c-5', contactNumber: '001000000000005AAA' },
      lineItems: undefined,
    });
    // a summary without its contact cannot say whose it is
    const unknown = invoice(6, { contact: undefined, lineItems: undefined });
    const result = await applyInvoiceSummaries(
      t.deps,
      t.ctx,
      'tenant-uk',
      [bridgeMade, stranger, unknown],
      t.readFull(new Map([[id(6), invoice(6, { contact: { contactID: 'c-6' } })]])),
    );
    // only the one whose summary cannot say whose it is
    expect(t.reads).toEqual([[id(6)]]);
    expect(result.awaitingMirror).toEqual([id(4)]);
    expect(t.writes).toEqual([]);
  });
});
