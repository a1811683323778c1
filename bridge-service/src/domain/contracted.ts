/**
 * What the Account card shows of its deals' billing plans (issue 15): contracted revenue, invoiced and still to
 * invoice, per currency (never added across currencies), from the plans the bridge keeps (Billing_Plan__c); and how
 * far a plan is invoiced, as a whole percentage for its progress bar. The reference the LWCs' client copy
 * (lwc/billingCalc, integer cents) is held equal to by contracted.cases.json, which both test suites read.
 *
 * Decisions (README "Components"):
 * - Contracted = Σ contract value of the Account's plans that are Planned or Active; a Completed or Cancelled plan
 *   has nothing left to bill, so it is not in "contracted" or "still to invoice".
 * - Invoiced so far is the plans' own figure (raised documents net of credit notes, not void); still to invoice is
 *   contracted − invoiced.
 * - Percent invoiced = invoiced ÷ contract value × 100, rounded to a whole percent half away from zero, between 0
 *   and 100; a plan worth nothing shows 0.
 */
import { money, round, sum, type Money } from './money';
import type { Decimal } from './xero-invoice-math';

export interface PlanFigures {
  currencyCode: string;
  status: string;
  contractValue: Decimal;
  invoiced: Decimal;
}

export interface CurrencyContracts {
  currencyCode: string;
  plans: number;
  contracted: Money;
  invoiced: Money;
  remaining: Money;
}

const OPEN = new Set(['Planned', 'Active']);

/** The Account's open plans summed per currency, currencies in alphabetical order. */
export function contractedByCurrency(plans: readonly PlanFigures[]): CurrencyContracts[] {
  const groups = Map.groupBy(
    plans.filter((p) => OPEN.has(p.status)),
    (plan) => plan.currencyCode,
  );
  return [...groups.keys()].sort().map((currencyCode) => {
    const group = groups.get(currencyCode) ?? [];
    const contracted = sum(group.map((p) => money(p.contractValue)));
    const invoiced = sum(group.map((p) => money(p.invoiced)));
    return { currencyCode, plans: group.length, contracted, invoiced, remaining: contracted.minus(invoiced) };
  });
}

/** How much of a plan is invoiced, as a whole percentage from 0 to 100. */
export function invoicedPercent(invoiced: Decimal, contractValue: Decimal): number {
  const value = money(contractValue);
  if (value.lte(0)) return 0;
  const percent = round(money(invoiced).times(100).div(value), 0).toNumber();
  return Math.min(100, Math.max(0, percent));
}
