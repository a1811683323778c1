#!/usr/bin/env node
'use strict';
// Step 3 of a release: promotes a tested package version to released (sf package version promote), so customers'
// production orgs can install it. A released version cannot be deleted, and its components can no longer be removed
// from the package. After the first release, set "ancestorVersion": "HIGHEST" on the package directory in
// sfdx-project.json so later versions upgrade from it.
//
// Usage: node scripts/package/promote.js --target-dev-hub <alias> --package-version <Ledgerline@x.y.z-n | 04t…> [--print]
const { parseArgs } = require('node:util');
const { readProject, packagedDirectory, runSf, cli } = require('./lib');

const USAGE =
  'Usage: node scripts/package/promote.js --target-dev-hub <alias> --package-version <alias or 04t id> [--print]';
const VERSION_ID = /^04t[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/;

/** The sf command that promotes one version of this project's package; the version must be one the project knows. */
function promoteArgs(project, { targetDevHub, packageVersion }) {
  const dir = packagedDirectory(project);
  const aliases = project.packageAliases ?? {};
  const known = VERSION_ID.test(packageVersion)
    ? Object.values(aliases).includes(packageVersion)
    : packageVersion.startsWith(`${dir.package}@`) && VERSION_ID.test(aliases[packageVersion] ?? '');
  if (!known) {
    const versions = Object.keys(aliases).filter((a) => a.startsWith(`${dir.package}@`));
    throw new Error(
      `${packageVersion} is not a version of ${dir.package} in packageAliases (known: ${versions.join(', ') || 'none; run version-create.js'})`,
    );
  }
  return [
    'package',
    'version',
    'promote',
    '--package',
    packageVersion,
    '--no-prompt',
    '--target-dev-hub',
    targetDevHub,
  ];
}

function main(argv, project = readProject()) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'target-dev-hub': { type: 'string', short: 'v' },
      'package-version': { type: 'string', short: 'p' },
      print: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values['target-dev-hub']) throw new Error('--target-dev-hub is required');
  if (!values['package-version']) throw new Error('--package-version is required');
  const code = runSf(
    promoteArgs(project, { targetDevHub: values['target-dev-hub'], packageVersion: values['package-version'] }),
    { print: values.print },
  );
  const dir = packagedDirectory(project);
  if (code === 0 && !values.print && !dir.ancestorVersion) {
    console.log('Released. Next: set "ancestorVersion": "HIGHEST" on force-app in sfdx-project.json, then commit.');
  }
  return code;
}

if (require.main === module) cli(main, USAGE);

module.exports = { promoteArgs, main };
