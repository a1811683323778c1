/**
 * A partial or milestone invoice raised by a rep from an Opportunity: an amount, or a percentage of what remains
 * to invoice (or of the deal), through the same approval gate as any draft.
 *
 * Decisions (see README.md in this folder):
 * - Deal value = Σ the Opportunity's line amounts (TotalPrice, after discount). Invoiced = Σ line amounts of its
 *   invoices that are not voided or deleted (drafts count: they are on their way). Remaining = deal value − invoiced.
 *   Credit notes do not add back: a credit is a concession or a cancellation, not something to bill again.
 * - Never more than the remaining amount; nothing when nothing remains. A percentage is rounded once to the cent
 *   (half away from zero); "30 % of the deal" is refused when less than that remains.
 * - The amount is spread over the lines in proportion to what each still has to invoice (cumulative rounding, so
 *   the lines add up to the amount exactly), each line keeping its account code, tax type, tracking and item: tax
 *   and revenue fall where the full invoice would have put them. Each line is Quantity 1 × its share.
 * - The last milestone (100 % of the remaining) bills exactly what is left on each line.
 * - Only a deal billed on signature takes partial invoices (partialInvoiceRefusal). A deal billed by its periods
 *   (its billing plan raises each instalment on its date) or an amendment or renewal (billed with the contract it
 *   changes; an amendment lists the whole subscription) would be billed twice: the plan does not count a partial
 *   invoice. A deal without products is refused, as its full invoice is: the lines are what a partial invoice spreads.
 * The Apex controller shows the same figures before the rep confirms; `partial-invoice.cases.json` holds the two equal.
 */
import Big from 'big.js';

import { allocate, ratioOf, type Ratio } from './billing-periods';
import { signatureTerms } from './deal-plan';
import { DomainError } from './errors';
import { formatAmount, fromApiNumber, money, round, sum, toWire, type Money } from './money';
import type { SourceLine, TrackingSelection } from './invoice-mapping';
import type { EntityBillingRow, OpportunityBillingRow, ProductBillingRow } from './revenue-records';
import type { Decimal } from './xero-invoice-math';

/** An OpportunityLineItem as the split reads it. */
export interface DealLine {
  lineItemId: string;
  description: string;
  /** TotalPrice: the line's amount after discount (SOQL sends a JSON number). */
  lineAmount: number | string;
  accountCode?: string;
  taxType?: string;
  tracking?: readonly TrackingSelection[];
  itemCode?: string;
}

/** An Invoice_Line__c of one of the Opportunity's invoices that is not voided or deleted. */
export interface InvoicedLine {
  /** Opportunity_Line_Item_Id__c, when the line came from one. */
  lineItemId?: string | null;
  /** Line_Amount__c (SOQL sends a JSON number). */
  lineAmount: number | string;
}

export type PartialRequest =
  { kind: 'amount'; amount: Decimal } | { kind: 'percent'; percent: Decimal; of: 'remaining' | 'deal' };

export interface Remaining {
  dealValue: Money;
  invoiced: Money;
  remaining: Money;
  /** What each line still has to invoice (a discount line's is negative). */
  byLine: { lineItemId: string; remaining: Money }[];
}

/**
 * Billing_Plan__c.Terms_Source__c of a plan billed on signature (sync/billing/plan-writer.ts writes it). Any other
 * plan is billed by its periods. PartialInvoiceController reads the same value (golive-parity.test.ts).
 */
export const BILLED_ON_SIGNATURE = 'billed on signature';

/**
 * Why a deal takes no partial invoice: the words the rep reads on the card (the PartialInvoiceController labels
 * Partial_Invoice_Error_Amendment, _No_Products, _Billing_Plan) and on the request's Invoice__c when the bridge refuses.
 */
export const PARTIAL_REFUSALS = {
  amendment:
    "This opportunity amends or renews another: it is billed with the contract it changes, so a partial invoice would bill it twice. Change that contract's billing plan, or raise a credit note.",
  noProducts:
    "This opportunity has no products: a partial invoice is spread over the deal's products, as its full invoice would be. Add its products first.",
  billingPlan:
    'This deal is billed by its billing plan, each instalment on its date, so a partial invoice would bill it twice. Change the plan, or raise a credit note.',
} as const;

/**
 * What only the bridge can see: the deal's closing request (CREATE_DRAFT) not yet in Xero. Its invoice bills the
 * whole deal and appears in Salesforce only once Xero has it, so until then the card shows the whole deal remaining;
 * a partial invoice raised meanwhile would be billed again by it.
 */
export const PARTIAL_WAITS = {
  closingOnItsWay:
    "Waiting for the deal's closing invoice to reach Xero: a partial invoice is raised only once it is there, since it bills the deal.",
  partialOnItsWay:
    'Waiting for another partial invoice of this deal to reach Salesforce: it may be in Xero already, and this one is checked against what remains after it.',
  closingStopped:
    "The deal's closing invoice did not reach Xero (see its invoice in Error): retry it, or void it, before raising a partial invoice, since it bills the deal.",
} as const;

/** What decides whether a deal takes partial invoices at all. */
export interface PartialInvoiceDeal {
  /** Amended_Opportunity__c: the Opportunity this one amends or renews. */
  amends?: string | null | undefined;
  /** The Opportunity's billing terms. */
  opportunity: OpportunityBillingRow;
  /** Its line items: each product's own billing terms, and whether the line follows a product schedule. */
  lines: readonly { product?: ProductBillingRow | null | undefined; hasSchedule?: boolean | null | undefined }[];
  /** The billing entity's defaults (Billing_Entity__mdt). */
  entity: EntityBillingRow;
  /** Terms_Source__c of each Billing_Plan__c written for the deal (none before its first plan). */
  plans: readonly (string | null | undefined)[];
}

/**
 * Why no partial invoice can be raised on this deal, or undefined when one can: an amendment or renewal; no products;
 * billed by its periods, by its terms now (as its closing request decides: signatureTerms) or by a plan already
 * written that is not billed on signature (its terms may have been changed since; its instalments stand).
 */
export function partialInvoiceRefusal(deal: PartialInvoiceDeal): string | undefined {
  if (deal.amends) return PARTIAL_REFUSALS.amendment;
  if (deal.lines.length === 0) return PARTIAL_REFUSALS.noProducts;
  const onSignature = signatureTerms({
    opportunity: deal.opportunity,
    products: deal.lines.map((line) => line.product),
    hasSchedules: deal.lines.some((line) => line.hasSchedule === true),
    entity: deal.entity,
  });
  if (!onSignature || deal.plans.some((source) => source !== BILLED_ON_SIGNATURE)) return PARTIAL_REFUSALS.billingPlan;
  return undefined;
}

/** What the Opportunity still has to invoice, in total and per line. */
export function remainingToInvoice(lines: readonly DealLine[], invoiced: readonly InvoicedLine[]): Remaining {
  const dealValue = sum(lines.map((line) => fromApiNumber(line.lineAmount, 'TotalPrice')));
  const invoicedTotal = sum(invoiced.map((line) => fromApiNumber(line.lineAmount, 'TotalPrice')));
  const byLine = lines.map((line) => {
    const billed = sum(
      invoiced
        .filter((i) => i.lineItemId === line.lineItemId)
        .map((i) => fromApiNumber(i.lineAmount, 'Line_Amount__c')),
    );
    return { lineItemId: line.lineItemId, remaining: fromApiNumber(line.lineAmount, 'TotalPrice').minus(billed) };
  });
  return { dealValue, invoiced: invoicedTotal, remaining: dealValue.minus(invoicedTotal), byLine };
}

/** The amount a request asks for, checked against what remains. */
export function partialAmount(request: PartialRequest, remaining: Pick<Remaining, 'dealValue' | 'remaining'>): Money {
  const left = remaining.remaining;
  if (left.lte(0)) {
    throw new DomainError('INVALID_INPUT', 'Nothing remains to invoice on this opportunity');
  }
  let amount: Money;
  if (request.kind === 'amount') {
    amount = money(request.amount);
    if (amount.lte(0)) throw new DomainError('INVALID_INPUT', `The amount must be above zero, not ${toWire(amount)}`);
    if (amount.round(2, Big.roundHalfUp).cmp(amount) !== 0) {
      throw new DomainError('INVALID_INPUT', `The amount ${amount.toString()} has more than two decimals`);
    }
  } else {
    const percent = money(request.percent);
    if (percent.lte(0) || percent.gt(100)) {
      throw new DomainError(
        'INVALID_INPUT',
        `The percentage must be above 0 and at most 100, not ${percent.toString()}`,
      );
    }
    const base = request.of === 'deal' ? remaining.dealValue : left;
    amount = round(base.times(percent).div(100));
    if (amount.lte(0))
      throw new DomainError('INVALID_INPUT', `${percent.toString()}% of ${toWire(base)} is nothing to invoice`);
  }
  if (amount.gt(left)) {
    throw new DomainError(
      'INVALID_INPUT',
      `${formatAmount(amount)} is more than the ${formatAmount(left)} that remains to invoice on this opportunity`,
    );
  }
  return amount;
}

export interface PartialInvoice {
  amount: Money;
  remainingBefore: Money;
  remainingAfter: Money;
  /** The draft's lines: Quantity 1 × each line's share, with the line's own Xero coding. */
  lines: SourceLine[];
}

/**
 * The lines of a partial invoice. `label` names it on the lines ("Milestone 2: design sign-off").
 * @throws DomainError when nothing remains, the request is not a positive amount or percentage, or it asks for more
 * than remains.
 */
export function planPartialInvoice(
  dealLines: readonly DealLine[],
  invoiced: readonly InvoicedLine[],
  request: PartialRequest,
  label = 'Partial invoice',
): PartialInvoice {
  const remaining = remainingToInvoice(dealLines, invoiced);
  const amount = partialAmount(request, remaining);
  // Weights: what each line still has to invoice; if history cannot be told apart by line, the lines' full amounts.
  const perLine = remaining.byLine.map((line) => line.remaining);
  const weights: Ratio[] = (
    sum(perLine).gt(0) ? perLine : dealLines.map((l) => fromApiNumber(l.lineAmount, 'TotalPrice'))
  ).map(ratioOf);
  const shares = allocate(amount, weights);
  const lines = dealLines.flatMap((line, i): SourceLine[] => {
    const share = shares[i]!;
    if (share.eq(0)) return [];
    const source: SourceLine = {
      description: `${line.description.trim()}\n${label.trim()}: ${formatAmount(share)} of ${formatAmount(perLine[i]!)} remaining`,
      quantity: '1',
      unitPrice: toWire(share),
      expectedTotal: toWire(share),
    };
    if (line.accountCode) source.accountCode = line.accountCode;
    if (line.taxType) source.taxType = line.taxType;
    if (line.tracking) source.tracking = line.tracking;
    if (line.itemCode) source.itemCode = line.itemCode;
    return [source];
  });
  return { amount, remainingBefore: remaining.remaining, remainingAfter: remaining.remaining.minus(amount), lines };
}
