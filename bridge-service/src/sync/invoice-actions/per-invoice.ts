/**
 * How the per-invoice actions run their jobs: one at a time, but up to 10 a turn (the worker gives every kind a
 * turn, so a month-end queue of approvals is not held to one invoice per round of the others). A failure a retry
 * can fix is retried; any other is put on the invoice record, where the rep and finance see it and can press Retry.
 */
import { isTransient } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { describeError } from '../describe-error';
import { READ_ONLY_HOLD, retryOutcome, type JobHandler, type JobOf, type JobOutcome } from '../handler';
import type { BillingJobKind } from '../billing/jobs';
import type { KpiJobKind } from '../insights/jobs';
import type { GoLiveJobKind } from '../golive/kinds';
import type { CloseJobKind } from '../close/jobs';
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
>;

export interface PerInvoiceDeps {
  reference: Pick<ReferenceData, 'settings'>;
  syncErrors: Pick<SyncErrors, 'onInvoice'>;
  log: Pick<Logger, 'error'>;
}

export function perInvoice<K extends InvoiceJobKind>(
  deps: PerInvoiceDeps,
  step: (job: JobOf<K>) => Promise<JobOutcome>,
  opts: { writesToXero: boolean },
): JobHandler<K> {
  return {
    batchSize: 10,
    async run(jobs) {
      const outcomes = new Map<number, JobOutcome>();
      for (const job of jobs) {
        if (opts.writesToXero && (await deps.reference.settings()).readOnly) {
          outcomes.set(job.id, READ_ONLY_HOLD);
          continue;
        }
        try {
          outcomes.set(job.id, await step(job));
        } catch (err) {
          const message = describeError(err);
          if (isTransient(err)) {
            outcomes.set(job.id, retryOutcome(err, message));
            continue;
          }
          outcomes.set(job.id, { kind: 'failed', error: message });
          await deps.syncErrors
            .onInvoice(job.payload.invoiceId, message)
            .catch((writeErr: unknown) =>
              deps.log.error({ err: writeErr, jobId: job.id }, 'could not record the failure on the invoice'),
            );
        }
      }
      return outcomes;
    },
  };
}
