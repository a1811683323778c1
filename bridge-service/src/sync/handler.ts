import type { Job } from '../store/types';
import type { InvoiceRequest } from '../salesforce/invoice-request';

/** What became of one job: done; try again later; or failed until a person acts (RESYNC or admin retry). */
export type JobOutcome =
  | { kind: 'done'; result?: unknown }
  | { kind: 'retry'; error: string; delayMs?: number }
  | { kind: 'failed'; error: string };

export type RequestJob = Job<InvoiceRequest>;

/** A handler takes a batch of jobs of one action and says what became of each, by job id. */
export interface ActionHandler {
  /** Most jobs a batch should hold (CREATE_DRAFT batches; the rest take one at a time). */
  batchSize: number;
  run(jobs: readonly RequestJob[]): Promise<Map<number, JobOutcome>>;
}
