/**
 * Step 5: what a draft bills, from the domain: an invoice, or a credit note (a downgrade: it waits for finance
 * approval). A draft its billing plan bills is the plan's instalment (billing-plan.ts): every amendment and renewal
 * is (billing.ts sends them through their deal plan, which also settles one that bills nothing); any other is the
 * Opportunity as wave 1 billed it, and one that amends or renews a deal is refused rather than billed in full.
 */
import type { TenantTaxRate, XeroDraftDocument } from '../../domain/invoice-mapping';
import type { LineMapping } from '../../domain/line-mapping';
import { mapInstalmentDocument, mapOpportunityToInvoice } from '../../domain/opportunity-invoice';
import type { Clock } from '../../lib/clock';
import type { Draft } from './draft';

export interface DocumentDeps {
  clock: Pick<Clock, 'now'>;
  corporateCurrency: string;
}

export type DraftDocument =
  | { kind: 'invoice'; draft: Draft; document: XeroDraftDocument }
  | { kind: 'credit-note'; draft: Draft; document: XeroDraftDocument };

/** Throws a DomainError (every problem listed) when the deal cannot be billed as it stands. */
export function draftDocument(
  deps: DocumentDeps,
  draft: Draft,
  contactId: string,
  taxRates: readonly TenantTaxRate[],
  lineMappings?: ReadonlyMap<string, LineMapping>,
): DraftDocument {
  const input = {
    opportunity: draft.opportunity,
    lineItems: draft.lineItems,
    account: draft.account,
    entity: draft.entity,
    contactId,
    taxRates,
    corporateCurrency: deps.corporateCurrency,
    today: new Date(deps.clock.now()).toISOString().slice(0, 10),
    ...(lineMappings ? { lineMappings: instalmentMappings(draft, lineMappings) } : {}),
  };
  const document = draft.billing
    ? mapInstalmentDocument({ ...input, instalment: draft.billing.instalment, invoiceType: draft.billing.invoiceType })
    : mapOpportunityToInvoice(input);
  return document.type === 'ACCRECCREDIT'
    ? { kind: 'credit-note', draft, document }
    : { kind: 'invoice', draft, document };
}

/**
 * An instalment's lines are keyed by the OpportunityLineItem they bill; a line an amendment added is not among the
 * deal's own lines, so it takes the mapping of the deal's line with the same product code.
 */
function instalmentMappings(
  draft: Draft,
  mappings: ReadonlyMap<string, LineMapping>,
): ReadonlyMap<string, LineMapping> {
  if (!draft.billing) return mappings;
  const byCode = new Map<string, LineMapping>();
  for (const item of draft.lineItems) {
    const code = item.Product2?.ProductCode?.trim();
    const mapping = mappings.get(item.Id);
    if (code && mapping && !byCode.has(code)) byCode.set(code, mapping);
  }
  const out = new Map(mappings);
  for (const line of draft.billing.instalment.lines) {
    const sameProduct = line.itemCode ? byCode.get(line.itemCode) : undefined;
    if (!out.has(line.lineKey) && sameProduct) out.set(line.lineKey, sameProduct);
  }
  return out;
}
