import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse } from '../../errors';

/** GET /metrics: Prometheus text exposition of the app's own registry (see plugins/metrics). */
const metricsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        response: { 200: z.string(), '5xx': errorResponse },
      },
    },
    async (_request, reply) => {
      const { registry } = app.metrics;
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
};

export default metricsRoutes;
