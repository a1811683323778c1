/**
 * Billing-plan figures the Ledgerline cards work out themselves, in integer cents: the Account's contracted revenue
 * per currency (never added across currencies) and how far a plan is invoiced. A client copy, kept on purpose, of
 * bridge-service/src/domain/contracted.ts (same names; amounts here are cents); contracted.cases.json holds the two
 * equal. Every other plan figure the cards show is the bridge's own (Billing_Plan__c), shown as it is.
 */
import { toCents } from 'c/receivablesCalc';

/** Plan statuses with something still to bill or to recognise. */
export const OPEN_PLAN_STATUSES = ['Planned', 'Active'];

/**
 * The Account's open plans summed per currency, currencies in alphabetical order.
 * @param {{currencyCode: string, status: string, contractValue: number, invoiced: number}[]} plans
 * @returns {{currencyCode: string, plans: number, contractedCents: number, invoicedCents: number, remainingCents: number}[]}
 */
export function contractedByCurrency(plans) {
  const groups = new Map();
  for (const plan of plans) {
    if (!OPEN_PLAN_STATUSES.includes(plan.status)) continue;
    const group = groups.get(plan.currencyCode) ?? {
      currencyCode: plan.currencyCode,
      plans: 0,
      contractedCents: 0,
      invoicedCents: 0,
    };
    group.plans += 1;
    group.contractedCents += toCents(plan.contractValue);
    group.invoicedCents += toCents(plan.invoiced);
    groups.set(plan.currencyCode, group);
  }
  return [...groups.values()]
    .sort((a, b) => a.currencyCode.localeCompare(b.currencyCode))
    .map((group) => ({ ...group, remainingCents: group.contractedCents - group.invoicedCents }));
}

/**
 * How much of a plan is invoiced, as a whole percentage from 0 to 100 (half away from zero).
 * @param {number} invoiced
 * @param {number} contractValue
 * @returns {number}
 */
export function invoicedPercent(invoiced, contractValue) {
  const total = toCents(contractValue);
  if (total <= 0) return 0;
  const done = toCents(invoiced);
  const sign = done < 0 ? -1 : 1;
  // Exact in integers: round(|done| × 100 / total), half away from zero.
  const percent = sign * Math.floor((Math.abs(done) * 200 + total) / (2 * total));
  return Math.min(100, Math.max(0, percent));
}
