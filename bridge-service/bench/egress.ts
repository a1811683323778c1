/**
 * 4. Xero egress: the bytes the bridge reads from Xero (since March 2026 Xero prices apps by data egress, per GB a
 * month over the tier's allowance). Two figures, and a count of calls, each from the Xero emulator's call log (every
 * answer's bytes, see sandbox/xero/call-log.ts):
 *   (a) per invoice over its life: deals closed → drafts in Xero, finance approves them → authorised, a payment in
 *       full recorded in Xero → Payment__c, and the polling that follows until the poller has read every change;
 *   (b) per idle tenant per day: the bridge running with nothing changing, over an emulated day at the configured
 *       poll interval and idle cap (scaled clock, so a day takes minutes), and the Xero calls that day costs;
 *   (c) the Xero calls of approving 1,000 invoices of one tenant at once (issue 20: ≤ 30 plus one per email),
 *       measured on the scaled clock, not scaled from (a): the poller's listings go by time, not by invoice.
 * Bytes are counted as Xero would bill them: status line and headers as the emulator wrote them, and the body
 * gzipped, because xero-node asks for gzip (Accept-Encoding) and Xero compresses when asked; the uncompressed
 * figure is beside it.
 */
import { performance } from 'node:perf_hooks';
import type { CallRecord } from '../sandbox/xero/call-log';
import { idlePollsIn } from '../src/sync/inbound/poll-pace';
import { lastXeroSeq, openJobs, sleep, until, xeroEndpoint } from './common';
import { createDeals, TENANTS, type TenantName } from './fixtures';
import {
  approveAll,
  callsSince,
  closeToDrafts,
  inPhase,
  invoicesOf,
  liveThrough,
  Phases,
  scaledSandbox,
  TENANT_ORDER as ORDER,
  waitFor,
} from './lifecycle';
import { figure, fmt, round, say, type EgressBaseline, type Figure, type SectionResult } from './report';
import { approvalCalls, bytes, bytesBy, idleListings, listed, POLL_CYCLE } from './xero-calls';

export interface EgressOptions {
  /** Invoices per tenant over their life (a). */
  invoices: number;
  /** Repeat customers per tenant (a), and of the one tenant in (c). */
  accounts: number;
  /** Emulated ms per real ms during (a) and (c). */
  lifecycleScale: number;
  /** Emulated hours the idle bridge runs (b); the figure is per 24 h. */
  idleHours: number;
  /** Emulated ms per real ms during (b). */
  idleScale: number;
  /** Invoices of one tenant approved at once (c). */
  approvals: number;
  timeoutMinutes: number;
  /** The baseline the figures are held to (half of it), when one is recorded. */
  baseline?: EgressBaseline;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const tenantName = (tenantId: string | undefined): string =>
  ORDER.find((t) => TENANTS[t].tenantId === tenantId) ?? tenantId ?? 'none';

const kB = (n: number, digits = 1) => `${fmt(n / 1000, digits)} kB`;

/** The target: at most half of the baseline's figure, where one is recorded. */
function halfOf(baseline: number | undefined, commit: string | undefined) {
  if (baseline === undefined) return undefined;
  return {
    op: '<=' as const,
    value: round(baseline / 2, 0),
    text: `≤ ${kB(baseline / 2)} (half of ${kB(baseline)} at ${commit?.slice(0, 7) ?? '?'})`,
  };
}

/** (a) Invoices over their life, on every tenant at once. */
async function lifecycle(opts: EgressOptions) {
  const { sandbox, clock } = await scaledSandbox(opts.lifecycleScale);
  try {
    const { org } = sandbox.sf;
    const opportunityIds = ORDER.flatMap(
      (t) =>
        createDeals(org, { tenant: t, accounts: opts.accounts, opportunities: opts.invoices, label: `Egress${t}` })
          .opportunityIds,
    );
    // Let the boot-time reads and first polls finish: they are the idle figure's, not an invoice's.
    await sleep((2 * sandbox.config.pollIntervalMs) / opts.lifecycleScale + 200);
    await waitFor('a quiet bridge before the deals', async () => (await openJobs(sandbox)) === 0, 60_000);
    const t0 = clock.now();
    const phases = await liveThrough(sandbox, clock, opportunityIds, opts.timeoutMinutes * 60_000, say);

    const all = callsSince(sandbox, 0);
    const idle = idleListings(all);
    const first = phases[0]!.fromSeq;
    const last = phases.at(-1)!.toSeq;
    const window = all.filter((c) => c.seq > first && c.seq <= last);
    const lifeCalls = window.filter((c) => !idle.has(c));
    const total = opportunityIds.length;
    const life = bytes(lifeCalls);
    return {
      total,
      perInvoice: { billed: life.billed / total, wire: life.wire / total },
      details: {
        invoices: total,
        emulatedMinutes: round((clock.now() - t0) / 60_000, 2),
        lifecycle: life,
        idleListingsLeftOut: bytes(window.filter((c) => idle.has(c))),
        byPhase: Object.fromEntries(
          phases.map((p) => [p.name, { ...bytes(inPhase(lifeCalls, p)), emulatedMinutes: p.emulatedMinutes }]),
        ),
        byTenant: bytesBy(lifeCalls, (c) => tenantName(c.tenantId)),
        byEndpoint: bytesBy(lifeCalls, xeroEndpoint),
      },
    };
  } finally {
    await sandbox.close();
  }
}

/**
 * (c) Approving `approvals` invoices of one tenant (UK) at once, measured. Their deals close and the drafts sync; once
 * the bridge is quiet (the drafts' own work is not the approvals'), finance approves every one in Salesforce, until
 * every one is Authorised there and its approval (email included) done. Every call the tenant made to Xero in that
 * phase counts, the poller's listings too, whether they learnt anything or not: the poller lists by time while the
 * approvals run (1,000 emails at Xero's 60 calls a minute take 17 minutes), so its listings are part of the cost and
 * do not scale with the invoices. (The idle rule of (a) is reported beside it, not applied.)
 */
async function approvals(opts: EgressOptions) {
  const { sandbox, clock } = await scaledSandbox(opts.lifecycleScale);
  const tenant: TenantName = 'UK';
  const { tenantId } = TENANTS[tenant];
  const timeoutMs = opts.timeoutMinutes * 60_000;
  try {
    const { org } = sandbox.sf;
    const { opportunityIds } = createDeals(org, {
      tenant,
      accounts: opts.accounts,
      opportunities: opts.approvals,
      label: 'Approvals',
    });
    await sleep((2 * sandbox.config.pollIntervalMs) / opts.lifecycleScale + 200);
    await waitFor('a quiet bridge before the deals', async () => (await openJobs(sandbox)) === 0, 60_000);
    const phases = new Phases(sandbox, clock, say);
    await closeToDrafts(sandbox, opportunityIds, timeoutMs);
    await waitFor('a quiet bridge after the drafts', async () => (await openJobs(sandbox)) === 0, timeoutMs);
    phases.end('create');
    const realStart = performance.now();
    const approveStart = clock.now();
    await approveAll(sandbox, opportunityIds, timeoutMs);
    const approve = phases.end('approve');
    const realSeconds = round((performance.now() - realStart) / 1000, 1);

    const all = callsSince(sandbox, 0);
    const idle = idleListings(all);
    const inApprove = inPhase(all, approve);
    const mine = inApprove.filter((c) => c.tenantId === tenantId);
    const xeroIds = new Set(
      invoicesOf(sandbox, opportunityIds)
        .all()
        .map((r) => String(r[org.n('Xero_Invoice_Id__c')]).toLowerCase()),
    );
    const { emailsSent } = sandbox.xero.control.snapshot(tenantId) as { emailsSent: { invoiceId: string }[] };
    const emailed = new Set(emailsSent.map((e) => e.invoiceId.toLowerCase()).filter((id) => xeroIds.has(id))).size;
    return {
      invoices: opportunityIds.length,
      /** Invoices Xero shows an email for (of these deals), whenever it went. */
      emailed,
      calls: approvalCalls(mine),
      details: {
        tenant: `${tenant} (${tenantId})`,
        emulatedMinutes: approve.emulatedMinutes,
        realSeconds,
        listingsThatLearntNothing: mine.filter((c) => idle.has(c)).length,
        otherTenantsCalls: inApprove.length - mine.length,
        byPhase: Object.fromEntries(
          phases.list.map((p) => [p.name, { calls: p.toSeq - p.fromSeq, emulatedMinutes: p.emulatedMinutes }]),
        ),
        approveListings: mine
          .filter((c) => POLL_CYCLE.test(c.path) && c.method === 'GET')
          .map((c) => ({
            endpoint: xeroEndpoint(c),
            query: c.query,
            minute: round((c.at - approveStart) / 60_000, 2),
            documents: (listed(c) ?? '').split(',').filter(Boolean).length,
            learntNothing: idle.has(c),
          })),
      },
    };
  } finally {
    await sandbox.close();
  }
}

/**
 * (b) An idle day. Each tenant first has one invoice go through its life, so the poller starts the day from a
 * watermark as it would in use (the last change one paid invoice); then nothing changes for `idleHours` emulated.
 */
async function idleDay(opts: EgressOptions) {
  const { sandbox, clock } = await scaledSandbox(opts.idleScale);
  try {
    const { org } = sandbox.sf;
    const opportunityIds = ORDER.flatMap(
      (t) => createDeals(org, { tenant: t, accounts: 1, opportunities: 1, label: `Idle${t}` }).opportunityIds,
    );
    await sleep((2 * sandbox.config.pollIntervalMs) / opts.idleScale + 200);
    await liveThrough(sandbox, clock, opportunityIds, opts.timeoutMinutes * 60_000, () => undefined);
    const seq = lastXeroSeq(sandbox);
    const from = clock.now();
    const realStart = performance.now();
    const windowMs = opts.idleHours * HOUR;
    let lastSaid = performance.now();
    await until(
      () => {
        if (performance.now() - lastSaid > 30_000) {
          lastSaid = performance.now();
          say(`  idle: ${round((clock.now() - from) / HOUR, 1)} of ${opts.idleHours} emulated hours`);
        }
        return clock.now() - from >= windowMs;
      },
      20,
      windowMs / opts.idleScale + 60_000,
    );
    const to = clock.now();
    const all = callsSince(sandbox, 0);
    const idle = idleListings(all);
    const calls = all.filter((c) => c.seq > seq && c.at < from + windowMs);
    const invoiceListings = (t: TenantName) =>
      calls.filter((c) => c.tenantId === TENANTS[t].tenantId && c.method === 'GET' && /\/Invoices$/i.test(c.path));
    // Per day at the configured interval and idle cap: a poll cycle's bytes and calls (measured) times the polls an
    // idle tenant makes in a day from its last change (its wait doubling from the interval to the cap, poller.ts),
    // so the figure does not depend on how long this machine took per cycle (on the scaled clock a slow cycle means
    // fewer cycles in the emulated day); anything else the bridge read is scaled by time.
    const { pollIntervalMs, pollIdleMaxMs } = sandbox.config;
    const cyclesPerDay = idlePollsIn(DAY, pollIntervalMs, pollIdleMaxMs);
    const byTenant = Object.fromEntries(
      ORDER.map((t) => {
        const mine = calls.filter((c) => c.tenantId === TENANTS[t].tenantId);
        const cycles = invoiceListings(t).length;
        if (cycles === 0) throw new Error(`egress: the poller never listed ${t}'s invoices in the idle window`);
        const inCycle = (c: CallRecord) => c.method === 'GET' && POLL_CYCLE.test(c.path);
        const polls = bytes(mine.filter(inCycle));
        const other = bytes(mine.filter((c) => !inCycle(c)));
        const perDay = (key: 'billed' | 'wire' | 'calls') =>
          round((polls[key] / cycles) * cyclesPerDay + (other[key] * DAY) / (to - from), 0);
        return [
          t,
          {
            cycles,
            polls,
            other,
            billedPerDay: perDay('billed'),
            wirePerDay: perDay('wire'),
            callsPerDay: perDay('calls'),
          },
        ] as const;
      }),
    );
    const mean = (key: 'billedPerDay' | 'wirePerDay' | 'callsPerDay') =>
      ORDER.reduce((sum, t) => sum + byTenant[t]![key], 0) / ORDER.length;
    return {
      perTenantDay: { billed: mean('billedPerDay'), wire: mean('wirePerDay'), calls: mean('callsPerDay') },
      learntSomething: calls.filter((c) => listed(c) !== undefined && !idle.has(c)).length,
      details: {
        emulatedHours: round((to - from) / HOUR, 2),
        realSeconds: round((performance.now() - realStart) / 1000, 1),
        pollIntervalMs,
        pollIdleMaxMs,
        pollCyclesMeasured: Math.min(...ORDER.map((t) => invoiceListings(t).length)),
        pollCyclesExpected: idlePollsIn(windowMs, pollIntervalMs, pollIdleMaxMs),
        pollCyclesPerDay: cyclesPerDay,
        documentsPerInvoiceListing: Math.max(
          ...ORDER.map((t) => (listed(invoiceListings(t).at(-1)!) ?? '').split(',').filter(Boolean).length),
        ),
        byTenant,
        byEndpoint: bytesBy(calls, xeroEndpoint),
      },
    };
  } finally {
    await sandbox.close();
  }
}

export async function runEgress(opts: EgressOptions): Promise<SectionResult> {
  const started = performance.now();
  say(`  (a) ${opts.invoices} invoices on each of ${ORDER.length} tenants, ${opts.accounts} customers each`);
  const life = await lifecycle(opts);
  say(`  (b) an idle bridge, ${opts.idleHours} emulated h at ${opts.idleScale}×`);
  const idle = await idleDay(opts);
  if (idle.learntSomething > 0)
    throw new Error(`egress: ${idle.learntSomething} listings of the idle day found changes; it was not idle`);
  say(`  (c) ${opts.approvals} invoices of one tenant approved at once, ${opts.accounts} customers`);
  const approved = await approvals(opts);
  const base = opts.baseline;
  const a = approved.calls;
  const n = approved.invoices;
  const figures: Figure[] = [
    figure(
      'egress.perInvoice',
      `Xero egress per invoice over its life (create, approve, a payment, the polling after; n = ${life.total})`,
      round(life.perInvoice.billed, 0),
      'bytes',
      `${kB(life.perInvoice.billed, 2)} (uncompressed ${kB(life.perInvoice.wire, 2)})`,
      halfOf(base?.perInvoiceBytes, base?.commit),
    ),
    figure(
      'egress.idleTenantDay',
      `Xero egress per idle tenant per day (poll every ${round(idle.details.pollIntervalMs / 1000, 0)} s, idle up to ${round(idle.details.pollIdleMaxMs / 1000, 0)} s, ${idle.details.emulatedHours} emulated h)`,
      round(idle.perTenantDay.billed, 0),
      'bytes',
      `${kB(idle.perTenantDay.billed)} (uncompressed ${kB(idle.perTenantDay.wire)}; ${fmt(idle.details.pollCyclesPerDay)} poll cycles and ${fmt(idle.perTenantDay.calls)} Xero calls a day, from ${idle.details.pollCyclesMeasured} cycles measured, ${idle.details.pollCyclesExpected} expected)`,
      halfOf(base?.idleTenantDayBytes, base?.commit),
    ),
    figure(
      'egress.approvalCalls',
      `Xero calls to approve ${fmt(n)} invoices of one tenant, emails apart (measured: every call of the approve phase)`,
      a.besidesEmails,
      'calls',
      `${fmt(a.besidesEmails)} (${a.statusBatches} status batches, ${a.listings} listings, ${a.other} other; ` +
        `${a.rateLimited} answered 429) + ${fmt(a.emails)} emails (${fmt(approved.emailed)} of ${fmt(n)} invoices emailed); ` +
        `${approved.details.emulatedMinutes} emulated min`,
      // Issue 20's target is for 1,000 approvals; another count measures something else.
      n === 1000 ? { op: '<=', value: 30, text: '≤ 30 plus one per email' } : undefined,
    ),
  ];
  return {
    section: 'egress',
    date: new Date().toISOString(),
    wallSeconds: round((performance.now() - started) / 1000, 1),
    parameters: {
      invoicesPerTenant: opts.invoices,
      customersPerTenant: opts.accounts,
      tenants: 'UK_Ltd, US_Inc, EU_BV at once',
      lifecycleClockScale: opts.lifecycleScale,
      approvals: opts.approvals,
      idleHours: opts.idleHours,
      idleClockScale: opts.idleScale,
      webhooks: 'on (lifecycle), as configured in production',
      counting:
        'every Accounting API answer: bytes on the socket (status line, headers, body) from the emulator, and the body ' +
        'gzipped (zlib level 6) where the request accepted gzip (xero-node always does): Xero compresses when asked, ' +
        'and bills the bytes it sends. Header bytes are the emulator\u2019s (real Xero sends more headers). Token ' +
        'refreshes (identity.xero.com) are not counted.',
      lifecycle:
        'deals closed won → drafts; each approved in Salesforce → authorised (and emailed where the entity says so); ' +
        'a payment in full recorded in Xero → Payment__c; then until every tenant\u2019s poller has listed CreditNotes, ' +
        'Invoices and Payments and learnt nothing new, a poll interval after the last change. Listings that told the ' +
        'bridge nothing new (empty, or the same documents at the same versions as the previous listing) are the idle ' +
        'cost and left to (b); every other call from the first close to the end counts.',
      idleDay:
        'one invoice per tenant goes through its life first (so the poller starts from a watermark as in use), then ' +
        'nothing changes for the idle hours; per day = a poll cycle\u2019s bytes and calls (its five listings) × the ' +
        'polls an idle tenant makes in a day from its last change at the configured interval and idle cap (the wait ' +
        'doubles from POLL_INTERVAL_MS to POLL_IDLE_MAX_MS) (+ any other call scaled by time), so a slow machine ' +
        '(fewer cycles per emulated hour) does not lower the figure.',
      approvalsMeasured:
        'one tenant (UK_Ltd): the deals closed won → drafts synced, the bridge quiet; then every one submitted and ' +
        'approved in Salesforce, until every one is Authorised in Salesforce and no AUTHORISE job is left (its email ' +
        'sent). Every call that tenant made to Xero in that phase counts, the poller’s listings whether they ' +
        'learnt anything or not (they go by time, not by invoice; details.approvals.details.listingsThatLearntNothing ' +
        'says how many the idle rule of (a) would leave out); the emails are counted apart.',
    },
    figures,
    details: {
      lifecycle: life.details,
      idleDay: idle.details,
      approvals: { invoices: n, emailed: approved.emailed, calls: a, details: approved.details },
    },
    egress: {
      perInvoiceBytes: round(life.perInvoice.billed, 0),
      idleTenantDayBytes: round(idle.perTenantDay.billed, 0),
    },
  };
}
