import pino from 'pino';
import type { InvoiceMirror } from '../../salesforce/selections';
import { storedJob } from '../../store/__fixtures__/jobs';
import type { Job, JobState } from '../../store/types';
import type { XeroInvoice } from '../../xero/types';
import type { JobOf } from '../handler';
import { onlineLinkKey } from './online-link';
import { resyncHandler } from './resync';

const INVOICE_ID = 'a01000000000001AAA';

const job = (): JobOf<'RESYNC'> => {
  const requestKey = `RESYNC:${INVOICE_ID}:1765000000000`;
  return storedJob(
    { key: requestKey, action: 'RESYNC', payload: { action: 'RESYNC', requestKey, invoiceId: INVOICE_ID } },
    1,
  );
};

/** RESYNC's world: the mirror, Xero's invoice as `fetch` reads it, and the ONLINE_LINK job the rep's ask left, if any. */
function setup(opts: { link?: string; xeroStatus: XeroInvoice['status']; linkJob?: JobState }) {
  const mirror = {
    Id: INVOICE_ID,
    Name: 'INV-0001',
    Opportunity__c: '006000000000001AAA',
    Request_Key__c: 'CREATE_DRAFT:006000000000001AAA:1',
    Xero_Invoice_Id__c: '9b2a1c3e-0000-4000-8000-000000000001',
    Xero_Tenant_Id__c: '11111111-1111-4111-8111-111111111111',
    Status__c: 'Authorised',
    Online_Invoice_URL__c: opts.link ?? null,
  } as InvoiceMirror;
  const linkJob: Job | null = opts.linkJob
    ? {
        ...storedJob({ key: onlineLinkKey(INVOICE_ID), action: 'ONLINE_LINK', payload: {} }, 7),
        state: opts.linkJob,
      }
    : null;
  const written: { extra: unknown }[] = [];
  const retried: number[] = [];
  const asked: string[] = [];
  const handler = resyncHandler({
    log: pino({ level: 'silent' }),
    reference: { settings: async () => ({ readOnly: false }) as never },
    syncErrors: { onInvoice: async () => undefined },
    invoices: {
      load: async () => mirror,
      fetch: async () => ({ invoiceID: mirror.Xero_Invoice_Id__c!, status: opts.xeroStatus }) as XeroInvoice,
      writeInvoice: async (_mirror, _invoice, extra) => void written.push({ extra }),
    },
    jobs: {
      getJobByKey: async (key) => {
        asked.push(key);
        return linkJob?.key === key ? linkJob : null;
      },
      retryJob: async (id) => {
        retried.push(id);
        return linkJob;
      },
      enqueueJob: async () => {
        throw new Error('no CREATE_DRAFT to queue here');
      },
    },
  });
  return { run: async () => (await handler.run([job()])).get(1), written, retried, asked };
}

describe('RESYNC and the customer link', () => {
  it('reads the invoice again and leaves the link alone: no link read, none written over', async () => {
    // The handler is given no Xero client at all: it cannot read the link (the compiler holds that).
    const t = setup({ link: 'https://in.xero.com/abc', xeroStatus: 'AUTHORISED' });
    expect(await t.run()).toEqual({ kind: 'done', result: { status: 'AUTHORISED' } });
    expect(t.written).toEqual([{ extra: undefined }]);
    expect(t.asked).toEqual([]);
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
