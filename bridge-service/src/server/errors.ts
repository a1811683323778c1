import { z } from 'zod';
import { LedgerlineError } from '../lib/errors';

/**
 * An error written for the client, with the HTTP status the error-handler plugin answers with. Its code
 * and message go to the client as they are (5xx included), so keep both free of secrets and internals.
 */
export class HttpError extends LedgerlineError {
  readonly statusCode: number;

  constructor(statusCode: number, code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.statusCode = statusCode;
  }
}

export class NotFoundError extends HttpError {
  constructor(code: string, message: string) {
    super(404, code, message);
  }
}

export class ConflictError extends HttpError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message = 'A valid admin bearer token is required') {
    super(401, 'UNAUTHORIZED', message);
  }
}

export class BadRequestError extends HttpError {
  constructor(code: string, message: string) {
    super(400, code, message);
  }
}

/** The JSON shape of every error response. */
export const errorResponse = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
    reqId: z.string(),
  })
  .describe('Every error: a stable code, a message, and the request id');

export type ErrorBody = z.infer<typeof errorResponse>;
