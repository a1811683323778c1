/**
 * One logical Xero call, as every operation of the client makes it: refused at once while the tenant must wait
 * longer than a call may (a 429's pause, its day of calls used up, another replica's pause), else paced by the
 * per-tenant scheduler, with a
 * fresh access token inside its slot, a socket timeout and a deadline, retried with jittered backoff on 5xx,
 * network errors, timeouts and 429 (honouring Retry-After), one token refresh and one more attempt on a 401, and
 * xero-node's rejections turned into XeroApiError.
 */
import { dirname } from 'node:path';
import { AccountingApi } from 'xero-node';
import { isTransient, TimeoutError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { retry, withTimeout, type RetryOptions } from '../lib/retry';
import { XeroApiError } from './errors';
import { TenantWaitTooLong, type CallLane, type LongWait, type XeroScheduler } from './scheduler';
import type { XeroTokenManager } from './tokens';
import { XeroRequestInvalid } from './wire';

export interface XeroCallOptions {
  basePath: string;
  timeoutMs: number;
  tokens: Pick<XeroTokenManager, 'connectionIdForTenant' | 'getAccessToken' | 'refresh'>;
  scheduler: Pick<XeroScheduler, 'schedule'> & Partial<Pick<XeroScheduler, 'snapshot' | 'longWait'>>;
  logger?: Pick<Logger, 'warn' | 'debug'> | undefined;
  /** Retry policy for 5xx, network errors, timeouts and 429. Default: 4 retries, jittered backoff. */
  retry?: Omit<RetryOptions, 'isRetryable' | 'onRetry'> | undefined;
  /**
   * A 429 asking for a longer wait than this (e.g. the daily limit) is not retried in-process: it is thrown so the
   * job can be rescheduled for `retryAfterMs` instead of holding a worker. A call the scheduler would hold longer
   * than this (the tenant paused, its day used up) is refused the same way, without calling Xero.
   */
  maxRetryAfterMs: number;
  /** Told of each of the bridge's writes that a payment tends to follow (`isTenantActivity`), as it is made. */
  onTenantWrite?: ((tenantId: string) => void) | undefined;
}

/**
 * Drafting is the one work that arrives as a backlog (a closed quarter, a migration): its calls take the scheduler's
 * backlog lane and yield to the calls someone is waiting on (a webhook's read, an approval, a payment coming back).
 */
const BACKLOG_OPERATIONS: ReadonlySet<string> = new Set(['createInvoices', 'createContacts']);
export const laneOf = (operation: string): CallLane => (BACKLOG_OPERATIONS.has(operation) ? 'backlog' : 'waited-on');

/**
 * The bridge's writes after which a customer's payment tends to follow (a draft raised, invoices authorised, a credit
 * note): they bring the tenant's poller back from idle. Reported as the call is made, not when Xero answers: Xero may
 * send the write's webhook first, and that echo must find the tenant active, or it would bring a poll forward only to
 * list the bridge's own write.
 */
const TENANT_ACTIVITY: ReadonlySet<string> = new Set([
  'createInvoices',
  'updateInvoiceStatus',
  'updateInvoiceStatuses',
  'createCreditNotes',
  'allocateCreditNote',
  'updateDraft',
]);
export const isTenantActivity = (operation: string): boolean => TENANT_ACTIVITY.has(operation);

export type XeroCall = <T>(
  tenantId: string,
  operation: string,
  fn: (api: AccountingApi) => Promise<{ body: T }>,
) => Promise<T>;

export function createXeroCall(opts: XeroCallOptions): XeroCall {
  installAxiosTimeout(opts.basePath, opts.timeoutMs);
  const waitTooLong = (err: unknown) => err instanceof XeroApiError && (err.retryAfterMs ?? 0) > opts.maxRetryAfterMs;

  return async function call<T>(
    tenantId: string,
    operation: string,
    fn: (api: AccountingApi) => Promise<{ body: T }>,
  ): Promise<T> {
    if (isTenantActivity(operation)) opts.onTenantWrite?.(tenantId);
    // Known now (no token needed to tell); the scheduler also refuses a wait it learns of once the call is queued.
    const wait = opts.scheduler.longWait?.(tenantId);
    if (wait && wait.waitMs > opts.maxRetryAfterMs) throw tenantWaits(tenantId, operation, wait);
    const connectionId = await opts.tokens.connectionIdForTenant(tenantId);
    let refreshedAfter401 = false;
    let retryNow = false;
    return retry(
      async () => {
        let accessToken: string | undefined;
        try {
          const result = await opts.scheduler.schedule(
            tenantId,
            async () => {
              accessToken = await opts.tokens.getAccessToken(connectionId);
              const api = new AccountingApi(opts.basePath);
              api.accessToken = accessToken;
              try {
                // The socket timeout (below) ends a hung request; the deadline is the backstop that frees the slot.
                return await withTimeout(fn(api), opts.timeoutMs + 1_000, `Xero ${operation}`);
              } catch (err) {
                throw toXeroApiError(err, operation, tenantId);
              }
            },
            laneOf(operation),
            { maxWaitMs: opts.maxRetryAfterMs },
          );
          return result.body;
        } catch (err) {
          retryNow = false;
          if (err instanceof TenantWaitTooLong) throw tenantWaits(tenantId, operation, err.wait);
          // A refresh cannot help a call the consent does not cover (insufficient_scope): that needs a reconnect.
          if (
            err instanceof XeroApiError &&
            err.status === 401 &&
            !err.insufficientScope &&
            !refreshedAfter401 &&
            accessToken !== undefined
          ) {
            refreshedAfter401 = true;
            // a refusal here (reauthorisation needed) propagates and is not retried
            await opts.tokens.refresh(connectionId, { rejectedAccessToken: accessToken });
            retryNow = true;
          }
          throw err;
        }
      },
      {
        ...opts.retry,
        isRetryable: (err) => retryNow || (isTransient(err) && !waitTooLong(err)),
        onRetry: ({ attempt, delayMs, err }) =>
          opts.logger?.warn({ tenantId, operation, attempt, delayMs, err }, 'Xero call failed; retrying'),
      },
    );
  };
}

/** Turns xero-node's rejection (a JSON string, or `{ response, body }`) into XeroApiError. Other errors pass. */
export function toXeroApiError(err: unknown, operation: string, tenantId?: string): unknown {
  if (err instanceof XeroApiError || err instanceof TimeoutError) return err;
  let parsed: unknown = err;
  if (typeof err === 'string') {
    try {
      parsed = JSON.parse(err);
    } catch {
      return new XeroApiError({ status: 0, body: err, operation, tenantId });
    }
  }
  if (parsed && typeof parsed === 'object' && 'response' in parsed) {
    const p = parsed as { response?: Record<string, unknown>; body?: unknown };
    const r = p.response ?? {};
    const status = Number(r.statusCode ?? r.status ?? 0) || 0;
    return new XeroApiError({
      status,
      body: p.body ?? r.body ?? r.data,
      headers: lowerCaseHeaders(r.headers),
      operation,
      tenantId,
      cause: err instanceof Error ? err : undefined,
    });
  }
  return err;
}

function lowerCaseHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers || typeof headers !== 'object') return out;
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined && v !== null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/** Every write carries an Idempotency-Key of 1-128 characters. */
export function checkKey(operation: string, key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 128) {
    throw new XeroRequestInvalid(`${operation}: an Idempotency-Key of 1-128 characters is required`);
  }
}

const timeoutsInstalled = new Set<string>();

/**
 * xero-node sets no timeout on Accounting calls (axios default: none) and its `options` only carry headers. A
 * request interceptor on the axios instance xero-node uses gives calls to our base path a real socket timeout, so a
 * hung request frees its scheduler slot (the deadline in `call` is the backstop). Hand-written because xero-node
 * offers no other way in.
 */
function installAxiosTimeout(basePath: string, timeoutMs: number): void {
  const key = `${basePath} ${timeoutMs}`;
  if (timeoutsInstalled.has(key)) return;
  timeoutsInstalled.add(key);
  try {
    const axiosPath = require.resolve('axios', { paths: [dirname(require.resolve('xero-node'))] });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const axios = require(axiosPath) as {
      interceptors: { request: { use: (fn: (cfg: { url?: string; timeout?: number }) => unknown) => void } };
    };
    axios.interceptors.request.use((cfg) => {
      if (!cfg.timeout && typeof cfg.url === 'string' && cfg.url.startsWith(basePath)) cfg.timeout = timeoutMs;
      return cfg;
    });
  } catch {
    // the deadline in `call` still bounds every call
  }
}

const WAIT_REASONS: Record<LongWait['reason'], string> = {
  paused: 'Xero paused this tenant (an earlier 429)',
  'app-paused': 'Xero paused the whole app (an earlier 429)',
  'shared-paused': 'Xero paused this tenant (a 429 another bridge process had)',
  'shared-limit': "this tenant's Xero limits are used up (counted with the other bridge processes)",
  'day-limit': "this tenant's Xero day limit is used up (X-DayLimit-Remaining: 0)",
};

/**
 * A call not made: the tenant must wait this long (Xero paused it with a 429, e.g. the daily limit; or its day of
 * calls is used up, which the scheduler sees in Xero's headers before any 429; or another replica's pause). Queued
 * for as long it would hold its worker; as a 429 with the time left, the job is tried again when Xero allows, and
 * other tenants' work goes on meanwhile.
 */
function tenantWaits(tenantId: string, operation: string, wait: LongWait): XeroApiError {
  const seconds = Math.ceil(wait.waitMs / 1000);
  return new XeroApiError({
    status: 429,
    body: `not called: ${WAIT_REASONS[wait.reason]}, for ${seconds} s more`,
    headers: {
      'retry-after': String(seconds),
      ...(wait.reason === 'day-limit' ? { 'x-rate-limit-problem': 'day' } : {}),
    },
    operation,
    tenantId,
  });
}
