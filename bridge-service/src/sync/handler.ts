import type { Job } from '../store/types';
import { JOB_PAYLOADS, type JobKind, type JobPayload } from './job-kinds';

/**
 * What became of one job: done; try again later; held back by a rule and not tried (read-only mode: no attempt is
 * counted, so a job held for days still runs when the rule lifts); or failed until a person acts (RESYNC or admin
 * retry).
 */
export type JobOutcome =
  | { kind: 'done'; result?: unknown }
  | { kind: 'retry'; error: string; delayMs?: number }
  | { kind: 'hold'; reason: string; delayMs: number }
  | { kind: 'failed'; error: string };

/** Read-only mode (Ledgerline_Settings__c): a job that would write to Xero waits, uncounted, and runs after. */
export const READ_ONLY_HOLD: JobOutcome = {
  kind: 'hold',
  reason: 'Read-only mode is on: nothing is sent to Xero',
  delayMs: 5 * 60_000,
};

/**
 * Try again a job a transient failure stopped: when Xero said (a 429's Retry-After, e.g. a tenant paused for the
 * day), else on the worker's usual backoff.
 */
export function retryOutcome(err: unknown, error: string): JobOutcome {
  const delayMs = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof delayMs === 'number' && delayMs > 0 ? { kind: 'retry', error, delayMs } : { kind: 'retry', error };
}

/** A job of one kind, its payload checked. */
export type JobOf<K extends JobKind> = Job<JobPayload<K>>;

/** Runs a batch of jobs of one kind and says what became of each, by job id. */
export interface JobHandler<K extends JobKind> {
  /** Most jobs a batch should hold (CREATE_DRAFT batches; the others take a few at a time). */
  batchSize: number;
  run(jobs: readonly JobOf<K>[]): Promise<Map<number, JobOutcome>>;
}

/** A handler as the worker holds it: it claims jobs of its kind and checks their payloads before running them. */
export interface KindHandler {
  kind: JobKind;
  batchSize: number;
  run(jobs: readonly Job[]): Promise<Map<number, JobOutcome>>;
}

/** Registers a handler for one kind of job; a job whose payload is not that kind's fails with the reason. */
export function handles<K extends JobKind>(kind: K, handler: JobHandler<K>): KindHandler {
  const schema = JOB_PAYLOADS[kind];
  return {
    kind,
    batchSize: handler.batchSize,
    async run(jobs) {
      const outcomes = new Map<number, JobOutcome>();
      const typed: JobOf<K>[] = [];
      for (const job of jobs) {
        const parsed = schema.safeParse(job.payload);
        if (parsed.success) {
          // The schema is JOB_PAYLOADS[K]: what it parses is a JobPayload<K>.
          typed.push({ ...job, payload: parsed.data as JobPayload<K> });
        } else {
          const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
          outcomes.set(job.id, { kind: 'failed', error: `Not a ${kind} job: ${reason}` });
        }
      }
      if (typed.length > 0) for (const [id, outcome] of await handler.run(typed)) outcomes.set(id, outcome);
      return outcomes;
    },
  };
}
