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
 * The Apex controller shows the same figures before the rep confirms; `partial-invoice.cases.json` holds the two equal.
 */
import Big from 'big.js';

import { allocate, ratioOf, type Ratio } from './billing-periods';
import { DomainError } from './errors';
import { formatAmount, fromApiNumber, money, round, sum, toWire, type Money } from './money';
import type { SourceLine, TrackingSelection } from './invoice-mapping';
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
