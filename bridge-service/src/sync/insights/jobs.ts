/**
 * The KPI refresh's job (issue 17), registered in job-kinds.ts. Dated work is a stored job with a run-at time
 * (ARCHITECTURE "Dated work"), so a bridge that was down refreshes once when it comes back.
 *
 * - KPI_REFRESH: read the records, compute every month's snapshot not Closed (each billing entity and the group),
 *   and upsert snapshots, forecasts and renewals. Asked for daily (`daily`, keyed by the date) and a few minutes
 *   after a sync batch changed invoices, payments or plans (`changed`, one job per window).
 */
import { z } from 'zod';
import { isIsoDate } from '../../domain/dates';

export const KPI_JOB_KINDS = ['KPI_REFRESH'] as const;
export type KpiJobKind = (typeof KPI_JOB_KINDS)[number];

const isoDate = z.string().refine(isIsoDate, { message: 'must be an ISO date (YYYY-MM-DD)' });

export const KPI_JOB_PAYLOADS = {
  KPI_REFRESH: z.object({
    reason: z.enum(['daily', 'changed']),
    /** The daily run's date (the default entity's time zone). */
    date: isoDate.optional(),
  }),
} as const satisfies Record<KpiJobKind, z.ZodType>;
