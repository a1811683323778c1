/** PLAN_BILLING: re-plan deals from their records, write what they hold, and ask for each instalment on its date. */
import { isTransient } from '../../lib/errors';
import { describeError } from '../describe-error';
import type { JobHandler, JobOutcome } from '../handler';
import type { DealPlans } from './deal-plans';

export function planBillingHandler(deps: { dealPlans: Pick<DealPlans, 'replan'> }): JobHandler<'PLAN_BILLING'> {
  return {
    // Up to 50 jobs (a few thousand Opportunities when a backlog is planned) share one load and one write.
    batchSize: 50,
    async run(jobs) {
      const opportunityIds = [...new Set(jobs.flatMap((job) => job.payload.opportunityIds))];
      let outcome: JobOutcome;
      try {
        const result = await deps.dealPlans.replan(opportunityIds);
        outcome =
          result.refused.size > 0
            ? {
                kind: 'retry',
                error: `Salesforce refused part of the plan: ${[...result.refused]
                  .map(([deal, reasons]) => `${deal}: ${reasons.join('; ')}`)
                  .join(' | ')}`,
              }
            : { kind: 'done', result: { planned: result.planned, unplanned: result.unplanned, due: result.due } };
      } catch (err) {
        outcome = isTransient(err)
          ? { kind: 'retry', error: describeError(err) }
          : { kind: 'failed', error: describeError(err) };
      }
      return new Map(jobs.map((job) => [job.id, outcome]));
    },
  };
}
