/**
 * The bridge process the memory section measures: the real bridge (createBridge + the Fastify app, as
 * src/server/main wires them) against emulators in the parent process, so only the bridge's memory is counted.
 * Speaks to the parent over IPC: `ready`, then a `sample` (job counts, RSS, peak RSS) for each `sample` asked.
 */
import pino from 'pino';
import { createBridge } from '../src/bridge';
import { loadConfig } from '../src/config';
import { buildApp } from '../src/server/app';
import { createMetrics } from '../src/server/metrics';
import { openStore } from '../src/store';

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
