/**
 * The bridge process the memory section measures: the real bridge (createBridge + the Fastify app, as
 * src/server/main wires them) against emulators in the parent process, so only the bridge's memory is counted.
 * Speaks to the parent over IPC: `ready`, then a `sample` (job counts, RSS, peak RSS) for each `sample` asked.
 */
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import pino from 'pino';
import { createBridge } from '../src/bridge';
import { loadConfig } from '../src/config';
import { buildApp } from '../src/server/app';
import { createMetrics } from '../src/server/metrics';
import { openStore } from '../src/store';

/**
 * Resident memory by kind of mapping, from /proc/self/smaps (Linux): where RSS grows when the heap does not.
 * `anonymous` holds V8's heap and malloc's mmapped arenas and chunks; `brk` is malloc's main arena; `store` is any
 * file of the SQLite store mapped in (the WAL index, or the database if SQLite maps it); `code` is the node binary
 * and shared libraries. Empty where /proc is not there.
 */
function residentByMapping(): Record<string, number> {
  let smaps: string;
  try {
    smaps = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return {};
  }
  const kB: Record<string, number> = { anonymous: 0, brk: 0, store: 0, code: 0, other: 0 };
  let kind = 'other';
  for (const line of smaps.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) {
      kind = mappingKind(header[1]!);
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kB[kind]! += Number(rss[1]);
  }
  return kB;
}

function mappingKind(path: string): string {
  if (path === '') return 'anonymous';
  if (path === '[heap]') return 'brk';
  if (/\.(db|sqlite)(-wal|-shm)?$/.test(path)) return 'store';
  return path.startsWith('/') ? 'code' : 'other';
}

/** V8's resident memory by heap space (new_space is the young generation, sized by --max-semi-space-size). */
function heapResidentBySpace(): Record<string, number> {
  const kB: Record<string, number> = {};
  for (const space of getHeapSpaceStatistics()) {
    if (space.physical_space_size > 0) kB[space.space_name] = Math.round(space.physical_space_size / 1024);
  }
  return kB;
}

async function main(): Promise<void> {
  // The parent's emulators, and a store where Xero is already connected (sandbox-bridge's startEmulatedSystems).
  const env = JSON.parse(process.env.BENCH_BRIDGE_ENV ?? '{}') as Record<string, string>;
  const log = pino({ level: process.env.BRIDGE_LOG ?? 'silent' });
  const config = loadConfig(env);
  const store = await openStore(config);
  const metrics = createMetrics();
  const bridge = await createBridge(config, { logger: log, metrics }, { store });
  const app = buildApp({ ...bridge.deps, config, logger: log, metrics });
  await app.listen({ host: '127.0.0.1', port: 0 });
  await bridge.start();

  let peak = process.memoryUsage.rss();
  const peakTimer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);

  const send = (message: unknown) => process.send?.(message);
  process.on('message', (message: { type: string }) => {
    if (message.type === 'sample') {
      void store.jobs.countJobsByState().then((counts) => {
        const memory = process.memoryUsage();
        peak = Math.max(peak, memory.rss);
        send({
          type: 'sample',
          counts,
          rss: memory.rss,
          heapUsed: memory.heapUsed,
          heapTotal: memory.heapTotal,
          external: memory.external,
          peak,
          residentKB: residentByMapping(),
          heapResidentKB: heapResidentBySpace(),
        });
      });
    } else if (message.type === 'stop') {
      clearInterval(peakTimer);
      void app
        .close()
        .then(() => store.close())
        .finally(() => process.exit(0));
    }
  });
  send({ type: 'ready', rss: process.memoryUsage.rss() });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
