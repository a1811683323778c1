/**
 * How the per-invoice actions run their jobs: one at a time, but up to 10 a turn (the worker gives every kind a
 * turn, so a month-end queue of approvals is not held to one invoice per round of the others). A failure a retry
 * can fix is retried; any other, thrown or returned by the step (a refusal in words: a paid invoice to void, a credit
 * larger than what is left), is put on the invoice record, where the rep and finance see it and can press Retry.
 */
import { isTransient } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { describeError } from '../describe-error';
import { READ_ONLY_HOLD, retryOutcome, type JobHandler, type JobOf, type JobOutcome } from '../handler';
import type { BillingJobKind } from '../billing/jobs';
import type { KpiJobKind } from '../insights/jobs';
import type { GoLiveJobKind } from '../golive/kinds';
import type { CloseJobKind } from '../close/jobs';
import type { HousekeepingJobKind } from '../housekeeping/jobs';
import type { JobKind } from '../job-kinds';
import type { ReferenceData } from '../services/reference-data';
import type { SyncErrors } from '../services/sync-errors';

/** The kinds of job that act on one Invoice__c. */
export type InvoiceJobKind = Exclude<
  JobKind,
  | 'CREATE_DRAFT'
  | 'XERO_CHANGE'
  | BillingJobKind
  | Exclude<GoLiveJobKind, 'UPDATE_DRAFT'>
  | KpiJobKind
  | 'POST_CLOSE'
  | CloseJobKind
  | HousekeepingJobKind
>;

export interface PerInvoiceDeps {
  reference: Pick<ReferenceData, 'settings'>;
  syncErrors: Pick<SyncErrors, 'onInvoice'>;
  log: Pick<Logger, 'error'>;
}

export interface PerInvoiceOptions {
  writesToXero: boolean;
  /**
   * Where a failure the step returns is shown: on the invoice (the default), or by the step itself, on a record of its
   * own (an approved credit note says why on the credit note). A thrown one goes on the invoice either way.
   */
  returnedFailures?: 'on-invoice' | 'recorded-by-step';
}

export function perInvoice<K extends InvoiceJobKind>(
  deps: PerInvoiceDeps,
  step: (job: JobOf<K>) => Promise<JobOutcome>,
  opts: PerInvoiceOptions,
): JobHandler<K> {
  /** A failure a person must act on; a failed write of it is logged, and the job stays failed all the same. */
  async function recordOnInvoice(job: JobOf<K>, message: string): Promise<void> {
    await deps.syncErrors
      .onInvoice(job.payload.invoiceId, message)
      .catch((writeErr: unknown) =>
        deps.log.error({ err: writeErr, jobId: job.id }, 'could not record the failure on the invoice'),
      );
  }

  return {
    batchSize: 10,
    async run(jobs) {
      const outcomes = new Map<number, JobOutcome>();
      for (const job of jobs) {
        if (opts.writesToXero && (await deps.reference.settings()).readOnly) {
          outcomes.set(job.id, READ_ONLY_HOLD);
          continue;
        }
        let outcome: JobOutcome;
        try {
          outcome = await step(job);
        } catch (err) {
          const message = describeError(err);
          if (isTransient(err)) {
            outcomes.set(job.id, retryOutcome(err, message));
            continue;
          }
          outcomes.set(job.id, { kind: 'failed', error: message });
          await recordOnInvoice(job, message);
          continue;
        }
        outcomes.set(job.id, outcome);
        // A refusal the step returns is as final as one it throws: without this the job is dead and the record says
        // nothing (a VOID of a paid invoice, a CREDIT of an invoice not yet approved).
        if (outcome.kind === 'failed' && (opts.returnedFailures ?? 'on-invoice') === 'on-invoice') {
          await recordOnInvoice(job, outcome.error);
        }
      }
      return outcomes;
    },
  };
}
