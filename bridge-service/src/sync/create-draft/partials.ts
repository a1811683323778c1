/**
 * A deal's partial invoices (CREATE_PARTIAL), as its closing request sees them. A closing request bills what the
 * partials left (billing.ts asks the deal's plan, which counts them on account), so it must see every one of them:
 *
 * - Those in Salesforce are read with the deal's billing terms (the batch's load: no extra call); only a deal that has
 *   one costs the plan's read (billing.ts), so a drain of new deals reads nothing more.
 * - One still on its way (its request running, or tried and not finished: it may be in Xero without its mirror) is not
 *   in Salesforce yet, so the closing request waits for it: one job-store query a batch. A partial request waiting for
 *   the closing request itself (PARTIAL_WAITS.closingOnItsWay: it looked in Xero first and found nothing) or never run
 *   yet (it will see the closing request and wait for it) is not waited for: the two never wait for each other.
 *
 * A partial request asks the same before it reads what remains (golive/partial-invoice.ts), leaving itself out: one
 * that may be in Xero without its mirror is not yet in that remainder. One waiting its turn behind another
 * (PARTIAL_WAITS.partialOnItsWay) looked in Xero first and found nothing, so it is not waited for either: of two
 * partials of a deal, one always goes on.
 *
 * One given up (dead) after Xero took its draft will not reach Salesforce by itself, so waiting for it would be for
 * ever and going on would bill it again (12,000.00 with a 4,500.00 deposit so: a closing draft of 12,000.00). Both
 * callers refuse instead, in words (partialsGivenUpInXero): Retry on that partial mirrors its draft, then the refused
 * request is retried and bills what remains.
 */
import { PARTIAL_WAITS } from '../../domain/partial-invoice';
import { recordKey15 } from '../../salesforce/invoice-request';
import type { OpportunityBillingTerms } from '../../salesforce/selections';
import { childRecords } from '../../salesforce/soql';
import type { Job, JobRepository } from '../../store/jobs';

/** Why a closing request waits (its job's last error while it does). */
export const CLOSING_WAITS = {
  partialOnItsWay:
    "Waiting for the deal's partial invoice to reach Salesforce: the closing invoice bills what remains once it is there.",
} as const;

/** How long a closing request waits before it looks again (a partial's own wait for it is a minute: never in step). */
export const PARTIAL_WAIT_MS = 30_000;

const PARTIAL_KEY = /^CREATE_PARTIAL:([a-zA-Z0-9]{15,18}):/;
const GONE = new Set(['Voided', 'Deleted']);

/** The same record whether its id was written with 15 characters or 18. */

/** Whether the deal has a partial invoice in Salesforce that is not voided or deleted (read with its terms). */
export function hasPartialInvoices(row: OpportunityBillingTerms): boolean {
  return childRecords(row.Invoices__r).some(
    (invoice) => PARTIAL_KEY.test(invoice.Request_Key__c ?? '') && !GONE.has(invoice.Status__c ?? ''),
  );
}

/** A partial request that may have reached Xero and is not yet in Salesforce. */
function onItsWay(job: Job): boolean {
  if (job.state === 'running') return true;
  if (job.lastError === PARTIAL_WAITS.closingOnItsWay || job.lastError === PARTIAL_WAITS.partialOnItsWay) return false;
  return job.attempts > 0 || job.lastError !== null;
}

export interface PartialWaitDeps {
  jobs: Pick<JobRepository, 'unfinishedJobs' | 'givenUpAfterXero'>;
}

/**
 * The deals (by 15-character id) among these whose partial invoice is on its way. One job-store query. `except`: a
 * partial request asking about its own deal leaves itself out.
 */
export async function partialsOnTheirWay(
  deps: PartialWaitDeps,
  opportunityIds: readonly string[],
  except?: number,
): Promise<Set<string>> {
  const wanted = new Set(opportunityIds.map(recordKey15));
  const out = new Set<string>();
  for (const job of await deps.jobs.unfinishedJobs('CREATE_PARTIAL')) {
    const deal = PARTIAL_KEY.exec(job.key)?.[1];
    if (deal && job.id !== except && wanted.has(recordKey15(deal)) && onItsWay(job)) out.add(recordKey15(deal));
  }
  return out;
}

/** Why a request of a deal with a partial given up after Xero took its draft is refused, and what to do. */
export function partialGivenUp(requestKey: string): string {
  return (
    `A partial invoice of this deal is in Xero but not in Salesforce: its request (${requestKey}) gave up before ` +
    'mirroring it, so nothing more is billed on the deal until it is there (it would be billed again). Press Retry on ' +
    'that partial invoice so the bridge mirrors its draft, then Retry this request.'
  );
}

/**
 * The deals (by 15-character id) among these with a partial request given up after Xero took its draft, each with why
 * its requests are refused (partialGivenUp). One job-store query.
 */
export async function partialsGivenUpInXero(
  deps: PartialWaitDeps,
  opportunityIds: readonly string[],
): Promise<Map<string, string>> {
  const wanted = new Set(opportunityIds.map(recordKey15));
  const out = new Map<string, string>();
  for (const job of await deps.jobs.givenUpAfterXero('CREATE_PARTIAL')) {
    const deal = PARTIAL_KEY.exec(job.key)?.[1];
    if (deal && wanted.has(recordKey15(deal)) && !out.has(recordKey15(deal)))
      out.set(recordKey15(deal), partialGivenUp(job.key));
  }
  return out;
}

export const dealKey = recordKey15;
