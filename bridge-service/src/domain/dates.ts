/**
 * Calendar dates as ISO `YYYY-MM-DD` strings: the only date type the finance domain takes or returns.
 *
 * Pure: nothing here reads the clock. Callers pass "today" in. Arithmetic runs on UTC day numbers, so
 * time zones and daylight saving cannot shift a date. Service periods are inclusive of both ends
 * (finance.md §6.8): `daysInclusive('2026-01-01', '2026-01-01') === 1`.
 */

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

interface Ymd {
  year: number;
  month: number; // 1-12
  day: number;
}

/**
 * Dates already read, by their text: a KPI refresh compares the same few thousand dates millions of times, and reading
 * one (a regular expression, a calendar check, Date.UTC) was most of its CPU. Only valid dates are kept; the map is
 * emptied when it reaches PARSED_MAX, which bounds its memory whatever the input.
 */
const parsed = new Map<IsoDate, Readonly<Ymd & { dayNumber: number }>>();
const PARSED_MAX = 100_000;

function parse(date: IsoDate, label = 'date'): Readonly<Ymd & { dayNumber: number }> {
  const known = parsed.get(date);
  if (known) return known;
  const match = ISO_DATE.exec(date);
  if (!match) throw new RangeError(`${label} "${date}" is not an ISO date (YYYY-MM-DD)`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`${label} "${date}" is not a calendar date`);
  }
  if (parsed.size >= PARSED_MAX) parsed.clear();
  const ymd = Object.freeze({ year, month, day, dayNumber: Date.UTC(year, month - 1, day) / MS_PER_DAY });
  parsed.set(date, ymd);
  return ymd;
}

function format({ year, month, day }: Ymd): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function dayNumber(date: IsoDate, label?: string): number {
  return parse(date, label).dayNumber;
}

function fromDayNumber(n: number): IsoDate {
  const d = new Date(n * MS_PER_DAY);
  return format({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

/** Throws unless `date` is a real calendar date in ISO form; returns it unchanged. */
export function assertIsoDate(date: IsoDate, label = 'date'): IsoDate {
  parse(date, label);
  return date;
}

/** True when `date` is a real calendar date in ISO form. */
export function isIsoDate(date: unknown): date is IsoDate {
  if (typeof date !== 'string') return false;
  try {
    parse(date);
    return true;
  } catch {
    return false;
  }
}

/** Number of days in a month (month 1-12). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Gregorian: every fourth year, but not centuries unless divisible by 400. */
const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** `date` plus `days` (negative to go back). */
export function addDays(date: IsoDate, days: number): IsoDate {
  if (!Number.isInteger(days)) throw new RangeError(`addDays: ${days} is not a whole number of days`);
  return fromDayNumber(dayNumber(date) + days);
}

/**
 * `date` plus whole calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb),
 * the anniversary convention CPQ uses for month terms.
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  if (!Number.isInteger(months)) throw new RangeError(`addMonths: ${months} is not a whole number of months`);
  const { year, month, day } = parse(date);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return format({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}

/** `to − from` in days (0 when equal; negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return dayNumber(to, 'to') - dayNumber(from, 'from');
}

/** Days in the inclusive period `start..end` (both days count). Throws if `end` is before `start`. */
export function daysInclusive(start: IsoDate, end: IsoDate): number {
  const days = daysBetween(start, end) + 1;
  if (days < 1) throw new RangeError(`period ${start} to ${end} ends before it starts`);
  return days;
}

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareDates(a: IsoDate, b: IsoDate): number {
  return dayNumber(a) - dayNumber(b);
}

/** The later of two dates. */
export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return compareDates(a, b) >= 0 ? a : b;
}

/** The earlier of two dates. */
export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return compareDates(a, b) <= 0 ? a : b;
}

/** Last day of the month `date` falls in. */
export function endOfMonth(date: IsoDate): IsoDate {
  const { year, month } = parse(date);
  return format({ year, month, day: daysInMonth(year, month) });
}

/** `12 Jan 2027`: the unambiguous day-month-year form used in summaries for finance users. */
export function formatDisplayDate(date: IsoDate): string {
  const { year, month, day } = parse(date);
  return `${day} ${MONTHS[month - 1] ?? ''} ${year}`;
}
