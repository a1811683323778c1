/**
 * MRR and ARR, their movements, customers, and net and gross revenue retention (finance.md §4, ChartMogul's
 * definitions), per billing entity and for the group, in the reporting currency.
 *
 * Decisions (see README.md in this folder and "KPIs and forecasts" in the project README):
 * - MRR is the contract's recurring price, not its invoices: per subscription line, its TotalPrice (else net unit
 *   price after the line discount × quantity) ÷ the months the price is for (12 for a price a year; a 3-year deal's
 *   TotalPrice is for 36). 300 seats priced by their Total Price of 10,000.00 a year are 833.33, not 300 × 33.33 ÷ 12.
 *   One-off items (setup, services) are not subscriptions; tax is never in it. ARR = MRR × 12.
 * - A subscription counts at a month end when start ≤ that day ≤ end, with the lines of its latest version effective
 *   on or before that day (an amendment is a new version holding the full subscription after it, as a CPQ amendment
 *   quote does). Churn is therefore recognised in the month after the paid period ends (ChartMogul's default).
 * - Customer = the Account. A customer's MRR is summed per currency and rounded to the cent once; in the reporting
 *   currency it is Σ round(native × closing rate, 2).
 * - Movements of month M, per customer, both months at M's closing rates (constant currency): d = MRR_M − MRR_M−1.
 *   New: 0 → above 0, never above 0 at an earlier month end; reactivation: the same having been above 0 before;
 *   expansion: d > 0 otherwise; churn: above 0 → 0; contraction: d < 0 otherwise.
 * - FX (ChartMogul makes no movement for it): the opening MRR restated at M's rates − as reported at M−1's, so
 *   opening + FX + new + expansion + reactivation − contraction − churn = closing, to the cent, by construction.
 * - Scope: one billing entity (a customer is new to the entity when the entity first bills them) or the group (a
 *   customer moving from one entity to another is neither churned nor new for the group).
 * - NRR and GRR, trailing twelve months, point to point, on MRR (so ARR): the cohort is the customers above 0 at the
 *   end of M−12. NRR = Σ their MRR at M ÷ Σ their MRR at M−12 (expansion, contraction and churn; a member who left
 *   and came back counts; new customers do not). GRR = Σ min(MRR_M, MRR_M−12) ÷ Σ MRR_M−12 (each customer capped at
 *   where they started, so never above 100 %). Both at M's closing rates; percentages rounded to 2 dp.
 */
import Big from 'big.js';

import { compareDates, type IsoDate } from './dates';
import { throwIfProblems } from './errors';
import type { Contract, ContractLine } from './amendment';
import { money, round, sum, type Money } from './money';
import { addTo, previousMonth, type MonthRates } from './kpi-translation';
import { lastDayOf, monthOf, monthsBetween, type MonthKey } from './revenue';
import { lessDiscount, type Decimal } from './xero-invoice-math';

export interface SubscriptionLine {
  productKey: string;
  quantity: Decimal;
  /** Price per `termMonths`, before the line discount. */
  unitPrice: Decimal;
  discountPercent?: Decimal;
  /** The line's price per `termMonths`, net of the discount (TotalPrice): when given, its value. */
  totalPrice?: Decimal;
}

export interface SubscriptionVersion {
  effectiveDate: IsoDate;
  /** The full subscription from this date (not just the change). */
  lines: readonly SubscriptionLine[];
}

export interface Subscription {
  contractKey: string;
  /** The Account. */
  customerId: string;
  entity: string;
  currency: string;
  /** Inclusive service period. */
  start: IsoDate;
  end: IsoDate;
  /** The months the unit prices are for. */
  termMonths: number;
  /** At signature first; later versions from amendments. */
  versions: readonly SubscriptionVersion[];
}

export type MovementKind = 'new' | 'expansion' | 'reactivation' | 'contraction' | 'churn';

export interface MrrBridge {
  month: MonthKey;
  scope: string;
  currency: string;
  opening: Money;
  fx: Money;
  new: Money;
  expansion: Money;
  reactivation: Money;
  /** Positive amounts, taken off. */
  contraction: Money;
  churn: Money;
  closing: Money;
  arr: Money;
  customers: { opening: number; closing: number; new: number; reactivated: number; churned: number };
  /** Closing MRR per currency, native. */
  native: { currency: string; amount: Money }[];
  movements: { customerId: string; kind: MovementKind; amount: Money }[];
}

export interface Retention {
  month: MonthKey;
  scope: string;
  cohortCustomers: number;
  startingMrr: Money;
  endingMrr: Money;
  retainedMrr: Money;
  nrrPercent: Money;
  grrPercent: Money;
}

/** The group's scope name (a snapshot for every entity together). */
export const GROUP = 'GROUP';
const ZERO = new Big(0);

/** Every problem with the subscriptions, at once. */
export function subscriptionProblems(subs: readonly Subscription[]): string[] {
  const problems: string[] = [];
  for (const sub of subs) {
    const who = `subscription ${sub.contractKey}`;
    if (compareDates(sub.end, sub.start) < 0) problems.push(`${who} ends before it starts`);
    if (!Number.isInteger(sub.termMonths) || sub.termMonths <= 0) problems.push(`${who}: term months must be whole`);
    if (sub.versions.length === 0) problems.push(`${who} has no lines`);
    for (const line of sub.versions.flatMap((v) => v.lines)) {
      if (money(line.quantity).lt(0)) problems.push(`${who}: ${line.productKey} has a negative quantity`);
    }
  }
  return problems;
}

/** A subscription's MRR on `day`, exact (not rounded). */
export function subscriptionMrr(sub: Subscription, day: IsoDate): Money {
  if (compareDates(day, sub.start) < 0 || compareDates(day, sub.end) > 0) return ZERO;
  let version = sub.versions[0];
  for (const v of sub.versions) if (compareDates(v.effectiveDate, day) <= 0) version = v;
  if (!version) return ZERO;
  const value = (l: SubscriptionLine) =>
    l.totalPrice === undefined
      ? lessDiscount(l.unitPrice, l.discountPercent).times(money(l.quantity))
      : money(l.totalPrice);
  return sum(version.lines.map(value)).div(sub.termMonths);
}

const inScope = (sub: Subscription, scope: string) => scope === GROUP || sub.entity === scope;

/** Each customer's MRR on `day` per currency, rounded to the cent once; customers at 0 are left out. */
export function customerMrr(
  subs: readonly Subscription[],
  day: IsoDate,
  scope: string = GROUP,
): Map<string, Map<string, Money>> {
  const exact = new Map<string, Map<string, Money>>();
  for (const sub of subs) {
    if (!inScope(sub, scope)) continue;
    const mrr = subscriptionMrr(sub, day);
    if (mrr.eq(0)) continue;
    const byCurrency = exact.get(sub.customerId) ?? new Map<string, Money>();
    exact.set(sub.customerId, addTo(byCurrency, sub.currency, mrr));
  }
  for (const [customer, byCurrency] of exact) {
    for (const [currency, amount] of byCurrency) byCurrency.set(currency, round(amount));
    if ([...byCurrency.values()].every((a) => a.eq(0))) exact.delete(customer);
  }
  return exact;
}

/** A customer's per-currency MRR in the reporting currency at these rates (undefined when a rate is missing). */
function valueAt(natives: ReadonlyMap<string, Money> | undefined, rates: MonthRates): Money | undefined {
  let total = ZERO;
  for (const [currency, amount] of natives ?? []) {
    const converted = rates.convert(amount, currency, 'closing');
    if (converted === undefined) return undefined;
    total = total.plus(converted);
  }
  return total;
}

/**
 * Whether a customer was above 0 at any month end from its first subscription's month to `through` (inclusive): a
 * reactivation rather than a new customer. A customer's MRR depends on its own subscriptions only, so each is asked
 * about its own, and only for the customers the MRR bridge needs it for (at 0 last month, above 0 now). Working out
 * every customer at every month end for each snapshot made a refresh's cost grow with the square of the months.
 */
function everActive(subs: readonly Subscription[], through: MonthKey, scope: string): (customer: string) => boolean {
  const byCustomer = Map.groupBy(
    subs.filter((s) => inScope(s, scope)),
    (s) => s.customerId,
  );
  return (customer) => {
    const own = byCustomer.get(customer) ?? [];
    const first = own.map((s) => monthOf(s.start)).sort()[0];
    if (!first || first > through) return false;
    return monthsBetween(first, through).some((month) => customerMrr(own, lastDayOf(month), scope).has(customer));
  };
}

/**
 * The MRR bridge of `month` for a scope: opening (as reported last month), FX, the five movements, closing. `rates`
 * are `month`'s; `previous` the month before's (the opening as reported). Undefined (with the currencies) when a
 * currency has no rate.
 */
export function mrrBridge(
  subs: readonly Subscription[],
  month: MonthKey,
  rates: { current: MonthRates; previous: MonthRates },
  scope: string = GROUP,
): { bridge?: MrrBridge; missing: string[] } {
  throwIfProblems('INVALID_INPUT', 'Cannot compute MRR', subscriptionProblems(subs));
  const before = previousMonth(month);
  // An open month's closing MRR is the as-of day's.
  const now = customerMrr(subs, rates.current.closingDay, scope);
  const then = customerMrr(subs, lastDayOf(before), scope);
  const earlier = everActive(subs, previousMonth(before), scope);
  const bridge: MrrBridge = {
    month,
    scope,
    currency: rates.current.reporting,
    opening: ZERO,
    fx: ZERO,
    new: ZERO,
    expansion: ZERO,
    reactivation: ZERO,
    contraction: ZERO,
    churn: ZERO,
    closing: ZERO,
    arr: ZERO,
    customers: { opening: then.size, closing: now.size, new: 0, reactivated: 0, churned: 0 },
    native: [],
    movements: [],
  };
  const missing = new Set<string>();
  for (const customer of [...new Set([...now.keys(), ...then.keys()])].sort()) {
    const closing = valueAt(now.get(customer), rates.current);
    const restated = valueAt(then.get(customer), rates.current);
    const reported = valueAt(then.get(customer), rates.previous);
    if (closing === undefined || restated === undefined || reported === undefined) {
      for (const map of [now.get(customer), then.get(customer)]) {
        for (const currency of map?.keys() ?? []) {
          if (!rates.current.rate(currency, 'closing') || !rates.previous.rate(currency, 'closing')) {
            missing.add(currency);
          }
        }
      }
      continue;
    }
    bridge.opening = bridge.opening.plus(reported);
    bridge.fx = bridge.fx.plus(restated.minus(reported));
    bridge.closing = bridge.closing.plus(closing);
    const d = closing.minus(restated);
    if (d.eq(0)) continue;
    const kind: MovementKind = restated.eq(0)
      ? earlier(customer)
        ? 'reactivation'
        : 'new'
      : closing.eq(0)
        ? 'churn'
        : d.gt(0)
          ? 'expansion'
          : 'contraction';
    const amount = d.abs();
    bridge[kind] = bridge[kind].plus(amount);
    if (kind === 'new') bridge.customers.new += 1;
    if (kind === 'reactivation') bridge.customers.reactivated += 1;
    if (kind === 'churn') bridge.customers.churned += 1;
    bridge.movements.push({ customerId: customer, kind, amount });
  }
  if (missing.size > 0) return { missing: [...missing].sort() };
  const natives = new Map<string, Money>();
  for (const byCurrency of now.values()) for (const [c, a] of byCurrency) addTo(natives, c, a);
  bridge.native = [...natives]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amount]) => ({ currency, amount }));
  bridge.arr = bridge.closing.times(12);
  return { bridge, missing: [] };
}

/** Net and gross revenue retention, trailing twelve months to the end of `month` (undefined: no cohort, or a rate). */
export function retention(
  subs: readonly Subscription[],
  month: MonthKey,
  rates: MonthRates,
  scope: string = GROUP,
): Retention | undefined {
  const cohort = customerMrr(subs, lastDayOf(monthBack(month, 12)), scope);
  const now = customerMrr(subs, rates.closingDay, scope);
  let starting = ZERO;
  let ending = ZERO;
  let retained = ZERO;
  for (const [customer, then] of cohort) {
    const a = valueAt(then, rates);
    const b = valueAt(now.get(customer), rates);
    if (a === undefined || b === undefined) return undefined;
    starting = starting.plus(a);
    ending = ending.plus(b);
    retained = retained.plus(b.lt(a) ? b : a);
  }
  if (starting.lte(0)) return undefined;
  const percent = (x: Money) => round(x.times(100).div(starting));
  return {
    month,
    scope,
    cohortCustomers: cohort.size,
    startingMrr: starting,
    endingMrr: ending,
    retainedMrr: retained,
    nrrPercent: percent(ending),
    grrPercent: percent(retained),
  };
}

function monthBack(month: MonthKey, months: number): MonthKey {
  let m = month;
  for (let i = 0; i < months; i += 1) m = previousMonth(m);
  return m;
}

/** A contract (amendment.ts's commercial model) and its amendments as a subscription. */
export function subscriptionOf(input: {
  contractKey: string;
  customerId: string;
  entity: string;
  currency: string;
  contract: Contract;
  /** The months the contract's prices are for (its default term); default 12. */
  termMonths?: number;
  amendments?: readonly { effectiveDate: IsoDate; lines: readonly ContractLine[] }[];
}): Subscription {
  const line = (l: ContractLine): SubscriptionLine => ({
    productKey: l.productKey,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    ...(l.discountPercent === undefined ? {} : { discountPercent: l.discountPercent }),
    ...(l.totalPrice === undefined ? {} : { totalPrice: l.totalPrice }),
  });
  const amendments = [...(input.amendments ?? [])].sort((a, b) => compareDates(a.effectiveDate, b.effectiveDate));
  return {
    contractKey: input.contractKey,
    customerId: input.customerId,
    entity: input.entity,
    currency: input.currency.toUpperCase(),
    start: input.contract.startDate,
    end: input.contract.endDate,
    termMonths: input.termMonths ?? 12,
    versions: [
      { effectiveDate: input.contract.startDate, lines: input.contract.lines.map(line) },
      ...amendments.map((a) => ({ effectiveDate: a.effectiveDate, lines: a.lines.map(line) })),
    ],
  };
}
