/**
 * Billing terms, the periods they cut a contract into, and how an amount is spread over those periods to the cent.
 *
 * Decisions (see README.md in this folder):
 * - Frequencies: upfront (one period: the whole term), annual, quarterly, monthly. Timing: in advance (a piece is
 *   issued on its first service day) or in arrears (on the day after its last service day).
 * - Alignment: anniversary (periods start on the contract start and every 12/3/1 months after it, counted from the
 *   start so 31 Jan → 28 Feb → 31 Mar) or calendar (periods start on the 1st of the month, of Jan/Apr/Jul/Oct, or of
 *   January; `billingDay` 1–28 moves that day, as Revenue Cloud's DayOfPeriod). Calendar alignment gives a first
 *   partial period from the contract start to the next boundary, and a last one to the contract end.
 * - A full period weighs 1, whatever its days (a leap year bills like any other). A partial period weighs its
 *   proration against the full period it belongs to (proration.ts; `daily` by default: its days ÷ the period's
 *   actual days, e.g. 8/31; `monthly-daily`: whole months + days × 12/365 over the period's months).
 * - Remainder rule: cumulative rounding. Piece i = round(A × W_i ÷ W) − round(A × W_{i−1} ÷ W), where W_i is the
 *   weight of pieces 1..i and W the total, so the pieces always sum to A and no piece is a plug.
 * - Weights are exact fractions (BigInt), so the only rounding is the one per piece.
 */
import Big from 'big.js';

import { addDays, addMonths, compareDates, maxDate, minDate, type IsoDate } from './dates';
import { DomainError } from './errors';
import { round, type Money } from './money';
import { prorateFraction, type ProrationMethod } from './proration';
import type { ServicePeriod } from './invoice-mapping';

export type BillingFrequency = 'upfront' | 'annual' | 'quarterly' | 'monthly';
export type BillingTiming = 'advance' | 'arrears';
export type BillingAlignment = 'anniversary' | 'calendar';

export interface BillingTerms {
  frequency: BillingFrequency;
  timing: BillingTiming;
  alignment: BillingAlignment;
  /** Calendar alignment: the day of the month periods start on (1–28). Default 1. */
  billingDay?: number;
  /** How a partial period is weighed against a full one. Default `daily`. */
  proration?: ProrationMethod;
}

/** What a deal gets when nothing is set anywhere: one invoice for the whole term, at its start (wave 1 behaviour). */
export const PACKAGE_DEFAULT_TERMS: Readonly<BillingTerms> = {
  frequency: 'upfront',
  timing: 'advance',
  alignment: 'anniversary',
};

const MONTHS_PER_PERIOD: Record<Exclude<BillingFrequency, 'upfront'>, number> = {
  annual: 12,
  quarterly: 3,
  monthly: 1,
};

/** A billing period (full length; a contract's first and last pieces may cover only part of one). */
export type BillingPeriod = ServicePeriod;

/** An exact fraction. */
export interface Ratio {
  n: bigint;
  d: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
function ratio(n: bigint, d: bigint): Ratio {
  if (d === 0n) throw new RangeError('ratio with a zero denominator');
  const g = gcd(n, d) || 1n;
  return d < 0n ? { n: -n / g, d: -d / g } : { n: n / g, d: d / g };
}
const addRatio = (a: Ratio, b: Ratio): Ratio => ratio(a.n * b.d + b.n * a.d, a.d * b.d);
const bigInt = (value: Big): bigint => BigInt(value.toFixed(0));

/** A terminating decimal (an amount, an SSP value) as an exact fraction. */
export function ratioOf(value: Big): Ratio {
  const [whole, fraction = ''] = value.toFixed().split('.');
  return ratio(BigInt(`${whole ?? '0'}${fraction}`), 10n ** BigInt(fraction.length));
}

function checkTerms(terms: BillingTerms): void {
  const day = terms.billingDay ?? 1;
  if (!Number.isInteger(day) || day < 1 || day > 28) {
    throw new DomainError('INVALID_INPUT', `The billing day must be a whole day from 1 to 28, not ${day}`);
  }
}

/** First day of the calendar-aligned period that contains `date`. */
function calendarPeriodStart(date: IsoDate, step: number, billingDay: number): IsoDate {
  let start = `${date.slice(0, 8)}${String(billingDay).padStart(2, '0')}`;
  if (compareDates(start, date) > 0) start = addMonths(start, -1);
  return addMonths(start, -((Number(start.slice(5, 7)) - 1) % step));
}

/**
 * The plan's billing periods, from the period holding `anchor.start` (the contract start) until they reach
 * `through` (the last service day of any line, which an extension can move past the original end).
 */
export function billingPeriods(anchor: ServicePeriod, terms: BillingTerms, through: IsoDate): BillingPeriod[] {
  checkTerms(terms);
  if (terms.frequency === 'upfront') return [{ start: anchor.start, end: maxDate(anchor.end, through) }];
  const step = MONTHS_PER_PERIOD[terms.frequency];
  const first =
    terms.alignment === 'calendar' ? calendarPeriodStart(anchor.start, step, terms.billingDay ?? 1) : anchor.start;
  const periods: BillingPeriod[] = [];
  for (let k = 0; ; k++) {
    const start = addMonths(first, k * step);
    if (compareDates(start, through) > 0) break;
    periods.push({ start, end: addDays(addMonths(first, (k + 1) * step), -1) });
  }
  return periods;
}

/** The weight of `piece` (part or all of `period`): 1 when it is the whole period, else its proration. */
export function pieceWeight(piece: ServicePeriod, period: BillingPeriod, method: ProrationMethod = 'daily'): Ratio {
  if (piece.start === period.start && piece.end === period.end) return { n: 1n, d: 1n };
  const part = prorateFraction(piece.start, piece.end, { method });
  const whole = prorateFraction(period.start, period.end, { method });
  return ratio(bigInt(part.numerator) * bigInt(whole.denominator), bigInt(part.denominator) * bigInt(whole.numerator));
}

/** `amount` spread over `weights` by cumulative rounding: the parts sum to `amount` exactly. */
export function allocate(amount: Money, weights: readonly Ratio[]): Money[] {
  const total = weights.reduce(addRatio, { n: 0n, d: 1n });
  if (total.n === 0n) {
    if (weights.length === 0 || !amount.eq(0))
      throw new DomainError('INVALID_INPUT', 'Nothing to spread the amount over');
    return weights.map(() => new Big(0));
  }
  let cumulative: Ratio = { n: 0n, d: 1n };
  let previous = new Big(0);
  return weights.map((weight) => {
    cumulative = addRatio(cumulative, weight);
    const share = ratio(cumulative.n * total.d, cumulative.d * total.n);
    const rounded = round(amount.times(share.n.toString()).div(share.d.toString()));
    const part = rounded.minus(previous);
    previous = rounded;
    return part;
  });
}

/** Where a piece of service falls in the periods: each intersection with its weight. */
export function piecesOf(
  service: ServicePeriod,
  periods: readonly BillingPeriod[],
  method: ProrationMethod = 'daily',
): { period: BillingPeriod; piece: ServicePeriod; weight: Ratio }[] {
  return periods
    .filter((period) => compareDates(period.end, service.start) >= 0 && compareDates(period.start, service.end) <= 0)
    .map((period) => {
      const piece = { start: maxDate(period.start, service.start), end: minDate(period.end, service.end) };
      return { period, piece, weight: pieceWeight(piece, period, method) };
    });
}
