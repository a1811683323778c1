import { Connection } from 'jsforce';
import { describeApiRequest } from '../api-requests';
import type { SalesforceEmulator } from '../server';
import type { ScaledClock } from '../clock';
import { API_VERSION, FIXTURE_FORCE_APP, connect, frozenClock, startTestEmulator } from '../test-helpers';

type Rec = Record<string, unknown> & { Id: string };

/** jsforce throws HttpApiError; its `data` is Salesforce's error object. */
async function failure(p: PromiseLike<unknown>): Promise<{ errorCode: string; message: string; fields?: string[] }> {
  try {
    await p;
  } catch (err) {
    const e = err as { errorCode: string; message: string; data?: { fields?: string[] } };
    return { errorCode: e.errorCode, message: e.message, ...(e.data?.fields ? { fields: e.data.fields } : {}) };
  }
  throw new Error('expected the call to fail');
}

describe('REST against fixture metadata (field-type edge cases)', () => {
  let em: SalesforceEmulator;
  let conn: Connection;
  let token: string;
  const clock = frozenClock();
  beforeAll(async () => {
    em = await startTestEmulator({
      // the fixture package's permission sets grant no fields: its field-type cases run without access checks
      forceAppDir: FIXTURE_FORCE_APP,
      enforceUserAccess: false,
      queryBatchSize: 5,
      clock,
    });
    token = em.control.login('integration@ledgerline.example').accessToken;
    conn = connect(em);
  });
  afterAll(() => em.close());

  const raw = (method: string, path: string, body?: unknown) =>
    fetch(`${em.url}/services/data/v${API_VERSION}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('creates, reads, updates and deletes a record, with defaults, rounding and system fields', async () => {
    const created = await conn.sobject('Widget__c').create({ Name: 'Sprocket', Code__c: 'SPR-1', Price__c: 12.345 });
    expect(created).toMatchObject({ success: true, errors: [] });
    const id = (created as { id: string }).id;
    const rec = (await conn.sobject('Widget__c').retrieve(id)) as Rec;
    expect(rec).toMatchObject({
      Name: 'Sprocket',
      Price__c: 12.35,
      Colour__c: 'Red',
      Active__c: true,
      CurrencyIsoCode: 'GBP',
      IsDeleted: false,
    });
    expect(rec.CreatedDate).toBe('2026-01-15T09:00:00.000+0000');
    expect(rec.attributes).toEqual({
      type: 'Widget__c',
      url: `/services/data/v${API_VERSION}/sobjects/Widget__c/${id}`,
    });
    await conn.sobject('Widget__c').update({ Id: id, Colour__c: 'Blue', Tags__c: 'New;Sale' });
    expect(await conn.sobject('Widget__c').retrieve(id)).toMatchObject({ Colour__c: 'Blue', Tags__c: 'New;Sale' });
    await conn.sobject('Widget__c').destroy(id);
    const gone = await raw('GET', `/sobjects/Widget__c/${id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  });

  it('retrieves many records in one call (null for an id that does not exist)', async () => {
    const made = await conn.sobject('Widget__c').create([
      { Name: 'Many 1', Price__c: 1 },
      { Name: 'Many 2', Price__c: 2 },
    ]);
    const ids = made.map((r) => (r as { id: string }).id);
    const missing = `${ids[0]!.slice(0, 3)}0000000ZZZZZ`;
    const got = (await conn
      .sobject('Widget__c')
      .retrieve([...ids, missing], { fields: ['Name', 'Price__c'] })) as (Rec | null)[];
    expect(got.map((r) => r && r.Name)).toEqual(['Many 1', 'Many 2', null]);
    const all = (await conn.sobject('Widget__c').retrieve(ids)) as Rec[];
    expect(all[1]).toMatchObject({ Name: 'Many 2', Price__c: 2, Colour__c: 'Red' });
  });

  it('rejects an unknown field, a too-long string and a bad picklist value as Salesforce does', async () => {
    const unknown = await raw('POST', '/sobjects/Widget__c', { Name: 'x', Price__c: 1, Bogus__c: 1 });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual([
      { message: "No such column 'Bogus__c' on sobject of type Widget__c", errorCode: 'INVALID_FIELD' },
    ]);

    const long = await raw('POST', '/sobjects/Widget__c', { Name: 'x', Price__c: 1, Code__c: 'ABCDEFGHIJK' });
    expect(long.status).toBe(400);
    expect(await long.json()).toEqual([
      {
        message: 'Code: data value too large: ABCDEFGHIJK (max length=10)',
        errorCode: 'STRING_TOO_LONG',
        fields: ['Code__c'],
      },
    ]);

    const picklist = await raw('POST', '/sobjects/Widget__c', { Name: 'x', Price__c: 1, Colour__c: 'Green' });
    expect(picklist.status).toBe(400);
    expect(await picklist.json()).toEqual([
      {
        message: 'Colour: bad value for restricted picklist field: Green',
        errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        fields: ['Colour__c'],
      },
    ]);

    expect(
      await failure(conn.sobject('Widget__c').create({ Name: 'x', Price__c: 1, Tags__c: 'New;Old' })),
    ).toMatchObject({
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      message: 'Tags: bad value for restricted picklist field: Old',
    });
    expect(await failure(conn.sobject('Widget__c').create({ Name: 'x', Price__c: 1, Size__c: 'Huge' }))).toMatchObject({
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    });
    expect(await failure(conn.sobject('Account').create({ Name: 'x', Tier__c: 'Platinum' }))).toEqual({
      errorCode: 'STRING_TOO_LONG',
      message: 'Tier: data value too large: Platinum (max length=5)',
      fields: ['Tier__c'],
    });
  });

  it('reports required fields, duplicates, read-only fields, bad numbers, bad references and bad ids', async () => {
    expect(await failure(conn.sobject('Widget__c').create({ Code__c: 'R1' }))).toEqual({
      errorCode: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [Name, Price__c]',
      fields: ['Name', 'Price__c'],
    });
    const first = (await conn.sobject('Widget__c').create({ Name: 'a', Price__c: 1, Code__c: 'DUP' })) as {
      id: string;
    };
    expect(await failure(conn.sobject('Widget__c').create({ Name: 'b', Price__c: 1, Code__c: 'dup' }))).toEqual({
      errorCode: 'DUPLICATE_VALUE',
      message: `duplicate value found: Code__c duplicates value on record with id: ${first.id}`,
      fields: [],
    });
    expect(await failure(conn.sobject('Widget__c').update({ Id: first.id, Part_Count__c: 3 }))).toMatchObject({
      errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      fields: ['Part_Count__c'],
    });
    expect(await failure(conn.sobject('Widget__c').create({ Name: 'c', Price__c: 1234.5 }))).toMatchObject({
      errorCode: 'NUMBER_OUTSIDE_VALID_RANGE',
      message: 'Price: value outside of valid range on numeric field: 1234.5',
    });
    expect(await failure(conn.sobject('Widget__c').create({ Name: 'c', Price__c: 'cheap' }))).toMatchObject({
      errorCode: 'JSON_PARSER_ERROR',
    });
    expect(
      await failure(conn.sobject('Widget__c').create({ Name: 'c', Price__c: 1, Account__c: first.id })),
    ).toMatchObject({
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      message: `Account: id value of incorrect type: ${first.id}`,
    });
    expect(
      await failure(conn.sobject('Widget__c').create({ Name: 'c', Price__c: 1, Account__c: 'not-an-id' })),
    ).toMatchObject({ errorCode: 'MALFORMED_ID' });
    expect(
      await failure(conn.sobject('Widget__c').create({ Name: 'c', Price__c: 1, CurrencyIsoCode: 'JPY' })),
    ).toMatchObject({
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    });
  });

  it('upserts by external id: 201 created, then 200 updated; 300 on several matches; 404 for a non-external field', async () => {
    const r1 = await raw('PATCH', '/sobjects/Widget__c/Code__c/UPS-1', { Name: 'Upserted', Price__c: 5 });
    expect(r1.status).toBe(201);
    const b1 = (await r1.json()) as { id: string; created: boolean };
    expect(b1).toMatchObject({ success: true, created: true, errors: [] });
    const r2 = await conn.sobject('Widget__c').upsert({ Code__c: 'UPS-1', Price__c: 6 }, 'Code__c');
    expect(r2).toMatchObject({ id: b1.id, success: true, created: false });
    expect(await conn.sobject('Widget__c').retrieve(b1.id)).toMatchObject({
      Name: 'Upserted',
      Price__c: 6,
      Code__c: 'UPS-1',
    });
    const viaExt = await raw('GET', '/sobjects/Widget__c/Code__c/UPS-1');
    expect(((await viaExt.json()) as Rec).Id).toBe(b1.id);
    const bad = await raw('PATCH', '/sobjects/Widget__c/Name/x', { Price__c: 1 });
    expect(bad.status).toBe(404);
    expect(((await bad.json()) as { errorCode: string }[])[0]?.errorCode).toBe('NOT_FOUND');
    // relationship by external id in the body
    const part = (await conn
      .sobject('Widget_Part__c')
      .create({ Widget__r: { Code__c: 'UPS-1' }, Cost__c: 2.5 } as never)) as unknown as { id: string };
    expect(await conn.sobject('Widget_Part__c').retrieve(part.id)).toMatchObject({
      Widget__c: b1.id,
      Name: expect.stringMatching(/^WP-\d{4}$/),
    });
  });

  it('answers 300 with the candidates when a non-unique external id matches several records', async () => {
    const a = (await conn.sobject('Widget__c').create({ Name: 'L1', Price__c: 1, Legacy_Ref__c: 'OLD-7' })) as {
      id: string;
    };
    const b = (await conn.sobject('Widget__c').create({ Name: 'L2', Price__c: 1, Legacy_Ref__c: 'OLD-7' })) as {
      id: string;
    };
    const res = await raw('PATCH', '/sobjects/Widget__c/Legacy_Ref__c/OLD-7', { Price__c: 2 });
    expect(res.status).toBe(300);
    expect(await res.json()).toEqual([
      `/services/data/v${API_VERSION}/sobjects/Widget__c/${a.id}`,
      `/services/data/v${API_VERSION}/sobjects/Widget__c/${b.id}`,
    ]);
    expect(
      await failure(conn.sobject('Widget__c').upsert({ Legacy_Ref__c: 'OLD-7', Price__c: 2 }, 'Legacy_Ref__c')),
    ).toMatchObject({ errorCode: 'MULTIPLE_CHOICES' });
    const batch = await conn
      .sobject('Widget__c')
      .upsert([{ Legacy_Ref__c: 'OLD-7', Price__c: 2 }], 'Legacy_Ref__c', { allOrNone: false });
    expect(batch[0]).toMatchObject({ success: false, errors: [{ statusCode: 'DUPLICATE_EXTERNAL_ID' }] });
  });

  it('honours Sforce-Query-Options batchSize within 200..2000', async () => {
    await conn
      .sobject('Widget__c')
      .create(Array.from({ length: 200 }, (_, i) => ({ Name: `Batch ${i}`, Price__c: 1, Legacy_Ref__c: 'BATCH' })));
    await conn
      .sobject('Widget__c')
      .create(Array.from({ length: 50 }, (_, i) => ({ Name: `Batch x${i}`, Price__c: 1, Legacy_Ref__c: 'BATCH' })));
    const res = await fetch(
      `${em.url}/services/data/v${API_VERSION}/query?q=${encodeURIComponent("SELECT Id FROM Widget__c WHERE Legacy_Ref__c = 'BATCH'")}`,
      {
        headers: { authorization: `Bearer ${token}`, 'sforce-query-options': 'batchSize=200' },
      },
    );
    const body = (await res.json()) as { totalSize: number; records: unknown[]; done: boolean };
    expect(body).toMatchObject({ totalSize: 250, done: false });
    expect(body.records).toHaveLength(200);
  });

  it('runs sObject Collections with per-record errors, allOrNone false and true', async () => {
    const mixed = await conn.sobject('Widget__c').create(
      [
        { Name: 'C1', Price__c: 1, Code__c: 'COL-1' },
        { Name: 'C2', Price__c: 1, Colour__c: 'Purple' },
        { Name: 'C3', Price__c: 1, Code__c: 'COL-3' },
      ],
      { allOrNone: false },
    );
    expect(mixed.map((r) => r.success)).toEqual([true, false, true]);
    expect(mixed[1]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Colour__c'] }],
    });

    const atomic = await conn.sobject('Widget__c').create(
      [
        { Name: 'A1', Price__c: 1, Code__c: 'ATOM-1' },
        { Name: 'A2', Price__c: 1, Code__c: 'COL-1' },
      ],
      { allOrNone: true },
    );
    expect(atomic.every((r) => !r.success)).toBe(true);
    expect(atomic[0]?.errors).toEqual([expect.objectContaining({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' })]);
    expect(atomic[1]?.errors).toEqual([expect.objectContaining({ statusCode: 'DUPLICATE_VALUE' })]);
    const atom = await conn.query("SELECT Id FROM Widget__c WHERE Code__c = 'ATOM-1'");
    expect(atom.totalSize).toBe(0);

    const ids = mixed.filter((r) => r.success).map((r) => (r as { id: string }).id);
    const updates = await conn.sobject('Widget__c').update([
      { Id: ids[0]!, Colour__c: 'Blue' },
      { Id: ids[1]!, Code__c: 'X'.repeat(11) },
    ]);
    expect(updates.map((r) => r.success)).toEqual([true, false]);
    expect(updates[1]).toMatchObject({ id: ids[1], errors: [{ statusCode: 'STRING_TOO_LONG' }] });

    const upserts = await conn.sobject('Widget__c').upsert(
      [
        { Code__c: 'COL-1', Price__c: 9 },
        { Code__c: 'COL-NEW', Name: 'New one', Price__c: 3 },
        { Code__c: 'COL-BAD', Name: 'Bad', Price__c: 3, Nope__c: 1 },
      ],
      'Code__c',
      { allOrNone: false },
    );
    expect(upserts.map((r) => [r.success, (r as { created?: boolean }).created])).toEqual([
      [true, false],
      [true, true],
      [false, undefined],
    ]);
    expect(upserts[2]).toMatchObject({ errors: [{ statusCode: 'INVALID_FIELD' }] });

    const tooMany = await raw('POST', '/composite/sobjects', {
      allOrNone: false,
      records: Array.from({ length: 201 }, () => ({ attributes: { type: 'Widget__c' }, Name: 'n', Price__c: 1 })),
    });
    expect(tooMany.status).toBe(400);
  });

  it('pages relationship queries: nextRecordsUrl with the locator as last segment, autoFetch follows it', async () => {
    const acct = (await conn.sobject('Account').create({ Name: 'Paging Ltd', BillingCountry: 'GB' })) as { id: string };
    await conn.sobject('Widget__c').create(
      Array.from({ length: 12 }, (_, i) => ({
        Name: `Page ${String(i).padStart(2, '0')}`,
        Price__c: i,
        Account__c: acct.id,
      })),
    );
    const soql =
      "SELECT Id, Name, Account__r.Name, Account__r.BillingCountry FROM Widget__c WHERE Account__r.Name = 'Paging Ltd' ORDER BY Name";
    const first = await conn.query<Rec>(soql);
    expect(first).toMatchObject({ totalSize: 12, done: false });
    expect(first.records).toHaveLength(5);
    // jsforce prefixes the instance URL; the emulator sends the path form
    expect(first.nextRecordsUrl).toMatch(new RegExp(`/services/data/v${API_VERSION}/query/01g[A-Za-z0-9]+-5$`));
    expect(first.records[0]).toMatchObject({
      Name: 'Page 00',
      Account__r: { Name: 'Paging Ltd', BillingCountry: 'GB', attributes: { type: 'Account' } },
    });
    const second = await conn.queryMore<Rec>(first.nextRecordsUrl!);
    expect(second.records.map((r) => r.Name)).toEqual(['Page 05', 'Page 06', 'Page 07', 'Page 08', 'Page 09']);
    // the API log names a page past the first by the query it belongs to
    const [page] = em.control.apiRequests().slice(-1);
    expect(page).toMatchObject({ soql });
    expect(describeApiRequest(page!)).toBe('queryMore Widget__c');

    const all = await conn.query<Rec>(soql).run({ autoFetch: true, maxFetch: 100 });
    expect(all.records.map((r) => r.Name)).toEqual(
      Array.from({ length: 12 }, (_, i) => `Page ${String(i).padStart(2, '0')}`),
    );

    const bad = await raw('GET', '/query/01gNOPE-5');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errorCode: string }[])[0]?.errorCode).toBe('INVALID_QUERY_LOCATOR');
  });

  it('rolls up summaries, numbers auto-numbers, inherits currency and cascades master-detail deletes', async () => {
    const w = (await conn.sobject('Widget__c').create({ Name: 'Roll', Price__c: 1, CurrencyIsoCode: 'EUR' })) as {
      id: string;
    };
    await conn.sobject('Widget_Part__c').create([
      { Widget__c: w.id, Cost__c: 0.1 },
      { Widget__c: w.id, Cost__c: 0.2 },
    ]);
    const res = await conn.query<Rec>(
      `SELECT Part_Count__c, Parts_Total__c, (SELECT Name, CurrencyIsoCode FROM Parts__r ORDER BY Name) FROM Widget__c WHERE Id = '${w.id}'`,
    );
    const row = res.records[0]!;
    expect(row).toMatchObject({ Part_Count__c: 2, Parts_Total__c: 0.3 });
    expect((row.Parts__r as { records: Rec[] }).records.map((r) => r.CurrencyIsoCode)).toEqual(['EUR', 'EUR']);
    await conn.sobject('Widget__c').destroy(w.id);
    const parts = await conn.query(`SELECT Id FROM Widget_Part__c WHERE Widget__c = '${w.id}'`);
    expect(parts.totalSize).toBe(0);
    const deleted = await conn.query(`SELECT Id FROM Widget_Part__c WHERE Widget__c = '${w.id}'`, { scanAll: true });
    expect(deleted.totalSize).toBe(2);
  });

  it('publishes a platform event over REST and validates it like a record', async () => {
    const ok = await raw('POST', '/sobjects/Ping__e', { Message__c: 'hello' });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { id: string }).id).toMatch(/^e0/);
    expect(em.control.events('/event/Ping__e').map((e) => e.data.payload.Message__c)).toEqual(['hello']);
    const missing = await raw('POST', '/sobjects/Ping__e', {});
    expect(((await missing.json()) as { errorCode: string }[])[0]?.errorCode).toBe('REQUIRED_FIELD_MISSING');
    const query = await raw('GET', `/query?q=${encodeURIComponent('SELECT Id FROM Ping__e')}`);
    expect(((await query.json()) as { errorCode: string }[])[0]?.errorCode).toBe('INVALID_TYPE');
  });

  it('publishes after commit by default, immediately for PublishImmediately events, and keeps standard-volume ones 24 h', async () => {
    // mixed types in one collection (jsforce would stamp one type on all, so the raw call)
    const res = await raw('POST', '/composite/sobjects', {
      allOrNone: true,
      records: [
        { attributes: { type: 'Ping__e' }, Message__c: 'after commit' },
        { attributes: { type: 'Alert__e' }, Text__c: 'immediately' },
        { attributes: { type: 'Widget__c' }, Name: 'broken' },
      ],
    });
    const results = (await res.json()) as { success: boolean }[];
    expect(results.map((r) => r.success)).toEqual([false, false, false]);
    expect(em.control.events('/event/Ping__e').map((e) => e.data.payload.Message__c)).not.toContain('after commit');
    expect(em.control.events('/event/Alert__e').map((e) => e.data.payload.Text__c)).toEqual(['immediately']);
    clock.advance(24 * 3_600_000 + 1);
    expect(em.control.events('/event/Alert__e')).toEqual([]);
    expect(em.control.events('/event/Ping__e').length).toBeGreaterThan(0);
    conn = connect(em);
    token = em.control.login('integration@ledgerline.example').accessToken;
  });

  it('reads custom metadata and describes objects', async () => {
    const mdt = await conn.query<Rec>('SELECT DeveloperName, Label, Limit__c FROM Widget_Config__mdt');
    expect(mdt.records).toEqual([
      expect.objectContaining({ DeveloperName: 'Default', Label: 'Default Config', Limit__c: 42 }),
    ]);
    const describe = await conn.sobject('Widget__c').describe();
    const colour = describe.fields.find((f) => f.name === 'Colour__c')!;
    expect(colour).toMatchObject({ type: 'picklist', restrictedPicklist: true });
    expect(colour.picklistValues?.map((p) => p.value)).toEqual(['Red', 'Blue']);
    expect(describe.childRelationships).toEqual([
      expect.objectContaining({ relationshipName: 'Parts__r', childSObject: 'Widget_Part__c' }),
    ]);
  });
});

describe('REST limits, faults and sessions', () => {
  let em: SalesforceEmulator;
  let clock: ScaledClock;
  beforeEach(async () => {
    clock = frozenClock();
    em = await startTestEmulator({ dailyApiLimit: 5, clock });
  });
  afterEach(() => em.close());

  it('reports Sforce-Limit-Info and answers 403 REQUEST_LIMIT_EXCEEDED past the daily limit', async () => {
    const conn = connect(em);
    await conn.query('SELECT Id FROM Account LIMIT 1');
    expect(conn.limitInfo.apiUsage).toEqual({ used: 1, limit: 5 });
    expect((await conn.limits()).DailyApiRequests).toEqual({ Max: 5, Remaining: 3 });
    for (let i = 0; i < 3; i++) await conn.query('SELECT Id FROM Account LIMIT 1');
    expect(await failure(conn.query('SELECT Id FROM Account LIMIT 1'))).toEqual({
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      message: 'TotalRequests Limit exceeded.',
    });
    em.control.setDailyApiLimit(100);
    await conn.query('SELECT Id FROM Account LIMIT 1');
    em.control.exhaustRequestLimit();
    expect(await failure(conn.query('SELECT Id FROM Account LIMIT 1'))).toMatchObject({
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
    });
  });

  it('fails a burst of requests with 5xx on demand, then recovers', async () => {
    const token = em.control.login('integration@ledgerline.example').accessToken;
    em.control.serverErrors({ count: 1, status: 500, pathIncludes: '/query' });
    const res = await fetch(`${em.url}/services/data/v${API_VERSION}/query?q=SELECT+Id+FROM+Account`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { errorCode: string }[])[0]?.errorCode).toBe('UNKNOWN_EXCEPTION');
    // jsforce retries 5xx with backoff (500 ms, 1 s, ...): a burst of 2 is absorbed, and the data is still there
    const conn = connect(em);
    em.control.serverErrors({ count: 2, status: 503 });
    const started = Date.now();
    expect((await conn.query('SELECT Id FROM Account')).totalSize).toBe(6);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });

  it('answers 401 INVALID_SESSION_ID for an unknown or expired session', async () => {
    const conn = connect(em);
    em.control.expireSessions();
    expect(await failure(conn.query('SELECT Id FROM Account'))).toEqual({
      errorCode: 'INVALID_SESSION_ID',
      message: 'Session expired or invalid',
    });
  });
});

describe('row-lock contention on demand (UNABLE_TO_LOCK_ROW)', () => {
  let em: SalesforceEmulator;
  let conn: Connection;
  let token: string;
  beforeAll(async () => {
    em = await startTestEmulator({
      // the fixture package's permission sets grant no fields: its field-type cases run without access checks
      forceAppDir: FIXTURE_FORCE_APP,
      enforceUserAccess: false,
    });
    token = em.control.login('integration@ledgerline.example').accessToken;
    conn = connect(em);
  });
  afterAll(() => em.close());
  afterEach(() => em.control.clearFaults());

  const base = `/services/data/v${API_VERSION}`;
  const post = (path: string, body: unknown) =>
    fetch(`${em.url}${path}`, {
      method: path.startsWith('/__emulator') ? 'POST' : 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const locked = (rowId: string) => ({
    statusCode: 'UNABLE_TO_LOCK_ROW',
    message: `unable to obtain exclusive access to this record or 1 records: ${rowId}`,
    fields: [],
  });
  const widgets = async (names: string[]): Promise<string[]> =>
    (await conn.sobject('Widget__c').create(names.map((Name) => ({ Name, Price__c: 1 })))).map(
      (r) => (r as { id: string }).id,
    );
  const prices = async (ids: string[]) =>
    ((await conn.sobject('Widget__c').retrieve(ids)) as Rec[]).map((r) => r.Price__c);

  it('fails the held record of a Collection alone (allOrNone false), as many writes as asked, then lets it through', async () => {
    const ids = await widgets(['Lock 1', 'Lock 2', 'Lock 3']);
    em.control.unableToLockRow({ sobject: 'Widget__c', where: { Id: ids[1]!.slice(0, 15) } });
    const first = await conn.sobject('Widget__c').update(ids.map((Id) => ({ Id, Price__c: 2 })));
    expect(first).toEqual([
      { id: ids[0], success: true, errors: [] },
      { id: ids[1], success: false, errors: [locked(ids[1]!)] },
      { id: ids[2], success: true, errors: [] },
    ]);
    expect(await prices(ids)).toEqual([2, 1, 2]);
    // one write was asked for: the next one goes through
    expect((await conn.sobject('Widget__c').update({ Id: ids[1]!, Price__c: 2 })).success).toBe(true);

    // the next two writes of the object, whichever records; an upsert names the record it updates
    em.control.unableToLockRow({ sobject: 'widget__c', count: 2 });
    const upserts = await conn.sobject('Widget__c').upsert(
      ['U1', 'U2', 'U3'].map((Code__c, i) => ({ Code__c, Name: `Upsert ${i}`, Price__c: 3 })),
      'Code__c',
      {
        allOrNone: false,
      },
    );
    expect(upserts.map((r) => r.success)).toEqual([false, false, true]);
    expect(upserts[0]!.errors).toEqual([expect.objectContaining({ statusCode: 'UNABLE_TO_LOCK_ROW' })]);
    expect((await conn.query("SELECT Code__c FROM Widget__c WHERE Code__c LIKE 'U%'")).records).toEqual([
      expect.objectContaining({ Code__c: 'U3' }),
    ]);

    // allOrNone true: the held record fails, the others are rolled back with it
    em.control.unableToLockRow({ sobject: 'Widget__c', where: { Name: 'Lock 3' } });
    const atomic = await conn.sobject('Widget__c').update(
      ids.map((Id) => ({ Id, Price__c: 5 })),
      { allOrNone: true },
    );
    const code = (statusCode: string) => ({ success: false, errors: [expect.objectContaining({ statusCode })] });
    expect(atomic).toEqual(
      [
        code('ALL_OR_NONE_OPERATION_ROLLED_BACK'),
        code('ALL_OR_NONE_OPERATION_ROLLED_BACK'),
        code('UNABLE_TO_LOCK_ROW'),
      ].map((c, i) => ({ ...c, id: ids[i] })),
    );
    expect(await prices(ids)).toEqual([2, 2, 2]);
  });

  it('names the parent an insert locks; a row write answers 400; writes the emulator makes itself are not held', async () => {
    const [widget] = await widgets(['Parent']);
    em.control.unableToLockRow({ sobject: 'Widget_Part__c', where: (record) => record.Widget__c === widget });
    const parts = await conn.sobject('Widget_Part__c').create(
      [
        { Widget__c: widget, Cost__c: 1 },
        { Widget__c: widget, Cost__c: 2 },
      ],
      { allOrNone: false },
    );
    expect(parts.map((r) => r.success)).toEqual([false, true]);
    expect(parts[0]!.errors).toEqual([locked(widget!)]);

    em.control.unableToLockRow({ sobject: 'Widget__c' });
    const row = await post(`${base}/sobjects/Widget__c/${widget}`, { Price__c: 7 });
    expect(row.status).toBe(400);
    expect(await row.json()).toEqual([
      { message: locked(widget!).message, errorCode: 'UNABLE_TO_LOCK_ROW', fields: [] },
    ]);
    // the UI and Apex paths (the control API) are not REST writes: the rule still waits for one
    em.control.unableToLockRow({ sobject: 'Widget__c' });
    em.org.update('Widget__c', widget!, { Price__c: 8 }, { userId: em.control.integrationUserId });
    expect(await failure(conn.sobject('Widget__c').update({ Id: widget!, Price__c: 9 }))).toMatchObject({
      errorCode: 'UNABLE_TO_LOCK_ROW',
    });
    expect(await prices([widget!])).toEqual([8]);
  });

  it('fails a Composite row subrequest with the REST error array and a Collection subrequest per record; set over HTTP', async () => {
    const ids = await widgets(['Comp lock 1', 'Comp lock 2']);
    const set = await fetch(`${em.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'unable-to-lock-row',
        sobject: 'Widget__c',
        count: 2,
        where: { Name: 'Comp lock 1' },
      }),
    });
    expect(set.status).toBe(200);
    const res = await fetch(`${em.url}${base}/composite`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        allOrNone: false,
        compositeRequest: [
          { method: 'PATCH', url: `${base}/sobjects/Widget__c/${ids[0]}`, referenceId: 'row', body: { Price__c: 4 } },
          {
            method: 'PATCH',
            url: `${base}/composite/sobjects`,
            referenceId: 'many',
            body: { records: ids.map((id) => ({ attributes: { type: 'Widget__c' }, id, Price__c: 4 })) },
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const { compositeResponse } = (await res.json()) as { compositeResponse: unknown[] };
    expect(compositeResponse).toEqual([
      {
        body: [{ message: locked(ids[0]!).message, errorCode: 'UNABLE_TO_LOCK_ROW', fields: [] }],
        httpHeaders: {},
        httpStatusCode: 400,
        referenceId: 'row',
      },
      {
        body: [
          { id: ids[0], success: false, errors: [locked(ids[0]!)] },
          { id: ids[1], success: true, errors: [] },
        ],
        httpHeaders: {},
        httpStatusCode: 200,
        referenceId: 'many',
      },
    ]);
    expect(await prices(ids)).toEqual([1, 4]);
  });
});

describe('namespaced package (ldgr__)', () => {
  it('prefixes package names; Sforce-Call-Options defaultNamespace resolves bare names', async () => {
    const em = await startTestEmulator({ namespace: 'ldgr' });
    try {
      const conn = connect(em);
      const opp = (
        await conn.query<Rec>("SELECT Id, AccountId FROM Opportunity WHERE Account.BillingCountry = 'GB' LIMIT 1")
      ).records[0]!;
      const inv = (await conn.sobject('ldgr__Invoice__c').create({
        ldgr__Opportunity__c: opp.Id,
        ldgr__Account__c: opp.AccountId,
        ldgr__Xero_Invoice_Id__c: 'x-1',
      })) as { id: string };
      const res = await conn.query<Rec>(
        `SELECT Name, ldgr__Opportunity__r.Name, ldgr__Status__c FROM ldgr__Invoice__c WHERE Id = '${inv.id}'`,
      );
      expect(res.records[0]).toMatchObject({
        ldgr__Status__c: 'Draft',
        ldgr__Opportunity__r: { Name: expect.any(String) },
      });
      expect(await failure(conn.query('SELECT Id FROM Invoice__c'))).toMatchObject({ errorCode: 'INVALID_TYPE' });
      const session = em.control.login('integration@ledgerline.example');
      const withNs = new Connection({
        instanceUrl: em.url,
        accessToken: session.accessToken,
        version: API_VERSION,
        callOptions: { defaultNamespace: 'ldgr' },
      });
      const bare = await withNs.query<Rec>(`SELECT Id, Status__c FROM Invoice__c WHERE Id = '${inv.id}'`);
      expect(bare.records[0]?.ldgr__Status__c).toBe('Draft');
    } finally {
      await em.close();
    }
  });
});

describe('Composite resource (POST /composite)', () => {
  let em: SalesforceEmulator;
  let token: string;
  beforeAll(async () => {
    em = await startTestEmulator({
      // the fixture package's permission sets grant no fields: its field-type cases run without access checks
      forceAppDir: FIXTURE_FORCE_APP,
      enforceUserAccess: false,
      queryBatchSize: 5,
    });
    token = em.control.login('integration@ledgerline.example').accessToken;
  });
  afterAll(() => em.close());

  const base = `/services/data/v${API_VERSION}`;
  type Sub = { method: string; url: string; referenceId: string; body?: unknown };
  type Answer = { body: unknown; httpHeaders: Record<string, string>; httpStatusCode: number; referenceId: string };
  const composite = async (compositeRequest: Sub[], allOrNone = false) => {
    const res = await fetch(`${em.url}${base}/composite`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ allOrNone, compositeRequest }),
    });
    return { status: res.status, body: (await res.json()) as { compositeResponse: Answer[] } };
  };
  const q = (soql: string) => `${base}/query?q=${encodeURIComponent(soql)}`;
  const widgets = async (where: string) =>
    (
      await connect(em)
        .query<Rec>(`SELECT Id, Name FROM Widget__c WHERE ${where} ORDER BY Name`)
        .run({ autoFetch: true, maxFetch: 100 })
    ).records.map((r) => r.Name);

  it('runs subrequests in order, passes ids by reference, and counts as one API call', async () => {
    const before = em.control.apiUsage().used;
    const { status, body } = await composite([
      { method: 'POST', url: `${base}/sobjects/Widget__c`, referenceId: 'w', body: { Name: 'Comp 1', Price__c: 3 } },
      {
        method: 'POST',
        url: `${base}/composite/sobjects`,
        referenceId: 'parts',
        body: {
          records: [
            { attributes: { type: 'Widget_Part__c' }, Widget__c: '@{w.id}', Cost__c: 1.5 },
            { attributes: { type: 'Widget_Part__c' }, Widget__c: '@{w.id}', Cost__c: 2 },
          ],
        },
      },
      { method: 'GET', url: q("SELECT Id, Part_Count__c FROM Widget__c WHERE Name = 'Comp 1'"), referenceId: 'read' },
      {
        method: 'PATCH',
        url: `${base}/sobjects/Widget__c/@{read.records[0].Id}`,
        referenceId: 'up',
        body: { Colour__c: 'Blue' },
      },
      { method: 'GET', url: `${base}/sobjects/Widget__c/@{w.id}?fields=Colour__c,Parts_Total__c`, referenceId: 'get' },
    ]);
    expect(em.control.apiUsage().used - before).toBe(1);
    expect(em.control.apiRequests().at(-1)).toEqual({
      method: 'POST',
      path: `${base}/composite`,
      subrequests: [
        `POST ${base}/sobjects/Widget__c`,
        `POST ${base}/composite/sobjects Widget_Part__c`,
        `GET ${q("SELECT Id, Part_Count__c FROM Widget__c WHERE Name = 'Comp 1'")}`,
        `PATCH ${base}/sobjects/Widget__c/@{read.records[0].Id}`,
        `GET ${base}/sobjects/Widget__c/@{w.id}?fields=Colour__c,Parts_Total__c`,
      ],
    });
    expect(status).toBe(200);
    const [w, parts, read, up, get] = body.compositeResponse;
    const id = (w!.body as { id: string }).id;
    expect(w).toEqual({
      body: { id, success: true, errors: [] },
      httpHeaders: { Location: `${base}/sobjects/Widget__c/${id}` },
      httpStatusCode: 201,
      referenceId: 'w',
    });
    expect((parts!.body as { success: boolean }[]).map((r) => r.success)).toEqual([true, true]);
    expect(read).toMatchObject({
      httpStatusCode: 200,
      body: { totalSize: 1, records: [{ Id: id, Part_Count__c: 2 }] },
    });
    expect(up).toEqual({ body: null, httpHeaders: {}, httpStatusCode: 204, referenceId: 'up' });
    expect(get).toMatchObject({ httpStatusCode: 200, body: { Colour__c: 'Blue', Parts_Total__c: 3.5 } });
  });

  it('allOrNone false: a failed subrequest is undone alone, and one that depends on it halts', async () => {
    const { body } = await composite([
      {
        method: 'POST',
        url: `${base}/sobjects/Widget__c`,
        referenceId: 'bad',
        body: { Name: 'Bad', Price__c: 1, Colour__c: 'Green' },
      },
      {
        method: 'POST',
        url: `${base}/sobjects/Widget_Part__c`,
        referenceId: 'child',
        body: { Widget__c: '@{bad.id}', Cost__c: 1 },
      },
      {
        method: 'POST',
        url: `${base}/sobjects/Widget__c`,
        referenceId: 'good',
        body: { Name: 'Comp good', Price__c: 1 },
      },
      { method: 'GET', url: `${base}/sobjects/Nope__c/x`, referenceId: 'missing' },
    ]);
    expect(body.compositeResponse.map((r) => [r.referenceId, r.httpStatusCode])).toEqual([
      ['bad', 400],
      ['child', 400],
      ['good', 201],
      ['missing', 404],
    ]);
    expect(body.compositeResponse[0]!.body).toEqual([
      {
        message: 'Colour: bad value for restricted picklist field: Green',
        errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        fields: ['Colour__c'],
      },
    ]);
    expect(body.compositeResponse[1]!.body).toEqual([
      { errorCode: 'PROCESSING_HALTED', message: 'Invalid reference specified. No value for bad.id found in bad.' },
    ]);
    expect(await widgets("Name IN ('Bad', 'Comp good')")).toEqual(['Comp good']);
  });

  it('allOrNone true: one refused record rolls everything back, events included; the rest answer PROCESSING_HALTED', async () => {
    const pings = em.control.events('/event/Ping__e').length;
    const { body } = await composite(
      [
        { method: 'POST', url: `${base}/sobjects/Ping__e`, referenceId: 'ping', body: { Message__c: 'rolled back' } },
        {
          method: 'POST',
          url: `${base}/sobjects/Widget__c`,
          referenceId: 'one',
          body: { Name: 'Atomic 1', Price__c: 1 },
        },
        {
          method: 'POST',
          url: `${base}/composite/sobjects`,
          referenceId: 'many',
          // the collection asks for allOrNone false; the composite's true wins
          body: {
            allOrNone: false,
            records: [
              { attributes: { type: 'Widget__c' }, Name: 'Atomic 2', Price__c: 1 },
              { attributes: { type: 'Widget__c' }, Name: 'Atomic 3', Price__c: 1, Size__c: 'Huge' },
            ],
          },
        },
        {
          method: 'POST',
          url: `${base}/sobjects/Widget__c`,
          referenceId: 'after',
          body: { Name: 'Atomic 4', Price__c: 1 },
        },
      ],
      true,
    );
    const halted = [
      {
        errorCode: 'PROCESSING_HALTED',
        message: 'The transaction was rolled back since another operation in the same transaction failed.',
      },
    ];
    const [ping, one, many, after] = body.compositeResponse;
    expect(ping).toMatchObject({ httpStatusCode: 400, body: halted, referenceId: 'ping' });
    expect(one).toMatchObject({ httpStatusCode: 400, body: halted });
    expect(after).toMatchObject({ httpStatusCode: 400, body: halted });
    expect(many).toMatchObject({
      httpStatusCode: 200,
      body: [
        { success: false, errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' }] },
        { success: false, errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' }] },
      ],
    });
    expect(await widgets("Name LIKE 'Atomic%'")).toEqual([]);
    expect(em.control.events('/event/Ping__e')).toHaveLength(pings);
  });

  it('takes at most 25 subrequests, at most 5 of them Collections or queries, and runs none past a limit', async () => {
    const create = (i: number): Sub => ({
      method: 'POST',
      url: `${base}/sobjects/Widget__c`,
      referenceId: `w${i}`,
      body: { Name: `Limit ${i}`, Price__c: 1 },
    });
    const query = (i: number): Sub => ({ method: 'GET', url: q('SELECT Id FROM Account'), referenceId: `q${i}` });
    const limitExceeded = (message: string) => ({
      compositeResponse: [
        { body: [{ errorCode: 'LIMIT_EXCEEDED', message }], httpHeaders: {}, httpStatusCode: 400, referenceId: null },
      ],
    });

    const tooMany = await composite(Array.from({ length: 26 }, (_, i) => create(i)));
    expect(tooMany.body).toEqual(limitExceeded('The request can’t contain more than 25 operations.'));
    const tooManyQueries = await composite([create(0), ...Array.from({ length: 6 }, (_, i) => query(i))]);
    expect(tooManyQueries.body).toEqual(
      limitExceeded('The request can’t contain more than 5 sObject Collections or query operations.'),
    );
    expect(await widgets("Name LIKE 'Limit %'")).toEqual([]);

    const full = await composite([
      ...Array.from({ length: 5 }, (_, i) => query(i)),
      ...Array.from({ length: 20 }, (_, i) => create(i)),
    ]);
    expect(full.body.compositeResponse.every((r) => r.httpStatusCode < 300)).toBe(true);
    // a query answers its first page; the rest is fetched with queryMore as usual
    expect(full.body.compositeResponse[0]!.body).toMatchObject({ done: false, nextRecordsUrl: expect.any(String) });
    expect(await widgets("Name LIKE 'Limit %'")).toHaveLength(20);
  });

  it('fails the whole call for a 5xx fault matching a subrequest (nothing runs); a subrequest alone when asked, or for a 4xx', async () => {
    const readThenWrite = (name: string): Sub[] => [
      { method: 'GET', url: q('SELECT Id FROM Account'), referenceId: 'read' },
      { method: 'POST', url: `${base}/sobjects/Widget__c`, referenceId: 'w', body: { Name: name, Price__c: 1 } },
    ];
    // An unavailable instance answers the call itself: 503 and Salesforce's error array, no compositeResponse.
    em.control.serverErrors({ count: 1, status: 503, pathIncludes: '/query' });
    const unavailable = await composite(readThenWrite('During outage'));
    expect(unavailable.status).toBe(503);
    expect(unavailable.body).toEqual([
      { errorCode: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable. Please try again later.' },
    ]);
    expect(await widgets("Name = 'During outage'")).toEqual([]);

    em.control.serverErrors({ count: 1, status: 503, pathIncludes: '/query', inComposite: 'subrequest' });
    const { status, body } = await composite(readThenWrite('After fault'));
    expect(status).toBe(200);
    expect(body.compositeResponse.map((r) => r.httpStatusCode)).toEqual([503, 201]);
    expect(body.compositeResponse[0]!.body).toEqual([expect.objectContaining({ errorCode: 'SERVER_UNAVAILABLE' })]);

    // A refusal (4xx) belongs to its request: inside a Composite call, to its subrequest.
    em.control.serverErrors({
      count: 1,
      status: 400,
      errorCode: 'INVALID_FIELD',
      message: 'No',
      pathIncludes: '/query',
    });
    const refused = await composite(readThenWrite('After refusal'));
    expect(refused.body.compositeResponse.map((r) => r.httpStatusCode)).toEqual([400, 201]);

    const res = await fetch(`${em.url}${base}/composite`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ compositeRequest: [{ method: 'GET', url: q('SELECT Id FROM Account') }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual([
      { errorCode: 'JSON_PARSER_ERROR', message: "'referenceId' is a required field." },
    ]);
  });

  it('is what jsforce sends with requestPost', async () => {
    const conn = connect(em);
    const res = await conn.requestPost<{ compositeResponse: Answer[] }>('/composite', {
      allOrNone: false,
      compositeRequest: [
        {
          method: 'PATCH',
          url: `${base}/composite/sobjects/Widget__c/Code__c`,
          referenceId: 'upsert',
          body: {
            records: [{ attributes: { type: 'Widget__c' }, Code__c: 'JSF-1', Name: 'Via jsforce', Price__c: 2 }],
          },
        },
      ],
    });
    expect(res.compositeResponse[0]).toMatchObject({
      httpStatusCode: 200,
      body: [{ success: true, created: true }],
    });
    expect(conn.limitInfo.apiUsage?.used).toBe(em.control.apiUsage().used);
  });
});
