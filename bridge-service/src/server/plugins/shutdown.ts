import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { withTimeout } from '../../lib/retry';
import type { ShutdownDeps } from '../deps';

export interface ShutdownPluginOptions {
  shutdown: ShutdownDeps;
  /** How long to wait for in-flight work before closing resources anyway. */
  drainTimeoutMs: number;
}

/** The drain took longer than its bound. */
class DrainTimeout extends Error {}

/**
 * The ordered shutdown (ShutdownDeps): stop every intake, drain in-flight work (bounded by `drainTimeoutMs`), then
 * close the resources in order. A failing step is logged and the next still runs. Used by the app's onClose, and
 * by a host stopping one org's bridge (disabled, changed) while the others run on.
 */
export async function runShutdown(
  steps: ShutdownDeps,
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>,
  drainTimeoutMs: number,
): Promise<void> {
  const { intake, inFlight, resources } = steps;
  // 1. No new work: subscriber, poller, webhook processor.
  const stopped = await Promise.allSettled(intake.map((step) => step.stop()));
  stopped.forEach((result, i) => {
    if (result.status === 'rejected')
      log.error({ err: result.reason, step: intake[i]?.name }, 'intake did not stop cleanly');
  });
  log.info({ steps: intake.map((s) => s.name) }, 'intake stopped');

  // 2. Finish in-flight work, bounded: a job still running afterwards keeps its lease, which expires and
  //    lets another worker (or the next start) take it again; Idempotency-Keys keep that safe.
  const drained = Promise.allSettled(inFlight.map((step) => step.drain())).then((results) =>
    results.forEach((result, i) => {
      if (result.status === 'rejected') log.error({ err: result.reason, step: inFlight[i]?.name }, 'drain failed');
    }),
  );
  try {
    await withTimeout(drained, drainTimeoutMs, () => new DrainTimeout());
    log.info('in-flight work finished');
  } catch {
    log.warn({ timeoutMs: drainTimeoutMs }, 'in-flight work did not finish in time; closing anyway');
  }

  // 3. Resources in the order given (the store last).
  for (const resource of resources) {
    try {
      await resource.close();
    } catch (err) {
      log.error({ err, step: resource.name }, 'close failed');
    }
  }
}

async function shutdownPlugin(app: FastifyInstance, opts: ShutdownPluginOptions): Promise<void> {
  // One hook, explicit order. onClose runs after the HTTP server stopped accepting requests, so webhook
  // intake is already closed when the other intakes stop.
  app.addHook('onClose', async () => {
    await runShutdown(opts.shutdown, app.log, opts.drainTimeoutMs);
    app.log.info('shutdown complete');
  });
}

/** Graceful shutdown on app.close(): stop intake, finish in-flight work, close the store. */
export default fp(shutdownPlugin, { name: 'shutdown', fastify: '5.x' });
