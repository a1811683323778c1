/**
 * Step 2: each job's deal as the domain reads it, routed to its billing entity; an amendment or renewal with the
 * deal it changes (read in the same way). A deal that is gone fails its job; one that cannot be billed as it
 * stands is refused with the reason, for the record.
 */
import { routeOpportunity } from '../../domain/billing-entity';
import { DomainError } from '../../domain/errors';
import { accountRowSchema, opportunityLineItemRowSchema, opportunityRowSchema } from '../../domain/records';
import type { Queries } from '../../salesforce/queries';
import type { OpportunityForInvoicing } from '../../salesforce/selections';
import { childRecords } from '../../salesforce/soql';
import { describeError } from '../describe-error';
import type { DraftJob } from './draft';
import type { ReferenceData } from '../services/reference-data';
import { refused, settled, type Draft, type DraftOutcome, type OpportunityWithLines } from './draft';

export interface RouteDeps {
  queries: Pick<Queries, 'opportunitiesForInvoicing'>;
  reference: Pick<ReferenceData, 'billingEntities'>;
  /** The org's corporate currency: the invoice currency in single-currency orgs. */
  corporateCurrency: string;
}

/** An Opportunity with its line items, checked by the domain's own schemas. */
export function withLines(row: OpportunityForInvoicing): OpportunityWithLines {
  return {
    opportunity: opportunityRowSchema.parse(row),
    lineItems: childRecords(row.OpportunityLineItems).map((item) => opportunityLineItemRowSchema.parse(item)),
  };
}

export async function routeDrafts(
  deps: RouteDeps,
  jobs: readonly DraftJob[],
  opportunities: readonly OpportunityForInvoicing[],
): Promise<{ drafts: Draft[]; outcomes: DraftOutcome[] }> {
  const byId = new Map(opportunities.map((row) => [row.Id, row]));
  const entities = await deps.reference.billingEntities();
  // Amendments and renewals are billed against the deal they change: load those too, in the same way.
  const originalIds = [
    ...new Set(opportunities.map((row) => row.Amended_Opportunity__c).filter((id): id is string => Boolean(id))),
  ];
  const originals = new Map(
    (originalIds.length > 0 ? await deps.queries.opportunitiesForInvoicing(originalIds) : []).map((row) => [
      row.Id,
      withLines(row),
    ]),
  );
  const drafts: Draft[] = [];
  const outcomes: DraftOutcome[] = [];
  for (const job of jobs) {
    const row = byId.get(job.payload.opportunityId);
    if (!row) {
      outcomes.push(settled(job, { kind: 'failed', error: `Opportunity ${job.payload.opportunityId} was not found` }));
      continue;
    }
    try {
      const { opportunity, lineItems } = withLines(row);
      const account = accountRowSchema.parse(row.Account);
      const { entity } = routeOpportunity(entities, opportunity, account, deps.corporateCurrency);
      const amended = opportunity.Amended_Opportunity__c;
      const original = amended ? originals.get(amended) : undefined;
      if (amended && !original) {
        throw new DomainError('INVALID_AMENDMENT', `${opportunity.Name} amends ${amended}, which was not found`);
      }
      drafts.push({
        job,
        requestKey: job.payload.requestKey,
        opportunity,
        account,
        lineItems,
        entity,
        ...(original ? { original } : {}),
      });
    } catch (err) {
      outcomes.push(refused(job, describeError(err)));
    }
  }
  return { drafts, outcomes };
}
