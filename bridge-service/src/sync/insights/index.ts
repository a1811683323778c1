/**
 * KPIs and forecasts in the bridge (issue 17): the refresh, its one kind of job, and the daily run. Assembled by
 * sync/index.ts; the triggers are made in bridge.ts (a sync batch that changed invoices asks for a refresh through
 * them).
 */
import { handles, type JobHandler, type JobOutcome, type KindHandler } from '../handler';
import { describeError } from '../describe-error';
import { createKpiRefresh, kpiAsOf, type KpiRefreshDeps } from './refresh';
import type { KpiTriggers } from './triggers';

export { createKpiTriggers, type KpiTriggers } from './triggers';

export type InsightsDeps = KpiRefreshDeps & { kpiTriggers: KpiTriggers };

/**
 * KPI_REFRESH: one refresh runs for every job of a batch (they all ask for the same thing: the figures as of now);
 * a daily job then asks for the next day's.
 */
export function kpiRefreshHandler(
  deps: Pick<InsightsDeps, 'kpiTriggers' | 'reference' | 'clock'> & {
    refresh: ReturnType<typeof createKpiRefresh>;
  },
): JobHandler<'KPI_REFRESH'> {
  return {
    batchSize: 20,
    async run(jobs) {
      const outcomes = new Map<number, JobOutcome>();
      let outcome: JobOutcome;
      try {
        const result = await deps.refresh.refresh();
        outcome = {
          kind: 'done',
          result: {
            asOf: result.asOf,
            written: result.written,
            closed: result.closed,
            frozen: result.frozen,
            problems: result.problems.length,
            refused: result.refused.size,
          },
        };
      } catch (err) {
        outcome = { kind: 'retry', error: describeError(err) };
      }
      const entities = await deps.reference.billingEntities();
      const { timeZone } = kpiAsOf(entities, deps.clock.now());
      for (const job of jobs) {
        outcomes.set(job.id, outcome);
        if (outcome.kind === 'done' && job.payload.reason === 'daily' && job.payload.date) {
          await deps.kpiTriggers.nextDaily(timeZone, job.payload.date);
        }
      }
      return outcomes;
    },
  };
}

export function createInsights(deps: InsightsDeps) {
  const refresh = createKpiRefresh(deps);
  const handlers: KindHandler[] = [handles('KPI_REFRESH', kpiRefreshHandler({ ...deps, refresh }))];
  return {
    refresh,
    handlers,
    /** Asks for today's daily refresh (idempotent). */
    async start(): Promise<void> {
      const { timeZone } = kpiAsOf(await deps.reference.billingEntities(), deps.clock.now());
      await deps.kpiTriggers.ensureDaily(timeZone);
    },
  };
}

export type Insights = ReturnType<typeof createInsights>;
