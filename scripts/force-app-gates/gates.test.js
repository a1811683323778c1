'use strict';
// Each gate is fed a known-bad file in a throw-away SFDX project and must fail, naming the file and line.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runGates } = require('./index');
const { REPO_ROOT } = require('./lib');

const META = (type) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${type} xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>65.0</apiVersion>\n    <status>Active</status>\n</${type}>\n`;

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
  addClass('Greeter', GOOD_CLASS);
});

afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

test('a clean project passes every gate', () => {
  const results = runGates(project);
  expect(results.map((r) => [r.gate, r.problems])).toEqual([
    ['xml', []],
    ['apex-parse', []],
    ['apex-ls', []],
    ['pmd', []],
    ['convert', []],
    ['graphql', []],
  ]);
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
