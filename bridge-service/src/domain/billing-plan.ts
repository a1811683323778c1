/**
 * Billing plans: which invoices (and credit notes) a deal raises, on which dates, for how much, line by line.
 *
 * A plan line carries its consideration in segments: what was signed, then each modification's change (signed,
 * billed from the modification's date). Each segment is spread over the plan's billing periods
 * (billing-periods.ts), each piece dated by the terms, and the pieces on one date make one instalment. What has
 * already been raised is passed in and never changed: each (line, period) owes its due amount less what was raised
 * for it, and any difference goes on the next instalment of that line and period, or on one of its own.
 *
 * Decisions (see README.md in this folder):
 * - Issue dates: in advance a piece is issued on its first service day, in arrears the day after its last. A
 *   segment with `billFrom` (a modification) issues nothing before that date: pieces that fell due earlier are
 *   caught up on it (a stub invoice for an upsell, a credit note for a downgrade of an already billed period).
 * - First invoice date (the deal's): no instalment before it; billing in advance, the plan's first instalment is
 *   issued on it even when that is before the service starts (invoice on signature).
 * - One-off items (`oneOff`, start = end = delivery date) are billed with the period that contains their date: in
 *   advance on that period's first instalment, in arrears after it.
 * - Salesforce product schedules (OpportunityLineItemSchedule), when a line has them, replace the terms for that
 *   line: each installment is billed on its ScheduleDate for its Revenue (or the line's amount spread by Quantity,
 *   cumulative rounding), covering the days to the next installment. Revenue installments must sum to the line.
 * - A deal worth less than nothing as signed (its segments without `billFrom`) is refused (INVALID_BILLING_PLAN): its
 *   plan would be credit notes with no invoice to credit. One worth nothing plans no instalment.
 * - An instalment whose lines net below zero is a credit note; keys are `dealId:version:issueDate`, where the version
 *   is a hash of everything that sets the amounts, so the same inputs always give the same keys, and a re-planned
 *   deal gives new keys only to what is not yet raised.
 * - A raised instalment `onAccount` (a partial invoice: an amount, not a period) pays the line's earliest open amounts
 *   first (the signature instalment, or the first periods), each down to nothing before the next; what it pays beyond
 *   all the line still owes (billed twice) is planned back as a credit on its date.
 */
import { createHash } from 'node:crypto';

import { compareDates, maxDate, minDate, type IsoDate } from './dates';
import { throwIfProblems } from './errors';
import { decimalPlaces, money, sum, type Money } from './money';
import type { BillingTerms } from './billing-periods';
import { applyFirstInvoiceDate, openEntries, scheduleEntries, termEntries } from './billing-entries';
import type { ServicePeriod, SourceLine } from './invoice-mapping';
import type { Decimal } from './xero-invoice-math';

export interface BillingSegment {
  /** Signed consideration, 2 dp, excluding tax. */
  amount: Decimal;
  /** The service it pays for (one-off: start = end = the delivery date). */
  start: IsoDate;
  end: IsoDate;
  oneOff?: boolean;
  /** Nothing of this segment is issued before this date (a modification's billing date). */
  billFrom?: IsoDate;
  /**
   * All of this segment is issued on this date, whatever its periods: a change signed on a plan that bills on
   * signature (upfront, in advance) is invoiced when it is signed.
   */
  billOn?: IsoDate;
}

/** One OpportunityLineItemSchedule installment. */
export interface ProductScheduleRow {
  date: IsoDate;
  type: 'Revenue' | 'Quantity' | 'Both';
  revenue?: Decimal | null;
  quantity?: Decimal | null;
}

export interface PlanLine {
  /** Stable: the OpportunityLineItem id (an amendment's new line: its own id). */
  lineKey: string;
  /** The accounting contract the line belongs to (balances are per contract). Default: the deal. */
  contractKey?: string;
  description: string;
  itemCode?: string;
  /** The line's own terms, when its product pins them (a setup fee always billed upfront). */
  terms?: BillingTerms;
  segments: readonly BillingSegment[];
  productSchedule?: readonly ProductScheduleRow[];
}

export interface RaisedInstalmentLine {
  lineKey: string;
  periodKey: IsoDate;
  amount: Decimal;
  servicePeriod?: ServicePeriod;
}

/** An instalment already raised (Billing_Instalment__c with Status Raised): never changed by a re-plan. */
export interface RaisedInstalment {
  key: string;
  issueDate: IsoDate;
  lines: readonly RaisedInstalmentLine[];
  /**
   * Raised on account of its lines, not of a period (a partial invoice): each line's amount is set against what the
   * line still owes, earliest first, whatever the period keys say, and moves nothing later.
   */
  onAccount?: boolean;
}

export interface BillingPlanInput {
  /** The Opportunity that opened the contract. */
  dealId: string;
  currency: string;
  /** The contract term: its start anchors the billing periods. */
  service: ServicePeriod;
  terms: BillingTerms;
  firstInvoiceDate?: IsoDate;
  lines: readonly PlanLine[];
  raised?: readonly RaisedInstalment[];
}

export interface InstalmentLine {
  lineKey: string;
  contractKey: string;
  description: string;
  itemCode?: string;
  /** First day of the billing period billed: with `lineKey`, how raised amounts are matched on a re-plan. */
  periodKey: IsoDate;
  servicePeriod: ServicePeriod;
  /** Signed, 2 dp. */
  amount: Money;
}

export interface Instalment {
  key: string;
  version: string;
  /** 1-based, counting the instalments already raised. */
  sequence: number;
  issueDate: IsoDate;
  kind: 'invoice' | 'credit-note';
  /** Signed net of the lines, excluding tax. */
  amount: Money;
  servicePeriod: ServicePeriod;
  lines: InstalmentLine[];
}

export interface BillingPlan {
  dealId: string;
  currency: string;
  version: string;
  /** Everything the lines' segments add up to. */
  contractValue: Money;
  /** What the raised instalments billed. */
  raisedAmount: Money;
  /** What is still to raise, in date order. contractValue = raisedAmount + Σ instalment amounts. */
  instalments: Instalment[];
}

function validate(input: BillingPlanInput): void {
  const problems: string[] = [];
  const keys = new Set<string>();
  if (compareDates(input.service.end, input.service.start) < 0) problems.push('the contract ends before it starts');
  if (input.lines.length === 0) problems.push('the deal has no lines');
  for (const line of input.lines) {
    if (keys.has(line.lineKey)) problems.push(`line ${line.lineKey} appears twice`);
    keys.add(line.lineKey);
    if (line.segments.length === 0) problems.push(`line ${line.description} has nothing to bill`);
    for (const s of line.segments) {
      if (decimalPlaces(money(s.amount)) > 2)
        problems.push(`line ${line.description}: ${String(s.amount)} is not 2 dp`);
      if (compareDates(s.end, s.start) < 0) problems.push(`line ${line.description}: a segment ends before it starts`);
      if (s.oneOff && s.start !== s.end) problems.push(`line ${line.description}: a one-off item has one date`);
    }
    if (line.productSchedule && line.segments.length !== 1) {
      problems.push(`line ${line.description} follows its Salesforce schedule: change the schedule, not the plan`);
    }
  }
  // What was signed (segments without a modification's billFrom) must be worth something: a negative deal would plan
  // credit notes with no invoice to credit, refused only when each falls due. Worth exactly nothing plans nothing.
  const signed = sum(
    input.lines.flatMap((line) => line.segments.filter((s) => s.billFrom === undefined).map((s) => money(s.amount))),
  );
  if (signed.lt(0)) {
    problems.push(
      `the deal as signed is worth ${signed.toFixed(2)} ${input.currency}: a deal is billed for more than nothing (correct its products; to give money back, raise a credit note)`,
    );
  }
  throwIfProblems('INVALID_BILLING_PLAN', 'Cannot plan the billing', problems);
}

/** A hash of everything that sets the amounts and dates: the plan's version, part of every instalment key. */
export function planVersion(input: BillingPlanInput): string {
  const canonical = {
    dealId: input.dealId,
    currency: input.currency,
    service: input.service,
    terms: input.terms,
    firstInvoiceDate: input.firstInvoiceDate ?? null,
    lines: input.lines.map((line) => ({
      lineKey: line.lineKey,
      contractKey: line.contractKey ?? input.dealId,
      description: line.description,
      itemCode: line.itemCode ?? null,
      terms: line.terms ?? null,
      // billOn joins the hash only where it is set, so plans without it keep the versions they always had.
      segments: line.segments.map((s) => [
        money(s.amount).toFixed(2),
        s.start,
        s.end,
        !!s.oneOff,
        s.billFrom ?? null,
        ...(s.billOn ? [s.billOn] : []),
      ]),
      schedule: (line.productSchedule ?? []).map((r) => [r.date, r.type, r.revenue ?? null, r.quantity ?? null]),
    })),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 12);
}

/** The billing plan: the instalments still to raise, in date order, keyed for exactly-once raising. */
export function buildBillingPlan(input: BillingPlanInput): BillingPlan {
  validate(input);
  const version = planVersion(input);
  const entries = input.lines.flatMap((line) =>
    line.productSchedule ? scheduleEntries(line, line.productSchedule) : termEntries(input, line),
  );
  applyFirstInvoiceDate(input, entries);
  const byDate = new Map<IsoDate, Map<string, InstalmentLine>>();
  for (const e of openEntries(input, entries)) {
    const lines = byDate.get(e.issueDate) ?? new Map<string, InstalmentLine>();
    byDate.set(e.issueDate, lines);
    const id = `${e.line.lineKey}|${e.periodKey}`;
    const existing = lines.get(id);
    if (existing) {
      existing.amount = existing.amount.plus(e.amount);
      existing.servicePeriod = {
        start: minDate(existing.servicePeriod.start, e.piece.start),
        end: maxDate(existing.servicePeriod.end, e.piece.end),
      };
      continue;
    }
    const line: InstalmentLine = {
      lineKey: e.line.lineKey,
      contractKey: e.line.contractKey ?? input.dealId,
      description: e.line.description,
      periodKey: e.periodKey,
      servicePeriod: { ...e.piece },
      amount: e.amount,
    };
    if (e.line.itemCode) line.itemCode = e.line.itemCode;
    lines.set(id, line);
  }
  const raised = input.raised ?? [];
  const instalments: Instalment[] = [];
  for (const issueDate of [...byDate.keys()].sort(compareDates)) {
    const lines = [...(byDate.get(issueDate)?.values() ?? [])].filter((l) => !l.amount.eq(0));
    if (lines.length === 0) continue;
    const amount = sum(lines.map((l) => l.amount));
    instalments.push({
      key: `${input.dealId}:${version}:${issueDate}`,
      version,
      sequence: raised.length + instalments.length + 1,
      issueDate,
      kind: amount.lt(0) ? 'credit-note' : 'invoice',
      amount,
      servicePeriod: {
        start: lines.map((l) => l.servicePeriod.start).reduce((a, b) => minDate(a, b)),
        end: lines.map((l) => l.servicePeriod.end).reduce((a, b) => maxDate(a, b)),
      },
      lines,
    });
  }
  const contractValue = sum(input.lines.flatMap((l) => l.segments.map((s) => money(s.amount))));
  const raisedAmount = sum(raised.flatMap((r) => r.lines.map((l) => money(l.amount))));
  const planned = sum(instalments.map((i) => i.amount));
  if (!raisedAmount.plus(planned).eq(contractValue)) {
    // Cannot happen by construction; a bug here must never reach Xero.
    throw new Error(`billing plan ${input.dealId} does not tie: ${raisedAmount} + ${planned} ≠ ${contractValue}`);
  }
  return { dealId: input.dealId, currency: input.currency, version, contractValue, raisedAmount, instalments };
}

/**
 * An instalment's lines as invoice-mapping source lines: Quantity 1 × the amount (a piece of a period is rarely a
 * whole number of units at a 4-dp price, and a merged change has no single quantity) with the service period on
 * the line (mapDocument writes it into the description); a credit note's lines with their signs turned.
 */
export function instalmentSourceLines(instalment: Pick<Instalment, 'kind' | 'lines'>): SourceLine[] {
  const sign = instalment.kind === 'credit-note' ? -1 : 1;
  return instalment.lines.map((line) => {
    const source: SourceLine = {
      description: line.description,
      quantity: '1',
      unitPrice: line.amount.times(sign).toFixed(2),
      servicePeriod: line.servicePeriod,
    };
    if (line.itemCode) source.itemCode = line.itemCode;
    return source;
  });
}
