/**
 * Xero-exact invoice arithmetic: what Xero will compute for a document, worked out before we send it, so the
 * Salesforce draft shows the same figures Xero will (finance.md §1.1-1.3, xero-api.md §7).
 *
 * Decisions (see README.md in this folder):
 * - Rounding (§6.3): half away from zero on exact decimals (big.js), never binary floats. UnitAmount is kept to
 *   `unitDp` places (4: the bridge always calls Xero with `unitdp=4`); LineAmount, TaxAmount and totals to 2 dp.
 * - Tax is computed per line and rounded per line, then summed (§1.2; 25.06/25.61/25.63 at 15% → 11.44).
 * - Inclusive lines (§6.4): line tax = LineAmount × r/(100 + r), rounded per line; SubTotal = Total − TotalTax.
 *   This formula is derived, not published: reconcile with the totals Xero returns. Compound rates are not
 *   modelled (a rate is one effective percentage, as Xero's TaxRate.EffectiveRate).
 * - Unit price beyond `unitDp` (§6.5): {@link fitUnitAmount} sends Quantity 1 × the rounded line total with the
 *   detail in the description, because Xero would round the unit price and drift (1000 × 0.0612 = 61.20, not 61.17).
 * - CurrencyRate direction (§1.3, §6.1): units of document (foreign) currency per 1 unit of the tenant's base
 *   currency, so base = foreign ÷ rate. Rates are held to 6 dp (§6.2); base amounts are derived from the document
 *   totals and rounded once each to 2 dp (base SubTotal = base Total − base TotalTax, so they always tie). Never
 *   CurrencyRate = 1 on a foreign-currency document: omit it and Xero applies its XE.com day rate.
 *   The direction is a working assumption until verified once against a real Xero sandbox (read /Journals).
 */
import Big from 'big.js';

import { DomainError, throwIfProblems } from './errors';
import { decimalPlaces, money, round, sum, toWire, type Money } from './money';

/** Xero's LineAmountTypes. Invoices and credit notes default to Exclusive when it is omitted. */
export type LineAmountType = 'Exclusive' | 'Inclusive' | 'NoTax';
export const LINE_AMOUNT_TYPES: readonly LineAmountType[] = ['Exclusive', 'Inclusive', 'NoTax'];

/** A decimal as callers hold it: big.js or a decimal string ("25.06"), never a binary float. */
export type Decimal = Money | string;

/** One line as Xero receives it. Percentages are percent (15 = 15%), as Xero's DiscountRate and TaxRate. */
export interface XeroMathLine {
  quantity: Decimal;
  unitAmount: Decimal;
  /** Percent off (ACCREC invoices and quotes only). Mutually exclusive with `discountAmount`. */
  discountRate?: Decimal;
  /** Absolute amount off the line (ACCREC invoices and quotes only). */
  discountAmount?: Decimal;
  /** Effective tax rate in percent, up to 4 dp (7.685). Ignored for NoTax documents. */
  taxRate: Decimal;
}

export interface XeroMathOptions {
  /** Default `Exclusive`, as Xero does for invoices and credit notes. */
  lineAmountTypes?: LineAmountType;
  /** Decimal places Xero keeps on UnitAmount: 2 by default in Xero, 4 with `unitdp=4` (the bridge's default). */
  unitDp?: 2 | 4;
}

export interface XeroLineTotals {
  /** The unit amount as Xero will store it (rounded to `unitDp`). */
  unitAmount: Money;
  /** 2 dp; tax-inclusive when the document is Inclusive. */
  lineAmount: Money;
  /** 2 dp, rounded per line. */
  taxAmount: Money;
}

export interface XeroDocumentTotals {
  lines: XeroLineTotals[];
  /** Sum of line amounts excluding tax. */
  subTotal: Money;
  totalTax: Money;
  total: Money;
}

export interface BaseCurrencyTotals {
  currencyRate: Money;
  subTotal: Money;
  totalTax: Money;
  total: Money;
}

const HUNDRED = new Big(100);

function percentProblems(label: string, value: Money, maxDp: number): string[] {
  const problems: string[] = [];
  if (value.lt(0) || value.gt(HUNDRED)) problems.push(`${label} ${value.toString()}% must be between 0 and 100`);
  if (decimalPlaces(value) > maxDp)
    problems.push(`${label} ${value.toString()}% has more than ${maxDp} decimal places`);
  return problems;
}

/** `amount` less `discountPercent` percent, exact (unrounded): amount × (100 − d) ÷ 100. */
export function lessDiscount(amount: Decimal, discountPercent?: Decimal): Money {
  const value = money(amount);
  if (discountPercent === undefined) return value;
  return value.times(HUNDRED.minus(money(discountPercent))).div(HUNDRED);
}

/** Tax on one line's amount, rounded to 2 dp as Xero does per line. */
export function lineTax(lineAmount: Decimal, taxRatePercent: Decimal, lineAmountTypes: LineAmountType): Money {
  const amount = money(lineAmount);
  const rate = money(taxRatePercent);
  switch (lineAmountTypes) {
    case 'NoTax':
      return new Big(0);
    case 'Exclusive':
      return round(amount.times(rate).div(HUNDRED));
    case 'Inclusive':
      return round(amount.times(rate).div(HUNDRED.plus(rate)));
  }
}

/** One line's UnitAmount, LineAmount and TaxAmount as Xero computes them. Throws on values Xero would reject. */
export function lineTotals(line: XeroMathLine, options: XeroMathOptions = {}): XeroLineTotals {
  const lineAmountTypes = options.lineAmountTypes ?? 'Exclusive';
  const unitDp = options.unitDp ?? 4;
  const quantity = money(line.quantity);
  const unitAmount = round(money(line.unitAmount), unitDp);
  const taxRate = money(line.taxRate);
  const problems: string[] = [];
  if (decimalPlaces(quantity) > 4) problems.push(`quantity ${quantity.toString()} has more than 4 decimal places`);
  problems.push(...percentProblems('tax rate', taxRate, 4));
  if (line.discountRate !== undefined && line.discountAmount !== undefined) {
    problems.push('give either a discount rate or a discount amount, not both');
  }
  let gross = quantity.times(unitAmount);
  if (line.discountRate !== undefined) {
    const discountRate = money(line.discountRate);
    problems.push(...percentProblems('discount rate', discountRate, 4));
    gross = lessDiscount(gross, discountRate);
  } else if (line.discountAmount !== undefined) {
    gross = gross.minus(money(line.discountAmount));
  }
  throwIfProblems('INVALID_INVOICE', 'Xero would reject this line', problems);
  const lineAmount = round(gross);
  return { unitAmount, lineAmount, taxAmount: lineTax(lineAmount, taxRate, lineAmountTypes) };
}

/** SubTotal, TotalTax and Total of a document, from per-line rounded tax (finance.md §1.2). */
export function documentTotals(lines: readonly XeroMathLine[], options: XeroMathOptions = {}): XeroDocumentTotals {
  const computed = lines.map((line) => lineTotals(line, options));
  const lineSum = sum(computed.map((line) => line.lineAmount));
  const totalTax = sum(computed.map((line) => line.taxAmount));
  if ((options.lineAmountTypes ?? 'Exclusive') === 'Inclusive') {
    return { lines: computed, subTotal: lineSum.minus(totalTax), totalTax, total: lineSum };
  }
  return { lines: computed, subTotal: lineSum, totalTax, total: lineSum.plus(totalTax) };
}

/**
 * How to send a source line so Xero's LineAmount equals the source total (finance.md §1.1, §6.5).
 *
 * When the unit price and quantity fit Xero's precision they go as they are. Otherwise Xero would round the
 * unit price (1000 × 0.061171 would become 1000 × 0.0612 = 61.20 instead of 61.17), so the line is collapsed to
 * Quantity 1 × the line total rounded to 2 dp, any discount folded in, and `detail` says what it stands for.
 */
export interface FittedLine {
  quantity: Money;
  unitAmount: Money;
  discountRate?: Money;
  /** True when the line was collapsed to Quantity 1. */
  collapsed: boolean;
  /** For a collapsed line, e.g. `1000 × 0.061171`: append it to the description. */
  detail?: string;
}

export function fitUnitAmount(
  quantity: Decimal,
  unitPrice: Decimal,
  discountRate?: Decimal,
  unitDp: 2 | 4 = 4,
): FittedLine {
  const q = money(quantity);
  const price = money(unitPrice);
  const rate = discountRate === undefined ? undefined : money(discountRate);
  const discounted = rate !== undefined && !rate.eq(0);
  if (decimalPlaces(price) <= unitDp && decimalPlaces(q) <= 4) {
    return discounted
      ? { quantity: q, unitAmount: price, discountRate: rate, collapsed: false }
      : { quantity: q, unitAmount: price, collapsed: false };
  }
  let total = q.times(price);
  if (discounted) total = lessDiscount(total, rate);
  const detail = `${q.toString()} × ${price.toString()}${discounted ? ` less ${rate.toString()}%` : ''}`;
  return { quantity: new Big(1), unitAmount: round(total), collapsed: true, detail };
}

/**
 * Validates and normalises a Xero CurrencyRate (foreign units per 1 base unit) to 6 dp.
 * Returns undefined when the document is in the base currency (no rate is sent) or no rate is given for a
 * foreign document (Xero then applies the XE.com day rate). Throws on a non-positive rate or a rate of exactly 1
 * on a foreign-currency document, which Xero warns corrupts multicurrency data.
 */
export function normaliseCurrencyRate(
  currencyCode: string,
  baseCurrency: string,
  currencyRate: Decimal | undefined,
): Money | undefined {
  if (currencyCode === baseCurrency) return undefined;
  if (currencyRate === undefined) return undefined;
  const rate = round(money(currencyRate), 6);
  if (rate.lte(0)) {
    throw new DomainError(
      'INVALID_CURRENCY_RATE',
      `Currency rate ${money(currencyRate).toString()} for ${currencyCode} must be positive`,
    );
  }
  if (rate.eq(1)) {
    throw new DomainError(
      'INVALID_CURRENCY_RATE',
      `Currency rate 1 for a ${currencyCode} document in a ${baseCurrency} organisation: omit the rate so Xero uses its day rate`,
    );
  }
  return rate;
}

/** A foreign amount in the tenant's base currency: amount ÷ CurrencyRate, rounded to 2 dp (finance.md §6.1). */
export function toBaseAmount(foreignAmount: Decimal, currencyRate: Decimal): Money {
  const rate = money(currencyRate);
  if (rate.lte(0)) throw new DomainError('INVALID_CURRENCY_RATE', `Currency rate ${rate.toString()} must be positive`);
  return round(money(foreignAmount).div(rate));
}

/** Document totals in the base currency, each rounded once; base SubTotal = base Total − base TotalTax. */
export function baseCurrencyTotals(
  totals: Pick<XeroDocumentTotals, 'totalTax' | 'total'>,
  currencyRate: Decimal,
): BaseCurrencyTotals {
  const rate = round(money(currencyRate), 6);
  const total = toBaseAmount(totals.total, rate);
  const totalTax = toBaseAmount(totals.totalTax, rate);
  return { currencyRate: rate, subTotal: total.minus(totalTax), totalTax, total };
}

/** Wire strings for Salesforce and Xero (2 dp amounts). */
export function totalsToWire(totals: Pick<XeroDocumentTotals, 'subTotal' | 'totalTax' | 'total'>): {
  subTotal: string;
  totalTax: string;
  total: string;
} {
  return { subTotal: toWire(totals.subTotal), totalTax: toWire(totals.totalTax), total: toWire(totals.total) };
}
