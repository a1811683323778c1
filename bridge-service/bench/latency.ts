/**
 * 2. Latency at low load, real clock (1×), one change at a time:
 *   (a) a deal closed in Salesforce → its Invoice__c row Synced (platform event, CometD, CREATE_DRAFT, Xero, writeback);
 *   (b) a payment recorded in Xero → its Payment__c row in Salesforce (signed webhook, XERO_CHANGE, Xero read, writeback).
 * Beside each percentile: how much of it the emulators spent (serving the bridge's requests, publishing the event,
 * holding the webhook batch), so the rest is the bridge's own time.
 * Then (c), the same payment path under load: payments recorded while a drain runs (latency-under-drain.ts).
 */
import { performance } from 'node:perf_hooks';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { describeJobs, dueJobs, portOf, silent, waitFor as boundedWait } from './common';
import { closeWon, countSynced, createDeals, FINANCE_USER, SALES_USER, TENANTS, type TenantName } from './fixtures';
import { busyMs, HttpTimer, type TimedRequest } from './http-timing';
import { measurePaymentsUnderDrain, type UnderDrainOptions } from './latency-under-drain';
import { figure, percentile, round, say, type Figure, type SectionResult } from './report';

export interface LatencyOptions {
  /** Deals closed (a), then as many payments (b). */
  samples: number;
  /** How often the bench looks for the row (real ms): the resolution of every figure. */
  pollMs: number;
  /** The Xero emulator's webhook batching delay (real ms). */
  webhookDelayMs: number;
  /** (c): payments recorded while a drain runs; left out when not given. */
  underDrain?: Omit<UnderDrainOptions, 'pollMs' | 'webhookDelayMs'>;
}

interface Sample {
  tenant: TenantName;
  totalMs: number;
  emulatorMs: number;
}

const ORDER: TenantName[] = ['UK', 'US', 'EU'];
/** Keep each tenant under this many Xero calls per minute so no sample waits for the rate limiter. */
const CALLS_PER_MINUTE_CEILING = 45;

type Row = Record<string, unknown>;

function rows(sandbox: Sandbox, object: string): Row[] {
  const { org } = sandbox.sf;
  return [...org.store.table(org.object(org.n(object)).name).values()].filter((r) => !r.IsDeleted);
}

/**
 * A job due this soon could start during a sample: quiet waits for it to come due and finish first. Samples take tens
 * of milliseconds; jobs dated further ahead (a deal's re-plan a minute after its close, tomorrow's daily jobs) wait.
 */
const SAMPLE_HORIZON_MS = 2_000;

/** A bounded wait that throws with what it waited for (common.ts). */
const waitFor = (
  what: string,
  check: () => boolean | Promise<boolean>,
  everyMs: number,
  timeoutMs: number,
  detail?: () => string | Promise<string>,
) => boundedWait('latency', what, check, timeoutMs, everyMs, detail);

/**
 * Waits until the bridge has no job running or due within SAMPLE_HORIZON_MS and the tenant has room under Xero's
 * minute limit. Dated jobs further ahead do not count: the bridge always holds some (common.ts, dueJobs).
 */
async function quiet(sandbox: Sandbox, tenant: TenantName, timeoutMs = 120_000): Promise<void> {
  const tenantId = TENANTS[tenant].tenantId;
  await waitFor(
    'a bridge with nothing due',
    async () => (await dueJobs(sandbox, SAMPLE_HORIZON_MS)).length === 0,
    5,
    timeoutMs,
    async () => `still due: ${describeJobs(sandbox, await dueJobs(sandbox, SAMPLE_HORIZON_MS))}`,
  );
  const recentCalls = () => {
    const since = sandbox.xero.control.now() - 60_000;
    return sandbox.xero.control.calls({ tenantId }).filter((c) => c.at > since).length;
  };
  await waitFor(
    `${tenant} under ${CALLS_PER_MINUTE_CEILING} Xero calls a minute`,
    () => recentCalls() < CALLS_PER_MINUTE_CEILING,
    100,
    120_000,
    () => `${recentCalls()} calls in the last minute`,
  );
}

const emulatorRequests = (requests: TimedRequest[], bridgePort: number) =>
  requests.filter((r) => r.port !== bridgePort && !r.path.startsWith('/cometd'));

function summarise(id: string, label: string, samples: Sample[], pollMs: number, targetP99?: number): Figure[] {
  const total = samples.map((s) => s.totalMs);
  const emulator = samples.map((s) => s.emulatorMs);
  const bridge = samples.map((s) => s.totalMs - s.emulatorMs);
  const p = (values: number[], q: number) => round(percentile(values, q), 0);
  const text = (q: number) => `${p(total, q)} ms (emulators ${p(emulator, q)} ms, bridge ${p(bridge, q)} ms)`;
  return [
    figure(`${id}.p50`, `${label} p50`, p(total, 50), 'ms', text(50)),
    figure(`${id}.p95`, `${label} p95`, p(total, 95), 'ms', text(95)),
    figure(
      `${id}.p99`,
      `${label} p99 (n=${samples.length}, ±${pollMs} ms)`,
      p(total, 99),
      'ms',
      text(99),
      targetP99 === undefined ? undefined : { op: '<=', value: targetP99, text: `p99 ≤ ${targetP99} ms` },
    ),
  ];
}

/** (a), (b) at low load, then (c) under the drain when asked (latency-under-drain.ts). */
export async function runLatency(opts: LatencyOptions): Promise<SectionResult> {
  const started = performance.now();
  const result = await atLowLoad(opts);
  if (opts.underDrain) {
    say(`  (c) payments under a drain of ${opts.underDrain.opportunities} deals`);
    const c = await measurePaymentsUnderDrain({
      ...opts.underDrain,
      pollMs: opts.pollMs,
      webhookDelayMs: opts.webhookDelayMs,
    });
    result.figures.push(...c.figures);
    Object.assign(result.parameters, c.parameters);
    Object.assign(result.details, c.details);
  }
  result.wallSeconds = round((performance.now() - started) / 1000, 1);
  return result;
}

async function atLowLoad(opts: LatencyOptions): Promise<SectionResult> {
  const started = performance.now();
  const timer = new HttpTimer();
  // Real time; the poller is pushed out to an hour so every payment below travels by webhook. The idle cap is the
  // same hour: no backoff, so a webhook never brings a poll forward (poller.ts does that only for a backed-off
  // tenant) and the poller's calls stay out of the samples and the tenants' per-minute budget.
  const sandbox = await startSandbox({
    logger: silent,
    salesforce: { logger: silent },
    xero: { recordBodies: false },
    bridge: { pollIntervalMs: 3_600_000, pollIdleMaxMs: 3_600_000 },
  });
  const { org } = sandbox.sf;
  const bridgePort = portOf(sandbox.url);
  try {
    timer.watch(sandbox.sf.port);
    timer.watch(portOf(sandbox.xero.url));
    timer.watch(bridgePort);
    sandbox.xero.control.configureWebhooks({ url: `${sandbox.url}/webhooks/xero`, batchDelayMs: opts.webhookDelayMs });

    const perTenant = Math.ceil(opts.samples / ORDER.length);
    const accounts = 3;
    const deals = new Map(
      ORDER.map((t) => [
        t,
        createDeals(org, { tenant: t, accounts, opportunities: perTenant + accounts, label: `Latency${t}` }),
      ]),
    );
    const synced = (opportunityId: string) => countSynced(org, new Set([opportunityId])) === 1;

    // Warm-up, not sampled: each account's first deal (creates its Xero contact) and the code paths.
    for (const t of ORDER) {
      for (const id of deals.get(t)!.opportunityIds.slice(0, accounts)) {
        closeWon(org, [id]);
        await waitFor(`warm-up deal ${id} (${t}) Synced`, () => synced(id), opts.pollMs, 30_000);
      }
    }

    // (a) deal closed → Invoice__c Synced
    const closeSamples: Sample[] = [];
    const sampled: { tenant: TenantName; opportunityId: string }[] = [];
    for (let k = 0; k < opts.samples; k += 1) {
      const tenant = ORDER[k % ORDER.length]!;
      const opportunityId = deals.get(tenant)!.opportunityIds[accounts + Math.floor(k / ORDER.length)]!;
      await quiet(sandbox, tenant);
      const mark = timer.mark();
      const t0 = performance.now();
      closeWon(org, [opportunityId]);
      const t1 = performance.now();
      await waitFor(
        `sample ${k + 1}: deal ${opportunityId} (${tenant}) Synced`,
        () => synced(opportunityId),
        opts.pollMs,
        30_000,
      );
      const t2 = performance.now();
      const served = busyMs(emulatorRequests(timer.since(mark), bridgePort), t1, t2);
      closeSamples.push({ tenant, totalMs: t2 - t0, emulatorMs: t1 - t0 + served });
      sampled.push({ tenant, opportunityId });
    }

    // Finance approves every sampled draft; the bridge authorises them in Xero (paced by its scheduler).
    const invoiceOf = (opportunityId: string) =>
      rows(sandbox, 'Invoice__c').find((r) => r[org.n('Opportunity__c')] === opportunityId)!;
    for (const { opportunityId } of sampled) {
      const id = String(invoiceOf(opportunityId).Id);
      sandbox.sf.control.approvals.submit(id, { user: SALES_USER });
      sandbox.sf.control.approvals.approve(id, { user: FINANCE_USER });
    }
    await waitFor(
      'every sampled invoice Authorised',
      () => sampled.every(({ opportunityId }) => invoiceOf(opportunityId)[org.n('Status__c')] === 'Authorised'),
      100,
      10 * 60_000,
    );
    await sandbox.xero.control.flushWebhooks();
    await quiet(sandbox, ORDER[0]!);

    // (b) payment in Xero → Payment__c
    const paymentSamples: Sample[] = [];
    const webhookWaits: number[] = [];
    for (let k = 0; k < Math.min(opts.samples, sampled.length); k += 1) {
      const { tenant, opportunityId } = sampled[k]!;
      const xeroInvoiceId = String(invoiceOf(opportunityId)[org.n('Xero_Invoice_Id__c')]);
      await quiet(sandbox, tenant);
      const mark = timer.mark();
      const t0 = performance.now();
      const payment = sandbox.xero.control.recordCustomerPayment({
        tenantId: TENANTS[tenant].tenantId,
        invoiceId: xeroInvoiceId,
        amount: '10.00',
        reference: `bench payment ${k + 1}`,
      });
      const paymentId = String(payment.PaymentID);
      const arrived = () =>
        rows(sandbox, 'Payment__c').some((r) => String(r[org.n('Xero_Payment_Id__c')]).toLowerCase() === paymentId);
      await waitFor(`payment ${k + 1} (${tenant}) as a Payment__c`, arrived, opts.pollMs, 30_000);
      const t2 = performance.now();
      const requests = timer.since(mark);
      const delivery = requests.find((r) => r.port === bridgePort && r.path.startsWith('/webhooks/xero'));
      const t1 = delivery ? delivery.start : t0;
      const served = busyMs(emulatorRequests(requests, bridgePort), t1, t2);
      webhookWaits.push(t1 - t0);
      paymentSamples.push({ tenant, totalMs: t2 - t0, emulatorMs: t1 - t0 + served });
    }

    const figures = [
      ...summarise('latency.close', '(a) deal closed → Invoice__c Synced', closeSamples, opts.pollMs),
      ...summarise('latency.payment', '(b) Xero payment → Payment__c (webhook)', paymentSamples, opts.pollMs, 5_000),
    ];
    return {
      section: 'latency',
      date: new Date().toISOString(),
      wallSeconds: round((performance.now() - started) / 1000, 1),
      parameters: {
        clock: 'real (1×)',
        samples: opts.samples,
        tenants: 'round-robin UK_Ltd, US_Inc, EU_BV; 3 repeat customers each (their first deal is a warm-up)',
        pollResolutionMs: opts.pollMs,
        webhookBatchDelayMs: opts.webhookDelayMs,
        pacing: `one change at a time, with no bridge job running or due within ${SAMPLE_HORIZON_MS / 1000} s and under ${CALLS_PER_MINUTE_CEILING} Xero calls in the tenant's last minute`,
        emulatorTime:
          '(a) publishing the event in the org (trigger, commit, CometD push) + the union of the emulators\u2019 time serving ' +
          'the bridge\u2019s REST calls; (b) the time until the webhook reached the bridge (payment recorded, batching ' +
          'delay, signing, delivery) + the emulators\u2019 time serving the bridge\u2019s calls. Bridge = total − emulators.',
      },
      figures,
      details: {
        close: closeSamples.map((s) => ({ ...s, totalMs: round(s.totalMs, 1), emulatorMs: round(s.emulatorMs, 1) })),
        payment: paymentSamples.map((s) => ({
          ...s,
          totalMs: round(s.totalMs, 1),
          emulatorMs: round(s.emulatorMs, 1),
        })),
        webhookArrivalMs: {
          p50: round(percentile(webhookWaits, 50), 1),
          p99: round(percentile(webhookWaits, 99), 1),
        },
      },
    };
  } finally {
    timer.close();
    await sandbox.close();
  }
}
