/**
 * Base for the bridge's own typed errors. `code` is stable and machine-readable; `message` is for people.
 * The server's error-handler plugin maps these; anything else is an unexpected 500.
 */
export class LedgerlineError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An operation ran past its deadline. The work may still have happened on the other side. */
export class TimeoutError extends LedgerlineError {
  readonly timeoutMs: number;

  constructor(what: string, timeoutMs: number) {
    super('TIMEOUT', `${what} timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * What the retry helper looks at on an error: an HTTP status (0 or undefined for network failures) and
 * an optional server-requested wait.
 */
export interface RetryHints {
  status?: number;
  retryAfterMs?: number;
}

/** Network-level error codes worth retrying (Node/undici/axios). */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'TIMEOUT',
]);

/** Codes of errors that say this process is shutting down (the Xero scheduler's SchedulerClosedError). */
const SHUTDOWN_CODES = new Set(['SCHEDULER_CLOSED']);

/**
 * The work was cut off because this process is shutting down: nothing is wrong with it, and the next process runs it
 * (transient for a handler, so nothing is written on a record; never retried in this process, which is stopping).
 */
export function isShutdown(err: unknown): boolean {
  return typeof err === 'object' && err !== null && SHUTDOWN_CODES.has(String((err as { code?: unknown }).code));
}

/**
 * True for errors a retry can fix: timeouts, network failures, 5xx and 429, and work cut off by a shutdown. Never
 * other 4xx: a request the server refused will be refused again.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof TimeoutError || isShutdown(err)) return true;
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { status?: unknown; code?: unknown; cause?: unknown; name?: unknown };
  if (typeof e.status === 'number') {
    if (e.status === 0) return true; // no response: network failure
    return e.status === 429 || e.status >= 500;
  }
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  // fetch() wraps network failures in TypeError('fetch failed', { cause })
  if (e.name === 'TypeError' && e.cause !== undefined) return isTransient(e.cause);
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return true;
  return false;
}

/** A compact, log-safe description of any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return typeof err === 'string' ? err : JSON.stringify(err);
}
