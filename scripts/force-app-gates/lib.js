'use strict';
// Shared helpers for the offline force-app gates. Each gate is `run(projectDir) -> { gate, problems, skipped? }`,
// where a problem is `{ file, line, message }` and `file` is relative to the project directory.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const JAVA_LIB = path.join(REPO_ROOT, 'node_modules', '@salesforce', 'code-analyzer-pmd-engine', 'dist', 'java-lib');

/** Package directories from sfdx-project.json, as absolute paths. */
function packageDirs(projectDir) {
  const project = JSON.parse(fs.readFileSync(path.join(projectDir, 'sfdx-project.json'), 'utf8'));
  return project.packageDirectories.map((dir) => path.join(projectDir, dir.path));
}

/** Every file below `dir` whose name passes `accept`, skipping node_modules and Jest folders. */
function walk(dir, accept, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '__tests__') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, accept, out);
    else if (accept(entry.name)) out.push(full);
  }
  return out.sort();
}

function sourceFiles(projectDir, accept) {
  return packageDirs(projectDir).flatMap((dir) => walk(dir, accept));
}

function rel(projectDir, file) {
  return path.relative(projectDir, file) || file;
}

/** Runs Java with the PMD engine's bundled jars on the class path. */
function java(args, options = {}) {
  if (!fs.existsSync(JAVA_LIB)) {
    throw new Error(`Apex tooling jars not found at ${JAVA_LIB}: run npm ci`);
  }
  const result = spawnSync('java', ['-cp', `${JAVA_LIB}/*`, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
  if (result.error) throw new Error(`could not start java (Java 17 is required): ${result.error.message}`);
  return result;
}

// The Salesforce CLI lives in its own folder, installed on first use: it is half of the toolchain's packages and
// only the convert gate needs it, so `npm ci` for the demo stays small.
const SF_DIR = path.join(REPO_ROOT, 'tools', 'sfcli');
const SF = path.join(SF_DIR, 'node_modules', '.bin', 'sf');

/** Path of the `sf` binary, installing tools/sfcli from its lockfile if it is not there yet. */
function salesforceCli() {
  if (!fs.existsSync(SF)) {
    const result = spawnSync('npm', ['ci', '--prefix', SF_DIR, '--no-audit', '--no-fund'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0 || !fs.existsSync(SF)) {
      throw new Error(`could not install the Salesforce CLI into tools/sfcli: ${result.stderr || result.error}`);
    }
  }
  return SF;
}

function format(problem) {
  return `${problem.file}:${problem.line ?? 1}: ${problem.message}`;
}

module.exports = { REPO_ROOT, JAVA_LIB, SF_DIR, packageDirs, walk, sourceFiles, rel, java, salesforceCli, format };
