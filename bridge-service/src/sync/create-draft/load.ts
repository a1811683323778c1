/**
 * Step 1: one Composite batch reads a batch: the Opportunities, their billing emails, lines already written, how each
 * deal is billed (its terms and its products': billing-step.ts), and their Accounts' contact links and match reviews
 * (five queries: one Composite call).
 */
import type { GoLiveQueries } from '../../salesforce/golive-queries';
import type { Queries } from '../../salesforce/queries';
import type { RevenueQueries } from '../../salesforce/revenue-queries';
import type { OpportunityBillingTerms, OpportunityForInvoicing } from '../../salesforce/selections';
import type { Writeback } from '../../salesforce/writeback';
import type { KnownLinks } from '../services/contact-links';
import type { DraftJob } from './draft';

export interface LoadDeps {
  queries: Pick<Queries, 'opportunitiesForInvoicing' | 'billingEmailsOfOpportunities' | 'invoiceLinesOfRequests'>;
  goLive: Pick<GoLiveQueries, 'knownOfOpportunityAccounts'>;
  writeback: Pick<Writeback, 'composite'>;
  revenueQueries: Pick<RevenueQueries, 'billingTerms'>;
}

export interface LoadedBatch {
  opportunities: OpportunityForInvoicing[];
  /** Account id → the first contact's email (where invoices go when the Account names no billing email). */
  emails: ReadonlyMap<string, string>;
  /** Request key → (Xero LineItemID → Invoice_Line__c id) of lines an earlier attempt wrote. */
  existingLines: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** The Accounts' contact links and match reviews, every entity. */
  known: KnownLinks;
  /** Opportunity id → its billing terms and its products'. */
  terms: ReadonlyMap<string, OpportunityBillingTerms>;
}

export async function loadBatch(deps: LoadDeps, jobs: readonly DraftJob[]): Promise<LoadedBatch> {
  const opportunityIds = [...new Set(jobs.map((j) => j.payload.opportunityId))];
  const reads = deps.writeback.composite();
  const opportunities = deps.queries.opportunitiesForInvoicing(opportunityIds, reads);
  const emails = deps.queries.billingEmailsOfOpportunities(opportunityIds, reads);
  const lines = deps.queries.invoiceLinesOfRequests(
    jobs.map((j) => j.payload.requestKey),
    reads,
  );
  const known = deps.goLive.knownOfOpportunityAccounts(opportunityIds, reads);
  const terms = deps.revenueQueries.billingTerms(opportunityIds, reads);
  await reads.run();
  return {
    opportunities: await opportunities,
    emails: await emails,
    existingLines: await lines,
    known: await known,
    terms: new Map((await terms).map((row) => [row.Id, row])),
  };
}
