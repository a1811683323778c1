/**
 * The billing plan's jobs (issue 15), registered in job-kinds.ts. Dated work is a job with a run-at time in the
 * store, claimed like any other (ARCHITECTURE "Dated work"): a bridge that was down runs what fell due once, when it
 * comes back, and nothing runs before its time.
 *
 * - PLAN_BILLING: re-plan deals from their records (Billing_Plan__c, Billing_Instalment__c, Revenue_Month__c) and
 *   enqueue a RAISE_INSTALMENT for each instalment still to raise. Keyed per deal and cause.
 * - RAISE_INSTALMENT: one instalment raised through the draft path on its issue date; keyed by the instalment key.
 * - REPLAN_DAILY: every active plan re-planned once a day (what was recognised, what is next, anything missing).
 */
import { z } from 'zod';
import { isIsoDate } from '../../domain/dates';

export const BILLING_JOB_KINDS = ['PLAN_BILLING', 'RAISE_INSTALMENT', 'REPLAN_DAILY'] as const;
export type BillingJobKind = (typeof BILLING_JOB_KINDS)[number];

const salesforceId = z.string().regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'not a Salesforce id');
const isoDate = z.string().refine(isIsoDate, { message: 'must be an ISO date (YYYY-MM-DD)' });

/** Most Opportunities one PLAN_BILLING job names (a daily re-plan splits active plans into jobs of this size). */
export const PLAN_JOB_OPPORTUNITIES = 200;

export const BILLING_JOB_PAYLOADS = {
  PLAN_BILLING: z.object({
    /** Deals, or Opportunities of deals (an amendment's deal is the one it amends). */
    opportunityIds: z.array(salesforceId).min(1).max(PLAN_JOB_OPPORTUNITIES),
    reason: z.string().min(1),
  }),
  RAISE_INSTALMENT: z.object({
    /** The instalment key: Request_Key__c of the document it becomes, and the Xero Idempotency-Key. */
    requestKey: z.string().min(1),
    /** The deal (its plan's key); the invoice goes on this Opportunity. */
    opportunityId: salesforceId,
    issueDate: isoDate,
  }),
  /** One time zone's plans (the entities whose books are kept there), once a day. */
  REPLAN_DAILY: z.object({ date: isoDate, timeZone: z.string().min(1) }),
} as const satisfies Record<BillingJobKind, z.ZodType>;
