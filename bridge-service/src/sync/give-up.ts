/**
 * When the worker gives up on a job after repeated transient failures (Salesforce or Xero down for longer than
 * the retries last), the rep and finance must see it where they look, not only in the admin API: the invoice
 * record says Error with the reason, and a Sync_Update__e refreshes open pages. A draft that never reached
 * Salesforce gets its Invoice__c now, keyed by the request, so RESYNC can run it again from the record.
 */
import type { Job } from '../store/types';
import { JOB_PAYLOADS } from './job-kinds';
import type { SyncErrors } from './services/sync-errors';

export function createGiveUpRecorder(deps: {
  syncErrors: Pick<SyncErrors, 'onInvoice' | 'onDraftRequest' | 'onCreditNote'>;
}) {
  return async (job: Job, error: string): Promise<void> => {
    if (job.action === 'CREATE_DRAFT' || job.action === 'RAISE_INSTALMENT') {
      // An instalment that could not be raised shows on its deal like a draft that failed: Retry runs it again.
      const draft = (
        job.action === 'CREATE_DRAFT' ? JOB_PAYLOADS.CREATE_DRAFT : JOB_PAYLOADS.RAISE_INSTALMENT
      ).safeParse(job.payload);
      if (draft.success) await deps.syncErrors.onDraftRequest(draft.data, error);
      return;
    }
    // A partial invoice's request: its Invoice__c says why (a draft already in Xero, if it got there: partial-invoice.ts).
    if (job.action === 'CREATE_PARTIAL') {
      const partial = JOB_PAYLOADS.CREATE_PARTIAL.safeParse(job.payload);
      if (partial.success) await deps.syncErrors.onDraftRequest(partial.data, error);
      return;
    }
    // A plan that could not be planned says why on the plan (sync/billing); a daily re-plan has no record.
    if (job.action === 'PLAN_BILLING' || job.action === 'REPLAN_DAILY') return;
    // Every other request acts on an invoice; a Xero change has no record of its own to show it on.
    const onInvoice = JOB_PAYLOADS.AUTHORISE.safeParse(job.payload);
    if (onInvoice.success) await deps.syncErrors.onInvoice(onInvoice.data.invoiceId, error);
    // An approved credit note the bridge gave up on is going nowhere: it says so, and holds back nothing from Xero.
    if (job.action === 'AUTHORISE_CREDIT_NOTE') {
      const approval = JOB_PAYLOADS.AUTHORISE_CREDIT_NOTE.safeParse(job.payload);
      if (approval.success)
        await deps.syncErrors.onCreditNote(
          { creditNoteId: approval.data.payload.creditNoteId, invoiceId: approval.data.invoiceId },
          error,
        );
    }
  };
}
