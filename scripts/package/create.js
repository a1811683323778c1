#!/usr/bin/env node
'use strict';
// Step 1 of a release, once ever: registers the managed package in the Dev Hub (sf package create). The namespace
// (sfdx-project.json "ldgr") must already be linked to the Dev Hub. The CLI writes the package id (0Ho…) into
// sfdx-project.json's packageAliases; commit that change.
//
// Usage: node scripts/package/create.js --target-dev-hub <alias> [--print]
//   --target-dev-hub  the Dev Hub org (sf org login web --set-default-dev-hub --alias devhub)
//   --print           print the sf command and run nothing
const { parseArgs } = require('node:util');
const { readProject, packagedDirectory, runSf, cli } = require('./lib');

const USAGE = 'Usage: node scripts/package/create.js --target-dev-hub <alias> [--print]';

/** The sf command that creates the package this project describes; refuses when it exists already. */
function createArgs(project, { targetDevHub }) {
  const dir = packagedDirectory(project);
  if (project.packageAliases?.[dir.package]) {
    throw new Error(`package ${dir.package} exists already (${project.packageAliases[dir.package]} in packageAliases)`);
  }
  if (!project.namespace) throw new Error('sfdx-project.json has no namespace: a managed package needs one');
  return [
    'package',
    'create',
    '--name',
    dir.package,
    '--package-type',
    'Managed',
    '--path',
    dir.path,
    '--description',
    dir.versionDescription ?? dir.package,
    '--target-dev-hub',
    targetDevHub,
  ];
}

function main(argv, project = readProject()) {
  const { values } = parseArgs({
    args: argv,
    options: { 'target-dev-hub': { type: 'string', short: 'v' }, print: { type: 'boolean', default: false } },
    strict: true,
  });
  if (!values['target-dev-hub']) throw new Error('--target-dev-hub is required');
  return runSf(createArgs(project, { targetDevHub: values['target-dev-hub'] }), { print: values.print });
}

if (require.main === module) cli(main, USAGE);

module.exports = { createArgs, main };
