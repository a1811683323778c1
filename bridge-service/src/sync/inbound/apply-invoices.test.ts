/**
 * What the inbound invoice writer reads from Xero and writes to Salesforce for the bridge's own changes coming back
 * (poll summaries, webhook events), against a fake Salesforce: only mirrors that are behind are read and written.
 */
import pino from 'pino';
import { salesforceNames } from '../../salesforce/schema';
import { invoiceForInbound, type InvoiceForInbound } from '../../salesforce/selections';
import type { XeroInvoice } from '../../xero/types';
import { createApplyContext, type ApplyDeps } from './apply-context';
import { applyInvoiceEvents, applyInvoiceSummaries, applyInvoices } from './apply-invoices';
import { createOwnWrites, type OwnWrites } from './own-writes';
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

function setup(mirrors: InvoiceForInbound[], ownWrites?: OwnWrites) {
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
    ...(ownWrites ? { ownWrites } : {}),
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

  it('an event of the second the mirror holds is left unread but unsure (its poll, which compares fields, is woken)', async () => {
    const t = setup([mirror(1), mirror(2)]);
    const result = await applyInvoiceEvents(
      t.deps,
      t.ctx,
      'tenant-uk',
      [
        { invoiceId: id(1), at: T1 + 900 }, // a payment just after the bridge's write, or its echo: cannot tell
        { invoiceId: id(2), at: T1 - 1_000 }, // an earlier second: held
      ],
      t.readFull(new Map()),
    );
    expect(t.reads).toEqual([]);
    expect(result).toMatchObject({ unchanged: 2, unsure: [id(1)] });
    // the bridge's own approval of that time says it is its echo: sure
    const own = createOwnWrites({ clock: { now: () => 0 } });
    own.answered('tenant-uk', id(1), T1 + 900, 0);
    const t2 = setup([mirror(1)], own);
    const echoed = await applyInvoiceEvents(
      t2.deps,
      t2.ctx,
      'tenant-uk',
      [{ invoiceId: id(1), at: T1 + 900 }],
      t2.readFull(new Map()),
    );
    expect(echoed).toMatchObject({ unchanged: 1, unsure: [] });
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

describe('the email the bridge sends after its approval (its version bump changes nothing a mirror holds)', () => {
  // The bridge's clock (another than Xero's): the approval sent at 0 and answered at 200 ms with version T1 + 700
  // (the mirror holds T1, to the second); the email sent at 800 ms and answered at 1,000 ms. Xero's clock had the
  // email between T1 + 1,300 and T1 + 1,700: the next second, a version the mirror does not hold.
  const EMAILED = T1 + 1_500;
  function emailed() {
    let now = 0;
    const own = createOwnWrites({ clock: { now: () => now } });
    now = 200;
    own.answered('tenant-uk', id(1), T1 + 700, 0);
    now = 800;
    const answered = own.follow('tenant-uk', id(1));
    now = 1_000;
    answered();
    return own;
  }
  const summary = (n: number, overrides: Partial<XeroInvoice> = {}) =>
    invoice(n, { updatedDateUTC: new Date(EMAILED), lineItems: undefined, payments: undefined, ...overrides });

  it('its webhook is not read (the mirror holds the approval, the email changed nothing it holds)', async () => {
    const t = setup([mirror(1)], emailed());
    const result = await applyInvoiceEvents(
      t.deps,
      t.ctx,
      'tenant-uk',
      [{ invoiceId: id(1), at: EMAILED }],
      t.readFull(new Map()),
    );
    expect(t.reads).toEqual([]);
    expect(t.writes).toEqual([]);
    expect(result).toMatchObject({ unchanged: 1, changed: [] });
  });

  it('without the record of the email, its webhook is read in full (as before)', async () => {
    const t = setup([mirror(1)]);
    await applyInvoiceEvents(
      t.deps,
      t.ctx,
      'tenant-uk',
      [{ invoiceId: id(1), at: EMAILED }],
      t.readFull(new Map([[id(1), invoice(1, { updatedDateUTC: new Date(EMAILED) })]])),
    );
    expect(t.reads).toEqual([[id(1)]]);
  });

  it('its listing is not read: the version alone is written (a restamp), no change announced', async () => {
    const updates: unknown[] = [];
    const t = setup([mirror(1)], emailed());
    const update = t.deps.writeback.update;
    t.deps.writeback.update = async (object, records) => (updates.push(...records), update(object, records));
    const result = await applyInvoiceSummaries(t.deps, t.ctx, 'tenant-uk', [summary(1)], t.readFull(new Map()));
    expect(t.reads).toEqual([]);
    expect(t.writes).toEqual(['update Invoice__c 1']); // no Sync_Update__e, no summaries
    expect(updates).toEqual([{ Id: mirror(1).Id, Xero_Updated__c: new Date(EMAILED).toISOString() }]);
    expect(result).toMatchObject({ changed: [], restamped: 1, errors: [] });
  });

  it('a listing of that time whose header differs (paid meanwhile), or a later one, is read in full', async () => {
    const t = setup([mirror(1), mirror(2)], emailed());
    const paid = summary(1, { status: 'PAID', amountPaid: 1200, amountDue: 0 });
    const later = invoice(2, { updatedDateUTC: new Date(T1 + 5_000) });
    await applyInvoiceSummaries(
      t.deps,
      t.ctx,
      'tenant-uk',
      [paid, { ...later, lineItems: undefined }],
      t.readFull(
        new Map([
          [id(1), { ...paid, lineItems: invoice(1).lineItems, payments: [] }],
          [id(2), later],
        ]),
      ),
    );
    expect(t.reads).toEqual([[id(1), id(2)]]);
  });

  it('an event or listing before the approval’s flow wrote the mirror is left to that flow: not read, not written', async () => {
    const draft = { ...mirror(1), Status__c: 'Draft', Xero_Updated__c: '2026-03-01T09:00:00.000+0000' };
    const t = setup([draft], emailed());
    const events = await applyInvoiceEvents(
      t.deps,
      t.ctx,
      'tenant-uk',
      [
        { invoiceId: id(1), at: T1 },
        { invoiceId: id(1), at: EMAILED },
      ],
      t.readFull(new Map()),
    );
    const listed = await applyInvoiceSummaries(t.deps, t.ctx, 'tenant-uk', [summary(1)], t.readFull(new Map()));
    expect(t.reads).toEqual([]);
    expect(t.writes).toEqual([]);
    expect(events).toMatchObject({ unchanged: 1, changed: [] });
    expect(listed).toMatchObject({ awaitingMirror: [id(1)], changed: [] });
  });
});

describe('a version-only bump read in full (no record of the bridge’s email: another replica, a restart)', () => {
  it('on an authorised invoice it is written as read and announces nothing (no summaries, events, re-plan)', async () => {
    const t = setup([mirror(1)]);
    const result = await applyInvoices(t.deps, t.ctx, 'tenant-uk', [invoice(1, { updatedDateUTC: new Date(T2) })]);
    expect(t.writes).toEqual(['update Invoice_Line__c 1', 'update Invoice__c 1']);
    expect(result).toMatchObject({ changed: [], restamped: 1 });
  });

  it('on a draft (whose lines may have been edited) it is a change, as before', async () => {
    const draft = { ...mirror(1), Status__c: 'Draft', Approval_Status__c: null };
    const t = setup([draft]);
    const result = await applyInvoices(t.deps, t.ctx, 'tenant-uk', [
      invoice(1, { updatedDateUTC: new Date(T2), status: 'DRAFT' }),
    ]);
    expect(t.writes).toEqual(['update Invoice_Line__c 1', 'update Invoice__c 1', 'create Sync_Update__e 1']);
    expect(result.changed).toHaveLength(1);
  });
});
