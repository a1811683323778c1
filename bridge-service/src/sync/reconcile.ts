/**
 * After a gap in the event stream (Salesforce no longer holds the stored replay id), find what the lost events
 * would have asked for and queue it under the same keys the Apex uses, so nothing is done twice.
 */
import type { Logger } from '../lib/logger';
import type { Queries } from '../salesforce/queries';
import type { JobRepository } from '../store/types';
import type { JobPayload } from './job-kinds';
import type { ReferenceData } from './services/reference-data';

/** High-volume platform events are kept 72 hours; look back a little further. */
const LOOKBACK_DAYS = 4;

export function createReconciler(deps: {
  queries: Pick<Queries, 'wonWithoutInvoice'>;
  jobs: Pick<JobRepository, 'enqueueJob'>;
  reference: Pick<ReferenceData, 'settings'>;
  log: Logger;
  onQueued?: () => void;
}) {
  return {
    /** Queues CREATE_DRAFT for every recently won Opportunity without an invoice; returns how many were new. */
    async reconcile(): Promise<number> {
      const settings = await deps.reference.settings();
      if (!settings.autoDraftOnClose) return 0;
      let queued = 0;
      for (const opportunityId of await deps.queries.wonWithoutInvoice(LOOKBACK_DAYS)) {
        // The same key rule as OpportunityTriggerHandler: one draft per opportunity, ever.
        const requestKey = `CREATE_DRAFT:${opportunityId}:1`;
        const { created } = await deps.jobs.enqueueJob<JobPayload<'CREATE_DRAFT'>>({
          key: requestKey,
          action: 'CREATE_DRAFT',
          payload: { action: 'CREATE_DRAFT', requestKey, opportunityId },
        });
        if (created) queued += 1;
      }
      deps.log.warn({ queued }, 'reconciled won opportunities after an event gap');
      if (queued > 0) deps.onQueued?.();
      return queued;
    },
  };
}
