/** PLAN_BILLING: re-plan deals from their records, write what they hold, and ask for each instalment on its date. */
import { isTransient } from '../../lib/errors';
import { describeError } from '../describe-error';
import type { JobHandler, JobOutcome } from '../handler';
import type { DealPlans, ReplanResult } from './deal-plans';

/**
 * A month-end close posted between this job's read of a deal and its write: Salesforce refused the months it closed
 * (Closed_Month_Is_Frozen). Those deals are planned once more from a fresh read, which leaves the Closed months as
 * they are and carries their balances forward, instead of failing the job. What is refused again stays refused.
 */
async function replanFrozen(dealPlans: Pick<DealPlans, 'replan'>, first: ReplanResult): Promise<ReplanResult> {
  if (first.frozen.size === 0) return first;
  const again = await dealPlans.replan([...first.frozen]);
  const refused = new Map([...first.refused].filter(([deal]) => !first.frozen.has(deal)));
  for (const [deal, reasons] of again.refused) refused.set(deal, reasons);
  return { ...first, due: first.due + again.due, refused, frozen: again.frozen };
}

export function planBillingHandler(deps: { dealPlans: Pick<DealPlans, 'replan'> }): JobHandler<'PLAN_BILLING'> {
  return {
    // Up to 50 jobs (a few thousand Opportunities when a backlog is planned) share one load and one write.
    batchSize: 50,
    async run(jobs) {
      const opportunityIds = [...new Set(jobs.flatMap((job) => job.payload.opportunityIds))];
      let outcome: JobOutcome;
      try {
        const first = await deps.dealPlans.replan(opportunityIds);
        const result = await replanFrozen(deps.dealPlans, first);
        outcome =
          result.refused.size > 0
            ? {
                kind: 'retry',
                error: `Salesforce refused part of the plan: ${[...result.refused]
                  .map(([deal, reasons]) => `${deal}: ${reasons.join('; ')}`)
                  .join(' | ')}`,
              }
            : {
                kind: 'done',
                result: {
                  planned: result.planned,
                  unplanned: result.unplanned,
                  due: result.due,
                  // deals read again because a month closed under them (0 almost always)
                  ...(first.frozen.size > 0 ? { replannedAfterClose: first.frozen.size } : {}),
                },
              };
      } catch (err) {
        outcome = isTransient(err)
          ? { kind: 'retry', error: describeError(err) }
          : { kind: 'failed', error: describeError(err) };
      }
      return new Map(jobs.map((job) => [job.id, outcome]));
    },
  };
}
