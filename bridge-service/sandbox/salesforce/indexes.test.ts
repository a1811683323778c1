/**
 * The emulator's indexes (store.ts, record-keys.ts) change how fast it answers, never what: every query here is
 * asked twice, once in a form an index serves and once OR-ed with a condition that matches nothing (an OR is never
 * served by an index, so that form scans the table as the emulator always did), over data built to catch a lookup
 * that misses or reorders a row: 15- and 18-character ids, case variants, non-ASCII text, deleted rows, re-parented
 * children and rolled-back writes.
 */
import { SalesforceError } from './errors';
import { SalesforceOrg } from './salesforce-org';
import { loadSchema } from './schema/metadata-loader';
import { applySeed, readSeed } from './seed';
import { EXACT, SOQL_ID, soqlTextRule } from './record-keys';
import { RecordStore, UNKEYED, type KeyRule, type SRecord } from './store';
import { FIXTURE_FORCE_APP, frozenClock } from './test-helpers';
import { runSoql } from './soql/executor';

function newOrg() {
  const org = new SalesforceOrg({
    schema: loadSchema({ forceAppDir: FIXTURE_FORCE_APP }),
    store: new RecordStore(),
    clock: frozenClock(Date.UTC(2026, 0, 15, 9, 0, 0)),
  });
  const { integrationUserId } = applySeed(org, readSeed(), true);
  return { org, ctx: { userId: integrationUserId } };
}

const CODES = ['abc', 'ABD', 'Café', 'naïve', 'x-1', 'X_2', 'a b', 'ÄBC', 'zz', 'ZZ9'];

/** Accounts, widgets (with codes and refs in mixed case) and parts; some deleted, some moved, some rolled back. */
function buildData() {
  const { org, ctx } = newOrg();
  const accounts: string[] = [];
  const widgets: string[] = [];
  org.transaction(() => {
    for (let a = 0; a < 4; a += 1)
      accounts.push(org.insert('Account', { Name: `Acme ${a}`, BillingCountry: 'GB' }, ctx));
    CODES.forEach((code, i) => {
      widgets.push(
        org.insert(
          'Widget__c',
          {
            Name: `W${i}`,
            Price__c: i,
            Code__c: code,
            Legacy_Ref__c: i % 3 === 0 ? 'shared' : `ref-${i % 4}`,
            // every fourth widget names its account by the 15-character id
            Account__c: i % 4 === 0 ? accounts[i % 4]!.slice(0, 15) : accounts[i % 4],
            Colour__c: i % 2 ? 'Red' : 'Blue',
          },
          ctx,
        ),
      );
    });
    widgets.forEach((w, i) => {
      for (let p = 0; p < 1 + (i % 3); p += 1) org.insert('Widget_Part__c', { Widget__c: w, Cost__c: p + i }, ctx);
    });
  });
  // a delete, a re-parenting, and a transaction that fails after writing
  org.delete('Widget__c', widgets[2]!, ctx);
  org.update('Widget__c', widgets[5]!, { Account__c: accounts[0] }, ctx);
  expect(() =>
    org.transaction(() => {
      org.insert('Widget__c', { Name: 'Ghost', Price__c: 1, Code__c: 'ghost', Account__c: accounts[1] }, ctx);
      org.update('Widget__c', widgets[6]!, { Code__c: 'moved', Account__c: accounts[3] }, ctx);
      throw new Error('roll back');
    }),
  ).toThrow('roll back');
  return { org, ctx, accounts, widgets };
}

const soql = (org: SalesforceOrg, text: string, includeDeleted = false) =>
  runSoql(text, { org, apiVersion: '62.0', includeDeleted });

/**
 * The query, and the same WHERE OR-ed with a condition nothing matches (so no index serves it); with the index
 * lookups each made (child subqueries use one either way).
 */
function bothWays(org: SalesforceOrg, select: string, where: string, tail = '', includeDeleted = false) {
  const lookups = jest.spyOn(org.store, 'lookup');
  try {
    const indexed = soql(org, `${select} WHERE ${where} ${tail}`, includeDeleted);
    const indexedLookups = lookups.mock.calls.length;
    lookups.mockClear();
    const scanned = soql(org, `${select} WHERE (${where}) OR Name = 'no such name' ${tail}`, includeDeleted);
    return { indexed, scanned, served: indexedLookups > lookups.mock.calls.length };
  } finally {
    lookups.mockRestore();
  }
}

describe('Salesforce emulator indexes', () => {
  const data = buildData();
  const { org, accounts, widgets } = data;

  it.each<[string, string, string, boolean?]>([
    [
      'an id by either length',
      'SELECT Id, Name FROM Widget__c',
      `Id IN ('${widgets[0]!.slice(0, 15)}', '${widgets[1]}')`,
    ],
    ['a lookup by either length', 'SELECT Id, Name FROM Widget__c', `Account__c = '${accounts[0]!.slice(0, 15)}'`],
    ['a lookup IN a list', 'SELECT Id, Name FROM Widget__c', `Account__c IN ('${accounts[1]}', '${accounts[2]}')`],
    ['text in any case', 'SELECT Id, Name FROM Widget__c', "Code__c IN ('ABC', 'abd', 'X-1', 'x_2', 'A B')"],
    ['text with a non-ASCII literal', 'SELECT Id, Name FROM Widget__c', "Code__c IN ('NAÏVE', 'äbc', 'zz')", false],
    ['a picklist', 'SELECT Id, Name FROM Widget__c', "Colour__c = 'red'"],
    [
      'an AND with other conditions',
      'SELECT Id, Name FROM Widget__c',
      "Legacy_Ref__c = 'SHARED' AND Colour__c = 'Blue'",
    ],
    ['a parent field', 'SELECT Id, Name FROM Widget__c', "Account__r.Name IN ('acme 0', 'Acme 3')"],
    ['a grandchild through its parent', 'SELECT Id, Cost__c FROM Widget_Part__c', "Widget__r.Code__c IN ('abc', 'ZZ')"],
    [
      'a semi-join',
      'SELECT Id, Name FROM Account',
      "Id IN (SELECT Account__c FROM Widget__c WHERE Code__c IN ('abc', 'zz'))",
    ],
    [
      'child rows in a subquery',
      'SELECT Id, Name, (SELECT Id, Cost__c FROM Parts__r ORDER BY Cost__c) FROM Widget__c',
      `Account__c IN ('${accounts[0]}', '${accounts[1]}', '${accounts[2]}')`,
    ],
  ])('finds the same rows in the same order: %s', (_label, select, where, served = true) => {
    const both = bothWays(org, select, where);
    expect(both.indexed).toEqual(both.scanned);
    expect(both.indexed.totalSize).toBeGreaterThan(0);
    // a literal outside printable ASCII makes the query scan
    expect(both.served).toBe(served);
  });

  it('finds deleted rows with queryAll as a scan does, and not without it', () => {
    const where = `Id = '${widgets[2]}'`;
    const all = bothWays(org, 'SELECT Id, IsDeleted FROM Widget__c', where, '', true);
    expect(all.indexed).toEqual(all.scanned);
    expect(all.served).toBe(true);
    expect(all.indexed.records).toMatchObject([{ IsDeleted: true }]);
    expect(bothWays(org, 'SELECT Id FROM Widget__c', where).indexed.totalSize).toBe(0);
  });

  it('forgets what a rolled-back transaction wrote', () => {
    expect(soql(org, "SELECT Id FROM Widget__c WHERE Code__c IN ('ghost', 'moved')").totalSize).toBe(0);
    expect(soql(org, `SELECT Code__c FROM Widget__c WHERE Id = '${widgets[6]}'`).records[0]!.Code__c).toBe('a b');
  });

  it('upserts by external id in any case, and answers 300 with every match in table order', () => {
    const { ctx } = data;
    const res = org.upsert('Widget__c', 'Code__c', 'ZZ', { Name: 'renamed' }, ctx);
    expect(res).toEqual({ id: widgets[8], created: false });
    try {
      org.upsert('Widget__c', 'Legacy_Ref__c', 'SHARED', { Name: 'x' }, ctx);
      throw new Error('expected DUPLICATE_EXTERNAL_ID');
    } catch (err) {
      expect((err as SalesforceError).errorCode).toBe('DUPLICATE_EXTERNAL_ID');
      expect((err as { matches: string[] }).matches).toEqual([widgets[0], widgets[3], widgets[6], widgets[9]]);
    }
  });

  it('refuses a duplicate unique value in another case, and frees a value its record gave up', () => {
    const { ctx } = data;
    expect(() => org.insert('Widget__c', { Name: 'dup', Price__c: 1, Code__c: 'aBc' }, ctx)).toThrow(
      /duplicate value found: Code__c/,
    );
    org.update('Widget__c', widgets[9]!, { Code__c: 'zz9-new' }, ctx);
    expect(() => org.insert('Widget__c', { Name: 'reuse', Price__c: 1, Code__c: 'zz9' }, ctx)).not.toThrow();
  });

  it('rolls up children through the index, following deletes', () => {
    const row = () =>
      soql(org, `SELECT Parts_Total__c FROM Widget__c WHERE Id = '${widgets[4]}'`).records[0]!.Parts_Total__c;
    // widget 4 has two parts costing 4 and 5
    expect(row()).toBe(9);
    const part = soql(org, `SELECT Id FROM Widget_Part__c WHERE Widget__c = '${widgets[4]}' AND Cost__c = 5`)
      .records[0]!.Id as string;
    org.delete('Widget_Part__c', part, data.ctx);
    expect(row()).toBe(4);
  });
});

describe('RecordStore.lookup', () => {
  const rule: KeyRule = {
    name: 'test',
    keyOf: (v) => (v === null || v === undefined ? undefined : v === '*' ? UNKEYED : String(v).toLowerCase()),
  };

  it('agrees with a scan after random writes, removes and rollbacks, in table order', () => {
    const store = new RecordStore();
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const values = ['a', 'A', 'b', '*', null, 'c'];
    const scan = (key: string) =>
      [...store.table('T').values()].filter((r) => {
        const k = rule.keyOf(r.v);
        return k === UNKEYED || k === key;
      });
    // an index built early, and one built after the writes, must both agree
    expect(store.lookup('T', 'v', rule, ['a'])).toEqual([]);
    for (let step = 0; step < 600; step += 1) {
      const mark = store.mark();
      for (let w = 0; w < 3; w += 1) {
        const id = `id${Math.floor(random() * 40)}`;
        if (random() < 0.2) store.remove('T', id);
        else store.put('T', { Id: id, v: values[Math.floor(random() * values.length)] } as SRecord);
      }
      if (random() < 0.3) store.rollbackTo(mark);
      else store.commit();
      for (const key of ['a', 'b', 'c']) expect(store.lookup('T', 'v', rule, [key])).toEqual(scan(key));
    }
    expect(store.lookup('T', 'v', { ...rule, name: 'late' }, ['b'])).toEqual(scan('b'));
  });

  it('keys ids of either length alike, and children by their exact parent id', () => {
    expect(SOQL_ID.keyOf('001000000000001')).toBe(SOQL_ID.keyOf('001000000000001AAA'));
    expect(EXACT.keyOf('001000000000001')).not.toBe(EXACT.keyOf('001000000000001AAA'));
  });

  it('keys SOQL text only where this runtime collates printable ASCII exactly', () => {
    // Node's ICU does: the rule is in use, and it leaves non-ASCII values to the comparison itself.
    const text = soqlTextRule()!;
    expect(text.keyOf('AbC')).toBe('abc');
    expect(text.keyOf('Café')).toBe(UNKEYED);
    expect(text.keyOf(null)).toBeUndefined();
  });
});
