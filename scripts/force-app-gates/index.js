#!/usr/bin/env node
'use strict';
// The offline force-app gates, in order: project files → XML → Apex parse → apex-ls → Apex names → PMD → CLI convert →
// LWC GraphQL → packaged permission sets.
// Usage: node scripts/force-app-gates [--project DIR] [--only gate,gate]. Exits 1 when any gate finds a problem.
const path = require('node:path');
const { parseArgs } = require('node:util');
const { REPO_ROOT, format } = require('./lib');

const GATES = {
  project: require('./project'),
  xml: require('./xml'),
  'apex-parse': require('./apex-parse'),
  'apex-ls': require('./apex-ls'),
  'apex-names': require('./apex-names'),
  pmd: require('./pmd'),
  convert: require('./convert'),
  graphql: require('./graphql'),
  'package-permsets': require('./package-permsets'),
};

function runGates(projectDir, only = Object.keys(GATES)) {
  return only.map((name) => {
    const gate = GATES[name];
    if (!gate) throw new Error(`unknown gate "${name}"; known: ${Object.keys(GATES).join(', ')}`);
    const started = Date.now();
    try {
      return { ...gate.run(projectDir), ms: Date.now() - started };
    } catch (err) {
      return {
        gate: name,
        problems: [{ file: 'sfdx-project.json', line: 1, message: err.message }],
        ms: Date.now() - started,
      };
    }
  });
}

/** Prints one line per gate and one per problem (file:line: message); returns the results. */
function report(results, log = console.log) {
  for (const result of results) {
    const status = result.problems.length === 0 ? 'ok  ' : 'FAIL';
    const checked = result.checked === undefined ? '' : `, ${result.checked} checked`;
    log(`${status} ${result.gate} (${result.ms} ms${checked})`);
    for (const problem of result.problems) log(`     ${format(problem)}`);
  }
  return results;
}

/**
 * On this repository every gate has something to check: one that found nothing was pointed at the wrong place (or
 * lost its files), and passing it would be a silent skip. (A fixture project may lawfully have no Apex or no LWC.)
 */
function flagGatesThatCheckedNothing(results) {
  for (const result of results) {
    if (result.checked === 0) {
      result.problems.push({ file: 'force-app', line: 1, message: `the ${result.gate} gate found nothing to check` });
    }
  }
  return results;
}

function main(argv) {
  const { values } = parseArgs({ args: argv, options: { project: { type: 'string' }, only: { type: 'string' } } });
  const projectDir = path.resolve(values.project ?? REPO_ROOT);
  const only = values.only?.split(',');
  const results = runGates(projectDir, only);
  if (projectDir === REPO_ROOT) flagGatesThatCheckedNothing(results);
  report(results);
  const failed = results.filter((r) => r.problems.length > 0).length;
  console.log(`force-app gates: ${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { runGates, report, flagGatesThatCheckedNothing, GATES };
