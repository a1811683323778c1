#!/usr/bin/env node
'use strict';
/*
 * Runs a command on Node 22 or newer, whatever the machine has: the one home of that rule, used by `npm start`,
 * `npm test` and .ci/run.
 *
 *   node scripts/node24.cjs <command> [args...]
 *
 * The command's own `node` is the one on PATH (tsx, jest and npm start with `#!/usr/bin/env node`), so that is
 * the one checked. When it is older than 22, Node 24 from npm's `node` package is used instead: it is installed
 * once into ${LEDGERLINE_NODE_DIR:-${XDG_CACHE_HOME:-~/.cache}/ledgerline/node24} and put first on the command's
 * PATH. When that cannot work (no npm, no registry, an unsupported platform), this stops at once and says which
 * version is needed and how to get it. Plain CommonJS, no dependencies: it must run on old Node.
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const MINIMUM_MAJOR = 22; // package.json engines
const TARGET = '24'; // .nvmrc
const HOW_TO_GET_IT =
  `Install Node ${TARGET} LTS (e.g. \`nvm install ${TARGET}\` in this folder, which reads .nvmrc, or https://nodejs.org) ` +
  'and run the command again.';

function fail(lines) {
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(1);
}

/** `node --version` of the node found on `env.PATH`, or undefined when there is none that answers. */
function versionOnPath(env, node = 'node') {
  const result = spawnSync(node, ['--version'], { env, encoding: 'utf8' });
  if (result.status !== 0 || typeof result.stdout !== 'string') return undefined;
  const version = result.stdout.trim();
  return /^v\d+\.\d+\.\d+/.test(version) ? version : undefined;
}

const major = (version) => Number(/^v(\d+)/.exec(version)[1]);

function cacheDir(env) {
  if (env.LEDGERLINE_NODE_DIR) return env.LEDGERLINE_NODE_DIR;
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(cacheHome, 'ledgerline', 'node24');
}

const binDirOf = (dir) => path.join(dir, 'node_modules', 'node', 'bin');

/** The Node 24 binary in `dir`, if it is there and runs. */
function usableNode24(dir, env) {
  const binary = path.join(binDirOf(dir), 'node');
  if (!fs.existsSync(binary)) return undefined;
  const version = versionOnPath(env, binary);
  return version && major(version) >= MINIMUM_MAJOR ? version : undefined;
}

/**
 * Installs npm's `node@24` into `dir` through a sibling temp folder renamed into place, so two launchers that
 * install at once do not see each other's half-done work. Returns the npm output when it failed.
 */
function installNode24(dir, env) {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const staging = `${dir}.installing-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const result = spawnSync(
    'npm',
    ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', staging, `node@${TARGET}`],
    { env, encoding: 'utf8' },
  );
  const output = `${result.stdout || ''}${result.stderr || ''}${result.error ? result.error.message : ''}`.trim();
  if (result.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    return output || `npm exited with status ${result.status}`;
  }
  try {
    fs.renameSync(staging, dir);
  } catch (err) {
    // another launcher got there first; its copy is as good as ours
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(dir)) return `cannot move Node ${TARGET} into ${dir}: ${err.message}`;
  }
  return undefined;
}

function node24Env(env) {
  const pathVersion = versionOnPath(env);
  if (pathVersion !== undefined && major(pathVersion) >= MINIMUM_MAJOR) return env;

  const current = pathVersion === undefined ? 'no working `node` on PATH' : `Node ${pathVersion}`;
  const dir = cacheDir(env);
  let version = usableNode24(dir, env);
  if (version === undefined) {
    process.stderr.write(
      `ledgerline: ${current} is too old (${MINIMUM_MAJOR} or newer needed); installing npm's node@${TARGET} package into ${dir} (once)\n`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
    const problem = installNode24(dir, env);
    version = usableNode24(dir, env);
    if (version === undefined) {
      fail([
        `Ledgerline needs Node.js ${MINIMUM_MAJOR} or newer (${TARGET} LTS recommended); this is ${current}.`,
        `Getting Node ${TARGET} from the npm registry (npm install --prefix ${dir} node@${TARGET}) did not work:`,
        ...(problem ?? `the package installed, but ${path.join(binDirOf(dir), 'node')} does not run`)
          .split('\n')
          .slice(-6)
          .map((line) => `  ${line}`),
        HOW_TO_GET_IT,
      ]);
    }
  }
  process.stderr.write(
    `ledgerline: ${current} is too old (${MINIMUM_MAJOR} or newer needed); running on Node ${version} from ${binDirOf(dir)}\n`,
  );
  return { ...env, PATH: `${binDirOf(dir)}${path.delimiter}${env.PATH || ''}` };
}

function main(argv) {
  if (argv.length === 0) fail(['usage: node scripts/node24.cjs <command> [args...]']);
  const env = node24Env(process.env);
  // The command's PATH decides which node it runs on; the lookup of the command itself uses env.PATH too.
  const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit', env });
  // Ctrl+C reaches the whole process group; the command decides how to stop, and this waits for it.
  const forward = (signal) => () => child.kill(signal);
  process.on('SIGINT', () => {});
  process.on('SIGTERM', forward('SIGTERM'));
  process.on('SIGHUP', forward('SIGHUP'));
  child.on('error', (err) => fail([`ledgerline: cannot run ${argv[0]}: ${err.message}`]));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code === null ? 1 : code);
  });
}

main(process.argv.slice(2));
