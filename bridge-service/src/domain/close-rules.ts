/**
 * What must hold before a close posts: the month is open in Xero (its lock dates), and the accounts its journals use
 * exist, are active and are of the right kind (month-end.md §3).
 *
 * Decisions (see README.md in this folder):
 * - A month is open when every journal date of its close (the month end, and the first of the next month for the
 *   accrual's reversal) falls after both lock dates. The end-of-year lock binds everyone; the period lock binds all but
 *   Xero advisers, and Ledgerline treats it as binding too: a period finance locked is closed, whoever connected Xero.
 * - A locked month is refused before anything is sent, with what to do: ask the adviser to move the lock date back (a
 *   refused close is proposed again each morning), or leave the month closed and let the first open month's close (or
 *   an adjustment) post the difference there.
 * - Closes of an entity post in month order (checkCloseOrder): each close's recognition is what must be released by
 *   its month end less what earlier closes posted, so a month proposed before an earlier one is posted would release
 *   the earlier month's revenue a second time. A month waits while an earlier close can still post (Proposed, Pending
 *   Approval, Approved, or Refused in a month open in Xero); a Refused close in a locked month does not hold the next
 *   month up, which carries the difference. Once a later close is posted, an earlier one never posts (the later one
 *   released its revenue). At posting, a version proposed before an earlier close was posted is refused: its figures
 *   do not count that close's journals.
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

/**
 * Whether `month`'s close may post in an organisation with these lock dates (`dates`: every journal date; `inXero`:
 * what of the close is in Xero, said in the message).
 */
export function checkPeriodOpen(
  entity: string,
  month: MonthKey,
  lock: LockDates,
  dates?: readonly IsoDate[],
  inXero = 'Nothing was posted.',
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
    `${monthLabel(month)} is locked in ${entity}'s Xero organisation: ${which}. ${inXero} ` +
    `To close ${monthLabel(month)}, ask your Xero adviser to move the lock date back before ${formatDisplayDate(earliest)}, ` +
    `and the close is proposed again the next morning for you to approve; or leave ${monthLabel(month)} closed and ` +
    `let the ${monthLabel(open)} close, the first open month, post the difference there.`;
  return { open: false, lock: endOfYear ? 'end-of-year' : 'period', lockDate, firstOpenMonth: open, message };
}

/** {@link checkPeriodOpen}, throwing PERIOD_LOCKED with its message when the month is locked. */
export function assertPeriodOpen(entity: string, month: MonthKey, lock: LockDates, dates?: readonly IsoDate[]): void {
  const check = checkPeriodOpen(entity, month, lock, dates);
  if (!check.open) throw new DomainError('PERIOD_LOCKED', check.message);
}

/** A close of the entity as the month order reads it. */
export interface EntityClose {
  month: MonthKey;
  status: string;
  /** When it was posted (Posted_At__c), for a posted close. */
  postedAt?: string;
}

export type OrderCheck = { ok: true } | { ok: false; kind: 'waiting' | 'carried' | 'stale'; message: string };

const POSTED_STATUSES: ReadonlySet<string> = new Set(['Posted', 'Tied', 'Difference']);
/** Posted, Tied or Difference: its journals are in Xero and its month is closed. */
export const isPostedClose = (status: unknown): boolean => POSTED_STATUSES.has(String(status));

/** A later close of the entity was posted: it released everything earned up to its month end, so `month` never posts. */
export const isCarriedClose = (month: MonthKey, closes: readonly Pick<EntityClose, 'month' | 'status'>[]): boolean =>
  closes.some((c) => c.month > month && isPostedClose(c.status));

/**
 * Whether `month`'s close may be proposed, or (with `posting`) its version posted, given the entity's other closes
 * (see the decisions above). `posting.proposedAt`: when the version was proposed (none: taken as before any posting);
 * `posting.inXero`: what of it is in Xero, said in the message.
 */
export function checkCloseOrder(
  entity: string,
  month: MonthKey,
  closes: readonly EntityClose[],
  lock: LockDates,
  posting?: { proposedAt: string | undefined; inXero?: string },
): OrderCheck {
  const label = monthLabel(month);
  const later = closes.find((c) => c.month > month && isPostedClose(c.status));
  if (later) {
    const message =
      `${entity}'s ${monthLabel(later.month)} close was posted before this one and released everything earned up to ` +
      `its month end, ${label} included: ${label} is not posted, and this close stays Refused.`;
    return { ok: false, kind: 'carried', message };
  }
  const earlier = closes.filter((c) => c.month < month).sort((a, b) => a.month.localeCompare(b.month));
  // A close that can still post; one a later posted close carried never will.
  const open = earlier.find(
    (c) =>
      !isPostedClose(c.status) &&
      !isCarriedClose(c.month, closes) &&
      (c.status !== 'Refused' || checkPeriodOpen(entity, c.month, lock).open),
  );
  if (open) {
    const before = monthLabel(open.month);
    const message =
      `${label} waits for ${before}: ${entity}'s closes post in month order, and its ${before} close is ${open.status}. ` +
      `Approve and post ${before} first (or, if it is Refused, fix what it says); ${label} is proposed again as soon ` +
      `as ${before} is posted.`;
    return { ok: false, kind: 'waiting', message };
  }
  const proposedAt = posting?.proposedAt;
  const since = posting
    ? earlier.find(
        (c) =>
          isPostedClose(c.status) &&
          // Salesforce keeps whole seconds: the same second counts as posted after (the safe side).
          (!proposedAt || !c.postedAt || Date.parse(c.postedAt) >= Date.parse(proposedAt)),
      )
    : undefined;
  if (since) {
    const before = monthLabel(since.month);
    const message =
      `This version of ${label} was proposed before ${entity}'s ${before} close was posted, so it does not count ` +
      `${before}'s journals.${posting?.inXero ? ` ${posting.inXero}` : ''} It is proposed again the next morning ` +
      `for you to approve.`;
    return { ok: false, kind: 'stale', message };
  }
  return { ok: true };
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
