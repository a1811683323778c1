'use strict';
// Each gate is fed a known-bad file in a throw-away SFDX project and must fail, naming the file and line.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { flagGatesThatCheckedNothing, runGates } = require('./index');
const { REPO_ROOT } = require('./lib');

const { sourceApiVersion } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'sfdx-project.json'), 'utf8'));
const META = (type, apiVersion = sourceApiVersion) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${type} xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>${apiVersion}</apiVersion>\n    <status>Active</status>\n</${type}>\n`;

const GOOD_CLASS = `/**
 * @description A class the gates accept.
 */
public with sharing class Greeter {
    /**
     * @description Says hello.
     * @param name who to greet
     * @return the greeting
     */
    public static String greet(String name) {
        return 'Hello ' + name;
    }
}
`;

let project;

function write(relative, text) {
  const file = path.join(project, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return relative;
}

function addClass(name, body) {
  write(`force-app/main/default/classes/${name}.cls-meta.xml`, META('ApexClass'));
  return write(`force-app/main/default/classes/${name}.cls`, body);
}

function problemsOf(gate) {
  const [result] = runGates(project, [gate]);
  return result.problems;
}

beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'ldgr-gates-'));
  fs.copyFileSync(path.join(REPO_ROOT, 'sfdx-project.json'), path.join(project, 'sfdx-project.json'));
  fs.cpSync(path.join(REPO_ROOT, 'config'), path.join(project, 'config'), { recursive: true });
  addClass('Greeter', GOOD_CLASS);
});

afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

test('a clean project passes every gate', () => {
  const results = runGates(project);
  expect(results.map((r) => [r.gate, r.problems])).toEqual([
    ['project', []],
    ['xml', []],
    ['apex-parse', []],
    ['apex-ls', []],
    ['apex-names', []],
    ['pmd', []],
    ['convert', []],
    ['graphql', []],
    ['package-permsets', []],
  ]);
});

test('on this repository, a gate that checked nothing fails instead of passing', () => {
  const results = flagGatesThatCheckedNothing([
    { gate: 'graphql', problems: [], checked: 0 },
    { gate: 'xml', problems: [], checked: 12 },
  ]);
  expect(results.map((r) => [r.gate, r.problems.map((p) => p.message)])).toEqual([
    ['graphql', ['the graphql gate found nothing to check']],
    ['xml', []],
  ]);
});

function editJson(relative, change) {
  const file = path.join(project, relative);
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  change(data);
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

test("project gate holds sfdx-project.json to Salesforce's published schema and the 2GP essentials", () => {
  editJson('sfdx-project.json', (p) => {
    p.packageAlias = {}; // misspelt: the schema allows no unknown key
    p.packageDirectories[0].versionNumber = 1; // must be a string
    delete p.packageDirectories[0].definitionFile;
    delete p.packageAliases;
  });
  const messages = problemsOf('project').map((p) => `${p.file}:${p.line}: ${p.message}`);
  expect(messages).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^sfdx-project\.json:\d+: \/ must NOT have additional properties \(packageAlias\)$/),
      expect.stringMatching(/^sfdx-project\.json:\d+: \/packageDirectories\/0\/versionNumber must be string$/),
      expect.stringMatching(/package Ledgerline has no definitionFile/),
      expect.stringMatching(/no packageAliases/),
    ]),
  );
});

test('project gate holds the scratch definition to the schema, and to the keys and settings it lists', () => {
  editJson('config/project-scratch-def.json', (d) => {
    d.edition = 'Developper';
    d.features.push('MultiCurency');
    d.featurs = ['MultiCurrency'];
    d.settings.currencySetting = { enableMultiCurrency: true };
  });
  const messages = problemsOf('project').map((p) => `${p.file}: ${p.message}`);
  expect(messages).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^config\/project-scratch-def\.json: \/edition must be equal to one of the allowed values/),
      expect.stringMatching(/^config\/project-scratch-def\.json: \/features\/2 must match/),
      'config/project-scratch-def.json: unknown key "featurs"',
      'config/project-scratch-def.json: unknown settings "currencySetting"',
    ]),
  );
});

test('project gate wants the current API version everywhere', () => {
  editJson('sfdx-project.json', (p) => {
    p.sourceApiVersion = '62.0';
  });
  write('force-app/main/default/classes/Greeter.cls-meta.xml', META('ApexClass', '61.0'));
  const problems = problemsOf('project');
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        file: 'sfdx-project.json',
        message: expect.stringMatching(/^sourceApiVersion 62\.0 is older than the current release's \d+\.0/),
      }),
      {
        file: 'force-app/main/default/classes/Greeter.cls-meta.xml',
        line: 3,
        message: 'apiVersion 61.0, but sourceApiVersion is 62.0',
      },
    ]),
  );
});

test('xml gate names a malformed meta file and its line', () => {
  const file = write(
    'force-app/main/default/objects/Thing__c/Thing__c.object-meta.xml',
    '<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject>\n    <label>Thing</labl>\n</CustomObject>\n',
  );
  const problems = problemsOf('xml');
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatchObject({ file, line: 3 });
});

test('apex-parse gate counts syntax errors even though the parser exits cleanly', () => {
  const file = addClass('Broken', 'public with sharing class Broken {\n    public void go( {\n    }\n}\n');
  const problems = problemsOf('apex-parse');
  expect(problems.length).toBeGreaterThan(0);
  expect(problems[0]).toMatchObject({ file, line: 2 });
  expect(problems[0].message).toMatch(/^syntax:/);
});

test('apex-ls gate fails on an unknown field and an unknown type', () => {
  const file = addClass(
    'UsesUnknowns',
    'public with sharing class UsesUnknowns {\n    public static void go() {\n        Account a = new Account(No_Such_Field__c = 1);\n        Strin s;\n    }\n}\n',
  );
  const problems = problemsOf('apex-ls');
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ file, line: 3, message: expect.stringMatching(/Unknown field 'No_Such_Field__c'/) }),
      expect.objectContaining({
        file,
        line: 4,
        message: expect.stringMatching(/No type declaration found for 'Strin'/),
      }),
    ]),
  );
});

const FIELD = (name, type, extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">\n    <fullName>${name}</fullName>\n    <label>${name}</label>\n    <type>${type}</type>${extra}\n</CustomField>\n`;

test('apex-names gate fails on custom names apex-ls lets through: in SOQL, on standard objects, labels', () => {
  write('force-app/main/default/objects/Invoice__c/fields/Status__c.field-meta.xml', FIELD('Status__c', 'Text'));
  write(
    'force-app/main/default/objects/Payment__c/fields/Invoice__c.field-meta.xml',
    FIELD(
      'Invoice__c',
      'Lookup',
      '\n    <referenceTo>Invoice__c</referenceTo>\n    <relationshipName>Payments</relationshipName>',
    ),
  );
  write(
    'force-app/main/default/objects/Invoice__c/fields/Opportunity__c.field-meta.xml',
    FIELD(
      'Opportunity__c',
      'Lookup',
      '\n    <referenceTo>Opportunity</referenceTo>\n    <relationshipName>Invoices</relationshipName>',
    ),
  );
  write('force-app/main/default/objects/Opportunity/fields/PO_Number__c.field-meta.xml', FIELD('PO_Number__c', 'Text'));
  const soql = [
    'SELECT Id, Status__c, Opportunity__r.PO_Number__c, Opportunity__r.Account.Name,',
    '(SELECT Id FROM Payments__r) FROM Invoice__c WHERE Opportunity__r.IsWon = true',
  ].join(' ');
  const good = addClass(
    'Names',
    `public with sharing class Names {\n    public static void go(Opportunity o) {\n        List<Invoice__c> rows = [${soql}];\n        String n = o.PO_Number__c;\n    }\n}\n`,
  );
  expect(problemsOf('apex-names')).toEqual([]);
  const bad = [
    'SELECT Id, Statuz__c, Opportunity__r.PO_Numbr__c, Opportunitx__r.Name,',
    '(SELECT Id FROM Paymentz__r) FROM Invoice__c WHERE Opportunity__r.Is_Won__c = true',
  ].join(' ');
  addClass(
    'Names',
    `public with sharing class Names {\n    public static void go(Opportunity o) {\n        List<Invoice__c> rows = [${bad}];\n        String n = o.PO_Numbr__c + Label.No_Such_Label;\n    }\n}\n`,
  );
  const messages = problemsOf('apex-names').map((p) => `${p.file}:${p.line}: ${p.message}`);
  expect(messages).toEqual(
    expect.arrayContaining([
      `${good}:3: no field Statuz__c on Invoice__c`,
      `${good}:3: no field PO_Numbr__c on Opportunity`,
      `${good}:3: no relationship Opportunitx__r on Invoice__c`,
      `${good}:3: no child relationship Paymentz__r on Invoice__c`,
      `${good}:3: no field Is_Won__c on Opportunity`,
      `${good}:4: unknown name PO_Numbr__c`,
      `${good}:4: unknown label Label.No_Such_Label`,
    ]),
  );
});

test('pmd gate fails on a rule violation', () => {
  const file = addClass(
    'NoSharing',
    '/**\n * @description Missing sharing.\n */\npublic class NoSharing {\n    /**\n     * @description Query in a loop.\n     */\n    public static void go() {\n        for (Integer i = 0; i < 2; i++) {\n            List<Account> rows = [SELECT Id FROM Account WITH USER_MODE LIMIT 1];\n        }\n    }\n}\n',
  );
  const problems = problemsOf('pmd');
  const rules = problems.filter((p) => p.file === file).map((p) => p.message.split(':')[0]);
  expect(rules).toEqual(expect.arrayContaining(['ApexSharingViolations', 'OperationWithLimitsInLoop']));
});

test('pmd gate accepts a suppression only with a written reason', () => {
  const body = (comment) =>
    `/**\n * @description Suppressed.\n */\n${comment}\n@SuppressWarnings('PMD.ApexSharingViolations')\npublic class Suppressed {\n    /**\n     * @description Nothing.\n     */\n    public static void go() {\n        return;\n    }\n}\n`;
  const file = addClass('Suppressed', body(''));
  expect(problemsOf('pmd')).toEqual([
    expect.objectContaining({ file, line: 5, message: expect.stringMatching(/without a written reason/) }),
  ]);
  addClass('Suppressed', body('// Runs from a system context by design: the caller has already checked access.'));
  expect(problemsOf('pmd')).toEqual([]);
});

test('convert gate fails on a file the CLI cannot place', () => {
  write('force-app/main/default/bogusFolder/Thing.bogus-meta.xml', '<?xml version="1.0"?><Thing/>\n');
  const problems = problemsOf('convert');
  expect(problems).toHaveLength(1);
  expect(problems[0].file).toBe('force-app/main/default/bogusFolder/Thing.bogus-meta.xml');
  expect(problems[0].message).toMatch(/Could not infer a metadata type/);
});

test('convert gate fails when a component is left out of the package', () => {
  fs.rmSync(path.join(project, 'force-app/main/default/classes/Greeter.cls-meta.xml'));
  const problems = problemsOf('convert');
  expect(problems.map((p) => p.message)).toContain('converted package is missing ApexClass:Greeter');
});

test('convert gate expects report and dashboard folders, their items, list views and validation rules', () => {
  const { expectedComponents } = require('./convert');
  const dir = 'force-app/main/default';
  write(`${dir}/reports/Finance.reportFolder-meta.xml`, FOLDER('ReportFolder', 'Finance'));
  write(`${dir}/reports/Finance/Ageing.report-meta.xml`, REPORT);
  write(`${dir}/dashboards/Boards.dashboardFolder-meta.xml`, FOLDER('DashboardFolder', 'Boards'));
  write(`${dir}/objects/Thing__c/listViews/Open.listView-meta.xml`, LIST_VIEW);
  write(`${dir}/objects/Thing__c/validationRules/Positive.validationRule-meta.xml`, RULE);
  expect([...expectedComponents(project)].sort()).toEqual([
    'ApexClass:Greeter',
    'Dashboard:Boards/',
    'ListView:Thing__c.Open',
    'Report:Finance/',
    'Report:Finance/Ageing',
    'ValidationRule:Thing__c.Positive',
  ]);
});

test('convert gate passes a report in its folder: the CLI lists the folder and the report', () => {
  const dir = 'force-app/main/default';
  write(`${dir}/reports/Finance.reportFolder-meta.xml`, FOLDER('ReportFolder', 'Finance'));
  write(`${dir}/reports/Finance/Ageing.report-meta.xml`, REPORT);
  const [result] = runGates(project, ['convert']);
  expect(result.problems).toEqual([]);
  expect(result.checked).toBe(3); // Greeter, the folder and the report
});

function FOLDER(type, name) {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${type} xmlns="http://soap.sforce.com/2006/04/metadata">\n    <accessType>Public</accessType>\n    <name>${name}</name>\n    <publicFolderAccess>ReadOnly</publicFolderAccess>\n</${type}>\n`;
}
const REPORT = `<?xml version="1.0" encoding="UTF-8"?>\n<Report xmlns="http://soap.sforce.com/2006/04/metadata">\n    <columns>\n        <field>ACCOUNT.NAME</field>\n    </columns>\n    <format>Tabular</format>\n    <name>Ageing</name>\n    <reportType>AccountList</reportType>\n    <scope>organization</scope>\n    <showDetails>true</showDetails>\n</Report>\n`;
const LIST_VIEW = `<?xml version="1.0" encoding="UTF-8"?>\n<ListView xmlns="http://soap.sforce.com/2006/04/metadata">\n    <fullName>Open</fullName>\n    <filterScope>Everything</filterScope>\n    <label>Open</label>\n</ListView>\n`;
const RULE = `<?xml version="1.0" encoding="UTF-8"?>\n<ValidationRule xmlns="http://soap.sforce.com/2006/04/metadata">\n    <fullName>Positive</fullName>\n    <active>true</active>\n    <errorConditionFormula>false</errorConditionFormula>\n    <errorMessage>Never</errorMessage>\n</ValidationRule>\n`;

// ── package-permsets ────────────────────────────────────────────────────────────────────────────────────────────────

const PERMISSION_SETS = 'main/default/permissionsets';
const BRIDGE_SET = `force-app/${PERMISSION_SETS}/Ledgerline_Integration.permissionset-meta.xml`;
const STANDARD_ACCESS_SET = `force-app-unpackaged/${PERMISSION_SETS}/Ledgerline_Integration_Standard_Access.permissionset-meta.xml`;
const entriesOf = (text, tag) => text.match(new RegExp(`\\n    <${tag}>[\\s\\S]*?</${tag}>`, 'g')) ?? [];

test('package-permsets gate refuses standard-object and standard-field grants in a packaged set only', () => {
  const set = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">',
    '    <fieldPermissions>',
    '        <editable>true</editable>',
    '        <field>Opportunity.Amount_Due__c</field>',
    '        <readable>true</readable>',
    '    </fieldPermissions>',
    '    <fieldPermissions>',
    '        <editable>false</editable>',
    '        <field>Opportunity.Amount</field>',
    '        <readable>true</readable>',
    '    </fieldPermissions>',
    '    <label>Bridge</label>',
    '    <objectPermissions>',
    '        <allowRead>true</allowRead>',
    '        <object>Invoice__c</object>',
    '    </objectPermissions>',
    '    <objectPermissions>',
    '        <allowRead>true</allowRead>',
    '        <object>Opportunity</object>',
    '    </objectPermissions>',
    '</PermissionSet>',
    '',
  ].join('\n');
  const packaged = write(`force-app/${PERMISSION_SETS}/Bridge.permissionset-meta.xml`, set);
  write(`force-app-unpackaged/${PERMISSION_SETS}/Bridge_Standard.permissionset-meta.xml`, set);
  const problems = problemsOf('package-permsets');
  expect(problems.map((p) => `${p.file}:${p.line}: ${p.message.split(':')[0]}`)).toEqual([
    `${packaged}:20: objectPermissions on the standard object Opportunity in a packaged permission set`,
    `${packaged}:10: fieldPermissions on the standard field Opportunity.Amount in a packaged permission set`,
  ]);
  for (const problem of problems) {
    expect(problem.message).toContain("You can't include object permissions for standard objects in managed packages");
  }
});

test("package-permsets gate fails on the bridge's set as it was (standard access packaged) and passes it as it is", () => {
  const standard = fs.readFileSync(path.join(REPO_ROOT, STANDARD_ACCESS_SET), 'utf8');
  const current = fs.readFileSync(path.join(REPO_ROOT, BRIDGE_SET), 'utf8');
  write(BRIDGE_SET, current);
  write(STANDARD_ACCESS_SET, standard);
  expect(problemsOf('package-permsets')).toEqual([]);

  // before the fix, the packaged set held the standard set's entries itself
  const fields = entriesOf(standard, 'fieldPermissions');
  const objectGrants = entriesOf(standard, 'objectPermissions');
  const before = current
    .replace('\n    <hasActivationRequired>', `${fields.join('')}\n    <hasActivationRequired>`)
    .replace('\n</PermissionSet>', `${objectGrants.join('')}\n</PermissionSet>`);
  write(BRIDGE_SET, before);
  const named = problemsOf('package-permsets').map((p) => /standard (?:object|field) (\S+) /.exec(p.message)[1]);
  expect(named.sort()).toEqual(
    expect.arrayContaining(['Account', 'Contact', 'Opportunity', 'Opportunity.Amount', 'Pricebook2', 'Product2']),
  );
  expect(named).toHaveLength(fields.length + objectGrants.length);
  expect(objectGrants).toHaveLength(5);
});
