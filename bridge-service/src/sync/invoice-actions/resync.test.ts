import pino from 'pino';
import type { InvoiceMirror } from '../../salesforce/selections';
import { storedJob } from '../../store/__fixtures__/jobs';
import type { Job, JobState } from '../../store/types';
import type { XeroInvoice } from '../../xero/types';
import type { JobOf } from '../handler';
import { onlineLinkKey } from './online-link';
import { gaveUpAfterRetries } from '../worker';
import { authoriseKey, CORRECTION_NOT_SENT_AGAIN, CORRECTION_SENT_AGAIN, resyncHandler, voidKey } from './resync';

const INVOICE_ID = 'a01000000000001AAA';

const job = (): JobOf<'RESYNC'> => {
  const requestKey = `RESYNC:${INVOICE_ID}:1765000000000`;
  return storedJob(
    { key: requestKey, action: 'RESYNC', payload: { action: 'RESYNC', requestKey, invoiceId: INVOICE_ID } },
    1,
  );
};

/**
 * RESYNC's world: the mirror, Xero's invoice as `fetch` reads it, and the jobs earlier requests on the invoice left, if
 * any: the rep's ask for the link, finance's approval, a void.
 */
function setup(opts: {
  link?: string;
  xeroStatus: XeroInvoice['status'];
  linkJob?: JobState;
  authoriseJob?: JobState;
  voidJob?: JobState;
  /** A correction (UPDATE_DRAFT) sent for this invoice, or for `correctionOf` another, in this state. */
  correctionJob?: JobState;
  correctionOf?: string;
  /** How that correction last failed (its lastError). */
  correctionError?: string;
  /** The request that made the invoice (Request_Key__c), of this kind and in this state; a done CREATE_DRAFT unless said. */
  request?: { action: 'CREATE_DRAFT' | 'CREATE_PARTIAL'; state: JobState };
  /** The invoice's Approval_Status__c; Approved unless said. */
  approvalStatus?: string;
  /** The invoice's Sync_Status__c and Sync_Message__c; Synced and none unless said. */
  syncStatus?: string;
  syncMessage?: string;
}) {
  const request = opts.request ?? { action: 'CREATE_DRAFT', state: 'done' };
  const requestKey =
    request.action === 'CREATE_PARTIAL'
      ? 'CREATE_PARTIAL:006000000000001AAA:1-450000'
      : 'CREATE_DRAFT:006000000000001AAA:1';
  const mirror = {
    Id: INVOICE_ID,
    Name: 'INV-0001',
    Opportunity__c: '006000000000001AAA',
    Request_Key__c: requestKey,
    Xero_Invoice_Id__c: '9b2a1c3e-0000-4000-8000-000000000001',
    Xero_Tenant_Id__c: '11111111-1111-4111-8111-111111111111',
    Status__c: 'Authorised',
    Approval_Status__c: opts.approvalStatus ?? 'Approved',
    Online_Invoice_URL__c: opts.link ?? null,
    Sync_Status__c: opts.syncStatus ?? 'Synced',
    Sync_Message__c: opts.syncMessage ?? null,
  } as InvoiceMirror;
  const jobOf = (key: string, action: string, id: number, state: JobState | undefined): Job[] =>
    state ? [{ ...storedJob({ key, action, payload: {} }, id), state }] : [];
  const earlier: Job[] = [
    ...jobOf(requestKey, request.action, 6, request.state),
    ...jobOf(onlineLinkKey(INVOICE_ID), 'ONLINE_LINK', 7, opts.linkJob),
    ...jobOf(authoriseKey(INVOICE_ID), 'AUTHORISE', 8, opts.authoriseJob),
    ...jobOf(voidKey(INVOICE_ID), 'VOID', 9, opts.voidJob),
  ];
  if (opts.correctionJob) {
    const invoiceId = opts.correctionOf ?? INVOICE_ID;
    const requestKey = `UPDATE_DRAFT:${invoiceId}:1765000000000`;
    earlier.push({
      ...storedJob(
        { key: requestKey, action: 'UPDATE_DRAFT', payload: { action: 'UPDATE_DRAFT', requestKey, invoiceId } },
        10,
      ),
      state: opts.correctionJob,
      lastError: opts.correctionError ?? null,
    });
  }
  const written: { extra: unknown }[] = [];
  const retried: number[] = [];
  const asked: string[] = [];
  const pending: string[] = [];
  const errors: string[] = [];
  let xeroReads = 0;
  const handler = resyncHandler({
    log: pino({ level: 'silent' }),
    reference: { settings: async () => ({ autoDraftOnClose: true, readOnly: false }) },
    syncErrors: { onInvoice: async (_id, message) => void errors.push(message) },
    creditNotes: { retryRefused: async () => [] },
    invoices: {
      load: async () => mirror,
      fetch: async () => {
        xeroReads += 1;
        return { invoiceID: mirror.Xero_Invoice_Id__c!, status: opts.xeroStatus } as XeroInvoice;
      },
      writeInvoice: async (_mirror, _invoice, extra) => void written.push({ extra }),
      markPending: async (_mirror, message) => void pending.push(message),
    },
    jobs: {
      getJobByKey: async (key) => {
        asked.push(key);
        return earlier.find((j) => j.key === key) ?? null;
      },
      retryJob: async (id) => {
        retried.push(id);
        return earlier.find((j) => j.id === id) ?? null;
      },
      enqueueJob: async () => {
        throw new Error('no CREATE_DRAFT to queue here');
      },
      // as the store answers: neither done nor given up
      unfinishedJobs: async (action) =>
        earlier.filter((j) => j.action === action && ['queued', 'running', 'failed'].includes(j.state)),
      // newest first, as the store lists them
      listJobs: async (filter = {}) =>
        earlier
          .filter((j) => (!filter.states || filter.states.includes(j.state)) && j.action === filter.action)
          .sort((a, b) => b.id - a.id),
    },
  });
  return {
    run: async () => (await handler.run([job()])).get(1),
    written,
    retried,
    asked,
    pending,
    errors,
    xeroReads: () => xeroReads,
  };
}

describe('RESYNC and the customer link', () => {
  it('reads the invoice again and leaves the link alone: no link read, none written over', async () => {
    // The handler is given no Xero client at all: it cannot read the link (the compiler holds that).
    const t = setup({ link: 'https://in.xero.com/abc', xeroStatus: 'AUTHORISED' });
    expect(await t.run()).toEqual({ kind: 'done', result: { status: 'AUTHORISED' } });
    expect(t.written).toEqual([{ extra: undefined }]);
    expect(t.asked).not.toContain(onlineLinkKey(INVOICE_ID));
  });

  it.each(['failed', 'dead'] as const)(
    'asks again for a link whose request %s, once Xero has an online invoice for it',
    async (state) => {
      const t = setup({ xeroStatus: 'AUTHORISED', linkJob: state });
      expect(await t.run()).toEqual({
        kind: 'done',
        result: { status: 'AUTHORISED', linkRequeued: onlineLinkKey(INVOICE_ID) },
      });
      expect(t.retried).toEqual([7]);
    },
  );

  it('does not ask again while the invoice is a draft, nor when nobody asked, nor while the ask is still running', async () => {
    for (const [xeroStatus, linkJob] of [
      ['DRAFT', 'failed'],
      ['PAID', undefined],
      ['AUTHORISED', 'queued'],
      ['AUTHORISED', 'done'],
    ] as const) {
      const t = setup({ xeroStatus, linkJob });
      expect(await t.run()).toEqual({ kind: 'done', result: { status: xeroStatus } });
      expect(t.retried).toEqual([]);
    }
  });
});

describe('RESYNC and an approval or void that failed or gave up', () => {
  // Their keys are one per invoice: asking again is dropped at intake, so Retry is how they run again.
  it.each(['failed', 'dead'] as const)(
    'runs a %s approval again while Xero still holds a draft, and leaves the record to that run',
    async (state) => {
      const t = setup({ xeroStatus: 'DRAFT', authoriseJob: state });
      expect(await t.run()).toEqual({
        kind: 'done',
        result: { status: 'DRAFT', requeued: authoriseKey(INVOICE_ID) },
      });
      expect(t.retried).toEqual([8]);
      // not Synced with a blank message: the approval is still undone, and its run writes what became of it
      expect(t.written).toEqual([]);
    },
  );

  it.each(['Not Submitted', 'Pending', 'Rejected'])(
    'does not run a stopped approval again once the approval is %s (sent back to Draft): it reads Xero and says so',
    async (approvalStatus) => {
      // Sent back (changed since, or dated in a locked period): the stopped AUTHORISE carries figures finance
      // withdrew. Run again, one without a version (xeroUpdated null) on a draft back at the approved total would be
      // authorised while its approval is not Approved.
      const t = setup({ xeroStatus: 'DRAFT', authoriseJob: 'failed', approvalStatus });
      expect(await t.run()).toEqual({
        kind: 'done',
        result: { status: 'DRAFT', approvalNotRun: authoriseKey(INVOICE_ID) },
      });
      expect(t.retried).toEqual([]);
      expect(t.written).toEqual([
        {
          extra: {
            message:
              `INV-0001 is not approved now (Approval Status ${approvalStatus}), so its earlier approval was not run ` +
              'again: it is authorised in Xero once finance approves it again.',
          },
        },
      ]);
    },
  );

  it.each(['failed', 'dead'] as const)('runs a %s void again while Xero has not voided the invoice', async (state) => {
    for (const xeroStatus of ['DRAFT', 'AUTHORISED', 'PAID'] as const) {
      const t = setup({ xeroStatus, voidJob: state });
      expect(await t.run()).toEqual({ kind: 'done', result: { status: xeroStatus, requeued: voidKey(INVOICE_ID) } });
      expect(t.retried).toEqual([9]);
      expect(t.written).toEqual([]);
    }
  });

  it('only refreshes the mirror when Xero already shows the request done', async () => {
    for (const [xeroStatus, stopped] of [
      ['AUTHORISED', { authoriseJob: 'dead' }],
      ['PAID', { authoriseJob: 'failed' }],
      ['VOIDED', { voidJob: 'dead' }],
      ['DELETED', { voidJob: 'failed' }],
    ] as const) {
      const t = setup({ xeroStatus, link: 'https://in.xero.com/abc', ...stopped });
      expect(await t.run()).toEqual({ kind: 'done', result: { status: xeroStatus } });
      expect(t.retried).toEqual([]);
      expect(t.written).toEqual([{ extra: undefined }]);
    }
  });

  it('does not authorise an invoice voided since, nor one finance asked to void: the void wins', async () => {
    const voided = setup({ xeroStatus: 'VOIDED', authoriseJob: 'dead' });
    expect(await voided.run()).toEqual({ kind: 'done', result: { status: 'VOIDED' } });
    expect(voided.retried).toEqual([]);
    const both = setup({ xeroStatus: 'DRAFT', authoriseJob: 'dead', voidJob: 'dead' });
    expect(await both.run()).toEqual({ kind: 'done', result: { status: 'DRAFT', requeued: voidKey(INVOICE_ID) } });
    expect(both.retried).toEqual([9]);
    const voiding = setup({ xeroStatus: 'DRAFT', authoriseJob: 'dead', voidJob: 'queued' });
    expect(await voiding.run()).toEqual({ kind: 'done', result: { status: 'DRAFT' } });
    expect(voiding.retried).toEqual([]);
  });

  it('leaves an approval still queued or running to run on its own', async () => {
    for (const state of ['queued', 'running'] as const) {
      const t = setup({ xeroStatus: 'DRAFT', authoriseJob: state });
      expect(await t.run()).toEqual({ kind: 'done', result: { status: 'DRAFT' } });
      expect(t.retried).toEqual([]);
      expect(t.written).toEqual([{ extra: undefined }]);
    }
  });
});

describe('RESYNC and a correction on its way', () => {
  const correctionKey = `UPDATE_DRAFT:${INVOICE_ID}:1765000000000`;

  it.each(['queued', 'running', 'failed'] as const)(
    'leaves the invoice Pending while its correction is %s: Xero still holds the uncorrected draft',
    async (correctionJob) => {
      const t = setup({ xeroStatus: 'DRAFT', approvalStatus: 'Rejected', correctionJob, authoriseJob: 'dead' });
      expect(await t.run()).toEqual({ kind: 'done', result: { correctionOnItsWay: correctionKey } });
      // nothing written (a Synced would let finance approve the uncorrected total), nothing read, nothing re-run
      expect(t.written).toEqual([]);
      expect(t.xeroReads()).toBe(0);
      expect(t.retried).toEqual([]);
    },
  );

  it('finds the correction whichever form of the invoice id its request carries', async () => {
    const t = setup({ xeroStatus: 'DRAFT', correctionJob: 'queued', correctionOf: INVOICE_ID.slice(0, 15) });
    expect(await t.run()).toMatchObject({ result: { correctionOnItsWay: expect.stringMatching(/^UPDATE_DRAFT:/) } });
    expect(t.written).toEqual([]);
  });

  it("reads Xero as before once the correction is done or given up, when none was stored, and for another invoice's", async () => {
    for (const [correctionJob, correctionOf] of [
      // none stored: a correction refused at intake leaves the invoice Pending, and Retry ends that
      [undefined, undefined],
      ['done', undefined],
      ['dead', undefined],
      ['queued', 'a01000000000002AAA'],
    ] as const) {
      const t = setup({ xeroStatus: 'DRAFT', approvalStatus: 'Rejected', correctionJob, correctionOf });
      expect(await t.run()).toEqual({ kind: 'done', result: { status: 'DRAFT' } });
      expect(t.written).toEqual([{ extra: undefined }]);
    }
  });
});

describe('RESYNC and a correction given up', () => {
  const correctionKey = `UPDATE_DRAFT:${INVOICE_ID}:1765000000000`;
  const xeroDown = 'Xero is unavailable (503)';
  const ranOut = gaveUpAfterRetries(xeroDown, 10);
  const refused = 'Xero rejected the request: Account code 999 is not a valid code';

  it('sends a correction whose retries ran out again, the invoice Pending until its outcome, Xero not read over it', async () => {
    const t = setup({
      xeroStatus: 'DRAFT',
      approvalStatus: 'Rejected',
      correctionJob: 'dead',
      correctionError: ranOut,
      syncStatus: 'Error',
      syncMessage: ranOut,
    });
    expect(await t.run()).toEqual({ kind: 'done', result: { correctionRequeued: correctionKey } });
    expect(t.pending).toEqual([CORRECTION_SENT_AGAIN]);
    expect(t.retried).toEqual([10]);
    // nothing of Xero's written (its uncorrected lines over the rep's), nothing read
    expect(t.written).toEqual([]);
    expect(t.xeroReads()).toBe(0);
    expect(t.errors).toEqual([]);
  });

  it('does not send again a correction refused for good: it says so on the record, twice the same', async () => {
    for (const shown of [refused, `${refused}${CORRECTION_NOT_SENT_AGAIN}`]) {
      const t = setup({
        xeroStatus: 'DRAFT',
        approvalStatus: 'Rejected',
        correctionJob: 'dead',
        correctionError: refused,
        syncStatus: 'Error',
        syncMessage: shown,
      });
      expect(await t.run()).toEqual({ kind: 'done', result: { correctionRefused: correctionKey } });
      expect(t.errors).toEqual([`${refused}${CORRECTION_NOT_SENT_AGAIN}`]);
      expect([t.retried, t.pending, t.written, t.xeroReads()]).toEqual([[], [], [], 0]);
    }
  });

  it("reads Xero as before once something else is the record's last word, or for another invoice's correction", async () => {
    for (const [syncStatus, syncMessage, correctionOf] of [
      // a later write-back (a newer correction done, Xero's invoice read back)
      ['Synced', ranOut, undefined],
      // another failure written since
      ['Error', 'VOID refused: the invoice has payments', undefined],
      ['Error', ranOut, 'a01000000000002AAA'],
    ] as const) {
      const t = setup({
        xeroStatus: 'DRAFT',
        approvalStatus: 'Rejected',
        correctionJob: 'dead',
        correctionError: ranOut,
        correctionOf,
        syncStatus,
        syncMessage,
      });
      expect(await t.run()).toEqual({ kind: 'done', result: { status: 'DRAFT' } });
      expect([t.retried, t.pending, t.written]).toEqual([[], [], [{ extra: undefined }]]);
    }
  });
});

describe('RESYNC and the partial invoice request that made the invoice', () => {
  it.each(['failed', 'dead'] as const)(
    'runs a %s CREATE_PARTIAL again, which mirrors its recorded draft, and leaves the mirror to it',
    async (state) => {
      const t = setup({ xeroStatus: 'DRAFT', request: { action: 'CREATE_PARTIAL', state } });
      expect(await t.run()).toEqual({
        kind: 'done',
        result: { requeued: 'CREATE_PARTIAL:006000000000001AAA:1-450000' },
      });
      expect([t.retried, t.written, t.xeroReads()]).toEqual([[6], [], 0]);
    },
  );

  it('reads Xero as before once the partial request is done or still on its way, and for a stopped CREATE_DRAFT', async () => {
    for (const request of [
      { action: 'CREATE_PARTIAL', state: 'done' },
      { action: 'CREATE_PARTIAL', state: 'queued' },
      { action: 'CREATE_PARTIAL', state: 'running' },
      { action: 'CREATE_DRAFT', state: 'dead' },
    ] as const) {
      const t = setup({ xeroStatus: 'DRAFT', request });
      expect(await t.run()).toEqual({ kind: 'done', result: { status: 'DRAFT' } });
      expect([t.retried, t.written]).toEqual([[], [{ extra: undefined }]]);
    }
  });
});
