'use strict';
// Shared by the 2GP scripts (create, version-create, promote): the project's package as sfdx-project.json describes it,
// and running the Salesforce CLI, or printing the command it would run (--print, for a dry look without a Dev Hub).
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { salesforceCli } = require('../force-app-gates/lib');

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** sfdx-project.json of the repository (or of `projectDir`). */
function readProject(projectDir = REPO_ROOT) {
  return JSON.parse(fs.readFileSync(path.join(projectDir, 'sfdx-project.json'), 'utf8'));
}

/** The one package directory that is a package (force-app): its name, path and version settings. */
function packagedDirectory(project) {
  const packaged = (project.packageDirectories ?? []).filter((dir) => dir.package);
  if (packaged.length !== 1) {
    throw new Error(
      `sfdx-project.json should name exactly one package directory with "package"; found ${packaged.length}`,
    );
  }
  return packaged[0];
}

/** Quotes an argument for a POSIX shell when it needs it. */
const shellWord = (arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`);

/** A command line for the log, ready to paste into a shell: secret flag values replaced by ****. */
function printable(args, secretFlags = ['--installation-key']) {
  return ['sf', ...args.map((arg, i) => (secretFlags.includes(args[i - 1]) ? '****' : shellWord(arg)))].join(' ');
}

/**
 * Runs `sf` with `args` in the repository (it updates sfdx-project.json's packageAliases itself), or only prints the
 * command when `print` is set. Returns the exit code.
 */
function runSf(args, { print = false, cwd = REPO_ROOT, log = console.log } = {}) {
  log(printable(args));
  if (print) return 0;
  const result = spawnSync(salesforceCli(), args, {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, SF_DISABLE_TELEMETRY: 'true' },
  });
  if (result.error) {
    console.error(`could not run sf: ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}

/** Runs a script's main(argv) and turns a thrown usage error into a message and exit code 2. */
function cli(main, usage) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(`${err.message}\n\n${usage}`);
    process.exitCode = 2;
  }
}

module.exports = { REPO_ROOT, readProject, packagedDirectory, printable, runSf, cli };
