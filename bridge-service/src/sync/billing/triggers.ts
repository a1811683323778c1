/**
 * How billing work is asked for: every request is a stored job with a run-at time, never a timer in memory, so a
 * bridge that stops loses nothing and one that was down runs what fell due when it comes back, once (keys make a
 * second request for the same work a no-op).
 *
 * - A change to a deal's invoices (drafted, authorised, paid, credited, voided) re-plans the deal a minute later:
 *   one job per deal and minute, so a burst of changes, or a backlog of thousands of new invoices, is planned once
 *   per deal, in large batches, off the path that drafts the invoices.
 * - A deal billed by its periods is planned at once when it closes: its first instalment may be due today.
 * - Each instalment still to raise is a job keyed by the instalment key, due at 06:00 on its issue date in its
 *   billing entity's time zone (zoned-time.ts).
 * - Each time zone's plans are re-planned daily at 01:00 there (recognised to date, what is next, anything missing).
 */
import { createHash } from 'node:crypto';
import { addDays } from '../../domain/dates';
import { dateInZone, instalmentDueAt, instantInZone } from '../../domain/zoned-time';
import type { Clock } from '../../lib/clock';
import type { JobRepository } from '../../store/types';
import type { JobPayload } from '../job-kinds';
import { PLAN_JOB_OPPORTUNITIES } from './jobs';

/** How long a changed deal waits before it is re-planned (changes in that minute are planned together). */
export const PLAN_SETTLE_MS = 60_000;
/** Hour of the day, in each time zone, at which its plans are re-planned. */
export const DAILY_REPLAN_HOUR = 1;

export interface InstalmentToRaise {
  /** Instalment key. */
  key: string;
  dealId: string;
  issueDate: string;
  timeZone: string;
}

export function createBillingTriggers(deps: {
  jobs: Pick<JobRepository, 'enqueueJob'>;
  clock: Pick<Clock, 'now'>;
  /** Work became due now: stop the worker idling. */
  wake?: () => void;
}) {
  const { jobs, clock } = deps;

  async function enqueuePlan(opportunityIds: readonly string[], reason: string, key: string, runAt: number) {
    await jobs.enqueueJob<JobPayload<'PLAN_BILLING'>>({
      key,
      action: 'PLAN_BILLING',
      payload: { opportunityIds: [...opportunityIds], reason },
      runAt,
    });
  }

  const chunks = (ids: readonly string[]) => {
    const unique = [...new Set(ids)].sort();
    const out: string[][] = [];
    for (let i = 0; i < unique.length; i += PLAN_JOB_OPPORTUNITIES)
      out.push(unique.slice(i, i + PLAN_JOB_OPPORTUNITIES));
    return out;
  };
  const digest = (ids: readonly string[]) => createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 16);

  return {
    /**
     * The invoices of these Opportunities changed: re-plan their deals in a minute. One job per slice of the deals a
     * write-back names, not one per deal, so a backlog is re-planned 200 deals to a read and a write; the same deals
     * changed again within the minute are the same job.
     */
    async planSoon(opportunityIds: readonly string[]): Promise<void> {
      const now = clock.now();
      const window = Math.floor(now / PLAN_SETTLE_MS);
      for (const ids of chunks(opportunityIds)) {
        await enqueuePlan(ids, 'changed', `PLAN_BILLING:changed:${window}:${digest(ids)}`, now + PLAN_SETTLE_MS);
      }
    },

    /**
     * Plan these deals now (a deal billed by its periods closed; an instalment was raised). `scope` names what asked
     * (the closing requests' keys, the instalment): the same ask again is the same job.
     */
    async planNow(opportunityIds: readonly string[], cause: string, scope = ''): Promise<void> {
      for (const ids of chunks(opportunityIds)) {
        await enqueuePlan(ids, cause, `PLAN_BILLING:${cause}:${digest([scope, ...ids])}`, clock.now());
      }
      deps.wake?.();
    },

    /** Each instalment still to raise, due at 06:00 on its issue date in its entity's time zone. */
    async raise(instalments: readonly InstalmentToRaise[]): Promise<number> {
      let due = 0;
      for (const instalment of instalments) {
        const runAt = instalmentDueAt(instalment.issueDate, instalment.timeZone);
        const { created } = await jobs.enqueueJob<JobPayload<'RAISE_INSTALMENT'>>({
          key: instalment.key,
          action: 'RAISE_INSTALMENT',
          payload: { requestKey: instalment.key, opportunityId: instalment.dealId, issueDate: instalment.issueDate },
          runAt,
        });
        if (created && runAt <= clock.now()) due += 1;
      }
      if (due > 0) deps.wake?.();
      return due;
    },

    /** The daily re-plan of a time zone's plans: today's at 01:00 there (now, if that has passed). */
    async ensureDaily(timeZone: string, date = dateInZone(clock.now(), timeZone)): Promise<void> {
      await jobs.enqueueJob<JobPayload<'REPLAN_DAILY'>>({
        key: `REPLAN_DAILY:${timeZone}:${date}`,
        action: 'REPLAN_DAILY',
        payload: { date, timeZone },
        runAt: instantInZone(date, DAILY_REPLAN_HOUR, timeZone),
      });
    },

    /**
     * After a day's re-plan, the next one: the next day's, or, when this one ran late (the bridge was down), the day
     * after today's (the late run was today's re-plan too): a bridge back after a month re-plans once, not 30 times.
     */
    nextDaily(timeZone: string, date: string): Promise<void> {
      const today = dateInZone(clock.now(), timeZone);
      return this.ensureDaily(timeZone, addDays(date > today ? date : today, 1));
    },

    /** Re-plan these deals in jobs of at most PLAN_JOB_OPPORTUNITIES, now (the daily re-plan). */
    async planInChunks(dealIds: readonly string[], cause: string): Promise<number> {
      const parts = chunks(dealIds);
      for (const [n, ids] of parts.entries()) await enqueuePlan(ids, cause, `PLAN_BILLING:${cause}:${n}`, clock.now());
      if (parts.length > 0) deps.wake?.();
      return parts.length;
    },
  };
}

export type BillingTriggers = ReturnType<typeof createBillingTriggers>;
