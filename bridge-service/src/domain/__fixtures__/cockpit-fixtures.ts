/**
 * The finance cockpit's Jest and preview fixtures (force-app/.../lwc/financeCockpit/__tests__/data) are what the domain
 * computes for the KPI worked case, written as KPI_Snapshot__c / KPI_Forecast__c / KPI_Renewal__c records
 * (kpi-records.ts) and mapped to FinanceCockpitController's answer the way its Apex maps them (read from the .cls).
 * kpi-records.test.ts fails when a fixture differs; `npx tsx bridge-service/src/domain/__fixtures__/cockpit-fixtures.ts`
 * writes them again.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import Big from 'big.js';

import { money } from '../money';
import { forecast } from '../kpi-forecast';
import { GROUP } from '../kpi-mrr';
import { forecastRecords, renewalRecords, snapshotRecord, type SnapshotRecord } from '../kpi-records';
import { kpiSnapshot, type KpiRecords } from '../kpi-snapshot';
import { CASES, records } from './kpi-records';
import { credits, invoices } from './kpi-documents';

const ROOT = path.join(__dirname, '..', '..', '..', '..');
export const APEX = path.join(ROOT, 'force-app', 'main', 'default', 'classes', 'FinanceCockpitController.cls');
export const FIXTURES = path.join(ROOT, 'force-app', 'main', 'default', 'lwc', 'financeCockpit', '__tests__', 'data');
const REFRESHED_AT = '2026-03-15T06:00:00.000Z';
const MONTHS = ['2025-12', '2026-01', '2026-02', '2026-03'];

export const ACCOUNTS = new Map([
  ['001000000000001AAA', 'Acme Holdings Ltd'],
  ['001000000000003AAA', 'Initech Inc'],
  ['001000000000005AAA', 'Globex GmbH'],
]);

const contract = (startDate: string, endDate: string, quantity: string, unitPrice: string) => ({
  startDate,
  endDate,
  lines: [{ productKey: 'SEAT', description: 'Seats', quantity, unitPrice }],
});

/** The open month's forecast for the cockpit: plans in both entities, pipeline, three renewals. */
export const cockpitForecast = forecast({
  asOf: '2026-03-15',
  plans: [
    {
      dealId: '006000000000001AAA',
      customerId: '001000000000001AAA',
      entity: 'UK_Ltd',
      currency: 'GBP',
      paymentTermsDays: 30,
      taxRatePercent: '20',
      instalments: ['2026-04-01', '2026-07-01', '2026-10-01', '2027-01-01'].map((issueDate) => ({
        issueDate,
        amount: money('10800.00'),
      })),
    },
    {
      dealId: '006000000000003AAA',
      customerId: '001000000000003AAA',
      entity: 'US_Inc',
      currency: 'USD',
      paymentTermsDays: 30,
      taxRatePercent: '0',
      instalments: ['2026-04-01', '2026-05-01', '2026-06-01', '2026-07-01', '2026-08-01', '2026-09-01'].map(
        (issueDate) => ({ issueDate, amount: money('900.00') }),
      ),
    },
  ],
  opportunities: [
    {
      opportunityId: '006000000000007AAA',
      customerId: '001000000000005AAA',
      entity: 'UK_Ltd',
      currency: 'GBP',
      amount: '24000.00',
      probability: '60',
      closeDate: '2026-05-29',
      terms: { frequency: 'quarterly', timing: 'advance', alignment: 'anniversary' },
    },
  ],
  renewals: [
    {
      contractKey: '006000000000009AAA',
      opportunityId: '006000000000009AAA',
      customerId: '001000000000001AAA',
      entity: 'UK_Ltd',
      currency: 'GBP',
      contract: contract('2025-04-01', '2026-03-31', '10', '1200.00'),
      uplift: { percent: '5' },
      renewed: false,
    },
    {
      contractKey: '006000000000011AAA',
      opportunityId: '006000000000011AAA',
      customerId: '001000000000003AAA',
      entity: 'US_Inc',
      currency: 'USD',
      contract: contract('2025-05-15', '2026-05-14', '12', '400.00'),
      uplift: {
        percent: '3',
        index: { name: 'CPI', percent: '3.2', publishedOn: '2026-01-15' },
        indexMarginPercent: '1',
      },
      renewed: false,
    },
    {
      contractKey: '006000000000013AAA',
      opportunityId: '006000000000013AAA',
      customerId: '001000000000005AAA',
      entity: 'UK_Ltd',
      currency: 'GBP',
      contract: contract('2025-09-01', '2026-08-31', '20', '600.00'),
      renewed: false,
    },
  ],
  invoices,
  credits,
  daysLate: new Map([['A', 11]]),
});

interface Mapping {
  property: string;
  field: string;
  child?: string;
}

/** `m.mrr = s.MRR__c;` lines of the Apex, by the variable they fill (m: months, f: forecast, r: renewals). */
export function apexMappings(source = readFileSync(APEX, 'utf8')): Record<'m' | 'f' | 'r', Mapping[]> {
  const found: Record<'m' | 'f' | 'r', Mapping[]> = { m: [], f: [], r: [] };
  for (const [, target, property, field, child] of source.matchAll(
    /^\s+([mfr])\.(\w+) = \w+\.(\w+)(?:\?\.(\w+))?;$/gm,
  )) {
    found[target as 'm' | 'f' | 'r'].push({ property: property!, field: field!, ...(child ? { child } : {}) });
  }
  return found;
}

const pick = (record: SnapshotRecord, mappings: readonly Mapping[], extra: Record<string, unknown> = {}) =>
  Object.fromEntries(
    mappings.map(({ property, field, child }) => [
      property,
      child ? (extra[`${field}.${child}`] ?? null) : (record[field] ?? extra[field] ?? null),
    ]),
  );

interface ExposureJson {
  entity: string;
  baseCurrency: string;
  currency: string;
  openInvoices: number;
  openForeign: string;
  openAtInvoiceRate: string;
  openAtTodayRate: string | null;
  unrealised: string | null;
  realised: string;
  todayRate: { rate: string; rateDate: string; sources: string[] } | null;
}

/** A sum of two-place strings, null when one is null: FinanceCockpitController.total. */
const total = (amounts: (string | null)[]) =>
  amounts.some((a) => a === null) ? null : amounts.reduce((t, a) => t.plus(a as string), new Big(0)).toFixed(2);

/** Details__c's exposure grouped by entity with its totals, as FinanceCockpitController.exposure does. */
export function exposureOf(details: string) {
  const entities: {
    entity: string;
    baseCurrency: string;
    currencies: object[];
    rows: ExposureJson[];
  }[] = [];
  for (const row of (JSON.parse(details) as { exposure: ExposureJson[] }).exposure) {
    let entity = entities.find((e) => e.entity === row.entity);
    if (!entity) {
      entity = { entity: row.entity, baseCurrency: row.baseCurrency, currencies: [], rows: [] };
      entities.push(entity);
    }
    entity.rows.push(row);
    entity.currencies.push({
      currencyCode: row.currency,
      openInvoices: row.openInvoices,
      openForeign: row.openForeign,
      openAtInvoiceRate: row.openAtInvoiceRate,
      openAtClosingRate: row.openAtTodayRate,
      unrealised: row.unrealised,
      realised: row.realised,
      rate: row.todayRate?.rate ?? null,
      rateDate: row.todayRate?.rateDate ?? null,
      rateSources: row.todayRate?.sources ?? null,
    });
  }
  return entities.map(({ rows, ...entity }) => ({
    ...entity,
    openInvoices: rows.reduce((n, r) => n + r.openInvoices, 0),
    openAtInvoiceRate: total(rows.map((r) => r.openAtInvoiceRate)),
    openAtClosingRate: total(rows.map((r) => r.openAtTodayRate)),
    unrealised: total(rows.map((r) => r.unrealised)),
    realised: total(rows.map((r) => r.realised)),
  }));
}

/** FinanceCockpitController.getCockpit's answer for a scope, from the worked case's records. */
export function cockpitResponse(scope: string, input: KpiRecords = records): object {
  const mappings = apexMappings();
  const withForecast: KpiRecords = { ...input, forecast: cockpitForecast };
  const snapshots = MONTHS.map((month) => kpiSnapshot(month === '2026-03' ? withForecast : input, month, scope));
  const latest = snapshots.at(-1)!;
  const renewals = renewalRecords(latest, ACCOUNTS)
    .filter((r) => String(r.Renewal_Date__c) <= '2026-06-13')
    .map((r, i) =>
      pick(r, mappings.r, {
        Id: `a0R00000000000${i + 1}AAA`,
        'Account__r.Name': ACCOUNTS.get(String(r.Account__c)),
      }),
    );
  return {
    scope,
    scopes: [
      { value: GROUP, label: 'Group (all entities)' },
      { value: 'UK_Ltd', label: 'UK Ltd' },
      { value: 'US_Inc', label: 'US Inc' },
    ],
    // Finance has closed every month before the open one (the close sets Status__c; the bridge writes Open).
    months: snapshots.map((s, i) => {
      const record = snapshotRecord(s, REFRESHED_AT);
      return {
        ...pick({ ...record, ...(i < snapshots.length - 1 ? { Status__c: 'Closed' } : {}) }, mappings.m),
        exposure: exposureOf(String(record.Details__c)),
      };
    }),
    forecast: forecastRecords(latest).map((f) => pick(f, mappings.f)),
    renewals,
  };
}

/** The fixture files and what each must hold. */
export function cockpitFixtures(): Record<string, object> {
  const noUsd = { ...records, book: { ...CASES.book, dated: CASES.book.dated.filter((r) => r.currency !== 'USD') } };
  return {
    'FinanceCockpitController.getCockpit.group.json': cockpitResponse(GROUP),
    'FinanceCockpitController.getCockpit.entity.json': cockpitResponse('UK_Ltd'),
    'FinanceCockpitController.getCockpit.missingRates.json': cockpitResponse(GROUP, noUsd),
  };
}

if (require.main === module) {
  for (const [file, content] of Object.entries(cockpitFixtures())) {
    writeFileSync(path.join(FIXTURES, file), `${JSON.stringify(content, null, 2)}\n`);
    process.stdout.write(`wrote ${file} (run prettier --write on it)\n`);
  }
}
