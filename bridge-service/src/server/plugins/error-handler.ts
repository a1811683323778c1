import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { LedgerlineError } from '../../lib/errors';
import { HttpError, type ErrorBody } from '../errors';

/** Fastify's own 4xx errors, renamed to stable codes of ours. Their messages are safe to show. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
};

const GENERIC_5XX = 'Internal error';

interface Mapped {
  statusCode: number;
  body: Omit<ErrorBody, 'reqId'>;
}

function mapError(err: FastifyError | Error): Mapped {
  const e = err as FastifyError & { statusCode?: number; validation?: unknown };
  // Schema validation: 400 with every problem.
  if (Array.isArray(e.validation)) {
    const context = (e as { validationContext?: string }).validationContext ?? 'request';
    const details = (
      e.validation as { instancePath?: string; message?: string; params?: Record<string, unknown> }[]
    ).map((issue) => {
      const missing = issue.params?.missingProperty;
      const path = `${context}${issue.instancePath ?? ''}${typeof missing === 'string' ? `/${missing}` : ''}`;
      return { path, message: issue.message ?? 'is invalid' };
    });
    return {
      statusCode: 400,
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: details.map((d) => `${d.path} ${d.message}`).join('; '),
          details,
        },
      },
    };
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  // HttpError is written for clients (any status, message included); other typed errors only as 4xx.
  if (err instanceof HttpError && err.statusCode >= 400 && err.statusCode < 600) {
    return { statusCode: err.statusCode, body: { error: { code: err.code, message: err.message } } };
  }
  if (err instanceof LedgerlineError && status !== undefined && status >= 400 && status < 500) {
    return { statusCode: status, body: { error: { code: err.code, message: err.message } } };
  }
  // Fastify's own client errors (body too large, bad JSON, wrong media type, ...). Only those: a library
  // error that happens to carry statusCode 4xx (an upstream HTTP error) is ours to hide, not the client's.
  const fastifyCode = typeof e.code === 'string' && e.code.startsWith('FST_') ? e.code : undefined;
  if (fastifyCode !== undefined && status !== undefined && status >= 400 && status < 500) {
    return {
      statusCode: status,
      body: { error: { code: FASTIFY_CODES[fastifyCode] ?? 'BAD_REQUEST', message: e.message } },
    };
  }
  return {
    statusCode: status !== undefined && status >= 500 && status < 600 ? status : 500,
    body: { error: { code: 'INTERNAL_ERROR', message: GENERIC_5XX } },
  };
}

async function errorHandlerPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const { statusCode, body } = mapError(err);
    if ((err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = request.routeOptions.bodyLimit;
      if (typeof limit === 'number') body.error.message = `Request body is larger than the ${limit}-byte limit`;
    }
    if (statusCode >= 500 && err instanceof HttpError) {
      // Written for the client on purpose (e.g. 503 while an org's bridge starts): expected, not a fault.
      request.log.warn({ code: body.error.code, statusCode }, body.error.message);
    } else if (statusCode >= 500) {
      // Details stay in the log, joined to the response by reqId.
      request.log.error({ err, reqId: request.id }, 'request failed');
    } else {
      request.log.info({ code: body.error.code, statusCode }, body.error.message);
    }
    return reply.code(statusCode).send({ ...body, reqId: String(request.id) });
  });

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    return reply.code(404).send({
      error: { code: 'NOT_FOUND', message: `Route ${request.method} ${request.url.split('?')[0]} not found` },
      reqId: String(request.id),
    });
  });
}

/**
 * One place maps every error to a response `{ error: { code, message, details? }, reqId }`:
 * - schema validation → 400 VALIDATION_FAILED with every problem in `details`;
 * - an HttpError (written for clients, its message safe to show) → its status, code and message;
 * - another LedgerlineError with a 4xx `statusCode` → that status, its code and message;
 * - Fastify's client errors (413 body too large, 415 media type, bad JSON) → their status, a stable code;
 * - anything else, upstream HTTP errors with a 4xx statusCode included → 500 (or the error's 5xx) with the generic "Internal error"; details only in the log.
 */
export default fp(errorHandlerPlugin, { name: 'error-handler', fastify: '5.x' });
export { mapError };
