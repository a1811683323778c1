/**
 * The Salesforce fields line mapping reads (line-mapping.ts), validated with zod: where a product's lines post in Xero
 * and the billing entity's defaults (names without the package prefix, as in records.ts).
 */
import { z } from 'zod';

import { RECOGNITION_VALUES } from './revenue-records';

const optionalText = z
  .string()
  .nullish()
  .transform((value) => value?.trim() || undefined);

/** Product2: where its lines post in Xero (blank = the entity default). */
export const productXeroRowSchema = z.object({
  Name: z.string().nullish(),
  ProductCode: optionalText,
  Xero_Account_Code__c: optionalText,
  Xero_Tax_Type__c: optionalText,
  Xero_Item_Code__c: optionalText,
  Xero_Tracking_1_Category__c: optionalText,
  Xero_Tracking_1_Option__c: optionalText,
  Xero_Tracking_2_Category__c: optionalText,
  Xero_Tracking_2_Option__c: optionalText,
  /** Where the product's deferred revenue is held, when not the entity's account. */
  Xero_Deferred_Account_Code__c: optionalText,
  Revenue_Recognition__c: z.enum(RECOGNITION_VALUES).nullish(),
});

/** Billing_Entity__mdt: the entity's item policy and default tracking. */
export const entityLineRowSchema = z.object({
  Create_Items_When_Missing__c: z.boolean().nullish(),
  Default_Tracking_1_Category__c: optionalText,
  Default_Tracking_1_Option__c: optionalText,
  Default_Tracking_2_Category__c: optionalText,
  Default_Tracking_2_Option__c: optionalText,
  /** The month-end close's accounts: deferred revenue (a liability) and accrued revenue (an asset). */
  Deferred_Revenue_Account_Code__c: optionalText,
  Accrued_Revenue_Account_Code__c: optionalText,
});

export type ProductXeroRow = z.input<typeof productXeroRowSchema>;
export type EntityLineRow = z.input<typeof entityLineRowSchema>;
