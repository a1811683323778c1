/**
 * The month-end close's jobs (issue 16), registered in job-kinds.ts. POST_CLOSE comes from Salesforce (finance
 * approved a close: its request carries the close and the version approved); the other two are the bridge's own
 * dated work, stored with a run-at time like the billing jobs, so a bridge that was down runs each once when it is
 * back.
 *
 * - CLOSE_PROPOSE: propose one entity's close of one month, after that month has ended. Keyed
 *   `CLOSE_PROPOSE:<entity>:<YYYY-MM>`; the next month's is stored when it runs.
 * - CLOSE_TIEOUT: compare Xero's Trial Balance at the month end with the posted close. Keyed
 *   `CLOSE_TIEOUT:<close id>:<version>`, queued by POST_CLOSE once the journals are posted.
 */
import { z } from 'zod';
import { postClosePayloadSchema } from '../../domain/close-records';

export const CLOSE_JOB_KINDS = ['CLOSE_PROPOSE', 'CLOSE_TIEOUT'] as const;
export type CloseJobKind = (typeof CLOSE_JOB_KINDS)[number];

const monthKey = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month (YYYY-MM)');

export const CLOSE_JOB_PAYLOADS = {
  CLOSE_PROPOSE: z.object({ entity: z.string().min(1), month: monthKey }),
  CLOSE_TIEOUT: postClosePayloadSchema,
} as const satisfies Record<CloseJobKind, z.ZodType>;

export const closeProposeKey = (entity: string, month: string): string => `CLOSE_PROPOSE:${entity}:${month}`;
export const closeTieOutKey = (closeId: string, version: number): string => `CLOSE_TIEOUT:${closeId}:${version}`;
