/**
 * A deal's whole story in one place: signed, then modified (in order), then billed by one plan, with its revenue
 * and balances. The bridge replays it from Salesforce records whenever one of them changes, so every figure is a
 * function of the records (nothing is patched in place) and the same records always give the same figures.
 */
import { compareDates, maxDate, type IsoDate } from './dates';
import { DomainError } from './errors';
import {
  ledgerLinesOf,
  openContract,
  planLinesOf,
  type DealLine,
  type Flag,
  type RevenueContract,
  type SspPolicy,
} from './allocation';
import { applyModification, type Modification, type Treatment } from './modification';
import type { BillingTerms } from './billing-periods';
import type { BillingPlanInput, Instalment, RaisedInstalment } from './billing-plan';
import type { BillingEntry, LedgerLine } from './balances';
import type { ServicePeriod } from './invoice-mapping';

export interface Deal {
  /** The Opportunity that opened the contract: the plan's and the first contract's key. */
  dealId: string;
  currency: string;
  /** Billing_Entity__mdt DeveloperName. */
  entity: string;
  service: ServicePeriod;
  terms: BillingTerms;
  firstInvoiceDate?: IsoDate;
  lines: readonly DealLine[];
}

export interface DealHistory {
  deal: Deal;
  /** Amending Opportunities, in the order they take effect. */
  modifications: readonly Modification[];
  policy?: SspPolicy;
}

export interface ReplayedDeal {
  /** The deal's contract first, then one per separate-contract modification. */
  contracts: RevenueContract[];
  steps: { key: string; treatment: Treatment; reasons: string[] }[];
  flags: Flag[];
}

/** Signs the deal and applies each modification to the contract that holds the lines it changes. */
export function replayDeal(history: DealHistory): ReplayedDeal {
  const { deal, policy } = history;
  const opened = openContract({ contractKey: deal.dealId, currency: deal.currency, lines: deal.lines }, policy);
  const contracts = [opened.contract];
  const steps: ReplayedDeal['steps'] = [];
  const flags = [...opened.flags];
  const ordered = [...history.modifications].sort((a, b) => compareDates(a.effectiveDate, b.effectiveDate));
  for (const mod of ordered) {
    const holders = contracts.filter((c) => mod.changes.some((ch) => c.lines.some((l) => l.lineKey === ch.lineKey)));
    if (holders.length > 1) {
      throw new DomainError(
        'INVALID_MODIFICATION',
        `Modification ${mod.key} changes lines of ${holders.length} contracts; amend one contract at a time`,
      );
    }
    const target = holders[0] ?? (contracts[0] as RevenueContract);
    const result = applyModification(target, mod, policy);
    contracts[contracts.indexOf(target)] = result.contract;
    if (result.separate) contracts.push(result.separate);
    steps.push({ key: mod.key, treatment: result.treatment, reasons: result.reasons });
    flags.push(...result.flags);
  }
  return { contracts, steps, flags };
}

/** The billing plan input for the replayed deal: every contract's lines on the deal's one plan. */
export function dealPlanInput(
  deal: Deal,
  contracts: readonly RevenueContract[],
  raised: readonly RaisedInstalment[] = [],
): BillingPlanInput {
  const lines = contracts.flatMap(planLinesOf);
  const end = lines.flatMap((l) => l.segments.map((s) => s.end)).reduce((a, b) => maxDate(a, b), deal.service.end);
  const input: BillingPlanInput = {
    dealId: deal.dealId,
    currency: deal.currency,
    service: { start: deal.service.start, end },
    terms: deal.terms,
    lines,
    raised,
  };
  if (deal.firstInvoiceDate) input.firstInvoiceDate = deal.firstInvoiceDate;
  return input;
}

/** The replayed deal's lines for balances. */
export function dealLedgerLines(deal: Deal, contracts: readonly RevenueContract[]): LedgerLine[] {
  return contracts.flatMap((c) => ledgerLinesOf(c, deal.entity));
}

/** Raised instalments as billing entries for balances: invoice lines as invoiced, credit-note lines positive. */
export function billingEntriesOf(
  instalments: readonly Pick<Instalment, 'issueDate' | 'kind' | 'lines'>[],
): BillingEntry[] {
  return instalments.flatMap((i) =>
    i.lines.map((l) => ({
      lineKey: l.lineKey,
      date: i.issueDate,
      amount: (i.kind === 'credit-note' ? l.amount.times(-1) : l.amount).toFixed(2),
      kind: i.kind,
    })),
  );
}

/** An instalment as the plan records it once raised (what a later re-plan must not change). */
export function asRaised(instalment: Instalment): RaisedInstalment {
  return {
    key: instalment.key,
    issueDate: instalment.issueDate,
    lines: instalment.lines.map((l) => ({
      lineKey: l.lineKey,
      periodKey: l.periodKey,
      amount: l.amount.toFixed(2),
      servicePeriod: l.servicePeriod,
    })),
  };
}
