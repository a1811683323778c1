import pino from 'pino';
import { storedJob } from '../../store/__fixtures__/jobs';
import { XeroApiError } from '../../xero/errors';
import type { BatchElementResult, XeroInvoice } from '../../xero/types';
import type { JobOf } from '../handler';
import type { InvoiceMirror } from '../services/invoice-mirror';
import { createOwnWrites, type OwnWrites } from '../inbound/own-writes';
import { authoriseHandler, batchKey, type AuthoriseDeps } from './authorise';

const A = 'tenant-a';
const B = 'tenant-b';

/** An approval; `approved` is the Payload__c InvoiceTriggerHandler.cls sends (none: a request queued before it did). */
function job(n: number, approved?: unknown): JobOf<'AUTHORISE'> {
  const invoiceId = `a00${String(n).padStart(12, '0')}AAA`;
  const requestKey = `AUTHORISE:${invoiceId}:1`;
  return storedJob(
    {
      key: requestKey,
      action: 'AUTHORISE',
      payload: { action: 'AUTHORISE', requestKey, invoiceId, ...(approved === undefined ? {} : { payload: approved }) },
    },
    n,
  );
}

/** What every mirror of setup() holds: total 120.00, Xero version 10:00:00 (Salesforce keeps seconds). */
const MIRROR_TOTAL = 120;
const MIRROR_VERSION = '2026-01-15T10:00:00.000+0000';
/** The approval of what the mirror holds, as Apex's JSON.serialize writes it. */
const AS_APPROVED = { approvedTotal: '120.00', xeroUpdated: '2026-01-15T10:00:00.000Z' };

/** The version Xero answers an approval with. */
const AUTHORISED_AT = Date.parse('2026-01-15T10:05:00.700Z');

const xeroIdOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A fake Xero and Salesforce: invoices 1..n, tenant A below `split`, B from it; some already paid or voided. */
function setup(opts: {
  count: number;
  split: number;
  paid?: number[];
  voided?: number[];
  refused?: number[];
  /** Xero's words for refusing invoice n (default "Invoice n refused") */
  refusal?: (n: number) => string;
  /** the Payload__c of each job (by invoice number); none: a request queued before approvals carried it */
  approved?: (n: number) => unknown;
  /** Xero's total for an invoice, when not the mirror's (edited in Xero, unseen by the bridge) */
  xeroTotal?: (n: number) => number;
  /** the mirror's fields, when not setup's */
  mirror?: (n: number) => Partial<InvoiceMirror>;
  /** where the approvals and emails are recorded for inbound (own-writes.ts) */
  ownWrites?: OwnWrites;
}) {
  const statusCalls: { tenantId: string; ids: string[]; key: string }[] = [];
  const reads: string[][] = [];
  const emails: string[] = [];
  const urls: string[] = [];
  /** Every Xero call, by method: what approving costs. */
  const xeroCalls: string[] = [];
  const written: { id: string; status?: string; message?: string; extra?: object }[] = [];
  const recorded: { id: string; message: string }[] = [];
  const sentBack: { id: string; message: string }[] = [];
  const warnings: object[] = [];
  const numberOf = (id: string) => Number(id.slice(-12));
  const statusOf = (n: number) => (opts.paid?.includes(n) ? 'PAID' : opts.voided?.includes(n) ? 'VOIDED' : 'DRAFT');
  let failNext: unknown;
  /** Xero's idempotency rule (xero-api.md §5): the same key with a different request is a 400. */
  const bodies = new Map<string, string>();
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
      Status__c: 'Approved',
      Total__c: MIRROR_TOTAL,
      Xero_Updated__c: MIRROR_VERSION,
      ...opts.mirror?.(n),
    } as InvoiceMirror);
  }
  // A Xero that also answers the online-invoice link, counting it: approving must not ask for it.
  const xero = {
    updateInvoiceStatuses: async (tenantId: string, ids: readonly string[], _status: string, key: string) => {
      xeroCalls.push('updateInvoiceStatuses');
      statusCalls.push({ tenantId, ids: [...ids], key });
      const body = JSON.stringify(ids);
      if ((bodies.get(key) ?? body) !== body)
        throw new XeroApiError({
          status: 400,
          body: 'The Idempotency-Key has already been used with a different request',
          operation: 'updateInvoiceStatuses',
          tenantId,
        });
      bodies.set(key, body);
      if (failNext) {
        const err = failNext;
        failNext = undefined;
        throw err;
      }
      return ids.map((id, index): BatchElementResult<XeroInvoice> => {
        const n = numberOf(id);
        const refused = statusOf(n) !== 'DRAFT' || opts.refused?.includes(n);
        const errors = refused ? [opts.refusal?.(n) ?? `Invoice ${n} refused`] : [];
        return {
          index,
          ok: !refused,
          status: refused ? 'ERROR' : 'OK',
          id: refused ? null : id,
          errors,
          warnings: [],
          record: {
            invoiceID: id,
            status: refused ? statusOf(n) : 'AUTHORISED',
            invoiceNumber: `INV-${n}`,
            total: opts.xeroTotal?.(n) ?? MIRROR_TOTAL,
            currencyCode: 'GBP',
            updatedDateUTC: new Date(AUTHORISED_AT),
          },
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
  const silent = pino({ level: 'silent' });
  const deps: AuthoriseDeps = {
    log: { error: silent.error.bind(silent), warn: (obj: object) => void warnings.push(obj) },
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
      sendBack: async (m, message) => void sentBack.push({ id: m.Id, message }),
    },
    xero,
    ...(opts.ownWrites ? { ownWrites: opts.ownWrites } : {}),
  };
  const jobs = Array.from({ length: opts.count }, (_, i) => job(i + 1, opts.approved?.(i + 1)));
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
    sentBack,
    warnings,
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

  it('one refused for a lock date goes back to Draft saying what to do; the rest of its batch is authorised', async () => {
    const locked =
      "Xero's books are locked up to 28 Feb 2026 (the period lock date), and this is dated 15 Feb 2026: change the " +
      "invoice's date in Xero to a day after 28 Feb 2026 (or have your Xero adviser move the lock date back), then " +
      'submit it for approval again';
    const t = setup({
      count: 3,
      split: 100,
      refused: [2, 3],
      refusal: (n) => (n === 2 ? locked : `Invoice ${n} refused`),
      approved: () => AS_APPROVED,
    });
    const outcomes = await t.handler.run(t.jobs);
    const back = `Xero refused to authorise INV-2, so it is back in Draft: ${locked}`;
    expect(outcomes.get(2)).toEqual({ kind: 'failed', error: back });
    // a new date in Xero is a change finance approves again: not an approval left standing for Retry
    expect(t.sentBack).toEqual([{ id: t.jobs[1]!.payload.invoiceId, message: back }]);
    // any other refusal stays on the approval, as before
    expect(outcomes.get(3)).toEqual({ kind: 'failed', error: 'Xero refused to authorise INV-3: Invoice 3 refused' });
    expect(t.recorded.map((r) => r.id)).toEqual([t.jobs[2]!.payload.invoiceId]);
    expect(outcomes.get(1)).toMatchObject({ kind: 'done' });
  });

  it('a transient failure of the call retries its batch under the same Idempotency-Key', async () => {
    const t = setup({ count: 3, split: 100 });
    t.failOnce(new XeroApiError({ status: 503, body: 'down', operation: 'updateInvoiceStatuses', tenantId: A }));
    const first = await t.handler.run(t.jobs);
    expect([...first.values()].map((o) => o.kind)).toEqual(['retry', 'retry', 'retry']);
    const second = await t.handler.run([...t.jobs].reverse());
    expect([...second.values()].map((o) => o.kind)).toEqual(['done', 'done', 'done']);
    expect(t.statusCalls[0]!.key).toBe(t.statusCalls[1]!.key);
    // the same key with the same body: sent in request-key order, however the jobs were claimed
    expect(t.statusCalls[1]!.ids).toEqual(t.statusCalls[0]!.ids);
    expect(t.statusCalls[0]!.key).toBe(batchKey(t.jobs));
    expect(t.statusCalls[0]!.key.length).toBeLessThanOrEqual(128);
  });

  it('an approval given again with other figures is a new Idempotency-Key; the same approval keeps its key', () => {
    // Sent back (a draft re-dated past a lock date) and approved again: the same request key, a new version. Under the
    // old key Xero would answer with the refusal it stored for the first approval, for 6 minutes.
    const redated = { ...AS_APPROVED, xeroUpdated: '2026-01-15T10:07:00.000Z' };
    expect(batchKey([job(1, AS_APPROVED), job(2)])).toBe(batchKey([job(2), job(1, AS_APPROVED)]));
    expect(batchKey([job(1, redated)])).not.toBe(batchKey([job(1, AS_APPROVED)]));
    expect(batchKey([job(1, { ...AS_APPROVED, approvedTotal: '144.00' })])).not.toBe(batchKey([job(1, AS_APPROVED)]));
    expect(batchKey([job(1, redated)])).toMatch(/^AUTHORISE:[0-9a-f]{48}$/);
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

describe('AUTHORISE authorises only what finance approved', () => {
  it('an invoice as approved is authorised: no extra Xero call, no warning', async () => {
    const t = setup({ count: 3, split: 100, approved: () => AS_APPROVED });
    const outcomes = await t.handler.run(t.jobs);
    expect([...outcomes.values()].map((o) => o.kind)).toEqual(['done', 'done', 'done']);
    expect(t.xeroCalls.filter((c) => c !== 'emailInvoice')).toEqual(['updateInvoiceStatuses']);
    expect(t.written.map((w) => w.status)).toEqual(['AUTHORISED', 'AUTHORISED', 'AUTHORISED']);
    expect(t.written.every((w) => !w.message)).toBe(true);
    expect(t.warnings).toEqual([]);
  });

  it('an invoice whose mirror changed since the approval (total or Xero version) goes back to Draft, unsent', async () => {
    const t = setup({
      count: 4,
      split: 100,
      approved: (n) =>
        n === 2
          ? { ...AS_APPROVED, approvedTotal: '9120.00' } // a correction reached Salesforce after the approval
          : n === 3
            ? { ...AS_APPROVED, xeroUpdated: '2026-01-15T09:00:00.000Z' } // edited in Xero, same total
            : AS_APPROVED,
      // the same version written another way (the REST API's offset, Apex's Z) is the same version
      mirror: (n) => (n === 4 ? { Xero_Updated__c: '2026-01-15T10:00:00Z' } : {}),
    });
    const outcomes = await t.handler.run(t.jobs);
    expect(Object.fromEntries([...outcomes].map(([id, o]) => [id, o.kind]))).toEqual({
      1: 'done',
      2: 'failed',
      3: 'failed',
      4: 'done',
    });
    // only the unchanged ones are sent to Xero, in one call, and nothing is read to find the others out
    expect(t.statusCalls.map((c) => c.ids)).toEqual([[xeroIdOf(1), xeroIdOf(4)]]);
    expect(t.reads).toEqual([]);
    expect(t.sentBack.map((b) => b.id)).toEqual([t.jobs[1]!.payload.invoiceId, t.jobs[2]!.payload.invoiceId]);
    expect(t.sentBack[0]!.message).toBe(
      'Not authorised in Xero: INV 2 changed since finance approved it (total approved 9120.00, now 120.00). ' +
        'Check it and submit it again for approval.',
    );
    expect(t.sentBack[1]!.message).toMatch(/INV 3 changed since finance approved it \(changed in Xero at .*\)/);
    expect(outcomes.get(2)).toMatchObject({ error: t.sentBack[0]!.message });
  });

  it('a mirror already past the draft (an earlier attempt authorised it, its answer lost) is not sent back', async () => {
    const t = setup({
      count: 1,
      split: 100,
      approved: () => AS_APPROVED,
      // the poller wrote the AUTHORISED version this approval made before the retry ran
      mirror: () => ({ Status__c: 'Authorised', Xero_Updated__c: '2026-01-15T10:05:00.000+0000' }),
    });
    const outcomes = await t.handler.run(t.jobs);
    expect(outcomes.get(1)?.kind).toBe('done');
    expect(t.sentBack).toEqual([]);
    expect(t.statusCalls).toHaveLength(1);
  });

  it('a total Xero answers with that finance did not approve is flagged on the record and not emailed', async () => {
    const t = setup({ count: 2, split: 100, approved: () => AS_APPROVED, xeroTotal: (n) => (n === 1 ? 240 : 120) });
    const outcomes = await t.handler.run(t.jobs);
    expect([...outcomes.values()].map((o) => o.kind)).toEqual(['done', 'done']);
    expect(t.emails).toEqual([xeroIdOf(2)]);
    const flagged = t.written.find((w) => w.id === t.jobs[0]!.payload.invoiceId)!;
    expect(flagged.extra).toMatchObject({ syncStatus: 'Error' });
    expect(flagged.message).toBe(
      'Authorised in Xero with total 240.00 GBP, but finance approved 120.00: it was changed in Xero after the ' +
        'approval and was not emailed. Check it with finance (void it and raise it again if it is wrong).',
    );
    expect(t.written.find((w) => w.id === t.jobs[1]!.payload.invoiceId)!.extra).toEqual({});
  });

  it('a request queued before approvals carried their figures is authorised as before, with a warning', async () => {
    const t = setup({ count: 1, split: 100, xeroTotal: () => 999 });
    const outcomes = await t.handler.run(t.jobs);
    expect(outcomes.get(1)?.kind).toBe('done');
    expect(t.written[0]!.extra).toEqual({});
    expect(t.warnings).toEqual([expect.objectContaining({ requestKey: t.jobs[0]!.payload.requestKey })]);
  });

  it('an approval whose figures cannot be read fails on the record, and is not sent', async () => {
    const t = setup({ count: 1, split: 100, approved: () => ({ approvedTotal: 'lots' }) });
    const outcomes = await t.handler.run(t.jobs);
    expect(outcomes.get(1)).toMatchObject({ kind: 'failed' });
    expect(t.recorded[0]!.message).toMatch(/^The approval of INV 1 cannot be read: approvedTotal/);
    expect(t.statusCalls).toEqual([]);
  });
});

describe('AUTHORISE records its own changes for inbound (their webhooks and listings are not read back)', () => {
  it('each approval with the version Xero answered, and the email after it within the time it can have taken', async () => {
    // the bridge's clock moves 300 ms a look: the status call, its answer, an email and its answer each take that
    let now = 0;
    const own = createOwnWrites({ clock: { now: () => (now += 300) } });
    const t = setup({ count: 4, split: 3, ownWrites: own });
    await t.handler.run(t.jobs);
    expect(t.emails).toEqual([xeroIdOf(1), xeroIdOf(2)]); // tenant A's entity emails; B's does not
    // the approval's own webhook on both tenants
    expect(own.echo(A, xeroIdOf(1), AUTHORISED_AT)).toEqual({ version: AUTHORISED_AT });
    expect(own.echo(B, xeroIdOf(3), AUTHORISED_AT)).toEqual({ version: AUTHORISED_AT });
    // after the approval: the email's bump only, in Xero's clock within the time the calls took (a window of a few
    // of the clock's 300 ms looks); where nothing was emailed, nothing after the approval is the bridge's
    const after = (n: number, tenant: string) =>
      Array.from({ length: 100 }, (_, i) => AUTHORISED_AT + 1 + i * 100).filter((at) =>
        own.echo(tenant, xeroIdOf(n), at),
      );
    const emailed = after(1, A);
    expect(emailed.length).toBeGreaterThan(0);
    expect(emailed.at(-1)! - emailed[0]!).toBeLessThan(3_000);
    expect(after(3, B)).toEqual([]);
  });

  it('an approval Xero refused is not recorded (its webhooks are read as any change)', async () => {
    const own = createOwnWrites({ clock: { now: () => 0 } });
    const t = setup({ count: 2, split: 3, refused: [2], ownWrites: own });
    await t.handler.run(t.jobs);
    expect(own.echo(A, xeroIdOf(1), AUTHORISED_AT)).toBeDefined();
    expect(own.echo(A, xeroIdOf(2), AUTHORISED_AT)).toBeUndefined();
  });
});
