#!/usr/bin/env node
// Writes what production installs into OUT: a root package.json whose one workspace is the bridge
// (OUT/bridge-service/package.json, runtime dependencies only), the subset of the repository's package-lock.json
// those dependencies resolve to (so `npm ci --omit=dev` installs exactly the versions the tests ran with, at the
// same paths), and the compiled output (OUT/bridge-service/dist). Used by the Dockerfile and the production-build
// test. Run it with `node OUT/bridge-service/dist/src/index.js` from OUT after `npm ci --omit=dev`.
//
//   node bridge-service/scripts/production-package.mjs --dist bridge-service/dist --out /tmp/bridge
//
// Plain Node, no dependencies: it runs in the image's build stage before anything is installed.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const WORKSPACE = 'bridge-service';

/** Where npm looks for `name` from the package at `from`: its own node_modules, then each ancestor's. */
function candidates(from, name) {
  const out = [];
  let base = from;
  for (;;) {
    out.push(base ? `${base}/node_modules/${name}` : `node_modules/${name}`);
    if (!base) return out;
    const i = base.lastIndexOf('/node_modules/');
    base = i >= 0 ? base.slice(0, i) : '';
  }
}

/**
 * The lockfile for the workspace's runtime dependencies alone. The tree keeps the repository's shape (a root with
 * the bridge as its one workspace), so every package installs at the path it had when the tests ran and nothing
 * needs hoisting again.
 */
export function productionLockfile(rootLock, manifest) {
  const packages = rootLock.packages;
  const kept = new Set();
  const visit = (from, name, optional) => {
    const found = candidates(from, name).find((p) => packages[p] !== undefined);
    if (!found) {
      if (optional) return;
      throw new Error(`${name} (needed by ${from || 'the root'}) is not in package-lock.json: run npm install`);
    }
    if (kept.has(found)) return;
    kept.add(found);
    const entry = packages[found];
    const peerOptional = entry.peerDependenciesMeta ?? {};
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(found, dep, false);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(found, dep, true);
    for (const dep of Object.keys(entry.peerDependencies ?? {}))
      visit(found, dep, peerOptional[dep]?.optional === true);
  };
  for (const dep of Object.keys(manifest.dependencies ?? {})) visit(WORKSPACE, dep, false);

  const link = `node_modules/${manifest.name}`;
  const runtime = Object.fromEntries(
    [...kept].sort().map((p) => {
      const { dev: _dev, devOptional: _devOptional, ...entry } = packages[p];
      return [p, entry];
    }),
  );
  const { devDependencies: _devDependencies, ...workspace } = packages[WORKSPACE];
  return {
    name: RUNTIME_NAME,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: RUNTIME_NAME, workspaces: [WORKSPACE] },
      [WORKSPACE]: workspace,
      [link]: { resolved: WORKSPACE, link: true },
      ...runtime,
    },
  };
}

const RUNTIME_NAME = 'ledgerline-bridge-runtime';

/** The root manifest of the production folder: only the bridge workspace. */
export const runtimeRootManifest = () => ({ name: RUNTIME_NAME, private: true, workspaces: [WORKSPACE] });

/** The bridge's manifest without dev dependencies and development scripts. */
export function productionManifest(manifest) {
  const { devDependencies: _devDependencies, scripts, ...rest } = manifest;
  return { ...rest, scripts: { start: scripts.start } };
}

function main() {
  const { values } = parseArgs({ options: { dist: { type: 'string' }, out: { type: 'string' } } });
  if (!values.out) throw new Error('usage: production-package.mjs --out DIR [--dist DIR]');
  const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  const manifest = JSON.parse(readFileSync(path.join(repo, WORKSPACE, 'package.json'), 'utf8'));
  const rootLock = JSON.parse(readFileSync(path.join(repo, 'package-lock.json'), 'utf8'));
  const out = path.join(values.out, WORKSPACE);
  mkdirSync(out, { recursive: true });
  const write = (file, data) => writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  write(path.join(values.out, 'package.json'), runtimeRootManifest());
  write(path.join(values.out, 'package-lock.json'), productionLockfile(rootLock, manifest));
  write(path.join(out, 'package.json'), productionManifest(manifest));
  if (values.dist) {
    if (!existsSync(path.join(values.dist, 'src', 'index.js'))) {
      throw new Error(`${values.dist} holds no build (src/index.js): run npm run -w bridge-service build first`);
    }
    cpSync(values.dist, path.join(out, 'dist'), { recursive: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) main();
