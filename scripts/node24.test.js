// scripts/node24.cjs: `npm start`, `npm test` and .ci/run get Node 24 when the node on PATH is older (issue 13
// item 14). The old node is a PATH shim reporting v20; Node 24 is this test's own node, placed where the launcher
// caches it, or "installed" by a fake npm, so nothing is downloaded.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const LAUNCHER = path.join(__dirname, 'node24.cjs');
const REAL_NODE = process.execPath;
let work;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ldgr-node24-'));
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function executable(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode: 0o755 });
  return file;
}

/** A directory whose `node` reports v20.11.1 and, asked to run anything, says so and fails. */
function oldNodeDir() {
  const dir = path.join(work, 'old-bin');
  executable(
    path.join(dir, 'node'),
    '#!/bin/sh\nif [ "$1" = "--version" ]; then echo v20.11.1; exit 0; fi\necho "ran on the old node" >&2\nexit 3\n',
  );
  return dir;
}

/** A cache directory laid out as `npm install --prefix DIR node@24` leaves it, holding this test's own node. */
function cachedNode24(dir = path.join(work, 'cache', 'node24')) {
  fs.mkdirSync(path.join(dir, 'node_modules', 'node', 'bin'), { recursive: true });
  fs.symlinkSync(REAL_NODE, path.join(dir, 'node_modules', 'node', 'bin', 'node'));
  return dir;
}

/** A script run through `#!/usr/bin/env node`, as tsx, jest and npm's bins are. */
function envNodeScript() {
  return executable(path.join(work, 'which-node'), '#!/usr/bin/env node\nprocess.stdout.write(process.version);\n');
}

function launch(args, { pathDirs = [], env = {} } = {}) {
  return spawnSync(REAL_NODE, [LAUNCHER, ...args], {
    encoding: 'utf8',
    env: {
      HOME: work,
      PATH: [...pathDirs, path.dirname(REAL_NODE), '/usr/bin', '/bin'].join(path.delimiter),
      ...env,
    },
    timeout: 60_000,
  });
}

describe('scripts/node24.cjs', () => {
  it('runs the command as it is when the node on PATH is new enough, without a word', () => {
    const result = launch([envNodeScript()]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(process.version);
    expect(result.stderr).toBe('');
  });

  it('on Node 20, runs the command on the cached Node 24 and says so in one line', () => {
    const result = launch([envNodeScript()], {
      pathDirs: [oldNodeDir()],
      env: { LEDGERLINE_NODE_DIR: cachedNode24() },
    });
    expect(result.stderr).not.toMatch(/ran on the old node/);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(process.version);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^ledgerline: Node v20\.11\.1 is too old \(22 or newer needed\); running on Node v24\.\d+\.\d+ from /,
      ),
    ]);
  });

  it('passes arguments through and returns the command’s exit status', () => {
    const result = launch(['node', '-e', 'process.exit(Number(process.argv[1]))', '7'], {
      pathDirs: [oldNodeDir()],
      env: { LEDGERLINE_NODE_DIR: cachedNode24() },
    });
    expect(result.status).toBe(7);
  });

  it('installs npm’s node@24 package into the cache once, when it is not there yet', () => {
    const calls = path.join(work, 'npm-calls');
    const fakeNpm = path.join(work, 'npm-bin', 'npm');
    // Records its arguments and lays out --prefix as npm would (with this test's node as the binary).
    executable(
      fakeNpm,
      `#!/bin/sh\necho "$@" >> ${calls}\nwhile [ $# -gt 0 ]; do if [ "$1" = "--prefix" ]; then prefix="$2"; fi; shift; done\n` +
        `mkdir -p "$prefix/node_modules/node/bin" && ln -s ${REAL_NODE} "$prefix/node_modules/node/bin/node"\n`,
    );
    const cache = path.join(work, 'cache', 'node24');
    const run = () =>
      launch([envNodeScript()], {
        pathDirs: [oldNodeDir(), path.dirname(fakeNpm)],
        env: { LEDGERLINE_NODE_DIR: cache },
      });
    const first = run();
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(process.version);
    expect(first.stderr).toMatch(/installing npm's node@24 package into .*cache\/node24/);
    expect(run().status).toBe(0);
    const installs = fs.readFileSync(calls, 'utf8').trim().split('\n');
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/^install .*node@24/);
    expect(fs.existsSync(path.join(cache, 'node_modules', 'node', 'bin', 'node'))).toBe(true);
  });

  it('stops at once with the version required and how to get it when Node 24 cannot be had', () => {
    const fakeNpm = executable(
      path.join(work, 'npm-bin', 'npm'),
      '#!/bin/sh\necho "npm error code ENOTFOUND" >&2\necho "npm error network request to https://registry.npmjs.org/node failed" >&2\nexit 1\n',
    );
    const started = Date.now();
    const result = launch([envNodeScript()], {
      pathDirs: [oldNodeDir(), path.dirname(fakeNpm)],
      env: { LEDGERLINE_NODE_DIR: path.join(work, 'cache', 'node24') },
    });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/ran on the old node/);
    expect(result.stderr).toMatch(
      /Ledgerline needs Node\.js 22 or newer \(24 LTS recommended\); this is Node v20\.11\.1/,
    );
    expect(result.stderr).toMatch(/ENOTFOUND/);
    expect(result.stderr).toMatch(/nvm install 24|nodejs\.org/);
  });
});
