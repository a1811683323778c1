/**
 * `npm run bench [-- <section>...] [--flags]`: backlog drain, latency at low load, memory with a queued backlog.
 * Prints figure | measured | target | met? and writes bench/results.json. Not part of `npm test`.
 *
 *   npm run bench                              # everything, default sizes (several minutes)
 *   npm run bench -- drain --opportunities 500 --accounts 50
 *   npm run bench -- latency --samples 20
 *   npm run bench -- memory --jobs 20000 --sample-every 5000
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runDrain } from './drain';
import { runLatency } from './latency';
import { runMemory } from './memory';
import { gitSource, machine, printTable, say, writeResults, type SectionResult } from './report';

const SECTIONS = ['drain', 'latency', 'memory'] as const;
type Section = (typeof SECTIONS)[number];

const HELP = `npm run bench [-- [drain] [latency] [memory] [flags]]
  drain:    --opportunities 10000 --accounts 500 --scale 1 (emulated ms per real ms) [--webhooks] --timeout 20 (real min)
  latency:  --samples 60 (deals closed, then as many payments) --poll-ms 10 --webhook-delay-ms 20
  memory:   --jobs 100000 --sample-every 10000
  --out bridge-service/bench/results.json`;

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      opportunities: { type: 'string' },
      accounts: { type: 'string' },
      scale: { type: 'string' },
      webhooks: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      samples: { type: 'string' },
      'poll-ms': { type: 'string' },
      'webhook-delay-ms': { type: 'string' },
      jobs: { type: 'string' },
      'sample-every': { type: 'string' },
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
  const out = values.out ?? join(__dirname, 'results.json');

  say(`Ledgerline bench: ${chosen.join(', ')} on ${JSON.stringify(machine())}`);
  const results: SectionResult[] = [];
  const source = gitSource();
  if (source.uncommitted.length > 0)
    say(`measuring ${source.commit} plus uncommitted: ${source.uncommitted.join(', ')}`);
  for (const section of SECTIONS.filter((s) => chosen.includes(s))) {
    say(`\n── ${section} ──`);
    let result: SectionResult;
    if (section === 'drain') {
      result = await runDrain({
        opportunities: int(values.opportunities, 10_000, 'opportunities'),
        accounts: int(values.accounts, 500, 'accounts'),
        scale: int(values.scale, 1, 'scale'),
        webhooks: values.webhooks ?? false,
        timeoutMinutes: int(values.timeout, 20, 'timeout'),
      });
    } else if (section === 'latency') {
      result = await runLatency({
        samples: int(values.samples, 60, 'samples'),
        pollMs: int(values['poll-ms'], 10, 'poll-ms'),
        webhookDelayMs: int(values['webhook-delay-ms'], 20, 'webhook-delay-ms'),
      });
    } else {
      result = await runMemory({
        jobs: int(values.jobs, 100_000, 'jobs'),
        sampleEvery: int(values['sample-every'], 10_000, 'sample-every'),
        stallSeconds: int(values.timeout, 5, 'timeout') * 60,
      });
    }
    result.source = source;
    say(`${section}: done in ${result.wallSeconds} s`);
    results.push(result);
    // Written after each section, so a long run interrupted later keeps what it measured.
    await writeResults(out, results);
  }
  say();
  printTable(results);
  await writeResults(out, results);
  say(`\nwritten: ${out}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
