import pino from 'pino';
import { storedJob } from '../../store/__fixtures__/jobs';
import { XeroApiError } from '../../xero/errors';
import type { BatchElementResult, XeroInvoice } from '../../xero/types';
import type { JobOf } from '../handler';
import type { InvoiceMirror } from '../services/invoice-mirror';
import { authoriseHandler, batchKey, type AuthoriseDeps } from './authorise';

const A = 'tenant-a';
const B = 'tenant-b';

function job(n: number): JobOf<'AUTHORISE'> {
  const invoiceId = `a00${String(n).padStart(12, '0')}AAA`;
  const requestKey = `AUTHORISE:${invoiceId}:1`;
  return storedJob(
    { key: requestKey, action: 'AUTHORISE', payload: { action: 'AUTHORISE', requestKey, invoiceId } },
    n,
  );
}

const xeroIdOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A fake Xero and Salesforce: invoices 1..n, tenant A below `split`, B from it; some already paid or voided. */
function setup(opts: { count: number; split: number; paid?: number[]; voided?: number[]; refused?: number[] }) {
  const statusCalls: { tenantId: string; ids: string[]; key: string }[] = [];
  const reads: string[][] = [];
  const emails: string[] = [];
  const urls: string[] = [];
  /** Every Xero call, by method: what approving costs. */
  const xeroCalls: string[] = [];
  const written: { id: string; status?: string; message?: string; extra?: object }[] = [];
  const recorded: { id: string; message: string }[] = [];
  const numberOf = (id: string) => Number(id.slice(-12));
  const statusOf = (n: number) => (opts.paid?.includes(n) ? 'PAID' : opts.voided?.includes(n) ? 'VOIDED' : 'DRAFT');
  let failNext: unknown;
  const mirrors = new Map<string, InvoiceMirror>();
  for (let n = 1; n <= opts.count; n += 1) {
    const j = job(n);
    mirrors.set(j.payload.invoiceId, {
      Id: j.payload.invoiceId,
      Opportunity__c: null,
      Account__c: null,
      Request_Key__c: null,
      Xero_Invoice_Id__c: xeroIdOf(n),
      Xero_Tenant_Id__c: n < opts.split ? A : B,
      Billing_Entity__c: n < opts.split ? 'Emails' : 'Quiet',
      Name: `INV ${n}`,
      Invoice_Number__c: null,
      Invoice_Type__c: null,
      Currency_Code__c: 'GBP',
      Online_Invoice_URL__c: n % 2 === 0 ? `https://in.xero.com/${n}` : null,
      Approval_Status__c: 'Approved',
    } as InvoiceMirror);
  }
  // A Xero that also answers the online-invoice link, counting it: approving must not ask for it.
  const xero = {
    updateInvoiceStatuses: async (tenantId: string, ids: readonly string[], _status: string, key: string) => {
      xeroCalls.push('updateInvoiceStatuses');
      statusCalls.push({ tenantId, ids: [...ids], key });
      if (failNext) {
        const err = failNext;
        failNext = undefined;
        throw err;
      }
      return ids.map((id, index): BatchElementResult<XeroInvoice> => {
        const n = numberOf(id);
        const refused = statusOf(n) !== 'DRAFT' || opts.refused?.includes(n);
        const errors = refused ? [`Invoice ${n} refused`] : [];
        return {
          index,
          ok: !refused,
          status: refused ? 'ERROR' : 'OK',
          id: refused ? null : id,
          errors,
          warnings: [],
          record: { invoiceID: id, status: refused ? statusOf(n) : 'AUTHORISED', invoiceNumber: `INV-${n}` },
        } as BatchElementResult<XeroInvoice>;
      });
    },
    getInvoicesByIds: async (_tenantId: string, ids: readonly string[]) => {
      xeroCalls.push('getInvoicesByIds');
      reads.push([...ids]);
      return ids.map(
        (id) =>
          ({ invoiceID: id, status: statusOf(numberOf(id)), invoiceNumber: `INV-${numberOf(id)}` }) as XeroInvoice,
      );
    },
    emailInvoice: async (_tenantId: string, id: string) => {
      xeroCalls.push('emailInvoice');
      emails.push(id);
    },
    getOnlineInvoiceUrl: async (_tenantId: string, id: string) => {
      xeroCalls.push('getOnlineInvoiceUrl');
      urls.push(id);
      return `https://in.xero.com/${numberOf(id)}`;
    },
  };
  const deps: AuthoriseDeps = {
    log: pino({ level: 'silent' }),
    syncErrors: { onInvoice: async (id, message) => void recorded.push({ id, message }) },
    reference: {
      settings: async () => ({ readOnly: false }) as never,
      entity: async (name) => ({ autoEmail: name === 'Emails' }) as never,
    },
    invoices: {
      loadMany: async (ids) => new Map(ids.flatMap((id) => (mirrors.has(id) ? [[id, mirrors.get(id)!]] : []))),
      requireXero: (m) => ({ tenantId: m.Xero_Tenant_Id__c!, xeroId: m.Xero_Invoice_Id__c! }),
      writeInvoice: async (m, invoice, extra) =>
        void written.push({ id: m.Id, status: invoice.status, message: extra?.message, extra }),
    },
    xero,
  };
  const jobs = Array.from({ length: opts.count }, (_, i) => job(i + 1));
  return {
    handler: authoriseHandler(deps),
    jobs,
    statusCalls,
    reads,
    emails,
    urls,
    xeroCalls,
    written,
    recorded,
    failOnce: (err: unknown) => (failNext = err),
  };
}

describe('AUTHORISE in bulk', () => {
  it('authorises up to 50 invoices of a tenant per Xero call, and emails only where the entity says so', async () => {
    const t = setup({ count: 120, split: 71 });
    expect(t.handler.batchSize).toBe(50);
    const outcomes = new Map<number, unknown>();
    for (let i = 0; i < t.jobs.length; i += 50) {
      for (const [id, o] of await t.handler.run(t.jobs.slice(i, i + 50))) outcomes.set(id, o);
    }
    expect([...outcomes.values()].every((o) => (o as { kind: string }).kind === 'done')).toBe(true);
    // 70 on A and 50 on B, handed over 50 at a time: 50 | 20 + 30 | 20 → four calls, never more than 50 each
    expect(t.statusCalls.map((c) => [c.tenantId, c.ids.length])).toEqual([
      [A, 50],
      [A, 20],
      [B, 30],
      [B, 20],
    ]);
    expect(t.reads).toEqual([]);
    expect(t.emails).toHaveLength(70); // tenant A's entity emails; B's does not
    expect(t.written.filter((w) => w.status === 'AUTHORISED')).toHaveLength(120);
  });

  it('approving 1,000 invoices costs ceil(1,000 / 50) = 20 status calls and one per email: no link read, no read', async () => {
    const t = setup({ count: 1000, split: 601 });
    for (let i = 0; i < t.jobs.length; i += t.handler.batchSize) {
      const outcomes = await t.handler.run(t.jobs.slice(i, i + t.handler.batchSize));
      expect([...outcomes.values()].every((o) => o.kind === 'done')).toBe(true);
    }
    expect(t.statusCalls).toHaveLength(Math.ceil(1000 / 50));
    expect(t.emails).toHaveLength(600); // tenant A's 600 invoices; B's entity does not email
    expect(t.urls).toEqual([]); // the customer link is read only when a rep asks (ONLINE_LINK)
    expect(t.xeroCalls).toHaveLength(20 + 600);
    // a link already on the mirror (every even invoice here) stays: the write-back does not touch the field
    expect(t.written).toHaveLength(1000);
    expect(t.written.every((w) => !w.extra || !('onlineInvoiceUrl' in w.extra))).toBe(true);
  });

  it('keeps each invoice’s refusal with that invoice; an invoice already paid is done, a voided one fails', async () => {
    const t = setup({ count: 6, split: 100, paid: [2], voided: [3], refused: [5] });
    const outcomes = await t.handler.run(t.jobs);
    expect(t.statusCalls).toHaveLength(1);
    // only the refused ones are read back, to tell paid from voided
    expect(t.reads).toEqual([[xeroIdOf(2), xeroIdOf(3), xeroIdOf(5)]]);
    expect(Object.fromEntries([...outcomes].map(([id, o]) => [id, o.kind]))).toEqual({
      1: 'done',
      2: 'done',
      3: 'failed',
      4: 'done',
      5: 'failed',
      6: 'done',
    });
    expect(outcomes.get(3)).toMatchObject({ error: 'Xero invoice INV-3 is VOIDED: it cannot be authorised' });
    expect(outcomes.get(5)).toMatchObject({ error: 'Xero refused to authorise INV-5: Invoice 5 refused' });
    expect(t.recorded.map((r) => r.id)).toEqual([t.jobs[2]!.payload.invoiceId, t.jobs[4]!.payload.invoiceId]);
    expect(t.written.map((w) => w.id)).toEqual([1, 2, 4, 6].map((n) => t.jobs[n - 1]!.payload.invoiceId));
  });

  it('a transient failure of the call retries its batch under the same Idempotency-Key', async () => {
    const t = setup({ count: 3, split: 100 });
    t.failOnce(new XeroApiError({ status: 503, body: 'down', operation: 'updateInvoiceStatuses', tenantId: A }));
    const first = await t.handler.run(t.jobs);
    expect([...first.values()].map((o) => o.kind)).toEqual(['retry', 'retry', 'retry']);
    const second = await t.handler.run([...t.jobs].reverse());
    expect([...second.values()].map((o) => o.kind)).toEqual(['done', 'done', 'done']);
    expect(t.statusCalls[0]!.key).toBe(t.statusCalls[1]!.key);
    expect(t.statusCalls[0]!.key).toBe(batchKey(t.jobs));
    expect(t.statusCalls[0]!.key.length).toBeLessThanOrEqual(128);
  });

  it('a missing invoice fails alone', async () => {
    const t = setup({ count: 2, split: 100 });
    const stray = job(99);
    const outcomes = await t.handler.run([...t.jobs, stray]);
    expect(outcomes.get(99)).toMatchObject({
      kind: 'failed',
      error: `Invoice ${stray.payload.invoiceId} was not found`,
    });
    expect(outcomes.get(1)?.kind).toBe('done');
  });
});
