import { aborted } from 'node:util';
import { systemClock, type Clock } from './clock';
import { isShutdown, isTransient, TimeoutError, type RetryHints } from './errors';

/** How long to wait before retry number `attempt + 1`: exponential, jittered, never near zero. */
export interface Backoff {
  /** The first nominal delay in ms; doubles each attempt. Default 250. */
  baseDelayMs?: number;
  /** Largest nominal delay in ms (the jitter may add up to `jitter` of it). Default 30 000. */
  maxDelayMs?: number;
  /** Share of the nominal delay the jitter may take off or add, in [0, 1). Default 0.5. */
  jitter?: number;
  /** Random source in [0, 1); injectable for tests. */
  random?: () => number;
}

export interface RetryOptions extends Backoff {
  /** Retries after the first attempt (so `retries: 4` makes at most 5 attempts). Default 4. */
  retries?: number;
  /** Which errors to retry. Default `isTransient`: timeouts, network errors, 5xx, 429; never other 4xx. */
  isRetryable?: (err: unknown) => boolean;
  /** Called before each wait; for logging and metrics. */
  onRetry?: (info: { attempt: number; delayMs: number; err: unknown }) => void;
  clock?: Pick<Clock, 'sleep'>;
}

/**
 * The one backoff rule (Xero calls, token refresh, failed jobs): a nominal delay of
 * min(max, base × 2^attempt), jittered by ±`jitter` of itself, so retries from many callers spread out and none
 * comes back at once. (Full jitter, a random delay in [0, nominal), could retry a 5xx 16 ms later.)
 */
export function backoffDelay(attempt: number, opts: Backoff = {}): number {
  const base = opts.baseDelayMs ?? 250;
  const max = opts.maxDelayMs ?? 30_000;
  const jitter = opts.jitter ?? 0.5;
  if (!(jitter >= 0 && jitter < 1)) throw new RangeError(`backoff jitter ${jitter} is outside [0, 1)`);
  const nominal = Math.min(max, base * 2 ** attempt);
  return Math.round(nominal * (1 - jitter + 2 * jitter * (opts.random ?? Math.random)()));
}

/**
 * Runs `fn` and retries it on transient failures with jittered exponential backoff (never after a shutdown error:
 * this process is stopping). A server-requested wait (`retryAfterMs` on the error, from `Retry-After`) is honoured
 * as a floor.
 * `fn` gets the attempt number (0-based).
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const retries = opts.retries ?? 4;
  const isRetryable = opts.isRetryable ?? isTransient;
  const clock = opts.clock ?? systemClock;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (err) {
      // A shutdown is transient for the job (the next process runs it) but refuses every retry here at once.
      if (attempt >= retries || isShutdown(err) || !isRetryable(err)) throw err;
      const hinted = (err as RetryHints | null)?.retryAfterMs;
      const jittered = backoffDelay(attempt, opts);
      const delayMs = typeof hinted === 'number' && hinted > 0 ? Math.max(hinted, jittered) : jittered;
      opts.onRetry?.({ attempt, delayMs, err });
      await clock.sleep(delayMs);
    }
  }
}

/**
 * Settles as `promise` does, or rejects if `ms` (real time) pass first: with `TimeoutError` naming `what`, or with
 * the error `what` makes. The time is the platform's (`AbortSignal.timeout`, unreferenced, so a deadline never keeps
 * the process alive). The work itself is not cancelled: where an API takes a signal, give it one.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string | (() => Error) = 'operation',
): Promise<T> {
  if (!(ms > 0) || !Number.isFinite(ms)) return promise;
  const expired = aborted(AbortSignal.timeout(ms), promise).then(() => {
    throw typeof what === 'string' ? new TimeoutError(what, ms) : what();
  });
  return Promise.race([promise, expired]);
}

/** Parses an HTTP `Retry-After` value (delta-seconds or HTTP-date) into milliseconds; undefined if absent/bad. */
export function parseRetryAfter(value: string | undefined | null, nowMs = Date.now()): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
