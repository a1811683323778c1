import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { JobsAdmin } from '../deps';
import type { BridgeMetrics } from '../metrics';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: BridgeMetrics;
  }
}

export interface MetricsPluginOptions {
  metrics: BridgeMetrics;
  /** A single-org app's jobs, for the jobs gauge (with many orgs, each org's bridge sets its own). */
  jobs?: Pick<JobsAdmin, 'countOpenJobsByState'> | undefined;
}

async function metricsPlugin(app: FastifyInstance, opts: MetricsPluginOptions): Promise<void> {
  const { metrics, jobs } = opts;
  if (jobs) metrics.setJobCounts(() => jobs.countOpenJobsByState());
  app.decorate('metrics', metrics);

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern (/admin/jobs/:id), never the raw URL, so label cardinality stays bounded.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeHttpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
}

/** Decorates `metrics` (own prom-client registry) and times every request. */
export default fp(metricsPlugin, { name: 'metrics', fastify: '5.x' });
