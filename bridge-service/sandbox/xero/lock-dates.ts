/**
 * The organisation's lock dates (month-end.md §3): nothing dated on or before the end-of-year lock date may be posted
 * or changed by anyone, nor on or before the period lock date by anyone but an adviser. The emulator's API users are
 * not advisers (an app connects as the user who consented, usually a standard user; the reference does not say how
 * Xero ranks an app, so the stricter reading is taken), so both dates lock.
 *
 * What posts: a manual journal posted, edited while posted or voided (manual-journals.ts, always held); an invoice or
 * credit note created or approved as AUTHORISED, voided, or re-dated while approved; an overpayment or prepayment
 * received; a payment, or an allocation of a credit note, overpayment or prepayment, made or deleted (documents.ts,
 * payments.ts, credits.ts; the store's `enforceLockDates` switch, on by default). A draft
 * posts nothing and may be dated anywhere (the reference is silent on drafts; Xero keeps them off the ledger). The
 * messages are modelled: the reference gives no wording for a lock-date refusal, only that it is refused.
 */
import type { Organisation, XeroStore } from './store';

export interface LockDates {
  /** YYYY-MM-DD, or undefined when not set. */
  periodLockDate?: string;
  endOfYearLockDate?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `31 Mar 2026`, as Xero writes dates in its messages. */
export function displayDay(day: string): string {
  const [year, month, date] = day.split('-');
  return `${Number(date)} ${MONTHS[Number(month) - 1]} ${year}`;
}

/**
 * Why `day` is locked in `org`, as Xero's validation message, or undefined when it is open. The end-of-year lock is
 * named first when both apply: it is the one nobody can lift.
 */
export function lockedReason(
  org: Pick<Organisation, 'periodLockDate' | 'endOfYearLockDate'>,
  day: string,
): string | undefined {
  if (org.endOfYearLockDate !== undefined && day <= org.endOfYearLockDate) {
    return `The date ${displayDay(day)} is on or before the end of year lock date (${displayDay(org.endOfYearLockDate)}). Transactions in a locked period cannot be posted or changed.`;
  }
  if (org.periodLockDate !== undefined && day <= org.periodLockDate) {
    return `The date ${displayDay(day)} is on or before the period lock date (${displayDay(org.periodLockDate)}). Transactions in a locked period cannot be posted or changed.`;
  }
  return undefined;
}

/**
 * Why a write that moves the ledger on `days` is refused (the first locked day's reason), or undefined when every day
 * is open or the emulator's `enforceLockDates` switch is off. Undefined days (a date that failed to parse) are skipped.
 */
export function ledgerLockRefusal(
  store: Pick<XeroStore, 'enforceLockDates'>,
  org: Pick<Organisation, 'periodLockDate' | 'endOfYearLockDate'>,
  days: readonly (string | undefined)[],
): string | undefined {
  if (!store.enforceLockDates) return undefined;
  for (const day of days) {
    const reason = day !== undefined ? lockedReason(org, day) : undefined;
    if (reason) return reason;
  }
  return undefined;
}

/** Sets (a date) or clears (null) each lock date given; refuses anything that is not YYYY-MM-DD. */
export function setLockDates(
  org: Pick<Organisation, 'periodLockDate' | 'endOfYearLockDate'>,
  next: { periodLockDate?: string | null; endOfYearLockDate?: string | null },
): LockDates {
  for (const [name, value] of Object.entries(next)) {
    if (value !== null && value !== undefined && (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))))
      throw new Error(`${name} must be a YYYY-MM-DD date or null, not ${value}`);
  }
  if (next.periodLockDate !== undefined) org.periodLockDate = next.periodLockDate ?? undefined;
  if (next.endOfYearLockDate !== undefined) org.endOfYearLockDate = next.endOfYearLockDate ?? undefined;
  return { periodLockDate: org.periodLockDate, endOfYearLockDate: org.endOfYearLockDate };
}
