/**
 * Claims jobs from the store and runs them through the handler for their action. Leases (renewed while a batch
 * runs) let several bridge processes share one store and let a crashed worker's jobs be picked up again. Its loops
 * run side by side (job-kinds.ts `WORKER_LOOPS`, `loopOf`): the kinds someone waits on, the backlog, and the KPI
 * refresh. A drafting batch of 1,000 takes 20 s at Xero's pace, and a payment coming back should not wait for it; a
 * refresh of a large org takes as long, and drafting should not wait for it.
 */
import type { Clock } from '../lib/clock';
import { isTransient } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { backoffDelay } from '../lib/retry';
import { SalesforceWriteError } from '../salesforce/writeback';
import type { Job, JobRepository } from '../store/types';
import { describeError } from './describe-error';
import type { JobOutcome, KindHandler } from './handler';
import { loopOf, WORKER_LOOPS, type WorkerLoop } from './job-kinds';

export interface WorkerOptions {
  jobs: Pick<JobRepository, 'claimJobs' | 'heartbeatJob' | 'completeJob' | 'failJob' | 'deferJob' | 'releaseJobLeases'>;
  /** One handler per kind of job, each given a turn in this order within its loop. */
  handlers: readonly KindHandler[];
  /** This process, as the lease owner. */
  owner: string;
  log: Logger;
  clock: Clock;
  leaseMs?: number;
  /** How long to wait when there is nothing to do (a `wake()` cuts it short). */
  idleMs?: number;
  /** After this many attempts a retryable failure becomes permanent (visible on the record, retried by RESYNC). */
  maxAttempts?: number;
  /**
   * A retryable failure became permanent (too many attempts): make it visible where people look, e.g. on the
   * Salesforce record. Handlers already do this for failures that are permanent from the start. When it throws
   * (other than a record Salesforce refused), the job is not given up yet: it runs again after its backoff.
   */
  onGiveUp?: (job: Job, error: string) => Promise<void>;
}

/** A failed job's retry: 5 s, 10 s, 20 s … capped at 15 minutes, each ±20 %. */
export const JOB_RETRY_BACKOFF = { baseDelayMs: 5_000, maxDelayMs: 15 * 60_000, jitter: 0.2 } as const;

/** The lastError of a job given up because its retries ran out (each failure one a retry could fix). */
export const gaveUpAfterRetries = (error: string, attempts: number): string =>
  `${error} (gave up after ${attempts} attempts)`;

/** Whether a dead job's lastError says its retries ran out (gaveUpAfterRetries), not that it was refused for good. */
export const ranOutOfRetries = (lastError: string | null): boolean =>
  / \(gave up after \d+ attempts\)$/.test(lastError ?? '');

export function retryDelay(attempts: number, random: () => number = Math.random): number {
  return backoffDelay(Math.max(0, attempts - 1), { ...JOB_RETRY_BACKOFF, random });
}

export function createWorker(opts: WorkerOptions) {
  const { jobs: store, log, clock } = opts;
  const leaseMs = opts.leaseMs ?? 120_000;
  const idleMs = opts.idleMs ?? 500;
  const maxAttempts = opts.maxAttempts ?? 10;
  let running = false;
  /** stop() was called: a batch that ends now was cut off by the shutdown (its Xero calls cancelled). */
  let stopping = false;
  let loops: Promise<void>[] = [];
  const idle = new Map<WorkerLoop, AbortController>();

  async function settle(job: Job, outcome: JobOutcome): Promise<void> {
    if (stopping && outcome.kind === 'retry') {
      // The bridge is stopping (a deploy): the job was cut off, not at fault. Back in the queue for the next process,
      // the claim not counted as an attempt (a job at its last attempt does not give up over a restart).
      await store.deferJob(job.id, opts.owner, outcome.error, clock.now() + (outcome.delayMs ?? 0));
      log.info({ jobId: job.id, key: job.key, error: outcome.error }, 'job put back: the bridge is stopping');
      return;
    }
    let final = outcome;
    if (outcome.kind === 'retry' && job.attempts >= maxAttempts) {
      final = { kind: 'failed', error: gaveUpAfterRetries(outcome.error, job.attempts) };
      const unrecorded = await recordGiveUp(job, final.error);
      if (unrecorded) {
        // Salesforce is likely down, which is often why the job gave up: not dead yet, or the record would say
        // Pending for ever. It runs again after its backoff (15 minutes by then): done, or given up and recorded.
        final = { kind: 'retry', error: `${final.error}; not yet on the record (${unrecorded})` };
      }
    }
    if (final.kind === 'done') await store.completeJob(job.id, opts.owner, final.result);
    else if (final.kind === 'hold') {
      await store.deferJob(job.id, opts.owner, final.reason, clock.now() + final.delayMs);
      log.debug({ jobId: job.id, key: job.key, reason: final.reason }, 'job held');
      return;
    } else if (final.kind === 'retry') {
      await store.failJob(job.id, opts.owner, final.error, clock.now() + (final.delayMs ?? retryDelay(job.attempts)));
    } else await store.failJob(job.id, opts.owner, final.error, null);
    if (final.kind !== 'done') log.warn({ jobId: job.id, key: job.key, outcome: final }, 'job not done');
  }

  /**
   * Shows a give-up where people look (onGiveUp). Returns why it could not, when trying again later can help (the
   * request failed: Salesforce down, the session refused); a record Salesforce refused is refused again, so that is
   * only logged.
   */
  async function recordGiveUp(job: Job, error: string): Promise<string | undefined> {
    if (!opts.onGiveUp) return undefined;
    try {
      await opts.onGiveUp(job, error);
      return undefined;
    } catch (err) {
      // A locked row is not refused again: only a record Salesforce refused for what it holds is.
      const later = !(err instanceof SalesforceWriteError) || isTransient(err);
      log.error(
        { err, jobId: job.id, key: job.key },
        later
          ? 'could not record the give-up where people look; the job runs again later and records it then'
          : 'could not record the give-up where people look',
      );
      return later ? describeError(err) : undefined;
    }
  }

  /** Runs one batch of one kind; returns how many jobs it took. */
  async function runOnce(handler: KindHandler): Promise<number> {
    const action = handler.kind;
    const jobs = await store.claimJobs({
      owner: opts.owner,
      leaseMs,
      limit: handler.batchSize,
      actions: [action],
    });
    if (jobs.length === 0) return 0;
    const heartbeat = setInterval(() => {
      for (const job of jobs) void store.heartbeatJob(job.id, opts.owner, leaseMs);
    }, leaseMs / 3);
    try {
      let outcomes: Map<number, JobOutcome>;
      try {
        outcomes = await handler.run(jobs);
      } catch (err) {
        log.error({ err, action, jobs: jobs.length }, 'handler failed; jobs will retry');
        outcomes = new Map(jobs.map((job) => [job.id, { kind: 'retry', error: describeError(err) }]));
      }
      for (const job of jobs) {
        await settle(job, outcomes.get(job.id) ?? { kind: 'retry', error: 'the handler gave no outcome' });
      }
    } finally {
      clearInterval(heartbeat);
    }
    return jobs.length;
  }

  async function takeBackLeases(): Promise<void> {
    try {
      const released = await store.releaseJobLeases(opts.owner);
      if (released > 0) log.info({ released }, 'took back the jobs this instance held before it stopped');
    } catch (err) {
      log.error({ err }, 'could not take back earlier leases; they will expire');
    }
  }

  /** One loop: its kinds in turn, idling when none had work. */
  async function run(name: WorkerLoop, handlers: readonly KindHandler[]): Promise<void> {
    while (running) {
      let worked = 0;
      for (const handler of handlers) {
        if (!running) break;
        try {
          worked += await runOnce(handler);
        } catch (err) {
          log.error({ err, action: handler.kind }, 'worker step failed');
        }
      }
      if (worked === 0 && running) {
        const wait = new AbortController();
        idle.set(name, wait);
        await clock.sleep(idleMs, wait.signal);
      }
    }
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      stopping = false;
      const byLoop = (name: WorkerLoop) => opts.handlers.filter((h) => loopOf(h.kind) === name);
      // Leases first, then the loops: none claims before this instance's old leases are back.
      const ready = takeBackLeases();
      loops = WORKER_LOOPS.map((name) => ready.then(() => run(name, byLoop(name))));
    },
    /** New work arrived: stop idling. */
    wake(): void {
      for (const wait of idle.values()) wait.abort();
    },
    /** Stops claiming and waits for the batches in hand to finish. */
    async stop(): Promise<void> {
      running = false;
      stopping = true;
      for (const wait of idle.values()) wait.abort();
      await Promise.all(loops);
    },
    /** One pass over every action, for tests: returns the number of jobs handled. */
    async drainOnce(): Promise<number> {
      let total = 0;
      for (const handler of opts.handlers) total += await runOnce(handler);
      return total;
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;
