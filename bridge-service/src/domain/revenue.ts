/**
 * Revenue schedules (ASC 606 / IFRS 15, finance.md §2): how each contract line's transaction price is earned, and
 * how much of it is earned by a date or in a calendar month.
 *
 * A line's revenue is a list of segments. Signing a deal gives each line one segment; a modification stops the
 * running segments the day before it takes effect and adds one for the remainder (modification.ts); a credit note
 * for a concession adds a negative one ({@link creditNoteSegment}). The line's schedule is the sum of its segments.
 *
 * Decisions (see README.md in this folder):
 * - Methods: `daily` (default for subscriptions: every day of the inclusive service period earns the same);
 *   `monthly` (every calendar month earns the same, a part month by its days ÷ that month's days: a 1 Jan–31 Dec
 *   subscription earns 1/12 a month); `point-in-time` (all of it on the delivery date: setup, services on delivery).
 * - Cents (§6.6): cumulative rounding per segment. Recognised through a day = round(amount × weight elapsed ÷ total
 *   weight), 2 dp half away from zero; a month's revenue is the difference of two such figures, so every schedule
 *   ties to its amount with no plug and the last month takes no special rule.
 * - Weights are exact integers (a day of a month with n days weighs 377,580 ÷ n, the LCM of 28–31 over n), so no
 *   binary or decimal approximation enters before the single division and rounding.
 * - A stopped segment keeps its own amount and period for the arithmetic and simply earns nothing after its stop
 *   day, so months before a modification never change by a cent.
 */
import Big from 'big.js';

import { addDays, compareDates, daysInclusive, daysInMonth, endOfMonth, maxDate, minDate, type IsoDate } from './dates';
import { DomainError } from './errors';
import { money, round, sum, type Money } from './money';
import type { ServicePeriod } from './invoice-mapping';
import type { Decimal } from './xero-invoice-math';

export type RecognitionMethod = 'daily' | 'monthly' | 'point-in-time';

/** One part of a line's transaction price and how it is earned. */
export interface RevenueSegment {
  method: RecognitionMethod;
  /** First service day (point in time: the delivery date). */
  start: IsoDate;
  /** Last service day, inclusive (point in time: the delivery date). */
  end: IsoDate;
  /** Signed, 2 dp. */
  amount: Decimal;
  /** Earns nothing after this day (a modification took over from the next day). */
  stoppedAfter?: IsoDate;
}

/** `YYYY-MM`. */
export type MonthKey = string;

export interface MonthlyRevenue {
  month: MonthKey;
  /** Revenue recognised in the month, 2 dp. */
  amount: Money;
  /** Recognised from the first segment's start through the month's last day. */
  cumulative: Money;
}

export const monthOf = (date: IsoDate): MonthKey => date.slice(0, 7);
export const firstDayOf = (month: MonthKey): IsoDate => `${month}-01`;
export const lastDayOf = (month: MonthKey): IsoDate => endOfMonth(firstDayOf(month));
export const nextMonth = (month: MonthKey): MonthKey => monthOf(addDays(lastDayOf(month), 1));

/** Every month from `from` to `to`, inclusive. */
export function monthsBetween(from: MonthKey, to: MonthKey): MonthKey[] {
  const months: MonthKey[] = [];
  for (let m = from; m <= to; m = nextMonth(m)) months.push(m);
  return months;
}

// LCM of 28, 29, 30 and 31: a day in a month of n days weighs MONTH_UNIT / n, an integer.
const MONTH_UNIT = 377_580;

/** Integer weight of the inclusive days `from..to` under a ratable method. */
function weightOf(method: RecognitionMethod, from: IsoDate, to: IsoDate): bigint {
  if (compareDates(to, from) < 0) return 0n;
  if (method === 'daily') return BigInt(daysInclusive(from, to));
  let total = 0n;
  for (let start = from; compareDates(start, to) <= 0;) {
    const end = minDate(endOfMonth(start), to);
    const [year, month] = start.split('-').map(Number) as [number, number];
    total += BigInt(daysInclusive(start, end) * (MONTH_UNIT / daysInMonth(year, month)));
    start = addDays(end, 1);
  }
  return total;
}

function checkSegment(segment: RevenueSegment): void {
  if (compareDates(segment.end, segment.start) < 0) {
    throw new DomainError(
      'INVALID_INPUT',
      `A revenue segment ends (${segment.end}) before it starts (${segment.start})`,
    );
  }
  if (segment.method === 'point-in-time' && segment.start !== segment.end) {
    throw new DomainError(
      'INVALID_INPUT',
      `A point-in-time segment has one date, not ${segment.start} to ${segment.end}`,
    );
  }
}

/** Revenue a segment has recognised by the end of `date` (0 before it starts, the segment's total after it ends). */
export function segmentRecognisedThrough(segment: RevenueSegment, date: IsoDate): Money {
  checkSegment(segment);
  const amount = money(segment.amount);
  const through = segment.stoppedAfter ? minDate(date, segment.stoppedAfter) : date;
  if (compareDates(through, segment.start) < 0) return new Big(0);
  if (segment.method === 'point-in-time') return amount;
  const elapsed = weightOf(segment.method, segment.start, minDate(through, segment.end));
  const total = weightOf(segment.method, segment.start, segment.end);
  return round(amount.times(elapsed.toString()).div(total.toString()));
}

/** What a segment recognises in all: its amount, or what it had recognised when it was stopped. */
export function segmentTotal(segment: RevenueSegment): Money {
  return segmentRecognisedThrough(segment, segment.end);
}

/** Revenue recognised by the end of `date`, over all segments. */
export function recognisedThrough(segments: readonly RevenueSegment[], date: IsoDate): Money {
  return sum(segments.map((segment) => segmentRecognisedThrough(segment, date)));
}

/** Everything the segments will recognise. */
export function revenueTotal(segments: readonly RevenueSegment[]): Money {
  return sum(segments.map(segmentTotal));
}

/** The last day on which any segment still earns. */
export function lastRevenueDay(segments: readonly RevenueSegment[]): IsoDate | undefined {
  return segments
    .map((s) => (s.stoppedAfter ? minDate(s.stoppedAfter, s.end) : s.end))
    .reduce<IsoDate | undefined>((latest, day) => (latest === undefined ? day : maxDate(latest, day)), undefined);
}

/**
 * Monthly revenue from the first segment's month to the last's (or over `months` when given, e.g. to line a
 * schedule up with a reporting range): each month = recognised through its last day − through the month before.
 */
export function monthlySchedule(segments: readonly RevenueSegment[], months?: readonly MonthKey[]): MonthlyRevenue[] {
  if (segments.length === 0)
    return (months ?? []).map((month) => ({ month, amount: new Big(0), cumulative: new Big(0) }));
  const first = segments.map((s) => s.start).reduce((a, b) => minDate(a, b));
  const last = segments.map((s) => s.end).reduce((a, b) => maxDate(a, b));
  const range = months ?? monthsBetween(monthOf(first), monthOf(last));
  const rangeStart = range[0];
  let previous = rangeStart ? recognisedThrough(segments, addDays(firstDayOf(rangeStart), -1)) : new Big(0);
  return range.map((month) => {
    const cumulative = recognisedThrough(segments, lastDayOf(month));
    const row = { month, amount: cumulative.minus(previous), cumulative };
    previous = cumulative;
    return row;
  });
}

/**
 * Stops every segment after `lastDay` (a modification or cancellation takes over from the next day). Segments that
 * start after `lastDay` are dropped: they had earned nothing.
 */
export function stopSegmentsAfter(segments: readonly RevenueSegment[], lastDay: IsoDate): RevenueSegment[] {
  return segments
    .filter((segment) => compareDates(segment.start, lastDay) <= 0)
    .map((segment) => {
      if (compareDates(segment.end, lastDay) <= 0) return segment;
      const stop = segment.stoppedAfter ? minDate(segment.stoppedAfter, lastDay) : lastDay;
      return { ...segment, stoppedAfter: stop };
    });
}

export interface CreditNoteRevenue {
  /** Credited amount, positive, excluding tax. */
  amount: Decimal;
  /** The credit note's date. */
  date: IsoDate;
  /** The service the credit relates to; omitted = a concession on what was already delivered. */
  servicePeriod?: ServicePeriod;
  method?: Exclude<RecognitionMethod, 'point-in-time'>;
}

/**
 * The negative segments a credit note for a concession (a price reduction, not a modification) adds to the line it
 * credits. It reduces revenue over the service it credits from its own date on; the part that relates to service
 * already delivered is taken in full on the credit note's date (a cumulative catch-up), never by reopening a month.
 * A credit note that comes from a modification is not passed here: modification.ts has already re-planned revenue.
 */
export function creditNoteSegments(credit: CreditNoteRevenue): RevenueSegment[] {
  const amount = money(credit.amount);
  if (amount.lte(0)) throw new DomainError('INVALID_INPUT', 'A credit note reduces revenue by a positive amount');
  const negative = (value: Money): string => value.times(-1).toFixed(2);
  const onItsDate = (value: Money): RevenueSegment => ({
    method: 'point-in-time',
    start: credit.date,
    end: credit.date,
    amount: negative(value),
  });
  const service = credit.servicePeriod;
  if (!service || compareDates(service.end, credit.date) < 0) return [onItsDate(amount)];
  const method = credit.method ?? 'daily';
  if (compareDates(service.start, credit.date) >= 0) {
    return [{ method, start: service.start, end: service.end, amount: negative(amount) }];
  }
  const delivered = round(
    amount
      .times(weightOf(method, service.start, addDays(credit.date, -1)).toString())
      .div(weightOf(method, service.start, service.end).toString()),
  );
  const remaining: RevenueSegment = {
    method,
    start: credit.date,
    end: service.end,
    amount: negative(amount.minus(delivered)),
  };
  return delivered.eq(0) ? [remaining] : [onItsDate(delivered), remaining];
}

// ── Compatibility: the straight-line helpers wave 1 shipped (and their worked cases) ─────────────────────────────────

export interface RevenuePeriod {
  start: IsoDate;
  end: IsoDate;
  days: number;
  /** Revenue recognised in this period, 2 dp. */
  amount: Money;
  /** Revenue recognised from the service start to the end of this period, 2 dp. */
  cumulative: Money;
}

/** Monthly straight-line schedule by day for one amount over one service period, with each month's dates. */
export function straightLineSchedule(total: Decimal, service: ServicePeriod): RevenuePeriod[] {
  const segment: RevenueSegment = { method: 'daily', start: service.start, end: service.end, amount: total };
  return monthlySchedule([segment]).map(({ month, amount, cumulative }) => {
    const start = maxDate(firstDayOf(month), service.start);
    const end = minDate(lastDayOf(month), service.end);
    return { start, end, days: daysInclusive(start, end), amount, cumulative };
  });
}

/** Revenue recognised by day from the service start up to and including `asOf`. */
export function recognisedToDate(total: Decimal, service: ServicePeriod, asOf: IsoDate): Money {
  return segmentRecognisedThrough({ method: 'daily', start: service.start, end: service.end, amount: total }, asOf);
}
