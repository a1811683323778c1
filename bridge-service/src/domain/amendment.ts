/**
 * Amendments and renewals: what to invoice (or credit) when an Opportunity amends or renews an earlier one.
 *
 * Decisions (see README.md in this folder):
 * - An amendment invoices the DIFFERENCE between the new and the original subscription for the remaining term,
 *   co-terminated with the original contract end; it starts on the amendment start date, never before the
 *   contract start (Salesforce Help, Guidelines for Amending Subscription Start Dates). Proration is
 *   proration.ts (Daily by default, Monthly + Daily as a setting).
 * - Prices are per default term (CPQ: 12 months) and net of the line discount. A line's price is its total
 *   (`totalPrice`, Salesforce's TotalPrice, as Amount, the invoice and the plan carry it), and its exact unit price
 *   is that total ÷ its quantity: 300 seats priced by their Total Price of 10,000.00 have a Sales Price of 33.33
 *   (300 × 33.33 = 9,999.00), and each seat is worth 10,000.00/300. Per product: same net Sales Price → one line
 *   for the quantity change, at the contract's exact unit price (removing all 300 credits 10,000.00, 100 of them
 *   3,333.33, leaving 6,666.67); a changed price (or the same Sales Price with a total of its own: a line re-priced
 *   by its Total Price) → the old line removed at its total and the new added at its total, so every line reads as
 *   a CPQ amendment line does.
 * - Each line is rounded once to 2 dp from the exact prorated amount (total × quantity × numerator ÷ (quantity
 *   priced × denominator), divided last). A prorated unit price that fits 4 dp goes as quantity × unit price;
 *   otherwise as Quantity 1 × the line total, with "10 × 600.00 per 12 months × 184/365" (or "−100 × 10000.00/300
 *   per 12 months × …" for a line priced by its total) in the description (finance.md §6.5).
 * - Net difference > 0 → an invoice (decreases in a mixed amendment are negative-price lines on it);
 *   < 0 → a credit note of the same lines with the signs flipped, which the caller sends through the finance
 *   approval gate (Action CREDIT) like any credit note; 0 → nothing to send.
 * - This module prices changes; it does not account for them. The ASC 606 treatment (separate contract or
 *   prospective) and the re-planned billing and revenue are modification.ts: `lineChangesFromAmendment` there
 *   turns this module's changes into the modification's input. On a deal billed by a plan, the difference is billed
 *   through the plan (a stub instalment or credit note on the amendment date, then the plan's dates); on an upfront
 *   plan that is exactly this module's one invoice or credit note.
 * - Renewals invoice the next term (contract end + 1 day, term months long, default 12) at the net price ×
 *   (1 + uplift) × term ÷ default term, uplift applied after discounts, the unit price rounded to 2 dp as Salesforce stores a Sales Price (18,2):
 *   100 at 5% → 105.00; 100 less 10% at 5% → 94.50. The discount is folded into the unit price. A line priced by
 *   its Total Price (its total is not Quantity × Sales Price less discount, rounded) renews from that total, rounded
 *   once: 300 seats for 10,000.00 at 3% → 10,300.00 (not 300 × 34.33 = 10,299.00), billed as 1 × it
 *   (invoice-mapping.ts, `expectedTotal`). Every renewed line carries its total as `expectedTotal`.
 * - Uplift rules: a fixed percentage, or the greater of it and a published index + a margin ("the greater of 5 %
 *   and CPI + 2 %"). The index value comes with its publication date, which must fall in the 12 months before the
 *   renewal starts (a later figure cannot price it, an older one is stale).
 */
import Big from 'big.js';

import { addDays, addMonths, compareDates, daysInclusive, maxDate, type IsoDate } from './dates';
import { DomainError, throwIfProblems } from './errors';
import { decimalPlaces, money, round, sum, toWire, type Money } from './money';
import { prorateFraction, type ProrateFraction, type ProrationOptions } from './proration';
import type { ServicePeriod, SourceLine } from './invoice-mapping';
import { lessDiscount, type Decimal } from './xero-invoice-math';

/** One subscription line of a contract: price per default term, before the line discount. */
export interface ContractLine {
  /** Identifies the same product across the original and the amendment (ProductCode, else product name). */
  productKey: string;
  description: string;
  quantity: Decimal;
  /** The Sales Price (Salesforce's UnitPrice, 2 dp), before the line discount. */
  unitPrice: Decimal;
  discountPercent?: Decimal;
  /**
   * The line's price per default term, net of its discount (Salesforce's TotalPrice): when given, the line's value,
   * its exact unit price being totalPrice ÷ quantity (300 seats for 10,000.00: a Sales Price of 33.33, a seat worth
   * 10,000.00/300). Absent: quantity × unitPrice less discount.
   */
  totalPrice?: Decimal;
  itemCode?: string;
}

export interface Contract {
  startDate: IsoDate;
  /** Inclusive last day of service; amendments co-terminate here. */
  endDate: IsoDate;
  lines: readonly ContractLine[];
}

export interface AmendmentInput {
  contract: Contract;
  /** The amendment's start date (CPQ Amendment Start Date, or the day the amendment is made). */
  amendmentStartDate: IsoDate;
  /** The full subscription after the amendment (not just the changes), like a CPQ amendment quote. */
  lines: readonly ContractLine[];
  proration?: ProrationOptions;
}

export interface AmendmentChange {
  productKey: string;
  /** Signed: positive adds, negative removes. */
  quantity: Money;
  /** Net price per default term: the exact unit price (the line's total ÷ its quantity). */
  termPrice: Money;
  /** Signed, rounded to 2 dp: what the line adds to (or removes from) the invoice. */
  amount: Money;
}

export interface AmendmentResult {
  kind: 'invoice' | 'credit-note' | 'none';
  servicePeriod: ServicePeriod;
  fraction: ProrateFraction;
  /** Signed changes, for display and audit. */
  changes: AmendmentChange[];
  /** Lines for invoice-mapping's mapDocument (ACCREC for an invoice, ACCRECCREDIT for a credit note). */
  lines: SourceLine[];
  /** Signed net difference excluding tax: positive invoices, negative credits. */
  netAmount: Money;
}

const HUNDRED = new Big(100);

function netPrice(line: ContractLine): Money {
  return lessDiscount(line.unitPrice, line.discountPercent);
}

interface Position {
  line: ContractLine;
  quantity: Money;
  /** The net Sales Price (unit price less discount). */
  net: Money;
  /** The value: Σ totalPrice (else quantity × net, exact). */
  total: Money;
  /** What Salesforce's Quantity × Sales Price (less discount) makes of it, rounded per line as TotalPrice is. */
  fromSalesPrice: Money;
}

/** The line's value per default term: its TotalPrice, else quantity × net Sales Price (exact). */
function lineValue(line: ContractLine): Money {
  return line.totalPrice === undefined ? money(line.quantity).times(netPrice(line)) : money(line.totalPrice);
}

/** Whether the line is priced by its Total Price (Quantity × Sales Price less discount, rounded, is not it). */
function pricedByTotal(line: ContractLine): boolean {
  return line.totalPrice !== undefined && !money(line.totalPrice).eq(round(money(line.quantity).times(netPrice(line))));
}

/**
 * The same Sales Price is the same price, at the contract's exact unit price, unless the new line holds a total of
 * its own (re-priced by its Total Price: neither Quantity × Sales Price nor the contract's price for its seats).
 */
function keepsPrice(old: Position, next: Position): boolean {
  return (
    old.net.eq(next.net) &&
    (old.quantity.eq(0) ||
      next.total.eq(next.fromSalesPrice) ||
      next.total.eq(round(old.total.times(next.quantity).div(old.quantity))))
  );
}

function positions(lines: readonly ContractLine[], which: string, problems: string[]): Map<string, Position> {
  const byKey = new Map<string, Position>();
  for (const line of lines) {
    const quantity = money(line.quantity);
    const net = netPrice(line);
    const total = lineValue(line);
    const fromSalesPrice = line.totalPrice === undefined ? total : round(quantity.times(net));
    if (quantity.lt(0)) problems.push(`${which} line ${line.description}: quantity ${quantity.toString()} is negative`);
    const existing = byKey.get(line.productKey);
    if (!existing) {
      byKey.set(line.productKey, { line, quantity, net, total, fromSalesPrice });
    } else if (existing.net.eq(net)) {
      existing.quantity = existing.quantity.plus(quantity);
      existing.total = existing.total.plus(total);
      existing.fromSalesPrice = existing.fromSalesPrice.plus(fromSalesPrice);
    } else {
      problems.push(`${which} has ${line.productKey} twice at different prices; give one line per product and price`);
    }
  }
  return byKey;
}

/** The prorated difference an amendment invoices (or credits) for the rest of the contract term. */
export function amendmentDifference(input: AmendmentInput): AmendmentResult {
  const { contract } = input;
  const problems: string[] = [];
  if (compareDates(contract.endDate, contract.startDate) < 0) {
    problems.push(`the contract ends (${contract.endDate}) before it starts (${contract.startDate})`);
  } else if (compareDates(input.amendmentStartDate, contract.endDate) > 0) {
    problems.push(`the amendment starts (${input.amendmentStartDate}) after the contract ends (${contract.endDate})`);
  }
  const before = positions(contract.lines, 'the original contract', problems);
  const after = positions(input.lines, 'the amendment', problems);
  throwIfProblems('INVALID_AMENDMENT', 'Cannot price the amendment', problems);

  const start = maxDate(input.amendmentStartDate, contract.startDate);
  const servicePeriod = { start, end: contract.endDate };
  const options = input.proration ?? {};
  const fraction = prorateFraction(start, contract.endDate, options);
  const termMonths = options.termMonths ?? 12;
  const prorationText =
    (options.method ?? 'daily') === 'daily'
      ? `${daysInclusive(start, contract.endDate)}/${(365 * termMonths) / 12} days`
      : `${toWire(fraction.numerator.div(fraction.denominator), 4)} of the term`;

  // Each piece: the line it changes (`position`, its description and item) and the position whose exact unit price
  // (total ÷ quantity) prices it (`priced`): a quantity change at the same price is priced at the contract's.
  const pieces: { position: Position; priced: Position; quantity: Money }[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(key);
    const next = after.get(key);
    if (old && next && keepsPrice(old, next)) {
      const delta = next.quantity.minus(old.quantity);
      if (!delta.eq(0)) pieces.push({ position: next, priced: old.quantity.eq(0) ? next : old, quantity: delta });
      continue;
    }
    if (old && !old.quantity.eq(0)) pieces.push({ position: old, priced: old, quantity: old.quantity.times(-1) });
    if (next && !next.quantity.eq(0)) pieces.push({ position: next, priced: next, quantity: next.quantity });
  }

  const changes: AmendmentChange[] = [];
  const signedLines: { line: SourceLine; sign: 1 | -1 }[] = [];
  for (const { position, priced, quantity } of pieces) {
    const magnitude = quantity.abs();
    const sign = quantity.lt(0) ? -1 : 1;
    // total × quantity × numerator ÷ (quantity priced × denominator), divided last: removing every seat of a line
    // is exactly its total prorated, whatever its Sales Price rounds to.
    const per = priced.quantity.times(fraction.denominator);
    const exactUnit = priced.total.times(fraction.numerator).div(per);
    const amount = round(magnitude.times(priced.total).times(fraction.numerator).div(per));
    changes.push({
      productKey: position.line.productKey,
      quantity,
      termPrice: priced.total.div(priced.quantity),
      amount: amount.times(sign),
    });
    const unit = priced.total.eq(priced.quantity.times(priced.net))
      ? toWire(priced.net)
      : `${toWire(priced.total)}/${priced.quantity.toString()}`;
    const what = `${sign > 0 ? '+' : '−'}${magnitude.toString()} × ${unit} per ${termMonths} months × ${prorationText}`;
    const fits = decimalPlaces(exactUnit) <= 4;
    const line: SourceLine = {
      description: `${position.line.description} (amendment ${what})`,
      quantity: fits ? magnitude : new Big(1),
      unitPrice: fits ? exactUnit : amount,
      servicePeriod,
    };
    if (position.line.itemCode) line.itemCode = position.line.itemCode;
    signedLines.push({ line, sign });
  }

  const netAmount = sum(changes.map((change) => change.amount));
  const kind = netAmount.gt(0) ? 'invoice' : netAmount.lt(0) ? 'credit-note' : 'none';
  const documentSign = kind === 'credit-note' ? -1 : 1;
  const lines =
    kind === 'none'
      ? []
      : signedLines.map(({ line, sign }) => ({ ...line, unitPrice: money(line.unitPrice).times(sign * documentSign) }));
  return { kind, servicePeriod, fraction, changes, lines, netAmount };
}

/**
 * The subscription after an amendment as amendmentDifference priced it, one line per product, each valued per default
 * term (`totalPrice`): a seat change at the same price keeps the contract's exact unit price, so what stays is the
 * contract's total less the change, rounded once (300 seats for 10,000.00 down to 200: 6,666.67, whatever the amending
 * line's TotalPrice of 200 × 33.33 = 6,666.00 says); a new or re-priced line is its own total. The next amendment is
 * priced against this, so removing the rest later credits 6,666.67 and the contract ends at 0.00.
 */
export function amendedSubscription(before: readonly ContractLine[], after: readonly ContractLine[]): ContractLine[] {
  const problems: string[] = [];
  const was = positions(before, 'the original contract', problems);
  const now = positions(after, 'the amendment', problems);
  throwIfProblems('INVALID_AMENDMENT', 'Cannot price the amendment', problems);
  return [...now.values()].map((next) => {
    const old = was.get(next.line.productKey);
    const total =
      old && !old.quantity.eq(0) && keepsPrice(old, next)
        ? old.total.plus(round(next.quantity.minus(old.quantity).times(old.total).div(old.quantity)))
        : next.total;
    return { ...next.line, quantity: next.quantity, totalPrice: total };
  });
}

/** A renewal's uplift: `percent`, or the greater of it and `index` + `indexMarginPercent` when an index is given. */
export interface UpliftRule {
  /** Percent, e.g. 5 for 5% (Opportunity.Renewal_Uplift_Percent__c). */
  percent: Decimal;
  index?: { name: string; percent: Decimal; publishedOn: IsoDate };
  indexMarginPercent?: Decimal;
}

/** The uplift a rule gives for a renewal starting on `renewalStart`, with the working for the record. */
export function effectiveUplift(rule: UpliftRule, renewalStart: IsoDate): { percent: Money; explanation: string } {
  const fixed = money(rule.percent);
  if (!rule.index) return { percent: fixed, explanation: `${fixed.toString()}%` };
  const { name, publishedOn } = rule.index;
  if (compareDates(publishedOn, renewalStart) > 0 || compareDates(publishedOn, addMonths(renewalStart, -12)) < 0) {
    throw new DomainError(
      'INVALID_AMENDMENT',
      `The ${name} figure of ${publishedOn} cannot price a renewal starting ${renewalStart}: use one published in the 12 months before it`,
    );
  }
  const margin = money(rule.indexMarginPercent ?? '0');
  const indexed = money(rule.index.percent).plus(margin);
  const percent = indexed.gt(fixed) ? indexed : fixed;
  return {
    percent,
    explanation: `greater of ${fixed.toString()}% and ${name} ${money(rule.index.percent).toString()}% (${publishedOn}) + ${margin.toString()}% = ${percent.toString()}%`,
  };
}

export interface RenewalInput {
  contract: Contract;
  /** Percent, e.g. 5 for 5% (Opportunity.Renewal_Uplift_Percent__c). Ignored when `uplift` is given. */
  upliftPercent?: Decimal | null;
  /** A rule (fixed, or the greater of fixed and an index + margin). */
  uplift?: UpliftRule;
  /** Length of the renewal term; default the default subscription term. */
  termMonths?: number;
  /** The term the contract prices are for (CPQ Default Subscription Term); default 12 months. */
  defaultTermMonths?: number;
}

/**
 * A renewed line: with the product it renews, and its price (`expectedTotal`: the line's total, 2 dp). `description`
 * carries this renewal's note ("Seats (renewal, 5% uplift)"); `baseDescription` is the renewed line's own ("Seats"),
 * so a renewal of this renewal notes only its own uplift, not every earlier one as well.
 */
export type RenewedLine = SourceLine & { productKey: string; baseDescription: string; expectedTotal: Money };

export interface RenewalResult {
  servicePeriod: ServicePeriod;
  /** With the product each renews, so a renewal can open its own billing plan. */
  lines: RenewedLine[];
  /** Net of tax. */
  subTotal: Money;
  /** The uplift applied, percent, and how it was found. */
  uplift: { percent: Money; explanation: string };
}

/** The next term of a contract: starts the day after it ends, at the uplifted net price. */
export function renewalTerm(input: RenewalInput): RenewalResult {
  const defaultTermMonths = input.defaultTermMonths ?? 12;
  const termMonths = input.termMonths ?? defaultTermMonths;
  for (const months of [termMonths, defaultTermMonths]) {
    if (!Number.isInteger(months) || months <= 0) {
      throw new DomainError('INVALID_AMENDMENT', `A subscription term must be a whole number of months, not ${months}`);
    }
  }
  const start = addDays(input.contract.endDate, 1);
  const applied = input.uplift
    ? effectiveUplift(input.uplift, start)
    : effectiveUplift({ percent: input.upliftPercent ?? '0' }, start);
  const uplift = applied.percent;
  if (uplift.lt(-100))
    throw new DomainError('INVALID_AMENDMENT', `A renewal uplift of ${uplift.toString()}% would make prices negative`);
  const servicePeriod = { start, end: addDays(addMonths(start, termMonths), -1) };
  const lines = input.contract.lines
    .filter((line) => !money(line.quantity).eq(0))
    .map((line) => {
      // × (1 + uplift) × term ÷ default term, divided last, rounded once to 2 dp.
      const renew = (value: Money) =>
        round(value.times(HUNDRED.plus(uplift)).times(termMonths).div(HUNDRED.times(defaultTermMonths)));
      const quantity = money(line.quantity);
      // Priced by its Total Price: renewed from that total, its Sales Price what Salesforce would round it to.
      // Otherwise the net Sales Price is renewed, and the line is Quantity × it.
      const byTotal = pricedByTotal(line);
      const total = byTotal ? renew(money(line.totalPrice!)) : undefined;
      const unitPrice = total ? round(total.div(quantity)) : renew(netPrice(line));
      const suffix = uplift.eq(0) ? 'renewal' : `renewal, ${uplift.toString()}% uplift`;
      const renewed: RenewedLine = {
        productKey: line.productKey,
        description: `${line.description} (${suffix})`,
        baseDescription: line.description,
        quantity,
        unitPrice,
        expectedTotal: total ?? round(quantity.times(unitPrice)),
        servicePeriod,
      };
      if (line.itemCode) renewed.itemCode = line.itemCode;
      return renewed;
    });
  const subTotal = sum(lines.map((line) => line.expectedTotal));
  return { servicePeriod, lines, subTotal, uplift: applied };
}
