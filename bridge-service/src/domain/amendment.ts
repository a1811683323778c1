/**
 * Amendments and renewals: what to invoice (or credit) when an Opportunity amends or renews an earlier one.
 *
 * Decisions (see README.md in this folder):
 * - An amendment invoices the DIFFERENCE between the new and the original subscription for the remaining term,
 *   co-terminated with the original contract end; it starts on the amendment start date, never before the
 *   contract start (Salesforce Help, Guidelines for Amending Subscription Start Dates). Proration is
 *   proration.ts (Daily by default, Monthly + Daily as a setting).
 * - Prices are per default term (CPQ: 12 months) and net of the line discount. Per product: same net price →
 *   one line for the quantity change; a changed price → the old quantity removed at the old price and the new
 *   quantity added at the new price, so every line reads as a CPQ amendment line does.
 * - Each line is rounded once to 2 dp from the exact prorated amount (price × quantity × numerator ÷ denominator,
 *   divided last). A prorated unit price that fits 4 dp goes as quantity × unit price; otherwise as Quantity 1 ×
 *   the line total, with "10 × 600.00 per 12 months × 184/365" in the description (finance.md §6.5).
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
 *   100 at 5% → 105.00; 100 less 10% at 5% → 94.50. The discount is folded into the unit price.
 * - Uplift rules: a fixed percentage, or the greater of it and a published index + a margin ("the greater of 5 %
 *   and CPI + 2 %"). The index value comes with its publication date, which must fall in the 12 months before the
 *   renewal starts (a later figure cannot price it, an older one is stale).
 */
import Big from 'big.js';

import { addDays, addMonths, compareDates, daysInclusive, maxDate, type IsoDate } from './dates';
import { DomainError, throwIfProblems } from './errors';
import { decimalPlaces, fromApiNumber, money, round, sum, toWire, type Money } from './money';
import { prorateFraction, type ProrateFraction, type ProrationOptions } from './proration';
import type { ServicePeriod, SourceLine } from './invoice-mapping';
import type { OpportunityLineItemRow, OpportunityRow } from './records';
import { lessDiscount, type Decimal } from './xero-invoice-math';

/** One subscription line of a contract: price per default term, before the line discount. */
export interface ContractLine {
  /** Identifies the same product across the original and the amendment (ProductCode, else product name). */
  productKey: string;
  description: string;
  quantity: Decimal;
  unitPrice: Decimal;
  discountPercent?: Decimal;
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
  /** Net price per default term. */
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
  net: Money;
}

function positions(lines: readonly ContractLine[], which: string, problems: string[]): Map<string, Position> {
  const byKey = new Map<string, Position>();
  for (const line of lines) {
    const quantity = money(line.quantity);
    const net = netPrice(line);
    if (quantity.lt(0)) problems.push(`${which} line ${line.description}: quantity ${quantity.toString()} is negative`);
    const existing = byKey.get(line.productKey);
    if (!existing) {
      byKey.set(line.productKey, { line, quantity, net });
    } else if (existing.net.eq(net)) {
      existing.quantity = existing.quantity.plus(quantity);
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

  const pieces: { position: Position; quantity: Money }[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(key);
    const next = after.get(key);
    if (old && next && old.net.eq(next.net)) {
      const delta = next.quantity.minus(old.quantity);
      if (!delta.eq(0)) pieces.push({ position: next, quantity: delta });
      continue;
    }
    if (old && !old.quantity.eq(0)) pieces.push({ position: old, quantity: old.quantity.times(-1) });
    if (next && !next.quantity.eq(0)) pieces.push({ position: next, quantity: next.quantity });
  }

  const changes: AmendmentChange[] = [];
  const signedLines: { line: SourceLine; sign: 1 | -1 }[] = [];
  for (const { position, quantity } of pieces) {
    const magnitude = quantity.abs();
    const sign = quantity.lt(0) ? -1 : 1;
    const exactUnit = position.net.times(fraction.numerator).div(fraction.denominator);
    const exactTotal = magnitude.times(position.net).times(fraction.numerator).div(fraction.denominator);
    const amount = round(exactTotal);
    changes.push({
      productKey: position.line.productKey,
      quantity,
      termPrice: position.net,
      amount: amount.times(sign),
    });
    const what = `${sign > 0 ? '+' : '−'}${magnitude.toString()} × ${toWire(position.net)} per ${termMonths} months × ${prorationText}`;
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

export interface RenewalResult {
  servicePeriod: ServicePeriod;
  /** With the product each renews, so a renewal can open its own billing plan. */
  lines: (SourceLine & { productKey: string })[];
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
      // net × (1 + uplift) × term ÷ default term, divided last, rounded once to 2 dp.
      const unitPrice = round(
        netPrice(line).times(HUNDRED.plus(uplift)).times(termMonths).div(HUNDRED.times(defaultTermMonths)),
      );
      const suffix = uplift.eq(0) ? 'renewal' : `renewal, ${uplift.toString()}% uplift`;
      const renewed: SourceLine & { productKey: string } = {
        productKey: line.productKey,
        description: `${line.description} (${suffix})`,
        quantity: money(line.quantity),
        unitPrice,
        servicePeriod,
      };
      if (line.itemCode) renewed.itemCode = line.itemCode;
      return renewed;
    });
  const subTotal = sum(lines.map((line) => round(money(line.quantity).times(money(line.unitPrice)))));
  return { servicePeriod, lines, subTotal, uplift: applied };
}

/** OpportunityLineItems as contract lines, keyed by ProductCode (else product name). */
export function contractLinesFromLineItems(items: readonly OpportunityLineItemRow[]): ContractLine[] {
  return items.map((item) => {
    const name = item.Product2?.Name ?? item.Description ?? item.Id;
    const code = item.Product2?.ProductCode?.trim();
    const line: ContractLine = {
      productKey: code || name,
      description: item.Description?.trim() || name,
      quantity: fromApiNumber(item.Quantity, 'Quantity'),
      unitPrice: fromApiNumber(item.UnitPrice, 'UnitPrice'),
    };
    if (item.Discount !== undefined && item.Discount !== null)
      line.discountPercent = fromApiNumber(item.Discount, 'Discount');
    if (code) line.itemCode = code;
    return line;
  });
}

export interface OpportunityWithLines {
  opportunity: Pick<
    OpportunityRow,
    | 'Id'
    | 'Name'
    | 'CloseDate'
    | 'CurrencyIsoCode'
    | 'Service_Start_Date__c'
    | 'Service_End_Date__c'
    | 'Invoice_Type__c'
    | 'Renewal_Uplift_Percent__c'
  >;
  lineItems: readonly OpportunityLineItemRow[];
}

export type AmendingPlan = { kind: 'amendment'; result: AmendmentResult } | { kind: 'renewal'; result: RenewalResult };

/**
 * What an Opportunity that amends or renews an earlier one (Amended_Opportunity__c) bills, from the two
 * Opportunities as Salesforce returns them. The original's service period is the contract (start defaults to its
 * CloseDate, end to one default term later); an amendment starts on its own Service_Start_Date__c, else its
 * CloseDate. Invoice_Type__c = Renewal renews the original's lines with Renewal_Uplift_Percent__c; anything else
 * is an amendment whose line items are the full subscription after the change.
 */
export function planAmendingOpportunity(
  original: OpportunityWithLines,
  amending: OpportunityWithLines,
  proration: ProrationOptions = {},
): AmendingPlan {
  const startDate = original.opportunity.Service_Start_Date__c ?? original.opportunity.CloseDate;
  const endDate =
    original.opportunity.Service_End_Date__c ?? addDays(addMonths(startDate, proration.termMonths ?? 12), -1);
  const contract: Contract = { startDate, endDate, lines: contractLinesFromLineItems(original.lineItems) };
  if (amending.opportunity.Invoice_Type__c === 'Renewal') {
    const uplift = amending.opportunity.Renewal_Uplift_Percent__c;
    return {
      kind: 'renewal',
      result: renewalTerm({
        contract,
        upliftPercent:
          uplift === undefined || uplift === null ? null : fromApiNumber(uplift, 'Renewal_Uplift_Percent__c'),
        ...(proration.termMonths ? { defaultTermMonths: proration.termMonths } : {}),
      }),
    };
  }
  return {
    kind: 'amendment',
    result: amendmentDifference({
      contract,
      amendmentStartDate: amending.opportunity.Service_Start_Date__c ?? amending.opportunity.CloseDate,
      lines: contractLinesFromLineItems(amending.lineItems),
      proration,
    }),
  };
}
