/**
 * The Salesforce fields behind billing plans and revenue schedules (API names without the package prefix, as in
 * records.ts), validated with zod, and how a line's billing terms and recognition method are resolved from them.
 *
 * Decisions (see README.md in this folder):
 * - Resolution order, field by field: the line's own terms (passed in by the caller) → the product
 *   (Product2.Billing_Frequency__c / Billing_Timing__c: set only on products that always bill one way, e.g. a setup
 *   fee billed Upfront) → the opportunity (the rep's choice for the deal) → the billing entity's defaults
 *   (Billing_Entity__mdt.Default_Billing_*__c) → the package default (Upfront, In Advance, Anniversary: one invoice
 *   at the start, what wave 1 did). Alignment and the first invoice date are deal-level only.
 * - Recognition: the product says ratable or point in time (blank = ratable: a subscription); the entity says
 *   daily or monthly for ratable lines (blank = daily). There is no per-deal override: ASC 606 wants the same
 *   method for similar obligations, and reps do not choose accounting policy.
 * - A point-in-time line is delivered on its OpportunityLineItem.ServiceDate, else on the service start.
 */
import { z } from 'zod';

import { isIsoDate, type IsoDate } from './dates';
import { DomainError } from './errors';
import { PACKAGE_DEFAULT_TERMS, type BillingTerms } from './billing-periods';
import type { ProductScheduleRow } from './billing-plan';
import type { RecognitionMethod } from './revenue';
import type { UpliftRule } from './amendment';

const isoDate = z.string().refine(isIsoDate, { message: 'must be an ISO date (YYYY-MM-DD)' });
const decimal = z.union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number')]);

export const FREQUENCY_VALUES = ['Upfront', 'Annual', 'Quarterly', 'Monthly'] as const;
export const TIMING_VALUES = ['In Advance', 'In Arrears'] as const;
export const ALIGNMENT_VALUES = ['Anniversary', 'Calendar'] as const;
export const RECOGNITION_VALUES = ['Ratable', 'Point in Time'] as const;
export const CONVENTION_VALUES = ['Daily', 'Monthly'] as const;
export const SCHEDULE_TYPES = ['Revenue', 'Quantity', 'Both'] as const;

const frequency = z.enum(FREQUENCY_VALUES).nullish();
const timing = z.enum(TIMING_VALUES).nullish();

/** Opportunity: the rep's billing settings for the deal and its renewal rule. */
export const opportunityBillingRowSchema = z.object({
  Billing_Frequency__c: frequency,
  Billing_Timing__c: timing,
  Billing_Alignment__c: z.enum(ALIGNMENT_VALUES).nullish(),
  First_Invoice_Date__c: isoDate.nullish(),
  Renewal_Uplift_Percent__c: decimal.nullish(),
  Renewal_Index_Name__c: z.string().nullish(),
  Renewal_Index_Percent__c: decimal.nullish(),
  Renewal_Index_Date__c: isoDate.nullish(),
  Renewal_Index_Margin_Percent__c: decimal.nullish(),
});

/** Product2: how the product bills (when it always bills one way) and is recognised, and its SSP. */
export const productBillingRowSchema = z.object({
  Billing_Frequency__c: frequency,
  Billing_Timing__c: timing,
  Revenue_Recognition__c: z.enum(RECOGNITION_VALUES).nullish(),
  Standalone_Selling_Price__c: decimal.nullish(),
});

/** Billing_Entity__mdt: the entity's defaults and revenue policy. */
export const entityBillingRowSchema = z.object({
  Default_Billing_Frequency__c: frequency,
  Default_Billing_Timing__c: timing,
  Default_Billing_Alignment__c: z.enum(ALIGNMENT_VALUES).nullish(),
  Revenue_Convention__c: z.enum(CONVENTION_VALUES).nullish(),
  SSP_Tolerance_Percent__c: decimal.nullish(),
});

/** OpportunityLineItemSchedule, as SOQL returns it. */
export const lineItemScheduleRowSchema = z.object({
  Id: z.string().min(15),
  OpportunityLineItemId: z.string().min(15),
  ScheduleDate: isoDate,
  Type: z.enum(SCHEDULE_TYPES),
  Revenue: decimal.nullish(),
  Quantity: decimal.nullish(),
  Description: z.string().nullish(),
});

export type OpportunityBillingRow = z.infer<typeof opportunityBillingRowSchema>;
export type ProductBillingRow = z.infer<typeof productBillingRowSchema>;
export type EntityBillingRow = z.infer<typeof entityBillingRowSchema>;
export type LineItemScheduleRow = z.infer<typeof lineItemScheduleRowSchema>;

const FREQUENCY: Record<(typeof FREQUENCY_VALUES)[number], BillingTerms['frequency']> = {
  Upfront: 'upfront',
  Annual: 'annual',
  Quarterly: 'quarterly',
  Monthly: 'monthly',
};
const TIMING: Record<(typeof TIMING_VALUES)[number], BillingTerms['timing']> = {
  'In Advance': 'advance',
  'In Arrears': 'arrears',
};
const ALIGNMENT: Record<(typeof ALIGNMENT_VALUES)[number], BillingTerms['alignment']> = {
  Anniversary: 'anniversary',
  Calendar: 'calendar',
};

export type TermSource = 'line' | 'product' | 'opportunity' | 'entity' | 'package';

export interface ResolvedTerms {
  terms: BillingTerms;
  /** Where each setting came from, for the plan record and for support. */
  source: { frequency: TermSource; timing: TermSource; alignment: TermSource };
}

export interface TermLayers {
  line?: Partial<Pick<BillingTerms, 'frequency' | 'timing'>>;
  product?: ProductBillingRow | null;
  opportunity?: OpportunityBillingRow | null;
  entity?: EntityBillingRow | null;
}

function first<T>(candidates: [TermSource, T | null | undefined][], fallback: T): [T, TermSource] {
  for (const [source, value] of candidates) if (value !== null && value !== undefined) return [value, source];
  return [fallback, 'package'];
}

/** A line's billing terms, field by field: line → product → opportunity → entity → package default. */
export function resolveBillingTerms(layers: TermLayers): ResolvedTerms {
  const { line, product, opportunity, entity } = layers;
  const map = <K extends string, V>(table: Record<K, V>, value: K | null | undefined): V | undefined =>
    value === null || value === undefined ? undefined : table[value];
  const [frequency, frequencySource] = first<BillingTerms['frequency']>(
    [
      ['line', line?.frequency],
      ['product', map(FREQUENCY, product?.Billing_Frequency__c)],
      ['opportunity', map(FREQUENCY, opportunity?.Billing_Frequency__c)],
      ['entity', map(FREQUENCY, entity?.Default_Billing_Frequency__c)],
    ],
    PACKAGE_DEFAULT_TERMS.frequency,
  );
  const [timing, timingSource] = first<BillingTerms['timing']>(
    [
      ['line', line?.timing],
      ['product', map(TIMING, product?.Billing_Timing__c)],
      ['opportunity', map(TIMING, opportunity?.Billing_Timing__c)],
      ['entity', map(TIMING, entity?.Default_Billing_Timing__c)],
    ],
    PACKAGE_DEFAULT_TERMS.timing,
  );
  const [alignment, alignmentSource] = first<BillingTerms['alignment']>(
    [
      ['opportunity', map(ALIGNMENT, opportunity?.Billing_Alignment__c)],
      ['entity', map(ALIGNMENT, entity?.Default_Billing_Alignment__c)],
    ],
    PACKAGE_DEFAULT_TERMS.alignment,
  );
  return {
    terms: { frequency, timing, alignment },
    source: { frequency: frequencySource, timing: timingSource, alignment: alignmentSource },
  };
}

/** Ratable (by the entity's convention) or point in time (by the product). */
export function recognitionMethodFor(
  product?: ProductBillingRow | null,
  entity?: EntityBillingRow | null,
): RecognitionMethod {
  if (product?.Revenue_Recognition__c === 'Point in Time') return 'point-in-time';
  return entity?.Revenue_Convention__c === 'Monthly' ? 'monthly' : 'daily';
}

/** Where a point-in-time line is delivered: its ServiceDate, else the service start. */
export function deliveryDateOf(serviceDate: IsoDate | null | undefined, serviceStart: IsoDate): IsoDate {
  return serviceDate ?? serviceStart;
}

/** OpportunityLineItemSchedule rows of one line as plan schedule rows (JSON numbers read through their text). */
export function productScheduleOf(rows: readonly LineItemScheduleRow[]): ProductScheduleRow[] {
  return rows.map((row) => ({
    date: row.ScheduleDate,
    type: row.Type,
    revenue: row.Revenue === null || row.Revenue === undefined ? null : String(row.Revenue),
    quantity: row.Quantity === null || row.Quantity === undefined ? null : String(row.Quantity),
  }));
}

/** The renewing Opportunity's uplift rule: fixed, or the greater of it and an index + margin. */
export function upliftRuleOf(row: OpportunityBillingRow): UpliftRule {
  const rule: UpliftRule = { percent: String(row.Renewal_Uplift_Percent__c ?? 0) };
  if (row.Renewal_Index_Percent__c !== null && row.Renewal_Index_Percent__c !== undefined) {
    if (!row.Renewal_Index_Date__c) {
      throw new DomainError('INVALID_INPUT', 'The renewal index needs the date it was published (Renewal Index Date)');
    }
    rule.index = {
      name: row.Renewal_Index_Name__c ?? 'index',
      percent: String(row.Renewal_Index_Percent__c),
      publishedOn: row.Renewal_Index_Date__c,
    };
    rule.indexMarginPercent = String(row.Renewal_Index_Margin_Percent__c ?? 0);
  }
  return rule;
}

const labelOf = <K extends string, V>(table: Record<K, V>, value: V): K =>
  (Object.keys(table) as K[]).find((key) => table[key] === value) as K;

/** Billing terms as the Salesforce picklists spell them (Billing_Plan__c shows the terms it planned with). */
export function termLabels(terms: BillingTerms): {
  frequency: (typeof FREQUENCY_VALUES)[number];
  timing: (typeof TIMING_VALUES)[number];
  alignment: (typeof ALIGNMENT_VALUES)[number];
} {
  return {
    frequency: labelOf(FREQUENCY, terms.frequency),
    timing: labelOf(TIMING, terms.timing),
    alignment: labelOf(ALIGNMENT, terms.alignment),
  };
}
