/**
 * Every Accounting API request, before its resource: the call record, the access token and the tenant's
 * connection, the rate limiter, injected faults, and the Idempotency-Key (a replay answers from what the first
 * request produced). Xero's not-found and error answers.
 */
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { fingerprint } from '../idempotency';
import { QueryError } from '../where';
import { notFound, problem, sendJson, tryParse, type CallContext, type Kit } from './kit';

export function registerPipeline(app: FastifyInstance, kit: Kit): void {
  const { deps, contexts, ctxOf } = kit;
  const { store, identity, limiter, faults, idempotency, calls, clock } = deps;

  app.addHook('onRequest', async (req, reply) => {
    const [path = '', search = ''] = req.url.split('?');
    const tenantHeader = req.headers['xero-tenant-id'];
    const tenantId = typeof tenantHeader === 'string' ? tenantHeader.toLowerCase() : undefined;
    const key = req.headers['idempotency-key'];
    const ctx: CallContext = {
      started: performance.now(),
      record: calls.start({
        method: req.method,
        path,
        query: search,
        tenantId,
        at: clock.now(),
        idempotencyKey: typeof key === 'string' ? key : undefined,
      }),
    };
    contexts.set(req, ctx);
    reply.raw.once('close', () => {
      ctx.release?.();
      const record = ctx.record;
      record.ms = Math.round((performance.now() - ctx.started) * 10) / 10;
      if (ctx.dropAfterCommit) {
        record.outcome = 'dropped-after-commit';
        record.status = 0;
      } else if (reply.raw.writableFinished) {
        record.outcome = 'answered';
        record.status = reply.raw.statusCode;
      } else {
        record.outcome = 'aborted';
        record.status = 0;
      }
      if (deps.recordBodies) record.requestBody = tryParse(deps.rawBodies.get(req.raw));
    });

    const authorization = req.headers.authorization;
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    const access = identity.verifyAccess(token);
    reply.headers(limiter.headers(tenantId !== undefined && store.tenant(tenantId) ? tenantId : undefined));
    if (!access.ok)
      return sendJson(reply.header('www-authenticate', 'Bearer'), 401, problem(401, 'Unauthorized', access.detail));
    if (tenantId === undefined || !store.tenant(tenantId) || !identity.isConnected(access.userId, tenantId)) {
      return sendJson(reply, 403, problem(403, 'Forbidden', 'AuthenticationUnsuccessful'));
    }
    ctx.tenantId = tenantId;

    const admission = limiter.admit(tenantId);
    reply.headers(admission.headers);
    if (!admission.ok) {
      ctx.record.rateLimitProblem = admission.problem;
      return reply
        .code(429)
        .header('Retry-After', String(admission.retryAfterSeconds))
        .header('X-Rate-Limit-Problem', admission.problem)
        .send();
    }
    ctx.release = admission.release;
    ctx.record.admittedAt = admission.at;

    const fault = faults.pick(req.method, path);
    if (!fault) return;
    ctx.record.fault = fault.kind === 'status' ? `status ${fault.status ?? 500}` : fault.kind;
    switch (fault.kind) {
      case 'status': {
        const status = fault.status ?? 500;
        return sendJson(
          reply,
          status,
          problem(status, status === 503 ? 'Service Unavailable' : 'Internal Server Error', 'Injected fault'),
        );
      }
      case 'hang':
        // Never answers; the caller's timeout (or emulator close) ends it.
        await new Promise<void>((resolve) => {
          deps.hangs.add(resolve);
          reply.raw.once('close', () => {
            deps.hangs.delete(resolve);
            resolve();
          });
        });
        return reply.hijack();
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1000));
        return;
      case 'drop-after-commit':
        ctx.dropAfterCommit = true;
        return;
    }
  });

  app.addHook('preHandler', async (req, reply) => {
    const ctx = ctxOf(req);
    const key = ctx.record.idempotencyKey;
    if (key === undefined || req.method === 'GET') return;
    if (key.length > 128) {
      return sendJson(reply, 400, {
        ErrorNumber: 10,
        Type: 'ValidationException',
        Message: 'Idempotency-Key must be 128 characters or fewer',
      });
    }
    const print = fingerprint({
      tenantId: ctx.tenantId ?? '',
      method: req.method,
      url: req.url,
      body: deps.rawBodies.get(req.raw) ?? '',
    });
    for (;;) {
      const decision = idempotency.begin(key, print);
      if (decision.kind === 'mismatch') {
        return sendJson(reply, 400, {
          ErrorNumber: 10,
          Type: 'ValidationException',
          Message: 'The Idempotency-Key has already been used with a different request',
        });
      }
      if (decision.kind === 'replay') {
        return reply.code(decision.response.status).type(decision.response.contentType).send(decision.response.body);
      }
      if (decision.kind === 'pending') {
        const response = await decision.wait;
        if (response) return reply.code(response.status).type(response.contentType).send(response.body);
        continue;
      }
      ctx.idem = { complete: decision.complete };
      reply.raw.once('close', () => {
        // The handler never produced an answer (client gone first): forget the key.
        if (ctx.idem) decision.abandon();
      });
      return;
    }
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const ctx = contexts.get(req);
    if (!ctx) return payload;
    const body = typeof payload === 'string' ? payload : payload === null || payload === undefined ? '' : undefined;
    if (deps.recordBodies && body !== undefined) ctx.record.responseBody = tryParse(body);
    if (ctx.idem && body !== undefined) {
      ctx.idem.complete({
        status: reply.statusCode,
        contentType: String(reply.getHeader('content-type') ?? 'application/json'),
        body,
      });
      ctx.idem = undefined;
    }
    if (ctx.dropAfterCommit) {
      // The write is committed (and remembered under its Idempotency-Key); the answer is lost.
      req.raw.socket?.destroy();
    }
    return payload;
  });

  app.setNotFoundHandler((_req, reply) => notFound(reply));
  app.setErrorHandler((error: Error & { statusCode?: number }, _req, reply) => {
    if (error instanceof QueryError)
      return sendJson(reply, 400, { ErrorNumber: 16, Type: 'QueryParseException', Message: error.message });
    const status = error.statusCode ?? 500;
    // Over Xero's request size limit (3.5 MB, xero-api.md §4); the body shape is modelled (the reference gives none).
    if (status === 413)
      return sendJson(reply, 413, problem(413, 'Request Entity Too Large', 'The request is larger than 3.5 MB.'));
    if (status < 500)
      return sendJson(reply, 400, { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: error.message });
    app.log.error({ err: error }, 'xero emulator handler failed');
    return sendJson(reply, 500, problem(500, 'Internal Server Error', 'An error occurred in Xero.'));
  });
}
