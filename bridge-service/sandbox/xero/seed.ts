import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const decimalText = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string');
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a YYYY-MM-DD date');
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a GUID');

const taxRateSeed = z.object({
  TaxType: z.string().min(1),
  Name: z.string().min(1),
  Rate: decimalText,
  ReportTaxType: z.string().default('OUTPUT'),
  Status: z.enum(['ACTIVE', 'DELETED', 'ARCHIVED']).default('ACTIVE'),
});

const accountSeed = z.object({
  AccountID: uuid,
  Code: z.string().min(1),
  Name: z.string().min(1),
  Type: z.string().min(1),
  Class: z.enum(['ASSET', 'EQUITY', 'EXPENSE', 'LIABILITY', 'REVENUE']),
  TaxType: z.string().default('NONE'),
  Status: z.enum(['ACTIVE', 'ARCHIVED', 'DELETED']).default('ACTIVE'),
  BankAccountNumber: z.string().optional(),
  BankAccountType: z.enum(['BANK', 'CREDITCARD', 'PAYPAL', 'NONE', '']).optional(),
  CurrencyCode: z.string().optional(),
  EnablePaymentsToAccount: z.boolean().default(false),
  /** Xero's system accounts (accounts receivable, tax, rounding, retained earnings, FX): what the ledger posts to. */
  SystemAccount: z
    .enum([
      'DEBTORS',
      'CREDITORS',
      'BANKCURRENCYGAIN',
      'GST',
      'HISTORICAL',
      'REALISEDCURRENCYGAIN',
      'RETAINEDEARNINGS',
      'ROUNDING',
      'TRACKINGTRANSFERS',
      'UNPAIDEXPCLM',
      'UNREALISEDCURRENCYGAIN',
      'WAGEPAYABLES',
    ])
    .optional(),
});

const trackingOptionSeed = z.object({
  TrackingOptionID: uuid,
  Name: z.string().min(1).max(100),
  Status: z.enum(['ACTIVE', 'ARCHIVED', 'DELETED']).default('ACTIVE'),
});

const trackingCategorySeed = z.object({
  TrackingCategoryID: uuid,
  Name: z.string().min(1).max(100),
  Status: z.enum(['ACTIVE', 'ARCHIVED', 'DELETED']).default('ACTIVE'),
  Options: z.array(trackingOptionSeed),
});

const contactSeed = z.object({
  ContactID: uuid,
  Name: z.string().min(1).max(255),
  ContactNumber: z.string().max(50).optional(),
  AccountNumber: z.string().max(50).optional(),
  TaxNumber: z.string().max(50).optional(),
  EmailAddress: z.string().optional(),
  ContactStatus: z.enum(['ACTIVE', 'ARCHIVED', 'GDPRREQUEST']).default('ACTIVE'),
});

/** An item (GET /Items): its code is what invoice lines name in ItemCode. */
const itemSeed = z.object({
  ItemID: uuid,
  Code: z.string().min(1).max(30),
  Name: z.string().max(50).optional(),
  Description: z.string().max(4000).optional(),
  IsSold: z.boolean().default(true),
  SalesDetails: z
    .object({ UnitPrice: decimalText.optional(), AccountCode: z.string().optional(), TaxType: z.string().optional() })
    .optional(),
});

const organisationSeed = z.object({
  tenantId: uuid,
  name: z.string().min(1),
  legalName: z.string().min(1),
  shortCode: z.string().min(1),
  countryCode: z.string().length(2),
  version: z.string().min(1),
  baseCurrency: z.string().length(3),
  timezone: z.string().min(1),
  currencies: z.array(z.object({ Code: z.string().length(3), Description: z.string() })),
  /** Stand-in for the "XE.com day rate": foreign units per one base unit. */
  dayRates: z.record(z.string(), decimalText).default({}),
  taxRates: z.array(taxRateSeed).min(1),
  accounts: z.array(accountSeed).min(1),
  trackingCategories: z.array(trackingCategorySeed).default([]),
  brandingThemes: z.array(z.object({ BrandingThemeID: uuid, Name: z.string(), SortOrder: z.number().int() })).min(1),
  contacts: z.array(contactSeed).default([]),
  items: z.array(itemSeed).default([]),
  /** Lock dates (YYYY-MM-DD): nothing is posted or changed on or before them (accounting/organisation.ts). */
  periodLockDate: isoDay.optional(),
  endOfYearLockDate: isoDay.optional(),
  financialYearEndMonth: z.number().int().min(1).max(12).default(12),
  financialYearEndDay: z.number().int().min(1).max(31).default(31),
});

export const seedSchema = z.object({
  app: z.object({
    name: z.string().min(1),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    redirectUris: z.array(z.url()).min(1),
    webhookKey: z.string().min(1),
  }),
  users: z.array(z.object({ userId: uuid, email: z.string(), tenantIds: z.array(uuid) })).min(1),
  organisations: z.array(organisationSeed).min(1),
});

export type Seed = z.infer<typeof seedSchema>;
export type SeedInput = z.input<typeof seedSchema>;
export type OrganisationSeed = Seed['organisations'][number];

export const DEFAULT_SEED_PATH = path.join(__dirname, 'seed.json');

/** Reads and validates a seed file (default: the three Ledgerline organisations). */
export function loadSeed(file = DEFAULT_SEED_PATH): Seed {
  return parseSeed(JSON.parse(readFileSync(file, 'utf8')));
}

/** Validates a seed object, failing fast with the zod issues. */
export function parseSeed(value: unknown): Seed {
  const seed = seedSchema.parse(value);
  const tenants = new Set(seed.organisations.map((org) => org.tenantId));
  for (const user of seed.users) {
    for (const tenantId of user.tenantIds) {
      if (!tenants.has(tenantId)) throw new Error(`seed: user ${user.userId} connects unknown tenant ${tenantId}`);
    }
  }
  return seed;
}
