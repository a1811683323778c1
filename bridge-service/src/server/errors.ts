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
export interface ErrorBody {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
  reqId: string;
}

/** Shared response schema, registered once as `ErrorResponse`. */
export const errorResponseSchema = {
  $id: 'ErrorResponse',
  type: 'object',
  required: ['error', 'reqId'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            properties: { path: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
    reqId: { type: 'string' },
  },
} as const;

export const errorRef = { $ref: 'ErrorResponse#' } as const;
