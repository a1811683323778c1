/**
 * Contracts as the revenue standard sees them, and how their transaction price is allocated to lines (ASC 606
 * step 4; IFRS 15.73–86), at inception and again after a prospective modification (modification.ts).
 *
 * Decisions (see README.md in this folder):
 * - SSP input: per product (Product2.Standalone_Selling_Price__c), per unit per 12 months for a ratable line and
 *   per unit for a point-in-time one, in the deal's currency. A line's standalone value over a period = SSP ×
 *   quantity × the period as a fraction of 12 months (proration.ts, Daily).
 * - A line is priced at SSP when its price is within ± the tolerance (default 15 %, Billing_Entity__mdt
 *   SSP_Tolerance_Percent__c) of its standalone value: the usual "SSP range" practice.
 * - Allocation: as priced when every line is priced at SSP; by relative standalone value (cumulative rounding)
 *   when every line has an SSP and at least one is outside its range; as priced, flagged SSP_MISSING, when a line has
 *   no SSP (or one in another currency), because nothing better can be computed and the flag asks finance to look.
 */
import type Big from 'big.js';

import { compareDates, type IsoDate } from './dates';
import { money, sum, type Money } from './money';
import { allocate, ratioOf } from './billing-periods';
import { applyProration } from './proration';
import type { BillingSegment, PlanLine, ProductScheduleRow } from './billing-plan';
import type { BillingTerms } from './billing-periods';
import type { LedgerLine } from './balances';
import type { ServicePeriod } from './invoice-mapping';
import type { RecognitionMethod, RevenueSegment } from './revenue';
import type { Decimal } from './xero-invoice-math';

export interface Ssp {
  /** Per unit per 12 months (ratable lines) or per unit (point in time). */
  amount: Decimal;
  currency: string;
}

export interface SspPolicy {
  /** Percent either side of the standalone value that still counts as SSP. Default 15. */
  tolerancePercent?: Decimal;
}

export type FlagCode = 'SSP_MISSING' | 'RELATIVE_SSP';

/** Something finance should look at; never a reason to stop billing. */
export interface Flag {
  code: FlagCode;
  lineKey?: string;
  message: string;
}

export interface RevenueLine {
  lineKey: string;
  productKey: string;
  description: string;
  itemCode?: string;
  quantity: Decimal;
  /** Ratable: the service period. Point in time: start = end = the delivery date. */
  service: ServicePeriod;
  method: RecognitionMethod;
  ssp?: Ssp;
  /** The line's own billing terms (its product pins them) and Salesforce product schedule, if any. */
  billingTerms?: BillingTerms;
  productSchedule?: readonly ProductScheduleRow[];
  /** Consideration as billed, in segments (billing-plan.ts). */
  billing: BillingSegment[];
  /** Transaction price as allocated, in segments (revenue.ts). */
  revenue: RevenueSegment[];
}

export interface RevenueContract {
  /** The Opportunity that opened it (a separate-contract modification: the amending Opportunity). */
  contractKey: string;
  currency: string;
  lines: RevenueLine[];
}

export const DEFAULT_SSP_TOLERANCE_PERCENT = '15';

/** SSP × quantity over `period` (ratable) or SSP × quantity (point in time); undefined when it cannot be used. */
export function standaloneValue(
  line: Pick<RevenueLine, 'method' | 'ssp' | 'quantity'>,
  currency: string,
  period: ServicePeriod,
): Money | undefined {
  if (!line.ssp || line.ssp.currency.toUpperCase() !== currency.toUpperCase()) return undefined;
  const units = money(line.ssp.amount).times(money(line.quantity));
  return line.method === 'point-in-time' ? units : applyProration(units, period.start, period.end);
}

export function withinTolerance(priced: Money, standalone: Money, policy: SspPolicy = {}): boolean {
  const tolerance = standalone
    .abs()
    .times(money(policy.tolerancePercent ?? DEFAULT_SSP_TOLERANCE_PERCENT))
    .div(100);
  return priced.minus(standalone).abs().lte(tolerance);
}

export function sspMissingFlag(line: Pick<RevenueLine, 'lineKey' | 'description' | 'ssp'>, currency: string): Flag {
  const why = line.ssp
    ? `its SSP is in ${line.ssp.currency}, the contract in ${currency}`
    : 'its product has no standalone selling price';
  return { code: 'SSP_MISSING', lineKey: line.lineKey, message: `${line.description}: ${why}; allocated as priced` };
}

export interface AllocationItem {
  line: Pick<RevenueLine, 'lineKey' | 'description' | 'method' | 'ssp' | 'quantity'>;
  /** What the contract prices this obligation at. */
  priced: Money;
  /** The period the obligation is satisfied over (for its standalone value). */
  period: ServicePeriod;
}

/** The allocated amounts (same order as `items`), summing to Σ priced, and what finance should know. */
export function allocateTransactionPrice(
  items: readonly AllocationItem[],
  currency: string,
  policy: SspPolicy = {},
): { amounts: Money[]; basis: 'as-priced' | 'relative-ssp'; flags: Flag[] } {
  const priced = items.map((i) => i.priced);
  // One obligation takes the whole price: there is nothing to allocate between.
  if (items.length < 2) return { amounts: priced, basis: 'as-priced', flags: [] };
  const standalone = items.map((i) => standaloneValue(i.line, currency, i.period));
  const missing = items.filter((_, k) => standalone[k] === undefined);
  if (missing.length > 0) {
    return { amounts: priced, basis: 'as-priced', flags: missing.map((i) => sspMissingFlag(i.line, currency)) };
  }
  const values = standalone as Big[];
  if (items.every((_, k) => withinTolerance(priced[k] as Money, values[k] as Money, policy))) {
    return { amounts: priced, basis: 'as-priced', flags: [] };
  }
  const total = sum(priced);
  if (sum(values).lte(0)) return { amounts: priced, basis: 'as-priced', flags: [] };
  const outside = items.filter((_, k) => !withinTolerance(priced[k] as Money, values[k] as Money, policy));
  return {
    amounts: allocate(total, values.map(ratioOf)),
    basis: 'relative-ssp',
    flags: [
      {
        code: 'RELATIVE_SSP',
        message: `Allocated by relative SSP: ${outside.map((i) => i.line.description).join(', ')} priced outside the SSP range`,
      },
    ],
  };
}

export interface DealLine {
  lineKey: string;
  productKey: string;
  description: string;
  /** A renewed line's description without its renewal note (amendment.ts `RenewedLine`): what a renewal of it renews. */
  baseDescription?: string;
  itemCode?: string;
  quantity: Decimal;
  /** The line's price for its service period (OpportunityLineItem.TotalPrice), 2 dp. */
  amount: Decimal;
  service: ServicePeriod;
  method: RecognitionMethod;
  /** Point in time: when it is delivered (default the service start). */
  deliveryDate?: IsoDate;
  ssp?: Ssp;
  billingTerms?: BillingTerms;
  productSchedule?: readonly ProductScheduleRow[];
}

/** A contract at signature: each line billed as priced, its revenue allocated (as priced or by relative SSP). */
export function openContract(
  input: { contractKey: string; currency: string; lines: readonly DealLine[] },
  policy: SspPolicy = {},
): { contract: RevenueContract; basis: 'as-priced' | 'relative-ssp'; flags: Flag[] } {
  const lines = input.lines.map((line): RevenueLine => {
    const at = line.deliveryDate ?? line.service.start;
    const pointInTime = line.method === 'point-in-time';
    const service = pointInTime ? { start: at, end: at } : line.service;
    const base: RevenueLine = {
      lineKey: line.lineKey,
      productKey: line.productKey,
      description: line.description,
      quantity: line.quantity,
      service,
      method: line.method,
      billing: [{ amount: money(line.amount).toFixed(2), ...service, ...(pointInTime ? { oneOff: true } : {}) }],
      revenue: [],
    };
    if (line.itemCode) base.itemCode = line.itemCode;
    if (line.ssp) base.ssp = line.ssp;
    if (line.billingTerms) base.billingTerms = line.billingTerms;
    if (line.productSchedule) base.productSchedule = line.productSchedule;
    return base;
  });
  const { amounts, basis, flags } = allocateTransactionPrice(
    lines.map((line, k) => ({ line, priced: money(input.lines[k]?.amount ?? '0'), period: line.service })),
    input.currency,
    policy,
  );
  lines.forEach((line, k) => {
    const amount = (amounts[k] as Money).toFixed(2);
    line.revenue = [{ method: line.method, start: line.service.start, end: line.service.end, amount }];
  });
  return { contract: { contractKey: input.contractKey, currency: input.currency, lines }, basis, flags };
}

/** The last service day of the contract's lines. */
export function contractEnd(contract: RevenueContract): IsoDate {
  return contract.lines.map((l) => l.service.end).reduce((a, b) => (compareDates(a, b) >= 0 ? a : b));
}

/** The contract's lines as billing-plan lines (billed consideration; the plan may hold several contracts). */
export function planLinesOf(contract: RevenueContract): PlanLine[] {
  return contract.lines.map((line) => {
    const planLine: PlanLine = {
      lineKey: line.lineKey,
      contractKey: contract.contractKey,
      description: line.description,
      segments: line.billing,
    };
    if (line.itemCode) planLine.itemCode = line.itemCode;
    if (line.billingTerms) planLine.terms = line.billingTerms;
    if (line.productSchedule) planLine.productSchedule = line.productSchedule;
    return planLine;
  });
}

/** The contract's lines as balance lines (allocated revenue). */
export function ledgerLinesOf(contract: RevenueContract, entity: string): LedgerLine[] {
  return contract.lines.map((line) => ({
    lineKey: line.lineKey,
    contractKey: contract.contractKey,
    entity,
    currency: contract.currency,
    revenue: line.revenue,
  }));
}
