'use strict';
// The 2GP scripts cannot reach a Dev Hub here. What they would run is checked instead: the exact sf command lines,
// their refusals, and every flag and value against the installed Salesforce CLI's own command manifest, the judge of
// whether `sf` would accept them.
const fs = require('node:fs');
const path = require('node:path');
const { SF_DIR, salesforceCli } = require('../force-app-gates/lib');
const { createArgs } = require('./create');
const { versionCreateArgs, main: versionCreate } = require('./version-create');
const { promoteArgs } = require('./promote');
const { REPO_ROOT, readProject, printable } = require('./lib');

const repoProject = readProject();
const created = (aliases) => ({ ...structuredClone(repoProject), packageAliases: aliases });
const PACKAGE_ID = '0Ho5g000000XyZaCAK';
const VERSION_ID = '04t5g000000AbCdAAK';

/** Checks `sf <command> args` against the CLI's manifest: known flags, values where a flag takes one, allowed options. */
function cliProblems(args) {
  salesforceCli();
  const manifest = JSON.parse(
    fs.readFileSync(
      path.join(SF_DIR, 'node_modules', '@salesforce', 'plugin-packaging', 'oclif.manifest.json'),
      'utf8',
    ),
  );
  const words = args.slice(
    0,
    args.findIndex((a) => a.startsWith('-')),
  );
  const command = manifest.commands[words.join(':')];
  if (!command) return [`no command sf ${words.join(' ')}`];
  const problems = [];
  const flags = args.slice(words.length);
  for (let i = 0; i < flags.length; i++) {
    const name = flags[i].replace(/^--/, '');
    const flag = command.flags[name];
    if (!flag) {
      problems.push(`unknown flag --${name}`);
      continue;
    }
    if (flag.type === 'boolean') continue;
    const value = flags[++i];
    if (value === undefined || value.startsWith('--')) problems.push(`--${name} needs a value`);
    else if (flag.options && !flag.options.includes(value)) problems.push(`--${name} ${value} not in ${flag.options}`);
  }
  return problems;
}

describe('sfdx-project.json is ready for 2GP', () => {
  test('one managed package, built in the org its definition file describes, with the approval folder for its tests', () => {
    const packaged = repoProject.packageDirectories.filter((d) => d.package);
    expect(packaged).toEqual([
      expect.objectContaining({
        path: 'force-app',
        package: 'Ledgerline',
        versionNumber: expect.stringMatching(/^\d+\.\d+\.\d+\.NEXT$/),
        definitionFile: 'config/project-scratch-def.json',
        unpackagedMetadata: { path: 'force-app-unpackaged' },
      }),
    ]);
    expect(repoProject.namespace).toBe('ldgr');
    expect(repoProject.packageAliases).toEqual({});
    expect(fs.existsSync(path.join(REPO_ROOT, packaged[0].definitionFile))).toBe(true);
  });
});

describe('create.js', () => {
  test('registers the managed package under the project namespace', () => {
    const args = createArgs(repoProject, { targetDevHub: 'devhub' });
    expect(args).toEqual([
      'package',
      'create',
      '--name',
      'Ledgerline',
      '--package-type',
      'Managed',
      '--path',
      'force-app',
      '--description',
      repoProject.packageDirectories[0].versionDescription,
      '--target-dev-hub',
      'devhub',
    ]);
    expect(cliProblems(args)).toEqual([]);
  });

  test('refuses to create it twice', () => {
    expect(() => createArgs(created({ Ledgerline: PACKAGE_ID }), { targetDevHub: 'devhub' })).toThrow(
      `package Ledgerline exists already (${PACKAGE_ID} in packageAliases)`,
    );
  });
});

describe('version-create.js', () => {
  const project = created({ Ledgerline: PACKAGE_ID });

  test('builds with code coverage, the installation key and the build-org definition', () => {
    const args = versionCreateArgs(project, { targetDevHub: 'devhub', installationKey: 's3cret-key' });
    expect(args).toEqual([
      'package',
      'version',
      'create',
      '--package',
      'Ledgerline',
      '--code-coverage',
      '--installation-key',
      's3cret-key',
      '--definition-file',
      'config/project-scratch-def.json',
      '--version-number',
      '0.1.0.NEXT',
      '--wait',
      '60',
      '--target-dev-hub',
      'devhub',
    ]);
    expect(cliProblems(args)).toEqual([]);
    expect(printable(args)).toContain('--installation-key **** --definition-file');
    expect(printable(args)).not.toContain('s3cret-key');
    const bypass = versionCreateArgs(project, { targetDevHub: 'devhub', bypass: true, versionNumber: '0.2.0.NEXT' });
    expect(bypass).toEqual(expect.arrayContaining(['--installation-key-bypass', '0.2.0.NEXT']));
    expect(cliProblems(bypass)).toEqual([]);
  });

  test('reads the key from the environment and prints it masked; refuses without one, or before create', () => {
    const lines = [];
    const log = jest.spyOn(console, 'log').mockImplementation((line) => lines.push(line));
    try {
      expect(
        versionCreate(['--target-dev-hub', 'devhub', '--print'], project, { LEDGERLINE_INSTALLATION_KEY: 'k3y' }),
      ).toBe(0);
      expect(lines).toEqual([
        expect.stringMatching(
          /^sf package version create --package Ledgerline --code-coverage --installation-key \*\*\*\* /,
        ),
      ]);
    } finally {
      log.mockRestore();
    }
    expect(() => versionCreate(['--target-dev-hub', 'devhub', '--print'], project, {})).toThrow(
      /no installation key: set LEDGERLINE_INSTALLATION_KEY/,
    );
    expect(() => versionCreate(['--target-dev-hub', 'devhub', '--installation-key', 'typed'], project, {})).toThrow(
      /Unknown option '--installation-key'/,
    );
    expect(() => versionCreateArgs(repoProject, { targetDevHub: 'devhub', installationKey: 'k' })).toThrow(
      'package Ledgerline is not in packageAliases: run scripts/package/create.js first',
    );
  });
});

describe('promote.js', () => {
  const project = created({ Ledgerline: PACKAGE_ID, 'Ledgerline@0.1.0-1': VERSION_ID });

  test('promotes a version the project knows, by alias or id', () => {
    const args = promoteArgs(project, { targetDevHub: 'devhub', packageVersion: 'Ledgerline@0.1.0-1' });
    expect(args).toEqual([
      'package',
      'version',
      'promote',
      '--package',
      'Ledgerline@0.1.0-1',
      '--no-prompt',
      '--target-dev-hub',
      'devhub',
    ]);
    expect(cliProblems(args)).toEqual([]);
    expect(promoteArgs(project, { targetDevHub: 'devhub', packageVersion: VERSION_ID })).toContain(VERSION_ID);
  });

  test('refuses a version it does not know', () => {
    expect(() => promoteArgs(project, { targetDevHub: 'devhub', packageVersion: 'Ledgerline@9.9.9-1' })).toThrow(
      'Ledgerline@9.9.9-1 is not a version of Ledgerline in packageAliases (known: Ledgerline@0.1.0-1)',
    );
  });
});

test('the README installs with flags the CLI knows', () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const commands = [...readme.matchAll(/^\s*sf (package [^\n]+)$/gm)].map((m) =>
    m[1].replace(/\s+#.*$/, '').split(/\s+/),
  );
  expect(commands.length).toBeGreaterThan(0);
  for (const args of commands) expect([args.join(' '), cliProblems(args)]).toEqual([args.join(' '), []]);
});
