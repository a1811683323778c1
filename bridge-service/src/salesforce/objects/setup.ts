import { sobject } from '../sobject';

/** A billing entity (one legal entity, one Xero organisation): ops edit these records; the bridge reads them. */
export const BillingEntityType = sobject('Billing_Entity__mdt', {
  DeveloperName: 'text',
  MasterLabel: 'text',
  Xero_Tenant_Id__c: 'text',
  Base_Currency__c: 'text',
  Countries__c: 'text',
  Regions__c: 'text',
  Currencies__c: 'text',
  Account_Code__c: 'text',
  Tax_Type__c: 'text',
  Line_Amount_Type__c: 'text',
  Payment_Terms_Days__c: 'number',
  Branding_Theme_Id__c: 'text',
  Is_Default__c: 'boolean',
  Auto_Email__c: 'boolean',
  Time_Zone__c: 'text',
  Default_Billing_Frequency__c: 'picklist',
  Default_Billing_Timing__c: 'picklist',
  Default_Billing_Alignment__c: 'picklist',
  Revenue_Convention__c: 'picklist',
  SSP_Tolerance_Percent__c: 'number',
  // line mapping: the entity's item policy and default tracking
  Create_Items_When_Missing__c: 'boolean',
  Default_Tracking_1_Category__c: 'text',
  Default_Tracking_1_Option__c: 'text',
  Default_Tracking_2_Category__c: 'text',
  Default_Tracking_2_Option__c: 'text',
  // the month-end close's accounts (issue 16): deferred revenue (a liability) and accrued revenue (an asset)
  Deferred_Revenue_Account_Code__c: 'text',
  Accrued_Revenue_Account_Code__c: 'text',
});

/** The package settings (hierarchy custom setting); the bridge reads the org default. */
export const LedgerlineSettings = sobject('Ledgerline_Settings__c', {
  SetupOwnerId: 'reference',
  Auto_Draft_On_Close__c: 'boolean',
  Read_Only_Mode__c: 'boolean',
  Reporting_Currency__c: 'text',
});

/** The org's currencies (a setup object that exists only in multi-currency orgs). */
export const CurrencyType = sobject('CurrencyType', {
  IsoCode: 'text',
  IsCorporate: 'boolean',
  IsActive: 'boolean',
  ConversionRate: 'number',
});

/** Dated exchange rates (advanced currency management): a currency's rate from StartDate until NextStartDate. */
export const DatedConversionRate = sobject('DatedConversionRate', {
  Id: 'id',
  IsoCode: 'text',
  ConversionRate: 'number',
  StartDate: 'date',
  NextStartDate: 'date',
});
