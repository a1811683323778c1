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
 * One given up (dead) that Xero may hold will not reach Salesforce by itself, so waiting for it would be for ever and
 * going on would bill it again (12,000.00 with a 4,500.00 deposit so: a closing draft of 12,000.00). That is one whose
 * draft Xero took (recorded under its key), and one whose outcome in Xero is unknown (mayBeInXero: its create call got
 * no answer, or it gave up before it knew). Both callers refuse instead, in words (partialsGivenUp): Retry on that
 * partial finds its draft in Xero by its link, or makes it, and mirrors it; then the refused request is retried and
 * bills what remains. One refused for good before Xero was asked, or by Xero itself (a 400), holds nothing up.
 */
import { PARTIAL_WAITS } from '../../domain/partial-invoice';
import { recordKey15 } from '../../salesforce/invoice-request';
import type { OpportunityBillingTerms } from '../../salesforce/selections';
import { childRecords } from '../../salesforce/soql';
import type { Job, JobRepository } from '../../store/jobs';
import { ranOutOfRetries } from '../worker';

/** Why a closing request waits (its job's last error while it does). */
export const CLOSING_WAITS = {
  partialOnItsWay:
    "Waiting for the deal's partial invoice to reach Salesforce: the closing invoice bills what remains once it is there.",
} as const;

/** How long a closing request waits before it looks again (a partial's own wait for it is a minute: never in step). */
export const PARTIAL_WAIT_MS = 30_000;

const PARTIAL_KEY = /^CREATE_PARTIAL:([a-zA-Z0-9]{15,18}):/;
const GONE = new Set(['Voided', 'Deleted']);

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
  jobs: Pick<JobRepository, 'unfinishedJobs' | 'givenUpByKeyPrefix'>;
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

/**
 * Leads the error of a partial request that stopped without knowing whether Xero made its draft (its create call got no
 * answer, or it stopped before it looked): finance reads it on the record, and mayBeInXero reads it on the job.
 */
export const XERO_OUTCOME_UNKNOWN =
  'Whether Xero holds this partial invoice is not known (Retry looks for it in Xero by its link and makes it only if it is not there): ';

/**
 * Whether a partial request given up (dead), with no draft of it recorded, may still have one in Xero: its retries ran
 * out (any of them may have been a create call Xero never answered), or it stopped for good not knowing. Only a definite
 * refusal (in words before Xero was asked, or by Xero itself) says Xero holds nothing of it.
 */
export function mayBeInXero(job: Pick<Job, 'lastError'>): boolean {
  return ranOutOfRetries(job.lastError) || (job.lastError ?? '').startsWith(XERO_OUTCOME_UNKNOWN);
}

/** Why a request of a deal with a partial given up after Xero took its draft is refused, and what to do. */
export function partialGivenUp(requestKey: string): string {
  return (
    `A partial invoice of this deal is in Xero but not in Salesforce: its request (${requestKey}) gave up before ` +
    'mirroring it, so nothing more is billed on the deal until it is there (it would be billed again). Press Retry on ' +
    'that partial invoice so the bridge mirrors its draft, then Retry this request.'
  );
}

/** Why a request of a deal with a partial given up not knowing whether Xero made it is refused, and what to do. */
export function partialMayBeInXero(requestKey: string): string {
  return (
    `A partial invoice of this deal may be in Xero but is not in Salesforce: its request (${requestKey}) gave up ` +
    'without knowing whether Xero made its draft, so nothing more is billed on the deal until that is settled (it could ' +
    'be billed twice). Press Retry on that partial invoice: the bridge finds its draft in Xero by its link, or makes ' +
    'it if Xero has none, and mirrors it. Then Retry this request.'
  );
}

/**
 * The deals (by 15-character id) among these with a partial request given up that Xero holds or may hold, each with
 * why its requests are refused: a draft Xero took first (partialGivenUp), else one whose outcome is unknown
 * (partialMayBeInXero). One job-store query for the dead partials of these deals only (dead jobs are never pruned).
 */
export async function partialsGivenUp(
  deps: PartialWaitDeps,
  opportunityIds: readonly string[],
): Promise<Map<string, string>> {
  const deals = [...new Set(opportunityIds.map(recordKey15))];
  // A deal's keys carry its 15- or 18-character id: the 15 characters match both.
  const dead = await deps.jobs.givenUpByKeyPrefix(
    'CREATE_PARTIAL',
    deals.map((deal) => `CREATE_PARTIAL:${deal}`),
  );
  const out = new Map<string, string>();
  const refuse = (job: Job, why: (requestKey: string) => string) => {
    const deal = PARTIAL_KEY.exec(job.key)?.[1];
    if (deal && !out.has(recordKey15(deal))) out.set(recordKey15(deal), why(job.key));
  };
  // Oldest first: the message names the same request however often it is read.
  for (const job of dead) if (job.afterXero) refuse(job, partialGivenUp);
  for (const job of dead) if (mayBeInXero(job)) refuse(job, partialMayBeInXero);
  return out;
}

export const dealKey = recordKey15;
