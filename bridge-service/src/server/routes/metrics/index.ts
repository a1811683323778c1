import type { FastifyInstance } from 'fastify';
import { errorRef } from '../../errors';

/** GET /metrics: Prometheus text exposition of the app's own registry (see plugins/metrics). */
export default async function metricsRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        response: { 200: { type: 'string' }, '5xx': errorRef },
      },
    },
    async (_request, reply) => {
      const { registry } = app.metrics;
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
}
