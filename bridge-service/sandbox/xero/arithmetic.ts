import Big from 'big.js';

/** How exact midpoints round; Xero's published example (4.545 -> 4.55) shows half away from zero. */
export type MidpointRounding = 'half-up' | 'half-even';

export type LineAmountTypes = 'Exclusive' | 'Inclusive' | 'NoTax';

export interface LineInput {
  quantity?: Big;
  unitAmount?: Big;
  lineAmount?: Big;
  discountRate?: Big;
  discountAmount?: Big;
  /** A caller-supplied tax amount overrides the calculated one (Xero allows it). */
  taxAmount?: Big;
  /** Percentage, e.g. 20 for 20 %. */
  taxRate: Big;
}

export interface LineResult {
  quantity: Big;
  unitAmount: Big;
  lineAmount: Big;
  taxAmount: Big;
  discountRate?: Big;
  discountAmount?: Big;
  /** Quantity x UnitAmount before any discount, 2 dp. */
  grossAmount: Big;
}

export interface Totals {
  subTotal: Big;
  totalTax: Big;
  total: Big;
  totalDiscount: Big;
}

export interface MathOptions {
  lineAmountTypes: LineAmountTypes;
  /** Decimal places kept on UnitAmount: 2 by default, 4 with `?unitdp=4`. */
  unitdp: 2 | 4;
  rounding: MidpointRounding;
}

const HUNDRED = new Big(100);

function mode(rounding: MidpointRounding): 1 | 2 {
  return rounding === 'half-even' ? Big.roundHalfEven : Big.roundHalfUp;
}

/** Rounds an amount to 2 dp with the configured midpoint rule. */
export function round2(value: Big, rounding: MidpointRounding): Big {
  return value.round(2, mode(rounding));
}

/**
 * One line as Xero computes it: UnitAmount kept to `unitdp`, Quantity to 4 dp, LineAmount =
 * Quantity x UnitAmount less discount (2 dp), tax per line rounded to 2 dp. A missing Quantity or
 * UnitAmount is derived from LineAmount. Returns an error message instead of throwing.
 */
export function computeLine(input: LineInput, options: MathOptions): LineResult | { error: string } {
  const rm = mode(options.rounding);
  if (input.discountRate !== undefined && input.discountAmount !== undefined) {
    return { error: 'Only one of DiscountRate or DiscountAmount may be specified for a line item.' };
  }
  if (input.discountRate !== undefined && (input.discountRate.lt(0) || input.discountRate.gt(100))) {
    return { error: 'DiscountRate must be between 0 and 100.' };
  }
  const factor = input.discountRate ? HUNDRED.minus(input.discountRate).div(HUNDRED) : new Big(1);
  let quantity = input.quantity?.round(4, rm);
  let unitAmount = input.unitAmount?.round(options.unitdp, rm);

  if (input.lineAmount !== undefined && (quantity === undefined || unitAmount === undefined)) {
    const target = input.lineAmount.round(2, rm).plus(input.discountAmount ?? 0);
    if (quantity === undefined && unitAmount === undefined) {
      quantity = new Big(1);
      unitAmount = factor.eq(0) ? new Big(0) : target.div(factor).round(options.unitdp, rm);
    } else if (unitAmount === undefined) {
      const q = quantity as Big;
      unitAmount = q.eq(0) || factor.eq(0) ? new Big(0) : target.div(q.times(factor)).round(options.unitdp, rm);
    } else {
      quantity = unitAmount.eq(0) || factor.eq(0) ? new Big(0) : target.div(unitAmount.times(factor)).round(4, rm);
    }
  }
  quantity ??= new Big(1);
  unitAmount ??= new Big(0);

  const grossAmount = quantity.times(unitAmount).round(2, rm);
  let lineAmount: Big;
  if (input.discountAmount !== undefined) {
    lineAmount = quantity.times(unitAmount).minus(input.discountAmount).round(2, rm);
  } else {
    lineAmount = quantity.times(unitAmount).times(factor).round(2, rm);
  }
  if (input.lineAmount !== undefined && input.quantity !== undefined && input.unitAmount !== undefined) {
    if (!input.lineAmount.round(2, rm).eq(lineAmount)) {
      return { error: 'The LineAmount must equal Quantity x UnitAmount less any discount.' };
    }
  }

  let taxAmount: Big;
  if (options.lineAmountTypes === 'NoTax') {
    taxAmount = new Big(0);
  } else if (input.taxAmount !== undefined) {
    taxAmount = input.taxAmount.round(2, rm);
  } else if (options.lineAmountTypes === 'Inclusive') {
    taxAmount = lineAmount.times(input.taxRate).div(HUNDRED.plus(input.taxRate)).round(2, rm);
  } else {
    taxAmount = lineAmount.times(input.taxRate).div(HUNDRED).round(2, rm);
  }

  const result: LineResult = { quantity, unitAmount, lineAmount, taxAmount, grossAmount };
  if (input.discountRate !== undefined) result.discountRate = input.discountRate;
  if (input.discountAmount !== undefined) result.discountAmount = input.discountAmount.round(2, rm);
  return result;
}

/** Document totals: per-line tax already rounded, summed; Inclusive lines carry their tax inside. */
export function computeTotals(lines: readonly LineResult[], lineAmountTypes: LineAmountTypes): Totals {
  const zero = new Big(0);
  const lineSum = lines.reduce((total, line) => total.plus(line.lineAmount), zero);
  const totalTax = lines.reduce((total, line) => total.plus(line.taxAmount), zero);
  const totalDiscount = lines.reduce((total, line) => total.plus(line.grossAmount.minus(line.lineAmount)), zero);
  const subTotal = lineAmountTypes === 'Inclusive' ? lineSum.minus(totalTax) : lineSum;
  return { subTotal, totalTax, total: subTotal.plus(totalTax), totalDiscount };
}

/** A foreign amount in base currency: CurrencyRate is foreign units per one base unit (finance §1.3). */
export function toBase(foreignAmount: Big, currencyRate: Big, rounding: MidpointRounding): Big {
  if (currencyRate.eq(0)) return new Big(0);
  return round2(foreignAmount.div(currencyRate), rounding);
}
