// Every custom label the finance cockpit shows, imported as modules so the namespace resolves.
import COCKPIT_AGEING from '@salesforce/label/c.Cockpit_Ageing';
import COCKPIT_ARR from '@salesforce/label/c.Cockpit_ARR';
import COCKPIT_AS_OF from '@salesforce/label/c.Cockpit_As_Of';
import COCKPIT_BILLINGS from '@salesforce/label/c.Cockpit_Billings';
import COCKPIT_BRIDGE_BROKEN from '@salesforce/label/c.Cockpit_Bridge_Broken';
import COCKPIT_CASH from '@salesforce/label/c.Cockpit_Cash';
import COCKPIT_CHART_BRIDGE from '@salesforce/label/c.Cockpit_Chart_Bridge';
import COCKPIT_CHART_DSO from '@salesforce/label/c.Cockpit_Chart_DSO';
import COCKPIT_CHART_FORECAST from '@salesforce/label/c.Cockpit_Chart_Forecast';
import COCKPIT_CLOSED from '@salesforce/label/c.Cockpit_Closed';
import COCKPIT_CUSTOMERS from '@salesforce/label/c.Cockpit_Customers';
import COCKPIT_DAYS from '@salesforce/label/c.Cockpit_Days';
import COCKPIT_DSO from '@salesforce/label/c.Cockpit_DSO';
import COCKPIT_DSO_TREND from '@salesforce/label/c.Cockpit_DSO_Trend';
import COCKPIT_EMPTY_HELP from '@salesforce/label/c.Cockpit_Empty_Help';
import COCKPIT_EMPTY_TITLE from '@salesforce/label/c.Cockpit_Empty_Title';
import COCKPIT_FORECAST from '@salesforce/label/c.Cockpit_Forecast';
import COCKPIT_FORECAST_MONTH from '@salesforce/label/c.Cockpit_Forecast_Month';
import COCKPIT_FORECAST_AS_OF from '@salesforce/label/c.Cockpit_Forecast_As_Of';
import COCKPIT_NEXT_MONTH from '@salesforce/label/c.Cockpit_Next_Month';
import COCKPIT_PREVIOUS_MONTH from '@salesforce/label/c.Cockpit_Previous_Month';
import COCKPIT_EXPOSURE from '@salesforce/label/c.Cockpit_Exposure';
import COCKPIT_EXPOSURE_AT_CLOSING_RATE from '@salesforce/label/c.Cockpit_Exposure_At_Closing_Rate';
import COCKPIT_EXPOSURE_AT_INVOICE_RATE from '@salesforce/label/c.Cockpit_Exposure_At_Invoice_Rate';
import COCKPIT_EXPOSURE_CURRENCY from '@salesforce/label/c.Cockpit_Exposure_Currency';
import COCKPIT_EXPOSURE_ENTITY from '@salesforce/label/c.Cockpit_Exposure_Entity';
import COCKPIT_EXPOSURE_HELP from '@salesforce/label/c.Cockpit_Exposure_Help';
import COCKPIT_EXPOSURE_NO_RATE from '@salesforce/label/c.Cockpit_Exposure_No_Rate';
import COCKPIT_EXPOSURE_NONE from '@salesforce/label/c.Cockpit_Exposure_None';
import COCKPIT_EXPOSURE_OPEN_FOREIGN from '@salesforce/label/c.Cockpit_Exposure_Open_Foreign';
import COCKPIT_EXPOSURE_OPEN_INVOICES from '@salesforce/label/c.Cockpit_Exposure_Open_Invoices';
import COCKPIT_EXPOSURE_RATE from '@salesforce/label/c.Cockpit_Exposure_Rate';
import COCKPIT_EXPOSURE_RATE_VALUE from '@salesforce/label/c.Cockpit_Exposure_Rate_Value';
import COCKPIT_EXPOSURE_REALISED from '@salesforce/label/c.Cockpit_Exposure_Realised';
import COCKPIT_EXPOSURE_REPORTING from '@salesforce/label/c.Cockpit_Exposure_Reporting';
import COCKPIT_EXPOSURE_TOTAL from '@salesforce/label/c.Cockpit_Exposure_Total';
import COCKPIT_EXPOSURE_UNAVAILABLE from '@salesforce/label/c.Cockpit_Exposure_Unavailable';
import COCKPIT_EXPOSURE_UNREALISED from '@salesforce/label/c.Cockpit_Exposure_Unrealised';
import COCKPIT_FX_EFFECT from '@salesforce/label/c.Cockpit_FX_Effect';
import COCKPIT_GRR from '@salesforce/label/c.Cockpit_GRR';
import COCKPIT_GROUP from '@salesforce/label/c.Cockpit_Group';
import COCKPIT_IN_CURRENCY from '@salesforce/label/c.Cockpit_In_Currency';
import COCKPIT_LOAD_ERROR from '@salesforce/label/c.Cockpit_Load_Error';
import COCKPIT_MISSING_RATES from '@salesforce/label/c.Cockpit_Missing_Rates';
import COCKPIT_MISSING_RATES_TITLE from '@salesforce/label/c.Cockpit_Missing_Rates_Title';
import COCKPIT_MRR from '@salesforce/label/c.Cockpit_MRR';
import COCKPIT_MRR_BRIDGE from '@salesforce/label/c.Cockpit_MRR_Bridge';
import COCKPIT_NO_RENEWALS from '@salesforce/label/c.Cockpit_No_Renewals';
import COCKPIT_NRR from '@salesforce/label/c.Cockpit_NRR';
import COCKPIT_OVERDUE from '@salesforce/label/c.Cockpit_Overdue';
import COCKPIT_RATE_ROW from '@salesforce/label/c.Cockpit_Rate_Row';
import COCKPIT_RATE_SOURCE_CORPORATE from '@salesforce/label/c.Cockpit_Rate_Source_Corporate';
import COCKPIT_RATE_SOURCE_DATED from '@salesforce/label/c.Cockpit_Rate_Source_Dated';
import COCKPIT_RATE_SOURCE_PACKAGE from '@salesforce/label/c.Cockpit_Rate_Source_Package';
import COCKPIT_RATE_SOURCE_STATIC from '@salesforce/label/c.Cockpit_Rate_Source_Static';
import COCKPIT_RATES_HIDE from '@salesforce/label/c.Cockpit_Rates_Hide';
import COCKPIT_RATES_SHOW from '@salesforce/label/c.Cockpit_Rates_Show';
import COCKPIT_RATES_SUMMARY from '@salesforce/label/c.Cockpit_Rates_Summary';
import COCKPIT_RECEIVABLES from '@salesforce/label/c.Cockpit_Receivables';
import COCKPIT_REFRESH from '@salesforce/label/c.Cockpit_Refresh';
import COCKPIT_RENEWAL_CUSTOMER from '@salesforce/label/c.Cockpit_Renewal_Customer';
import COCKPIT_RENEWAL_DATE from '@salesforce/label/c.Cockpit_Renewal_Date';
import COCKPIT_RENEWAL_ENTITY from '@salesforce/label/c.Cockpit_Renewal_Entity';
import COCKPIT_RENEWAL_REPORTING from '@salesforce/label/c.Cockpit_Renewal_Reporting';
import COCKPIT_RENEWAL_UPLIFT from '@salesforce/label/c.Cockpit_Renewal_Uplift';
import COCKPIT_RENEWAL_VALUE from '@salesforce/label/c.Cockpit_Renewal_Value';
import COCKPIT_RENEWALS from '@salesforce/label/c.Cockpit_Renewals';
import COCKPIT_SCOPE from '@salesforce/label/c.Cockpit_Scope';
import COCKPIT_SERIES_BILLINGS from '@salesforce/label/c.Cockpit_Series_Billings';
import COCKPIT_SERIES_CASH from '@salesforce/label/c.Cockpit_Series_Cash';
import COCKPIT_SERIES_PIPELINE from '@salesforce/label/c.Cockpit_Series_Pipeline';
import COCKPIT_SERIES_RENEWALS from '@salesforce/label/c.Cockpit_Series_Renewals';
import COCKPIT_STEP_CHURN from '@salesforce/label/c.Cockpit_Step_Churn';
import COCKPIT_STEP_CLOSING from '@salesforce/label/c.Cockpit_Step_Closing';
import COCKPIT_STEP_CONTRACTION from '@salesforce/label/c.Cockpit_Step_Contraction';
import COCKPIT_STEP_EXPANSION from '@salesforce/label/c.Cockpit_Step_Expansion';
import COCKPIT_STEP_FX from '@salesforce/label/c.Cockpit_Step_FX';
import COCKPIT_STEP_NEW from '@salesforce/label/c.Cockpit_Step_New';
import COCKPIT_STEP_OPENING from '@salesforce/label/c.Cockpit_Step_Opening';
import COCKPIT_STEP_REACTIVATION from '@salesforce/label/c.Cockpit_Step_Reactivation';
import COCKPIT_TITLE from '@salesforce/label/c.Cockpit_Title';
import LEDGERLINE_LOADING from '@salesforce/label/c.Ledgerline_Loading';
import RECEIVABLES_AGEING_CURRENT from '@salesforce/label/c.Receivables_Ageing_Current';
import RECEIVABLES_AGEING_1_30 from '@salesforce/label/c.Receivables_Ageing_1_30';
import RECEIVABLES_AGEING_31_60 from '@salesforce/label/c.Receivables_Ageing_31_60';
import RECEIVABLES_AGEING_61_90 from '@salesforce/label/c.Receivables_Ageing_61_90';
import RECEIVABLES_AGEING_OVER_90 from '@salesforce/label/c.Receivables_Ageing_Over_90';

export const LABELS = Object.freeze({
  ageing: COCKPIT_AGEING,
  arr: COCKPIT_ARR,
  asOf: COCKPIT_AS_OF,
  billings: COCKPIT_BILLINGS,
  bridgeBroken: COCKPIT_BRIDGE_BROKEN,
  cash: COCKPIT_CASH,
  chartBridge: COCKPIT_CHART_BRIDGE,
  chartDso: COCKPIT_CHART_DSO,
  chartForecast: COCKPIT_CHART_FORECAST,
  closed: COCKPIT_CLOSED,
  customers: COCKPIT_CUSTOMERS,
  days: COCKPIT_DAYS,
  dso: COCKPIT_DSO,
  dsoTrend: COCKPIT_DSO_TREND,
  emptyHelp: COCKPIT_EMPTY_HELP,
  emptyTitle: COCKPIT_EMPTY_TITLE,
  forecast: COCKPIT_FORECAST,
  forecastMonth: COCKPIT_FORECAST_MONTH,
  forecastAsOf: COCKPIT_FORECAST_AS_OF,
  nextMonth: COCKPIT_NEXT_MONTH,
  previousMonth: COCKPIT_PREVIOUS_MONTH,
  exposure: COCKPIT_EXPOSURE,
  exposureAtClosingRate: COCKPIT_EXPOSURE_AT_CLOSING_RATE,
  exposureAtInvoiceRate: COCKPIT_EXPOSURE_AT_INVOICE_RATE,
  exposureCurrency: COCKPIT_EXPOSURE_CURRENCY,
  exposureEntity: COCKPIT_EXPOSURE_ENTITY,
  exposureHelp: COCKPIT_EXPOSURE_HELP,
  exposureNoRate: COCKPIT_EXPOSURE_NO_RATE,
  exposureNone: COCKPIT_EXPOSURE_NONE,
  exposureOpenForeign: COCKPIT_EXPOSURE_OPEN_FOREIGN,
  exposureOpenInvoices: COCKPIT_EXPOSURE_OPEN_INVOICES,
  exposureRate: COCKPIT_EXPOSURE_RATE,
  exposureRateValue: COCKPIT_EXPOSURE_RATE_VALUE,
  exposureRealised: COCKPIT_EXPOSURE_REALISED,
  exposureReporting: COCKPIT_EXPOSURE_REPORTING,
  exposureTotal: COCKPIT_EXPOSURE_TOTAL,
  exposureUnavailable: COCKPIT_EXPOSURE_UNAVAILABLE,
  exposureUnrealised: COCKPIT_EXPOSURE_UNREALISED,
  fxEffect: COCKPIT_FX_EFFECT,
  grr: COCKPIT_GRR,
  group: COCKPIT_GROUP,
  inCurrency: COCKPIT_IN_CURRENCY,
  loadError: COCKPIT_LOAD_ERROR,
  missingRates: COCKPIT_MISSING_RATES,
  missingRatesTitle: COCKPIT_MISSING_RATES_TITLE,
  mrr: COCKPIT_MRR,
  mrrBridge: COCKPIT_MRR_BRIDGE,
  noRenewals: COCKPIT_NO_RENEWALS,
  nrr: COCKPIT_NRR,
  overdue: COCKPIT_OVERDUE,
  rateRow: COCKPIT_RATE_ROW,
  rateSourceCorporate: COCKPIT_RATE_SOURCE_CORPORATE,
  rateSourceDated: COCKPIT_RATE_SOURCE_DATED,
  rateSourcePackage: COCKPIT_RATE_SOURCE_PACKAGE,
  rateSourceStatic: COCKPIT_RATE_SOURCE_STATIC,
  ratesHide: COCKPIT_RATES_HIDE,
  ratesShow: COCKPIT_RATES_SHOW,
  ratesSummary: COCKPIT_RATES_SUMMARY,
  receivables: COCKPIT_RECEIVABLES,
  refresh: COCKPIT_REFRESH,
  renewalCustomer: COCKPIT_RENEWAL_CUSTOMER,
  renewalDate: COCKPIT_RENEWAL_DATE,
  renewalEntity: COCKPIT_RENEWAL_ENTITY,
  renewalReporting: COCKPIT_RENEWAL_REPORTING,
  renewalUplift: COCKPIT_RENEWAL_UPLIFT,
  renewalValue: COCKPIT_RENEWAL_VALUE,
  renewals: COCKPIT_RENEWALS,
  scope: COCKPIT_SCOPE,
  seriesBillings: COCKPIT_SERIES_BILLINGS,
  seriesCash: COCKPIT_SERIES_CASH,
  seriesPipeline: COCKPIT_SERIES_PIPELINE,
  seriesRenewals: COCKPIT_SERIES_RENEWALS,
  stepChurn: COCKPIT_STEP_CHURN,
  stepClosing: COCKPIT_STEP_CLOSING,
  stepContraction: COCKPIT_STEP_CONTRACTION,
  stepExpansion: COCKPIT_STEP_EXPANSION,
  stepFx: COCKPIT_STEP_FX,
  stepNew: COCKPIT_STEP_NEW,
  stepOpening: COCKPIT_STEP_OPENING,
  stepReactivation: COCKPIT_STEP_REACTIVATION,
  title: COCKPIT_TITLE,
  loading: LEDGERLINE_LOADING,
  bucketCurrent: RECEIVABLES_AGEING_CURRENT,
  bucket1to30: RECEIVABLES_AGEING_1_30,
  bucket31to60: RECEIVABLES_AGEING_31_60,
  bucket61to90: RECEIVABLES_AGEING_61_90,
  bucket90plus: RECEIVABLES_AGEING_OVER_90,
});
