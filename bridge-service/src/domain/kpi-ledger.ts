/**
 * The KPIs that come from the receivables ledger (Xero's documents, or their Salesforce mirrors; ledger-documents.ts):
 * billings, cash collected, receivables and their ageing on any day, each customer's observed days late, and the
 * monthly credit sales DSO counts back over. Per currency, for one billing entity or the group; conversion to the
 * reporting currency is kpi-translation.ts's.
 *
 * Decisions (see README.md in this folder and "KPIs and forecasts" in the project README):
 * - Billings of a month = SubTotal of posted (AUTHORISED or PAID) invoices dated in it − SubTotal of posted credit
 *   notes dated in it: net of tax, on the documents' dates, as reconciliation.ts bills. Gross (Total) beside it.
 * - Cash collected of a month = payments on invoices dated in it + overpayments and prepayments received in it −
 *   refunds paid out in it. Allocating earlier credit moves no cash and is not counted.
 * - Amount due on a day = Total − payments dated on or before it − credit (credit notes, overpayments, prepayments)
 *   allocated on or before it, for a posted invoice dated on or before it. On the as-of day it is Xero's AmountDue.
 *   Voided and deleted invoices were never due.
 * - Ageing, its buckets and unallocated credit: receivables.ts (`ageReceivables`), one home; credit held on a day =
 *   posted credits dated by then less what was allocated or refunded by then.
 * - Observed days late of a customer = Σ (payment date − due date) × amount ÷ Σ amount over the payments of the 365
 *   days to the as-of day (early payments count negative), rounded to whole days, half up; no payments → 0 (the due
 *   date is expected).
 * - Credit sales for DSO = Total of posted invoices dated in the month (tax included, because receivables include
 *   it; credit notes not netted), as receivables.ts's simple DSO counts them.
 */
import Big from 'big.js';

import { addDays, compareDates, daysBetween, type IsoDate } from './dates';
import { isActiveAllocation, isActivePayment, isPosted, type CreditState, type InvoiceState } from './ledger-documents';
import { money, round, sum, type Money } from './money';
import { addTo } from './kpi-translation';
import { ageReceivables, countbackDso, type AgedReceivables, type ReceivableInvoice } from './receivables';
import { firstDayOf, lastDayOf, type MonthKey } from './revenue';
import type { Attribution } from './reconciliation';
import { GROUP } from './kpi-mrr';

export type LedgerInvoice = InvoiceState & Attribution;
export type LedgerCredit = CreditState & Attribution;

const ZERO = new Big(0);
const within = (date: IsoDate, start: IsoDate, end: IsoDate) =>
  compareDates(date, start) >= 0 && compareDates(date, end) <= 0;
const inScope = (doc: Attribution, scope: string) => scope === GROUP || doc.entity === scope;

export interface Billings {
  net: Map<string, Money>;
  gross: Map<string, Money>;
}

/** Billings between two days (inclusive), per currency. */
export function billingsBetween(
  invoices: readonly LedgerInvoice[],
  credits: readonly LedgerCredit[],
  start: IsoDate,
  end: IsoDate,
  scope: string = GROUP,
): Billings {
  const result: Billings = { net: new Map(), gross: new Map() };
  for (const invoice of invoices) {
    if (!inScope(invoice, scope) || !isPosted(invoice.status) || !within(invoice.date, start, end)) continue;
    addTo(result.net, invoice.currencyCode, money(invoice.subTotal));
    addTo(result.gross, invoice.currencyCode, money(invoice.total));
  }
  for (const credit of credits) {
    if (credit.kind !== 'credit-note' || !inScope(credit, scope) || !isPosted(credit.status)) continue;
    if (!within(credit.date, start, end)) continue;
    addTo(result.net, credit.currencyCode, money(credit.subTotal ?? credit.total).times(-1));
    addTo(result.gross, credit.currencyCode, money(credit.total).times(-1));
  }
  return result;
}

/** Billings of a calendar month (to `asOf` while it is open). */
export const billingsIn = (
  invoices: readonly LedgerInvoice[],
  credits: readonly LedgerCredit[],
  month: MonthKey,
  scope: string = GROUP,
): Billings => billingsBetween(invoices, credits, firstDayOf(month), lastDayOf(month), scope);

/** Cash collected between two days (inclusive), per currency. */
export function cashCollectedBetween(
  invoices: readonly LedgerInvoice[],
  credits: readonly LedgerCredit[],
  start: IsoDate,
  end: IsoDate,
  scope: string = GROUP,
): Map<string, Money> {
  const cash = new Map<string, Money>();
  for (const invoice of invoices) {
    if (!inScope(invoice, scope) || !isPosted(invoice.status)) continue;
    for (const p of invoice.payments) {
      if (isActivePayment(p) && within(p.date, start, end)) addTo(cash, invoice.currencyCode, money(p.amount));
    }
  }
  for (const credit of credits) {
    if (!inScope(credit, scope) || !isPosted(credit.status)) continue;
    if (credit.kind !== 'credit-note' && within(credit.date, start, end)) {
      addTo(cash, credit.currencyCode, money(credit.total));
    }
    for (const r of credit.refunds) {
      if (isActivePayment(r) && within(r.date, start, end)) addTo(cash, credit.currencyCode, money(r.amount).times(-1));
    }
  }
  return cash;
}

function allocationsByInvoice(credits: readonly LedgerCredit[]): Map<string, { amount: Money; date: IsoDate }[]> {
  const allocations = credits.filter((credit) => isPosted(credit.status)).flatMap((c) => c.allocations);
  return new Map(
    [...Map.groupBy(allocations.filter(isActiveAllocation), (a) => a.invoiceId)].map(([invoiceId, group]) => [
      invoiceId,
      group.map((a) => ({ amount: money(a.amount), date: a.date })),
    ]),
  );
}

/** What each invoice in scope had due at the end of `day` (only those with something due), as receivables age them. */
export function receivablesOn(
  invoices: readonly LedgerInvoice[],
  credits: readonly LedgerCredit[],
  day: IsoDate,
  scope: string = GROUP,
): (ReceivableInvoice & LedgerInvoice)[] {
  const allocations = allocationsByInvoice(credits);
  const open: (ReceivableInvoice & LedgerInvoice)[] = [];
  for (const invoice of invoices) {
    if (!inScope(invoice, scope) || !isPosted(invoice.status) || compareDates(invoice.date, day) > 0) continue;
    const paid = sum(
      invoice.payments.filter((p) => isActivePayment(p) && compareDates(p.date, day) <= 0).map((p) => money(p.amount)),
    );
    const credited = sum(
      (allocations.get(invoice.invoiceId) ?? []).filter((a) => compareDates(a.date, day) <= 0).map((a) => a.amount),
    );
    const due = money(invoice.total).minus(paid).minus(credited);
    if (due.lte(0)) continue;
    open.push({
      ...invoice,
      status: 'AUTHORISED',
      amountPaid: paid.toFixed(2),
      amountCredited: credited.toFixed(2),
      amountDue: due.toFixed(2),
      dueDate: invoice.dueDate ?? invoice.date,
    });
  }
  return open;
}

/** Customer credit still held at the end of `day`, per currency. */
export function creditHeldOn(credits: readonly LedgerCredit[], day: IsoDate, scope: string = GROUP) {
  const held = new Map<string, Money>();
  for (const credit of credits) {
    if (!inScope(credit, scope) || !isPosted(credit.status) || compareDates(credit.date, day) > 0) continue;
    const used = sum([
      ...credit.allocations
        .filter((a) => isActiveAllocation(a) && compareDates(a.date, day) <= 0)
        .map((a) => money(a.amount)),
      ...credit.refunds.filter((r) => isActivePayment(r) && compareDates(r.date, day) <= 0).map((r) => money(r.amount)),
    ]);
    const left = money(credit.total).minus(used);
    if (left.gt(0)) addTo(held, credit.currencyCode, left);
  }
  return held;
}

/** Aged receivables at the end of `day`, per currency (receivables.ts's buckets and boundaries). */
export function ageingOn(
  invoices: readonly LedgerInvoice[],
  credits: readonly LedgerCredit[],
  day: IsoDate,
  scope: string = GROUP,
): AgedReceivables[] {
  const held = [...creditHeldOn(credits, day, scope)].map(([currencyCode, amount]) => ({
    currencyCode,
    remainingCredit: amount.toFixed(2),
  }));
  return ageReceivables(receivablesOn(invoices, credits, day, scope), day, held);
}

/** Each customer's observed days late over the 365 days to `asOf` (see the module comment). */
export function observedDaysLate(invoices: readonly LedgerInvoice[], asOf: IsoDate): Map<string, number> {
  const from = addDays(asOf, -364);
  const weighted = new Map<string, { days: Money; amount: Money }>();
  for (const invoice of invoices) {
    if (!invoice.accountId || !isPosted(invoice.status)) continue;
    const due = invoice.dueDate ?? invoice.date;
    for (const p of invoice.payments) {
      if (!isActivePayment(p) || !within(p.date, from, asOf)) continue;
      const amount = money(p.amount);
      const current = weighted.get(invoice.accountId) ?? { days: ZERO, amount: ZERO };
      weighted.set(invoice.accountId, {
        days: current.days.plus(amount.times(daysBetween(due, p.date))),
        amount: current.amount.plus(amount),
      });
    }
  }
  return new Map(
    [...weighted].filter(([, w]) => w.amount.gt(0)).map(([id, w]) => [id, Number(round(w.days.div(w.amount), 0))]),
  );
}

/** Gross credit sales (posted invoices' Total) per month, per currency. */
export function creditSalesByMonth(
  invoices: readonly LedgerInvoice[],
  months: readonly MonthKey[],
  scope: string = GROUP,
): Map<MonthKey, Map<string, Money>> {
  return new Map(
    months.map((month) => {
      const sales = new Map<string, Money>();
      for (const invoice of invoices) {
        if (!inScope(invoice, scope) || !isPosted(invoice.status)) continue;
        if (within(invoice.date, firstDayOf(month), lastDayOf(month)))
          addTo(sales, invoice.currencyCode, money(invoice.total));
      }
      return [month, sales];
    }),
  );
}

/**
 * Countback DSO (receivables.ts `countbackDso`, finance.md §4) over months given most recent first, rounded to 1 dp;
 * 0 with nothing due; undefined when the months' sales do not cover the receivables (history too short).
 */
export function countbackDsoOf(
  receivables: Money,
  months: readonly { sales: Money; days: number }[],
): Money | undefined {
  if (receivables.lte(0)) return ZERO;
  if (sum(months.map((m) => m.sales)).lt(receivables)) return undefined;
  return round(
    countbackDso(
      receivables.toFixed(2),
      months.map((m) => ({ sales: m.sales.toFixed(2), days: m.days })),
    ),
    1,
  );
}
