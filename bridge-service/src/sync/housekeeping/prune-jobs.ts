/**
 * Job retention: done jobs older than JOB_RETENTION_DAYS (by when they finished) are deleted once a day, a batch of
 * PRUNE_BATCH at a time, one short statement each, the event loop handed back between batches. Given-up (dead) jobs
 * are never deleted: finance or ops may still press Retry. What every reader of done jobs needs, and why the floor
 * (config MIN_JOB_RETENTION_DAYS) covers it: docs/operations.md, Job retention.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';
import { addDays, type IsoDate } from '../../domain/dates';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { JobRepository } from '../../store/types';
import type { JobHandler } from '../handler';
import type { JobKind, JobPayload } from '../job-kinds';

const DAY_MS = 24 * 3_600_000;
/** Most done jobs one statement deletes. */
export const PRUNE_BATCH = 1_000;
/**
 * Most wall-clock time one run spends deleting; what is left is pruned in the next run a second later (the job is
 * held, uncounted). The first prune of a store that kept every job for a year is millions of rows: it runs in slices,
 * and a bridge stopping meanwhile waits for one batch, not for all of them.
 */
export const PRUNE_RUN_BUDGET_MS = 5_000;
/** The daily prune's hour (UTC): after the 01:00-02:00 re-plans and refreshes, before the 06:00 instalments. */
export const DAILY_PRUNE_HOUR_UTC = 3;

/**
 * Kinds whose done jobs stay whatever their age, and the reader that needs them: a person's one-off request whose
 * done job is the only sign it was carried out.
 */
export const DONE_JOBS_KEPT: Partial<Record<JobKind, string>> = {
  CONTACT_MATCH:
    'a decision an earlier bridge carried out whose Synced write failed left its review Pending, and its done job is ' +
    'the only record of the contact it made (requeueDecidedReviews writes it to the review at start); few: one per ' +
    'go-live decision',
  CREDIT:
    'a credit note recorded before its lines were kept (Lines__c) is sent, when finance approves it, with the lines its ' +
    'CREDIT job asked for; without that job it goes as one tax-inclusive line of its total',
};

const utcDate = (at: number): IsoDate => new Date(at).toISOString().slice(0, 10);

export function createPruneTriggers(deps: {
  jobs: Pick<JobRepository, 'enqueueJob'>;
  clock: Pick<Clock, 'now'>;
  wake?: () => void;
}) {
  return {
    /** The prune of `date` (UTC) at DAILY_PRUNE_HOUR_UTC: now, if that has passed (idempotent). */
    async ensureDaily(date: IsoDate = utcDate(deps.clock.now())): Promise<void> {
      const runAt = Date.parse(`${date}T00:00:00Z`) + DAILY_PRUNE_HOUR_UTC * 3_600_000;
      const { created } = await deps.jobs.enqueueJob<JobPayload<'PRUNE_JOBS'>>({
        key: `PRUNE_JOBS:${date}`,
        action: 'PRUNE_JOBS',
        payload: { date },
        runAt,
      });
      if (created && runAt <= deps.clock.now()) deps.wake?.();
    },

    /** After a day's prune, the next: tomorrow's, or the day after today's when this one ran late. */
    nextDaily(date: IsoDate): Promise<void> {
      const today = utcDate(deps.clock.now());
      return this.ensureDaily(addDays(date > today ? date : today, 1));
    },
  };
}

export type PruneTriggers = ReturnType<typeof createPruneTriggers>;

export interface PruneJobsDeps {
  jobs: Pick<JobRepository, 'pruneDoneJobs'>;
  triggers: Pick<PruneTriggers, 'nextDaily'>;
  clock: Pick<Clock, 'now'>;
  log: Pick<Logger, 'info'>;
  /** JOB_RETENTION_DAYS. */
  retentionDays: number;
  /** Done jobs deleted by one batch (the ledgerline_jobs_pruned_total counter). */
  onPruned?: (count: number) => void;
  budgetMs?: number;
}

/** PRUNE_JOBS: deletes done jobs finished more than `retentionDays` ago, for at most the run's budget. */
export function pruneJobsHandler(deps: PruneJobsDeps): JobHandler<'PRUNE_JOBS'> {
  const keepActions = Object.keys(DONE_JOBS_KEPT);
  const budgetMs = deps.budgetMs ?? PRUNE_RUN_BUDGET_MS;
  return {
    batchSize: 1,
    async run(jobs) {
      const before = deps.clock.now() - deps.retentionDays * DAY_MS;
      const started = performance.now();
      let pruned = 0;
      let more = true;
      // Each batch reads on from where the last ended: the kept kinds' jobs, the oldest, are read once a run.
      let from: number | undefined;
      do {
        const batch = await deps.jobs.pruneDoneJobs({ before, limit: PRUNE_BATCH, keepActions, from });
        const count = batch.pruned;
        from = batch.resumeAt;
        pruned += count;
        if (count > 0) deps.onPruned?.(count);
        more = count === PRUNE_BATCH;
        // Between batches: requests, scrapes and the other worker loops run, and other writers take the table.
        if (more) await setImmediate();
      } while (more && performance.now() - started < budgetMs);
      const cutOff = new Date(before).toISOString();
      if (pruned > 0) deps.log.info({ pruned, before: cutOff, more }, 'done jobs pruned');
      const outcomes = new Map(
        jobs.map((job) => [
          job.id,
          more
            ? { kind: 'hold' as const, reason: `pruned ${pruned} done jobs; more to prune`, delayMs: 1_000 }
            : { kind: 'done' as const, result: { pruned, before: cutOff } },
        ]),
      );
      if (!more) for (const job of jobs) await deps.triggers.nextDaily(job.payload.date);
      return outcomes;
    },
  };
}
