#!/usr/bin/env node
'use strict';
// Deploys the org-owned set-up (force-app-unpackaged/: the finance approval processes, their field updates, the
// Ledgerline_Finance queue, and the bridge user's standard-object permission set Ledgerline_Integration_Standard_Access)
// into an org where the Ledgerline package is installed. These components are not in the managed package: approval
// processes are not updated by package upgrades, queues are per-org, and a packaged permission set cannot grant
// standard-object access (the install drops it), so ops deploy them once per org with this script, and the org's
// admins own them from then on.
//
// In a subscriber org the package's objects and fields carry the namespace (ldgr__Invoice__c.ldgr__Status__c), so
// the script copies the folder to a temporary project, adds the prefix to every custom object and field name (file
// names and contents), and deploys that with the Salesforce CLI.
//
// Usage: node scripts/package/deploy-approval.js --target-org <alias> [--namespace ldgr|""] [--dry-run] [--prepare-only]
//   --namespace     prefix to add; defaults to sfdx-project.json's namespace; "" for an org without the namespace
//   --dry-run       validate the deployment in the org without saving it (sf project deploy start --dry-run)
//   --prepare-only  write the prefixed project and print its path; no org needed
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { parseArgs: parseCli } = require('node:util');
const { salesforceCli } = require('../force-app-gates/lib');
const { cli } = require('./lib');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SOURCE = path.join(REPO_ROOT, 'force-app-unpackaged');

// A custom object or field API name (Invoice__c, Approval_Status__c) not already carrying a namespace prefix.
const CUSTOM_NAME = /(^|[^A-Za-z0-9_])([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*__c)(?![A-Za-z0-9_])/g;

/** Adds `namespace__` to every unprefixed custom object and field name in `text`. */
function addNamespace(text, namespace) {
  if (!namespace) return text;
  return text.replace(CUSTOM_NAME, (match, before, name) => `${before}${namespace}__${name}`);
}

function walk(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

/**
 * Writes a deployable SFDX project to `outDir`: force-app-unpackaged copied as `approval/`, with the namespace
 * added to file names and contents. Returns the relative paths written.
 */
function prepare({ namespace, outDir, source = SOURCE, apiVersion }) {
  const written = [];
  for (const file of walk(source)) {
    const relative = path.relative(source, file);
    const target = path.join(
      outDir,
      'approval',
      path.dirname(relative),
      addNamespace(path.basename(relative), namespace),
    );
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, addNamespace(fs.readFileSync(file, 'utf8'), namespace));
    written.push(path.relative(outDir, target));
  }
  const version =
    apiVersion ?? JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'sfdx-project.json'), 'utf8')).sourceApiVersion;
  const project = { packageDirectories: [{ path: 'approval', default: true }], sourceApiVersion: version };
  fs.writeFileSync(path.join(outDir, 'sfdx-project.json'), `${JSON.stringify(project, null, 2)}\n`);
  return written.sort();
}

/** The script's flags (node:util parseArgs); an unknown flag throws. */
function parseArgs(argv) {
  const { values } = parseCli({
    args: argv,
    options: {
      'target-org': { type: 'string', short: 'o' },
      namespace: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'prepare-only': { type: 'boolean', default: false },
    },
    strict: true,
  });
  return {
    ...(values['target-org'] === undefined ? {} : { targetOrg: values['target-org'] }),
    ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
    dryRun: values['dry-run'],
    prepareOnly: values['prepare-only'],
  };
}

function main(argv) {
  const options = parseArgs(argv);
  const project = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'sfdx-project.json'), 'utf8'));
  const namespace = options.namespace ?? project.namespace ?? '';
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-approval-'));
  const files = prepare({ namespace, outDir, apiVersion: project.sourceApiVersion });
  console.log(`prepared ${files.length} files with namespace "${namespace}" in ${outDir}`);
  for (const file of files) console.log(`  ${file}`);
  if (options.prepareOnly) return 0;
  if (!options.targetOrg) {
    console.error('--target-org is required (or pass --prepare-only)');
    return 2;
  }
  const args = [
    'project',
    'deploy',
    'start',
    '--source-dir',
    'approval',
    '--target-org',
    options.targetOrg,
    '--wait',
    '30',
  ];
  if (options.dryRun) args.push('--dry-run');
  console.log(`sf ${args.join(' ')}`);
  const result = spawnSync(salesforceCli(), args, { cwd: outDir, stdio: 'inherit' });
  if (result.error) {
    console.error(`could not run sf (install the Salesforce CLI): ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}

if (require.main === module) {
  cli(
    main,
    'Usage: node scripts/package/deploy-approval.js --target-org <alias> [--namespace ldgr|""] [--dry-run] [--prepare-only]',
  );
}

module.exports = { addNamespace, prepare, parseArgs };
