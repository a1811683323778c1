/**
 * Seed data: users (with their profile and the package permission sets assigned to them), org settings and records
 * per object. Records may name
 * themselves with "@ref" and point at others with "@name" values; package names are written without namespace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PROFILES, type ProfileName } from './access';
import type { SalesforceOrg } from './salesforce-org';
import { makeId } from './ids';
import { MULTI_CURRENCY_FIELDS, MULTI_CURRENCY_OBJECTS } from './schema/metadata-loader';
import { formatDateTime } from './field-values';

const seedSchema = z.object({
  users: z
    .array(
      z.object({
        '@ref': z.string().optional(),
        Username: z.string(),
        FirstName: z.string().optional(),
        LastName: z.string(),
        Email: z.string(),
        Alias: z.string().optional(),
        Title: z.string().optional(),
        DefaultCurrencyIsoCode: z.string().optional(),
        profile: z.enum(Object.keys(PROFILES) as [ProfileName, ...ProfileName[]]).default('Standard User'),
        /** names of the project's permission sets (force-app, force-app-unpackaged): custom permissions, object access */
        permissionSets: z.array(z.string()).default([]),
      }),
    )
    .min(1),
  /** the user the emulator's own writes (seed, control API defaults) are attributed to */
  integrationUser: z.string(),
  records: z.array(z.object({ object: z.string(), rows: z.array(z.record(z.string(), z.unknown())) })).default([]),
});

export type Seed = z.input<typeof seedSchema>;

export const DEFAULT_SEED_PATH = join(__dirname, 'seed.json');

export function readSeed(path = DEFAULT_SEED_PATH): Seed {
  return JSON.parse(readFileSync(path, 'utf8')) as Seed;
}

/** Users always (re)load their profile and permission sets; records only go in on a fresh org. */
export function applySeed(org: SalesforceOrg, input: Seed, fresh: boolean): { integrationUserId: string } {
  const seed = seedSchema.parse(input);
  for (const u of seed.users) org.access.assign(u.Username, u.profile, u.permissionSets);
  if (fresh) {
    const refs = new Map<string, string>();
    const userDef = org.object('User');
    // users are written directly: they must exist before anything can be attributed to them
    seed.users.forEach((u) => {
      const id = makeId(userDef.keyPrefix, org.store.nextSequence(userDef.keyPrefix));
      const now = formatDateTime(org.clock.now());
      const { '@ref': ref, profile: _profile, permissionSets: _sets, ...fields } = u;
      org.store.put('User', {
        Id: id,
        ...fields,
        Name: [u.FirstName, u.LastName].filter(Boolean).join(' '),
        IsActive: true,
        ...(org.schema.multiCurrency ? { DefaultCurrencyIsoCode: u.DefaultCurrencyIsoCode ?? 'GBP' } : {}),
        TimeZoneSidKey: 'Europe/London',
        IsDeleted: false,
        CreatedDate: now,
        CreatedById: id,
        LastModifiedDate: now,
        LastModifiedById: id,
        SystemModstamp: now,
      });
      if (ref) refs.set(ref, id);
    });
    org.store.commit();
    const integration = org.resolveUser(seed.integrationUser);
    const ctx = { userId: integration.Id };
    // every org has a standard price book; it cannot be created over the API (IsStandard is read-only)
    const pbDef = org.object('Pricebook2');
    const pbId = makeId(pbDef.keyPrefix, org.store.nextSequence(pbDef.keyPrefix));
    const now = formatDateTime(org.clock.now());
    org.store.put('Pricebook2', {
      Id: pbId,
      Name: 'Standard Price Book',
      IsActive: true,
      IsStandard: true,
      IsDeleted: false,
      ...(org.schema.multiCurrency ? { CurrencyIsoCode: 'GBP' } : {}),
      CreatedDate: now,
      CreatedById: integration.Id,
      LastModifiedDate: now,
      LastModifiedById: integration.Id,
      SystemModstamp: now,
    });
    refs.set('standardPricebook', pbId);
    const left = new Set<string>();
    org.transaction(() => {
      for (const group of seed.records) {
        // a single-currency org has no CurrencyType and no record currencies: the seed's are dropped
        if (!org.schema.multiCurrency && MULTI_CURRENCY_OBJECTS.includes(group.object.toLowerCase())) continue;
        const objectName = org.n(group.object);
        for (const row of group.rows) {
          const ref = typeof row['@ref'] === 'string' ? row['@ref'] : undefined;
          if (!org.schema.multiCurrency && !inCorporateCurrency(row, left)) {
            // A single-currency org holds the seed's GBP records; the others, and what depends on them, are left out.
            if (ref) left.add(ref);
            continue;
          }
          const body: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(row)) {
            if (k === '@ref') continue;
            if (!org.schema.multiCurrency && MULTI_CURRENCY_FIELDS.includes(k.toLowerCase())) continue;
            body[org.n(k)] = resolveRef(v, refs, org);
          }
          const id = org.insert(objectName, body, ctx);
          if (ref) refs.set(ref, id);
        }
      }
    });
  }
  return { integrationUserId: org.resolveUser(seed.integrationUser).Id };
}

/** The seed's corporate currency: a single-currency org keeps the records in it and what refers only to them. */
const SEED_CORPORATE_CURRENCY = 'GBP';

function inCorporateCurrency(row: Record<string, unknown>, left: ReadonlySet<string>): boolean {
  if (row.CurrencyIsoCode !== undefined && row.CurrencyIsoCode !== SEED_CORPORATE_CURRENCY) return false;
  return !Object.values(row).some((v) => typeof v === 'string' && v.startsWith('@') && left.has(v.slice(1)));
}

function resolveRef(value: unknown, refs: Map<string, string>, org: SalesforceOrg): unknown {
  if (typeof value !== 'string' || !value.startsWith('@')) return value;
  if (value === '@org') return org.orgId;
  const id = refs.get(value.slice(1));
  if (!id) throw new Error(`seed: unknown reference ${value}`);
  return id;
}
