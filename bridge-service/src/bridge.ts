/**
 * The composition root: builds the running bridge of one org from its configuration. Every part is made here once
 * and handed to the parts that use it; nothing else reaches for globals. A host (host/) builds one per org on one
 * store; `createBridge` is the single-org bridge the sandbox, the tests and the benchmarks run.
 *
 * Several bridge processes may share the store (replicas). Then each org's event subscriber and each Xero tenant's
 * poller run in one process at a time, held by a lease (lib/singleton-role.ts) and fenced: the replay cursor and
 * the watermarks are saved only under the holder's token. Xero's rate limits are shared through the store's
 * permits, token refresh is single-flight across processes, and jobs are claimed by one process each.
 */
import type { Config } from './config';
import { systemClock, type Clock } from './lib/clock';
import type { Logger } from './lib/logger';
import { withTimeout } from './lib/retry';
import { createRolePerKey, createSingletonRole, RoleLostError, type RoleFence } from './lib/singleton-role';
import { connectSalesforce } from './salesforce/connection';
import { createEventSubscriber } from './salesforce/event-subscriber';
import { createGoLiveQueries } from './salesforce/golive-queries';
import { createQueries, readOrgCurrency } from './salesforce/queries';
import { createKpiQueries } from './salesforce/kpi-queries';
import { createRevenueQueries } from './salesforce/revenue-queries';
import { createCloseQueries } from './salesforce/close-queries';
import { salesforceNames } from './salesforce/schema';
import { createWriteback } from './salesforce/writeback';
import { readinessFrom, storePendingAuthorizations, xeroConnectFrom, xeroMetricsListener } from './server/adapters';
import type { OrgEndpoints, ShutdownDeps } from './server/deps';
import { createGoLiveMetrics } from './server/metrics-golive';
import type { Bridge, BridgeContext } from './server/main';
import type { BridgeMetrics } from './server/metrics';
import { runShutdown } from './server/plugins/shutdown';
import { openStore } from './store';
import { DEFAULT_ORG_ID, type Repositories, type Store, type WatermarkRepository } from './store/types';
import { createSync } from './sync';
import { createBillingTriggers } from './sync/billing';
import { createKpiTriggers } from './sync/insights';
import { createIntake } from './sync/intake';
import { createWebhookIntake, createXeroPoller } from './sync/inbound';
import { createReconciler } from './sync/reconcile';
import { createReferenceData } from './sync/services/reference-data';
import { createSummaries } from './sync/services/summaries';
import type { SyncDeps } from './sync/sync-deps';
import { createWorker } from './sync/worker';
import { XeroJournalClient } from './xero/journal-client';
import { XeroClient } from './xero/client';
import { XeroLedgerClient } from './xero/ledger-client';
import { XeroScheduler, type XeroLimits } from './xero/scheduler';
import { XeroTokenManager } from './xero/tokens';

/** Test and benchmark knobs; production uses the defaults. */
export interface BridgeOverrides {
  clock?: Clock;
  xeroLimits?: Partial<XeroLimits>;
  /** A store owned by the caller (it stays open when the bridge shuts down). */
  store?: Store;
  workerIdleMs?: number;
  /** Attempts before a job that keeps failing for now is given up (default 10). */
  workerMaxAttempts?: number;
  /** Xero polling interval (default: POLL_INTERVAL_MS). */
  pollIntervalMs?: number;
  /** The longest an idle tenant waits between polls (default: POLL_IDLE_MAX_MS; never less than the interval). */
  pollIdleMaxMs?: number;
  /** How long billing entities, settings and tax rates are cached (default 60 s). */
  referenceTtlMs?: number;
  /** Singleton-role leases: how long one lasts unrenewed, and how often it is renewed or tried (10 s, 3 s). */
  roles?: { ttlMs?: number; everyMs?: number };
}

/** What one org's bridge needs from its host. */
export interface OrgBridgeContext {
  /** Bound to the org (`{ orgId }` on every line). */
  logger: Logger;
  /** The org's view of the metrics (`metrics.forOrg(orgId)`). */
  metrics: BridgeMetrics;
  /** The deployment's store; the bridge reaches only its org's part (`store.forOrg(orgId)`) and the shared limits. */
  store: Store;
  orgId: string;
}

/** One org's running bridge, as its host holds it. */
export interface OrgBridge {
  orgId: string;
  endpoints: OrgEndpoints;
  /** The ordered shutdown of this org's parts (the store is the host's). */
  shutdown: ShutdownDeps;
  /** Starts intake: the job worker, and the subscriber and pollers this process wins the leases of. */
  start(): Promise<void>;
  /** Stops this org's bridge (intake, in-flight work bounded by `drainTimeoutMs`, Xero scheduler). */
  stop(drainTimeoutMs?: number): Promise<void>;
}

/**
 * How long a Xero rate-limit permit counts as in flight if its holder dies. The scheduler renews the permits of its
 * running calls every 5 s, so a dead replica's share of a tenant's 5 slots frees up within 15 s.
 */
const PERMIT_LEASE_MS = 15_000;

export async function createOrgBridge(
  config: Config,
  context: OrgBridgeContext,
  overrides: BridgeOverrides = {},
): Promise<OrgBridge> {
  const { logger: log, metrics, store, orgId } = context;
  const repos: Repositories = store.forOrg(orgId);
  const owner = config.instanceId;
  const clock = overrides.clock ?? systemClock;
  const names = salesforceNames(config.salesforce.namespacePrefix);
  const roleTiming = { ...overrides.roles };

  const tokens = new XeroTokenManager({
    connections: repos.xeroConnections,
    config: config.xero,
    owner,
    logger: log,
    clock,
    httpTimeoutMs: config.httpTimeoutMs,
    onRefresh: (outcome) => metrics.recordTokenRefresh(outcome),
  });
  const scheduler = new XeroScheduler({
    limits: { ...config.xero.limits, ...overrides.xeroLimits },
    clock,
    logger: log,
    onEvent: xeroMetricsListener(metrics),
    // Every process on the store, and every org on the same Xero app, counts against the same buckets.
    shared: {
      repository: store.rateLimits,
      appId: config.xero.clientId,
      owner,
      permitLeaseMs: PERMIT_LEASE_MS,
    },
  });
  const xeroOptions = {
    config: { apiBaseUrl: config.xero.apiBaseUrl, httpTimeoutMs: config.httpTimeoutMs },
    tokens,
    scheduler,
    logger: log,
    // The bridge's own writes to a tenant bring its poller back from idle: payments tend to follow.
    onTenantWrite: (tenantId: string) => poller.bridgeWrote(tenantId),
  };
  const xero = new XeroClient(xeroOptions);
  const ledger = new XeroLedgerClient(xeroOptions);

  let conn;
  try {
    conn = await connectSalesforce(config.salesforce, log, () => clock.now());
  } catch (err) {
    await scheduler.close();
    throw err;
  }
  const salesforce = conn;
  const currency = await readOrgCurrency(salesforce, names);
  if (!currency.multi)
    log.warn(
      { err: currency.error },
      'CurrencyType does not exist: a single-currency org; invoices take the corporate currency',
    );
  const writeback = createWriteback({ conn: salesforce, names, log });
  const queries = createQueries({
    conn: salesforce,
    names,
    multiCurrency: currency.multi,
    batch: () => writeback.composite(),
  });
  const reference = createReferenceData({
    queries,
    xero,
    clock,
    log,
    ...(overrides.referenceTtlMs === undefined ? {} : { ttlMs: overrides.referenceTtlMs }),
  });
  // Billing plans' work is stored jobs; the worker (made below) is woken when some falls due now.
  const billingTriggers = createBillingTriggers({ jobs: repos.jobs, clock, wake: () => worker.wake() });
  const kpiTriggers = createKpiTriggers({ jobs: repos.jobs, clock, wake: () => worker.wake() });
  const summaries = createSummaries({
    queries,
    writeback,
    clock,
    log,
    // an invoice written back changes its deal's plan: re-planned a minute later, with anything else that changed
    // and the KPIs: refreshed at the end of a five-minute window, once for everything that changed in it
    onInvoicesChanged: async (opportunityIds) => {
      await billingTriggers.planSoon(opportunityIds);
      await kpiTriggers.refreshSoon();
    },
  });
  const entities = await reference.billingEntities();
  const corporateCurrency =
    currency.corporate ?? entities.find((e) => e.isDefault)?.baseCurrency ?? entities[0]?.baseCurrency ?? 'USD';

  const deps: SyncDeps = {
    jobs: repos.jobs,
    leases: repos.leases,
    instanceId: owner,
    xeroResults: repos.xeroResults,
    contactMappings: repos.contactMappings,
    watermarks: repos.watermarks,
    xeroConnections: repos.xeroConnections,
    xero,
    queries,
    writeback,
    reference,
    summaries,
    names,
    log,
    clock,
    corporateCurrency,
    prorationMethod: config.prorationMethod,
    instanceUrl: () => salesforce.instanceUrl,
    ledger,
    goLive: createGoLiveQueries({ conn: salesforce, names, multiCurrency: currency.multi }),
    importRuns: repos.importRuns,
    revenueQueries: createRevenueQueries({ names, multiCurrency: currency.multi }),
    billingTriggers,
    kpiQueries: createKpiQueries({ names, multiCurrency: currency.multi }),
    kpiTriggers,
    closeQueries: createCloseQueries({ conn: salesforce, names }),
    journals: new XeroJournalClient(xeroOptions),
    wake: () => worker.wake(),
  };
  let wake = (): void => undefined;
  const sync = createSync(deps, {
    metrics: createGoLiveMetrics(metrics.registry, orgId),
    onQueued: () => wake(),
    importPageSize: config.importPageSize,
    // A webhook's change written to Salesforce wakes the tenant's poller from idle (a payment's invoice event:
    // payments, overpayments and prepayments are only polled). Echoes of the bridge's own writes write nothing.
    onXeroChanged: (tenantId, change) => poller.xeroChanged(tenantId, change),
    jobRetention: { days: config.jobRetentionDays, onPruned: (count) => metrics.recordJobsPruned(count) },
  });
  const worker = createWorker({
    jobs: repos.jobs,
    handlers: sync.handlers,
    owner,
    onGiveUp: sync.onGiveUp,
    log,
    clock,
    ...(overrides.workerIdleMs ? { idleMs: overrides.workerIdleMs } : {}),
    ...(overrides.workerMaxAttempts ? { maxAttempts: overrides.workerMaxAttempts } : {}),
  });
  wake = () => worker.wake();
  const intake = createIntake({
    jobs: repos.jobs,
    names,
    log,
    onAccepted: () => worker.wake(),
    observeLag: (seconds) => metrics.observeEventLag('salesforce', seconds),
    now: () => clock.now(),
  });
  const webhooks = createWebhookIntake({
    jobs: repos.jobs,
    xeroConnections: repos.xeroConnections,
    log,
    onAccepted: () => worker.wake(),
    // A webhook heard: the tenant has webhooks on (the poller's echo rule). It wakes nothing by itself (see above).
    onHeard: (tenantId) => poller.webhookHeard(tenantId),
    now: () => clock.now(),
  });

  // ── the poller of each tenant: one process at a time ─────────────────────────────────────────────────
  let polling = false;
  const pollerRoles = createRolePerKey({
    ...roleTiming,
    owner,
    leases: repos.leases,
    clock,
    log,
    keys: async () => (await repos.xeroConnections.listXeroTenants()).map((t) => t.tenantId),
    name: (tenantId) => `xero-poller:${tenantId}`,
    // Taken over from another process (or a tenant connected since): poll it now, not at the next interval. A poll
    // already running may have started without this tenant, so poll once more after it. (At start, the poller's
    // first round polls every tenant taken.)
    onGained: async () => {
      if (!polling) return;
      void poller
        .pollOnce()
        .catch(() => undefined)
        .then(() => poller.pollOnce())
        .catch((err: unknown) => log.warn({ err }, 'Xero poll failed'));
    },
    onLost: async () => undefined,
    onChange: (tenantId, held) => metrics.setRoleHeld(`xero-poller:${tenantId}`, held),
  });
  /** Watermarks saved only under the tenant's poller lease: a poller that lost it moves nothing. */
  const fencedWatermarks: Pick<WatermarkRepository, 'getWatermark' | 'saveWatermark'> = {
    getWatermark: (tenantId, resource) => repos.watermarks.getWatermark(tenantId, resource),
    saveWatermark: async (tenantId, resource, watermark) => {
      const fence = pollerRoles.fence(tenantId);
      if (!fence || !(await repos.watermarks.saveFencedWatermark(tenantId, resource, watermark, fence))) {
        pollerRoles.checkNow(tenantId);
        throw new RoleLostError(`xero-poller:${tenantId}`);
      }
    },
  };
  /** Each poll read, counted by tenant and outcome (ledgerline_xero_polls_total and the last success). */
  const counted =
    <A extends unknown[], R>(read: (tenantId: string, ...args: A) => Promise<R>) =>
    (tenantId: string, ...args: A): Promise<R> =>
      read(tenantId, ...args).then(
        (result) => {
          metrics.recordXeroPoll(tenantId, true);
          return result;
        },
        (err: unknown) => {
          metrics.recordXeroPoll(tenantId, false);
          throw err;
        },
      );
  const poller = createXeroPoller(
    {
      ...deps,
      xero: {
        getInvoicesModifiedSince: counted((t, q) => xero.getInvoicesModifiedSince(t, q)),
        getCreditNotes: counted((t, q) => xero.getCreditNotes(t, q)),
        getPayments: counted((t, q) => xero.getPayments(t, q)),
        getInvoicesByIds: (t, ids) => xero.getInvoicesByIds(t, ids),
      },
      watermarks: fencedWatermarks,
      // Only the tenants whose poller lease this process holds.
      xeroConnections: {
        listXeroTenants: async () =>
          (await repos.xeroConnections.listXeroTenants()).filter((t) => pollerRoles.holds(t.tenantId)),
      },
      apply: sync.apply,
    },
    {
      intervalMs: overrides.pollIntervalMs ?? config.pollIntervalMs,
      idleMaxMs: overrides.pollIdleMaxMs ?? config.pollIdleMaxMs,
      clock,
    },
  );

  // ── the org's event subscriber: one process at a time ────────────────────────────────────────────────
  const reconciler = createReconciler({
    queries,
    jobs: repos.jobs,
    reference,
    cursors: repos.replayCursors,
    metrics,
    clock,
    log,
    onQueued: () => worker.wake(),
  });
  let subscriberFence: RoleFence | undefined;
  const subscriber = createEventSubscriber({
    conn: salesforce,
    channel: names.channel('Invoice_Request__e'),
    cursor: {
      getReplayId: (channel) => repos.replayCursors.getReplayId(channel),
      // Saved only under this process's subscriber lease: a subscriber that lost it cannot move the cursor.
      saveReplayId: async (channel, replayId) => {
        const fence = subscriberFence;
        if (!fence || !(await repos.replayCursors.saveFencedReplayId(channel, replayId, fence))) {
          subscriberRole.checkNow();
          throw new RoleLostError('salesforce-subscriber');
        }
      },
    },
    handle: intake.handle,
    onGap: (channel, lost) => {
      // The reconcile logs the gap at error level, with its window and what a person must repeat.
      log.warn({ channel, lost }, 'platform events may have been missed; reconciling');
      reconciler
        .reconcile(channel)
        .catch((err: unknown) => log.error({ err, channel }, 'reconciliation after an event gap failed'));
    },
    reauthenticate: async () => {
      const fresh = await connectSalesforce(config.salesforce, log, () => clock.now());
      salesforce.accessToken = fresh.accessToken;
    },
    log,
  });
  const subscriberRole = createSingletonRole({
    ...roleTiming,
    name: 'salesforce-subscriber',
    owner,
    leases: repos.leases,
    clock,
    log,
    onGained: async (fence) => {
      subscriberFence = fence;
      await subscriber.start();
    },
    onLost: async () => {
      subscriberFence = undefined;
      await subscriber.stop();
    },
    onChange: (held) => metrics.setRoleHeld('salesforce-subscriber', held),
  });

  metrics.setJobCounts(() => repos.jobs.countOpenJobsByState());
  metrics.setOldestPendingJob(() => repos.jobs.oldestPendingJobAt());

  const shutdown: ShutdownDeps = {
    intake: [
      { name: 'salesforce-subscriber', stop: () => subscriberRole.stop() },
      {
        name: 'xero-poller',
        stop: async () => {
          await pollerRoles.stop();
          await poller.stop();
        },
      },
    ],
    inFlight: [{ name: 'worker', drain: () => worker.stop() }],
    resources: [
      {
        name: 'xero-scheduler',
        close: async () => {
          // Calls still queued are cancelled; a job that outlasted the drain (waiting on a paused tenant) then ends
          // its run before the store closes, rather than after. A cancelled call is transient (nothing is written on
          // a record), and the stopping worker puts its job back in the queue without counting an attempt.
          await scheduler.close();
          await withTimeout(worker.stop(), 5_000).catch(() =>
            log.warn('a job still running after the drain; its lease lets another process take it again'),
          );
        },
      },
    ],
  };

  return {
    orgId,
    endpoints: {
      orgId,
      xero: config.xero,
      jobs: repos.jobs,
      readiness: readinessFrom({
        ping: () => store.ping(),
        connections: repos.xeroConnections,
        tokens,
        salesforce: async () => {
          await salesforce.request(`/services/data/v${config.salesforce.apiVersion}/limits`);
        },
        clock,
      }),
      billingEntities: async () =>
        (await reference.billingEntities()).map((e) => ({
          developerName: e.developerName,
          xeroTenantId: e.xeroTenantId,
        })),
      xeroConnect: xeroConnectFrom(tokens, repos.xeroConnections),
      acceptWebhook: (payload) => webhooks.accept(payload),
      goLive: {
        entities: async () => (await reference.billingEntities()).map((e) => e.developerName),
        startImport: (entity, since) => sync.goLive.imports.start(entity, since),
        resumeImport: (runKey) => sync.goLive.imports.resume(runKey),
        listImports: () => sync.goLive.imports.list(),
        getImport: (runKey) => sync.goLive.imports.get(runKey),
        requestDriftCheck: (entity) => sync.goLive.drift.requestCheck(entity),
        latestDrift: (entity) => {
          const report = sync.goLive.drift.latest(entity);
          if (!report) return undefined;
          const { findings, checkedAt, reconciliation, ...rest } = report;
          return {
            ...rest,
            checkedAt: new Date(checkedAt).toISOString(),
            open: findings,
            reconciliation: reconciliation.map((line) => JSON.parse(JSON.stringify(line)) as Record<string, unknown>),
          };
        },
      },
    },
    shutdown,
    async start() {
      await sync.start(); // keyed jobs: every replica asks, one is stored
      worker.start();
      // Go-live: each entity's next daily drift check exists (one that fell due while the bridge was down runs now),
      // and contact match decisions no bridge applied are queued again (keyed: every replica may ask).
      await sync.goLive
        .onStart()
        .catch((err: unknown) => log.warn({ err }, 'go-live start-up work failed; it runs again at the next start'));
      await pollerRoles.start();
      poller.start();
      polling = true;
      await subscriberRole.start();
      log.info({ corporateCurrency, multiCurrency: currency.multi }, 'bridge started');
    },
    stop: (drainTimeoutMs = 8_000) => runShutdown(shutdown, log, drainTimeoutMs),
  };
}

/**
 * The single-org bridge (the org configured by environment, 'default'): its store (opened here unless one is handed
 * in) and its bridge, as runMain or the sandbox serve it. A deployment serving several orgs runs host/'s instead.
 */
export async function createBridge(
  config: Config,
  context: BridgeContext,
  overrides: BridgeOverrides = {},
): Promise<Bridge> {
  const clock = overrides.clock ?? systemClock;
  const store =
    overrides.store ??
    (await openStore(config, {
      clock,
      applicationName: config.instanceId,
      onIdleError: (err) =>
        context.logger.warn({ err }, 'store: an idle database connection failed; it will be replaced'),
    }));
  // A restarted process ends the Xero permits its previous incarnation held (same BRIDGE_INSTANCE_ID).
  await store.rateLimits.releaseOwnerPermits(config.instanceId);
  let bridge: OrgBridge;
  try {
    bridge = await createOrgBridge(
      config,
      { logger: context.logger, metrics: context.metrics, store, orgId: DEFAULT_ORG_ID },
      overrides,
    );
  } catch (err) {
    if (!overrides.store) await store.close();
    throw err;
  }
  const { endpoints } = bridge;
  return {
    deps: {
      jobs: endpoints.jobs,
      readiness: endpoints.readiness,
      billingEntities: endpoints.billingEntities,
      xeroConnect: endpoints.xeroConnect,
      acceptWebhook: endpoints.acceptWebhook,
      goLive: endpoints.goLive,
      pendingAuthorizations: storePendingAuthorizations(store.oauthStates),
      shutdown: {
        ...bridge.shutdown,
        resources: [
          ...bridge.shutdown.resources,
          // A store handed in (tests, the sandbox) belongs to the caller, who closes it.
          ...(overrides.store ? [] : [{ name: 'store', close: () => store.close() }]),
        ],
      },
    },
    start: () => bridge.start(),
  };
}
