/**
 * CREDIT (a credit asked on an invoice) and AUTHORISE_CREDIT_NOTE (finance approved one): both are the credit-note
 * service's, run one invoice at a time like the other per-invoice actions. An approval that cannot be carried out
 * says so on its credit note, where finance approved it: Xero's refusal, or any failure a retry cannot fix.
 */
import { isTransient } from '../../lib/errors';
import { describeError } from '../describe-error';
import type { JobHandler } from '../handler';
import type { CreditNotes } from '../services/credit-notes';
import type { SyncErrors } from '../services/sync-errors';
import { perInvoice, type PerInvoiceDeps } from './per-invoice';

export interface CreditNoteActionDeps extends PerInvoiceDeps {
  creditNotes: Pick<CreditNotes, 'request' | 'authorise'>;
  syncErrors: Pick<SyncErrors, 'onInvoice' | 'onCreditNote'>;
}

export function creditHandler(deps: CreditNoteActionDeps): JobHandler<'CREDIT'> {
  return perInvoice<'CREDIT'>(
    deps,
    (job) =>
      deps.creditNotes.request({
        requestKey: job.payload.requestKey,
        invoiceId: job.payload.invoiceId,
        credit: job.payload.payload,
      }),
    { writesToXero: false },
  );
}

export function authoriseCreditNoteHandler(deps: CreditNoteActionDeps): JobHandler<'AUTHORISE_CREDIT_NOTE'> {
  return perInvoice<'AUTHORISE_CREDIT_NOTE'>(
    deps,
    async (job) => {
      const note = { creditNoteId: job.payload.payload.creditNoteId, invoiceId: job.payload.invoiceId };
      try {
        const outcome = await deps.creditNotes.authorise({
          requestKey: job.payload.requestKey,
          creditNoteId: note.creditNoteId,
        });
        if (outcome.kind === 'failed') await deps.syncErrors.onCreditNote(note, outcome.error);
        return outcome;
      } catch (err) {
        // per-invoice retries what a retry can fix and puts anything else on the invoice; the credit note shows it too.
        if (!isTransient(err))
          await deps.syncErrors
            .onCreditNote(note, describeError(err))
            .catch((writeErr: unknown) =>
              deps.log.error({ err: writeErr, jobId: job.id }, 'could not record the failure on the credit note'),
            );
        throw err;
      }
    },
    // Its refusals are on the credit note (above), not on the invoice, which is as it was.
    { writesToXero: true, returnedFailures: 'recorded-by-step' },
  );
}
