/**
 * Closed months and late changes: when a change that reaches back into a closed month takes effect for revenue.
 *
 * A month is closed for an entity when its month-end close is posted (POST_CLOSE sets the entity's Revenue_Month__c
 * rows of that month Closed). A change signed after that was not in the month's figures, so its revenue starts on the
 * first day after the last month that was closed **when it was signed**; one signed before it was already in them and
 * keeps its own date. The cut-off is fixed by the signing date and the closes' posting dates, never by today, so a
 * later close does not move the change again (measured before this rule: a cut to 6 seats signed on 10 April,
 * backdated to 15 March, was caught up by the April close and then again, −99.59, by the May close).
 */
import { compareDates, maxDate, type IsoDate } from './dates';
import { firstDayOf, nextMonth, type MonthKey } from './revenue';

/** One posted close of the entity: its month, and the day (in the entity's time zone) it was posted. */
export interface PostedClose {
  month: MonthKey;
  postedOn: IsoDate;
}

/**
 * The first open day as of `asOf`: the day after the last month whose close was posted on or before it, or undefined
 * when no month was closed by then. A close posted on the signing day counts as posted first: a change signed that
 * day was not in the journals finance approved.
 */
export function firstOpenDayAsOf(closes: readonly PostedClose[], asOf: IsoDate): IsoDate | undefined {
  let last: MonthKey | undefined;
  for (const close of closes) {
    if (compareDates(close.postedOn, asOf) > 0) continue;
    if (last === undefined || close.month > last) last = close.month;
  }
  return last === undefined ? undefined : firstDayOf(nextMonth(last));
}

/**
 * The closes a plan reckons with: the entity's posted closes, and the plan's last Closed month (`closedThrough`) taken
 * as closed `today` when no posted close names it yet (its close is being posted: POST_CLOSE closes the rows before it
 * writes Posted_At__c; once written, that date replaces today, and it is never earlier than today).
 */
export function closesAsKnown(
  closes: readonly PostedClose[],
  closedThrough: MonthKey | undefined,
  today: IsoDate,
): PostedClose[] {
  const known = [...closes];
  if (closedThrough && !closes.some((c) => c.month >= closedThrough))
    known.push({ month: closedThrough, postedOn: today });
  return known;
}

/** When a change effective on `effective` and signed on `signedOn` takes effect for revenue. */
export function revenueEffectiveDate(closes: readonly PostedClose[], effective: IsoDate, signedOn: IsoDate): IsoDate {
  const firstOpen = firstOpenDayAsOf(closes, signedOn);
  return firstOpen ? maxDate(effective, firstOpen) : effective;
}
