/**
 * The composition root: builds the running bridge from configuration. Every part is made here once and handed
 * to the parts that use it; nothing else reaches for globals.
 */
import type { Config } from './config';
import { systemClock, type Clock } from './lib/clock';
import { connectSalesforce } from './salesforce/connection';
import { createEventSubscriber } from './salesforce/event-subscriber';
import { createGoLiveQueries } from './salesforce/golive-queries';
import { createQueries, readOrgCurrency } from './salesforce/queries';
import { createKpiQueries } from './salesforce/kpi-queries';
import { createRevenueQueries } from './salesforce/revenue-queries';
import { createCloseQueries } from './salesforce/close-queries';
import { salesforceNames } from './salesforce/schema';
import { createWriteback } from './salesforce/writeback';
import { readinessFrom, xeroConnectFrom, xeroMetricsListener } from './server/adapters';
import { createGoLiveMetrics } from './server/metrics-golive';
import type { Bridge, BridgeContext } from './server/main';
import { openStore } from './store';
import type { Store } from './store/types';
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
  /** Xero polling interval (default: POLL_INTERVAL_MS). */
  pollIntervalMs?: number;
  /** How long billing entities, settings and tax rates are cached (default 60 s). */
  referenceTtlMs?: number;
}

export async function createBridge(
  config: Config,
  context: BridgeContext,
  overrides: BridgeOverrides = {},
): Promise<Bridge> {
  const { logger: log, metrics } = context;
  const clock = overrides.clock ?? systemClock;
  const names = salesforceNames(config.salesforce.namespacePrefix);
  const store =
    overrides.store ??
    (await openStore(config, {
      clock,
      applicationName: config.instanceId,
      onIdleError: (err) => log.warn({ err }, 'store: an idle database connection failed; it will be replaced'),
    }));

  const tokens = new XeroTokenManager({
    connections: store.xeroConnections,
    leases: store.leases,
    config: config.xero,
    owner: config.instanceId,
    logger: log,
    clock,
    httpTimeoutMs: config.httpTimeoutMs,
  });
  const scheduler = new XeroScheduler({
    limits: { ...config.xero.limits, ...overrides.xeroLimits },
    clock,
    logger: log,
    onEvent: xeroMetricsListener(metrics),
  });
  const xeroOptions = {
    config: { apiBaseUrl: config.xero.apiBaseUrl, httpTimeoutMs: config.httpTimeoutMs },
    tokens,
    scheduler,
    logger: log,
  };
  const xero = new XeroClient(xeroOptions);
  const ledger = new XeroLedgerClient(xeroOptions);

  const conn = await connectSalesforce(config.salesforce, log, () => clock.now());
  const currency = await readOrgCurrency(conn, names);
  if (!currency.multi)
    log.warn(
      { err: currency.error },
      'CurrencyType does not exist: a single-currency org; invoices take the corporate currency',
    );
  const queries = createQueries({ conn, names, multiCurrency: currency.multi });
  const writeback = createWriteback({ conn, names, log });
  const reference = createReferenceData({
    queries,
    xero,
    clock,
    log,
    ...(overrides.referenceTtlMs === undefined ? {} : { ttlMs: overrides.referenceTtlMs }),
  });
  // Billing plans' work is stored jobs; the worker (made below) is woken when some falls due now.
  const billingTriggers = createBillingTriggers({ jobs: store.jobs, clock, wake: () => worker.wake() });
  const kpiTriggers = createKpiTriggers({ jobs: store.jobs, clock, wake: () => worker.wake() });
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
    jobs: store.jobs,
    xeroResults: store.xeroResults,
    contactMappings: store.contactMappings,
    watermarks: store.watermarks,
    xeroConnections: store.xeroConnections,
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
    instanceUrl: () => conn.instanceUrl,
    ledger,
    goLive: createGoLiveQueries({ conn, names, multiCurrency: currency.multi }),
    importRuns: store.importRuns,
    revenueQueries: createRevenueQueries({ names, multiCurrency: currency.multi }),
    billingTriggers,
    kpiQueries: createKpiQueries({ names, multiCurrency: currency.multi }),
    kpiTriggers,
    closeQueries: createCloseQueries({ conn, names }),
    journals: new XeroJournalClient(xeroOptions),
    wake: () => worker.wake(),
  };
  let wake = (): void => undefined;
  const sync = createSync(deps, {
    metrics: createGoLiveMetrics(metrics.registry),
    onQueued: () => wake(),
    importPageSize: config.importPageSize,
  });
  const worker = createWorker({
    jobs: store.jobs,
    handlers: sync.handlers,
    owner: config.instanceId,
    onGiveUp: sync.onGiveUp,
    log,
    clock,
    ...(overrides.workerIdleMs ? { idleMs: overrides.workerIdleMs } : {}),
  });
  wake = () => worker.wake();
  const intake = createIntake({
    jobs: store.jobs,
    names,
    log,
    onAccepted: () => worker.wake(),
    observeLag: (seconds) => metrics.observeEventLag('salesforce', seconds),
    now: () => clock.now(),
  });
  const webhooks = createWebhookIntake({
    jobs: store.jobs,
    xeroConnections: store.xeroConnections,
    log,
    onAccepted: () => worker.wake(),
    now: () => clock.now(),
  });
  const poller = createXeroPoller(
    { ...deps, apply: sync.apply },
    { intervalMs: overrides.pollIntervalMs ?? config.pollIntervalMs, clock },
  );
  const reconciler = createReconciler({ queries, jobs: store.jobs, reference, log, onQueued: () => worker.wake() });
  const subscriber = createEventSubscriber({
    conn,
    channel: names.channel('Invoice_Request__e'),
    cursor: store.replayCursors,
    handle: intake.handle,
    onGap: (channel, lost) => {
      log.warn({ channel, lost }, 'platform events may have been missed; reconciling');
      reconciler.reconcile().catch((err: unknown) => log.error({ err }, 'reconciliation failed'));
    },
    reauthenticate: async () => {
      const fresh = await connectSalesforce(config.salesforce, log, () => clock.now());
      conn.accessToken = fresh.accessToken;
    },
    log,
  });

  return {
    deps: {
      jobs: store.jobs,
      readiness: readinessFrom({
        ping: () => store.ping(),
        connections: store.xeroConnections,
        tokens,
        salesforce: async () => {
          await conn.request(`/services/data/v${config.salesforce.apiVersion}/limits`);
        },
        clock,
      }),
      billingEntities: async () =>
        (await reference.billingEntities()).map((e) => ({
          developerName: e.developerName,
          xeroTenantId: e.xeroTenantId,
        })),
      xeroConnect: xeroConnectFrom(tokens, store.xeroConnections),
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
      shutdown: {
        intake: [
          { name: 'salesforce-subscriber', stop: () => subscriber.stop() },
          { name: 'xero-poller', stop: () => poller.stop() },
        ],
        inFlight: [{ name: 'worker', drain: () => worker.stop() }],
        resources: [
          { name: 'xero-scheduler', close: async () => scheduler.close() },
          // A store handed in (tests, the sandbox) belongs to the caller, who closes it.
          ...(overrides.store ? [] : [{ name: 'store', close: () => store.close() }]),
        ],
      },
    },
    async start() {
      await sync.start();
      worker.start();
      // Go-live: each entity's next daily drift check exists (one that fell due while the bridge was down runs now),
      // and contact match decisions no bridge applied are queued again.
      await sync.goLive
        .onStart()
        .catch((err: unknown) => log.warn({ err }, 'go-live start-up work failed; it runs again at the next start'));
      poller.start();
      await subscriber.start();
      log.info({ corporateCurrency, multiCurrency: currency.multi }, 'bridge started');
    },
  };
}
