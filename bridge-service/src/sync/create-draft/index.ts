/**
 * CREATE_DRAFT: closed-won Opportunities become DRAFT invoices in the right Xero organisation, exactly once, and
 * their Invoice__c mirrors (with lines) appear in Salesforce with Xero's own numbers and totals. A batch goes
 * through one step per responsibility: load (load.ts), route (route.ts), then per tenant contacts (contacts.ts),
 * crash recovery (recovery.ts), documents (documents.ts), invoices (create-invoices.ts) and downgrades'
 * credit notes (downgrades.ts), and last the write-back (write-back.ts). Each job ends as one tagged outcome.
 *
 * Salesforce calls go in Composite batches, each counting as one API call whatever it holds (up to 5 Collections of
 * 200 records or queries): a batch of up to 1,000 jobs costs one call to load and two rounds of write-back, 3 calls
 * for 200 invoices. Xero gets one call per 50 invoices per tenant (plus contacts the bridge has not met).
 *
 * A deal whose partial invoice is on its way to Salesforce (partials.ts) waits for it, uncounted, before anything is
 * read; one whose partial request gave up with its draft in Xero, or maybe in Xero, is refused, in words: three
 * job-store queries a batch.
 */
import { isTransient } from '../../lib/errors';
import { describeError } from '../describe-error';
import { READ_ONLY_HOLD, retryOutcome, type JobHandler, type JobOutcome } from '../handler';
import { noWrites, type KnownLinks, type LinkWrites } from '../services/contact-links';
import type { ReferenceData } from '../services/reference-data';
import { refused, settled, type Draft, type DraftJob, type DraftOutcome } from './draft';
import { billingStep, type BillingStepDeps } from './billing';
import { loadBatch, type LoadDeps, type LoadedBatch } from './load';
import {
  CLOSING_WAITS,
  dealKey,
  PARTIAL_WAIT_MS,
  partialsGivenUp,
  partialsOnTheirWay,
  type PartialWaitDeps,
} from './partials';
import { routeDrafts, type RouteDeps } from './route';
import { draftInTenant, type TenantDeps } from './tenant';
import { writeBack, type WriteBackDeps } from './write-back';

/**
 * Jobs a batch takes: when a backlog exists, bigger batches fill Composite calls (5 Collections of 200 records)
 * instead of leaving them part-empty; one batch stays well inside the worker's lease and Xero's minute limit.
 */
export const CREATE_DRAFT_BATCH = 1000;

export type CreateDraftDeps = LoadDeps &
  RouteDeps &
  TenantDeps &
  WriteBackDeps &
  PartialWaitDeps & { reference: Pick<ReferenceData, 'settings' | 'billingEntities' | 'taxRates'> };

export function createDraftHandler(deps: CreateDraftDeps & BillingStepDeps): JobHandler<'CREATE_DRAFT'> {
  return {
    batchSize: CREATE_DRAFT_BATCH,
    async run(jobs) {
      if ((await deps.reference.settings()).readOnly) return new Map(jobs.map((job) => [job.id, READ_ONLY_HOLD]));
      const deals = jobs.map((job) => job.payload.opportunityId);
      const [onTheirWay, givenUp] = await Promise.all([partialsOnTheirWay(deps, deals), partialsGivenUp(deps, deals)]);
      const refusal = (job: DraftJob) => givenUp.get(dealKey(job.payload.opportunityId));
      const waits = (job: DraftJob) => onTheirWay.has(dealKey(job.payload.opportunityId));
      const wait: JobOutcome = { kind: 'hold', reason: CLOSING_WAITS.partialOnItsWay, delayMs: PARTIAL_WAIT_MS };
      const stopped = jobs.flatMap((job) => {
        const message = refusal(job);
        if (message) return [refused(job, message)];
        return waits(job) ? [settled(job, wait)] : [];
      });
      const ready = jobs.filter((job) => !refusal(job) && !waits(job));
      // Nothing to load: the refusals still go on their records.
      if (ready.length === 0) return writeBack(deps, stopped, new Map());
      const batch = await loadBatch(deps, ready);
      const routed = await routeDrafts(deps, ready, batch.opportunities);
      const billed = await billingStep(deps, routed.drafts, batch.terms);
      return raiseDrafts(deps, billed.drafts, [...stopped, ...routed.outcomes, ...billed.outcomes], batch);
    },
  };
}

/**
 * The draft path from routed drafts on: per tenant (contacts, crash recovery, documents, invoices, credit notes),
 * then the write-back. CREATE_DRAFT and the billing plan's instalments (RAISE_INSTALMENT) both end here.
 */
export type RaiseDraftsDeps = TenantDeps & WriteBackDeps;

export async function raiseDrafts(
  deps: RaiseDraftsDeps,
  drafts: readonly Draft[],
  settledOutcomes: readonly DraftOutcome[],
  context: Pick<LoadedBatch, 'emails' | 'existingLines'> & Partial<Pick<LoadedBatch, 'known'>>,
): Promise<Map<number, JobOutcome>> {
  const outcomes = [...settledOutcomes];
  const byTenant = Map.groupBy(drafts, (draft) => draft.entity.xeroTenantId);
  // Links and reviews the contacts step decides are written with the mirrors (write-back.ts).
  const writes = noWrites();
  // Tenants side by side: one that Xero paces, pauses or answers slowly holds up only its own drafts.
  const perTenant = await Promise.all(
    [...byTenant].map(([tenantId, group]) => inTenant(deps, tenantId, group, context.emails, writes, context.known)),
  );
  for (const tenantOutcomes of perTenant) outcomes.push(...tenantOutcomes);
  return writeBack(deps, outcomes, context.existingLines, writes);
}

/** One tenant's drafts; if the tenant as a whole fails (network, 5xx, tokens), nothing half-done is lost. */
async function inTenant(
  deps: RaiseDraftsDeps,
  tenantId: string,
  group: readonly Draft[],
  emails: ReadonlyMap<string, string>,
  writes: LinkWrites,
  known: KnownLinks | undefined,
): Promise<DraftOutcome[]> {
  try {
    return await draftInTenant(deps, tenantId, group, emails, writes, known);
  } catch (err) {
    const message = describeError(err);
    deps.log.warn({ err, tenantId, jobs: group.length }, 'CREATE_DRAFT batch failed for tenant');
    return group.map((draft) =>
      isTransient(err) ? settled(draft.job, retryOutcome(err, message)) : refused(draft.job, message),
    );
  }
}
