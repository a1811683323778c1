/**
 * Billing-entity routing: which Xero organisation invoices an Opportunity, from the Billing_Entity__mdt records.
 *
 * Rules, first match wins (see README.md in this folder):
 * 1. an explicit override on the Opportunity, then on the Account (Billing_Entity__c = a DeveloperName,
 *    case-insensitive like DeveloperName itself; an unknown name is an error, never silently ignored);
 * 2. location AND currency: billing country in `countries`, then country in one of `regions`;
 * 3. location alone: country, then region;
 * 4. currency alone (`currencies`, or the base currency when the list is empty);
 * 5. the default entity;
 * 6. otherwise an error naming the country and currency.
 * Two entities equally good at the winning step is an error (never a coin toss). An exact country beats a region.
 * Regions are named country groups: EU, EEA, EMEA, APAC, AMER, LATAM, NA, UKI and a few more built in
 * (BUILT_IN_REGIONS in countries.ts), others passed in by the caller; an unknown region is a warning, not an error.
 * The Account's country is BillingCountryCode when present, else BillingCountry read as an ISO code or a common
 * English name (United Kingdom, UK, USA…).
 */
import { z } from 'zod';

import { throwIfProblems, DomainError } from './errors';
import { LINE_AMOUNT_TYPES, type LineAmountType } from './xero-invoice-math';
import { opportunityCurrency, type AccountRow, type OpportunityRow } from './records';
import { normaliseCountry, regionCountries, type RegionMap } from './countries';
import { entityBillingRowSchema } from './revenue-records';
import { isTimeZone } from './zoned-time';

/**
 * A list field that custom metadata stores as comma-separated text ("GB, IE"; semicolons and line breaks also
 * accepted), or an array; blank means none. Entries are upper-cased and inner spaces or hyphens become "_", so
 * "North America" and "north-america" both read as NORTH_AMERICA.
 */
const textList = z
  .union([z.array(z.string()), z.string()])
  .nullish()
  .transform((value) =>
    (Array.isArray(value) ? value : (value ?? '').split(/[;,\n]+/))
      .map((entry) =>
        entry
          .trim()
          .toUpperCase()
          .replace(/[\s-]+/g, '_'),
      )
      .filter((entry) => entry !== ''),
  );
const codeList = (pattern: RegExp, message: string) => textList.pipe(z.array(z.string().regex(pattern, message)));

export const billingEntitySchema = z.object({
  developerName: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a DeveloperName'),
  xeroTenantId: z.string().min(1, 'is required'),
  baseCurrency: z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO currency code')),
  countries: codeList(/^[A-Z]{2}$/, 'must be 2-letter ISO codes'),
  regions: textList,
  currencies: codeList(/^[A-Z]{3}$/, 'must be 3-letter ISO codes'),
  accountCode: z.string().min(1, 'is required'),
  taxType: z.string().min(1, 'is required'),
  /**
   * Exclusive or NoTax. Inclusive is refused: billing plans, revenue schedules, the close, MRR and the
   * reconciliation all read Salesforce prices as net of tax, so an entity whose prices include tax would count
   * the tax as revenue. (Credit notes by amount still go to Xero as Inclusive: that is the document, not the entity.)
   */
  lineAmountType: z
    .enum(LINE_AMOUNT_TYPES as [LineAmountType, ...LineAmountType[]])
    .refine(
      (value) => value !== 'Inclusive',
      'Inclusive is not supported: Salesforce prices are read as net of tax (Exclusive or NoTax)',
    )
    .default('Exclusive'),
  paymentTermsDays: z.number().int().min(0).max(3650),
  brandingThemeId: z
    .string()
    .nullish()
    .transform((value) => value ?? undefined),
  isDefault: z.boolean().default(false),
  autoEmail: z.boolean().default(false),
  /** IANA time zone of the entity's books: its "today", and when its instalments fall due. Blank: UTC (warned). */
  timeZone: z
    .string()
    .nullish()
    .transform((value) => value?.trim() || undefined)
    .refine((value) => value === undefined || isTimeZone(value), 'must be an IANA time zone such as Europe/London'),
  /** Default billing terms and revenue policy (Default_Billing_*, Revenue_Convention__c, SSP_Tolerance_Percent__c). */
  billing: entityBillingRowSchema.nullish().transform((value) => value ?? {}),
});

/** One Billing_Entity__mdt record, as the domain uses it. */
export type BillingEntity = z.output<typeof billingEntitySchema>;

/** The entity's time zone: Time_Zone__c, else UTC. */
export function entityTimeZone(entity: Pick<BillingEntity, 'timeZone'>): string {
  return entity.timeZone ?? 'UTC';
}

/** Currencies an entity invoices in: its list, or its base currency when the list is empty. */
export function invoiceCurrencies(entity: Pick<BillingEntity, 'currencies' | 'baseCurrency'>): readonly string[] {
  return entity.currencies.length > 0 ? entity.currencies : [entity.baseCurrency];
}

export interface BillingEntityCheck {
  entities: BillingEntity[];
  /** Configurations that will fail some routings at run time but not all (shown to ops on /ready). */
  warnings: string[];
}

/**
 * Parses and checks the Billing_Entity__mdt records as a set. Throws a DomainError listing every problem:
 * invalid fields, duplicate DeveloperNames, more than one default. Things that only affect some routings come back
 * as warnings: an unknown region, two entities serving the same country in the same currency, a shared tenant.
 */
export function parseBillingEntities(records: readonly unknown[], regions: RegionMap = {}): BillingEntityCheck {
  const problems: string[] = [];
  const entities: BillingEntity[] = [];
  records.forEach((record, index) => {
    const parsed = billingEntitySchema.safeParse(record);
    const name =
      typeof record === 'object' && record !== null && 'developerName' in record
        ? String(record.developerName)
        : `record ${index + 1}`;
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`${name}: ${issue.path.join('.') || 'record'} ${issue.message}`);
      return;
    }
    entities.push(parsed.data);
  });

  const seen = new Set<string>();
  for (const entity of entities) {
    const key = entity.developerName.toLowerCase();
    if (seen.has(key)) problems.push(`${entity.developerName}: DeveloperName is used by more than one record`);
    seen.add(key);
  }
  const defaults = entities.filter((entity) => entity.isDefault);
  if (defaults.length > 1) {
    problems.push(
      `more than one default entity (${defaults.map((e) => e.developerName).join(', ')}); mark exactly one or none`,
    );
  }
  throwIfProblems('BILLING_ENTITY_CONFIG', 'Billing_Entity__mdt records are invalid', problems);

  const warnings: string[] = [];
  for (const entity of entities) {
    for (const region of entity.regions) {
      if (!regionCountries(region, regions)) {
        warnings.push(
          `${entity.developerName}: region ${region} is unknown, so it matches no country; list its countries instead`,
        );
      }
    }
  }
  for (const [tenantId, sharing] of Map.groupBy(entities, (entity) => entity.xeroTenantId)) {
    const names = sharing.map((entity) => entity.developerName);
    if (names.length > 1)
      warnings.push(`${names.join(' and ')} share Xero tenant ${tenantId}: check that this is intended`);
  }
  for (let i = 0; i < entities.length; i++) {
    for (let j = i + 1; j < entities.length; j++) {
      const a = entities[i];
      const b = entities[j];
      if (!a || !b) continue;
      const countries = a.countries.filter((c) => b.countries.includes(c));
      const currencies = invoiceCurrencies(a).filter((c) => invoiceCurrencies(b).includes(c));
      if (countries.length > 0 && currencies.length > 0) {
        warnings.push(
          `${a.developerName} and ${b.developerName} both serve ${countries.join(', ')} in ${currencies.join(', ')}: ` +
            'those opportunities need an explicit Billing_Entity__c',
        );
      }
    }
  }
  return { entities, warnings };
}

export type RoutingReason =
  | 'opportunity-override'
  | 'account-override'
  | 'country-and-currency'
  | 'region-and-currency'
  | 'country'
  | 'region'
  | 'currency'
  | 'default';

export interface RoutingInput {
  /** Opportunity.Billing_Entity__c (a DeveloperName). */
  opportunityOverride?: string | null;
  /** Account.Billing_Entity__c (a DeveloperName). */
  accountOverride?: string | null;
  /** ISO alpha-2 billing country, if known. */
  country?: string;
  /** The invoice currency (ISO). */
  currency: string;
}

export interface RoutingResult {
  entity: BillingEntity;
  reason: RoutingReason;
}

/** Routes one invoice to a billing entity; see the module comment for the rules. Throws DomainError when none fits. */
export function routeBillingEntity(
  entities: readonly BillingEntity[],
  input: RoutingInput,
  regions: RegionMap = {},
): RoutingResult {
  const byName = (name: string, source: string): BillingEntity => {
    const wanted = name.trim().toLowerCase();
    const found = entities.find((entity) => entity.developerName.toLowerCase() === wanted);
    if (!found) {
      throw new DomainError(
        'BILLING_ENTITY_NOT_FOUND',
        `${source} names billing entity "${name.trim()}", which is not in Billing_Entity__mdt (known: ${entities.map((e) => e.developerName).join(', ') || 'none'})`,
      );
    }
    return found;
  };
  if (input.opportunityOverride?.trim()) {
    return { entity: byName(input.opportunityOverride, 'The Opportunity'), reason: 'opportunity-override' };
  }
  if (input.accountOverride?.trim()) {
    return { entity: byName(input.accountOverride, 'The Account'), reason: 'account-override' };
  }

  const currency = input.currency.toUpperCase();
  const country = input.country?.toUpperCase();
  const inCountry = (e: BillingEntity) => country !== undefined && e.countries.includes(country);
  const inRegion = (e: BillingEntity) =>
    country !== undefined && e.regions.some((region) => regionCountries(region, regions)?.includes(country) ?? false);
  const inCurrency = (e: BillingEntity) => invoiceCurrencies(e).includes(currency);

  const tiers: [RoutingReason, (e: BillingEntity) => boolean][] = [
    ['country-and-currency', (e) => inCountry(e) && inCurrency(e)],
    ['region-and-currency', (e) => inRegion(e) && inCurrency(e)],
    ['country', inCountry],
    ['region', inRegion],
    ['currency', inCurrency],
    ['default', (e) => e.isDefault],
  ];
  for (const [reason, matches] of tiers) {
    const candidates = entities.filter(matches);
    const [only, ...others] = candidates;
    if (only && others.length === 0) return { entity: only, reason };
    if (only) {
      throw new DomainError(
        'BILLING_ENTITY_AMBIGUOUS',
        `Billing entities ${candidates.map((e) => e.developerName).join(' and ')} both serve country ${country ?? '(none)'} ` +
          `in currency ${currency} (${reason}); set Billing_Entity__c on the Opportunity or Account, or narrow Billing_Entity__mdt`,
      );
    }
  }
  throw new DomainError(
    'BILLING_ENTITY_NOT_FOUND',
    `No billing entity serves country ${country ?? '(none)'} in currency ${currency}; add one in Billing_Entity__mdt or set a default`,
  );
}

/** Routes an Opportunity as Salesforce returns it: overrides, the Account's billing country, the deal currency. */
export function routeOpportunity(
  entities: readonly BillingEntity[],
  opportunity: Pick<OpportunityRow, 'Billing_Entity__c' | 'CurrencyIsoCode'>,
  account: Pick<AccountRow, 'Billing_Entity__c' | 'BillingCountryCode' | 'BillingCountry'>,
  corporateCurrency: string,
  regions: RegionMap = {},
): RoutingResult {
  return routeBillingEntity(
    entities,
    {
      opportunityOverride: opportunity.Billing_Entity__c,
      accountOverride: account.Billing_Entity__c,
      // An unrecognised country name still goes through, so the error names what the Account says.
      country:
        normaliseCountry(account.BillingCountryCode, account.BillingCountry) ??
        (account.BillingCountry?.trim() || undefined),
      currency: opportunityCurrency(opportunity, corporateCurrency),
    },
    regions,
  );
}
