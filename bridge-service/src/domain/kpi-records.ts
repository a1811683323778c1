/**
 * The KPI contract with Salesforce: the field values of the records the bridge writes from kpi-snapshot.ts's results
 * (KPI_Snapshot__c, KPI_Forecast__c, KPI_Renewal__c), and the rule that a closed month is never written again. API
 * names without the package prefix, as in records.ts; the salesforce/ layer's schema module adds it. The test holds
 * every key to force-app's fields and picklist values.
 */
import { rateText, type FxRate, type RateSource } from './fx-rates';
import type { KpiSnapshot } from './kpi-snapshot';
import { GROUP } from './kpi-mrr';
import type { Translated, WithFx } from './kpi-translation';
import { sum, type Money } from './money';
import { firstDayOf, type MonthKey } from './revenue';
import { formatDisplayDate, minDate, type IsoDate } from './dates';

type Value = string | number | null;
export type SnapshotRecord = Record<string, Value>;

/** KPI_Snapshot__c.Snapshot_Key__c: `GROUP:2026-03`, `UK_Ltd:2026-03`. */
export const snapshotKey = (scope: string, month: MonthKey) => `${scope}:${month}`;

/** Closed snapshots are what finance signed off: the bridge never writes them again (nor their forecasts). */
export function mayWriteSnapshot(existing: { Status__c?: string | null } | undefined): boolean {
  return existing?.Status__c !== 'Closed';
}

const amount = (value: Money | undefined): number | null => (value === undefined ? null : Number(value.toFixed(2)));
const reported = (figure: WithFx) => amount(figure.reported?.amount);
const RATE_SOURCE: Readonly<Record<RateSource, string>> = {
  corporate: 'Corporate',
  dated: 'Dated',
  static: 'Static',
  package: 'Package',
};
const SOURCE_ORDER: readonly RateSource[] = ['corporate', 'dated', 'static', 'package'];

const rateJson = (rate: FxRate | undefined) =>
  rate && {
    rate: rateText(rate),
    rateDate: rate.rateDate,
    sources: rate.sources,
    ...(rate.period ? { period: rate.period } : {}),
  };

const nativeJson = (figure: Translated | undefined) =>
  figure?.native.map((n) => ({ currency: n.currency, amount: n.amount.toFixed(2) })) ?? null;

function monthName(month: MonthKey): string {
  return formatDisplayDate(firstDayOf(month)).replace(/^1 /, '');
}

/** KPI_Snapshot__c for one scope and month (Status__c Open: closing is finance's, through the close). */
export function snapshotRecord(s: KpiSnapshot, refreshedAt: string): SnapshotRecord {
  const sources = s.rates.flatMap((r) => r.closing?.sources ?? []);
  const weakest = [...SOURCE_ORDER].reverse().find((source) => sources.includes(source));
  const rateDates = s.rates.map((r) => r.closing?.rateDate).filter((d): d is IsoDate => d !== undefined);
  const scopeName = s.scope === GROUP ? 'Group' : s.scope.replace(/_/g, ' ');
  const mrr = s.mrr;
  return {
    Name: `${scopeName} · ${monthName(s.month)}`,
    Snapshot_Key__c: snapshotKey(s.scope, s.month),
    Scope__c: s.scope === GROUP ? 'Group' : 'Entity',
    Billing_Entity__c: s.scope === GROUP ? null : s.scope,
    Month__c: firstDayOf(s.month),
    As_Of__c: s.asOf,
    Status__c: 'Open',
    Last_Refreshed__c: refreshedAt,
    Reporting_Currency__c: s.reportingCurrency,
    Opening_MRR__c: amount(mrr?.opening),
    FX_MRR__c: amount(mrr?.fx),
    New_MRR__c: amount(mrr?.new),
    Expansion_MRR__c: amount(mrr?.expansion),
    Reactivation_MRR__c: amount(mrr?.reactivation),
    Contraction_MRR__c: amount(mrr?.contraction),
    Churn_MRR__c: amount(mrr?.churn),
    MRR__c: amount(mrr?.closing),
    ARR__c: amount(mrr?.arr),
    Customers__c: mrr ? mrr.customers.closing : null,
    New_Customers__c: mrr ? mrr.customers.new : null,
    Reactivated_Customers__c: mrr ? mrr.customers.reactivated : null,
    Churned_Customers__c: mrr ? mrr.customers.churned : null,
    NRR_Percent__c: amount(s.retention?.nrrPercent),
    GRR_Percent__c: amount(s.retention?.grrPercent),
    Billings__c: reported(s.billings),
    Billings_FX_Effect__c: amount(s.billings.fxEffect),
    Recognised_Revenue__c: reported(s.recognisedRevenue),
    Revenue_FX_Effect__c: amount(s.recognisedRevenue.fxEffect),
    Cash_Collected__c: reported(s.cashCollected),
    Cash_FX_Effect__c: amount(s.cashCollected.fxEffect),
    Deferred_Revenue__c: reported(s.deferredRevenue),
    Unbilled_Revenue__c: reported(s.unbilledRevenue),
    AR_Total__c: reported(s.receivables),
    AR_FX_Effect__c: amount(s.receivables.fxEffect),
    AR_Current__c: amount(s.ageing.current),
    AR_1_30__c: amount(s.ageing.days1to30),
    AR_31_60__c: amount(s.ageing.days31to60),
    AR_61_90__c: amount(s.ageing.days61to90),
    AR_90_Plus__c: amount(s.ageing.days90plus),
    AR_Overdue__c: amount(s.overdue),
    Open_Invoices__c: s.openInvoices,
    DSO_Days__c: s.dsoDays === undefined ? null : Number(s.dsoDays.toFixed(1)),
    RPO_Total__c: amount(s.rpoTotal?.amount),
    RPO_Next_12_Months__c: amount(s.rpoNext12Months?.amount),
    Unrealised_FX__c: sumOrNull(s.exposure.map((e) => e.unrealisedReporting)),
    Realised_FX__c: sumOrNull(s.exposure.map((e) => e.realisedReporting)),
    Rate_Source__c: weakest ? RATE_SOURCE[weakest] : null,
    Rate_Date__c: rateDates.length > 0 ? rateDates.reduce((a, b) => minDate(a, b)) : null,
    Missing_Rates__c: s.missingRates.length > 0 ? s.missingRates.join(', ') : null,
    Rates__c: JSON.stringify(
      s.rates.map((r) => ({ currency: r.currency, closing: rateJson(r.closing), average: rateJson(r.average) })),
    ),
    Details__c: JSON.stringify({
      native: {
        mrr: mrr?.native.map((n) => ({ currency: n.currency, amount: n.amount.toFixed(2) })) ?? null,
        billings: nativeJson(s.billings.reported),
        recognisedRevenue: nativeJson(s.recognisedRevenue.reported),
        cashCollected: nativeJson(s.cashCollected.reported),
        deferredRevenue: nativeJson(s.deferredRevenue.reported),
        unbilledRevenue: nativeJson(s.unbilledRevenue.reported),
        receivables: nativeJson(s.receivables.reported),
        rpo: nativeJson(s.rpoTotal),
      },
      exposure: s.exposure.map((e) => ({
        entity: e.entity,
        baseCurrency: e.baseCurrency,
        currency: e.currencyCode,
        openInvoices: e.openInvoices,
        openForeign: e.openForeign.toFixed(2),
        openAtInvoiceRate: e.openAtInvoiceRate.toFixed(2),
        openAtTodayRate: e.openAtTodayRate?.toFixed(2) ?? null,
        unrealised: e.unrealised?.toFixed(2) ?? null,
        realised: e.realised.toFixed(2),
        todayRate: rateJson(e.todayRate) ?? null,
      })),
    }),
  };
}

function sumOrNull(values: readonly (Money | undefined)[]): number | null {
  return values.some((v) => v === undefined) ? null : amount(sum(values as Money[]));
}

/** KPI_Forecast__c rows of a snapshot (upserted by Forecast_Key__c, the parent by its Snapshot_Key__c). */
export function forecastRecords(s: KpiSnapshot): SnapshotRecord[] {
  const parent = snapshotKey(s.scope, s.month);
  return s.forecast.map((f) => {
    const cash =
      f.cashFromReceivables === undefined || f.cashFromBillings === undefined
        ? undefined
        : f.cashFromReceivables.plus(f.cashFromBillings);
    return {
      Forecast_Key__c: `${parent}:${f.month}`,
      Forecast_Month__c: firstDayOf(f.month),
      Billing_Entity__c: s.scope === GROUP ? null : s.scope,
      Reporting_Currency__c: s.reportingCurrency,
      Future_Billings__c: amount(f.futureBillings),
      Weighted_Pipeline__c: amount(f.weightedPipeline),
      Renewals__c: amount(f.renewals),
      Cash_From_Receivables__c: amount(f.cashFromReceivables),
      Cash_From_Billings__c: amount(f.cashFromBillings),
      Cash_Forecast__c: amount(cash),
    };
  });
}

/** KPI_Renewal__c for the group snapshot's renewals due (one per contract, upserted by Renewal_Key__c). */
export function renewalRecords(s: KpiSnapshot, accountNames: ReadonlyMap<string, string>): SnapshotRecord[] {
  return s.renewals.map((r) => ({
    Name: `${accountNames.get(r.customerId) ?? r.customerId} · renews ${formatDisplayDate(r.renewalDate)}`.slice(0, 80),
    Renewal_Key__c: r.contractKey,
    Account__c: r.customerId,
    Opportunity__c: r.opportunityId,
    Billing_Entity__c: r.entity,
    Currency_Code__c: r.currency,
    Contract_End_Date__c: r.contractEnd,
    Renewal_Date__c: r.renewalDate,
    Current_ARR__c: amount(r.currentArr),
    Renewal_Value__c: amount(r.renewalValue),
    Renewal_ARR__c: amount(r.renewalArr),
    Uplift_Percent__c: amount(r.upliftPercent),
    Uplift_Explanation__c: r.upliftExplanation.slice(0, 255),
    Reporting_Currency__c: s.reportingCurrency,
    Renewal_Value_Reporting__c: amount(r.renewalValueReporting),
    Status__c: 'Due',
    As_Of__c: s.asOf,
  }));
}
