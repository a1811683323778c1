import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  ACCOUNTS,
  APEX,
  apexMappings,
  cockpitFixtures,
  cockpitForecast,
  FIXTURES,
} from './__fixtures__/cockpit-fixtures';
import { expectFitsMetadata, fieldsOf } from './__fixtures__/force-app-metadata';
import { records } from './__fixtures__/kpi-records';
import { GROUP } from './kpi-mrr';
import { forecastRecords, mayWriteSnapshot, renewalRecords, snapshotKey, snapshotRecord } from './kpi-records';
import { kpiSnapshot } from './kpi-snapshot';

const withForecast = { ...records, forecast: cockpitForecast };

describe('KPI records', () => {
  it('a snapshot is keyed by scope and month and holds the figures in the reporting currency', () => {
    const record = snapshotRecord(kpiSnapshot(records, '2026-02', GROUP), '2026-03-15T06:00:00.000Z');
    expect(record).toMatchObject({
      Name: 'Group · Feb 2026',
      Snapshot_Key__c: 'GROUP:2026-02',
      Scope__c: 'Group',
      Billing_Entity__c: null,
      Month__c: '2026-02-01',
      As_Of__c: '2026-02-28',
      Status__c: 'Open',
      Reporting_Currency__c: 'GBP',
      Opening_MRR__c: 4640,
      FX_MRR__c: -30.77,
      MRR__c: 5300,
      AR_Total__c: 4592.31,
      DSO_Days__c: 35.4,
      Unrealised_FX__c: -20.52,
      Realised_FX__c: -10.25,
      Rate_Source__c: 'Dated',
      Rate_Date__c: '2026-02-15',
      Missing_Rates__c: null,
    });
    const rates = JSON.parse(String(record.Rates__c)) as { currency: string; closing: { rate: string } }[];
    expect(rates.map((r) => [r.currency, r.closing.rate])).toEqual([
      ['GBP', '1.000000'],
      ['USD', '0.769231'],
    ]);
    expect(snapshotKey('UK_Ltd', '2026-03')).toBe('UK_Ltd:2026-03');
  });

  it("every field written is one of the objects' fields, every picklist value one of its values", () => {
    for (const scope of [GROUP, 'UK_Ltd']) {
      const snapshot = kpiSnapshot(withForecast, '2026-03', scope);
      expectFitsMetadata('KPI_Snapshot__c', snapshotRecord(snapshot, '2026-03-15T06:00:00.000Z'));
      for (const row of forecastRecords(snapshot)) expectFitsMetadata('KPI_Forecast__c', row);
      for (const row of renewalRecords(snapshot, ACCOUNTS)) expectFitsMetadata('KPI_Renewal__c', row);
    }
    const missing = snapshotRecord(
      kpiSnapshot({ ...records, book: { ...records.book, dated: [] } }, '2026-03', GROUP),
      '2026-03-15T06:00:00.000Z',
    );
    expect([missing.Missing_Rates__c, missing.MRR__c, missing.AR_Total__c]).toEqual(['USD', null, null]);
  });

  it('forecast rows hang off their snapshot; the cash forecast is receivables + billings', () => {
    const rows = forecastRecords(kpiSnapshot(withForecast, '2026-03', GROUP));
    expect(rows[0]).toMatchObject({
      Forecast_Key__c: 'GROUP:2026-03:2026-03',
      Forecast_Month__c: '2026-03-01',
      Cash_From_Receivables__c: 2992.31,
      Cash_From_Billings__c: 0,
      Cash_Forecast__c: 2992.31,
    });
    expect(rows.map((r) => r.Forecast_Month__c)).toHaveLength(12); // March 2026 to February 2027, empty months too
  });

  it('a renewal is one record per contract, named for the customer and the day it renews', () => {
    const [first] = renewalRecords(kpiSnapshot(withForecast, '2026-03', GROUP), ACCOUNTS);
    expect(first).toMatchObject({
      Name: 'Acme Holdings Ltd · renews 1 Apr 2026',
      Renewal_Key__c: '006000000000009AAA',
      Renewal_Value__c: 12600,
      Uplift_Percent__c: 5,
      Status__c: 'Due',
    });
  });

  it('never writes a closed month again', () => {
    expect(mayWriteSnapshot(undefined)).toBe(true);
    expect(mayWriteSnapshot({ Status__c: 'Open' })).toBe(true);
    expect(mayWriteSnapshot({ Status__c: 'Closed' })).toBe(false);
  });

  it('the cockpit fixtures are what the domain computes, mapped as FinanceCockpitController maps them', () => {
    const mappings = apexMappings();
    expect(mappings.m.length).toBeGreaterThan(30);
    expect(mappings.f.map((m) => m.property)).toEqual([
      'month',
      'futureBillings',
      'weightedPipeline',
      'renewals',
      'cash',
    ]);
    for (const [file, expected] of Object.entries(cockpitFixtures())) {
      const actual = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as unknown;
      expect([file, actual]).toEqual([file, expected]);
    }
  });

  it('every field FinanceCockpitController maps is one the selector reads and the object has', () => {
    const selector = readFileSync(APEX.replace('FinanceCockpitController', 'KpiSnapshotsSelector'), 'utf8');
    const objects: Record<'m' | 'f' | 'r', string> = {
      m: 'KPI_Snapshot__c',
      f: 'KPI_Forecast__c',
      r: 'KPI_Renewal__c',
    };
    for (const [target, list] of Object.entries(apexMappings()) as [
      'm' | 'f' | 'r',
      { field: string; child?: string }[],
    ][]) {
      const fields = fieldsOf(objects[target]);
      for (const { field, child } of list) {
        if (field === 'Id') continue;
        const name = child ? field.replace(/__r$/, '__c') : field; // Account__r.Name: the lookup Account__c
        const read = child ? `${field}.${child}` : field;
        expect([target, name, fields.has(name), selector.includes(read)]).toEqual([target, name, true, true]);
      }
    }
  });
});
