/**
 * An approved credit note that cannot be made in Xero says so on its Credit_Note__c (which also stops it counting as
 * on its way to Xero): Xero's refusal, a failure no retry can fix, and the worker giving up after retries. A failure a
 * retry can fix leaves it alone.
 */
import pino from 'pino';
import { storedJob } from '../../store/__fixtures__/jobs';
import { XeroApiError } from '../../xero/errors';
import { createGiveUpRecorder } from '../give-up';
import type { JobOf, JobOutcome } from '../handler';
import { authoriseCreditNoteHandler } from './credit-notes';

const INVOICE = 'a00000000000001AAA';
const CREDIT_NOTE = 'a0B000000000001AAA';
const requestKey = `AUTHORISE_CREDIT_NOTE:${CREDIT_NOTE}:1`;
/** Finance approved the credit note: the request is AUTHORISE on its invoice naming it (jobKindOf). */
const approval = (): JobOf<'AUTHORISE_CREDIT_NOTE'> =>
  storedJob(
    {
      key: requestKey,
      action: 'AUTHORISE_CREDIT_NOTE',
      payload: {
        action: 'AUTHORISE' as const,
        requestKey,
        invoiceId: INVOICE,
        payload: { creditNoteId: CREDIT_NOTE },
      },
    },
    1,
  );

function setup(authorise: () => Promise<JobOutcome>) {
  const onCreditNote: { creditNoteId: string; invoiceId: string; message: string }[] = [];
  const onInvoice: string[] = [];
  const syncErrors = {
    onInvoice: async (invoiceId: string) => void onInvoice.push(invoiceId),
    onCreditNote: async (note: { creditNoteId: string; invoiceId: string }, message: string) =>
      void onCreditNote.push({ ...note, message }),
    onDraftRequest: async () => undefined,
  };
  const handler = authoriseCreditNoteHandler({
    creditNotes: { request: async () => ({ kind: 'done' }), authorise },
    reference: { settings: async () => ({ autoDraftOnClose: true, readOnly: false }) },
    syncErrors,
    log: pino({ level: 'silent' }),
  });
  return { handler, syncErrors, onCreditNote, onInvoice };
}

describe('an approved credit note that cannot be made in Xero', () => {
  it('Xero refused it: the credit note says why', async () => {
    const t = setup(async () => ({
      kind: 'failed',
      error: 'Xero rejected the credit note: Account code is not valid',
    }));
    const outcomes = await t.handler.run([approval()]);
    expect(outcomes.get(1)).toMatchObject({ kind: 'failed' });
    expect(t.onCreditNote).toEqual([
      {
        creditNoteId: CREDIT_NOTE,
        invoiceId: INVOICE,
        message: 'Xero rejected the credit note: Account code is not valid',
      },
    ]);
  });

  it('a failure no retry can fix: on the credit note and on the invoice', async () => {
    const t = setup(async () => {
      throw new XeroApiError({
        status: 400,
        body: { Message: 'A validation exception occurred' },
        operation: 'createCreditNotes',
        tenantId: 't',
      });
    });
    const outcomes = await t.handler.run([approval()]);
    expect(outcomes.get(1)).toMatchObject({ kind: 'failed' });
    expect(t.onCreditNote.map((r) => r.creditNoteId)).toEqual([CREDIT_NOTE]);
    expect(t.onInvoice).toEqual([INVOICE]);
  });

  it('a failure a retry can fix (a 503): retried, the credit note still on its way', async () => {
    const t = setup(async () => {
      throw new XeroApiError({ status: 503, body: {}, operation: 'createCreditNotes', tenantId: 't' });
    });
    const outcomes = await t.handler.run([approval()]);
    expect(outcomes.get(1)).toMatchObject({ kind: 'retry' });
    expect(t.onCreditNote).toEqual([]);
  });

  it('the worker gave up after retries: the credit note says so too', async () => {
    const t = setup(async () => ({ kind: 'done' }));
    await createGiveUpRecorder({ syncErrors: t.syncErrors })(approval(), 'Xero was unavailable for 6 attempts');
    expect(t.onCreditNote).toEqual([
      { creditNoteId: CREDIT_NOTE, invoiceId: INVOICE, message: 'Xero was unavailable for 6 attempts' },
    ]);
    expect(t.onInvoice).toEqual([INVOICE]);
  });
});
