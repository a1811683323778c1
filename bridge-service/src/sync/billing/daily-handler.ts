/**
 * REPLAN_DAILY: once a day, at 01:00 in a time zone, every active plan of the billing entities whose books are kept
 * there is re-planned (what is recognised to date, what is next, the months' statuses, and any instalment job that
 * went missing), then the next day's re-plan is asked for. Its own record is a stored job like any other.
 */
import { entityTimeZone } from '../../domain/billing-entity';
import type { RevenueQueries } from '../../salesforce/revenue-queries';
import type { Writeback } from '../../salesforce/writeback';
import type { JobHandler, JobOutcome } from '../handler';
import type { ReferenceData } from '../services/reference-data';
import type { BillingTriggers } from './triggers';

export function replanDailyHandler(deps: {
  writeback: Pick<Writeback, 'composite'>;
  revenueQueries: Pick<RevenueQueries, 'activePlans'>;
  reference: Pick<ReferenceData, 'billingEntities'>;
  triggers: Pick<BillingTriggers, 'planInChunks' | 'nextDaily'>;
}): JobHandler<'REPLAN_DAILY'> {
  return {
    batchSize: 10,
    async run(jobs) {
      const outcomes = new Map<number, JobOutcome>();
      const reads = deps.writeback.composite();
      const active = deps.revenueQueries.activePlans(reads);
      await reads.run();
      const plans = await active;
      const entities = await deps.reference.billingEntities();
      for (const job of jobs) {
        const { date, timeZone } = job.payload;
        const here = new Set(entities.filter((e) => entityTimeZone(e) === timeZone).map((e) => e.developerName));
        const deals = plans
          .filter((p) => p.Plan_Key__c && here.has(p.Billing_Entity__c ?? ''))
          .map((p) => p.Plan_Key__c!);
        const jobsAsked = await deps.triggers.planInChunks(deals, `daily:${timeZone}:${date}`);
        // A zone no entity uses any more stops here; the others come back tomorrow.
        if (here.size > 0) await deps.triggers.nextDaily(timeZone, date);
        outcomes.set(job.id, { kind: 'done', result: { deals: deals.length, jobs: jobsAsked } });
      }
      return outcomes;
    },
  };
}
