/**
 * CREDIT (a credit asked on an invoice) and AUTHORISE_CREDIT_NOTE (finance approved one): both are the credit-note
 * service's, run one invoice at a time like the other per-invoice actions.
 */
import type { JobHandler } from '../handler';
import type { CreditNotes } from '../services/credit-notes';
import { perInvoice, type PerInvoiceDeps } from './per-invoice';

export interface CreditNoteActionDeps extends PerInvoiceDeps {
  creditNotes: Pick<CreditNotes, 'request' | 'authorise'>;
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
    (job) =>
      deps.creditNotes.authorise({
        requestKey: job.payload.requestKey,
        creditNoteId: job.payload.payload.creditNoteId,
      }),
    { writesToXero: true },
  );
}
