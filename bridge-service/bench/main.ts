/**
 * `npm run bench [-- <section>...] [--flags]`: backlog drain, latency (at low load and under a drain), memory with a
 * queued backlog (SQLite and PostgreSQL), Xero egress, tenants apart. Prints figure | measured | target | met?, then
 * issue 20's targets, and writes bench/results.json. Not part of `npm test`.
 *
 *   npm run bench                              # everything, default sizes (over half an hour)
 *   npm run bench -- --quick                   # everything at smoke-test sizes (a few minutes), to a temp file
 *   npm run bench -- drain --opportunities 500 --accounts 50
 *   npm run bench -- latency --samples 20      # (a), (b), then (c) under a drain of --opportunities
 *   npm run bench -- latency --no-under-drain  # (a) and (b) only
 *   npm run bench -- memory --jobs 20000 --sample-every 5000
 *   npm run bench -- egress --invoices 30 --customers 3 --idle-hours 6 --approvals 200
 *   npm run bench -- tenants --tenant-opportunities 1000
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runDrain } from './drain';
import { runEgress } from './egress';
import { runLatency } from './latency';
import { runMemory, STORE_KINDS, type StoreKind } from './memory';
import { runTenants } from './tenants';
import {
  gitSource,
  machine,
  printTable,
  readResults,
  say,
  SECTIONS,
  writeResults,
  type EgressBaseline,
  type Section,
  type SectionResult,
} from './report';
import { printTargets, targetRows } from './targets';

const HELP = `npm run bench [-- [drain] [latency] [memory] [egress] [tenants] [flags]]
  drain:    --opportunities 10000 --accounts 500 --scale 1 (emulated ms per real ms) [--webhooks] --timeout 20 (real min)
            [--profile]  (CPU profile of the drain, and of latency (c): who spent the CPU, by area and function)
  latency:  --samples 60 (deals closed, then as many payments) --poll-ms 10 --webhook-delay-ms 20
            (c) payments while a drain runs, sized by the drain's --opportunities --accounts --scale --timeout:
            --payments-per-second 2 (emulated)  [--no-under-drain]  (leaves (c) out)
  memory:   --jobs 100000 --sample-every 10000 --store both (sqlite | postgres | both)
  egress:   --invoices 100 --customers 5 (per tenant, 3 tenants) --lifecycle-scale 10 --idle-hours 24 --idle-scale 240
            --approvals 1000 (invoices of one tenant approved at once, measured at --lifecycle-scale: issue 20's
            target is for 1,000; 1,000 emails at Xero's 60 calls/min take about 17 emulated min)
  tenants:  --tenant-opportunities 3000 (per tenant, each part) --accounts 150 --scale 1 --timeout 20
            [--record-baseline]  (records this run's egress as the baseline issue 20 halves; committed code only)
  --quick   smoke-test sizes for every section chosen; writes to a temp file unless --out is given
  --out bridge-service/bench/results.json`;

/** Sizes for --quick: every code path runs, no figure means much. */
const QUICK = {
  opportunities: 300,
  accounts: 30,
  scale: 10,
  timeout: 5,
  samples: 6,
  jobs: 2_000,
  'sample-every': 1_000,
  invoices: 10,
  customers: 2,
  'lifecycle-scale': 10,
  'idle-hours': 2,
  'idle-scale': 240,
  approvals: 50,
  'tenant-opportunities': 100,
} as const;

function storesOf(value: string): StoreKind[] {
  if (value === 'both') return [...STORE_KINDS];
  if ((STORE_KINDS as readonly string[]).includes(value)) return [value as StoreKind];
  throw new Error(`--store needs sqlite, postgres or both, got ${value}`);
}

function num(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    allowNegative: true,
    options: {
      opportunities: { type: 'string' },
      accounts: { type: 'string' },
      scale: { type: 'string' },
      webhooks: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'tenant-opportunities': { type: 'string' },
      timeout: { type: 'string' },
      samples: { type: 'string' },
      'poll-ms': { type: 'string' },
      'webhook-delay-ms': { type: 'string' },
      'payments-per-second': { type: 'string' },
      'under-drain': { type: 'boolean', default: true },
      store: { type: 'string', default: 'both' },
      jobs: { type: 'string' },
      'sample-every': { type: 'string' },
      invoices: { type: 'string' },
      customers: { type: 'string' },
      'lifecycle-scale': { type: 'string' },
      'idle-hours': { type: 'string' },
      'idle-scale': { type: 'string' },
      approvals: { type: 'string' },
      'record-baseline': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    say(HELP);
    return;
  }
  const unknown = positionals.filter((p) => !(SECTIONS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`unknown section(s) ${unknown.join(', ')}; expected ${SECTIONS.join(', ')}`);
  const chosen: Section[] = positionals.length > 0 ? (positionals as Section[]) : [...SECTIONS];
  const quick = values.quick ?? false;
  const recordBaseline = values['record-baseline'] ?? false;
  const out = values.out ?? (quick ? join(tmpdir(), 'ledgerline-bench-quick.json') : join(__dirname, 'results.json'));
  // A flag given wins; otherwise --quick's size; otherwise the default.
  const opt = (name: keyof typeof QUICK, fallback: number) => num(values[name], quick ? QUICK[name] : fallback, name);

  const source = gitSource();
  if (recordBaseline) {
    if (quick) throw new Error('--record-baseline records a full-size egress run; it cannot be combined with --quick');
    if (!chosen.includes('egress')) throw new Error('--record-baseline needs the egress section');
    if (source.uncommitted.length > 0)
      throw new Error(`--record-baseline measures committed code only; uncommitted: ${source.uncommitted.join(', ')}`);
  }
  const baseline = recordBaseline ? undefined : readResults(join(__dirname, 'results.json')).baselines?.egress;

  say(`Ledgerline bench${quick ? ' (--quick: smoke-test sizes, figures mean little)' : ''}: ${chosen.join(', ')}`);
  say(`machine: ${JSON.stringify(machine())}`);
  say(
    `commit: ${source.commit}${source.uncommitted.length > 0 ? ` plus uncommitted: ${source.uncommitted.join(', ')}` : ''}`,
  );
  const results: SectionResult[] = [];
  const baselines: { egress?: EgressBaseline } = {};
  const summarise = (all: readonly SectionResult[]) => targetRows(all);
  for (const section of SECTIONS.filter((s) => chosen.includes(s))) {
    say(`\n── ${section} ──`);
    let result: SectionResult;
    if (section === 'drain') {
      result = await runDrain({
        opportunities: opt('opportunities', 10_000),
        accounts: opt('accounts', 500),
        scale: opt('scale', 1),
        webhooks: values.webhooks ?? false,
        timeoutMinutes: opt('timeout', 20),
        profile: values.profile ?? false,
      });
    } else if (section === 'latency') {
      result = await runLatency({
        samples: opt('samples', 60),
        pollMs: num(values['poll-ms'], 10, 'poll-ms'),
        webhookDelayMs: num(values['webhook-delay-ms'], 20, 'webhook-delay-ms'),
        ...(values['under-drain'] === false
          ? {}
          : {
              underDrain: {
                opportunities: opt('opportunities', 10_000),
                accounts: opt('accounts', 500),
                scale: opt('scale', 1),
                paymentsPerSecond: num(values['payments-per-second'], 2, 'payments-per-second'),
                timeoutMinutes: opt('timeout', 20),
                profile: values.profile ?? false,
              },
            }),
      });
    } else if (section === 'memory') {
      result = await runMemory({
        jobs: opt('jobs', 100_000),
        sampleEvery: opt('sample-every', 10_000),
        stallSeconds: opt('timeout', 5) * 60,
        stores: storesOf(values.store ?? 'both'),
      });
    } else if (section === 'tenants') {
      result = await runTenants({
        opportunities: opt('tenant-opportunities', 3_000),
        accounts: opt('accounts', 150),
        scale: opt('scale', 1),
        timeoutMinutes: opt('timeout', 20),
      });
    } else {
      result = await runEgress({
        invoices: opt('invoices', 100),
        accounts: opt('customers', 5),
        lifecycleScale: opt('lifecycle-scale', 10),
        idleHours: opt('idle-hours', 24),
        idleScale: opt('idle-scale', 240),
        approvals: opt('approvals', 1_000),
        timeoutMinutes: opt('timeout', 20),
        ...(baseline ? { baseline } : {}),
      });
      if (recordBaseline && result.egress) {
        baselines.egress = {
          commit: source.commit,
          uncommitted: source.uncommitted,
          date: result.date,
          machine: machine(),
          parameters: result.parameters,
          ...result.egress,
          note:
            'Xero egress before issue 20 changed anything (recorded with --record-baseline); the egress figures are ' +
            'held to at most half of it.',
        };
        say(`  recorded as the egress baseline (${source.commit.slice(0, 7)})`);
      }
    }
    result.source = source;
    if (quick) result.parameters = { ...result.parameters, quick: true };
    say(`${section}: done in ${result.wallSeconds} s`);
    results.push(result);
    // Written after each section, so a long run interrupted later keeps what it measured.
    await writeResults(out, results, { baselines, summarise });
  }
  say();
  printTable(results);
  say();
  printTargets(results);
  await writeResults(out, results, { baselines, summarise });
  say(`\nwritten: ${out}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
