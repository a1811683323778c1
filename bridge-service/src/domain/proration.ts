/**
 * Subscription proration in the manner of Salesforce CPQ's Subscription Prorate Precision (finance.md §3.2).
 *
 * Decisions (see README.md in this folder):
 * - Service periods are inclusive of both dates (§6.8): 1 Jan to 31 Dec is 365 days, 1 Jul to 31 Dec 184.
 * - Default method `daily` (CPQ "Day"): multiplier = days ÷ (365 × term months ÷ 12). Like CPQ, the day basis
 *   is 365 even in a leap year, so a full leap year is 366/365 of the annual price; callers invoicing a whole
 *   term use the term price, proration is for partial terms.
 * - `monthly-daily` (CPQ "Monthly + Daily", the setting): (whole months + remaining days × 12/365) ÷ term months,
 *   e.g. 4 months 8 days = (4 + 8/(365/12))/12 = 0.3553. Whole months are counted on the anniversary of the start
 *   date, clamped to month end (31 Jan + 1 month = 28 Feb).
 * - `monthly` (CPQ "Month"): whole months, a partial month rounded up, ÷ term months (1 Jan 2017 to 10 Jan 2018 is 13).
 * - Precision (§6.7): the multiplier is exact by default (big.js, 20 significant decimals) and only the resulting
 *   amount is rounded, once, to 2 dp. `multiplierDp: 4` reproduces CPQ's displayed 4-dp multiplier when an org
 *   prices with it; the two can differ by cents on large amounts.
 */
import Big from 'big.js';

import { addDays, addMonths, compareDates, daysBetween, daysInclusive, type IsoDate } from './dates';
import { DomainError } from './errors';
import { money, round, type Money } from './money';
import type { Decimal } from './xero-invoice-math';

export type ProrationMethod = 'daily' | 'monthly-daily' | 'monthly';

export interface ProrationOptions {
  /** Default `daily`. */
  method?: ProrationMethod;
  /** CPQ Default Subscription Term in months; blank is 12. The price being prorated is the price of this term. */
  termMonths?: number;
  /** Round the multiplier to this many places before pricing (CPQ displays 4). Default: exact. */
  multiplierDp?: number;
}

const DAYS_PER_YEAR = new Big(365);

/** Whole anniversary months in the inclusive period and the days left over. */
export function wholeMonthsAndDays(start: IsoDate, end: IsoDate): { months: number; days: number } {
  const total = daysInclusive(start, end);
  const dayAfterEnd = addDays(end, 1);
  // A first guess from the calendar, then step to the exact anniversary count.
  let months = Math.max(0, Math.floor(total / 31));
  while (compareDates(addMonths(start, months + 1), dayAfterEnd) <= 0) months++;
  while (months > 0 && compareDates(addMonths(start, months), dayAfterEnd) > 0) months--;
  return { months, days: daysBetween(addMonths(start, months), dayAfterEnd) };
}

/** The Prorate Multiplier as an exact fraction, so prices can be multiplied first and divided last. */
export interface ProrateFraction {
  numerator: Money;
  denominator: Money;
}

/** The Prorate Multiplier for an inclusive service period as a fraction of one default term. */
export function prorateFraction(start: IsoDate, end: IsoDate, options: ProrationOptions = {}): ProrateFraction {
  const termMonths = options.termMonths ?? 12;
  if (!Number.isInteger(termMonths) || termMonths <= 0) {
    throw new DomainError(
      'INVALID_INPUT',
      `The default subscription term must be a whole number of months, not ${termMonths}`,
    );
  }
  const method = options.method ?? 'daily';
  if (method === 'daily') {
    // days ÷ (365 × term/12) = days × 12 ÷ (365 × term)
    return { numerator: new Big(daysInclusive(start, end) * 12), denominator: DAYS_PER_YEAR.times(termMonths) };
  }
  const { months, days } = wholeMonthsAndDays(start, end);
  if (method === 'monthly-daily') {
    // (months + days × 12/365) ÷ term = (months × 365 + days × 12) ÷ (365 × term)
    return { numerator: new Big(months * 365 + days * 12), denominator: DAYS_PER_YEAR.times(termMonths) };
  }
  return { numerator: new Big(months + (days > 0 ? 1 : 0)), denominator: new Big(termMonths) };
}

/** The Prorate Multiplier as a decimal (exact to 20 places, or rounded to `multiplierDp`). */
export function prorateMultiplier(start: IsoDate, end: IsoDate, options: ProrationOptions = {}): Money {
  const { numerator, denominator } = prorateFraction(start, end, options);
  const multiplier = numerator.div(denominator);
  return options.multiplierDp === undefined ? multiplier : round(multiplier, options.multiplierDp);
}

/** `amount` × the multiplier: multiplied first, divided last, unrounded (or with the multiplier rounded first). */
export function applyProration(amount: Decimal, start: IsoDate, end: IsoDate, options: ProrationOptions = {}): Money {
  if (options.multiplierDp !== undefined) return money(amount).times(prorateMultiplier(start, end, options));
  const { numerator, denominator } = prorateFraction(start, end, options);
  return money(amount).times(numerator).div(denominator);
}

/** A term price prorated over an inclusive service period, rounded once to 2 dp. */
export function proratePrice(termPrice: Decimal, start: IsoDate, end: IsoDate, options: ProrationOptions = {}): Money {
  return round(applyProration(termPrice, start, end, options));
}
