/**
 * The reads behind the KPI refresh (issue 17). Every one is queued on a Composite batch (QueryBatch), so the whole
 * ledger, the rates, the open pipeline and the snapshots already stored come back in three Composite calls (five
 * queries a call): rates (CurrencyType, DatedConversionRate, Exchange_Rate__c), the package settings, the snapshots
 * and renewals already written, the posted month-end closes, the invoice mirrors with their payments, the credit
 * notes with their allocations, customer credit and its uses, the open Opportunities, the billing plans' keys and the
 * deals a won renewal names. The deals themselves are read by the billing plans' loader (sync/billing/deals.ts), one
 * home.
 */
import type { QueryBatch } from './queries';
import type { SalesforceNames } from './schema';
import {
  BillingPlan,
  CreditNote,
  CurrencyType,
  CustomerCredit,
  CustomerCreditAllocation,
  DatedConversionRate,
  ExchangeRate,
  Invoice,
  KpiRenewal,
  KpiSnapshot,
  LedgerlineSettings,
  MonthEndClose,
  Opportunity,
  Account,
  Payment,
} from './objects';
import {
  BILLING_FIELDS,
  CREDIT_AMOUNTS,
  creditAllocation,
  creditNoteRefund,
  CUSTOMER_CREDIT_USE,
  INVOICE_AMOUNTS,
} from './selections';
import { select, type RowOf, type Selection } from './soql';
import type { SObjectSchema } from './sobject';

const currencyRate = select(CurrencyType, ['IsoCode', 'IsCorporate', 'IsActive', 'ConversionRate']);
const datedRate = select(DatedConversionRate, ['IsoCode', 'ConversionRate', 'StartDate']);
const tableRate = select(ExchangeRate, ['Currency_Code__c', 'Rate__c', 'Start_Date__c']);
const reportingSetting = select(LedgerlineSettings, ['SetupOwnerId', 'Reporting_Currency__c']);

/** What is stored already: a Closed snapshot is never written again (kpi-records.ts mayWriteSnapshot). */
export const storedSnapshot = select(KpiSnapshot, ['Id', 'Snapshot_Key__c', 'Status__c', 'Month__c']);
export type StoredSnapshot = RowOf<typeof storedSnapshot>;

export const storedRenewal = select(KpiRenewal, ['Id', 'Renewal_Key__c', 'Status__c', 'Contract_End_Date__c']);
export type StoredRenewal = RowOf<typeof storedRenewal>;

/** A month-end close finance posted (issue 16): that entity's month is closed. */
export const postedClose = select(MonthEndClose, ['Billing_Entity__c', 'Period_Start__c', 'Status__c']);
export type PostedClose = RowOf<typeof postedClose>;

export const ledgerInvoice = select(Invoice, [
  'Id',
  'Invoice_Number__c',
  'Account__c',
  'Opportunity__c',
  'Billing_Entity__c',
  'Currency_Code__c',
  'Currency_Rate__c',
  ...INVOICE_AMOUNTS,
  'Issue_Date__c',
  'Due_Date__c',
  'Status__c',
]).withChildren(
  'Payments__r',
  select(Payment, ['Xero_Payment_Id__c', 'Amount__c', 'Currency_Rate__c', 'Payment_Date__c', 'Status__c']),
  ['Payment_Date__c'],
);
export type LedgerInvoiceRow = RowOf<typeof ledgerInvoice>;

export const ledgerCreditNote = select(CreditNote, [
  'Id',
  'Credit_Note_Number__c',
  'Account__c',
  'Invoice__c',
  'Billing_Entity__c',
  'Currency_Code__c',
  ...CREDIT_AMOUNTS,
  'Issue_Date__c',
  'Status__c',
])
  .with('Invoice__r', select(Invoice, ['Billing_Entity__c', 'Opportunity__c']))
  .withChildren('Allocations__r', creditAllocation, ['Allocation_Date__c'])
  .withChildren('Refunds__r', creditNoteRefund, ['Refund_Date__c']);
export type LedgerCreditNoteRow = RowOf<typeof ledgerCreditNote>;

/** An open Opportunity as the weighted pipeline reads it: amount, probability, dates, terms and routing. */
export function openOpportunity(multiCurrency: boolean) {
  return select(
    Opportunity,
    [
      'Id',
      'AccountId',
      'Amount',
      'Probability',
      'CloseDate',
      'CurrencyIsoCode',
      'Billing_Entity__c',
      'Service_Start_Date__c',
      'Service_End_Date__c',
      'Renewal_Uplift_Percent__c',
      ...BILLING_FIELDS,
    ],
    multiCurrency ? [] : ['CurrencyIsoCode'],
  ).with('Account', select(Account, ['Billing_Entity__c', 'BillingCountry']));
}
export type OpenOpportunityRow = RowOf<ReturnType<typeof openOpportunity>>;

/** Overpayments and prepayments (Customer_Credit__c) and how each was used: allocated to an invoice or refunded. */
export const customerCredit = select(CustomerCredit, [
  'Id',
  'Name',
  'Account__c',
  'Billing_Entity__c',
  'Credit_Type__c',
  'Credit_Date__c',
  'Currency_Code__c',
  ...CREDIT_AMOUNTS,
  'Status__c',
]);
export type CustomerCreditRow = RowOf<typeof customerCredit>;
export const customerCreditUse = select(CustomerCreditAllocation, ['Customer_Credit__c', ...CUSTOMER_CREDIT_USE]);
export type CustomerCreditUseRow = RowOf<typeof customerCreditUse>;

const planDeal = select(BillingPlan, ['Plan_Key__c', 'Status__c']);

/** A won renewal and the deal it names (Amended_Opportunity__c). */
const wonRenewal = select(Opportunity, ['Id', 'Amended_Opportunity__c']);
export type WonRenewalRow = RowOf<typeof wonRenewal>;

/** Documents a refresh reads: posted or once posted (drafts are in nobody's ledger yet). */
const LEDGER_STATUSES = "('Authorised', 'Partially Paid', 'Paid', 'Voided')";

export function createKpiQueries(deps: { names: SalesforceNames; multiCurrency: boolean }) {
  const { names } = deps;
  const open = openOpportunity(deps.multiCurrency);

  function queued<S extends SObjectSchema, R>(selection: Selection<S, R>, soql: string, via: QueryBatch): Promise<R[]> {
    return via.query(soql).then((rows) => rows.map((row) => selection.parse(names, row)));
  }

  return {
    /**
     * The three rate sources (fx-rates.ts). A single-currency org has no CurrencyType or DatedConversionRate: only
     * the package's table is read there.
     */
    rates(via: QueryBatch) {
      const none = Promise.resolve([]);
      return {
        currencies: deps.multiCurrency ? queued(currencyRate, currencyRate.soql(names), via) : none,
        dated: deps.multiCurrency
          ? queued(datedRate, datedRate.soql(names, { orderBy: ['IsoCode', 'StartDate'] }), via)
          : none,
        table: queued(tableRate, tableRate.soql(names, { orderBy: ['Currency_Code__c', 'Start_Date__c'] }), via),
      };
    },

    /** The org default's reporting currency (a blank means the corporate currency). */
    reportingCurrency(via: QueryBatch): Promise<string | null> {
      return queued(reportingSetting, reportingSetting.soql(names), via).then(
        (rows) => rows.find((row) => String(row.SetupOwnerId).startsWith('00D'))?.Reporting_Currency__c ?? null,
      );
    },

    snapshots(via: QueryBatch) {
      return queued(storedSnapshot, storedSnapshot.soql(names), via);
    },

    renewals(via: QueryBatch) {
      return queued(storedRenewal, storedRenewal.soql(names, { where: (q) => `${q.field('Status__c')} = 'Due'` }), via);
    },

    /** Closes finance posted to Xero: Posted, and after the tie-out Tied or Difference. */
    postedCloses(via: QueryBatch) {
      return queued(
        postedClose,
        postedClose.soql(names, { where: (q) => `${q.field('Status__c')} IN ('Posted', 'Tied', 'Difference')` }),
        via,
      );
    },

    invoices(via: QueryBatch) {
      return queued(
        ledgerInvoice,
        ledgerInvoice.soql(names, { where: (q) => `${q.field('Status__c')} IN ${LEDGER_STATUSES}` }),
        via,
      );
    },

    creditNotes(via: QueryBatch) {
      return queued(
        ledgerCreditNote,
        ledgerCreditNote.soql(names, { where: (q) => `${q.field('Status__c')} IN ${LEDGER_STATUSES}` }),
        via,
      );
    },

    /** Customer credit (overpayments, prepayments) and its uses, for cash collected and receivables. */
    customerCredits(via: QueryBatch) {
      return {
        credits: queued(customerCredit, customerCredit.soql(names), via),
        uses: queued(customerCreditUse, customerCreditUse.soql(names), via),
      };
    },

    /** Open Opportunities that carry a chance of closing (the weighted pipeline), with Account and products. */
    openOpportunities(via: QueryBatch) {
      return queued(
        open,
        open.soql(names, {
          where: (q) => `${q.field('IsClosed')} = false AND ${q.field('Probability')} > 0`,
        }),
        via,
      );
    },

    /**
     * Every won renewal with the deal it names, across the whole org: read once per refresh, so a deal's renewal is
     * known whichever slice of deals it and its renewal are planned in.
     */
    wonRenewals(via: QueryBatch): Promise<WonRenewalRow[]> {
      return queued(
        wonRenewal,
        wonRenewal.soql(names, {
          where: (q) =>
            `${q.field('Invoice_Type__c')} = 'Renewal' AND ${q.field('IsWon')} = true AND ${q.field('Amended_Opportunity__c')} != null`,
        }),
        via,
      );
    },

    /** Every billing plan's deal (any status: a completed plan's contract is history MRR needs). */
    planDeals(via: QueryBatch): Promise<string[]> {
      return queued(planDeal, planDeal.soql(names), via).then((rows) =>
        rows.map((row) => row.Plan_Key__c).filter((key): key is string => Boolean(key)),
      );
    },
  };
}

export type KpiQueries = ReturnType<typeof createKpiQueries>;
