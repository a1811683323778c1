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

/**
 * Salesforce error codes a later attempt can get past, wherever Salesforce puts them: a whole response's `errorCode`
 * (jsforce's error keeps it, not the HTTP status) or a Collections record's `statusCode`. A row another transaction
 * holds (very common when many writes touch one Account), an instance down or overloaded (503), an internal error
 * (500), the org's API limit (403).
 */
const SALESFORCE_TRANSIENT_CODES = new Set([
  'UNABLE_TO_LOCK_ROW',
  'SERVER_UNAVAILABLE',
  'UNKNOWN_EXCEPTION',
  'REQUEST_LIMIT_EXCEEDED',
]);

/** A Salesforce error code a retry can fix; jsforce names a response without an error body `ERROR_HTTP_<status>`. */
export function isTransientSalesforceCode(code: string): boolean {
  return SALESFORCE_TRANSIENT_CODES.has(code) || /^ERROR_HTTP_(429|5\d\d)$/.test(code);
}

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
 * True for errors a retry can fix: timeouts, network failures, 5xx and 429, Salesforce's transient codes (a locked
 * row, an unavailable instance), and work cut off by a shutdown. Never other 4xx: a request the server refused will
 * be refused again. An error that knows says so itself (`transient`: SalesforceWriteError).
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof TimeoutError || isShutdown(err)) return true;
  if (typeof err !== 'object' || err === null) return false;
  const e = err as {
    status?: unknown;
    code?: unknown;
    errorCode?: unknown;
    transient?: unknown;
    cause?: unknown;
    name?: unknown;
  };
  if (typeof e.transient === 'boolean') return e.transient;
  if (typeof e.status === 'number') {
    if (e.status === 0) return true; // no response: network failure
    return e.status === 429 || e.status >= 500;
  }
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  if (typeof e.errorCode === 'string' && isTransientSalesforceCode(e.errorCode)) return true;
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
