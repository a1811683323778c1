/**
 * Latency (c): a payment recorded in Xero → its Payment__c row in Salesforce, while the drain runs. Issue 20's target
 * is p99 ≤ 5 s "under the drain", so the payments land on the tenant being drained (UK), a few per emulated second,
 * from the first close of the backlog until its last invoice is Synced. Production's shape: webhooks on (Xero sends
 * an INVOICE UPDATE when a payment changes an invoice, and the create/update events of the drained invoices too),
 * the poller at its configured interval, Xero's real limits, one scaled time base (drain.ts, startScaledSandbox).
 */
import { performance } from 'node:perf_hooks';
import type { Sandbox } from '../sandbox/sandbox-bridge';
import type { Job } from '../src/store/jobs';
import { describeJobs, dueJobs, jobPages, sleep, until, waitFor, xeroEndpoint } from './common';
import { allJobs, feedEvents, startScaledSandbox } from './drain';
import {
  closeWon,
  countSynced,
  createDeals,
  FINANCE_USER,
  invoicesByOpportunity,
  SALES_USER,
  TENANTS,
} from './fixtures';
import { countBy } from './http-timing';
import { startCpuProfile } from './profile';
import { figure, percentile, round, say, type Figure } from './report';
import { monotonicUs, stalledWithin, watchStalls, type Stall } from './stalls';
import { pushTo } from '../src/lib/collections';

export interface UnderDrainOptions {
  /** The backlog drained meanwhile (the drain section's size by default). */
  opportunities: number;
  accounts: number;
  /** Emulated ms per real ms. */
  scale: number;
  /** Payments recorded per emulated second while the drain runs. */
  paymentsPerSecond: number;
  /** How often the bench looks for the Payment__c rows (real ms). */
  pollMs: number;
  /** The Xero emulator's webhook batching delay (real ms). */
  webhookDelayMs: number;
  timeoutMinutes: number;
  /** Take a CPU profile meanwhile, and say what ran during the event loop's stalls (bench/profile.ts). */
  profile?: boolean;
}

export interface UnderDrainResult {
  figures: Figure[];
  parameters: Record<string, unknown>;
  details: Record<string, unknown>;
}

/** Authorised invoices the payments go to, round-robin (0.10 each: none is ever paid in full). Few, so that authorising them (a link read and an email each) fits in one Xero minute. */
const INVOICES_TO_PAY = 20;
const PAYMENT_AMOUNT = '0.10';
const TARGET_MS = 5_000;
const MINUTE = 60_000;
const SECTION = 'latency (c)';
/** A gap this long between the stall watcher's ticks is an event-loop stall (bench/stalls.ts). */
const STALL_MS = 250;

interface PaymentSample {
  paymentId: string;
  invoiceId: string;
  /** Emulated ms (the shared time base). */
  recordedAt: number;
  seenAt?: number;
  /** The same two moments on the monotonic clock (µs), to set beside the event loop's stalls. */
  recordedUs: number;
  seenUs?: number;
}

type Row = Record<string, unknown>;

/** Payment__c rows' Xero_Payment_Id__c, lower-cased (in process: no API call). */
function paymentIdsInSalesforce(sandbox: Sandbox): Set<string> {
  const { org } = sandbox.sf;
  const field = org.n('Xero_Payment_Id__c');
  const out = new Set<string>();
  for (const row of org.store.table(org.object(org.n('Payment__c')).name).values() as Iterable<Row>) {
    if (!row.IsDeleted && typeof row[field] === 'string') out.add((row[field] as string).toLowerCase());
  }
  return out;
}

/** Every XERO_CHANGE job in the store. */
async function xeroChangeJobs(sandbox: Sandbox): Promise<Job[]> {
  const out: Job[] = [];
  for await (const page of jobPages(sandbox, { action: 'XERO_CHANGE' })) out.push(...page);
  return out;
}

/**
 * The intake's progress on the deals closed: jobs stored since now, less the XERO_CHANGE jobs the webhooks add
 * meanwhile (the drained invoices' own events and the payments'), counted as they come (newest first, from the last
 * seen id), so feedEvents keeps to its limit of events ahead of the intake with webhooks on.
 */
async function intakeProgress(sandbox: Sandbox): Promise<() => Promise<number>> {
  const newestChange = async () => (await sandbox.store.jobs.listJobs({ action: 'XERO_CHANGE', limit: 1 }))[0]?.id ?? 0;
  let seen = await newestChange();
  let changes = 0;
  const before = await allJobs(sandbox);
  return async () => {
    let top = seen;
    for await (const page of jobPages(sandbox, { action: 'XERO_CHANGE' }, 100)) {
      const fresh = page.filter((job) => job.id > seen);
      changes += fresh.length;
      top = Math.max(top, ...fresh.map((job) => job.id));
      if (fresh.length < page.length) break;
    }
    seen = top;
    return (await allJobs(sandbox)) - before - changes;
  };
}

function spread(values: readonly number[]) {
  const s = (ms: number) => round(ms / 1000, 2);
  if (values.length === 0) return { n: 0 };
  return {
    n: values.length,
    p50: s(percentile(values, 50)),
    p95: s(percentile(values, 95)),
    p99: s(percentile(values, 99)),
    max: s(Math.max(...values)),
  };
}

/** Authorised UK invoices, made through the product's own path (deal closed, draft synced, approved in Salesforce). */
async function invoicesToPay(sandbox: Sandbox, timeoutMs: number): Promise<string[]> {
  const { org } = sandbox.sf;
  const deals = createDeals(org, { tenant: 'UK', accounts: 10, opportunities: INVOICES_TO_PAY, label: 'Paid' });
  const wanted = new Set(deals.opportunityIds);
  closeWon(org, deals.opportunityIds);
  await waitFor(
    SECTION,
    `${INVOICES_TO_PAY} invoices to pay Synced`,
    () => countSynced(org, wanted) === wanted.size,
    timeoutMs,
  );
  for (const row of invoicesByOpportunity(org).values()) {
    if (!wanted.has(row[org.n('Opportunity__c')] as string)) continue;
    sandbox.sf.control.approvals.submit(String(row.Id), { user: SALES_USER });
    sandbox.sf.control.approvals.approve(String(row.Id), { user: FINANCE_USER });
  }
  const authorised = () =>
    [...invoicesByOpportunity(org).values()].filter(
      (row) => wanted.has(row[org.n('Opportunity__c')] as string) && row[org.n('Status__c')] === 'Authorised',
    );
  await waitFor(
    SECTION,
    `${INVOICES_TO_PAY} invoices to pay Authorised`,
    () => authorised().length === wanted.size,
    timeoutMs,
  );
  return authorised().map((row) => String(row[org.n('Xero_Invoice_Id__c')]));
}

export async function measurePaymentsUnderDrain(opts: UnderDrainOptions): Promise<UnderDrainResult> {
  // The poller keeps the configured interval (no override): production's.
  const { sandbox, emulatorClock, limits } = await startScaledSandbox(opts.scale);
  const { org } = sandbox.sf;
  const tenantId = TENANTS.UK.tenantId;
  const timeoutMs = opts.timeoutMinutes * 60_000;
  try {
    sandbox.xero.control.configureWebhooks({ url: `${sandbox.url}/webhooks/xero`, batchDelayMs: opts.webhookDelayMs });
    const setupStart = performance.now();
    const payable = await invoicesToPay(sandbox, timeoutMs);
    const paidReadySeconds = round((performance.now() - setupStart) / 1000, 1);
    const load = createDeals(org, {
      tenant: 'UK',
      accounts: opts.accounts,
      opportunities: opts.opportunities,
      label: 'Load',
    });
    await sandbox.xero.control.flushWebhooks();
    await waitFor(
      SECTION,
      'a bridge with nothing due before the drain',
      async () => (await dueJobs(sandbox)).length === 0,
      timeoutMs,
      50,
      async () => `still due: ${describeJobs(sandbox, await dueJobs(sandbox))}`,
    );
    // As the drain does: let every rate-limit window the setup used empty, so the drain starts from a quiet tenant.
    await sleep((limits.minuteMs + limits.marginMs) / opts.scale + 100);
    say(
      `  ${payable.length} authorised invoices to pay (${paidReadySeconds} s), ${load.opportunityIds.length} deals to drain; set up in ${round((performance.now() - setupStart) / 1000, 1)} s`,
    );

    const payments: PaymentSample[] = [];
    const pending = new Map<string, PaymentSample>();
    const look = () => {
      if (pending.size === 0) return;
      const inSalesforce = paymentIdsInSalesforce(sandbox);
      const now = emulatorClock.now();
      const nowUs = monotonicUs();
      for (const [id, sample] of pending) {
        if (!inSalesforce.has(id)) continue;
        sample.seenAt = now;
        sample.seenUs = nowUs;
        pending.delete(id);
      }
    };
    const looking = setInterval(look, opts.pollMs);
    const stopProfile = opts.profile ? await startCpuProfile('latency-under-drain') : undefined;
    const stallWatch = watchStalls(STALL_MS);
    let stalls: Stall[] = [];
    const jobCounts: { minute: number; queued: number; running: number; failed: number }[] = [];
    const t0 = emulatorClock.now();
    const counting = setInterval(() => {
      void sandbox.store.jobs
        .countJobsByState()
        .then((c) => {
          jobCounts.push({
            minute: round((emulatorClock.now() - t0) / MINUTE, 3),
            queued: c.queued,
            running: c.running,
            failed: c.failed,
          });
        })
        .catch(() => undefined);
    }, 1_000);

    let drained = false;
    let payError: unknown;
    const everyRealMs = 1000 / opts.paymentsPerSecond / opts.scale;
    // Paced on the real clock against a schedule, so a slow tick does not lower the rate.
    const paying = (async () => {
      let next = performance.now();
      for (let k = 0; !drained && payError === undefined; k += 1) {
        const invoiceId = payable[k % payable.length]!;
        const recordedAt = emulatorClock.now();
        const payment = sandbox.xero.control.recordCustomerPayment({
          tenantId,
          invoiceId,
          amount: PAYMENT_AMOUNT,
          reference: `bench under the drain ${k + 1}`,
        });
        const sample: PaymentSample = {
          paymentId: String(payment.PaymentID).toLowerCase(),
          invoiceId: invoiceId.toLowerCase(),
          recordedAt,
          recordedUs: monotonicUs(),
        };
        payments.push(sample);
        pending.set(sample.paymentId, sample);
        next += everyRealMs;
        await sleep(Math.max(0, next - performance.now()));
      }
    })().catch((err: unknown) => {
      payError = err;
    });

    const wanted = new Set(load.opportunityIds);
    let synced = 0;
    let drainedAt = t0;
    try {
      await feedEvents(load.opportunityIds, (chunk) => closeWon(org, chunk), await intakeProgress(sandbox));
      const done = await until(
        () => {
          synced = countSynced(org, wanted);
          return synced === wanted.size || payError !== undefined;
        },
        50,
        timeoutMs,
      );
      drainedAt = emulatorClock.now();
      drained = true;
      await paying;
      if (payError !== undefined) throw payError;
      if (!done)
        throw new Error(`${SECTION}: the drain did not finish in ${opts.timeoutMinutes} min (${synced} synced)`);
      say(
        `  drained ${synced} in ${round((drainedAt - t0) / MINUTE, 2)} emulated min; ${payments.length} payments recorded meanwhile`,
      );
      await waitFor(
        SECTION,
        'every payment recorded under the drain as a Payment__c',
        () => {
          look();
          return pending.size === 0;
        },
        Math.max(120_000, timeoutMs / 4),
        opts.pollMs,
        () => `${pending.size} of ${payments.length} still missing, e.g. ${[...pending.keys()].slice(0, 3).join(', ')}`,
      );
    } finally {
      drained = true;
      await paying;
      clearInterval(looking);
      clearInterval(counting);
      stalls = stallWatch.stop();
    }
    const profile = await stopProfile?.();
    if (profile) say(`  CPU profile: ${profile.whole.file}`);
    const inStall = (atUs: number) => stalls.some((st) => atUs >= st.startUs && atUs <= st.endUs);
    const stalledShare = (of: readonly PaymentSample[]) => {
      const waited = of.reduce((sum, p) => sum + (p.seenUs! - p.recordedUs), 0);
      const stalled = of.reduce((sum, p) => sum + stalledWithin(stalls, p.recordedUs, p.seenUs!), 0);
      return waited === 0 ? 0 : round((stalled / waited) * 100, 1);
    };
    const slowPayments = payments.filter((p) => p.seenAt! - p.recordedAt > TARGET_MS);
    const stallSeconds = (st: Stall) => (st.endUs - st.startUs) / 1e6;
    const firstUs = payments[0]?.recordedUs ?? 0;
    const eventLoop = {
      note:
        `spans over ${STALL_MS} ms in which the bench process (bridge and both emulators) ran no timer; a payment's ` +
        'stalled share is the part of its wait that fell inside them',
      stalls: stalls.length,
      stalledSeconds: round(
        stalls.reduce((sum, st) => sum + stallSeconds(st), 0),
        1,
      ),
      longest: [...stalls]
        .sort((a, b) => stallSeconds(b) - stallSeconds(a))
        .slice(0, 10)
        .map((st) => ({ atSeconds: round((st.startUs - firstUs) / 1e6, 1), seconds: round(stallSeconds(st), 2) })),
      stalledShareOfWaitPercent: { all: stalledShare(payments), over5s: stalledShare(slowPayments) },
      ...(profile ? { cpuDuringStalls: profile.within(inStall), cpuProfile: profile.whole } : {}),
    };
    say(
      `  event loop: ${eventLoop.stalls} stalls over ${STALL_MS} ms, ${eventLoop.stalledSeconds} s in all (longest ` +
        `${eventLoop.longest[0]?.seconds ?? 0} s); ${eventLoop.stalledShareOfWaitPercent.over5s} % of the slow ` +
        `payments' wait, ${eventLoop.stalledShareOfWaitPercent.all} % of all payments' wait` +
        (eventLoop.cpuDuringStalls ? `; CPU in them: ${JSON.stringify(eventLoop.cpuDuringStalls.byArea)}` : ''),
    );

    // Where the time went, from the jobs the webhooks made: the first XERO_CHANGE job for the paid invoice stored at
    // or after the payment (webhook batching, delivery, intake), and when that job finished (queue wait + run).
    const jobsByInvoice = new Map<string, Job[]>();
    for (const job of await xeroChangeJobs(sandbox)) {
      const resourceId = String((job.payload as { resourceId?: string }).resourceId ?? '').toLowerCase();
      pushTo(jobsByInvoice, resourceId, job);
    }
    const stored: number[] = [];
    const finished: number[] = [];
    /** Its webhook's job by state at the end (a webhook job still queued: the payment came by another read). */
    const jobStates: Record<string, number> = {};
    for (const p of payments) {
      const job = (jobsByInvoice.get(p.invoiceId) ?? [])
        .filter((j) => j.createdAt >= p.recordedAt)
        .sort((a, b) => a.createdAt - b.createdAt)[0];
      if (!job) continue;
      stored.push(job.createdAt - p.recordedAt);
      jobStates[job.state] = (jobStates[job.state] ?? 0) + 1;
      if (job.state === 'done') finished.push(job.updatedAt - p.recordedAt);
    }

    const latencies = payments.map((p) => p.seenAt! - p.recordedAt);
    const q = (p: number) => round(percentile(latencies, p) / 1000, 2);
    const max = round(Math.max(...latencies) / 1000, 2);
    const minutes = (drainedAt - t0) / MINUTE;
    const bound = limits.tenantPerMinute * 50;
    const share = round((synced / (minutes + 1) / bound) * 100, 1);
    // The tenant's calls from the first close until the last payment was in Salesforce (after the drain, too).
    const lastSeen = Math.max(drainedAt, ...payments.map((p) => p.seenAt!));
    const calls = sandbox.xero.control.calls({ tenantId }).filter((c) => c.at >= t0 && c.at <= lastSeen);
    const over = latencies.filter((ms) => ms > TARGET_MS).length;
    return {
      figures: [
        figure(
          'latency.underDrain.p99',
          `(c) Xero payment → Payment__c under the drain, p99 (n=${latencies.length}, ±${opts.pollMs} ms real)`,
          q(99),
          's',
          `${q(99)} s (p50 ${q(50)} s, p95 ${q(95)} s, max ${max} s; ${latencies.length} payments, ${over} over 5 s)`,
          { op: '<=', value: TARGET_MS / 1000, text: 'p99 ≤ 5 s' },
        ),
        figure(
          'latency.underDrain.drain',
          '(c) the drain meanwhile (share of the bound, N / (T + 1 min))',
          share,
          '%',
          `${share} % (${synced} invoices in ${round(minutes, 2)} emulated min at ${opts.scale}×)`,
        ),
      ],
      parameters: {
        underDrain: {
          tenant: `UK_Ltd (${tenantId}), the tenant drained`,
          opportunities: opts.opportunities,
          accounts: opts.accounts,
          clockScale: opts.scale,
          paymentsPerEmulatedSecond: opts.paymentsPerSecond,
          invoicesPaid: payable.length,
          paymentAmount: PAYMENT_AMOUNT,
          webhooks: true,
          webhookBatchDelayMs: opts.webhookDelayMs,
          pollIntervalMs: sandbox.config.pollIntervalMs,
          pollIdleMaxMs: sandbox.config.pollIdleMaxMs,
          pollResolutionMs: opts.pollMs,
          how:
            `${INVOICES_TO_PAY} UK deals closed, synced and approved first (authorised in Xero through the bridge); then ` +
            'the drain section\u2019s backlog is closed on the same tenant (200 per transaction, paced to the intake) ' +
            `while the bench records a ${PAYMENT_AMOUNT} payment on one of those invoices every ` +
            `${round(1000 / opts.paymentsPerSecond)} emulated ms through the Xero emulator\u2019s control API, until the ` +
            'last drained invoice is Synced. Each payment is timed, on the emulated clock, until a Payment__c with its ' +
            'Xero_Payment_Id__c is in the org. Run as production runs: webhooks on (signed, batched; every invoice ' +
            'the drain creates sends its own events too), the poller at its configured interval, Xero\u2019s real ' +
            'limits shared by the drain and the payments\u2019 reads.',
        },
      },
      details: {
        underDrain: {
          drainedEmulatedMinutes: round(minutes, 3),
          synced,
          payments: payments.length,
          overTarget: over,
          latencySeconds: spread(latencies),
          stages: {
            note:
              'per payment, from the first XERO_CHANGE job stored for its invoice at or after it: webhook stored as a ' +
              'job (batching, delivery, intake), and that job done (queue wait + Xero read + Salesforce write; a job ' +
              'is marked done when the worker batch that claimed it ends, so this is when its batch ended)',
            webhookStoredSeconds: spread(stored),
            jobDoneSeconds: spread(finished),
            webhookJobStatesAtEnd: jobStates,
          },
          lastPaymentSeenAfterTheDrainSeconds: round((lastSeen - drainedAt) / 1000, 2),
          xeroCallsOnTheTenant: calls.length,
          xeroCallsByEndpoint: countBy(calls, xeroEndpoint),
          // The reads (the payments' XERO_CHANGE reads and the poller's), by when they reached Xero after the first close.
          xeroReads: calls
            .filter((c) => c.method === 'GET')
            .map(
              (c) =>
                `${round((c.at - t0) / 1000, 1)} s ${c.path.replace(/^\/api\.xro\/2\.0\//i, '')}?${c.query.slice(0, 60)}`,
            ),
          xero429s: calls.filter((c) => c.status === 429).length,
          webhookDeliveries: sandbox.xero.control.webhookDeliveries().length,
          jobCounts,
          latencyMs: latencies.map((ms) => round(ms, 0)),
          eventLoop,
        },
      },
    };
  } finally {
    await sandbox.close();
  }
}
