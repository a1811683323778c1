import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import swagger from '@fastify/swagger';
import Fastify, { LogController } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { systemClock } from '../lib/clock';
import type { AppDeps, AppOptions } from './deps';
import { createMetrics } from './metrics';
import { orgScopes, singleOrgDirectory } from './org-scope';
import { inMemoryPendingAuthorizations } from './pkce';
import adminAuth from './plugins/admin-auth';
import errorHandler from './plugins/error-handler';
import metricsPlugin from './plugins/metrics';
import shutdown from './plugins/shutdown';
import adminRoutes from './routes/admin';
import connectRoutes from './routes/connect';
import goLiveRoutes from './routes/golive';
import healthRoutes from './routes/health';
import metricsRoutes from './routes/metrics';
import openapiRoutes from './routes/openapi';
import orgRoutes from './routes/orgs';
import webhookRoutes from './routes/webhooks';

/** The bridge's Fastify app, typed by its routes' zod schemas. */
export type BridgeApp = ReturnType<typeof buildApp>;

export const DEFAULTS = {
  bodyLimit: 1024 * 1024,
  webhookBodyLimit: 256 * 1024,
  readyTimeoutMs: 2_000,
  authorizationTtlMs: 10 * 60_000,
  drainTimeoutMs: 8_000,
  webhookAcceptTimeoutMs: 4_000,
} as const satisfies Required<AppOptions>;

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Our own id, or the caller's X-Request-Id when it is a plain token (so logs join across hops). */
function genReqId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The longest request path logged whole: the client chooses it, and every log line is scrubbed (logger.ts). */
export const MAX_LOGGED_PATH = 256;

/** The request's path without its query string (the Xero callback's ?code=), cut to MAX_LOGGED_PATH. */
export function loggedPath(url: string): string {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  return path.length <= MAX_LOGGED_PATH
    ? path
    : `${path.slice(0, MAX_LOGGED_PATH)}…[cut: ${path.length} characters in all]`;
}

/** Probes are polled constantly; log them at debug so they don't drown real traffic. */
const QUIET_ROUTES = new Set(['/health', '/ready', '/metrics']);

/**
 * The bridge's HTTP server: health, readiness, metrics, admin API, Xero connect and webhooks. Everything
 * it talks to comes in `deps`, so tests run it with in-memory fakes. Call `await app.ready()` (or listen)
 * before use; `app.close()` runs the ordered shutdown in `deps.shutdown`. Routes declare zod schemas: requests are
 * validated and typed by them, responses serialized by them, and the OpenAPI document is made from them.
 *
 * With an org directory (`deps.orgs`, many orgs) the per-org routes are served twice: at their own paths for the
 * default org, and under /orgs/:orgId/… for every org; `deps.orgAdmin` adds /admin/orgs.
 */
export function buildApp(deps: AppDeps, options: AppOptions = {}) {
  const opts = { ...DEFAULTS, ...options };
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics ?? createMetrics({ defaultMetrics: false });

  const app = Fastify({
    loggerInstance: deps.logger,
    // We log one line per request ourselves (onResponse below), without query strings: the Xero
    // callback's ?code= must not reach the log.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId,
    requestIdHeader: false,
    trustProxy: false,
    bodyLimit: opts.bodyLimit,
    // Idle keep-alive sockets close at once; in-flight requests finish (closeWithGrace bounds the wait).
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    const line = {
      method: request.method,
      path: loggedPath(request.url),
      route,
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (route !== undefined && QUIET_ROUTES.has(route)) request.log.debug(line, 'request');
    else request.log.info(line, 'request');
  });

  app.register(swagger, {
    openapi: {
      info: {
        title: 'Ledgerline bridge',
        description: 'Health, readiness, metrics, the admin API (bearer token), Xero connect and Xero webhooks.',
        version: '1',
      },
      components: { securitySchemes: { admin: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  const orgs = deps.orgs ?? singleOrgDirectory(deps);
  const pending = deps.pendingAuthorizations ?? inMemoryPendingAuthorizations();

  app.register(errorHandler);
  app.register(metricsPlugin, { metrics, jobs: deps.orgs ? undefined : deps.jobs });
  app.register(adminAuth, { adminTokens: [deps.config.adminToken, deps.config.adminTokenPrevious] });
  app.register(shutdown, { shutdown: deps.shutdown, drainTimeoutMs: opts.drainTimeoutMs });

  app.register(metricsRoutes);
  app.register(openapiRoutes);
  if (deps.orgAdmin) app.register(orgRoutes, { orgAdmin: deps.orgAdmin });
  for (const scope of orgScopes(orgs, deps.orgs !== undefined)) {
    app.register(healthRoutes, { scope, orgs, readyTimeoutMs: opts.readyTimeoutMs });
    app.register(adminRoutes, { scope });
    app.register(goLiveRoutes, { scope });
    app.register(connectRoutes, { scope, orgs, pending, clock, authorizationTtlMs: opts.authorizationTtlMs });
    app.register(webhookRoutes, {
      scope,
      bodyLimit: opts.webhookBodyLimit,
      acceptTimeoutMs: opts.webhookAcceptTimeoutMs,
      clock,
    });
  }

  return app;
}
