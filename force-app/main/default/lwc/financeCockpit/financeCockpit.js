import { LightningElement, wire } from 'lwc';
import { refreshApex } from '@salesforce/apex';
import { NavigationMixin } from 'lightning/navigation';
import getCockpit from '@salesforce/apex/FinanceCockpitController.getCockpit';
import LOCALE from '@salesforce/i18n/locale';
import TIME_ZONE from '@salesforce/i18n/timeZone';
import { formatLabel, reduceErrors } from 'c/ledgerlineUtils';
import { todayIn } from 'c/receivablesCalc';
import { groupedBars, linePoints, shares, waterfall } from 'c/cockpitCharts';
import { LABELS } from './labels';

const DASH = '—';
const STEP_LABELS = {
  opening: LABELS.stepOpening,
  fx: LABELS.stepFx,
  new: LABELS.stepNew,
  expansion: LABELS.stepExpansion,
  reactivation: LABELS.stepReactivation,
  contraction: LABELS.stepContraction,
  churn: LABELS.stepChurn,
  closing: LABELS.stepClosing,
};
const SOURCE_LABELS = {
  Corporate: LABELS.rateSourceCorporate,
  Dated: LABELS.rateSourceDated,
  Static: LABELS.rateSourceStatic,
  Package: LABELS.rateSourcePackage,
};
/** The weakest source behind a rate (the one that says least about it), in words. */
function sourceWords(sources) {
  const weakest = ['Package', 'Static', 'Dated', 'Corporate'].find((s) => (sources ?? []).includes(s.toLowerCase()));
  return SOURCE_LABELS[weakest] ?? DASH;
}
const FORECAST_SERIES = [
  { key: 'billings', field: 'futureBillings', label: LABELS.seriesBillings },
  { key: 'pipeline', field: 'weightedPipeline', label: LABELS.seriesPipeline },
  { key: 'renewals', field: 'renewals', label: LABELS.seriesRenewals },
  { key: 'cash', field: 'cash', label: LABELS.seriesCash },
];
const BUCKETS = [
  { key: 'current', field: 'arCurrent', label: LABELS.bucketCurrent },
  { key: 'days1to30', field: 'ar1to30', label: LABELS.bucket1to30 },
  { key: 'days31to60', field: 'ar31to60', label: LABELS.bucket31to60 },
  { key: 'days61to90', field: 'ar61to90', label: LABELS.bucket61to90 },
  { key: 'days90plus', field: 'ar90plus', label: LABELS.bucket90plus },
];
const CHART_HEIGHT = 220;
const MONTH = new Intl.DateTimeFormat(LOCALE, { month: 'short', year: 'numeric', timeZone: 'UTC' });
const MONTH_SHORT = new Intl.DateTimeFormat(LOCALE, { month: 'short', timeZone: 'UTC' });
const DAY = new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const PERCENT = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const DAYS = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

const known = (value) => value !== null && value !== undefined;
/**
 * A decimal string from the server in a currency. Intl formats the string itself (exactly, no float in between):
 * the exposure amounts are never computed here, only shown.
 */
function decimalMoney(value, currency) {
  return known(value) ? new Intl.NumberFormat(LOCALE, { style: 'currency', currency }).format(value) : DASH;
}
/** A currency with nothing open and nothing realised in the month (the invoice is not issued yet, or long settled). */
const quiet = (c) => c.openInvoices === 0 && /^-?0(\.0+)?$/.test(c.realised ?? '0');
const monthName = (date) => (date ? MONTH.format(new Date(`${date}T00:00:00Z`)) : DASH);
const dayName = (date) => (date ? DAY.format(new Date(`${date}T00:00:00Z`)) : DASH);

/**
 * The finance cockpit, on its Lightning app page: for the group or one billing entity, the latest month's KPIs, the
 * MRR bridge as a waterfall, the billings and cash forecast, receivables ageing, the DSO trend and renewals due, in the
 * reporting currency with the rates' date and source, and a warning naming any currency without a rate. Every figure
 * comes from FinanceCockpitController (the snapshots the bridge computes, README "KPIs and forecasts"); the charts
 * are SLDS-styled SVG drawn by c/cockpitCharts.
 */
export default class FinanceCockpit extends NavigationMixin(LightningElement) {
  labels = LABELS;
  scope = 'GROUP';
  today = todayIn(TIME_ZONE);
  cockpit;
  error;
  wiredResult;
  showRates = false;
  chartWidth = 640;
  renewalUrls = {};
  /** The month shown by the tiles, the bridge and the ageing: an index into the months; null = the latest. */
  monthIndex = null;

  @wire(getCockpit, { scope: '$scope', asOf: '$today' })
  wiredCockpit(result) {
    this.wiredResult = result;
    if (result.data) {
      this.cockpit = result.data;
      this.error = undefined;
      this.generateRenewalUrls();
    } else if (result.error) {
      this.cockpit = undefined;
      this.error = result.error;
    }
  }

  renderedCallback() {
    // Charts are drawn for the width they get, so their text stays legible on a phone.
    const width = Math.round(this.template.querySelector('.chart-frame')?.getBoundingClientRect().width ?? 0);
    if (width > 0 && Math.abs(width - this.chartWidth) > 8) this.chartWidth = width;
  }

  handleScope(event) {
    this.scope = event.target.value;
    this.monthIndex = null;
  }

  get months() {
    return this.cockpit?.months ?? [];
  }

  get shownIndex() {
    return this.monthIndex ?? this.months.length - 1;
  }

  get isFirstMonth() {
    return this.shownIndex <= 0;
  }

  get isLatestMonth() {
    return this.shownIndex >= this.months.length - 1;
  }

  showPreviousMonth() {
    if (!this.isFirstMonth) this.monthIndex = this.shownIndex - 1;
  }

  showNextMonth() {
    if (!this.isLatestMonth) this.monthIndex = this.shownIndex + 1;
  }

  async handleRefresh() {
    const today = todayIn(TIME_ZONE);
    if (today !== this.today) this.today = today;
    else if (this.wiredResult) await refreshApex(this.wiredResult);
  }

  async generateRenewalUrls() {
    const entries = await Promise.all(
      (this.cockpit?.renewals ?? []).map(async (r) => [
        r.id,
        await this[NavigationMixin.GenerateUrl](this.pageReference(r.id)),
      ]),
    );
    this.renewalUrls = Object.fromEntries(entries);
  }

  pageReference(recordId) {
    return { type: 'standard__recordPage', attributes: { recordId, actionName: 'view' } };
  }

  handleOpenRenewal(event) {
    event.preventDefault();
    this[NavigationMixin.Navigate](this.pageReference(event.currentTarget.dataset.id));
  }

  toggleRates() {
    this.showRates = !this.showRates;
  }

  // ── States ────────────────────────────────────────────────────────────────────────────────────────────────────────

  get isLoading() {
    return !this.cockpit && !this.error;
  }

  get hasError() {
    return !!this.error;
  }

  get errorMessages() {
    return reduceErrors(this.error).join(' ');
  }

  get isEmpty() {
    return !!this.cockpit && (this.cockpit.months ?? []).length === 0;
  }

  get hasData() {
    return !!this.cockpit && (this.cockpit.months ?? []).length > 0;
  }

  get scopeOptions() {
    return (this.cockpit?.scopes ?? [{ value: 'GROUP', label: LABELS.group }]).map((s) => ({
      ...s,
      selected: s.value === this.scope,
    }));
  }

  // ── The month shown ───────────────────────────────────────────────────────────────────────────────────────────────

  /** The month shown (the latest unless the user stepped back). */
  get latest() {
    return this.months[this.shownIndex] ?? {};
  }

  get monthName() {
    return monthName(this.latest.month);
  }

  get forecastLine() {
    return formatLabel(LABELS.forecastAsOf, dayName(this.months.at(-1)?.asOf));
  }

  get currency() {
    return this.latest.reportingCurrency;
  }

  money(value, digits = 2) {
    if (!known(value)) return DASH;
    return new Intl.NumberFormat(LOCALE, {
      style: 'currency',
      currency: this.currency ?? 'USD',
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(value);
  }

  compact(value) {
    if (!known(value)) return '';
    return new Intl.NumberFormat(LOCALE, {
      style: 'currency',
      currency: this.currency ?? 'USD',
      notation: 'compact',
      maximumFractionDigits: 1,
    }).format(value);
  }

  get currencyLine() {
    return formatLabel(LABELS.inCurrency, this.currency);
  }

  get monthLine() {
    const month = monthName(this.latest.month);
    return this.latest.status === 'Closed'
      ? formatLabel(LABELS.closed, month)
      : formatLabel(LABELS.asOf, month, dayName(this.latest.asOf));
  }

  get rateLine() {
    const source = SOURCE_LABELS[this.latest.rateSource] ?? DASH;
    return formatLabel(LABELS.ratesSummary, source, dayName(this.latest.rateDate));
  }

  get missingRatesText() {
    const missing = this.latest.missingRates;
    return missing ? formatLabel(LABELS.missingRates, missing, monthName(this.latest.month)) : undefined;
  }

  get ratesToggleLabel() {
    return this.showRates ? LABELS.ratesHide : LABELS.ratesShow;
  }

  get ratesExpanded() {
    return String(this.showRates);
  }

  get rates() {
    let parsed = [];
    try {
      parsed = JSON.parse(this.latest.rates ?? '[]');
    } catch {
      parsed = [];
    }
    return parsed
      .filter((r) => r.currency !== this.currency)
      .map((r) =>
        formatLabel(
          LABELS.rateRow,
          r.currency,
          r.closing?.rate ?? DASH,
          this.currency,
          dayName(r.closing?.rateDate),
          sourceWords(r.closing?.sources),
          r.average?.rate ?? DASH,
        ),
      )
      .map((text, i) => ({ key: String(i), text }));
  }

  get tiles() {
    const m = this.latest;
    const overdueClass = m.arOverdue > 0 ? 'detail slds-text-color_error' : 'detail slds-text-color_weak';
    return [
      { key: 'mrr', label: LABELS.mrr, value: this.money(m.mrr), detail: formatLabel(LABELS.arr, this.money(m.arr)) },
      { key: 'customers', label: LABELS.customers, value: known(m.customers) ? String(m.customers) : DASH },
      {
        key: 'nrr',
        label: LABELS.nrr,
        value: known(m.nrrPercent) ? `${PERCENT.format(m.nrrPercent)} %` : DASH,
        detail: formatLabel(LABELS.grr, known(m.grrPercent) ? `${PERCENT.format(m.grrPercent)} %` : DASH),
      },
      {
        key: 'billings',
        label: LABELS.billings,
        value: this.money(m.billings),
        detail: formatLabel(LABELS.fxEffect, this.money(m.billingsFxEffect)),
      },
      { key: 'cash', label: LABELS.cash, value: this.money(m.cashCollected) },
      {
        key: 'receivables',
        label: LABELS.receivables,
        value: this.money(m.arTotal),
        detail: formatLabel(LABELS.overdue, this.money(m.arOverdue)),
        detailClass: overdueClass,
      },
      {
        key: 'dso',
        label: LABELS.dso,
        value: known(m.dsoDays) ? formatLabel(LABELS.days, DAYS.format(m.dsoDays)) : DASH,
      },
    ].map((tile) => ({ detailClass: 'detail slds-text-color_weak', ...tile }));
  }

  // ── Charts ────────────────────────────────────────────────────────────────────────────────────────────────────────

  get narrow() {
    return this.chartWidth < 480;
  }

  get viewBox() {
    return `0 0 ${this.chartWidth} ${CHART_HEIGHT}`;
  }

  get bridgeTitle() {
    return formatLabel(LABELS.mrrBridge, monthName(this.latest.month));
  }

  get bridge() {
    const chart = waterfall(this.latest, { width: this.chartWidth, height: CHART_HEIGHT });
    return {
      ...chart,
      hasFigures: known(this.latest.mrr),
      ariaLabel: formatLabel(LABELS.chartBridge, this.money(this.latest.openingMrr), this.money(this.latest.mrr)),
      bars: chart.bars.map((bar) => ({
        ...bar,
        label: this.narrow ? '' : STEP_LABELS[bar.key],
        valueText: this.narrow ? '' : this.compact(bar.cents === 0 ? 0 : bar.cents / 100),
        valueY: Math.max(10, bar.y - 4),
      })),
      steps: chart.bars.map((bar) => ({
        key: bar.key,
        label: STEP_LABELS[bar.key],
        value: known(this.latest.mrr) ? this.money(bar.cents === 0 ? 0 : bar.cents / 100) : DASH,
        className: bar.cents < 0 ? `step step-${bar.key} step-taken-off` : `step step-${bar.key}`,
      })),
    };
  }

  /** The movements do not reach the closing MRR the bridge stored (never expected: the domain ties them). */
  get bridgeBroken() {
    return known(this.latest.mrr) && !this.bridge.ties;
  }

  get forecastRows() {
    return (this.cockpit?.forecast ?? []).map((f) => ({
      key: f.month,
      month: monthName(f.month),
      cells: FORECAST_SERIES.map((s) => ({ key: s.key, label: s.label, value: this.money(f[s.field], 0) })),
    }));
  }

  get forecastHeaders() {
    return FORECAST_SERIES;
  }

  get forecastChart() {
    const rows = this.cockpit?.forecast ?? [];
    const chart = groupedBars(rows, FORECAST_SERIES, undefined, { width: this.chartWidth, height: CHART_HEIGHT });
    const step = this.narrow ? 3 : 1;
    return {
      ...chart,
      groups: chart.groups.map((g, i) => ({
        ...g,
        label: i % step === 0 ? MONTH_SHORT.format(new Date(`${rows[i].month}T00:00:00Z`)) : '',
      })),
    };
  }

  get legend() {
    return FORECAST_SERIES.map((s) => ({ key: s.key, label: s.label, className: `swatch swatch-${s.key}` }));
  }

  get ageing() {
    const widths = shares(BUCKETS.map((b) => this.latest[b.field]));
    return BUCKETS.map((b, i) => ({
      key: b.key,
      label: b.label,
      value: this.money(this.latest[b.field]),
      style: `width: ${widths[i]}%`,
      className: `segment segment-${b.key}`,
      swatch: `swatch swatch-${b.key}`,
    }));
  }

  get hasReceivables() {
    return this.latest.arTotal > 0;
  }

  get dsoChart() {
    const months = this.cockpit?.months ?? [];
    const chart = linePoints(
      months.map((m) => m.dsoDays),
      { width: this.chartWidth, height: 160 },
    );
    return {
      ...chart,
      labels: months.map((m, i) => ({
        key: m.month,
        x: chart.xs[i],
        text: MONTH_SHORT.format(new Date(`${m.month}T00:00:00Z`)),
      })),
      values: chart.dots.map((d) => ({
        key: d.key,
        x: d.cx,
        y: Math.max(10, d.cy - 8),
        text: DAYS.format(months[Number(d.key)].dsoDays),
      })),
      list: months.map((m) => ({
        key: m.month,
        month: monthName(m.month),
        value: known(m.dsoDays) ? formatLabel(LABELS.days, DAYS.format(m.dsoDays)) : DASH,
      })),
    };
  }

  get dsoViewBox() {
    return `0 0 ${this.chartWidth} 160`;
  }

  // ── Currency exposure ─────────────────────────────────────────────────────────────────────────────────────────────

  /** Each entity's foreign currencies with something open or realised; undefined when the snapshot holds none. */
  get exposure() {
    const entities = this.latest.exposure;
    if (!entities) return undefined;
    return entities
      .map((e) => ({ ...e, shown: e.currencies.filter((c) => !quiet(c)) }))
      .filter((e) => e.shown.length > 0)
      .map((e) => {
        const base = e.baseCurrency;
        const name = e.entity.replace(/_/g, ' ');
        return {
          key: e.entity,
          caption: formatLabel(LABELS.exposureEntity, name, base),
          rows: e.shown.map((c) => ({
            key: c.currencyCode,
            currency: c.currencyCode,
            openInvoices: String(c.openInvoices),
            openForeign: decimalMoney(c.openForeign, c.currencyCode),
            atInvoiceRate: decimalMoney(c.openAtInvoiceRate, base),
            atClosingRate: decimalMoney(c.openAtClosingRate, base),
            unrealised: decimalMoney(c.unrealised, base),
            realised: decimalMoney(c.realised, base),
            rate: known(c.rate)
              ? formatLabel(
                  LABELS.exposureRateValue,
                  c.currencyCode,
                  c.rate,
                  base,
                  dayName(c.rateDate),
                  sourceWords(c.rateSources),
                )
              : LABELS.exposureNoRate,
            rateClass: known(c.rate) ? 'rate slds-cell-wrap' : 'rate slds-cell-wrap slds-text-color_error',
          })),
          total: {
            openInvoices: String(e.openInvoices),
            atInvoiceRate: decimalMoney(e.openAtInvoiceRate, base),
            atClosingRate: decimalMoney(e.openAtClosingRate, base),
            unrealised: decimalMoney(e.unrealised, base),
            realised: decimalMoney(e.realised, base),
          },
        };
      });
  }

  get hasExposure() {
    return (this.exposure ?? []).length > 0;
  }

  get exposureUnavailable() {
    return !this.exposure;
  }

  get exposureNoneText() {
    return formatLabel(LABELS.exposureNone, monthName(this.latest.month));
  }

  get exposureUnavailableText() {
    return formatLabel(LABELS.exposureUnavailable, monthName(this.latest.month));
  }

  get exposureClosingHeader() {
    return formatLabel(LABELS.exposureAtClosingRate, dayName(this.latest.asOf));
  }

  get exposureRealisedHeader() {
    return formatLabel(LABELS.exposureRealised, monthName(this.latest.month));
  }

  /** The scope's totals in the reporting currency, as stored in Unrealised_FX__c and Realised_FX__c. */
  get exposureReportingText() {
    return formatLabel(
      LABELS.exposureReporting,
      this.currency,
      this.money(this.latest.unrealisedFx),
      this.money(this.latest.realisedFx),
    );
  }

  // ── Renewals ──────────────────────────────────────────────────────────────────────────────────────────────────────

  get renewalReportingHeader() {
    return formatLabel(LABELS.renewalReporting, this.currency);
  }

  get renewals() {
    return (this.cockpit?.renewals ?? []).map((r) => ({
      key: r.id,
      id: r.id,
      url: this.renewalUrls[r.id],
      accountName: r.accountName ?? r.accountId,
      entity: (r.billingEntity ?? '').replace(/_/g, ' '),
      date: dayName(r.renewalDate),
      value: new Intl.NumberFormat(LOCALE, { style: 'currency', currency: r.currencyCode }).format(r.renewalValue),
      uplift: known(r.upliftPercent) ? `${PERCENT.format(r.upliftPercent)} %` : DASH,
      reporting: this.money(r.renewalValueReporting),
    }));
  }

  get hasRenewals() {
    return this.renewals.length > 0;
  }
}
