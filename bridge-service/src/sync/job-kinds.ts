/**
 * The kinds of job the bridge runs, decided once, when a job is stored (intake, reconcile, RESYNC, webhooks),
 * and the payload each kind carries, checked when the job is claimed. A handler gets jobs of its own kind only,
 * typed; no handler looks at a payload to decide what to do.
 */
import { z } from 'zod';
import { ACTIONS, type InvoiceRequest } from '../salesforce/invoice-request';
import { postClosePayloadSchema } from '../domain/close-records';
import { BILLING_JOB_KINDS, BILLING_JOB_PAYLOADS } from './billing/jobs';
import { KPI_JOB_KINDS, KPI_JOB_PAYLOADS } from './insights/jobs';
import { GOLIVE_JOB_PAYLOADS } from './golive/kinds';
import { CLOSE_JOB_KINDS, CLOSE_JOB_PAYLOADS } from './close/jobs';
import { HOUSEKEEPING_JOB_KINDS, HOUSEKEEPING_JOB_PAYLOADS } from './housekeeping/jobs';

export const JOB_KINDS = [
  'CREATE_DRAFT',
  'AUTHORISE',
  'AUTHORISE_CREDIT_NOTE',
  'VOID',
  'CREDIT',
  'RESYNC',
  'ONLINE_LINK',
  'XERO_CHANGE',
  ...BILLING_JOB_KINDS,
  // go-live (issue 18): golive/kinds.ts
  'CONTACT_MATCH',
  'CREATE_PARTIAL',
  'UPDATE_DRAFT',
  'IMPORT_STEP',
  'DRIFT_CHECK',
  ...KPI_JOB_KINDS,
  // month-end close (issue 16): close/jobs.ts
  'POST_CLOSE',
  ...CLOSE_JOB_KINDS,
  // the bridge's upkeep: housekeeping/jobs.ts
  ...HOUSEKEEPING_JOB_KINDS,
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * The worker's loops (worker.ts), side by side. `waited-on`: someone is waiting on the outcome (a payment or status
 * coming back from Xero, an approval, a void or credit, a rep's request); a batch takes seconds. `backlog`: work that
 * can come in thousands and run minutes a batch (closing a quarter's deals, planning them, raising instalments,
 * importing history, the checks that read whole ledgers, a month's close). `reporting`: the KPI refresh, which reads
 * every deal and plan in Salesforce and calls Xero for nothing; it runs every five minutes while a backlog changes
 * invoices, and in the backlog loop one refresh of a large org held drafting for 22.7 s mid-drain; and the daily prune
 * of old done jobs (at most 5 s a run). Each loop takes
 * its kinds in turn, so a long drafting batch never holds up a payment coming back, and a refresh never holds up
 * drafting. The month-end kinds stay with the plans they read, one at a time, as before.
 */
export const WORKER_LOOPS = ['waited-on', 'backlog', 'reporting'] as const;
export type WorkerLoop = (typeof WORKER_LOOPS)[number];
/** Every kind's loop, checked by the compiler: a new kind cannot join the backlog by default. */
const LOOP_OF = {
  CREATE_DRAFT: 'backlog',
  AUTHORISE: 'waited-on',
  AUTHORISE_CREDIT_NOTE: 'waited-on',
  VOID: 'waited-on',
  CREDIT: 'waited-on',
  RESYNC: 'waited-on',
  ONLINE_LINK: 'waited-on',
  XERO_CHANGE: 'waited-on',
  PLAN_BILLING: 'backlog',
  RAISE_INSTALMENT: 'backlog',
  REPLAN_DAILY: 'backlog',
  CONTACT_MATCH: 'waited-on',
  CREATE_PARTIAL: 'waited-on',
  UPDATE_DRAFT: 'waited-on',
  IMPORT_STEP: 'backlog',
  DRIFT_CHECK: 'backlog',
  KPI_REFRESH: 'reporting',
  POST_CLOSE: 'backlog',
  CLOSE_PROPOSE: 'backlog',
  CLOSE_TIEOUT: 'backlog',
  // Nobody waits on it, and a drafting backlog should not wait for it (a run is at most a few seconds).
  PRUNE_JOBS: 'reporting',
} as const satisfies Record<JobKind, WorkerLoop>;
export const loopOf = (kind: JobKind): WorkerLoop => LOOP_OF[kind];

/** A Salesforce request as stored (InvoiceRequest), what every request kind has. */
const request = z.object({
  action: z.enum(ACTIONS),
  requestKey: z.string().min(1),
  opportunityId: z.string().optional(),
  invoiceId: z.string().optional(),
  requestedBy: z.string().optional(),
  payload: z.unknown().optional(),
});

const onInvoice = request.extend({ invoiceId: z.string().min(15) });

/** What each kind of job carries. */
export const JOB_PAYLOADS = {
  CREATE_DRAFT: request.extend({ opportunityId: z.string().min(15) }),
  AUTHORISE: onInvoice,
  /** Finance approved a credit note: the request names it (CreditNoteTriggerHandler). */
  AUTHORISE_CREDIT_NOTE: onInvoice.extend({
    payload: z.looseObject({ creditNoteId: z.string().min(15) }),
  }),
  VOID: onInvoice,
  /** What to credit (an amount, or lines) is in `payload`, checked by the credit-note service. */
  CREDIT: onInvoice,
  RESYNC: onInvoice,
  /** A rep asked for the customer's online-invoice link (invoice-actions/online-link.ts). */
  ONLINE_LINK: onInvoice,
  /** One Xero webhook event (sync/inbound/webhook-intake.ts). */
  XERO_CHANGE: z.object({
    resourceId: z.string().min(1),
    eventCategory: z.string().min(1),
    eventType: z.string().optional(),
    eventDateUtc: z.string().nullish(),
    tenantId: z.string().min(1),
  }),
  ...GOLIVE_JOB_PAYLOADS,
  ...BILLING_JOB_PAYLOADS,
  ...KPI_JOB_PAYLOADS,
  /** Finance approved a month-end close: the close and the version approved (MonthEndCloseTriggerHandler). */
  POST_CLOSE: request.extend({ payload: postClosePayloadSchema }),
  ...CLOSE_JOB_PAYLOADS,
  ...HOUSEKEEPING_JOB_PAYLOADS,
} as const satisfies Record<JobKind, z.ZodType>;

export type JobPayload<K extends JobKind> = z.output<(typeof JOB_PAYLOADS)[K]>;

/**
 * The kind of job a Salesforce request becomes. Approving a credit note publishes AUTHORISE on its invoice with
 * the credit note named in the payload; that is a credit-note job, not an invoice's, from here on.
 */
export function jobKindOf(request: InvoiceRequest): JobKind {
  return request.action === 'AUTHORISE' && namesCreditNote(request.payload) ? 'AUTHORISE_CREDIT_NOTE' : request.action;
}

function namesCreditNote(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && 'creditNoteId' in payload
    ? typeof payload.creditNoteId === 'string'
    : false;
}
