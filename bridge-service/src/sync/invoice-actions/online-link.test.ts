import pino from 'pino';
import type { InvoiceMirror } from '../../salesforce/selections';
import type { WriteOutcome } from '../../salesforce/writeback';
import { storedJob } from '../../store/__fixtures__/jobs';
import { XeroApiError } from '../../xero/errors';
import type { JobOf } from '../handler';
import { invoiceMirrorRow, MIRROR_TENANT, MIRROR_XERO_ID } from '../services/__fixtures__/invoice-mirror';
import { createInvoiceMirror, type InvoiceMirrorDeps } from '../services/invoice-mirror';
import { onlineLinkHandler, onlineLinkKey } from './online-link';

const TENANT = MIRROR_TENANT;
const XERO_ID = MIRROR_XERO_ID;
const INVOICE_ID = 'a01000000000001AAA';
const LINK = 'https://in.xero.com/9b2a1c3e0001';

const job = (id = 1): JobOf<'ONLINE_LINK'> => {
  const requestKey = onlineLinkKey(INVOICE_ID);
  return storedJob(
    { key: requestKey, action: 'ONLINE_LINK', payload: { action: 'ONLINE_LINK', requestKey, invoiceId: INVOICE_ID } },
    id,
  );
};

/**
 * One Invoice__c in a fake Salesforce that keeps what is written to it, behind the real invoice-mirror write path, and
 * a Xero that counts its online-invoice reads.
 */
function setup(stored: Partial<InvoiceMirror>) {
  const row: InvoiceMirror = invoiceMirrorRow({
    Opportunity__c: '006000000000001AAA',
    Account__c: '001000000000001AAA',
    Xero_Updated__c: '2026-06-01T10:00:00.000Z',
    ...stored,
  });
  const updates: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  const recorded: { id: string; message: string }[] = [];
  const linkReads: { tenantId: string; xeroId: string }[] = [];
  let failNext: unknown;
  const mirrorDeps: InvoiceMirrorDeps = {
    queries: { invoices: async () => [{ ...row }], invoiceLines: async () => [] },
    writeback: {
      update: async (_object, records) => {
        for (const record of records) {
          updates.push({ ...record });
          Object.assign(row, record);
        }
        return records.map((): WriteOutcome => ({ ok: true, id: row.Id }));
      },
      upsert: async () => [],
      create: async (_object, records) => {
        events.push(...records.map((r) => ({ ...r })));
        return records.map((): WriteOutcome => ({ ok: true, id: 'e00000000000001AAA' }));
      },
      requireAll: (_object, _keys, outcomes) => outcomes.flatMap((o) => (o.ok ? [o.id] : [])),
    },
    xero: {
      getInvoicesByIds: async () => {
        throw new Error('ONLINE_LINK reads no invoice');
      },
    },
    summaries: { refreshOpportunities: async () => undefined, refreshAccounts: async () => undefined },
    clock: { now: () => Date.UTC(2026, 5, 1) },
    log: pino({ level: 'silent' }),
  };
  const handler = onlineLinkHandler({
    log: pino({ level: 'silent' }),
    reference: { settings: async () => ({ readOnly: true }) as never },
    syncErrors: { onInvoice: async (id, message) => void recorded.push({ id, message }) },
    invoices: createInvoiceMirror(mirrorDeps),
    xero: {
      getOnlineInvoiceUrl: async (tenantId, xeroId) => {
        linkReads.push({ tenantId, xeroId });
        if (failNext) {
          const err = failNext;
          failNext = undefined;
          throw err;
        }
        return LINK;
      },
    },
  });
  const run = async (j = job()) => (await handler.run([j])).get(j.id);
  return { run, row, updates, events, recorded, linkReads, failOnce: (err: unknown) => (failNext = err) };
}

describe('ONLINE_LINK: the customer link, read on request', () => {
  it('reads the link of an authorised invoice with one Xero call, writes it alone, and tells open pages', async () => {
    const t = setup({});
    expect(await t.run()).toEqual({ kind: 'done', result: { onlineInvoiceUrl: LINK } });
    expect(t.linkReads).toEqual([{ tenantId: TENANT, xeroId: XERO_ID }]);
    // only the link: nothing else of Xero's was read, so nothing else is written
    expect(t.updates).toEqual([{ Id: INVOICE_ID, Online_Invoice_URL__c: LINK }]);
    expect(t.events).toEqual([
      expect.objectContaining({
        Invoice_Id__c: INVOICE_ID,
        Opportunity_Id__c: '006000000000001AAA',
        Change__c: 'ONLINE_LINK',
      }),
    ]);
    // read-only mode (on in this fake) does not hold it: it writes nothing to Xero
  });

  it('reads it once: the request run again (a replay, an admin retry) finds the link stored and calls Xero no more', async () => {
    const t = setup({});
    await t.run(job(1));
    const again = await t.run(job(2));
    expect(again).toEqual({ kind: 'done', result: { onlineInvoiceUrl: LINK, alreadyStored: true } });
    expect(t.linkReads).toHaveLength(1);
    expect(t.updates).toHaveLength(1);
  });

  it.each([
    ['Draft', 'INV-0001 is Draft: Xero has an online invoice only for an authorised or paid invoice'],
    [
      'Awaiting Approval',
      'INV-0001 is Awaiting Approval: Xero has an online invoice only for an authorised or paid invoice',
    ],
    ['Voided', 'INV-0001 is Voided: Xero has an online invoice only for an authorised or paid invoice'],
  ])('refuses a %s invoice in words, before any Xero call', async (status, error) => {
    const t = setup({ Status__c: status });
    expect(await t.run()).toEqual({ kind: 'failed', error });
    expect(t.linkReads).toEqual([]);
    expect(t.updates).toEqual([]);
  });

  it('reads the link of a partly paid or paid invoice', async () => {
    for (const status of ['Partially Paid', 'Paid']) {
      const t = setup({ Status__c: status });
      expect(await t.run()).toMatchObject({ kind: 'done' });
      expect(t.linkReads).toHaveLength(1);
    }
  });

  it('an invoice not in Xero yet fails on the record, where Retry creates it', async () => {
    const t = setup({ Xero_Invoice_Id__c: null, Status__c: 'Draft' });
    expect(await t.run()).toEqual({
      kind: 'failed',
      error: 'INV-0001 has no Xero invoice yet: use Retry to create it',
    });
    expect(t.recorded).toEqual([
      { id: INVOICE_ID, message: 'INV-0001 has no Xero invoice yet: use Retry to create it' },
    ]);
    expect(t.linkReads).toEqual([]);
  });

  it('a transient Xero failure is retried; a refusal lands on the record in words', async () => {
    const t = setup({});
    t.failOnce(new XeroApiError({ status: 503, body: 'down', operation: 'getOnlineInvoice', tenantId: TENANT }));
    expect(await t.run()).toMatchObject({ kind: 'retry' });
    expect(await t.run()).toMatchObject({ kind: 'done' });
    const stale = setup({});
    // the mirror still said Authorised while the invoice was voided in Xero
    stale.failOnce(
      new XeroApiError({
        status: 400,
        body: {
          ErrorNumber: 10,
          Type: 'ValidationException',
          Elements: [
            { ValidationErrors: [{ Message: 'Online invoices are only available for approved sales invoices.' }] },
          ],
        },
        operation: 'getOnlineInvoice',
        tenantId: TENANT,
      }),
    );
    expect(await stale.run()).toMatchObject({ kind: 'failed' });
    expect(stale.recorded[0]?.message).toMatch(/Online invoices are only available for approved sales invoices/);
    expect(stale.updates).toEqual([]);
  });
});
