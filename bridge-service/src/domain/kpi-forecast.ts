/**
 * Forecasts by month (month-end.md §5): future billings, RPO, weighted pipeline, renewals and cash, per billing
 * entity and currency, from the as-of month for `horizonMonths` months. Native amounts; the snapshot converts them at
 * the as-of month's closing rate (no rate is forecast).
 *
 * Decisions (see README.md in this folder and "KPIs and forecasts" in the project README):
 * - Future billings: the billing plans' instalments not yet raised, net of tax, on their issue dates (billing-plan.ts
 *   is the one home of those dates), and those raised whose document is not posted yet (a draft, awaiting approval,
 *   approved: not a receivable until posted, then counted there alone) on the document's date; a credit-note
 *   instalment counts negative; one dated before the as-of day counts in the as-of month.
 * - RPO (ASC 606-10-50-13): balances.ts `remainingObligations` per entity and currency: the transaction price not
 *   yet recognised, in total and within 12 months.
 * - Weighted pipeline: each open opportunity's Amount × Probability ÷ 100 rounded to the cent (Salesforce's
 *   ExpectedRevenue), billed by the plan it would carry (its billing terms, else the package default: upfront in
 *   advance) over its service period (a start without an end runs 12 months, as a won deal's; no start: 12 months
 *   from the close date), from its close date; a close date in the past counts as the as-of day (the deal is still
 *   open).
 * - Renewals: contracts ending from the as-of day to the horizon that no renewal has replaced and no amendment ended
 *   early (a cancellation is not up for renewal), at the next term's
 *   value with its uplift (amendment.ts `renewalTerm`, one home), in the month the renewal starts, × the stated
 *   renewal rate (default 100 %: every renewal assumed).
 * - Cash: each open invoice's amount due on its due date + the customer's observed days late (kpi-ledger.ts), and each
 *   future billing with tax (the entity's rate, rounded per instalment) on its issue date + the entity's payment terms
 *   + the same days late; anything expected before the as-of day is expected in the as-of month. Pipeline and
 *   renewals bring no cash here: they are not contracted.
 */
import Big from 'big.js';

import { addDays, addMonths, compareDates, maxDate, type IsoDate } from './dates';
import { renewalTerm, type Contract, type UpliftRule } from './amendment';
import { remainingObligations, type LedgerLine } from './balances';
import { buildBillingPlan, type Instalment } from './billing-plan';
import { PACKAGE_DEFAULT_TERMS, type BillingTerms } from './billing-periods';
import type { ServicePeriod } from './invoice-mapping';
import { receivablesOn, type LedgerCredit, type LedgerInvoice } from './kpi-ledger';
import { money, round, type Money } from './money';
import { monthOf, monthsBetween, type MonthKey } from './revenue';
import type { Decimal } from './xero-invoice-math';

/**
 * A billing plan's instalments still to bill: those still to raise (Billing_Plan__c and its Planned
 * Billing_Instalment__c records) and those raised whose document is not posted yet.
 */
export interface PlannedBillings {
  dealId: string;
  customerId: string;
  entity: string;
  currency: string;
  instalments: readonly Pick<Instalment, 'issueDate' | 'amount'>[];
  /** The entity's payment terms. */
  paymentTermsDays: number;
  /** The entity's default tax rate, percent (for cash: invoices are paid with their tax). */
  taxRatePercent: Decimal;
}

export interface OpenOpportunity {
  opportunityId: string;
  customerId: string;
  entity: string;
  currency: string;
  amount: Decimal;
  /** 0–100. */
  probability: Decimal;
  closeDate: IsoDate;
  service?: ServicePeriod;
  terms?: BillingTerms;
}

export interface RenewalCandidate {
  contractKey: string;
  opportunityId: string;
  customerId: string;
  entity: string;
  currency: string;
  contract: Contract;
  uplift?: UpliftRule;
  /** The renewal term; default the default term. */
  termMonths?: number;
  /** The months the contract prices are for; default 12. */
  defaultTermMonths?: number;
  /** A renewal (or its won Opportunity) already replaced it. */
  renewed: boolean;
  /** An amendment ended it early (a cancellation): not up for renewal. */
  cancelled?: boolean;
}

export interface RenewalDue {
  contractKey: string;
  opportunityId: string;
  customerId: string;
  entity: string;
  currency: string;
  contractEnd: IsoDate;
  renewalDate: IsoDate;
  /** The renewal term's value with its uplift, net of tax. */
  renewalValue: Money;
  /** The contract's annual value today (ARR) and the renewal's. */
  currentArr: Money;
  renewalArr: Money;
  upliftPercent: Money;
  upliftExplanation: string;
}

export interface ForecastRow {
  month: MonthKey;
  entity: string;
  currency: string;
  futureBillings: Money;
  weightedPipeline: Money;
  renewals: Money;
  cashFromReceivables: Money;
  cashFromBillings: Money;
}

export interface ForecastInput {
  asOf: IsoDate;
  /** Months from the as-of month; default 12. */
  horizonMonths?: number;
  plans: readonly PlannedBillings[];
  opportunities: readonly OpenOpportunity[];
  renewals: readonly RenewalCandidate[];
  /** Percent of renewals assumed; default 100. */
  renewalRatePercent?: Decimal;
  invoices: readonly LedgerInvoice[];
  credits: readonly LedgerCredit[];
  /** kpi-ledger.ts `observedDaysLate`. */
  daysLate: ReadonlyMap<string, number>;
}

const ZERO = new Big(0);

class Rows {
  private readonly rows = new Map<string, ForecastRow>();
  constructor(private readonly months: readonly MonthKey[]) {}

  add(
    day: IsoDate,
    entity: string,
    currency: string,
    figure: Exclude<keyof ForecastRow, 'month' | 'entity' | 'currency'>,
    amount: Money,
  ) {
    const month = monthOf(day) < (this.months[0] as MonthKey) ? (this.months[0] as MonthKey) : monthOf(day);
    if (!this.months.includes(month)) return;
    const iso = currency.toUpperCase();
    const id = `${month}|${entity}|${iso}`;
    const row = this.rows.get(id) ?? {
      month,
      entity,
      currency: iso,
      futureBillings: ZERO,
      weightedPipeline: ZERO,
      renewals: ZERO,
      cashFromReceivables: ZERO,
      cashFromBillings: ZERO,
    };
    row[figure] = row[figure].plus(amount);
    this.rows.set(id, row);
  }

  result(): ForecastRow[] {
    return [...this.rows.values()].sort(
      (a, b) =>
        a.month.localeCompare(b.month) || a.entity.localeCompare(b.entity) || a.currency.localeCompare(b.currency),
    );
  }
}

/** Salesforce's ExpectedRevenue: Amount × Probability ÷ 100, to the cent. */
export const expectedRevenue = (amount: Decimal, probability: Decimal): Money =>
  round(money(amount).times(money(probability)).div(100));

/** The renewals due from `asOf` to the end of the horizon month, in date order (see the module comment). */
export function renewalsDue(candidates: readonly RenewalCandidate[], asOf: IsoDate, horizonEnd: IsoDate): RenewalDue[] {
  return candidates
    .filter((c) => !c.renewed && !c.cancelled && compareDates(c.contract.endDate, asOf) >= 0)
    .filter((c) => compareDates(c.contract.endDate, horizonEnd) <= 0)
    .map((c) => {
      const defaultTermMonths = c.defaultTermMonths ?? 12;
      const termMonths = c.termMonths ?? defaultTermMonths;
      const renewal = renewalTerm({
        contract: c.contract,
        ...(c.uplift ? { uplift: c.uplift } : {}),
        termMonths,
        defaultTermMonths,
      });
      const current = renewalTerm({ contract: c.contract, upliftPercent: '0', termMonths: 12, defaultTermMonths });
      const due: RenewalDue = {
        contractKey: c.contractKey,
        opportunityId: c.opportunityId,
        customerId: c.customerId,
        entity: c.entity,
        currency: c.currency.toUpperCase(),
        contractEnd: c.contract.endDate,
        renewalDate: renewal.servicePeriod.start,
        renewalValue: renewal.subTotal,
        currentArr: current.subTotal,
        renewalArr: round(renewal.subTotal.times(12).div(termMonths)),
        upliftPercent: renewal.uplift.percent,
        upliftExplanation: renewal.uplift.explanation,
      };
      return due;
    })
    .sort((a, b) => compareDates(a.renewalDate, b.renewalDate) || a.contractKey.localeCompare(b.contractKey));
}

/** RPO per entity and currency at the end of `asOf`: in total and within the next 12 months. */
export function rpoByEntity(lines: readonly LedgerLine[], asOf: IsoDate) {
  const groups = Map.groupBy(lines, (line) => `${line.entity}|${line.currency.toUpperCase()}`);
  return [...groups].map(([id, group]) => {
    const [entity, currency] = id.split('|') as [string, string];
    return { entity, currency, ...remainingObligations(group, asOf) };
  });
}

/** The forecast rows and the renewals due (see the module comment for each figure). */
export function forecast(input: ForecastInput): { rows: ForecastRow[]; renewals: RenewalDue[] } {
  const { asOf } = input;
  const months = monthsBetween(monthOf(asOf), monthOf(addMonths(asOf, (input.horizonMonths ?? 12) - 1)));
  const horizonEnd = addDays(addMonths(`${months.at(-1) as MonthKey}-01`, 1), -1);
  const rows = new Rows(months);
  const lateOf = (customerId: string) => input.daysLate.get(customerId) ?? 0;

  for (const plan of input.plans) {
    for (const instalment of plan.instalments) {
      const net = money(instalment.amount);
      rows.add(instalment.issueDate, plan.entity, plan.currency, 'futureBillings', net);
      const gross = round(net.times(money(plan.taxRatePercent).plus(100)).div(100));
      const paid = addDays(maxDate(instalment.issueDate, asOf), plan.paymentTermsDays + lateOf(plan.customerId));
      rows.add(paid, plan.entity, plan.currency, 'cashFromBillings', gross);
    }
  }

  for (const opp of input.opportunities) {
    const weighted = expectedRevenue(opp.amount, opp.probability);
    if (weighted.eq(0)) continue;
    const close = maxDate(opp.closeDate, asOf);
    const service = opp.service ?? { start: close, end: addDays(addMonths(close, 12), -1) };
    const plan = buildBillingPlan({
      dealId: opp.opportunityId,
      currency: opp.currency,
      service,
      terms: opp.terms ?? PACKAGE_DEFAULT_TERMS,
      lines: [
        {
          lineKey: opp.opportunityId,
          description: 'weighted pipeline',
          segments: [{ amount: weighted.toFixed(2), ...service }],
        },
      ],
    });
    for (const instalment of plan.instalments) {
      rows.add(instalment.issueDate, opp.entity, opp.currency, 'weightedPipeline', instalment.amount);
    }
  }

  const renewals = renewalsDue(input.renewals, asOf, horizonEnd);
  const rate = money(input.renewalRatePercent ?? '100');
  for (const due of renewals) {
    rows.add(due.renewalDate, due.entity, due.currency, 'renewals', round(due.renewalValue.times(rate).div(100)));
  }

  for (const open of receivablesOn(input.invoices, input.credits, asOf)) {
    const expected = addDays(open.dueDate, open.accountId ? lateOf(open.accountId) : 0);
    rows.add(maxDate(expected, asOf), open.entity, open.currencyCode, 'cashFromReceivables', money(open.amountDue));
  }
  return { rows: rows.result(), renewals };
}
