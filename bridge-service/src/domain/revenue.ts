/**
 * Straight-line revenue for a subscription's service period (ASC 606 / IFRS 15 ratable recognition, finance.md §2).
 *
 * Decisions (see README.md in this folder):
 * - Convention (§6.6): by day over the inclusive service period; each calendar month (or part month) gets
 *   total × its days ÷ the period's days. Every day earns the same, so a mid-month start does not distort months.
 * - Cents (§6.6): cumulative rounding. Revenue recognised to the end of each period is rounded to 2 dp and the
 *   period's revenue is the difference from the previous cumulative figure, so the schedule always ties out to
 *   the total with no plug line (100.00 over Jan–Mar 2026 → 34.44 / 31.12 / 34.44).
 * - Balances at a date: recognised to date includes the as-of day; deferred revenue (contract liability) =
 *   billed − recognised when positive; unbilled revenue (contract asset or receivable) = recognised − billed when
 *   positive. Amounts are in the document currency; translation to a reporting currency is not done here.
 */
import Big from 'big.js';

import { addDays, compareDates, daysInclusive, endOfMonth, minDate, type IsoDate } from './dates';
import { money, round, type Money } from './money';
import type { ServicePeriod } from './invoice-mapping';
import type { Decimal } from './xero-invoice-math';

export interface RevenuePeriod {
  start: IsoDate;
  end: IsoDate;
  days: number;
  /** Revenue recognised in this period, 2 dp. */
  amount: Money;
  /** Revenue recognised from the service start to the end of this period, 2 dp. */
  cumulative: Money;
}

function recognisedAfterDays(total: Money, days: number, totalDays: number): Money {
  return round(total.times(days).div(totalDays));
}

/** Monthly straight-line schedule by day, tied out to the total by cumulative rounding. */
export function straightLineSchedule(total: Decimal, service: ServicePeriod): RevenuePeriod[] {
  const amount = money(total);
  const totalDays = daysInclusive(service.start, service.end);
  const periods: RevenuePeriod[] = [];
  let start = service.start;
  let elapsed = 0;
  let previous = new Big(0);
  while (compareDates(start, service.end) <= 0) {
    const end = minDate(endOfMonth(start), service.end);
    const days = daysInclusive(start, end);
    elapsed += days;
    const cumulative = recognisedAfterDays(amount, elapsed, totalDays);
    periods.push({ start, end, days, amount: cumulative.minus(previous), cumulative });
    previous = cumulative;
    start = addDays(end, 1);
  }
  return periods;
}

/** Revenue recognised from the service start up to and including `asOf` (0 before the start, all after the end). */
export function recognisedToDate(total: Decimal, service: ServicePeriod, asOf: IsoDate): Money {
  const amount = money(total);
  if (compareDates(asOf, service.start) < 0) return new Big(0);
  const totalDays = daysInclusive(service.start, service.end);
  return recognisedAfterDays(amount, daysInclusive(service.start, minDate(asOf, service.end)), totalDays);
}

export interface RevenueBalances {
  recognised: Money;
  /** Contract liability: billed ahead of service. */
  deferred: Money;
  /** Recognised ahead of billing. */
  unbilled: Money;
}

/** Deferred and unbilled revenue for one contract line at the end of `asOf`. */
export function revenueBalances(
  total: Decimal,
  service: ServicePeriod,
  billedToDate: Decimal,
  asOf: IsoDate,
): RevenueBalances {
  const recognised = recognisedToDate(total, service, asOf);
  const difference = money(billedToDate).minus(recognised);
  return {
    recognised,
    deferred: difference.gt(0) ? difference : new Big(0),
    unbilled: difference.lt(0) ? difference.abs() : new Big(0),
  };
}
