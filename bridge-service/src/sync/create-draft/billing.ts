/**
 * Step 3 (after routing): how each deal is billed (deal-plan.ts). A deal billed on signature (Upfront, In Advance:
 * the package default) is drafted as wave 1 drafted it, at close; an amendment or renewal of such a deal is drafted
 * as its plan's instalment for that signature (the change, co-termed; or the renewed term at its uplift). A deal
 * billed by its periods is not drafted here: its closing request asks for its plan (PLAN_BILLING), which raises each
 * instalment on its issue date (RAISE_INSTALMENT), the first at once if it is due, through the same draft path.
 *
 * A deal billed on signature that took partial invoices (partials.ts: read with its terms) is drafted for what they
 * left, as its plan's signature instalment: each line what it still owes after the partials, on account, earliest
 * first (deal-plan.ts `billedAtClose`), the same spread the plan records; nothing left, nothing is drafted. A
 * 12,000.00 deal with a 4,500.00 deposit is drafted for 7,500.00, not 12,000.00 (16,500.00 in Xero). Only such a
 * deal costs the plan's read: a drain of new deals reads nothing more.
 */
import { signatureTerms } from '../../domain/deal-plan';
import { opportunityBillingRowSchema, productBillingRowSchema } from '../../domain/revenue-records';
import type { OpportunityBillingTerms } from '../../salesforce/selections';
import { childRecords } from '../../salesforce/soql';
import type { DealPlans } from '../billing/deal-plans';
import type { BillingTriggers } from '../billing/triggers';
import { describeError } from '../describe-error';
import { refused, settled, type Draft, type DraftOutcome } from './draft';
import { hasPartialInvoices } from './partials';

export interface BillingStepDeps {
  dealPlans: Pick<DealPlans, 'billedAtClose'>;
  billingTriggers: Pick<BillingTriggers, 'planNow'>;
}

/** Whether a new deal is billed on signature, from its terms row (a bad picklist value is an error in words). */
function onSignature(draft: Draft, row: OpportunityBillingTerms): boolean {
  const lines = childRecords(row.OpportunityLineItems);
  return signatureTerms({
    opportunity: opportunityBillingRowSchema.parse(row),
    products: lines.map((line) => (line.Product2 ? productBillingRowSchema.parse(line.Product2) : null)),
    hasSchedules: lines.some((line) => line.HasSchedule === true),
    entity: draft.entity.billing,
  });
}

export async function billingStep(
  deps: BillingStepDeps,
  drafts: readonly Draft[],
  terms: ReadonlyMap<string, OpportunityBillingTerms>,
): Promise<{ drafts: Draft[]; outcomes: DraftOutcome[] }> {
  const kept: Draft[] = [];
  const outcomes: DraftOutcome[] = [];
  const planned: Draft[] = [];
  const changes: Draft[] = [];
  for (const draft of drafts) {
    if (draft.original) {
      changes.push(draft);
      continue;
    }
    const row = terms.get(draft.opportunity.Id);
    try {
      if (!row) throw new Error(`The billing terms of ${draft.opportunity.Name} could not be read`);
      if (!onSignature(draft, row)) planned.push(draft);
      // What partial invoices left: its plan's signature instalment, as an amendment's change is.
      else if (hasPartialInvoices(row)) changes.push(draft);
      else kept.push(draft);
    } catch (err) {
      outcomes.push(refused(draft.job, describeError(err, draft.entity)));
    }
  }
  if (changes.length > 0) {
    const billed = await deps.dealPlans.billedAtClose(changes.map((d) => d.opportunity.Id));
    for (const draft of changes) {
      const bill = billed.get(draft.opportunity.Id) ?? {
        kind: 'error' as const,
        message: `${draft.opportunity.Name}: its deal could not be read`,
      };
      if (bill.kind === 'error') outcomes.push(refused(draft.job, bill.message));
      else if (bill.kind === 'periodic') planned.push(draft);
      else if (!bill.instalment) {
        outcomes.push(settled(draft.job, { kind: 'done', result: { nothingToBill: true } }));
      } else {
        kept.push({
          ...draft,
          billing: {
            instalment: bill.instalment,
            invoiceType:
              draft.opportunity.Invoice_Type__c === 'Renewal' ? 'Renewal' : draft.original ? 'Amendment' : 'New',
          },
        });
      }
    }
  }
  if (planned.length > 0) {
    // The plan is written before any of its invoices: the deal's first instalment is raised by the plan's own job.
    await deps.billingTriggers.planNow(
      planned.map((d) => d.opportunity.Id),
      'closed',
      planned
        .map((d) => d.requestKey)
        .sort()
        .join(','),
    );
    for (const draft of planned) {
      outcomes.push(settled(draft.job, { kind: 'done', result: { billedByPlan: draft.opportunity.Id } }));
    }
  }
  return { drafts: kept, outcomes };
}
