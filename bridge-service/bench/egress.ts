/**
 * 4. Xero egress: the bytes the bridge reads from Xero (since March 2026 Xero prices apps by data egress, per GB a
 * month over the tier's allowance). Two figures, each from the Xero emulator's call log (every answer's bytes, see
 * sandbox/xero/call-log.ts):
 *   (a) per invoice over its life: deals closed → drafts in Xero, finance approves them → authorised, a payment in
 *       full recorded in Xero → Payment__c, and the polling that follows until the poller has read every change;
 *   (b) per idle tenant per day: the bridge running with nothing changing, over an emulated day at the configured
 *       poll interval and idle cap (scaled clock, so a day takes minutes), and the Xero calls that day costs.
 * Bytes are counted as Xero would bill them: status line and headers as the emulator wrote them, and the body
 * gzipped, because xero-node asks for gzip (Accept-Encoding) and Xero compresses when asked; the uncompressed
 * figure is beside it.
 */
import { performance } from 'node:perf_hooks';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { ScaledClock } from '../sandbox/shared/clock';
import { billedBytes, wireBytes, type CallRecord } from '../sandbox/xero/call-log';
import { scaledClock } from '../src/lib/clock';
import { idlePollsIn, POLLED_RESOURCES } from '../src/sync/inbound/poll-pace';
import { lastXeroSeq, openJobs, silent, sleep, until, waitFor as boundedWait, xeroEndpoint } from './common';
import { feedEvents } from './drain';
import { closeWon, createDeals, FINANCE_USER, SALES_USER, TENANTS, type TenantName } from './fixtures';
import { figure, fmt, round, say, type EgressBaseline, type Figure, type SectionResult } from './report';

export interface EgressOptions {
  /** Invoices per tenant over their life (a). */
  invoices: number;
  /** Repeat customers per tenant (a). */
  accounts: number;
  /** Emulated ms per real ms during (a). */
  lifecycleScale: number;
  /** Emulated hours the idle bridge runs (b); the figure is per 24 h. */
  idleHours: number;
  /** Emulated ms per real ms during (b). */
  idleScale: number;
  timeoutMinutes: number;
  /** The baseline the figures are held to (half of it), when one is recorded. */
  baseline?: EgressBaseline;
}

const ORDER: TenantName[] = ['UK', 'US', 'EU'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Every collection one poll cycle lists (GET without an id; poll-pace.ts POLLED_RESOURCES). */
const POLL_CYCLE = new RegExp(`^/api\\.xro/2\\.0/(${POLLED_RESOURCES.join('|')})$`, 'i');

type Row = Record<string, unknown>;

export interface Bytes {
  calls: number;
  /** As Xero would bill them: headers plus the gzipped body where the client accepts gzip. */
  billed: number;
  /** As the emulator sent them (uncompressed). */
  wire: number;
  headers: number;
  body: number;
}

function bytes(calls: readonly CallRecord[]): Bytes {
  const out: Bytes = { calls: calls.length, billed: 0, wire: 0, headers: 0, body: 0 };
  for (const call of calls) {
    if (!call.egress) continue;
    out.billed += billedBytes(call.egress);
    out.wire += wireBytes(call.egress);
    out.headers += call.egress.headerBytes;
    out.body += call.egress.bodyBytes;
  }
  return out;
}

/** Bytes by label, largest (billed) first. */
function bytesBy(calls: readonly CallRecord[], label: (call: CallRecord) => string): Record<string, Bytes> {
  const groups = Map.groupBy(calls, label);
  return Object.fromEntries(
    [...groups].map(([k, v]) => [k, bytes(v)] as const).sort((a, b) => b[1].billed - a[1].billed),
  );
}

const tenantName = (tenantId: string | undefined): string =>
  ORDER.find((t) => TENANTS[t].tenantId === tenantId) ?? tenantId ?? 'none';

/** A listing the poller makes (GET of a whole collection): its documents as `id@UpdatedDateUTC`, sorted. */
function listed(call: CallRecord): string | undefined {
  const m = POLL_CYCLE.exec(call.path);
  if (call.method !== 'GET' || !m || call.status !== 200) return undefined;
  const body = call.responseBody as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') throw new Error('egress: the call log kept no response bodies');
  // The answer's collection and id field as Xero names them: Invoices[].InvoiceID, Prepayments[].PrepaymentID, ...
  const resource = POLLED_RESOURCES.find((r) => r.toLowerCase() === m[1]!.toLowerCase())!;
  const items = body[resource];
  if (!Array.isArray(items)) return undefined;
  const idField = `${resource.slice(0, -1)}ID`;
  return (items as Record<string, unknown>[])
    .map((d) => `${String(d[idField])}@${String(d.UpdatedDateUTC)}`)
    .sort()
    .join(',');
}

/**
 * Listings that told the bridge nothing new: the same documents, at the same versions, as the previous listing of
 * the same tenant, collection and page (an empty one included). The poller asks from a little before its watermark,
 * so once something has changed, every poll reads the newest documents again until something newer changes: that
 * is the idle cost, counted in (b), not in an invoice's life.
 */
export function idleListings(calls: readonly CallRecord[]): Set<CallRecord> {
  const previous = new Map<string, string>();
  const idle = new Set<CallRecord>();
  for (const call of calls) {
    const content = listed(call);
    if (content === undefined) continue;
    const page = new URLSearchParams(call.query).get('page') ?? '1';
    const key = `${call.tenantId ?? ''} ${call.path.toLowerCase()} ${page}`;
    if (content === '' || previous.get(key) === content) idle.add(call);
    previous.set(key, content);
  }
  return idle;
}

/** The calls since `seq`, refusing a log that dropped some (it keeps the newest 20,000). */
function callsSince(sandbox: Sandbox, seq: number): CallRecord[] {
  const calls = sandbox.xero.control.calls({ sinceSeq: seq });
  if (calls.length > 0 && calls[0]!.seq !== seq + 1)
    throw new Error(`egress: the Xero call log dropped calls ${seq + 1}..${calls[0]!.seq - 1}; measure less at once`);
  return calls.filter((c) => c.tenantId !== undefined);
}

function rows(sandbox: Sandbox, object: string): Row[] {
  const { org } = sandbox.sf;
  return [...org.store.table(org.object(org.n(object)).name).values()].filter((r) => !r.IsDeleted);
}

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

const waitFor = (what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50) =>
  boundedWait('egress', what, check, timeoutMs, everyMs);

interface Phase {
  name: string;
  fromSeq: number;
  toSeq: number;
  emulatedMinutes: number;
}

/** A sandbox on one scaled clock (bridge and emulators agree on time), keeping Xero's bodies to read listings. */
async function scaledSandbox(scale: number) {
  const bridgeClock = scaledClock(scale);
  const emulatorClock = new ScaledClock({ scale, start: bridgeClock.now() });
  const sandbox = await startSandbox({
    logger: silent,
    salesforce: { clock: emulatorClock, logger: silent },
    xero: { clock: emulatorClock, recordBodies: true },
    bridge: { clock: bridgeClock },
  });
  // As in production: Xero notifies the bridge of invoice, contact and credit-note changes.
  sandbox.xero.control.configureWebhooks({ url: `${sandbox.url}/webhooks/xero` });
  return { sandbox, clock: emulatorClock };
}

/**
 * Takes these deals through their life: closed won → drafts in Xero (Invoice__c Synced); approved by finance →
 * authorised; paid in full in Xero → Paid with its Payment__c; then waits until every tenant's poller has listed
 * CreditNotes, Invoices and Payments and learnt nothing new, a poll interval after the last change. Returns the
 * Xero call sequence numbers that bound each phase.
 */
async function liveThrough(
  sandbox: Sandbox,
  clock: ScaledClock,
  opportunityIds: readonly string[],
  timeoutMs: number,
  log: (line: string) => void,
): Promise<Phase[]> {
  const { org } = sandbox.sf;
  const n = (name: string) => org.n(name);
  const wanted = new Set(opportunityIds);
  const invoices = () => rows(sandbox, 'Invoice__c').filter((r) => wanted.has(r[n('Opportunity__c')] as string));
  const withStatus = (status: string) => invoices().filter((r) => r[n('Status__c')] === status).length;
  const phases: Phase[] = [];
  let seq = lastXeroSeq(sandbox);
  let at = clock.now();
  const endPhase = (name: string) => {
    const to = lastXeroSeq(sandbox);
    const minutes = round((clock.now() - at) / 60_000, 2);
    phases.push({ name, fromSeq: seq, toSeq: to, emulatedMinutes: minutes });
    log(`  ${name}: ${to - seq} Xero calls, ${minutes} emulated min`);
    seq = to;
    at = clock.now();
  };

  // Create: the deals closed (200 to a transaction); each becomes a draft in Xero and an Invoice__c.
  const allJobs = async () => Object.values(await sandbox.store.jobs.countJobsByState()).reduce((a, b) => a + b, 0);
  const jobsBefore = await allJobs();
  await feedEvents(
    opportunityIds,
    (chunk) => closeWon(org, chunk),
    async () => (await allJobs()) - jobsBefore,
  );
  await waitFor(
    'every invoice synced',
    () => invoices().filter((r) => r[n('Sync_Status__c')] === 'Synced').length === wanted.size,
    timeoutMs,
  );
  endPhase('create');

  // Approve: finance approves each draft in Salesforce; the bridge authorises it in Xero.
  for (const row of invoices()) {
    sandbox.sf.control.approvals.submit(String(row.Id), { user: SALES_USER });
    sandbox.sf.control.approvals.approve(String(row.Id), { user: FINANCE_USER });
  }
  await waitFor('every invoice authorised', () => withStatus('Authorised') === wanted.size, timeoutMs);
  endPhase('approve');

  // Pay: each invoice paid in full in Xero; the Paid status and a Payment__c come back.
  const ours = new Map(invoices().map((r) => [String(r[n('Xero_Invoice_Id__c')]).toLowerCase(), String(r.Id)]));
  for (const t of ORDER) {
    const tenantId = TENANTS[t].tenantId;
    const documents = sandbox.xero.control.snapshot(tenantId).invoices as { id: string; outstanding: string }[];
    for (const invoice of documents.filter((i) => ours.has(i.id.toLowerCase()))) {
      sandbox.xero.control.recordCustomerPayment({
        tenantId,
        invoiceId: invoice.id,
        amount: invoice.outstanding,
        reference: 'bench egress',
      });
    }
  }
  const paidAt = clock.now();
  const invoiceIds = new Set(ours.values());
  const payments = () => rows(sandbox, 'Payment__c').filter((p) => invoiceIds.has(p[n('Invoice__c')] as string));
  await waitFor(
    'every invoice paid in Salesforce',
    () => withStatus('Paid') === wanted.size && payments().length >= wanted.size,
    timeoutMs,
  );
  endPhase('pay');

  // The polling that follows.
  const settled = async () => {
    if ((await openJobs(sandbox)) > 0) return false;
    const calls = callsSince(sandbox, 0);
    const idle = idleListings(calls);
    const late = calls.filter((c) => c.at > paidAt + sandbox.config.pollIntervalMs && idle.has(c));
    return ORDER.every((t) =>
      ['/invoices', '/creditnotes', '/payments'].every((r) =>
        late.some((c) => c.tenantId === TENANTS[t].tenantId && c.path.toLowerCase().endsWith(r)),
      ),
    );
  };
  await waitFor('every poller to learn nothing new', settled, timeoutMs, 250);
  endPhase('polling after');
  return phases;
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
    const inPhase = (p: Phase) => lifeCalls.filter((c) => c.seq > p.fromSeq && c.seq <= p.toSeq);
    const approveCalls = inPhase(phases.find((x) => x.name === 'approve')!);
    const emails = approveCalls.filter((c) => /\/Invoices\/[^/]+\/Email$/i.test(c.path)).length;
    return {
      total,
      perInvoice: { billed: life.billed / total, wire: life.wire / total },
      approvals: {
        calls: approveCalls.length,
        emails,
        byEndpoint: Object.fromEntries(
          Object.entries(bytesBy(approveCalls, xeroEndpoint)).map(([k, v]) => [k, v.calls]),
        ),
      },
      details: {
        invoices: total,
        emulatedMinutes: round((clock.now() - t0) / 60_000, 2),
        lifecycle: life,
        idleListingsLeftOut: bytes(window.filter((c) => idle.has(c))),
        byPhase: Object.fromEntries(
          phases.map((p) => [p.name, { ...bytes(inPhase(p)), emulatedMinutes: p.emulatedMinutes }]),
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
  const base = opts.baseline;
  const perThousand = (life.approvals.calls - life.approvals.emails) * (1000 / life.total);
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
      `Xero calls to approve 1,000 invoices, emails apart (from ${life.total} approved)`,
      round(perThousand, 0),
      'calls/1,000',
      `${fmt(perThousand)} per 1,000 (${life.approvals.calls} calls for ${life.total}, ${life.approvals.emails} of them emails)`,
      { op: '<=', value: 30, text: '≤ 30 plus one per email' },
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
    },
    figures,
    details: { lifecycle: life.details, approvals: life.approvals, idleDay: idle.details },
    egress: {
      perInvoiceBytes: round(life.perInvoice.billed, 0),
      idleTenantDayBytes: round(idle.perTenantDay.billed, 0),
    },
  };
}
