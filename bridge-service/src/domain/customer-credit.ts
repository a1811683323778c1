/**
 * Customer credit: what an overpayment, a prepayment or a credit note still holds for the customer, how it was
 * used (allocated to invoices, refunded), and the credit an Account holds per currency (finance.md §1.3: "any excess
 * is a RECEIVE-OVERPAYMENT bank transaction (a customer credit), which can then be allocated or refunded").
 *
 * Decisions (see README.md in this folder):
 * - Remaining credit = total − active allocations − refunds (deleted allocations and payments no longer count);
 *   status PAID once nothing remains, AUTHORISED while something does; VOIDED/DELETED hold nothing. Xero's own
 *   RemainingCredit is compared with it and a difference is reported (drift), never silently preferred.
 * - Allocations and refunds may never exceed the credit, nor an allocation the invoice's currency.
 * - A receipt above what is due is split: the payment settles the invoice to zero, the excess is an overpayment
 *   (Xero refuses a payment above the amount due).
 * - The Account's view shows, per currency, the credit held and where it came from; it is never netted against
 *   invoices due (Xero keeps both until finance allocates) and never summed across currencies.
 */
import Big from 'big.js';

import { compareDates, type IsoDate } from './dates';
import { DomainError } from './errors';
import { money, sum, toWire, type Money } from './money';
import {
  CREDIT_WORDS,
  isActiveAllocation,
  isActivePayment,
  type CreditKind,
  type CreditState,
  type CreditStatus,
} from './ledger-documents';
import type { UnallocatedCredit } from './receivables';
import type { Decimal } from './xero-invoice-math';

export interface CreditPosition {
  kind: CreditKind;
  creditId: string;
  currencyCode: string;
  total: Money;
  allocated: Money;
  refunded: Money;
  remaining: Money;
  /** The status Xero should show for these amounts. */
  expectedStatus: CreditStatus;
  /** Differences from what Xero says (RemainingCredit, status), in words. */
  mismatches: string[];
}

const ZERO = new Big(0);

/** What one credit still holds, worked out from its allocations and refunds and checked against Xero's figures. */
export function creditPosition(credit: CreditState): CreditPosition {
  const name = `${CREDIT_WORDS[credit.kind]} ${credit.number ?? credit.creditId}`;
  const total = money(credit.total);
  const allocations = credit.allocations.filter(isActiveAllocation);
  const foreign = allocations.filter((a) => a.creditId !== credit.creditId);
  if (foreign.length > 0) {
    throw new DomainError('INVALID_INPUT', `${name} lists allocations of another credit (${foreign[0]!.creditId})`);
  }
  const allocated = sum(allocations.map((a) => money(a.amount)));
  const refunded = sum(credit.refunds.filter(isActivePayment).map((p) => money(p.amount)));
  const gone = credit.status === 'VOIDED' || credit.status === 'DELETED';
  const pending = credit.status === 'DRAFT' || credit.status === 'SUBMITTED';
  const remaining = gone ? ZERO : total.minus(allocated).minus(refunded);
  const mismatches: string[] = [];
  if (remaining.lt(0)) {
    mismatches.push(
      `${name}: ${toWire(allocated.plus(refunded))} allocated and refunded is more than its total ${toWire(total)}`,
    );
  }
  const expectedStatus: CreditStatus =
    gone || pending ? credit.status : remaining.lte(0) && total.gt(0) ? 'PAID' : 'AUTHORISED';
  const xeroRemaining = money(credit.remainingCredit);
  if (!xeroRemaining.eq(remaining.lt(0) ? ZERO : remaining)) {
    mismatches.push(
      `${name}: Xero says ${toWire(xeroRemaining)} ${credit.currencyCode} remains, its allocations and refunds leave ${toWire(remaining)}`,
    );
  }
  if (expectedStatus !== credit.status)
    mismatches.push(`${name}: Xero says ${credit.status}, its amounts say ${expectedStatus}`);
  return {
    kind: credit.kind,
    creditId: credit.creditId,
    currencyCode: credit.currencyCode.toUpperCase(),
    total,
    allocated,
    refunded,
    remaining: remaining.lt(0) ? ZERO : remaining,
    expectedStatus,
    mismatches,
  };
}

/**
 * Refuses an allocation Xero would refuse: above the credit's remaining amount or the invoice's amount due, in
 * another currency, on a credit or invoice that is not posted.
 */
export function checkAllocation(
  credit: Pick<CreditState, 'kind' | 'creditId' | 'number' | 'currencyCode' | 'status'> & { remaining: Decimal },
  invoice: { invoiceNumber?: string; invoiceId: string; currencyCode: string; status: string; amountDue: Decimal },
  amount: Decimal,
): void {
  const name = `${CREDIT_WORDS[credit.kind]} ${credit.number ?? credit.creditId}`;
  const invoiceName = `invoice ${invoice.invoiceNumber ?? invoice.invoiceId}`;
  const value = money(amount);
  const problems: string[] = [];
  if (value.lte(0)) problems.push(`the amount ${toWire(value)} must be above zero`);
  if (credit.currencyCode.toUpperCase() !== invoice.currencyCode.toUpperCase()) {
    problems.push(`${name} is in ${credit.currencyCode}, ${invoiceName} in ${invoice.currencyCode}`);
  }
  if (credit.status !== 'AUTHORISED') problems.push(`${name} is ${credit.status}, not open credit`);
  if (invoice.status !== 'AUTHORISED') problems.push(`${invoiceName} is ${invoice.status}, not awaiting payment`);
  if (value.gt(money(credit.remaining))) {
    problems.push(`${toWire(value)} is more than the ${toWire(money(credit.remaining))} ${name} holds`);
  }
  if (value.gt(money(invoice.amountDue))) {
    problems.push(`${toWire(value)} is more than the ${toWire(money(invoice.amountDue))} due on ${invoiceName}`);
  }
  if (problems.length > 0) {
    throw new DomainError(
      'INVALID_INPUT',
      `Cannot allocate ${name} to ${invoiceName}: ${problems.join('; ')}`,
      problems,
    );
  }
}

/** A receipt for an invoice: what settles it, and the excess that becomes the customer's overpayment. */
export function splitReceipt(amountDue: Decimal, received: Decimal): { payment: Money; overpayment: Money } {
  const due = money(amountDue);
  const cash = money(received);
  if (cash.lte(0)) throw new DomainError('INVALID_INPUT', `A receipt must be above zero, not ${toWire(cash)}`);
  if (due.lt(0)) throw new DomainError('INVALID_INPUT', `An amount due cannot be negative (${toWire(due)})`);
  const payment = cash.gt(due) ? due : cash;
  return { payment, overpayment: cash.minus(payment) };
}

export interface CreditHeld {
  currencyCode: string;
  /** Σ remaining over every open credit. */
  held: Money;
  byKind: Record<CreditKind, Money>;
  /** Open credits, oldest first. */
  credits: { kind: CreditKind; creditId: string; number?: string; date: IsoDate; remaining: Money }[];
}

/** The credit an Account holds, per currency (its credits for one entity's contact, or all entities'). */
export function creditHeld(credits: readonly CreditState[]): CreditHeld[] {
  const groups = new Map<string, CreditHeld>();
  for (const credit of credits) {
    const position = creditPosition(credit);
    if (position.remaining.lte(0) || !(credit.status === 'AUTHORISED' || credit.status === 'PAID')) continue;
    const group = groups.get(position.currencyCode) ?? {
      currencyCode: position.currencyCode,
      held: ZERO,
      byKind: { 'credit-note': ZERO, overpayment: ZERO, prepayment: ZERO },
      credits: [],
    };
    group.held = group.held.plus(position.remaining);
    group.byKind[credit.kind] = group.byKind[credit.kind].plus(position.remaining);
    group.credits.push({
      kind: credit.kind,
      creditId: credit.creditId,
      ...(credit.number ? { number: credit.number } : {}),
      date: credit.date,
      remaining: position.remaining,
    });
    groups.set(position.currencyCode, group);
  }
  return [...groups.values()]
    .map((group) => ({ ...group, credits: group.credits.sort((a, b) => compareDates(a.date, b.date)) }))
    .sort((a, b) => a.currencyCode.localeCompare(b.currencyCode));
}

/** The same credit as receivables.ts reads it beside the ageing buckets (its one home for unallocated credit). */
export function unallocatedCredits(credits: readonly CreditState[]): UnallocatedCredit[] {
  return creditHeld(credits).map(({ currencyCode, held }) => ({ currencyCode, remainingCredit: held }));
}

export type CreditEvent =
  | { type: 'received'; date: IsoDate; amount: Money }
  | { type: 'allocated'; date: IsoDate; amount: Money; invoiceId: string }
  | { type: 'refunded'; date: IsoDate; amount: Money; paymentId: string };

/** How one credit arose and was used, in date order: for the Account's view of a customer who paid too much. */
export function creditHistory(credit: CreditState): CreditEvent[] {
  const events: CreditEvent[] = [
    { type: 'received', date: credit.date, amount: money(credit.total) },
    ...credit.allocations
      .filter(isActiveAllocation)
      .map((a): CreditEvent => ({ type: 'allocated', date: a.date, amount: money(a.amount), invoiceId: a.invoiceId })),
    ...credit.refunds
      .filter(isActivePayment)
      .map((p): CreditEvent => ({ type: 'refunded', date: p.date, amount: money(p.amount), paymentId: p.paymentId })),
  ];
  // A stable sort keeps "received" first on its own day.
  return events.sort((a, b) => compareDates(a.date, b.date));
}
