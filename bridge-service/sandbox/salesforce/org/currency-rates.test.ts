import type { Connection } from 'jsforce';
import type { SalesforceEmulator } from '../server';
import { ADMIN, connect, startTestEmulator } from '../test-helpers';

type Rec = Record<string, unknown> & { Id: string };

// What the KPI refresh reads (domain fx-rates.ts, kpi-forecast.ts) and writes (kpi-records.ts), as the org keeps it.
describe('currency rates, pipeline and the KPI objects in the emulator', () => {
  let em: SalesforceEmulator;
  let api: Connection;

  beforeEach(async () => {
    em = await startTestEmulator();
    // the org's behaviour, not the bridge's grants, is under test: an administrator sees and writes every field
    api = connect(em, ADMIN);
  });
  afterEach(() => em.close());

  it('derives NextStartDate of dated rates, the latest open-ended, and refuses what the platform refuses', async () => {
    await api.sobject('DatedConversionRate').create({ IsoCode: 'USD', ConversionRate: 1.3, StartDate: '2026-02-15' });
    const rows = (
      await api.query<Rec>(
        "SELECT IsoCode, ConversionRate, StartDate, NextStartDate FROM DatedConversionRate WHERE IsoCode = 'USD' ORDER BY StartDate",
      )
    ).records;
    expect(rows.map((r) => [r.StartDate, r.NextStartDate, r.ConversionRate])).toEqual([
      ['2026-01-01', '2026-02-15', 1.265],
      ['2026-02-15', '9999-12-31', 1.3],
    ]);
    const refused = async (values: Record<string, unknown>) =>
      api
        .sobject('DatedConversionRate')
        .create(values)
        .then(
          (r) => (r as { success: boolean }).success,
          (e: { errorCode?: string }) => e.errorCode,
        );
    expect(await refused({ IsoCode: 'GBP', ConversionRate: 1, StartDate: '2026-03-01' })).toBe(
      'FIELD_INTEGRITY_EXCEPTION',
    );
    expect(await refused({ IsoCode: 'USD', ConversionRate: 0, StartDate: '2026-03-01' })).toBe(
      'FIELD_INTEGRITY_EXCEPTION',
    );
    expect(await refused({ IsoCode: 'USD', ConversionRate: 1.31, StartDate: '2026-02-15' })).toBe('DUPLICATE_VALUE');
  });

  it("reads the org's currency rates and the corporate currency", async () => {
    const rows = (
      await api.query<Rec>('SELECT IsoCode, ConversionRate, IsCorporate, IsActive FROM CurrencyType ORDER BY IsoCode')
    ).records;
    expect(rows.map((r) => [r.IsoCode, r.ConversionRate, r.IsCorporate])).toEqual([
      ['EUR', 1.17, false],
      ['GBP', 1, true],
      ['USD', 1.27, false],
    ]);
  });

  it("keeps an open opportunity's Probability (from its stage, or as the rep sets it) and its ExpectedRevenue", async () => {
    const [opp] = (await api.query<Rec>('SELECT Id FROM Opportunity WHERE IsClosed = false LIMIT 1')).records;
    await api.sobject('Opportunity').update({ Id: opp!.Id, StageName: 'Proposal/Price Quote', Amount: 999.99 });
    const read = async () =>
      (await api.query<Rec>(`SELECT Probability, ExpectedRevenue FROM Opportunity WHERE Id = '${opp!.Id}'`)).records[0];
    expect(await read()).toMatchObject({ Probability: 75, ExpectedRevenue: 749.99 });
    await api.sobject('Opportunity').update({ Id: opp!.Id, Probability: 33 });
    expect(await read()).toMatchObject({ Probability: 33, ExpectedRevenue: 330 }); // 329.9967
    const refused = await api
      .sobject('Opportunity')
      .update({ Id: opp!.Id, ExpectedRevenue: 1 })
      .then(
        () => 'saved',
        (e: { errorCode?: string }) => e.errorCode,
      );
    expect(refused).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
  });

  it('upserts a snapshot and its forecast months by their keys and reads them back; finance keeps rates', async () => {
    await api.sobject('KPI_Snapshot__c').upsert(
      {
        Snapshot_Key__c: 'GROUP:2026-03',
        Name: 'Group · Mar 2026',
        Scope__c: 'Group',
        Month__c: '2026-03-01',
        Reporting_Currency__c: 'GBP',
        MRR__c: 5300,
        Missing_Rates__c: null,
      },
      'Snapshot_Key__c',
    );
    const [snapshot] = (
      await api.query<Rec>("SELECT Id, Status__c FROM KPI_Snapshot__c WHERE Snapshot_Key__c = 'GROUP:2026-03'")
    ).records;
    expect(snapshot).toMatchObject({ Status__c: 'Open' });
    await api.sobject('KPI_Forecast__c').upsert(
      {
        Forecast_Key__c: 'GROUP:2026-03:2026-04',
        KPI_Snapshot__c: snapshot!.Id,
        Forecast_Month__c: '2026-04-01',
        Future_Billings__c: 11492.31,
      },
      'Forecast_Key__c',
    );
    const read = (
      await api.query<Rec>(
        `SELECT MRR__c, (SELECT Forecast_Month__c, Future_Billings__c FROM Forecasts__r) FROM KPI_Snapshot__c WHERE Id = '${snapshot!.Id}'`,
      )
    ).records[0]!;
    expect(read.MRR__c).toBe(5300);
    expect((read.Forecasts__r as { records: Rec[] }).records).toMatchObject([{ Future_Billings__c: 11492.31 }]);
    await api
      .sobject('Exchange_Rate__c')
      .create({ Currency_Code__c: 'CHF', Start_Date__c: '2026-03-01', Rate__c: 1.12 });
    const [rate] = (await api.query<Rec>('SELECT Name, Currency_Code__c, Rate__c FROM Exchange_Rate__c')).records;
    expect(rate).toMatchObject({ Name: expect.stringMatching(/^FX-\d{6}$/), Currency_Code__c: 'CHF', Rate__c: 1.12 });
  });
});
