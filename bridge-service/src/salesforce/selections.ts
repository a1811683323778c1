/**
 * What each of the bridge's queries reads, as typed selections of the object schemas (objects/). The rows the
 * sync layer gets are typed by these: reading a field that is not selected here is a type error, and where the
 * finance domain reads a row, `selectsEvery` checks at compile time that every field it declares is selected
 * (the check that would have caught contacts sent without addresses).
 */
import type { LineItemRecord } from '../domain/deal-records';
import type { AccountRow, OpportunityLineItemRow, OpportunityRow } from '../domain/records';
import type { OpportunityBillingRow } from '../domain/revenue-records';
import {
  Account,
  BillingEntityType,
  BillingInstalment,
  BillingPlan,
  Contact,
  CreditAllocation,
  CreditNoteRefund,
  CreditNote,
  CurrencyType,
  CustomerCredit,
  CustomerCreditAllocation,
  Invoice,
  InvoiceLine,
  LedgerlineSettings,
  MonthEndClose,
  Opportunity,
  OpportunityLineItem,
  OpportunityLineItemSchedule,
  Payment,
  Product2,
  RevenueMonth,
} from './objects';
import { select, selectsEvery, type RowOf } from './soql';
import type { FieldName } from './sobject';

/**
 * The Account as its Xero contact is made from it (CREATE_DRAFT) and matched against Xero's contacts (go-live):
 * name, number, tax number, billing address, email and routing.
 */
export const accountAsContact = select(Account, [
  'Id',
  'Name',
  'BillingStreet',
  'BillingCity',
  'BillingState',
  'BillingPostalCode',
  'BillingCountry',
  'Billing_Entity__c',
  'Billing_Email__c',
  'AccountNumber',
  'Tax_Number__c',
]);
// BillingCountryCode exists only in orgs with state and country picklists; BillingCountry is read as an ISO code
// or a country name, so the domain needs nothing more.
selectsEvery<RowOf<typeof accountAsContact>, Omit<AccountRow, 'BillingCountryCode'>>('every field');

/** An Opportunity line's own fields, as a draft and a billing plan read them (each with its own Product2 fields). */
const opportunityLine = select(OpportunityLineItem, [
  'Id',
  'Description',
  'Quantity',
  'UnitPrice',
  'Discount',
  'TotalPrice',
  'ServiceDate',
]);

const invoicedLine = opportunityLine.with(
  'Product2',
  select(Product2, [
    'Name',
    'ProductCode',
    'Xero_Account_Code__c',
    'Xero_Tax_Type__c',
    'Xero_Item_Code__c',
    'Xero_Tracking_1_Category__c',
    'Xero_Tracking_1_Option__c',
    'Xero_Tracking_2_Category__c',
    'Xero_Tracking_2_Option__c',
    // deferral at invoicing (month-end close): a ratable product posts to deferred revenue
    'Revenue_Recognition__c',
    'Xero_Deferred_Account_Code__c',
  ]),
);
selectsEvery<RowOf<typeof invoicedLine>, OpportunityLineItemRow>('every field');

const OPPORTUNITY_FIELDS = [
  'Id',
  'Name',
  'AccountId',
  'CloseDate',
  'Amount',
  'CurrencyIsoCode',
  'Billing_Entity__c',
  'Amended_Opportunity__c',
  'Invoice_Type__c',
  'Service_Start_Date__c',
  'Service_End_Date__c',
  'Renewal_Uplift_Percent__c',
  'PO_Number__c',
] as const;

/**
 * A won Opportunity with its Account and line items: everything a draft invoice is made from. CurrencyIsoCode
 * exists only in multi-currency orgs (elsewhere it reads as null and the corporate currency applies).
 */
export function opportunityForInvoicing(multiCurrency: boolean) {
  return select(Opportunity, OPPORTUNITY_FIELDS, multiCurrency ? [] : ['CurrencyIsoCode'])
    .with('Account', accountAsContact)
    .withChildren('OpportunityLineItems', invoicedLine, ['SortOrder', 'Id']);
}
selectsEvery<RowOf<ReturnType<typeof opportunityForInvoicing>>, OpportunityRow>('every field');
export type OpportunityForInvoicing = RowOf<ReturnType<typeof opportunityForInvoicing>>;

/** What ties an Invoice__c to its deal, its request and its Xero invoice. */
export const INVOICE_KEYS = [
  'Id',
  'Opportunity__c',
  'Account__c',
  'Request_Key__c',
  'Xero_Invoice_Id__c',
  'Xero_Tenant_Id__c',
  'Billing_Entity__c',
] as const satisfies readonly FieldName<typeof Invoice>[];

/** An Invoice__c's figures as Xero states them: what drift compares and the KPI ledger counts. */
export const INVOICE_AMOUNTS = [
  'Sub_Total__c',
  'Total_Tax__c',
  'Total__c',
  'Amount_Paid__c',
  'Amount_Credited__c',
  'Amount_Due__c',
] as const satisfies readonly FieldName<typeof Invoice>[];

/** An Invoice__c as the per-invoice actions read it before acting in Xero. */
export const invoiceMirror = select(Invoice, [
  ...INVOICE_KEYS,
  'Name',
  'Invoice_Number__c',
  'Invoice_Type__c',
  'Currency_Code__c',
  'Status__c',
  'Online_Invoice_URL__c',
  'Approval_Status__c',
  'Xero_Updated__c',
  // what AUTHORISE checks against the total finance approved
  'Total__c',
  // what RESYNC reads a given-up correction's failure from (still the record's last word, or not)
  'Sync_Status__c',
  'Sync_Message__c',
]);
export type InvoiceMirror = RowOf<typeof invoiceMirror>;

/** Invoices of an Opportunity or Account, for the summary fields a rep reads (payment dates included). */
export const invoiceForSummary = select(Invoice, [
  'Id',
  'Opportunity__c',
  'Account__c',
  'Status__c',
  'Approval_Status__c',
  'Currency_Code__c',
  'Total__c',
  'Amount_Paid__c',
  'Amount_Credited__c',
  'Amount_Due__c',
  'Issue_Date__c',
  'Due_Date__c',
]).withChildren('Payments__r', select(Payment, ['Payment_Date__c', 'Status__c']));
export type InvoiceForSummary = RowOf<typeof invoiceForSummary>;

/**
 * The header fields an inbound Xero invoice overwrites on its mirror: read with the mirror here, and compared field by
 * field before a write (sync/inbound/invoice-plan.ts), so one that holds them all as Xero has them is not written.
 */
export const INVOICE_HEADER_FIELDS = [
  'Invoice_Number__c',
  'Status__c',
  'Currency_Code__c',
  'Total__c',
  'Amount_Paid__c',
  'Amount_Credited__c',
  'Amount_Due__c',
  'Due_Date__c',
  'Reference__c',
] as const;

/** An Invoice__c mirror as inbound changes overwrite it, with its lines' and payments' Xero ids. */
export const invoiceForInbound = select(Invoice, [
  ...INVOICE_KEYS,
  ...INVOICE_HEADER_FIELDS,
  'Approval_Status__c',
  'Xero_Updated__c',
])
  .withChildren('Invoice_Lines__r', select(InvoiceLine, ['Id', 'Xero_Line_Item_Id__c']))
  .withChildren('Payments__r', select(Payment, ['Id', 'Xero_Payment_Id__c', 'Status__c', 'Xero_Updated__c']));
export type InvoiceForInbound = RowOf<typeof invoiceForInbound>;

/** A line's record id and Xero LineItemID (to update rows whose master-detail parent cannot be written again). */
export const lineKey = select(InvoiceLine, ['Id', 'Xero_Line_Item_Id__c']);
/** The same, with the request key of its invoice. */
export const lineKeyOfRequest = lineKey.with('Invoice__r', select(Invoice, ['Request_Key__c']));

/** A contact's email, oldest contact first. */
export const contactEmail = select(Contact, ['AccountId', 'Email']);

export const wonOpportunity = select(Opportunity, ['Id']);
export const opportunityAccount = select(Opportunity, ['AccountId']);
export const invoicedOpportunity = select(Invoice, ['Opportunity__c']);

/** A credit note as the credit-note service reads it: approval sends its recorded lines (Lines__c). */
export const creditNoteRecord = select(CreditNote, [
  'Id',
  'Name',
  'Invoice__c',
  'Account__c',
  'Request_Key__c',
  'Xero_Credit_Note_Id__c',
  'Sub_Total__c',
  'Total_Tax__c',
  'Total__c',
  'Reason__c',
  'Status__c',
  'Lines__c',
]);
export type CreditNoteRecord = RowOf<typeof creditNoteRecord>;

/** A Credit_Note__c mirror as inbound changes overwrite it, with its allocations' and refunds' Xero ids. */
export const creditNoteForInbound = select(CreditNote, [
  'Id',
  'Invoice__c',
  'Account__c',
  'Xero_Credit_Note_Id__c',
  'Xero_Updated__c',
])
  .withChildren('Allocations__r', select(CreditAllocation, ['Id', 'Xero_Allocation_Id__c']))
  .withChildren('Refunds__r', select(CreditNoteRefund, ['Id', 'Xero_Payment_Id__c', 'Status__c']));
export type CreditNoteForInbound = RowOf<typeof creditNoteForInbound>;

/**
 * A Xero credit's figures (a Credit_Note__c, or a Customer_Credit__c for an overpayment or prepayment): what drift
 * compares and the KPI ledger counts.
 */
export const CREDIT_AMOUNTS = [
  'Sub_Total__c',
  'Total_Tax__c',
  'Total__c',
  'Remaining_Credit__c',
] as const satisfies readonly (FieldName<typeof CreditNote> & FieldName<typeof CustomerCredit>)[];

/** A credit note's allocation to an invoice, as drift compares it and the KPI ledger counts it. */
export const creditAllocation = select(CreditAllocation, [
  'Xero_Allocation_Id__c',
  'Invoice__c',
  'Amount__c',
  'Allocation_Date__c',
  'Status__c',
]);

/** A credit note's refund (credit paid back to the customer), as drift compares it and the KPI ledger counts it. */
export const creditNoteRefund = select(CreditNoteRefund, [
  'Xero_Payment_Id__c',
  'Amount__c',
  'Refund_Date__c',
  'Status__c',
]);

/** How a Customer_Credit__c was used (allocated to an invoice or refunded), as drift and the KPI ledger read it. */
export const CUSTOMER_CREDIT_USE = [
  'Kind__c',
  'Xero_Allocation_Id__c',
  'Xero_Payment_Id__c',
  'Amount__c',
  'Allocation_Date__c',
  'Status__c',
  'Invoice__c',
] as const satisfies readonly FieldName<typeof CustomerCreditAllocation>[];

/** A Payment__c mirror as inbound payments overwrite it. */
export const paymentForInbound = select(Payment, ['Id', 'Xero_Payment_Id__c', 'Xero_Updated__c']);
export type PaymentForInbound = RowOf<typeof paymentForInbound>;

/** A credit note started in Salesforce that has no Xero credit note yet. */
export const pendingCreditNote = select(CreditNote, ['Id', 'Account__c', 'Invoice__c', 'Currency_Code__c', 'Total__c']);
export type PendingCreditNote = RowOf<typeof pendingCreditNote>;
export const unpostedCreditNote = select(CreditNote, ['Id', 'Invoice__c', 'Request_Key__c', 'Total__c']);
export type UnpostedCreditNote = RowOf<typeof unpostedCreditNote>;

export const billingEntity = select(BillingEntityType, [
  'DeveloperName',
  'MasterLabel',
  'Xero_Tenant_Id__c',
  'Base_Currency__c',
  'Countries__c',
  'Regions__c',
  'Currencies__c',
  'Account_Code__c',
  'Tax_Type__c',
  'Line_Amount_Type__c',
  'Payment_Terms_Days__c',
  'Branding_Theme_Id__c',
  'Is_Default__c',
  'Auto_Email__c',
  'Time_Zone__c',
  'Default_Billing_Frequency__c',
  'Default_Billing_Timing__c',
  'Default_Billing_Alignment__c',
  'Revenue_Convention__c',
  'SSP_Tolerance_Percent__c',
  'Create_Items_When_Missing__c',
  'Default_Tracking_1_Category__c',
  'Default_Tracking_1_Option__c',
  'Default_Tracking_2_Category__c',
  'Default_Tracking_2_Option__c',
  'Deferred_Revenue_Account_Code__c',
  'Accrued_Revenue_Account_Code__c',
]);
export type BillingEntityRecord = RowOf<typeof billingEntity>;

export const settings = select(LedgerlineSettings, ['SetupOwnerId', 'Auto_Draft_On_Close__c', 'Read_Only_Mode__c']);
export type SettingsRecord = RowOf<typeof settings>;

export const corporateCurrency = select(CurrencyType, ['IsoCode']);

// ── Billing plans and revenue schedules (issue 15) ───────────────────────────────────────────────────────────────

/** The Opportunity fields that say how a deal is billed (the rep's terms) and renewed (its uplift rule). */
export const BILLING_FIELDS = [
  'Billing_Frequency__c',
  'Billing_Timing__c',
  'Billing_Alignment__c',
  'First_Invoice_Date__c',
  'Renewal_Index_Name__c',
  'Renewal_Index_Percent__c',
  'Renewal_Index_Date__c',
  'Renewal_Index_Margin_Percent__c',
] as const satisfies readonly FieldName<typeof Opportunity>[];

const plannedProduct = select(Product2, [
  'Name',
  'ProductCode',
  'Billing_Frequency__c',
  'Billing_Timing__c',
  'Revenue_Recognition__c',
  'Standalone_Selling_Price__c',
]);
const plannedLine = opportunityLine.with('Product2', plannedProduct);
selectsEvery<RowOf<typeof plannedLine>, Omit<LineItemRecord, 'Product2'>>('every field');
selectsEvery<NonNullable<RowOf<typeof plannedLine>['Product2']>, NonNullable<LineItemRecord['Product2']>>(
  'every field',
);

/** A deal, an amendment or a renewal as its billing plan is made from it: the draft's fields and its billing terms. */
export function opportunityForPlanning(multiCurrency: boolean) {
  return select(
    Opportunity,
    [...OPPORTUNITY_FIELDS, 'IsWon', ...BILLING_FIELDS],
    multiCurrency ? [] : ['CurrencyIsoCode'],
  )
    .with('Account', accountAsContact)
    .withChildren('OpportunityLineItems', plannedLine, ['SortOrder', 'Id']);
}
selectsEvery<RowOf<ReturnType<typeof opportunityForPlanning>>, OpportunityRow & OpportunityBillingRow>('every field');
export type OpportunityForPlanning = RowOf<ReturnType<typeof opportunityForPlanning>>;

/**
 * What CREATE_DRAFT reads to tell a deal billed on signature from one billed by its periods, and the keys and states
 * of its invoices: a deal that took partial invoices (CREATE_PARTIAL keys) is drafted for what remains
 * (create-draft/billing.ts). Read in the same query, so the batch's load stays one Composite call.
 */
export const opportunityBillingTerms = select(Opportunity, ['Id', ...BILLING_FIELDS])
  .withChildren(
    'OpportunityLineItems',
    select(OpportunityLineItem, ['Id', 'HasSchedule']).with(
      'Product2',
      select(Product2, ['Billing_Frequency__c', 'Billing_Timing__c']),
    ),
  )
  .withChildren('Invoices__r', select(Invoice, ['Request_Key__c', 'Status__c']));
export type OpportunityBillingTerms = RowOf<typeof opportunityBillingTerms>;

/** Which deal an Opportunity belongs to (an amendment's is the one it amends; a renewal is a deal of its own). */
export const opportunityDeal = select(Opportunity, ['Id', 'Amended_Opportunity__c', 'Invoice_Type__c']);

export const lineItemSchedule = select(OpportunityLineItemSchedule, [
  'Id',
  'OpportunityLineItemId',
  'ScheduleDate',
  'Type',
  'Revenue',
  'Quantity',
  'Description',
]);

export const instalmentRecord = select(BillingInstalment, [
  'Id',
  'Instalment_Key__c',
  'Plan_Version__c',
  'Sequence__c',
  'Issue_Date__c',
  'Service_Start_Date__c',
  'Service_End_Date__c',
  'Amount__c',
  'Currency_Code__c',
  'Document_Type__c',
  'Status__c',
  'Status_Message__c',
  'Lines__c',
  'Invoice__c',
  'Credit_Note__c',
  'Raised_At__c',
]);
export type InstalmentRecord = RowOf<typeof instalmentRecord>;

/** A plan as the bridge re-plans it: its instalments, and which of its months exist and are closed. */
export const planRecord = select(BillingPlan, ['Id', 'Plan_Key__c', 'Version__c', 'Status__c'])
  .withChildren('Instalments__r', instalmentRecord, ['Issue_Date__c', 'Instalment_Key__c'])
  .withChildren('Revenue_Months__r', select(RevenueMonth, ['Id', 'Month_Key__c', 'Status__c']), ['Month_Key__c']);
export type PlanRecord = RowOf<typeof planRecord>;

/** A deal's invoice or credit note, as far as its plan needs it: who raised it and whether it is posted. */
const PLANNED_DOCUMENT = [
  'Id',
  'Request_Key__c',
  'Status__c',
  'Issue_Date__c',
  'Sub_Total__c',
] as const satisfies readonly (FieldName<typeof Invoice> & FieldName<typeof CreditNote>)[];

/** With its mirrored lines: what a partial invoice billed on each of the deal's lines (deal-plan.ts partials). */
export const planInvoice = select(Invoice, [...PLANNED_DOCUMENT, 'Opportunity__c', 'Xero_Invoice_Id__c']).withChildren(
  'Invoice_Lines__r',
  select(InvoiceLine, ['Opportunity_Line_Item_Id__c', 'Line_Amount__c']),
);
export type PlanInvoice = RowOf<typeof planInvoice>;

export const planCreditNote = select(CreditNote, [...PLANNED_DOCUMENT, 'Invoice__c', 'Xero_Credit_Note_Id__c']);
export type PlanCreditNote = RowOf<typeof planCreditNote>;

export const planKey = select(BillingPlan, ['Plan_Key__c', 'Billing_Entity__c']);

/** A posted month-end close as the plans read it: when its entity's month was closed (domain/closed-months.ts). */
export const postedClose = select(MonthEndClose, ['Billing_Entity__c', 'Period_Start__c', 'Posted_At__c']);
export type PostedCloseRow = RowOf<typeof postedClose>;
