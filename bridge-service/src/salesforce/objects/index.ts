/**
 * Every Salesforce object the bridge reads or writes, one schema each (architecture invariant 5): the fields it
 * uses with their kinds and the relationships it queries through, names without the package namespace.
 * schema.test.ts checks each against force-app metadata and the standard objects.
 */
import { Account, Contact } from './account';
import { MonthEndClose, MonthEndJournalLine } from './close';
import { CreditAllocation, CreditNote, CreditNoteRefund } from './credit-note';
import { InvoiceRequestEvent, SyncUpdateEvent } from './events';
import {
  ContactMatchReview,
  CustomerCredit,
  CustomerCreditAllocation,
  ImportRun,
  ReconciliationResult,
  XeroContactLink,
} from './golive';
import { ExchangeRate, KpiForecast, KpiRenewal, KpiSnapshot } from './insights';
import { Invoice, InvoiceLine, Payment } from './invoice';
import { Opportunity, OpportunityLineItem, OpportunityLineItemSchedule, Product2 } from './opportunity';
import { BillingInstalment, BillingPlan, RevenueMonth } from './revenue';
import { BillingEntityType, CurrencyType, DatedConversionRate, LedgerlineSettings } from './setup';

export { Account, Contact } from './account';
export { MonthEndClose, MonthEndJournalLine } from './close';
export { CreditAllocation, CreditNote, CreditNoteRefund } from './credit-note';
export { InvoiceRequestEvent, SyncUpdateEvent } from './events';
export {
  ContactMatchReview,
  CustomerCredit,
  CustomerCreditAllocation,
  ImportRun,
  ReconciliationResult,
  XeroContactLink,
} from './golive';
export { ExchangeRate, KpiForecast, KpiRenewal, KpiSnapshot } from './insights';
export { Invoice, InvoiceLine, Payment } from './invoice';
export { Opportunity, OpportunityLineItem, OpportunityLineItemSchedule, Product2 } from './opportunity';
export { BillingInstalment, BillingPlan, RevenueMonth } from './revenue';
export { BillingEntityType, CurrencyType, DatedConversionRate, LedgerlineSettings } from './setup';

/** Standard data objects (their fields are the platform's, plus the package's custom fields on them). */
export const STANDARD_OBJECTS = [
  Opportunity,
  OpportunityLineItem,
  OpportunityLineItemSchedule,
  Product2,
  Account,
  Contact,
] as const;
/** Setup objects the bridge reads (org configuration, not data). */
export const SETUP_OBJECTS = [CurrencyType, DatedConversionRate] as const;
/** The package's objects, platform events, custom metadata type and custom setting. */
export const PACKAGE_OBJECTS = [
  Invoice,
  InvoiceLine,
  Payment,
  CreditNote,
  CreditAllocation,
  CreditNoteRefund,
  BillingPlan,
  BillingInstalment,
  RevenueMonth,
  XeroContactLink,
  ContactMatchReview,
  ImportRun,
  ReconciliationResult,
  CustomerCredit,
  CustomerCreditAllocation,
  KpiSnapshot,
  KpiForecast,
  KpiRenewal,
  ExchangeRate,
  MonthEndClose,
  MonthEndJournalLine,
  InvoiceRequestEvent,
  SyncUpdateEvent,
  BillingEntityType,
  LedgerlineSettings,
] as const;

export const ALL_OBJECTS = [...STANDARD_OBJECTS, ...SETUP_OBJECTS, ...PACKAGE_OBJECTS] as const;
