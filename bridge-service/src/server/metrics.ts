import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JOB_STATES, type JobState } from '../store/types';

/** Where the jobs-by-state gauge reads from on every scrape. */
export type JobCounts = () => Promise<Record<JobState, number>>;

export interface CreateMetricsOptions {
  /** Node process metrics (CPU, memory, event loop, GC). Default true. */
  defaultMetrics?: boolean;
  /** Called when a scrape-time collection fails (the gauge then keeps its last values). */
  onCollectError?: (err: unknown) => void;
}

/** Where an event came from, for the lag metrics. */
export type EventSource = 'salesforce' | 'xero_webhook' | 'xero_poll';

/**
 * The bridge's Prometheus metrics on their own registry (never the global one, so two apps in one test
 * process don't collide). The Xero scheduler and the event subscriber record on the same object.
 */
export interface BridgeMetrics {
  readonly registry: Registry;
  /** The jobs gauge reads this on each scrape; set once the store exists. */
  setJobCounts(source: JobCounts): void;
  /** One Xero API call finished; `status` is the HTTP status (0 for a network failure). */
  recordXeroCall(tenantId: string, status: number): void;
  /** Xero answered 429; `problem` is X-Rate-Limit-Problem (minute, day, concurrent, appminute) if sent. */
  recordXeroRateLimited(tenantId: string, problem?: string): void;
  /** Remaining calls Xero reported (X-MinLimit-Remaining / X-DayLimit-Remaining). */
  recordXeroRemaining(tenantId: string, window: 'minute' | 'day', remaining: number): void;
  /** Seconds between an event being produced (Salesforce publish, Xero eventDateUtc) and the bridge storing it. */
  observeEventLag(source: EventSource, seconds: number): void;
  /** A webhook request's outcome. */
  recordWebhook(outcome: 'accepted' | 'bad_signature' | 'invalid'): void;
  /** One HTTP request served; `route` is the route pattern, never the raw URL. */
  observeHttpRequest(method: string, route: string, statusCode: number, seconds: number): void;
}

export const METRIC_NAMES = {
  jobs: 'ledgerline_jobs',
  xeroCalls: 'ledgerline_xero_calls_total',
  xeroRateLimited: 'ledgerline_xero_rate_limited_total',
  xeroRemaining: 'ledgerline_xero_rate_limit_remaining',
  eventLag: 'ledgerline_event_lag_seconds',
  eventLagLast: 'ledgerline_event_lag_last_seconds',
  webhooks: 'ledgerline_webhook_requests_total',
  httpDuration: 'ledgerline_http_request_duration_seconds',
} as const;

export function createMetrics(opts: CreateMetricsOptions = {}): BridgeMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  let jobCounts: JobCounts | undefined;
  new Gauge({
    name: METRIC_NAMES.jobs,
    help: 'Jobs in the store by state (read from the store on each scrape).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      if (!jobCounts) return;
      try {
        const counts = await jobCounts();
        for (const state of JOB_STATES) this.set({ state }, counts[state] ?? 0);
      } catch (err) {
        opts.onCollectError?.(err);
      }
    },
  });
  const xeroCalls = new Counter({
    name: METRIC_NAMES.xeroCalls,
    help: 'Xero API calls by tenant and HTTP status (0 = no response).',
    labelNames: ['tenant', 'status'],
    registers: [registry],
  });
  const xeroRateLimited = new Counter({
    name: METRIC_NAMES.xeroRateLimited,
    help: 'Xero 429 responses by tenant and X-Rate-Limit-Problem.',
    labelNames: ['tenant', 'problem'],
    registers: [registry],
  });
  const xeroRemaining = new Gauge({
    name: METRIC_NAMES.xeroRemaining,
    help: 'Calls Xero says remain in the window, by tenant.',
    labelNames: ['tenant', 'window'],
    registers: [registry],
  });
  const eventLag = new Histogram({
    name: METRIC_NAMES.eventLag,
    help: 'Seconds from an event being produced to the bridge storing it.',
    labelNames: ['source'],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const eventLagLast = new Gauge({
    name: METRIC_NAMES.eventLagLast,
    help: 'Lag of the most recent event, in seconds.',
    labelNames: ['source'],
    registers: [registry],
  });
  const webhooks = new Counter({
    name: METRIC_NAMES.webhooks,
    help: 'Xero webhook requests by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: METRIC_NAMES.httpDuration,
    help: 'HTTP request duration by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  return {
    registry,
    setJobCounts(source) {
      jobCounts = source;
    },
    recordXeroCall(tenantId, status) {
      xeroCalls.inc({ tenant: tenantId, status: String(status) });
    },
    recordXeroRateLimited(tenantId, problem) {
      xeroRateLimited.inc({ tenant: tenantId, problem: problem ?? 'unknown' });
    },
    recordXeroRemaining(tenantId, window, remaining) {
      xeroRemaining.set({ tenant: tenantId, window }, remaining);
    },
    observeEventLag(source, seconds) {
      const value = Math.max(0, seconds);
      eventLag.observe({ source }, value);
      eventLagLast.set({ source }, value);
    },
    recordWebhook(outcome) {
      webhooks.inc({ outcome });
    },
    observeHttpRequest(method, route, statusCode, seconds) {
      httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
    },
  };
}
