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
 * - Precision (§6.2: store rates to 6 dp, round once to 2 dp): a conversion uses the stored rates themselves,
 *   converted = round(amount × rate_B ÷ rate_A, 2), one division, rounded once, half away from zero (for an average,
 *   amount × the exact mean of the daily rate_B ÷ rate_A). The cross rate is never rounded before it is used: a
 *   weak currency's cross rate rounded to 6 dp keeps 2–4 significant figures (1 ÷ 20,512.34 IDR per GBP = 0.000049),
 *   which puts 1,000,000,000 IDR at 49,000.00 GBP instead of 48,751.14. The rate shown with a figure (`rate`) is the
 *   exact one to 6 dp, or to 6 significant figures where 6 dp would show fewer (0.0000487511).
 */
import Big from 'big.js';

import { addDays, compareDates, minDate, type IsoDate } from './dates';
import { DomainError } from './errors';
import { decimalPlaces, money, round, type Money } from './money';
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
  /** Units of `to` per 1 unit of `from` as shown: 6 dp, or 6 significant figures where 6 dp shows fewer. */
  rate: Money;
  /**
   * The exact rate, numerator ÷ denominator, that every conversion uses (`convertAt`): rate_B and rate_A for a
   * closing rate, the mean of the daily rate_B ÷ rate_A as one fraction for an average.
   */
  exact: { numerator: Money; denominator: Money };
  /** Closing: the oldest rate date of the two legs. Average: the last day averaged. */
  rateDate: IsoDate;
  /** Average: the days averaged. */
  period?: { start: IsoDate; end: IsoDate };
  /** Every source that went into it, strongest first. */
  sources: RateSource[];
}

const SOURCE_ORDER: readonly RateSource[] = ['corporate', 'dated', 'static', 'package'];
/** A shown rate: at least 6 dp and at least 6 significant figures. */
const SHOWN_DP = 6;
const SHOWN_FIGURES = 6;

/**
 * Division truncated at 30 dp: rounding that once, half up, to fewer places is the exact quotient rounded half up
 * (the truncation can neither make nor break a tie), so a conversion is rounded once whatever the rates.
 */
const Truncating = Big();
Truncating.DP = 30;
Truncating.RM = Big.roundDown;
const quotient = (numerator: Money, denominator: Money): Money =>
  new Big(new Truncating(numerator).div(new Truncating(denominator)));

/** The rate as shown: numerator ÷ denominator to 6 dp, or to 6 significant figures where 6 dp shows fewer. */
function shownRate(numerator: Money, denominator: Money): Money {
  const exact = quotient(numerator, denominator);
  if (exact.eq(0)) return exact;
  return round(exact, Math.max(SHOWN_DP, SHOWN_FIGURES - 1 - exact.e));
}

/** Σ b_i ÷ a_i over days, ÷ the days, as one exact fraction (a common denominator: the product of the distinct a). */
function meanRatio(days: readonly { a: Money; b: Money }[]): { numerator: Money; denominator: Money } {
  const byA = new Map<string, { a: Money; b: Money }>();
  for (const { a, b } of days) {
    const key = a.toString();
    const entry = byA.get(key);
    byA.set(key, { a, b: entry ? entry.b.plus(b) : b });
  }
  const groups = [...byA.values()];
  const product = (skip: number) => groups.reduce((p, g, k) => (k === skip ? p : p.times(g.a)), new Big(1));
  return {
    numerator: groups.reduce((n, g, k) => n.plus(g.b.times(product(k))), new Big(0)),
    denominator: product(-1).times(days.length),
  };
}

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

/** Units of `to` per 1 unit of `from` on `day` (rate_B ÷ rate_A), or undefined when either has no rate that day. */
export function closingRate(book: RateBook, from: string, to: string, day: IsoDate): FxRate | undefined {
  const a = rateOn(book, from, day);
  const b = rateOn(book, to, day);
  if (!a || !b) return undefined;
  const same = code(from) === code(to);
  const legs = same ? [a] : [a, b];
  const exact = same ? { numerator: new Big(1), denominator: new Big(1) } : { numerator: b.rate, denominator: a.rate };
  return {
    from: code(from),
    to: code(to),
    kind: 'closing',
    rate: shownRate(exact.numerator, exact.denominator),
    exact,
    rateDate: legs.map((l) => l.rateDate).reduce((x, y) => minDate(x, y)),
    sources: sortSources(legs.map((l) => l.source)),
  };
}

/** The mean of the daily cross rates over `start..end` (exact), or undefined when any day lacks a rate. */
export function averageRate(
  book: RateBook,
  from: string,
  to: string,
  start: IsoDate,
  end: IsoDate,
): FxRate | undefined {
  const days: { a: Money; b: Money }[] = [];
  const sources: RateSource[] = [];
  for (let day = start; compareDates(day, end) <= 0; day = addDays(day, 1)) {
    const a = rateOn(book, from, day);
    const b = rateOn(book, to, day);
    if (!a || !b) return undefined;
    days.push({ a: a.rate, b: b.rate });
    sources.push(a.source, b.source);
  }
  const same = code(from) === code(to);
  const exact = same ? { numerator: new Big(1), denominator: new Big(1) } : meanRatio(days);
  return {
    from: code(from),
    to: code(to),
    kind: 'average',
    rate: shownRate(exact.numerator, exact.denominator),
    exact,
    rateDate: end,
    period: { start, end },
    sources: same ? sortSources([sources[0] as RateSource]) : sortSources(sources),
  };
}

/** The shown rate as text: 6 dp (1.000000, 0.790514), or more where 6 significant figures need them (0.0000487511). */
export function rateText(rate: FxRate): string {
  return rate.rate.toFixed(Math.max(SHOWN_DP, decimalPlaces(rate.rate)));
}

/** `amount` in the rate's `to` currency: round(amount × numerator ÷ denominator, 2), rounded once. */
export function convertAt(amount: Decimal, rate: FxRate): Money {
  return round(quotient(money(amount).times(rate.exact.numerator), rate.exact.denominator));
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
