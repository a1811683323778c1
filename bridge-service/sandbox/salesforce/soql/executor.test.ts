import { SalesforceError } from '../errors';
import { SalesforceOrg } from '../salesforce-org';
import { loadSchema } from '../schema/metadata-loader';
import { applySeed, readSeed } from '../seed';
import { RecordStore } from '../store';
import { FIXTURE_FORCE_APP, frozenClock } from '../test-helpers';
import { runSoql } from './executor';
import { parseSoql, SOQL_MAX_CHARS } from './parser';

const clock = frozenClock(Date.UTC(2026, 0, 15, 9, 0, 0)); // Thursday 15 January 2026
const org = new SalesforceOrg({
  schema: loadSchema({ forceAppDir: FIXTURE_FORCE_APP }),
  store: new RecordStore(),
  clock,
});
const { integrationUserId } = applySeed(org, readSeed(), true);
const ctx = { userId: integrationUserId };
const days = (n: number) => new Date(clock.now() + n * 86_400_000).toISOString().slice(0, 10);
org.transaction(() => {
  const acct = org.insert('Account', { Name: 'Dates Ltd', BillingCountry: 'GB' }, ctx);
  for (const [i, d] of [-40, -7, -1, 0, 1, 30].entries()) {
    org.insert(
      'Widget__c',
      {
        Name: `W${i}`,
        Price__c: i * 10,
        Launched__c: days(d),
        Account__c: acct,
        Tags__c: i % 2 ? 'New;Sale' : 'New',
        Colour__c: i < 3 ? 'Red' : 'Blue',
      },
      ctx,
    );
  }
  org.insert('Widget__c', { Name: 'Null launch', Price__c: 1, Launched__c: null, Colour__c: null }, ctx);
});

const q = (soql: string) => runSoql(soql, { org, apiVersion: '62.0' });
const names = (soql: string) => q(soql).records.map((r) => r.Name);
function soqlError(soql: string): { errorCode: string; message: string } {
  try {
    q(soql);
  } catch (err) {
    if (err instanceof SalesforceError) return { errorCode: err.errorCode, message: err.message };
    throw err;
  }
  throw new Error('expected a query error');
}

describe('SOQL', () => {
  it('filters with date literals as ranges in the org time zone', () => {
    expect(names('SELECT Name FROM Widget__c WHERE Launched__c = TODAY')).toEqual(['W3']);
    expect(names('SELECT Name FROM Widget__c WHERE Launched__c = YESTERDAY')).toEqual(['W2']);
    expect(names('SELECT Name FROM Widget__c WHERE Launched__c = LAST_N_DAYS:7 ORDER BY Name')).toEqual([
      'W1',
      'W2',
      'W3',
    ]);
    expect(names('SELECT Name FROM Widget__c WHERE Launched__c > TODAY ORDER BY Name')).toEqual(['W4', 'W5']);
    expect(names('SELECT Name FROM Widget__c WHERE Launched__c < LAST_N_DAYS:30')).toEqual(['W0']);
    expect(names('SELECT Name FROM Widget__c WHERE Launched__c = THIS_WEEK ORDER BY Name')).toEqual(['W2', 'W3', 'W4']);
    expect(names(`SELECT Name FROM Widget__c WHERE Launched__c >= ${days(1)} ORDER BY Name`)).toEqual(['W4', 'W5']);
    expect(names('SELECT Name FROM Widget__c WHERE CreatedDate = TODAY AND Launched__c = NEXT_N_DAYS:1')).toEqual([
      'W4',
    ]);
    expect(
      names('SELECT Name FROM Widget__c WHERE CreatedDate > 2026-01-15T08:59:59Z AND Launched__c = NEXT_MONTH'),
    ).toEqual(['W5']);
  });

  it('combines AND, OR, NOT, IN, LIKE, INCLUDES and null tests, with SOQL null semantics', () => {
    expect(
      names(
        "SELECT Name FROM Widget__c WHERE (Colour__c = 'red' OR Price__c >= 50) AND NOT Name LIKE 'W0%' ORDER BY Name",
      ),
    ).toEqual(['W1', 'W2', 'W5']);
    expect(names("SELECT Name FROM Widget__c WHERE Name IN ('W1', 'w3', 'nope') ORDER BY Name")).toEqual(['W1', 'W3']);
    expect(names("SELECT Name FROM Widget__c WHERE Name NOT IN ('W1') AND Launched__c != null ORDER BY Name")).toEqual([
      'W0',
      'W2',
      'W3',
      'W4',
      'W5',
    ]);
    expect(names("SELECT Name FROM Widget__c WHERE Colour__c != 'Red' ORDER BY Name")).toEqual([
      'Null launch',
      'W3',
      'W4',
      'W5',
    ]);
    expect(names('SELECT Name FROM Widget__c WHERE Launched__c = null')).toEqual(['Null launch']);
    expect(names("SELECT Name FROM Widget__c WHERE Tags__c INCLUDES ('Sale') ORDER BY Name")).toEqual([
      'W1',
      'W3',
      'W5',
    ]);
    expect(
      names("SELECT Name FROM Widget__c WHERE Tags__c EXCLUDES ('Sale') AND Name LIKE 'W_' ORDER BY Name"),
    ).toEqual(['W0', 'W2', 'W4']);
    expect(
      names("SELECT Name FROM Widget__c WHERE Account__r.BillingCountry = 'GB' AND Price__c < 20 ORDER BY Name"),
    ).toEqual(['W0', 'W1']);
  });

  it('orders with NULLS FIRST/LAST, and applies LIMIT and OFFSET', () => {
    expect(names('SELECT Name FROM Widget__c ORDER BY Launched__c DESC NULLS LAST LIMIT 2')).toEqual(['W5', 'W4']);
    expect(names('SELECT Name FROM Widget__c ORDER BY Launched__c ASC LIMIT 2')).toEqual(['Null launch', 'W0']);
    expect(names('SELECT Name FROM Widget__c ORDER BY Colour__c, Price__c DESC LIMIT 3 OFFSET 1')).toEqual([
      'W5',
      'W4',
      'W3',
    ]);
  });

  it('runs semi-joins, child subqueries and aggregates', () => {
    expect(
      names("SELECT Name FROM Account WHERE Id IN (SELECT Account__c FROM Widget__c WHERE Colour__c = 'Blue')"),
    ).toEqual(['Dates Ltd']);
    const opp = q(
      "SELECT Name, (SELECT Quantity, PricebookEntry.Product2.ProductCode FROM OpportunityLineItems ORDER BY Quantity DESC LIMIT 1) FROM Opportunity WHERE Account.BillingCountry = 'NL'",
    ).records[0]!;
    expect(opp.OpportunityLineItems).toMatchObject({
      totalSize: 1,
      done: true,
      records: [{ Quantity: 80, PricebookEntry: { Product2: { ProductCode: 'LL-PLAT' } } }],
    });
    expect(q('SELECT COUNT() FROM Opportunity WHERE IsClosed = false')).toEqual({ totalSize: 6, records: [] });
    const byCurrency = q(
      'SELECT CurrencyIsoCode, COUNT(Id) n, SUM(Amount) FROM Opportunity GROUP BY CurrencyIsoCode ORDER BY CurrencyIsoCode',
    ).records;
    expect(byCurrency).toEqual([
      { attributes: { type: 'AggregateResult' }, CurrencyIsoCode: 'EUR', n: 2, expr0: 12163.76 },
      { attributes: { type: 'AggregateResult' }, CurrencyIsoCode: 'GBP', n: 2, expr0: 9999.88 },
      { attributes: { type: 'AggregateResult' }, CurrencyIsoCode: 'USD', n: 2, expr0: 23149.88 },
    ]);
  });

  it('answers MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE and filter type errors with Salesforce messages', () => {
    expect(soqlError('SELECT Id FROM')).toEqual({
      errorCode: 'MALFORMED_QUERY',
      message: "\nSELECT Id FROM\n              ^\nERROR at Row:1:Column:15\nunexpected token: '<EOF>'",
    });
    expect(soqlError('SELECT Id, Nope__c FROM Account')).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringContaining("ERROR at Row:1:Column:12\nNo such column 'Nope__c' on entity 'Account'."),
    });
    expect(soqlError('SELECT Id FROM Nope__c').errorCode).toBe('INVALID_TYPE');
    expect(soqlError('SELECT Id, Nope__r.Name FROM Widget__c').message).toContain(
      "Didn't understand relationship 'Nope__r'",
    );
    expect(soqlError('SELECT Id, (SELECT Id FROM Nopes__r) FROM Widget__c').errorCode).toBe('INVALID_TYPE');
    expect(soqlError("SELECT Id FROM Widget__c WHERE Launched__c = '2026-01-01'")).toMatchObject({
      errorCode: 'INVALID_QUERY_FILTER_OPERATOR',
      message: expect.stringContaining(
        "value of filter criterion for field 'Launched__c' must be of type date and should not be enclosed in quotes",
      ),
    });
    expect(soqlError("SELECT Id FROM Widget__c WHERE Price__c = '5'").message).toContain('must be of type double');
    expect(soqlError('SELECT Name, COUNT(Id) FROM Widget__c').errorCode).toBe('MALFORMED_QUERY');
  });

  it('refuses a statement longer than 100,000 characters, as Salesforce does', () => {
    const inList = (n: number) => Array.from({ length: n }, (_, i) => `'${String(i).padStart(36, '0')}'`).join(',');
    const query = (n: number) => `SELECT Id FROM Account WHERE Name IN (${inList(n)})`;
    // The bridge's batched reads: 1,000 Xero ids (36 characters each) stay under the limit; 2,600 would not.
    expect(query(1_000).length).toBeLessThan(SOQL_MAX_CHARS);
    expect(q(query(1_000)).records).toEqual([]);
    expect(soqlError(query(2_600))).toMatchObject({
      errorCode: 'MALFORMED_QUERY',
      message: expect.stringContaining('100000'),
    });
  });

  it('parses quoted strings with escapes and both id lengths', () => {
    const acct = q("SELECT Id FROM Account WHERE Name = 'Dates Ltd'").records[0]!;
    const id15 = String(acct.Id).slice(0, 15);
    expect(names(`SELECT Name FROM Account WHERE Id = '${id15}'`)).toEqual(['Dates Ltd']);
    expect(parseSoql("SELECT Id FROM Account WHERE Name = 'O\\'Brien \\\\ Co'", clock.now()).where).toMatchObject({
      value: { kind: 'string', value: "O'Brien \\ Co" },
    });
  });
});
