/**
 * How a KPI refresh is asked for: a stored job with a run-at time, never a timer in memory.
 *
 * - Daily at 02:00 in the default billing entity's time zone (after the 01:00 re-plans of billing plans there),
 *   keyed by the date: a bridge down for a month refreshes once when it comes back, not 30 times.
 * - After a sync batch changed invoices, payments or plans: one job per KPI_SETTLE_MS window, due at the window's
 *   end, so a burst of changes (a backlog of thousands) is one refresh, a few minutes after it started.
 */
import { addDays } from '../../domain/dates';
import { dateInZone, instantInZone } from '../../domain/zoned-time';
import type { Clock } from '../../lib/clock';
import type { JobRepository } from '../../store/types';
import type { JobPayload } from '../job-kinds';

/** Changes within this window are refreshed together, at its end. */
export const KPI_SETTLE_MS = 5 * 60_000;
/** Hour of the day, in the default entity's time zone, of the daily refresh. */
export const DAILY_KPI_HOUR = 2;

export function createKpiTriggers(deps: {
  jobs: Pick<JobRepository, 'enqueueJob'>;
  clock: Pick<Clock, 'now'>;
  wake?: () => void;
}) {
  const { jobs, clock } = deps;
  return {
    /** Invoices, payments or plans changed: refresh at the end of this window (once, whatever else changes). */
    async refreshSoon(): Promise<void> {
      const window = Math.floor(clock.now() / KPI_SETTLE_MS);
      await jobs.enqueueJob<JobPayload<'KPI_REFRESH'>>({
        key: `KPI_REFRESH:changed:${window}`,
        action: 'KPI_REFRESH',
        payload: { reason: 'changed' },
        runAt: (window + 1) * KPI_SETTLE_MS,
      });
    },

    /** The daily refresh of `date` at 02:00 in `timeZone` (now, if that has passed). */
    async ensureDaily(timeZone: string, date = dateInZone(clock.now(), timeZone)): Promise<void> {
      const runAt = instantInZone(date, DAILY_KPI_HOUR, timeZone);
      const { created } = await jobs.enqueueJob<JobPayload<'KPI_REFRESH'>>({
        key: `KPI_REFRESH:daily:${date}`,
        action: 'KPI_REFRESH',
        payload: { reason: 'daily', date },
        runAt,
      });
      if (created && runAt <= clock.now()) deps.wake?.();
    },

    /** After a daily run, the next one: tomorrow's, or the day after today's when this one ran late. */
    nextDaily(timeZone: string, date: string): Promise<void> {
      const today = dateInZone(clock.now(), timeZone);
      return this.ensureDaily(timeZone, addDays(date > today ? date : today, 1));
    },
  };
}

export type KpiTriggers = ReturnType<typeof createKpiTriggers>;
