#!/usr/bin/env node
'use strict';
// Step 2 of every release: builds a package version (sf package version create) in a build org shaped by the
// package directory's definitionFile, runs the package's Apex tests there (--code-coverage: a version can be promoted
// only with 75 % coverage), with force-app-unpackaged deployed beside it for the tests (unpackagedMetadata). The CLI
// adds the version id (04t…) to packageAliases as "Ledgerline@x.y.z-n"; commit that change.
//
// The installation key protects the version from installs by anyone who merely has its id. It is read from an
// environment variable, never the command line you type (shell history); --installation-key-bypass builds a version
// anyone with the id may install.
//
// Usage: node scripts/package/version-create.js --target-dev-hub <alias>
//          [--installation-key-env LEDGERLINE_INSTALLATION_KEY | --installation-key-bypass]
//          [--version-number 0.1.0.NEXT] [--wait 60] [--print]
const { parseArgs } = require('node:util');
const { readProject, packagedDirectory, runSf, cli } = require('./lib');

const USAGE =
  'Usage: node scripts/package/version-create.js --target-dev-hub <alias> ' +
  '[--installation-key-env NAME | --installation-key-bypass] [--version-number x.y.z.NEXT] [--wait minutes] [--print]';
const DEFAULT_KEY_ENV = 'LEDGERLINE_INSTALLATION_KEY';

/** The sf command that builds the next version; refuses without a key (or the explicit bypass) or a created package. */
function versionCreateArgs(project, options) {
  const dir = packagedDirectory(project);
  if (!project.packageAliases?.[dir.package]) {
    throw new Error(`package ${dir.package} is not in packageAliases: run scripts/package/create.js first`);
  }
  if (!dir.definitionFile) throw new Error(`package directory ${dir.path} has no definitionFile for the build org`);
  if (options.installationKey === undefined && !options.bypass) {
    throw new Error(
      `no installation key: set ${options.keyEnv ?? DEFAULT_KEY_ENV} (or name another variable with --installation-key-env), ` +
        'or pass --installation-key-bypass for a version anyone with its id may install',
    );
  }
  if (options.installationKey !== undefined && options.bypass) {
    throw new Error('an installation key and --installation-key-bypass exclude each other');
  }
  return [
    'package',
    'version',
    'create',
    '--package',
    dir.package,
    '--code-coverage',
    ...(options.bypass ? ['--installation-key-bypass'] : ['--installation-key', options.installationKey]),
    '--definition-file',
    dir.definitionFile,
    '--version-number',
    options.versionNumber ?? dir.versionNumber,
    '--wait',
    String(options.wait ?? 60),
    '--target-dev-hub',
    options.targetDevHub,
  ];
}

function main(argv, project = readProject(), env = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'target-dev-hub': { type: 'string', short: 'v' },
      'installation-key-env': { type: 'string', default: DEFAULT_KEY_ENV },
      'installation-key-bypass': { type: 'boolean', default: false },
      'version-number': { type: 'string' },
      wait: { type: 'string', default: '60' },
      print: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values['target-dev-hub']) throw new Error('--target-dev-hub is required');
  if (!/^\d+$/.test(values.wait)) throw new Error('--wait takes whole minutes');
  const keyEnv = values['installation-key-env'];
  const key = env[keyEnv] ? env[keyEnv] : undefined;
  const args = versionCreateArgs(project, {
    targetDevHub: values['target-dev-hub'],
    installationKey: values['installation-key-bypass'] ? undefined : key,
    bypass: values['installation-key-bypass'],
    keyEnv,
    versionNumber: values['version-number'],
    wait: Number(values.wait),
  });
  return runSf(args, { print: values.print });
}

if (require.main === module) cli(main, USAGE);

module.exports = { versionCreateArgs, main, DEFAULT_KEY_ENV };
