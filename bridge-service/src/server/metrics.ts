import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';
import { OPEN_JOB_STATES, type OpenJobState } from '../store/types';

/** Where the jobs-by-state gauge reads from on every scrape (every state but done: those only grow). */
export type JobCounts = () => Promise<Record<OpenJobState, number>>;

/** Where the backlog-age gauge reads from on every scrape: when the oldest job still to do was stored. */
export type OldestPendingJob = () => Promise<number | null>;

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
 *
 * Many orgs: each org's bridge records on `forOrg(orgId)`, which labels its series `org="<orgId>"`. The default
 * org's series carry no org label, exactly as a single-org bridge's always have (dashboards keep working).
 */
export interface BridgeMetrics {
  readonly registry: Registry;
  /** The jobs gauge reads this on each scrape; set once the store exists. */
  setJobCounts(source: JobCounts): void;
  /** The backlog-age gauge reads this on each scrape. */
  setOldestPendingJob(source: OldestPendingJob): void;
  /** The same metrics, labelled with an org (the default org's: unlabelled). */
  forOrg(orgId: string): BridgeMetrics;
  /** Whether this org's bridge runs in this process (1) or not (0: starting, failed). */
  setOrgUp(up: boolean): void;
  /**
   * This process no longer serves the org (suspended, removed): its gauges go (up, roles held, last poll, Xero's
   * remaining calls, last event lag, jobs), so an org stopped on purpose raises none of the alerts a failed one does.
   * Its counters stay; they stop growing, and alerts read their increase. Setting a gauge again brings it back.
   */
  forget(): void;
  /** Whether this process holds a singleton role (the org's event subscriber, a tenant's poller). */
  setRoleHeld(role: string, held: boolean): void;
  /** One poll read (a page of changed invoices, credit notes or payments) of a tenant succeeded or failed. */
  recordXeroPoll(tenantId: string, ok: boolean): void;
  /** A token refresh outcome (refreshed, refused, failed). */
  recordTokenRefresh(outcome: 'refreshed' | 'refused' | 'failed'): void;
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
  /**
   * The event subscriber came back to a replay id Salesforce no longer holds: events were lost (sync/reconcile.ts
   * queues drafts and invoice approvals again; the error log names the window and the requests a person must repeat).
   */
  recordEventGap(channel: string): void;
  /** Done jobs the daily retention prune deleted (JOB_RETENTION_DAYS; sync/housekeeping/prune-jobs.ts). */
  recordJobsPruned(count: number): void;
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
  oldestPendingJob: 'ledgerline_jobs_oldest_pending_age_seconds',
  orgUp: 'ledgerline_org_up',
  roleHeld: 'ledgerline_role_held',
  xeroPolls: 'ledgerline_xero_polls_total',
  xeroLastPoll: 'ledgerline_xero_poll_last_success_timestamp_seconds',
  tokenRefreshes: 'ledgerline_xero_token_refreshes_total',
  eventGaps: 'ledgerline_event_gaps_total',
  jobsPruned: 'ledgerline_jobs_pruned_total',
} as const;

export function createMetrics(opts: CreateMetricsOptions = {}): BridgeMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  /** Per org (key '' for the default org), what the store-backed gauges read on each scrape. */
  const jobCounts = new Map<string, JobCounts>();
  const oldestPending = new Map<string, OldestPendingJob>();
  const orgLabel = (org: string) => (org === '' ? {} : { org });
  const jobs = new Gauge({
    name: METRIC_NAMES.jobs,
    help:
      'Jobs in the store by state: queued, running, failed, dead (read from the store on each scrape). Done jobs ' +
      'are kept for their keys (JOB_RETENTION_DAYS) and not counted: counting them would cost more the more are kept.',
    labelNames: ['state', 'org'],
    registers: [registry],
    async collect() {
      await Promise.all(
        [...jobCounts].map(async ([org, source]) => {
          try {
            const counts = await source();
            if (jobCounts.get(org) !== source) return; // forgotten while it counted
            for (const state of OPEN_JOB_STATES) this.set({ state, ...orgLabel(org) }, counts[state] ?? 0);
          } catch (err) {
            opts.onCollectError?.(err);
          }
        }),
      );
    },
  });
  const oldestPendingJob = new Gauge({
    name: METRIC_NAMES.oldestPendingJob,
    help: 'Age in seconds of the oldest job not yet done or given up (queued, running or failed); 0 when none.',
    labelNames: ['org'],
    registers: [registry],
    async collect() {
      await Promise.all(
        [...oldestPending].map(async ([org, source]) => {
          try {
            const at = await source();
            if (oldestPending.get(org) !== source) return;
            this.set(orgLabel(org), at === null ? 0 : Math.max(0, (Date.now() - at) / 1000));
          } catch (err) {
            opts.onCollectError?.(err);
          }
        }),
      );
    },
  });
  const xeroCalls = new Counter({
    name: METRIC_NAMES.xeroCalls,
    help: 'Xero API calls by tenant and HTTP status (0 = no response).',
    labelNames: ['tenant', 'status', 'org'],
    registers: [registry],
  });
  const xeroRateLimited = new Counter({
    name: METRIC_NAMES.xeroRateLimited,
    help: 'Xero 429 responses by tenant and X-Rate-Limit-Problem.',
    labelNames: ['tenant', 'problem', 'org'],
    registers: [registry],
  });
  const xeroRemaining = new Gauge({
    name: METRIC_NAMES.xeroRemaining,
    help: 'Calls Xero says remain in the window, by tenant.',
    labelNames: ['tenant', 'window', 'org'],
    registers: [registry],
  });
  const eventLag = new Histogram({
    name: METRIC_NAMES.eventLag,
    help: 'Seconds from an event being produced to the bridge storing it.',
    labelNames: ['source', 'org'],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const eventLagLast = new Gauge({
    name: METRIC_NAMES.eventLagLast,
    help: 'Lag of the most recent event, in seconds.',
    labelNames: ['source', 'org'],
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
  const orgUp = new Gauge({
    name: METRIC_NAMES.orgUp,
    help:
      "1 while the org's bridge runs in this process; 0 while it starts or failed (and retries). No series while " +
      'the org is suspended: stopped on purpose, it raises no alert.',
    labelNames: ['org'],
    registers: [registry],
  });
  const roleHeld = new Gauge({
    name: METRIC_NAMES.roleHeld,
    help:
      'Singleton roles this process holds (1): the org’s event subscriber (salesforce-subscriber) and each ' +
      'tenant’s poller (xero-poller:<tenant>). Summed over the replicas, each should be 1.',
    labelNames: ['role', 'org'],
    registers: [registry],
  });
  const xeroPolls = new Counter({
    name: METRIC_NAMES.xeroPolls,
    help: 'Poll reads (a page of changed invoices, credit notes or payments) by tenant and outcome (ok, failed).',
    labelNames: ['tenant', 'outcome', 'org'],
    registers: [registry],
  });
  const xeroLastPoll = new Gauge({
    name: METRIC_NAMES.xeroLastPoll,
    help: 'When this process last polled the tenant successfully (Unix seconds).',
    labelNames: ['tenant', 'org'],
    registers: [registry],
  });
  const tokenRefreshes = new Counter({
    name: METRIC_NAMES.tokenRefreshes,
    help: 'Xero token refreshes by outcome: refreshed, refused (reconnect Xero), failed (will retry).',
    labelNames: ['outcome', 'org'],
    registers: [registry],
  });
  const eventGaps = new Counter({
    name: METRIC_NAMES.eventGaps,
    help:
      'Times the event subscriber resumed past what Salesforce keeps (72 h): platform events were lost. Drafts and ' +
      'invoice approvals are queued again; the error log names the window and the requests a person must repeat.',
    labelNames: ['channel', 'org'],
    registers: [registry],
  });
  const jobsPruned = new Counter({
    name: METRIC_NAMES.jobsPruned,
    help:
      'Done jobs deleted by the daily retention prune, once older than JOB_RETENTION_DAYS. Given-up (dead) jobs are ' +
      'never pruned.',
    labelNames: ['org'],
    registers: [registry],
  });

  const views = new Map<string, BridgeMetrics>();
  const view = (org: string): BridgeMetrics => {
    const existing = views.get(org);
    if (existing) return existing;
    const label = orgLabel(org);
    const named = org === '' ? DEFAULT_ORG_LABEL : org;
    /** The gauge series this org has set, by gauge and labels: what forget() removes. */
    const gaugeSeries = new Map<object, Map<string, () => void>>();
    const setGauge = <L extends string>(gauge: Gauge<L>, labels: LabelValues<L>, value: number) => {
      gauge.set(labels, value);
      const series = gaugeSeries.get(gauge) ?? new Map<string, () => void>();
      series.set(JSON.stringify(labels), () => gauge.remove(labels));
      gaugeSeries.set(gauge, series);
    };
    const made: BridgeMetrics = {
      registry,
      setJobCounts(source) {
        jobCounts.set(org, source);
      },
      setOldestPendingJob(source) {
        oldestPending.set(org, source);
      },
      forOrg: (orgId) => view(orgId === DEFAULT_ORG_LABEL ? '' : orgId),
      setOrgUp(up) {
        setGauge(orgUp, { org: named }, up ? 1 : 0);
      },
      forget() {
        jobCounts.delete(org);
        oldestPending.delete(org);
        for (const state of OPEN_JOB_STATES) jobs.remove({ state, ...label });
        oldestPendingJob.remove(label);
        for (const series of gaugeSeries.values()) for (const remove of series.values()) remove();
        gaugeSeries.clear();
      },
      setRoleHeld(role, held) {
        setGauge(roleHeld, { role, org: named }, held ? 1 : 0);
      },
      recordXeroPoll(tenantId, ok) {
        xeroPolls.inc({ tenant: tenantId, outcome: ok ? 'ok' : 'failed', ...label });
        if (ok) setGauge(xeroLastPoll, { tenant: tenantId, ...label }, Date.now() / 1000);
      },
      recordTokenRefresh(outcome) {
        tokenRefreshes.inc({ outcome, ...label });
      },
      recordXeroCall(tenantId, status) {
        xeroCalls.inc({ tenant: tenantId, status: String(status), ...label });
      },
      recordXeroRateLimited(tenantId, problem) {
        xeroRateLimited.inc({ tenant: tenantId, problem: problem ?? 'unknown', ...label });
      },
      recordXeroRemaining(tenantId, window, remaining) {
        setGauge(xeroRemaining, { tenant: tenantId, window, ...label }, remaining);
      },
      observeEventLag(source, seconds) {
        const value = Math.max(0, seconds);
        eventLag.observe({ source, ...label }, value);
        setGauge(eventLagLast, { source, ...label }, value);
      },
      recordWebhook(outcome) {
        webhooks.inc({ outcome });
      },
      observeHttpRequest(method, route, statusCode, seconds) {
        httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
      },
      recordEventGap(channel) {
        eventGaps.inc({ channel, ...label });
      },
      recordJobsPruned(count) {
        if (count > 0) jobsPruned.inc(label, count);
      },
    };
    views.set(org, made);
    return made;
  };
  return view('');
}

/** The default org in the metrics that always name their org (org_up, role_held). */
const DEFAULT_ORG_LABEL = 'default';
