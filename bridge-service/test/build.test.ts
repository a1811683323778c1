/**
 * The production build: `tsc -p tsconfig.build.json` compiles src only (no sandbox, tests, benchmarks or test
 * fixtures), and what it makes runs: started with no configuration, it stops at once, listing what is missing.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..');
let outDir: string;

beforeAll(async () => {
  // Inside the project, so the build finds its node_modules as dist/ would.
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  outDir = mkdtempSync(join(cache, 'ledgerline-build-'));
  await run(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
    {
      cwd: root,
    },
  );
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [relative(outDir, join(dir, entry.name))],
  );

it('holds the bridge and nothing else', () => {
  const built = files(outDir).filter((file) => file.endsWith('.js'));
  expect(built).toContain(join('src', 'index.js'));
  expect(built.filter((file) => !file.startsWith(`src${'/'}`))).toEqual([]);
  expect(built.filter((file) => /\.test\.js$|\.contract\.js$|__fixtures__/.test(file))).toEqual([]);
});

it('starts, and with no configuration stops at once listing every missing setting', async () => {
  const failed = await run(process.execPath, [join(outDir, 'src', 'index.js')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '' },
    timeout: 30_000,
  }).catch((err: { code?: number; stdout?: string }) => err);
  expect(failed).toMatchObject({ code: 1 });
  const [line] = String((failed as { stdout?: string }).stdout)
    .trim()
    .split('\n');
  expect(JSON.parse(line!)).toMatchObject({
    level: 60,
    msg: expect.stringMatching(/^Invalid configuration/),
    problems: expect.arrayContaining(['SF_CLIENT_ID: is required', 'ADMIN_TOKEN: is required']),
  });
});
