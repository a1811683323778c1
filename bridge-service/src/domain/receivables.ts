/**
 * Receivables helpers for the write-back to Salesforce: display status, days overdue, the Opportunity and
 * Account summaries, ageing, DSO, and "newer wins" ordering of Xero versions.
 *
 * One home per rule:
 * - Status__c is computed here only (invoiceDisplayStatus, written by the bridge). The LWC status badge reads it and
 *   adds only Overdue (the user's today) and Credited; receivables.cases.json holds both ends to the same cases.
 * - Ageing and DSO are defined here, as the tested reference the [insights] KPIs will use. The account card keeps a
 *   client copy on purpose (lwc/receivablesCalc: same names, integer cents, the user's today), held equal to this one
 *   by receivables.cases.json, which both Jest tests read.
 *
 * Decisions (see README.md in this folder):
 * - Display status: DRAFT → Draft (Awaiting Approval while it is submitted in Salesforce, Approved once finance
 *   approved it there, as the approval process sets them), SUBMITTED → Awaiting Approval (Approved likewise), AUTHORISED → Authorised, or Partially Paid once anything is paid or credited while an
 *   amount is still due, PAID → Paid, VOIDED → Voided, DELETED → Deleted.
 * - Receivables are AUTHORISED invoices with an amount due. Drafts and submitted invoices are not receivables.
 * - Ageing (§6.11) by due date in days past due: Current (not yet due, due today included), 1–30, 31–60, 61–90
 *   (day 90 is in 61–90), 90+ (91 days and more). Unallocated credit (credit notes' remaining credit,
 *   overpayments, prepayments) is not aged: it is reported beside the buckets, per currency.
 * - Amounts are never summed across currencies: every summary and bucket is per currency code.
 * - DSO: simple = receivables ÷ credit sales × days, over 90 days by default (credit sales = AUTHORISED and PAID
 *   invoices dated in the 90 days up to and including the as-of date); countback also provided (finance.md §4).
 * - Newer wins: a Xero record overwrites the stored one only when its UpdatedDateUTC is the same or later.
 *   Equal timestamps re-apply (the same version again is idempotent); older ones are ignored.
 */
import Big from 'big.js';

import { addDays, compareDates, daysBetween, formatDisplayDate, type IsoDate } from './dates';
import { DomainError } from './errors';
import { formatAmount, money, sum, type Money } from './money';
import type { Decimal } from './xero-invoice-math';

export type XeroInvoiceStatus = 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'PAID' | 'VOIDED' | 'DELETED';
export type InvoiceDisplayStatus =
  'Draft' | 'Awaiting Approval' | 'Approved' | 'Authorised' | 'Partially Paid' | 'Paid' | 'Voided' | 'Deleted';

/** An invoice as the write-back sees it (from Xero, or from Invoice__c). */
export interface ReceivableInvoice {
  status: XeroInvoiceStatus;
  currencyCode: string;
  total: Decimal;
  amountPaid: Decimal;
  amountCredited: Decimal;
  amountDue: Decimal;
  date: IsoDate;
  dueDate: IsoDate;
  /** Finance approved in Salesforce, not yet authorised in Xero. */
  approved?: boolean;
  /** Submitted for approval in Salesforce (Approval_Status__c Pending): finance has not decided yet. */
  awaitingApproval?: boolean;
}

/** Remaining customer credit: a credit note's RemainingCredit, an overpayment or a prepayment. */
export interface UnallocatedCredit {
  currencyCode: string;
  remainingCredit: Decimal;
}

const ZERO = new Big(0);

/**
 * The status stored on Invoice__c.Status__c; its one home. The LWC badge reads the stored value and only adds what
 * depends on the viewer (Overdue, Credited): see receivables.cases.json, which both test against.
 */
export function invoiceDisplayStatus(
  invoice: Pick<
    ReceivableInvoice,
    'status' | 'amountPaid' | 'amountCredited' | 'amountDue' | 'approved' | 'awaitingApproval'
  >,
): InvoiceDisplayStatus {
  switch (invoice.status) {
    case 'DRAFT':
      // As the approval process shows it: a write-back of Xero's draft does not undo what the submit set.
      if (invoice.approved) return 'Approved';
      return invoice.awaitingApproval ? 'Awaiting Approval' : 'Draft';
    case 'SUBMITTED':
      return invoice.approved ? 'Approved' : 'Awaiting Approval';
    case 'AUTHORISED': {
      const settled = money(invoice.amountPaid).plus(money(invoice.amountCredited));
      const due = money(invoice.amountDue);
      if (settled.gt(0) && due.lte(0)) return 'Paid';
      return settled.gt(0) ? 'Partially Paid' : 'Authorised';
    }
    case 'PAID':
      return 'Paid';
    case 'VOIDED':
      return 'Voided';
    case 'DELETED':
      return 'Deleted';
  }
}

/** True for an AUTHORISED invoice with an amount still due: a receivable. */
export function isReceivable(invoice: Pick<ReceivableInvoice, 'status' | 'amountDue'>): boolean {
  return invoice.status === 'AUTHORISED' && money(invoice.amountDue).gt(0);
}

/** Whole days past the due date on `asOf` (0 when not yet due, due today, or nothing is due). */
export function daysOverdue(
  invoice: Pick<ReceivableInvoice, 'status' | 'amountDue' | 'dueDate'>,
  asOf: IsoDate,
): number {
  if (!isReceivable(invoice)) return 0;
  return Math.max(0, daysBetween(invoice.dueDate, asOf));
}

function byCurrency<T extends { currencyCode: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = Map.groupBy(items, (item) => item.currencyCode.toUpperCase());
  return new Map([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function currencySummary(code: string, invoices: readonly ReceivableInvoice[], asOf: IsoDate): string | undefined {
  const live = invoices.filter((invoice) => invoice.status !== 'VOIDED' && invoice.status !== 'DELETED');
  if (live.length === 0) return undefined;
  const open = live.filter(isReceivable);
  if (open.length > 0) {
    const due = sum(open.map((invoice) => money(invoice.amountDue)));
    const nextDue = open.map((invoice) => invoice.dueDate).sort(compareDates)[0] ?? '';
    const overdue = Math.max(...open.map((invoice) => daysOverdue(invoice, asOf)));
    const settledAny = open.some((invoice) => money(invoice.amountPaid).plus(money(invoice.amountCredited)).gt(0));
    const state =
      overdue > 0 ? `Overdue ${plural(overdue, 'day')}` : settledAny ? 'Partially paid' : 'Awaiting payment';
    return `${state}, ${formatAmount(due)} ${code} due ${formatDisplayDate(nextDue)}`;
  }
  const pending = live.filter((invoice) => invoice.status === 'DRAFT' || invoice.status === 'SUBMITTED');
  if (pending.length > 0) {
    const statuses = new Set(pending.map((invoice) => invoiceDisplayStatus(invoice)));
    const state = statuses.size === 1 ? [...statuses][0] : 'Awaiting Approval';
    return `${state}, ${formatAmount(sum(pending.map((invoice) => money(invoice.total))))} ${code}`;
  }
  return `Paid, ${formatAmount(sum(live.map((invoice) => money(invoice.amountPaid))))} ${code}`;
}

/**
 * One line for the Opportunity: "Partially paid, 4,000.00 GBP due 12 Jan 2027". Several currencies are listed
 * separately ("…; …"), never summed. Only voided/deleted invoices → "Voided"; none → "Not invoiced".
 */
export function opportunitySummary(invoices: readonly ReceivableInvoice[], asOf: IsoDate): string {
  if (invoices.length === 0) return 'Not invoiced';
  const parts = [...byCurrency(invoices).entries()]
    .map(([code, group]) => currencySummary(code, group, asOf))
    .filter((part): part is string => part !== undefined);
  return parts.length > 0 ? parts.join('; ') : 'Voided';
}

export interface CurrencyBalance {
  currencyCode: string;
  /** Σ amount due on receivables. */
  outstanding: Money;
  /** The part of `outstanding` past its due date. */
  overdue: Money;
  /** Σ amount paid on live (not voided/deleted) invoices. */
  paid: Money;
  /** Unallocated customer credit in this currency. */
  unallocatedCredit: Money;
  openInvoices: number;
  /** Days past due of the oldest overdue receivable, 0 if none. */
  maxDaysOverdue: number;
}

/** Per-currency Account summary; never sums across currencies. */
export function accountSummary(
  invoices: readonly ReceivableInvoice[],
  asOf: IsoDate,
  credits: readonly UnallocatedCredit[] = [],
): CurrencyBalance[] {
  const invoiceGroups = byCurrency(invoices);
  const creditGroups = byCurrency(credits);
  const codes = new Set([...invoiceGroups.keys(), ...creditGroups.keys()]);
  return [...codes].sort().map((currencyCode) => {
    const group = invoiceGroups.get(currencyCode) ?? [];
    const open = group.filter(isReceivable);
    const overdue = open.filter((invoice) => daysOverdue(invoice, asOf) > 0);
    const live = group.filter((invoice) => invoice.status !== 'VOIDED' && invoice.status !== 'DELETED');
    return {
      currencyCode,
      outstanding: sum(open.map((invoice) => money(invoice.amountDue))),
      overdue: sum(overdue.map((invoice) => money(invoice.amountDue))),
      paid: sum(live.map((invoice) => money(invoice.amountPaid))),
      unallocatedCredit: sum((creditGroups.get(currencyCode) ?? []).map((credit) => money(credit.remainingCredit))),
      openInvoices: open.length,
      maxDaysOverdue: Math.max(0, ...open.map((invoice) => daysOverdue(invoice, asOf))),
    };
  });
}

/** The ageing buckets, by days past due (see the module comment for the boundaries). */
export const AGEING_BUCKETS = ['current', 'days1to30', 'days31to60', 'days61to90', 'days90plus'] as const;
export type AgeingBucket = (typeof AGEING_BUCKETS)[number];

export interface AgedReceivables {
  currencyCode: string;
  /** Σ amount due on receivables. */
  outstanding: Money;
  /** The part of `outstanding` past its due date (every bucket but current). */
  overdue: Money;
  openCount: number;
  buckets: Record<AgeingBucket, Money>;
  /** Not aged: shown beside the buckets. */
  unallocatedCredit: Money;
}

/**
 * The bucket for a number of days past due: ≤ 0 current, 1–30, 31–60, 61–90 (90 included), 91 and more. The account
 * card keeps a client copy on purpose (lwc/receivablesCalc ageingBucket, same bucket names); receivables.cases.json
 * holds the two equal.
 */
export function ageingBucket(daysPastDue: number): AgeingBucket {
  if (daysPastDue <= 0) return 'current';
  if (daysPastDue <= 30) return 'days1to30';
  if (daysPastDue <= 60) return 'days31to60';
  if (daysPastDue <= 90) return 'days61to90';
  return 'days90plus';
}

/** Aged receivables by due date, per currency (see the module comment for the bucket boundaries). */
export function ageReceivables(
  invoices: readonly ReceivableInvoice[],
  asOf: IsoDate,
  credits: readonly UnallocatedCredit[] = [],
): AgedReceivables[] {
  return accountSummary(invoices, asOf, credits).map(({ currencyCode, unallocatedCredit }) => {
    const buckets = Object.fromEntries(AGEING_BUCKETS.map((bucket) => [bucket, ZERO])) as Record<AgeingBucket, Money>;
    let openCount = 0;
    for (const invoice of invoices) {
      if (invoice.currencyCode.toUpperCase() !== currencyCode || !isReceivable(invoice)) continue;
      const key = ageingBucket(daysOverdue(invoice, asOf));
      buckets[key] = buckets[key].plus(money(invoice.amountDue));
      openCount += 1;
    }
    const outstanding = sum(AGEING_BUCKETS.map((bucket) => buckets[bucket]));
    return {
      currencyCode,
      outstanding,
      overdue: outstanding.minus(buckets.current),
      openCount,
      buckets,
      unallocatedCredit,
    };
  });
}

/**
 * Simple DSO = receivables ÷ credit sales × days (unrounded). 150,000 ÷ 1,800,000 × 365 = 30.4. The account card
 * keeps a client copy on purpose (lwc/receivablesCalc simpleDso); receivables.cases.json holds the two equal.
 */
export function simpleDso(receivables: Decimal, creditSales: Decimal, days = 90): Money {
  const sales = money(creditSales);
  if (sales.lte(0)) throw new DomainError('INVALID_INPUT', 'DSO needs credit sales above zero in the period');
  return money(receivables).div(sales).times(days);
}

/** Simple DSO per currency from invoices: receivables now ÷ invoices dated in the last `days` days × `days`. */
export function dsoByCurrency(
  invoices: readonly ReceivableInvoice[],
  asOf: IsoDate,
  days = 90,
): { currencyCode: string; dso: Money | undefined }[] {
  const from = addDays(asOf, -(days - 1));
  return [...byCurrency(invoices).entries()].map(([currencyCode, group]) => {
    const receivables = sum(group.filter(isReceivable).map((invoice) => money(invoice.amountDue)));
    const sales = sum(
      group
        .filter((invoice) => invoice.status === 'AUTHORISED' || invoice.status === 'PAID')
        .filter((invoice) => compareDates(invoice.date, from) >= 0 && compareDates(invoice.date, asOf) <= 0)
        .map((invoice) => money(invoice.total)),
    );
    return { currencyCode, dso: sales.gt(0) ? simpleDso(receivables, sales, days) : undefined };
  });
}

/**
 * Countback DSO: take each month's credit sales off the receivables, most recent month first, counting that
 * month's days, until what is left is smaller than a month's sales; that month counts pro rata.
 * AR 212,000 against 100,000 / 80,000 / 70,000 in 30-day months → 30 + 30 + 32/70 × 30 = 73.7 days.
 */
export function countbackDso(receivables: Decimal, months: readonly { sales: Decimal; days: number }[]): Money {
  let left = money(receivables);
  let dso = new Big(0);
  for (const month of months) {
    const sales = money(month.sales);
    if (left.lte(0)) break;
    if (left.gte(sales)) {
      left = left.minus(sales);
      dso = dso.plus(month.days);
    } else {
      return dso.plus(left.div(sales).times(month.days));
    }
  }
  if (left.gt(0)) throw new DomainError('INVALID_INPUT', 'Countback DSO ran out of months: give more months of sales');
  return dso;
}

const MS_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Milliseconds since the epoch for a Xero UpdatedDateUTC: `/Date(1439434356790+0000)/` (the number is already
 * UTC; the offset only describes the org), an ISO timestamp (UTC when it carries no zone), or epoch ms.
 */
export function xeroTimestamp(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DomainError('INVALID_INPUT', `UpdatedDateUTC ${value} is not a timestamp`);
    return value;
  }
  const ms = MS_DATE.exec(value.trim());
  if (ms) return Number(ms[1]);
  if (ISO_TIMESTAMP.test(value.trim())) {
    const text = /(Z|[+-]\d{2}:?\d{2})$/.test(value.trim()) ? value.trim() : `${value.trim()}Z`;
    const parsed = Date.parse(text);
    if (Number.isFinite(parsed)) return parsed;
  }
  throw new DomainError('INVALID_INPUT', `UpdatedDateUTC "${value}" is not a Xero timestamp`);
}

/** Negative, zero or positive as version `a` is older than, the same as or newer than `b`. */
export function compareXeroVersions(a: string | number, b: string | number): number {
  return Math.sign(xeroTimestamp(a) - xeroTimestamp(b));
}

/** Newer wins: write `incoming` over `stored` unless it is older. Nothing stored → write. */
export function shouldOverwrite(incoming: string | number, stored: string | number | null | undefined): boolean {
  return stored === null || stored === undefined || compareXeroVersions(incoming, stored) >= 0;
}
