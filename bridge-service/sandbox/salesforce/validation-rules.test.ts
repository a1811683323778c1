/**
 * The package's validation rules, loaded from force-app and enforced on every save, answered as Salesforce answers
 * them (FIELD_CUSTOM_VALIDATION_EXCEPTION, the rule's message, its errorDisplayField) to the real jsforce client.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'jsforce';
import { loadSchema } from './schema/metadata-loader';
import type { SalesforceEmulator } from './server';
import { ADMIN, connect, FINANCE, startTestEmulator } from './test-helpers';

const RULE = 'FIELD_CUSTOM_VALIDATION_EXCEPTION';
type Refusal = { errorCode?: string; message?: string; data?: { fields?: string[] } };

/** What a single-record save was refused with (jsforce throws the REST error). */
async function refusal(save: Promise<unknown>): Promise<{ errorCode?: string; message?: string; fields?: string[] }> {
  const err = (await save.then(
    () => undefined,
    (e: unknown) => e,
  )) as Refusal | undefined;
  if (!err) throw new Error('the save was accepted');
  return { errorCode: err.errorCode, message: err.message, fields: err.data?.fields };
}

const created = async (conn: Connection, type: string, record: Record<string, unknown>): Promise<string> =>
  ((await conn.sobject(type).create(record)) as { id: string }).id;

describe("the package's validation rules (emulator, jsforce)", () => {
  let em: SalesforceEmulator;
  let conn: Connection;
  /** finance keeps the rate table (the bridge only reads it); an administrator writes it here */
  let finance: Connection;

  beforeAll(async () => {
    em = await startTestEmulator();
    conn = connect(em);
    finance = connect(em, ADMIN);
  });
  afterAll(() => em.close());

  describe('Exchange_Rate__c.Complete_Rate', () => {
    const rate = { Currency_Code__c: 'USD', Start_Date__c: '2026-01-01', Rate__c: 1.27 };
    const message = 'Give a three-letter currency code in capitals, a start date and a rate above zero.';

    it('refuses an incomplete rate on its errorDisplayField, and saves a complete one', async () => {
      for (const bad of [
        { ...rate, Currency_Code__c: 'usd' },
        { ...rate, Currency_Code__c: 'US' },
        { ...rate, Currency_Code__c: 'U5D' },
        { ...rate, Currency_Code__c: null },
        { ...rate, Start_Date__c: null },
        { ...rate, Rate__c: null },
        { ...rate, Rate__c: 0 },
      ]) {
        expect(await refusal(finance.sobject('Exchange_Rate__c').create(bad))).toEqual({
          errorCode: RULE,
          message,
          fields: ['Rate__c'],
        });
      }
      const id = await created(finance, 'Exchange_Rate__c', rate);
      expect(await refusal(finance.sobject('Exchange_Rate__c').update({ Id: id, Rate__c: -1 }))).toMatchObject({
        errorCode: RULE,
      });
      await finance.sobject('Exchange_Rate__c').update({ Id: id, Rate__c: 1.28 });
      expect((await finance.sobject('Exchange_Rate__c').retrieve(id)).Rate__c).toBe(1.28);
    });

    it('fails only the refused record of an sObject Collection with allOrNone false, and all with allOrNone', async () => {
      const results = (await finance.sobject('Exchange_Rate__c').create(
        [
          { ...rate, Currency_Code__c: 'EU' },
          { ...rate, Currency_Code__c: 'EUR' },
        ],
        {
          allOrNone: false,
        },
      )) as { success: boolean; errors: unknown[] }[];
      expect(results.map((r) => r.success)).toEqual([false, true]);
      expect(results[0]!.errors).toEqual([{ statusCode: RULE, message, fields: ['Rate__c'] }]);
      const all = (await finance
        .sobject('Exchange_Rate__c')
        .create(
          [
            { ...rate, Currency_Code__c: 'CHF' },
            { ...rate, Currency_Code__c: 'ch' },
          ],
          {
            allOrNone: true,
          },
        )
        .catch((e: unknown) => e)) as unknown;
      const codes = JSON.stringify(all);
      expect(codes).toContain(RULE);
      expect(codes).toContain('ALL_OR_NONE_OPERATION_ROLLED_BACK');
      const chf = await finance.query(`SELECT Id FROM Exchange_Rate__c WHERE Currency_Code__c = 'CHF'`);
      expect(chf.totalSize).toBe(0);
    });

    it('refuses a Composite subrequest the same way', async () => {
      const res = (await finance.requestPost(`/services/data/v${finance.version}/composite`, {
        allOrNone: false,
        compositeRequest: [
          {
            method: 'POST',
            url: `/services/data/v${finance.version}/sobjects/Exchange_Rate__c`,
            referenceId: 'bad',
            body: { ...rate, Rate__c: 0 },
          },
        ],
      })) as { compositeResponse: { httpStatusCode: number; body: unknown }[] };
      expect(res.compositeResponse[0]).toMatchObject({
        httpStatusCode: 400,
        body: [{ errorCode: RULE, message, fields: ['Rate__c'] }],
      });
    });
  });

  describe('KPI_Snapshot__c and KPI_Forecast__c: a Closed month is frozen', () => {
    it('closes an open snapshot, then refuses any change to it and to its forecast (a parent field)', async () => {
      const snapshot = await created(conn, 'KPI_Snapshot__c', {
        Name: 'Group 2026-01',
        Snapshot_Key__c: 'GROUP:2026-01',
        Status__c: 'Open',
      });
      const forecast = await created(conn, 'KPI_Forecast__c', {
        KPI_Snapshot__c: snapshot,
        Forecast_Key__c: 'GROUP:2026-01:2026-02',
        Future_Billings__c: 100,
      });
      await conn.sobject('KPI_Snapshot__c').update({ Id: snapshot, MRR__c: 10, Status__c: 'Closed' });
      expect(await refusal(conn.sobject('KPI_Snapshot__c').update({ Id: snapshot, MRR__c: 11 }))).toEqual({
        errorCode: RULE,
        message: 'This month is closed: its KPI snapshot is frozen.',
        fields: [],
      });
      expect(await refusal(conn.sobject('KPI_Snapshot__c').update({ Id: snapshot, Status__c: 'Open' }))).toMatchObject({
        errorCode: RULE,
      });
      expect(await refusal(conn.sobject('KPI_Forecast__c').update({ Id: forecast, Future_Billings__c: 200 }))).toEqual({
        errorCode: RULE,
        message: 'This month is closed: its forecast is frozen.',
        fields: [],
      });
      const kept = await conn.sobject('KPI_Forecast__c').retrieve(forecast);
      expect(kept.Future_Billings__c).toBe(100);
      // a snapshot written Closed in one go (the bridge's last write of a posted month) is new, so it is accepted
      await created(conn, 'KPI_Snapshot__c', {
        Name: 'UK 2026-01',
        Snapshot_Key__c: 'UK_Ltd:2026-01',
        Status__c: 'Closed',
      });
    });
  });

  describe('Revenue_Month__c.Closed_Month_Is_Frozen', () => {
    it('lets a month be closed, then refuses any change to it; months not Closed stay writable', async () => {
      const plan = await created(conn, 'Billing_Plan__c', { Plan_Key__c: '006000000000001AAA' });
      const month = (key: string, status: string) =>
        created(conn, 'Revenue_Month__c', {
          Billing_Plan__c: plan,
          Month_Key__c: key,
          Status__c: status,
          Recognised__c: 100,
        });
      const january = await month('C1:2026-01', 'Actual');
      const february = await month('C1:2026-02', 'Forecast');
      // what posting a close writes: the month's rows set Closed
      await conn.sobject('Revenue_Month__c').update({ Id: january, Status__c: 'Closed' });
      expect(
        await refusal(
          conn.sobject('Revenue_Month__c').update({ Id: january, Recognised__c: 120, Status__c: 'Actual' }),
        ),
      ).toEqual({ errorCode: RULE, message: 'This month is closed: its revenue schedule is frozen.', fields: [] });
      // finance cannot edit it by hand either
      expect(
        await refusal(connect(em, FINANCE).sobject('Revenue_Month__c').update({ Id: january, Recognised__c: 120 })),
      ).toMatchObject({ errorCode: RULE });
      const results = (await conn.sobject('Revenue_Month__c').update(
        [
          { Id: january, Recognised__c: 130 },
          { Id: february, Recognised__c: 130, Status__c: 'Actual' },
        ],
        { allOrNone: false },
      )) as { success: boolean }[];
      expect(results.map((r) => r.success)).toEqual([false, true]);
      const rows = await conn.query<{ Month_Key__c: string; Status__c: string; Recognised__c: number }>(
        `SELECT Month_Key__c, Status__c, Recognised__c FROM Revenue_Month__c WHERE Billing_Plan__c = '${plan}' ORDER BY Month_Key__c`,
      );
      expect(rows.records.map((r) => [r.Month_Key__c, r.Status__c, r.Recognised__c])).toEqual([
        ['C1:2026-01', 'Closed', 100],
        ['C1:2026-02', 'Actual', 130],
      ]);
    });
  });
});

describe('validation rules in a namespaced org', () => {
  it("names the errorDisplayField as the org does, with the package's prefix", async () => {
    const em = await startTestEmulator({ namespace: 'ldgr' });
    try {
      const refused = await refusal(
        connect(em, ADMIN)
          .sobject('ldgr__Exchange_Rate__c')
          .create({ ldgr__Currency_Code__c: 'usd', ldgr__Start_Date__c: '2026-01-01', ldgr__Rate__c: 1 }),
      );
      expect(refused).toMatchObject({ errorCode: RULE, fields: ['ldgr__Rate__c'] });
    } finally {
      await em.close();
    }
  });
});

describe('the switch', () => {
  it('enforceValidationRules: false accepts what the rules refuse', async () => {
    const em = await startTestEmulator({ enforceValidationRules: false });
    try {
      const id = await created(connect(em, ADMIN), 'Exchange_Rate__c', { Currency_Code__c: 'usd' });
      expect(id).toMatch(/^a/);
    } finally {
      await em.close();
    }
  });
});

describe('loading validation rules from force-app', () => {
  let dir: string;
  const rule = (name: string, formula: string, extra = '', active = true) =>
    writeFileSync(
      join(dir, 'main', 'default', 'objects', 'Widget__c', 'validationRules', `${name}.validationRule-meta.xml`),
      `<?xml version="1.0" encoding="UTF-8"?>
<ValidationRule xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>${name}</fullName>
    <active>${active}</active>
    <errorConditionFormula>${formula}</errorConditionFormula>${extra}
    <errorMessage>No.</errorMessage>
</ValidationRule>`,
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vr-'));
    const obj = join(dir, 'main', 'default', 'objects', 'Widget__c');
    mkdirSync(join(obj, 'fields'), { recursive: true });
    mkdirSync(join(obj, 'validationRules'));
    writeFileSync(
      join(obj, 'Widget__c.object-meta.xml'),
      '<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata"><label>Widget</label></CustomObject>',
    );
    writeFileSync(
      join(obj, 'fields', 'Size__c.field-meta.xml'),
      '<CustomField xmlns="http://soap.sforce.com/2006/04/metadata"><fullName>Size__c</fullName><type>Number</type><precision>18</precision><scale>0</scale></CustomField>',
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the active rules only, namespaced', () => {
    rule('Positive', 'Size__c &lt;= 0', '\n    <errorDisplayField>Size__c</errorDisplayField>');
    rule('Retired', 'VLOOKUP(Size__c)', '', false);
    const widget = loadSchema({ forceAppDir: dir, namespace: 'ldgr' }).objects.get('ldgr__widget__c')!;
    expect(widget.validationRules!.map((r) => [r.name, r.formula, r.errorDisplayField])).toEqual([
      ['Positive', 'Size__c <= 0', 'ldgr__Size__c'],
    ]);
  });

  it('fails loudly, naming the object, the rule and what it cannot do', () => {
    rule('Lookup_Rate', 'AND(ISNEW(), VLOOKUP(Size__c, Size__c, Size__c) &gt; 0)');
    expect(() => loadSchema({ forceAppDir: dir })).toThrow(
      'Validation rule Widget__c.Lookup_Rate cannot be enforced by the emulator: formula: unsupported function VLOOKUP',
    );
  });

  it('fails loudly on a formula field it cannot compute, too', () => {
    writeFileSync(
      join(dir, 'main', 'default', 'objects', 'Widget__c', 'fields', 'Rated__c.field-meta.xml'),
      '<CustomField xmlns="http://soap.sforce.com/2006/04/metadata"><fullName>Rated__c</fullName><type>Number</type><formula>VLOOKUP(Size__c, Size__c, Size__c)</formula></CustomField>',
    );
    expect(() => loadSchema({ forceAppDir: dir })).toThrow(
      'Formula field Widget__c.Rated__c cannot be computed by the emulator: formula: unsupported function VLOOKUP',
    );
  });

  it('fails loudly on a field the object does not have, or an unreadable formula', () => {
    rule('Misspelt', 'Sise__c &gt; 10');
    expect(() => loadSchema({ forceAppDir: dir })).toThrow(
      'Validation rule Widget__c.Misspelt cannot be enforced by the emulator: its formula reads Sise__c, which Widget__c does not have',
    );
    rmSync(join(dir, 'main', 'default', 'objects', 'Widget__c', 'validationRules', 'Misspelt.validationRule-meta.xml'));
    rule('Parent', 'Owner__r.Name = "x"');
    expect(() => loadSchema({ forceAppDir: dir })).toThrow('its formula reads Owner__r.Name');
    rmSync(join(dir, 'main', 'default', 'objects', 'Widget__c', 'validationRules', 'Parent.validationRule-meta.xml'));
    rule('Broken', 'AND(Size__c &gt; 1,');
    expect(() => loadSchema({ forceAppDir: dir })).toThrow('Validation rule Widget__c.Broken cannot be enforced');
  });
});
