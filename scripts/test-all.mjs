#!/usr/bin/env node
// `npm test`: every check the project has, in one run. Each step runs even when an earlier one failed, so one run
// shows everything that is wrong; the exit code is 1 if anything failed. The last line counts checks:
// each Jest test counts once, and each lint, format, type-check and force-app gate counts once.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const env = {
  ...process.env,
  SF_DISABLE_TELEMETRY: 'true',
  SF_AUTOUPDATE_DISABLE: 'true',
  SF_SKIP_NEW_VERSION_CHECK: 'true',
};

let passed = 0;
let failed = 0;
const failures = [];

function record(name, ok, detail = '') {
  if (ok) passed += 1;
  else {
    failed += 1;
    failures.push(name);
  }
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
}

function step(name, command, args) {
  console.log(`\n── ${name}: ${path.basename(command)} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  record(name, result.status === 0, `${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// The convert gate's Salesforce CLI is installed on first use (tools/sfcli); do it before Jest runs the gate tests.
require('./force-app-gates/lib.js').salesforceCli();

step('eslint', bin('eslint'), ['.', '--max-warnings=0']);
step('prettier', bin('prettier'), ['--check', '.', '--log-level=warn']);
step('typescript', bin('tsc'), ['-p', 'bridge-service', '--noEmit']);

// Jest: every project in one run; per-test counts come from its JSON report.
console.log('\n── jest: all projects');
const work = mkdtempSync(path.join(tmpdir(), 'ldgr-test-'));
const jsonFile = path.join(work, 'jest.json');
// No --forceExit: every suite closes what it opens, so Jest exits on its own. If it ever does not (a suite that
// leaks a socket or a timer), the run fails here after the time limit instead of waiting for CI's.
const jest = spawnSync(bin('jest'), ['--ci', '--json', `--outputFile=${jsonFile}`], {
  cwd: root,
  stdio: 'inherit',
  env,
  timeout: 45 * 60_000,
  killSignal: 'SIGKILL',
});
if (jest.error) record('jest exits on its own', false, jest.error.message);
try {
  const results = JSON.parse(readFileSync(jsonFile, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  for (const suite of results.testResults) {
    for (const test of suite.assertionResults) {
      if (test.status === 'failed') failures.push(`${path.relative(root, suite.name)}: ${test.fullName}`);
    }
    // A suite that fails to load has no test results but is still a failure.
    if (suite.status === 'failed' && suite.assertionResults.every((t) => t.status !== 'failed')) {
      failed += 1;
      failures.push(
        `${path.relative(root, suite.name)}: ${suite.message.split('\n').find((l) => l.trim()) ?? 'failed to run'}`,
      );
    }
  }
  console.log(
    `${jest.status === 0 ? 'ok  ' : 'FAIL'} jest (${results.numPassedTests} passed, ${results.numFailedTests} failed)`,
  );
} catch (err) {
  record('jest', false, `no report: ${err.message}`);
}
rmSync(work, { recursive: true, force: true });

console.log('\n── force-app gates');
const { runGates, report } = require('./force-app-gates/index.js');
for (const result of report(runGates(root))) {
  if (result.problems.length === 0) passed += 1;
  else {
    failed += 1;
    failures.push(`force-app gate ${result.gate}: ${result.problems.length} problem(s)`);
  }
}

if (failures.length > 0) {
  console.log('\nFailed:');
  for (const failure of failures) console.log(`  - ${failure}`);
}
console.log(`\ntotal: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
