'use strict';
// The graphql gate: good and bad queries against the UI API schema built from this repository's force-app, the
// query the Opportunity card shipped in wave 1, file:line reporting in a throw-away project, and the fixture replay.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parse } = require('graphql');
const { REPO_ROOT } = require('./lib');
const { runGates } = require('./index');
const { buildUiApiSchema, uiApiSdl } = require('./uiapi/schema');
const { checkQuery, ownCustomName } = require('./uiapi/rules');
const { extractGqlTemplates } = require('./uiapi/extract');
const { replayFixture, strictSchema } = require('./uiapi/fixtures');

const schema = buildUiApiSchema(REPO_ROOT);
const check = (query) => checkQuery(schema, query, 'ldgr');
const messages = (query) => check(query).map((problem) => problem.message);

/** A top-level Invoice__c selection around `body`, aliased as the rules want. */
const invoices = (body, args = '(first: 10)', variables = '') =>
  `query q${variables} { uiapi { query { Invoice__c: Invoice__c${args} { edges { node { Id ${body} } } } } } }`;

describe('the UI API schema built from force-app', () => {
  const sdl = uiApiSdl(REPO_ROOT);

  it('has custom objects under uiapi.query, in both spellings, as connections', () => {
    expect(sdl).toMatch(
      /^ {2}Invoice__c\(first: Int, after: String, where: Invoice__c_Filter, .*\): Invoice__cConnection$/m,
    );
    expect(sdl).toMatch(/^ {2}ldgr__Invoice__c\(.*\): Invoice__cConnection$/m);
  });

  it('names child relationships <relationshipName>__r and parents <field>__r', () => {
    expect(sdl).toMatch(
      /^ {2}Payments__r\(first: Int, after: String, where: Payment__c_Filter, .*\): Payment__cConnection$/m,
    );
    expect(sdl).toMatch(/^ {2}Invoice__r: Invoice__c$/m);
    expect(sdl).not.toMatch(/^ {2}Payments\(/m);
  });

  it('leaves out platform events, custom metadata types and custom settings', () => {
    expect(sdl).not.toMatch(/Sync_Update__e|Invoice_Request__e|Billing_Entity__mdt|Ledgerline_Settings__c/);
  });

  it('gives a master-detail child no owner', () => {
    const payment = /type Payment__c implements Record \{([^}]*)\}/.exec(sdl)[1];
    expect(payment).not.toMatch(/OwnerId/);
    expect(/type Invoice__c implements Record \{([^}]*)\}/.exec(sdl)[1]).toMatch(/OwnerId: IDValue/);
  });
});

describe('checkQuery', () => {
  it('accepts an aliased query with one level of children, filters, ordering and a parent filter', () => {
    const query = `query q($recordId: ID) {
      uiapi { query {
        Invoice__c: Invoice__c(
          where: { and: [{ Opportunity__c: { eq: $recordId } }, { Status__c: { in: ["Authorised", "Paid"] } }, { Amount_Due__c: { gt: 0 } }] }
          orderBy: { Due_Date__c: { order: ASC, nulls: LAST } }
          first: 50
        ) {
          edges { node {
            Id
            Name { value displayValue }
            Total__c: Total__c { value displayValue }
            Account__r: Account__r { Name { value } Owner { Name { value } } }
            Payments__r: Payments__r(first: 5, orderBy: { Payment_Date__c: { order: ASC } }) {
              edges { node { Id Amount__c: Amount__c { value } } }
            }
          } }
          pageInfo { hasNextPage endCursor }
          totalCount
        }
        Credit_Allocation__c: Credit_Allocation__c(where: { Credit_Note__r: { Invoice__r: { Opportunity__c: { eq: $recordId } } } }, first: 200) {
          edges { node { Id Invoice__r: Invoice__r { Name { value } } } }
        }
        Account(where: { Id: { eq: $recordId } }, first: 1) {
          edges { node { Id Last_Payment_Date__c: Last_Payment_Date__c { value } } }
        }
      } }
    }`;
    expect(check(query)).toEqual([]);
  });

  it("refuses the Opportunity card's wave-1 query: wrong child names, no aliases", () => {
    const wave1 = fs.readFileSync(path.join(__dirname, 'testdata/opportunityInvoices.wave1.graphql'), 'utf8');
    const found = messages(wave1);
    expect(found).toEqual(
      expect.arrayContaining([
        'Cannot query field "Payments" on type "Invoice__c". Did you mean "Payments__r"?',
        'Cannot query field "Credit_Allocations" on type "Invoice__c". Did you mean "Credit_Allocations__r"?',
        'Cannot query field "Credit_Notes" on type "Invoice__c". Did you mean "Credit_Notes__r"?',
        expect.stringMatching(/^Invoice__c needs an alias \(Invoice__c: Invoice__c\)/),
        expect.stringMatching(/^Total__c needs an alias \(Total__c: Total__c\)/),
      ]),
    );
    // with the __r names put right, the grandchild (Credit_Notes → Allocations) is what remains wrong
    const renamed = wave1
      .replace(/\bPayments\(/, 'Payments__r: Payments__r(')
      .replace(/\bCredit_Allocations\(/, 'Credit_Allocations__r: Credit_Allocations__r(')
      .replace(/\bCredit_Notes\(/, 'Credit_Notes__r: Credit_Notes__r(')
      .replace(/\bAllocations\(/, 'Allocations__r: Allocations__r(');
    expect(messages(renamed)).toContain(
      'child relationship Allocations__r is inside child relationship Credit_Notes__r: the GraphQL wire adapter ' +
        'allows one level of child relationships; query Credit_Allocation__c separately',
    );
  });

  it('finds a grandchild reached through a fragment', () => {
    const query = `query q { uiapi { query { Invoice__c: Invoice__c { edges { node { Id
      Credit_Notes__r: Credit_Notes__r { edges { node { ...note } } } } } } } } }
      fragment note on Credit_Note__c { Id Allocations__r: Allocations__r { edges { node { Id } } } }`;
    expect(messages(query)).toEqual([expect.stringMatching(/^child relationship Allocations__r is inside/)]);
  });

  it('requires the alias to be the unprefixed name, whichever spelling is queried', () => {
    expect(check(invoices('Total__c: ldgr__Total__c { value }'))).toEqual([]);
    expect(messages(invoices('ldgr__Total__c { value }'))).toEqual([
      expect.stringMatching(/^ldgr__Total__c needs an alias \(Total__c: ldgr__Total__c\)/),
    ]);
    expect(messages(invoices('total: Total__c { value }'))).toEqual([
      expect.stringMatching(/^Total__c is aliased "total"; alias it to its unprefixed name \(Total__c: Total__c\)/),
    ]);
    expect(messages(invoices('Name { value } Id'))).toEqual([]); // standard names need none
  });

  it('tells custom names of this namespace from standard ones and other namespaces', () => {
    expect(ownCustomName('Total__c', 'ldgr')).toBe('Total__c');
    expect(ownCustomName('ldgr__Payments__r', 'ldgr')).toBe('Payments__r');
    expect(ownCustomName('other__Total__c', 'ldgr')).toBeNull();
    expect(ownCustomName('Amount', 'ldgr')).toBeNull();
  });

  it('holds Id to a bare ID and every other field to { value displayValue }', () => {
    expect(messages(invoices('Id { value }'))).toEqual([
      'Field "Id" must not have a selection since type "ID!" has no subfields.',
    ]);
    expect(messages(invoices('Total__c: Total__c'))).toEqual([
      'Field "Total__c" of type "DoubleValue" must have a selection of subfields. Did you mean "Total__c { ... }"?',
    ]);
    expect(messages(invoices('Total__c: Total__c { amount }'))).toEqual([
      'Cannot query field "amount" on type "DoubleValue".',
    ]);
  });

  it('checks variable types, filters and ordering against the fields', () => {
    expect(messages(invoices('', '(where: { Opportunity__c: { eq: $other } })', '($recordId: ID)'))).toEqual([
      'Variable "$recordId" is never used in operation "q".',
      'Variable "$other" is not defined by operation "q".',
    ]);
    const textVariable = `query q($recordId: String) { uiapi { query { Invoice__c: Invoice__c(where: { Opportunity__c: { eq: $recordId } }) { edges { node { Id } } } } } }`;
    expect(messages(textVariable)).toEqual([
      'Variable "$recordId" of type "String" used in position expecting type "ID".',
    ]);
    expect(messages(invoices('', '(where: { Sync_Message__c: { like: "x%" } })'))).toEqual([
      expect.stringMatching(/type "Invoice__c_Filter" not to include unknown field "Sync_Message__c"/),
    ]);
    expect(messages(invoices('', '(orderBy: { Sync_Message__c: { order: ASC } })'))).toEqual([
      expect.stringMatching(/type "Invoice__c_OrderBy" not to include unknown field "Sync_Message__c"/),
    ]);
  });

  it('refuses a picklist filter value the field does not have: in an org it silently matches nothing', () => {
    const unknown = (value, field = 'Status__c', object = 'Invoice__c') =>
      expect.stringMatching(
        new RegExp(
          `^${object}\\.${field} has no picklist value "${value}" \\(values: .*\\); the filter would match nothing`,
        ),
      );
    expect(messages(invoices('', '(where: { Status__c: { in: ["Authorized", "Paid"] } })'))).toEqual([
      unknown('Authorized'),
    ]);
    expect(messages(invoices('', '(where: { ldgr__Status__c: { eq: "Payed" } })'))).toEqual([unknown('Payed')]);
    // inside and/or/not, through a parent relationship, and on a child connection
    const nested = '(where: { or: [{ not: { Status__c: { ne: "Void" } } }, { Account__r: { Name: { eq: "x" } } }] })';
    expect(messages(invoices('', nested))).toEqual([unknown('Void')]);
    const parent = `query q { uiapi { query { Payment__c: Payment__c(where: { Invoice__r: { Status__c: { nin: ["Draft", "Sent"] } } }) { edges { node { Id } } } } } }`;
    expect(messages(parent)).toEqual([unknown('Sent')]);
    expect(
      messages(
        invoices('Credit_Notes__r: Credit_Notes__r(where: { Status__c: { eq: "Posted" } }) { edges { node { Id } } }'),
      ),
    ).toEqual([unknown('Posted', 'Status__c', 'Credit_Note__c')]);
    // real values pass (picklist comparisons are case-insensitive, as string ones are), and so do variables
    expect(messages(invoices('', '(where: { Status__c: { in: ["Authorised", "partially paid"] } })'))).toEqual([]);
    expect(messages(invoices('', '(where: { Status__c: { eq: $status } })', '($status: Picklist)'))).toEqual([]);
    // a standard picklist's values are the org's own: not checked
    const stage = `query q { uiapi { query { Opportunity(where: { StageName: { eq: "Anything" } }) { edges { node { Id } } } } } }`;
    expect(messages(stage)).toEqual([]);
  });

  it('refuses first above 2000, the most records a query or subquery returns', () => {
    expect(messages(invoices('', '(first: 2000)'))).toEqual([]);
    expect(messages(invoices('', '(first: 2001)'))).toEqual([
      'first: 2001 is more than the 2000 records a query returns; page with after and pageInfo.endCursor',
    ]);
    expect(messages(invoices('Payments__r: Payments__r(first: 5000) { edges { node { Id } } }'))).toEqual([
      'first: 5000 is more than the 2000 records a query returns; page with after and pageInfo.endCursor',
    ]);
  });

  it('allows scope on top-level objects only', () => {
    expect(messages(invoices('', '(scope: MINE)'))).toEqual([]);
    expect(messages(invoices('Payments__r: Payments__r(scope: MINE) { edges { node { Id } } }'))).toEqual(
      expect.arrayContaining(['Unknown argument "scope" on field "Invoice__c.Payments__r".']),
    );
  });

  it('refuses objects that are not UI API objects', () => {
    const query = `query q { uiapi { query { Sync_Update__e { edges { node { Id } } } } } }`;
    expect(messages(query)).toEqual(['Cannot query field "Sync_Update__e" on type "RecordQuery".']);
  });

  it('allows five parent levels and refuses a sixth', () => {
    const chain = (levels) =>
      `query q { uiapi { query { Credit_Allocation__c: Credit_Allocation__c { edges { node { Id ` +
      `Invoice__r: Invoice__r { Account__r: Account__r { ${'Parent { '.repeat(levels - 2)}Name { value }${' }'.repeat(levels - 2)} } } } } } } } }`;
    expect(check(chain(5))).toEqual([]);
    expect(messages(chain(6))).toEqual(['parent relationship Parent is 6 levels deep; at most 5 are allowed']);
  });

  it('refuses variables in @skip and @include, not literals', () => {
    const query = (condition) =>
      `query q($recordId: ID, $more: Boolean!) { uiapi { query { Invoice__c: Invoice__c(where: { Opportunity__c: { eq: $recordId } }) { edges { node { Id Name @include(if: ${condition}) { value } } } } } } }`;
    expect(messages(query('$more'))).toEqual([
      expect.stringMatching(/^@include\(if: \$more\): the GraphQL wire adapter does not support variables/),
    ]);
    expect(messages(query('true'))).toEqual(['Variable "$more" is never used in operation "q".']);
  });

  it('reports a syntax error where it is', () => {
    expect(check('query q { uiapi { query { Invoice__c: Invoice__c { edges { node { Id } }')).toEqual([
      { line: 1, column: 73, message: 'Syntax Error: Expected Name, found <EOF>.' },
    ]);
  });
});

describe('extractGqlTemplates', () => {
  it('finds each template with the line and column its text starts at', () => {
    const source =
      "import { gql } from 'lightning/graphql';\n\nconst A = gql`\n  query a { x }\n`;\nconst B = gql`query b { y }`;\n";
    expect(extractGqlTemplates(source)).toEqual([
      { text: '\n  query a { x }\n', line: 3, column: 15, interpolations: [] },
      { text: 'query b { y }', line: 6, column: 15, interpolations: [] },
    ]);
  });

  it('marks ${} interpolations, which cannot be checked', () => {
    const [template] = extractGqlTemplates('const A = gql`\n  query a {\n    ${FIELDS}\n  }\n`;\n');
    expect(template.interpolations).toEqual([3]);
  });
});

describe('the graphql gate in a project', () => {
  let project;
  const write = (relative, text) => {
    fs.mkdirSync(path.dirname(path.join(project, relative)), { recursive: true });
    fs.writeFileSync(path.join(project, relative), text);
    return relative;
  };

  beforeEach(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'ldgr-graphql-gate-'));
    fs.copyFileSync(path.join(REPO_ROOT, 'sfdx-project.json'), path.join(project, 'sfdx-project.json'));
    fs.cpSync(
      path.join(REPO_ROOT, 'force-app/main/default/objects'),
      path.join(project, 'force-app/main/default/objects'),
      {
        recursive: true,
      },
    );
  });

  afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

  const problems = () => runGates(project, ['graphql'])[0].problems;

  it('reports each problem at its line in the component file, and skips Jest tests', () => {
    const file = write(
      'force-app/main/default/lwc/card/card.js',
      [
        "import { gql } from 'lightning/graphql';",
        'const QUERY = gql`',
        '  query card {',
        '    uiapi { query { Invoice__c: Invoice__c { edges { node {',
        '      Id',
        '      Payments { edges { node { Id } } }',
        '    } } } } }',
        '  }',
        '`;',
        'export default QUERY;',
      ].join('\n'),
    );
    write('force-app/main/default/lwc/card/__tests__/card.test.js', 'const q = gql`query broken {`;\n');
    expect(problems()).toEqual([
      {
        file,
        line: 6,
        message: 'Cannot query field "Payments" on type "Invoice__c". Did you mean "Payments__r"? (column 7)',
      },
    ]);
  });

  it('reports an interpolated query as unverifiable', () => {
    const file = write(
      'force-app/main/default/lwc/card/card.js',
      "const FIELDS = 'Id';\nconst QUERY = gql`\n  query card { uiapi { query { Invoice__c: Invoice__c { edges { node { ${FIELDS} } } } } } }\n`;\n",
    );
    expect(problems()).toEqual([{ file, line: 3, message: expect.stringMatching(/interpolation cannot be checked/) }]);
  });

  it('passes the package as it is', () => {
    expect(runGates(REPO_ROOT, ['graphql'])[0]).toMatchObject({ problems: [], checked: expect.any(Number) });
    expect(runGates(REPO_ROOT, ['graphql'])[0].checked).toBeGreaterThanOrEqual(2);
  });
});

describe('replayFixture', () => {
  const strict = strictSchema(REPO_ROOT);
  const document = parse(invoices('Total__c: Total__c { value } Due_Date__c: Due_Date__c { value }'));
  const fixture = (node) => ({ uiapi: { query: { Invoice__c: { edges: [{ node }] } } } });
  const good = { Id: 'a0B5g00000AbCd1EAF', Total__c: { value: 10.5 }, Due_Date__c: { value: '2026-12-01' } };

  it('gives back a fixture that is exactly the response', () => {
    expect(replayFixture(strict, document, fixture(good))).toEqual({ errors: [], data: fixture(good) });
  });

  it('tells a namespaced or extra key, a missing field and a wrong value kind apart from the response', () => {
    const { Total__c: total, ...rest } = good;
    const namespaced = replayFixture(strict, document, fixture({ ...rest, ldgr__Total__c: total }));
    expect(namespaced.data).not.toEqual(fixture({ ...rest, ldgr__Total__c: total }));
    const extra = replayFixture(strict, document, fixture({ ...good, Status__c: { value: 'Paid' } }));
    expect(extra.data).not.toEqual(fixture({ ...good, Status__c: { value: 'Paid' } }));
    expect(replayFixture(strict, document, fixture({ ...good, Id: undefined })).errors).toEqual([
      expect.stringMatching(/Cannot return null for non-nullable field Invoice__c\.Id/),
    ]);
    expect(replayFixture(strict, document, fixture({ ...good, Total__c: { value: '10.50' } })).errors).toEqual([
      expect.stringMatching(/"10\.50" is not a Double value/),
    ]);
    expect(replayFixture(strict, document, fixture({ ...good, Due_Date__c: { value: '01/12/2026' } })).errors).toEqual([
      expect.stringMatching(/is not a Date value/),
    ]);
  });
});
