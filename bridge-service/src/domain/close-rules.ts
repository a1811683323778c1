/**
 * What must hold before a close posts: the month is open in Xero (its lock dates), and the accounts its journals use
 * exist, are active and are of the right kind (month-end.md §3).
 *
 * Decisions (see README.md in this folder):
 * - A month is open when every journal date of its close (the month end, and the first of the next month for the
 *   accrual's reversal) falls after both lock dates. The end-of-year lock binds everyone; the period lock binds all but
 *   Xero advisers, and Ledgerline treats it as binding too: a period finance locked is closed, whoever connected Xero.
 * - A locked month is refused before anything is sent, with what to do: ask the adviser to move the lock date back, or
 *   leave the month closed and let the first open month's close (or an adjustment) post the difference there.
 * - Revenue accounts must be revenue (REVENUE, SALES, OTHERINCOME), deferred revenue a liability (CURRLIAB, LIABILITY,
 *   TERMLIAB), accrued revenue an asset (CURRENT, NONCURRENT, PREPAYMENT); none may be a system account (Xero keeps
 *   receivables and the like out of manual journals, and a journal into tax or retained earnings is never right here).
 */
import { addDays, formatDisplayDate, type IsoDate } from './dates';
import { DomainError } from './errors';
import type { TenantAccount } from './line-mapping';
import { lastDayOf, monthOf, nextMonth, type MonthKey } from './revenue';
import { monthLabel } from './close-journals';

/** The organisation's lock dates, from GET /Organisation. */
export interface LockDates {
  periodLockDate?: IsoDate;
  endOfYearLockDate?: IsoDate;
}

export type PeriodCheck =
  | { open: true }
  | { open: false; lock: 'period' | 'end-of-year'; lockDate: IsoDate; firstOpenMonth: MonthKey; message: string };

/** The later of the two lock dates (everything on or before it is closed to Ledgerline), if any is set. */
export function effectiveLockDate(lock: LockDates): IsoDate | undefined {
  const dates = [lock.periodLockDate, lock.endOfYearLockDate].filter((d): d is IsoDate => d !== undefined);
  return dates.length === 0 ? undefined : dates.reduce((a, b) => (a > b ? a : b));
}

/** The first month with no day on or before the lock dates. */
export function firstOpenMonth(lock: LockDates): MonthKey | undefined {
  const date = effectiveLockDate(lock);
  if (date === undefined) return undefined;
  const after = addDays(date, 1);
  return after.endsWith('-01') ? monthOf(after) : nextMonth(monthOf(after));
}

/** Whether `month`'s close may post in an organisation with these lock dates (`dates`: every journal date). */
export function checkPeriodOpen(
  entity: string,
  month: MonthKey,
  lock: LockDates,
  dates?: readonly IsoDate[],
): PeriodCheck {
  const journalDates = dates ?? [lastDayOf(month), addDays(lastDayOf(month), 1)];
  const earliest = journalDates.reduce((a, b) => (a < b ? a : b));
  const endOfYear = lock.endOfYearLockDate !== undefined && earliest <= lock.endOfYearLockDate;
  const period = lock.periodLockDate !== undefined && earliest <= lock.periodLockDate;
  if (!endOfYear && !period) return { open: true };
  const lockDate = (endOfYear ? lock.endOfYearLockDate : lock.periodLockDate) as IsoDate;
  const open = firstOpenMonth(lock) as MonthKey;
  const which = endOfYear
    ? `its end-of-year lock date is ${formatDisplayDate(lockDate)}, and nobody can post on or before it, advisers included`
    : `its period lock date is ${formatDisplayDate(lockDate)}, and nothing can be posted on or before it`;
  const message =
    `${monthLabel(month)} is locked in ${entity}'s Xero organisation: ${which}. Nothing was posted. ` +
    `To close ${monthLabel(month)}, ask your Xero adviser to move the lock date back before ${formatDisplayDate(earliest)}, ` +
    `then approve the close again; or leave ${monthLabel(month)} closed and let the ${monthLabel(open)} close, ` +
    `the first open month, post the difference there.`;
  return { open: false, lock: endOfYear ? 'end-of-year' : 'period', lockDate, firstOpenMonth: open, message };
}

/** {@link checkPeriodOpen}, throwing PERIOD_LOCKED with its message when the month is locked. */
export function assertPeriodOpen(entity: string, month: MonthKey, lock: LockDates, dates?: readonly IsoDate[]): void {
  const check = checkPeriodOpen(entity, month, lock, dates);
  if (!check.open) throw new DomainError('PERIOD_LOCKED', check.message);
}

const KINDS = {
  revenue: { types: ['REVENUE', 'SALES', 'OTHERINCOME'], what: 'a revenue account' },
  deferred: { types: ['CURRLIAB', 'LIABILITY', 'TERMLIAB'], what: 'a liability account (deferred revenue)' },
  accrued: { types: ['CURRENT', 'NONCURRENT', 'PREPAYMENT'], what: 'an asset account (accrued revenue)' },
} as const;

export interface CloseAccountNeed {
  accountCode: string;
  role: keyof typeof KINDS;
  /** Where finance sets it, e.g. "Billing Entity UK_Ltd: Deferred Revenue Account Code". */
  setIn: string;
}

/** Every problem with the accounts a close uses, each naming where to fix it (empty when all is well). */
export function closeAccountProblems(
  entity: string,
  needs: readonly CloseAccountNeed[],
  accounts: readonly TenantAccount[],
): string[] {
  const org = `${entity}'s Xero organisation`;
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const need of needs) {
    const id = `${need.role}:${need.accountCode}:${need.setIn}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const account = accounts.find((a) => a.code.trim().toUpperCase() === need.accountCode.trim().toUpperCase());
    const kind = KINDS[need.role];
    const fix = `change it in ${need.setIn}`;
    if (!account) problems.push(`account ${need.accountCode} is not in ${org}: ${fix}`);
    else if (account.status !== 'ACTIVE') problems.push(`account ${need.accountCode} is archived in ${org}: ${fix}`);
    else if (account.systemAccount)
      problems.push(`account ${need.accountCode} (${account.name ?? ''}) is a system account in ${org}: ${fix}`);
    else if (!(kind.types as readonly string[]).includes(account.type ?? ''))
      problems.push(
        `account ${need.accountCode} (${account.name ?? ''}) is ${account.type ?? 'of no type'} in ${org}, not ${kind.what}: ${fix}`,
      );
  }
  return problems;
}
