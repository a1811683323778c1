/**
 * Contract modifications (ASC 606-10-25-10 to 25-13; IFRS 15.18–21): upsell, added seats, downgrade, early
 * cancellation, extension. What a change costs is priced elsewhere (amendment.ts: co-termed proration, CPQ's
 * rules); this module decides how the change is accounted for, and re-plans billing and revenue from its date.
 *
 * Decisions (see README.md in this folder):
 * - Separate contract (25-12) when every change adds distinct goods or services (more seats, a new product) at its
 *   SSP (allocation.ts: within the tolerance of SSP × units over the added service), and nothing is reduced,
 *   repriced or re-termed. It becomes a new accounting contract (its own revenue and balances, keyed by the
 *   amending Opportunity); its lines are billed on the deal's plan, co-termed, so the customer gets one invoice a date.
 * - Otherwise prospective (25-13(a)): every line stops earning the day before the modification; what it had not yet
 *   recognised plus the new consideration is allocated to what remains (as priced, or by relative SSP) and earned
 *   over the remaining service. SaaS periods are distinct (a series), so the cumulative catch-up of 25-13(b) does not
 *   arise; where nothing of a line remains (all seats cancelled, service ended early), its remainder is recognised
 *   on the modification date.
 * - SSP missing (or in another currency): prospective, flagged SSP_MISSING. For co-termed SaaS additions both
 *   treatments earn the same each day; they differ only in which contract carries the balances.
 * - Revenue never changes a closed month: with `firstOpenDate`, a backdated modification takes effect for revenue
 *   on that day (the difference is caught up there).
 * - Billing is prospective with the same rules: already raised instalments are never changed; the change is a
 *   billing segment from `billFrom` (default the effective date) over the remaining periods, so what fell due
 *   before it is caught up on one instalment that day (an invoice for an increase, a credit note for a decrease
 *   of an already billed period) and later periods carry the change on their usual dates.
 */
import { addDays, compareDates, maxDate, type IsoDate } from './dates';
import { DomainError, throwIfProblems } from './errors';
import type { AmendmentChange } from './amendment';
import { money, sum, type Money } from './money';
import {
  allocateTransactionPrice,
  sspMissingFlag,
  standaloneValue,
  withinTolerance,
  type Flag,
  type RevenueContract,
  type RevenueLine,
  type Ssp,
  type SspPolicy,
} from './allocation';
import { recognisedThrough, revenueTotal, stopSegmentsAfter, type RecognitionMethod } from './revenue';
import type { BillingSegment } from './billing-plan';
import type { ServicePeriod } from './invoice-mapping';
import type { Decimal } from './xero-invoice-math';

export interface LineChange {
  /** An existing line, or a new one (its OpportunityLineItem id). */
  lineKey: string;
  /** Signed. */
  quantityDelta: Decimal;
  /** Signed change in consideration (amendment.ts prices it), 2 dp. */
  amountDelta: Decimal;
  /** New lines: */
  productKey?: string;
  description?: string;
  itemCode?: string;
  method?: RecognitionMethod;
  /** New ratable lines: default from the effective date to the contract end. */
  service?: ServicePeriod;
  /** New point-in-time lines: default the effective date. */
  deliveryDate?: IsoDate;
  ssp?: Ssp;
  /** How the change is billed; default one segment from the effective date to the line's end. */
  billing?: { amount: Decimal; start: IsoDate; end: IsoDate }[];
  /** Default true: added seats and new products are distinct from what the customer has (series of periods). */
  distinct?: boolean;
}

export interface Modification {
  /** The amending Opportunity: the key of a separate contract. */
  key: string;
  effectiveDate: IsoDate;
  /** Billing of the change starts here; default the effective date. */
  billFrom?: IsoDate;
  /** All of the change is billed on this date (a plan billed on signature: the day it is signed). */
  billOn?: IsoDate;
  changes: readonly LineChange[];
  /** Extension (later) or early end (earlier) of every ratable line. */
  newEndDate?: IsoDate;
  /** First day of the first open month: revenue is never changed before it. */
  firstOpenDate?: IsoDate;
}

export type Treatment = 'separate-contract' | 'prospective';

export interface ModificationResult {
  treatment: Treatment;
  /** Why, in words for the record. */
  reasons: string[];
  flags: Flag[];
  /** The modified contract (unchanged when the change is a separate contract). */
  contract: RevenueContract;
  /** The new accounting contract, for a separate-contract change. */
  separate?: RevenueContract;
}

const lineEnd = (contract: RevenueContract): IsoDate =>
  contract.lines.map((l) => l.service.end).reduce((a, b) => maxDate(a, b));

function changedPeriod(contract: RevenueContract, mod: Modification, change: LineChange, line?: RevenueLine) {
  if ((line?.method ?? change.method) === 'point-in-time') {
    const at = line?.service.start ?? change.deliveryDate ?? mod.effectiveDate;
    return { start: at, end: at };
  }
  const start = maxDate(mod.effectiveDate, line?.service.start ?? change.service?.start ?? mod.effectiveDate);
  return { start, end: change.service?.end ?? line?.service.end ?? lineEnd(contract) };
}

/** Separate contract or prospective, with the reasons and flags. */
export function classifyModification(
  contract: RevenueContract,
  mod: Modification,
  policy: SspPolicy = {},
): { treatment: Treatment; reasons: string[]; flags: Flag[] } {
  const reasons: string[] = [];
  const flags: Flag[] = [];
  if (mod.newEndDate) reasons.push(`the term changes to end on ${mod.newEndDate}`);
  for (const change of mod.changes) {
    const line = contract.lines.find((l) => l.lineKey === change.lineKey);
    const name = line?.description ?? change.description ?? change.lineKey;
    const added = money(change.quantityDelta);
    const price = money(change.amountDelta);
    if (added.lte(0) || price.lte(0)) {
      reasons.push(`${name} is reduced or repriced, not added`);
      continue;
    }
    if (change.distinct === false) {
      reasons.push(`${name} is not distinct from what the customer already has`);
      continue;
    }
    const ssp = change.ssp ?? line?.ssp;
    const method = line?.method ?? change.method ?? 'daily';
    const period = changedPeriod(contract, mod, change, line);
    const standalone = standaloneValue({ method, quantity: added, ...(ssp ? { ssp } : {}) }, contract.currency, period);
    if (!standalone) {
      flags.push(
        sspMissingFlag({ lineKey: change.lineKey, description: name, ...(ssp ? { ssp } : {}) }, contract.currency),
      );
      reasons.push(`${name} has no SSP to compare its price with (prospective by default)`);
    } else if (!withinTolerance(price, standalone, policy)) {
      reasons.push(`${name} is priced at ${price.toFixed(2)} against a standalone value of ${standalone.toFixed(2)}`);
    }
  }
  return reasons.length === 0
    ? { treatment: 'separate-contract', reasons: ['distinct additions priced at their SSP (ASC 606-10-25-12)'], flags }
    : { treatment: 'prospective', reasons, flags };
}

function billingOf(mod: Modification, change: LineChange, period: ServicePeriod, oneOff: boolean): BillingSegment[] {
  const billFrom = mod.billFrom ?? mod.effectiveDate;
  const parts = change.billing ?? [{ amount: change.amountDelta, ...period }];
  return parts
    .filter((p) => !money(p.amount).eq(0))
    .map((p) => ({
      amount: money(p.amount).toFixed(2),
      start: p.start,
      end: p.end,
      billFrom,
      ...(mod.billOn ? { billOn: mod.billOn } : {}),
      ...(oneOff ? { oneOff } : {}),
    }));
}

function newLine(contract: RevenueContract, mod: Modification, change: LineChange, lineKey: string): RevenueLine {
  const method = change.method ?? 'daily';
  const service = changedPeriod(contract, mod, change);
  const line: RevenueLine = {
    lineKey,
    productKey: change.productKey ?? change.lineKey,
    description: change.description ?? change.lineKey,
    quantity: money(change.quantityDelta).toString(),
    service,
    method,
    billing: billingOf(mod, change, service, method === 'point-in-time'),
    revenue: [],
  };
  if (change.itemCode) line.itemCode = change.itemCode;
  if (change.ssp) line.ssp = change.ssp;
  return line;
}

function validate(contract: RevenueContract, mod: Modification): void {
  const problems: string[] = [];
  const start = contract.lines.map((l) => l.service.start).reduce((a, b) => (compareDates(a, b) <= 0 ? a : b));
  if (compareDates(mod.effectiveDate, start) < 0)
    problems.push(`it takes effect before the contract starts (${start})`);
  if (mod.newEndDate && compareDates(mod.newEndDate, addDays(mod.effectiveDate, -1)) < 0) {
    problems.push(`the new end (${mod.newEndDate}) is before the effective date`);
  }
  for (const change of mod.changes) {
    const existing = contract.lines.some((l) => l.lineKey === change.lineKey);
    if (!existing && (!change.description || !change.method)) {
      problems.push(`new line ${change.lineKey} needs a description and a recognition method`);
    }
    if (!existing && money(change.quantityDelta).lte(0)) problems.push(`new line ${change.lineKey} adds no quantity`);
    const billed = change.billing && sum(change.billing.map((b) => money(b.amount)));
    if (billed && !billed.eq(money(change.amountDelta))) {
      problems.push(
        `${change.lineKey} bills ${billed.toFixed(2)} for a change of ${money(change.amountDelta).toFixed(2)}`,
      );
    }
  }
  throwIfProblems('INVALID_MODIFICATION', 'Cannot apply the contract modification', problems);
}

/** The contract after the modification: billing segments added, revenue re-planned prospectively. */
export function applyModification(
  contract: RevenueContract,
  mod: Modification,
  policy: SspPolicy = {},
): ModificationResult {
  validate(contract, mod);
  const { treatment, reasons, flags } = classifyModification(contract, mod, policy);
  if (treatment === 'separate-contract') {
    const taken = new Set(contract.lines.map((l) => l.lineKey));
    const lines = mod.changes.map((change) => {
      const original = contract.lines.find((l) => l.lineKey === change.lineKey);
      const template: LineChange = original
        ? {
            ...change,
            productKey: original.productKey,
            description: original.description,
            method: original.method,
            service: changedPeriod(contract, mod, change, original),
            ...(original.itemCode ? { itemCode: original.itemCode } : {}),
            ...(original.ssp && !change.ssp ? { ssp: original.ssp } : {}),
          }
        : change;
      const line = newLine(
        contract,
        mod,
        template,
        taken.has(change.lineKey) ? `${mod.key}:${change.lineKey}` : change.lineKey,
      );
      line.revenue = [{ method: line.method, ...line.service, amount: money(change.amountDelta).toFixed(2) }];
      return line;
    });
    return {
      treatment,
      reasons,
      flags,
      contract,
      separate: { contractKey: mod.key, currency: contract.currency, lines },
    };
  }

  const from = maxDate(mod.effectiveDate, mod.firstOpenDate ?? mod.effectiveDate);
  const before = addDays(from, -1);
  const lines: RevenueLine[] = contract.lines.map((line) => ({ ...line, billing: [...line.billing] }));
  const deltas = new Map<string, Money>();
  for (const change of mod.changes) {
    let line = lines.find((l) => l.lineKey === change.lineKey);
    if (!line) lines.push((line = newLine(contract, mod, change, change.lineKey)));
    else {
      const period = changedPeriod(contract, mod, change, line);
      if (mod.newEndDate && line.method !== 'point-in-time') period.end = maxDate(period.end, mod.newEndDate);
      line.billing.push(...billingOf(mod, change, period, line.method === 'point-in-time'));
      line.quantity = money(line.quantity).plus(money(change.quantityDelta)).toString();
    }
    deltas.set(line.lineKey, (deltas.get(line.lineKey) ?? money('0')).plus(money(change.amountDelta)));
  }
  if (mod.newEndDate) {
    for (const line of lines)
      if (line.method !== 'point-in-time') line.service = { ...line.service, end: mod.newEndDate };
  }

  // What each line has not yet earned, plus its change, and what is left of its service from `from`.
  const remaining: { line: RevenueLine; priced: Money; period: ServicePeriod }[] = [];
  const caughtUp: { line: RevenueLine; priced: Money }[] = [];
  for (const line of lines) {
    const unrecognised = revenueTotal(line.revenue).minus(recognisedThrough(line.revenue, before));
    const priced = unrecognised.plus(deltas.get(line.lineKey) ?? money('0'));
    const start = maxDate(from, line.service.start);
    const open = money(line.quantity).gt(0) && compareDates(start, line.service.end) <= 0;
    if (open) remaining.push({ line, priced, period: { start, end: line.service.end } });
    else if (!priced.eq(0)) caughtUp.push({ line, priced });
    line.revenue = stopSegmentsAfter(line.revenue, before);
  }
  const allocation = allocateTransactionPrice(remaining, contract.currency, policy);
  remaining.forEach(({ line, period }, k) => {
    const amount = (allocation.amounts[k] as Money).toFixed(2);
    if (!money(amount).eq(0)) line.revenue.push({ method: line.method, ...period, amount });
  });
  for (const { line, priced } of caughtUp) {
    line.revenue.push({ method: 'point-in-time', start: from, end: from, amount: priced.toFixed(2) });
  }
  const added = sum(lines.map((l) => revenueTotal(l.revenue))).minus(
    sum(contract.lines.map((l) => revenueTotal(l.revenue))),
  );
  if (!added.eq(sum([...deltas.values()]))) {
    // Cannot happen by construction; a bug here must never reach the ledger.
    throw new Error(`modification ${mod.key} moved revenue by ${added.toFixed(2)}, not by its consideration`);
  }
  return {
    treatment,
    reasons,
    // Classification and allocation may both miss the same SSP: say it once.
    flags: [...flags, ...allocation.flags].filter(
      (f, i, all) => all.findIndex((g) => g.code === f.code && g.lineKey === f.lineKey) === i,
    ),
    contract: { ...contract, lines },
  };
}

/**
 * amendment.ts's priced changes as line changes: summed per product onto the contract line that has it; a product
 * the contract does not have becomes a new line described by `newLine` (the amending Opportunity's line item).
 */
export function lineChangesFromAmendment(
  changes: readonly AmendmentChange[],
  contract: RevenueContract,
  newLine: (productKey: string) => Omit<LineChange, 'quantityDelta' | 'amountDelta'>,
): LineChange[] {
  const byProduct = new Map<string, { quantity: Money; amount: Money }>();
  for (const change of changes) {
    const current = byProduct.get(change.productKey) ?? { quantity: money('0'), amount: money('0') };
    byProduct.set(change.productKey, {
      quantity: current.quantity.plus(change.quantity),
      amount: current.amount.plus(change.amount),
    });
  }
  return [...byProduct]
    .filter(([, c]) => !c.quantity.eq(0) || !c.amount.eq(0))
    .map(([productKey, c]) => {
      const lines = contract.lines.filter((l) => l.productKey === productKey);
      if (lines.length > 1) {
        throw new DomainError(
          'INVALID_MODIFICATION',
          `${productKey} is on ${lines.length} lines of contract ${contract.contractKey}: change one line at a time`,
        );
      }
      const target = lines[0] ? { lineKey: lines[0].lineKey } : newLine(productKey);
      return { ...target, quantityDelta: c.quantity.toString(), amountDelta: c.amount.toFixed(2) };
    });
}
