/**
 * The bridge's own upkeep, registered in job-kinds.ts. Dated work is a stored job with a run-at time (ARCHITECTURE
 * "Dated work"): a bridge that was down runs it once when it comes back.
 *
 * - PRUNE_JOBS: delete the done jobs older than JOB_RETENTION_DAYS (prune-jobs.ts), daily, keyed by the UTC date.
 */
import { z } from 'zod';
import { isIsoDate } from '../../domain/dates';

export const HOUSEKEEPING_JOB_KINDS = ['PRUNE_JOBS'] as const;
export type HousekeepingJobKind = (typeof HOUSEKEEPING_JOB_KINDS)[number];

export const HOUSEKEEPING_JOB_PAYLOADS = {
  PRUNE_JOBS: z.object({
    /** The day (UTC) this prune is that day's. */
    date: z.string().refine(isIsoDate, { message: 'must be an ISO date (YYYY-MM-DD)' }),
  }),
} as const satisfies Record<HousekeepingJobKind, z.ZodType>;
