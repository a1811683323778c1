/**
 * One month's KPIs for one scope (a billing entity, or the group), in the reporting currency, from the same records:
 * subscriptions (kpi-mrr.ts), the receivables ledger (kpi-ledger.ts), revenue balances (balances.ts), revenue lines
 * (RPO), foreign invoices (fx-exposure.ts) and, for the open month, the forecast (kpi-forecast.ts). Every figure is
 * defined once in those modules; this one only picks the records in scope, converts (kpi-translation.ts: balances at
 * the closing rate, flows at the average) and keeps the rates used. A figure whose currency has no rate is left
 * undefined and the currency named in `missingRates`, never guessed.
 */
import { daysInclusive, type IsoDate } from './dates';
import type { EntityMonth, LedgerLine } from './balances';
import { fxExposure, type ExposureRow, type ForeignInvoice } from './fx-exposure';
import type { FxRate, RateBook } from './fx-rates';
import {
  ageingOn,
  billingsIn,
  cashCollectedBetween,
  countbackDsoOf,
  creditSalesByMonth,
  type LedgerCredit,
  type LedgerInvoice,
} from './kpi-ledger';
import { GROUP, mrrBridge, retention, type MrrBridge, type Retention, type Subscription } from './kpi-mrr';
import { rpoByEntity, type ForecastRow, type RenewalDue } from './kpi-forecast';
import {
  addTo,
  monthAndPrevious,
  MonthRates,
  previousMonth,
  withFx,
  type Translated,
  type WithFx,
} from './kpi-translation';
import type { Money } from './money';
import { AGEING_BUCKETS, type AgeingBucket } from './receivables';
import { firstDayOf, monthsBetween, type MonthKey } from './revenue';

export interface KpiRecords {
  asOf: IsoDate;
  reportingCurrency: string;
  book: RateBook;
  subscriptions: readonly Subscription[];
  invoices: readonly LedgerInvoice[];
  credits: readonly LedgerCredit[];
  /** balances.ts `entityMonths` over the months reported. */
  revenueMonths: readonly EntityMonth[];
  /** The revenue lines of every contract (RPO). */
  revenueLines: readonly LedgerLine[];
  foreignInvoices: readonly ForeignInvoice[];
  /** For the as-of month: kpi-forecast.ts's result. */
  forecast?: { rows: readonly ForecastRow[]; renewals: readonly RenewalDue[] };
  /** Months of credit sales DSO may count back over; default 24. */
  dsoMonths?: number;
}

export interface ForecastMonth {
  month: MonthKey;
  futureBillings?: Money;
  weightedPipeline?: Money;
  renewals?: Money;
  cashFromReceivables?: Money;
  cashFromBillings?: Money;
}

export interface KpiSnapshot {
  scope: string;
  month: MonthKey;
  /** The day the figures are for: the month's last day, or the as-of day while it is open. */
  asOf: IsoDate;
  reportingCurrency: string;
  mrr?: MrrBridge;
  retention?: Retention;
  billings: WithFx;
  recognisedRevenue: WithFx;
  cashCollected: WithFx;
  deferredRevenue: WithFx;
  unbilledRevenue: WithFx;
  receivables: WithFx;
  overdue?: Money;
  ageing: Partial<Record<AgeingBucket, Money>>;
  openInvoices: number;
  dsoDays?: Money;
  rpoTotal?: Translated;
  rpoNext12Months?: Translated;
  exposure: (ExposureRow & { unrealisedReporting?: Money; realisedReporting?: Money })[];
  forecast: ForecastMonth[];
  renewals: (RenewalDue & { renewalValueReporting?: Money })[];
  /** Each currency's closing and average rate this month. */
  rates: { currency: string; closing?: FxRate; average?: FxRate }[];
  missingRates: string[];
}

const inScope = (entity: string, scope: string) => scope === GROUP || entity === scope;

function natives<T>(rows: readonly T[], pick: (row: T) => [string, Money] | undefined): Map<string, Money> {
  const map = new Map<string, Money>();
  for (const row of rows) {
    const picked = pick(row);
    if (picked) addTo(map, picked[0], picked[1]);
  }
  return map;
}

/** Countback DSO in the reporting currency: receivables at the closing rate, each month's sales at its average. */
function dsoDays(records: KpiRecords, month: MonthKey, scope: string, receivables: Money | undefined) {
  if (receivables === undefined) return undefined;
  const months: MonthKey[] = [month];
  while (months.length < (records.dsoMonths ?? 24)) months.push(previousMonth(months.at(-1) as MonthKey));
  const sales = creditSalesByMonth(records.invoices, months, scope);
  const history: { sales: Money; days: number }[] = [];
  for (const m of months) {
    const rates = new MonthRates(records.book, records.reportingCurrency, m, records.asOf);
    const translated = rates.translate(sales.get(m) ?? new Map(), 'average');
    if (!translated) return undefined;
    history.push({ sales: translated.amount, days: daysInclusive(firstDayOf(m), rates.closingDay) });
  }
  return countbackDsoOf(receivables, history);
}

/** The snapshot of `month` for `scope` (an entity's DeveloperName, or GROUP). */
export function kpiSnapshot(records: KpiRecords, month: MonthKey, scope: string = GROUP): KpiSnapshot {
  const rates = monthAndPrevious(records.book, records.reportingCurrency, month, records.asOf);
  const { current } = rates;
  const day = current.closingDay;
  const period = { start: firstDayOf(month), end: day };

  const bridge = mrrBridge(records.subscriptions, month, rates, scope);
  const billings = billingsIn(records.invoices, records.credits, month, scope);
  const revenue = records.revenueMonths.filter((r) => r.month === month && inScope(r.entity, scope));
  const ageing = ageingOn(records.invoices, records.credits, day, scope);
  const receivables = withFx(
    natives(ageing, (a) => [a.currencyCode, a.outstanding]),
    'closing',
    rates,
  );
  const buckets = Object.fromEntries(
    AGEING_BUCKETS.map((bucket) => [
      bucket,
      current.translate(
        natives(ageing, (a) => [a.currencyCode, a.buckets[bucket]]),
        'closing',
      )?.amount,
    ]),
  ) as Partial<Record<AgeingBucket, Money>>;
  const rpo = rpoByEntity(records.revenueLines, day).filter((r) => inScope(r.entity, scope));
  const exposure = fxExposure(
    records.foreignInvoices.filter((i) => inScope(i.entity, scope)),
    records.book,
    day,
    period,
  ).map((row) => {
    const unrealised = row.unrealised && current.convert(row.unrealised, row.baseCurrency, 'closing');
    const realised = current.convert(row.realised, row.baseCurrency, 'average');
    return {
      ...row,
      ...(unrealised === undefined ? {} : { unrealisedReporting: unrealised }),
      ...(realised === undefined ? {} : { realisedReporting: realised }),
    };
  });
  const rows = (records.forecast?.rows ?? []).filter((r) => inScope(r.entity, scope));
  // Every month from the first forecast month to the last, so charts show the months with nothing in them too.
  const known = rows.map((r) => r.month).sort();
  const forecastMonths = known.length > 0 ? monthsBetween(known[0] as MonthKey, known.at(-1) as MonthKey) : [];
  const figure = (m: MonthKey, key: keyof Omit<ForecastMonth, 'month'>) =>
    current.translate(
      natives(
        rows.filter((r) => r.month === m),
        (r) => [r.currency, r[key]],
      ),
      'closing',
    )?.amount;
  const snapshot: KpiSnapshot = {
    scope,
    month,
    asOf: day,
    reportingCurrency: current.reporting,
    ...(bridge.bridge ? { mrr: bridge.bridge } : {}),
    billings: withFx(billings.net, 'average', rates),
    recognisedRevenue: withFx(
      natives(revenue, (r) => [r.currency, r.recognised]),
      'average',
      rates,
    ),
    cashCollected: withFx(
      cashCollectedBetween(records.invoices, records.credits, period.start, period.end, scope),
      'average',
      rates,
    ),
    deferredRevenue: withFx(
      natives(revenue, (r) => [r.currency, r.closing.deferred]),
      'closing',
      rates,
    ),
    unbilledRevenue: withFx(
      natives(revenue, (r) => [r.currency, r.closing.unbilled]),
      'closing',
      rates,
    ),
    receivables,
    ...(buckets.current !== undefined && receivables.reported
      ? { overdue: receivables.reported.amount.minus(buckets.current) }
      : {}),
    ageing: buckets,
    openInvoices: ageing.reduce((n, a) => n + a.openCount, 0),
    exposure,
    forecast: forecastMonths.map((m) => ({
      month: m,
      futureBillings: figure(m, 'futureBillings'),
      weightedPipeline: figure(m, 'weightedPipeline'),
      renewals: figure(m, 'renewals'),
      cashFromReceivables: figure(m, 'cashFromReceivables'),
      cashFromBillings: figure(m, 'cashFromBillings'),
    })),
    renewals: (records.forecast?.renewals ?? [])
      .filter((r) => inScope(r.entity, scope))
      .map((r) => {
        const converted = current.convert(r.renewalValue, r.currency, 'closing');
        return converted === undefined ? r : { ...r, renewalValueReporting: converted };
      }),
    rates: [],
    missingRates: [],
  };
  const dso = dsoDays(records, month, scope, receivables.reported?.amount);
  if (dso !== undefined) snapshot.dsoDays = dso;
  const total = current.translate(
    natives(rpo, (r) => [r.currency, r.total]),
    'closing',
  );
  const next12 = current.translate(
    natives(rpo, (r) => [r.currency, r.current]),
    'closing',
  );
  if (total) snapshot.rpoTotal = total;
  if (next12) snapshot.rpoNext12Months = next12;
  const retained = retention(records.subscriptions, month, current, scope);
  if (retained) snapshot.retention = retained;
  snapshot.missingRates = [...new Set([...current.missing, ...bridge.missing])].sort();
  snapshot.rates = current.used();
  return snapshot;
}
