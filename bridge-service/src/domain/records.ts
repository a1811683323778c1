/**
 * The Salesforce rows the finance domain reads, shaped like SOQL results (API names without the package
 * namespace prefix: the salesforce/ layer's schema module owns names and strips the prefix). zod schemas
 * validate them where they cross the boundary; the TypeScript types are inferred from the schemas.
 *
 * SOQL returns numbers as JSON numbers and empty fields as null; amounts are turned into big.js by the
 * domain functions via their string form, so a JSON number such as 1200.5 is read as the decimal "1200.5".
 */
import { z } from 'zod';

import { isIsoDate } from './dates';
import { RECOGNITION_VALUES } from './revenue-records';

const isoDate = z.string().refine(isIsoDate, { message: 'must be an ISO date (YYYY-MM-DD)' });
/** A decimal that arrives as a JSON number or a decimal string. */
const decimal = z.union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number')]);
const optionalText = z.string().nullish();

export const opportunityRowSchema = z.object({
  Id: z.string().min(15),
  Name: z.string().min(1),
  CloseDate: isoDate,
  /** Present only in multi-currency orgs. */
  CurrencyIsoCode: z.string().length(3).nullish(),
  Amount: decimal.nullish(),
  AccountId: z.string().min(15),
  /** DeveloperName of a Billing_Entity__mdt record: an explicit override. */
  Billing_Entity__c: optionalText,
  /** New | Renewal | Amendment. */
  Invoice_Type__c: optionalText,
  Service_Start_Date__c: isoDate.nullish(),
  Service_End_Date__c: isoDate.nullish(),
  /** The Opportunity this one amends or renews. */
  Amended_Opportunity__c: optionalText,
  Renewal_Uplift_Percent__c: decimal.nullish(),
  /** Customer purchase-order number, when the org captures one (optional: not in the package metadata yet). */
  PO_Number__c: optionalText,
});

export const opportunityLineItemRowSchema = z.object({
  Id: z.string().min(15),
  Description: optionalText,
  Quantity: decimal,
  UnitPrice: decimal,
  /** Percent (5,2), e.g. 10 = 10% off. */
  Discount: decimal.nullish(),
  TotalPrice: decimal.nullish(),
  /** A hint only: CPQ/Revenue Cloud dates or the Opportunity service period are authoritative. */
  ServiceDate: isoDate.nullish(),
  /** The product, with where its lines post in Xero (line-mapping.ts reads the Xero fields; blank = the entity's). */
  Product2: z
    .object({
      Name: z.string(),
      ProductCode: optionalText,
      Xero_Account_Code__c: optionalText,
      Xero_Tax_Type__c: optionalText,
      Xero_Item_Code__c: optionalText,
      Xero_Tracking_1_Category__c: optionalText,
      Xero_Tracking_1_Option__c: optionalText,
      Xero_Tracking_2_Category__c: optionalText,
      Xero_Tracking_2_Option__c: optionalText,
      /** Blank is Ratable: it posts to deferred revenue at invoicing when a deferred account is set (line-mapping.ts). */
      Revenue_Recognition__c: z.enum(RECOGNITION_VALUES).nullish(),
      Xero_Deferred_Account_Code__c: optionalText,
    })
    .nullish(),
});

export const accountRowSchema = z.object({
  Id: z.string().min(15),
  Name: z.string().min(1),
  BillingStreet: optionalText,
  BillingCity: optionalText,
  BillingState: optionalText,
  BillingPostalCode: optionalText,
  BillingCountry: optionalText,
  /** Present when state and country picklists are enabled. */
  BillingCountryCode: optionalText,
  Billing_Entity__c: optionalText,
  /** Where invoices are emailed, when the org keeps it on the Account (optional: not in the package metadata yet). */
  Billing_Email__c: optionalText,
  /** What contact matching compares with Xero's AccountNumber and TaxNumber. */
  AccountNumber: optionalText,
  Tax_Number__c: optionalText,
});

export type OpportunityRow = z.infer<typeof opportunityRowSchema>;
export type OpportunityLineItemRow = z.infer<typeof opportunityLineItemRowSchema>;
export type AccountRow = z.infer<typeof accountRowSchema>;

/** The Opportunity's currency: its CurrencyIsoCode in a multi-currency org, else the org's corporate currency. */
export function opportunityCurrency(
  opportunity: Pick<OpportunityRow, 'CurrencyIsoCode'>,
  corporateCurrency: string,
): string {
  return (opportunity.CurrencyIsoCode ?? corporateCurrency).toUpperCase();
}
