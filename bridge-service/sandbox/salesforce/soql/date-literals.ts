/** SOQL date literals (TODAY, LAST_N_DAYS:n, THIS_MONTH, ...) as [start, end) ranges in UTC (the org's time zone). */
const DAY = 86_400_000;

function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

function monthStart(ms: number, offset: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1);
}

function quarterStart(ms: number, offset: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3 + offset * 3, 1);
}

function yearStart(ms: number, offset: number): number {
  return Date.UTC(new Date(ms).getUTCFullYear() + offset, 0, 1);
}

/** Weeks start on Sunday, as in the en_US locale. */
function weekStart(ms: number, offset: number): number {
  const today = startOfDay(ms);
  return today - new Date(today).getUTCDay() * DAY + offset * 7 * DAY;
}

const FIXED: Record<string, (now: number) => [number, number]> = {
  TODAY: (n) => [startOfDay(n), startOfDay(n) + DAY],
  YESTERDAY: (n) => [startOfDay(n) - DAY, startOfDay(n)],
  TOMORROW: (n) => [startOfDay(n) + DAY, startOfDay(n) + 2 * DAY],
  LAST_WEEK: (n) => [weekStart(n, -1), weekStart(n, 0)],
  THIS_WEEK: (n) => [weekStart(n, 0), weekStart(n, 1)],
  NEXT_WEEK: (n) => [weekStart(n, 1), weekStart(n, 2)],
  LAST_MONTH: (n) => [monthStart(n, -1), monthStart(n, 0)],
  THIS_MONTH: (n) => [monthStart(n, 0), monthStart(n, 1)],
  NEXT_MONTH: (n) => [monthStart(n, 1), monthStart(n, 2)],
  LAST_90_DAYS: (n) => [startOfDay(n) - 90 * DAY, startOfDay(n) + DAY],
  NEXT_90_DAYS: (n) => [startOfDay(n) + DAY, startOfDay(n) + 91 * DAY],
  LAST_QUARTER: (n) => [quarterStart(n, -1), quarterStart(n, 0)],
  THIS_QUARTER: (n) => [quarterStart(n, 0), quarterStart(n, 1)],
  NEXT_QUARTER: (n) => [quarterStart(n, 1), quarterStart(n, 2)],
  LAST_YEAR: (n) => [yearStart(n, -1), yearStart(n, 0)],
  THIS_YEAR: (n) => [yearStart(n, 0), yearStart(n, 1)],
  NEXT_YEAR: (n) => [yearStart(n, 1), yearStart(n, 2)],
};

const PARAMETRIC: Record<string, (now: number, k: number) => [number, number]> = {
  LAST_N_DAYS: (n, k) => [startOfDay(n) - k * DAY, startOfDay(n) + DAY],
  NEXT_N_DAYS: (n, k) => [startOfDay(n) + DAY, startOfDay(n) + (k + 1) * DAY],
  N_DAYS_AGO: (n, k) => [startOfDay(n) - k * DAY, startOfDay(n) - (k - 1) * DAY],
  LAST_N_WEEKS: (n, k) => [weekStart(n, -k), weekStart(n, 0)],
  NEXT_N_WEEKS: (n, k) => [weekStart(n, 1), weekStart(n, k + 1)],
  LAST_N_MONTHS: (n, k) => [monthStart(n, -k), monthStart(n, 0)],
  NEXT_N_MONTHS: (n, k) => [monthStart(n, 1), monthStart(n, k + 1)],
  LAST_N_YEARS: (n, k) => [yearStart(n, -k), yearStart(n, 0)],
  NEXT_N_YEARS: (n, k) => [yearStart(n, 1), yearStart(n, k + 1)],
};

export function isFixedDateLiteral(word: string): boolean {
  return word.toUpperCase() in FIXED;
}

export function isParametricDateLiteral(word: string): boolean {
  return word.toUpperCase() in PARAMETRIC;
}

export function dateLiteralRange(word: string, now: number, k?: number): [number, number] {
  const upper = word.toUpperCase();
  const fixed = FIXED[upper];
  if (fixed) return fixed(now);
  const param = PARAMETRIC[upper];
  if (param && k !== undefined) return param(now, k);
  throw new Error(`unknown date literal ${word}`);
}
