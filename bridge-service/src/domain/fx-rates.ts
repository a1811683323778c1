/**
 * Exchange rates for the reporting currency (finance.md §3.1, §5, §6.1, §6.2, §6.10): where each rate comes from, the
 * rate for a balance (the month's closing rate) and for a flow (the month's average), and a conversion that carries
 * its rate, rate date and source so anyone can redo it.
 *
 * Decisions (see README.md in this folder):
 * - Direction is Salesforce's: every stored rate is units of the currency per 1 unit of the corporate currency
 *   (corporate = 1). A cross rate from A to B = rate_B ÷ rate_A, units of B per 1 unit of A. A Xero CurrencyRate
 *   (foreign per 1 base, §6.1) never enters here.
 * - Source, per currency and day, the first that has one: Salesforce's dated exchange rates (DatedConversionRate,
 *   only when advanced currency management is on: the row with StartDate ≤ day, the latest such), else the org's
 *   CurrencyType rate (one rate for every day: Salesforce keeps no history of it, so its rate date is the day the
 *   bridge read it), else the package's rate table (Exchange_Rate__c: the latest Start_Date__c ≤ day). None → the
 *   currency is missing and nothing that needs it is converted.
 * - Closing rate of a month: the rate on its last day, or on the as-of day while the month is open. Average rate of
 *   a month: the mean of each day's cross rate over the month's days (to the as-of day while it is open).
 * - Precision (§6.2): the cross rate is rounded once to 6 dp, half up, and that shown rate is the one used:
 *   converted = round(amount × rate, 2).
 */
import Big from 'big.js';

import { addDays, compareDates, daysInclusive, minDate, type IsoDate } from './dates';
import { DomainError } from './errors';
import { money, round, type Money } from './money';
import type { Decimal } from './xero-invoice-math';

export type RateSource = 'corporate' | 'dated' | 'static' | 'package';

/** A rate row: units of `currency` per 1 unit of the corporate currency. */
export interface DatedRateRow {
  currency: string;
  rate: Decimal;
  /** DatedConversionRate.StartDate, Exchange_Rate__c.Start_Date__c. */
  startDate: IsoDate;
}

export interface RateBook {
  corporateCurrency: string;
  /** Advanced currency management is on: dated rates are used. */
  advancedCurrencyManagement: boolean;
  /** DatedConversionRate rows. */
  dated: readonly DatedRateRow[];
  /** CurrencyType rows (active currencies). */
  static: readonly { currency: string; rate: Decimal }[];
  /** The day the bridge read CurrencyType: a static rate's rate date. */
  staticReadOn: IsoDate;
  /** The package's rate table (Exchange_Rate__c). */
  table: readonly DatedRateRow[];
}

/** One currency's rate against the corporate currency on one day, and where it came from. */
export interface DayRate {
  currency: string;
  rate: Money;
  /** The rate's own date: its start date (dated, table), the day it was read (static), the day asked (corporate). */
  rateDate: IsoDate;
  source: RateSource;
}

export type RateKind = 'closing' | 'average';

/** A cross rate as a converted figure carries it. */
export interface FxRate {
  from: string;
  to: string;
  kind: RateKind;
  /** Units of `to` per 1 unit of `from`, 6 dp: the rate used. */
  rate: Money;
  /** Closing: the oldest rate date of the two legs. Average: the last day averaged. */
  rateDate: IsoDate;
  /** Average: the days averaged. */
  period?: { start: IsoDate; end: IsoDate };
  /** Every source that went into it, strongest first. */
  sources: RateSource[];
}

const SOURCE_ORDER: readonly RateSource[] = ['corporate', 'dated', 'static', 'package'];
const RATE_DP = 6;

const code = (currency: string) => currency.trim().toUpperCase();

function latestOnOrBefore(rows: readonly DatedRateRow[], currency: string, day: IsoDate): DatedRateRow | undefined {
  let best: DatedRateRow | undefined;
  for (const row of rows) {
    if (code(row.currency) !== currency || compareDates(row.startDate, day) > 0) continue;
    if (!best || compareDates(row.startDate, best.startDate) > 0) best = row;
  }
  return best;
}

/** Every problem with a rate book at once (a rate that is not above zero, a corporate currency with a rate row). */
export function rateBookProblems(book: RateBook): string[] {
  const problems: string[] = [];
  const corporate = code(book.corporateCurrency);
  const rows = [
    ...book.dated.map((r) => ({ ...r, where: `dated rate ${code(r.currency)} from ${r.startDate}` })),
    ...book.static.map((r) => ({ ...r, where: `CurrencyType ${code(r.currency)}` })),
    ...book.table.map((r) => ({ ...r, where: `rate table ${code(r.currency)} from ${r.startDate}` })),
  ];
  for (const row of rows) {
    if (!money(row.rate).gt(0)) problems.push(`${row.where}: the rate must be above zero`);
    if (code(row.currency) === corporate && !money(row.rate).eq(1)) {
      problems.push(`${row.where}: the corporate currency's rate is always 1`);
    }
  }
  return problems;
}

/** The currency's rate against the corporate currency on `day`, from the first source that has one. */
export function rateOn(book: RateBook, currency: string, day: IsoDate): DayRate | undefined {
  const iso = code(currency);
  if (iso === code(book.corporateCurrency))
    return { currency: iso, rate: new Big(1), rateDate: day, source: 'corporate' };
  if (book.advancedCurrencyManagement) {
    const dated = latestOnOrBefore(book.dated, iso, day);
    if (dated) return { currency: iso, rate: money(dated.rate), rateDate: dated.startDate, source: 'dated' };
  }
  const fixed = book.static.find((row) => code(row.currency) === iso);
  if (fixed) return { currency: iso, rate: money(fixed.rate), rateDate: book.staticReadOn, source: 'static' };
  const table = latestOnOrBefore(book.table, iso, day);
  if (table) return { currency: iso, rate: money(table.rate), rateDate: table.startDate, source: 'package' };
  return undefined;
}

const sortSources = (sources: Iterable<RateSource>): RateSource[] =>
  [...new Set(sources)].sort((a, b) => SOURCE_ORDER.indexOf(a) - SOURCE_ORDER.indexOf(b));

/** Units of `to` per 1 unit of `from` on `day` (6 dp), or undefined when either currency has no rate that day. */
export function closingRate(book: RateBook, from: string, to: string, day: IsoDate): FxRate | undefined {
  const a = rateOn(book, from, day);
  const b = rateOn(book, to, day);
  if (!a || !b) return undefined;
  const legs = code(from) === code(to) ? [a] : [a, b];
  return {
    from: code(from),
    to: code(to),
    kind: 'closing',
    rate: code(from) === code(to) ? new Big(1) : round(b.rate.div(a.rate), RATE_DP),
    rateDate: legs.map((l) => l.rateDate).reduce((x, y) => minDate(x, y)),
    sources: sortSources(legs.map((l) => l.source)),
  };
}

/** The mean of the daily cross rates over `start..end` (6 dp), or undefined when any day lacks a rate. */
export function averageRate(
  book: RateBook,
  from: string,
  to: string,
  start: IsoDate,
  end: IsoDate,
): FxRate | undefined {
  const days = daysInclusive(start, end);
  let total = new Big(0);
  const sources: RateSource[] = [];
  for (let day = start; compareDates(day, end) <= 0; day = addDays(day, 1)) {
    const a = rateOn(book, from, day);
    const b = rateOn(book, to, day);
    if (!a || !b) return undefined;
    total = total.plus(b.rate.div(a.rate));
    sources.push(a.source, b.source);
  }
  const same = code(from) === code(to);
  return {
    from: code(from),
    to: code(to),
    kind: 'average',
    rate: same ? new Big(1) : round(total.div(days), RATE_DP),
    rateDate: end,
    period: { start, end },
    sources: same ? sortSources([sources[0] as RateSource]) : sortSources(sources),
  };
}

/** `amount` in the rate's `to` currency: round(amount × rate, 2). */
export function convertAt(amount: Decimal, rate: FxRate): Money {
  return round(money(amount).times(rate.rate));
}

/** The source that says least about a figure's rates: package < static < dated < corporate. */
export function weakestSource(sources: Iterable<RateSource>): RateSource | undefined {
  return sortSources(sources).at(-1);
}

/** Reporting currency: the configured one (Ledgerline_Settings__c), else the corporate currency. */
export function reportingCurrency(configured: string | null | undefined, corporateCurrency: string): string {
  const chosen = configured?.trim() ? code(configured) : code(corporateCurrency);
  if (!/^[A-Z]{3}$/.test(chosen)) {
    throw new DomainError('INVALID_CURRENCY_RATE', `Reporting currency "${chosen}" is not an ISO currency code`);
  }
  return chosen;
}
