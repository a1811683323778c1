import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse } from '../../errors';

/**
 * GET /admin/openapi.json (admin token): the OpenAPI 3 document of every route, made by @fastify/swagger from the
 * routes' zod schemas, so it cannot drift from what the server validates and sends.
 */
const openapiRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/admin/openapi.json',
    {
      onRequest: app.verifyAdmin,
      schema: {
        summary: "The bridge's HTTP API as an OpenAPI 3 document",
        security: [{ admin: [] }],
        response: { 200: z.record(z.string(), z.unknown()), 401: errorResponse, '5xx': errorResponse },
      },
    },
    async () => ({ ...app.swagger() }),
  );
};

export default openapiRoutes;
