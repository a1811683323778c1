/**
 * Invoices through their life on a scaled clock, step by step (closed won → drafts, approved → authorised, paid →
 * Payment__c, the polling after), each step a phase bounded by Xero call sequence numbers: what the egress section's
 * measurements are read from.
 */
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { ScaledClock } from '../sandbox/shared/clock';
import type { CallRecord } from '../sandbox/xero/call-log';
import { scaledClock } from '../src/lib/clock';
import { lastXeroSeq, openJobs, silent, waitFor as boundedWait } from './common';
import { feedEvents } from './drain';
import { closeWon, FINANCE_USER, SALES_USER, TENANTS, type TenantName } from './fixtures';
import { round } from './report';
import { idleListings } from './xero-calls';

export const TENANT_ORDER: TenantName[] = ['UK', 'US', 'EU'];

type Row = Record<string, unknown>;

export const waitFor = (what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50) =>
  boundedWait('egress', what, check, timeoutMs, everyMs);

/** The calls since `seq` that name a tenant, refusing a log that dropped some (it keeps the newest 20,000). */
export function callsSince(sandbox: Sandbox, seq: number): CallRecord[] {
  const calls = sandbox.xero.control.calls({ sinceSeq: seq });
  if (calls.length > 0 && calls[0]!.seq !== seq + 1)
    throw new Error(`egress: the Xero call log dropped calls ${seq + 1}..${calls[0]!.seq - 1}; measure less at once`);
  return calls.filter((c) => c.tenantId !== undefined);
}

export function rows(sandbox: Sandbox, object: string): Row[] {
  const { org } = sandbox.sf;
  return [...org.store.table(org.object(org.n(object)).name).values()].filter((r) => !r.IsDeleted);
}

/** A sandbox on one scaled clock (bridge and emulators agree on time), keeping Xero's bodies to read listings. */
export async function scaledSandbox(scale: number) {
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

export interface Phase {
  name: string;
  /** The last Xero call before the phase (exclusive) … */
  fromSeq: number;
  /** … and its last call (inclusive). */
  toSeq: number;
  emulatedMinutes: number;
}

/** Marks the Xero call log and the emulated clock where each phase ends. */
export class Phases {
  readonly list: Phase[] = [];
  private seq: number;
  private at: number;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly clock: ScaledClock,
    private readonly log: (line: string) => void,
  ) {
    this.seq = lastXeroSeq(sandbox);
    this.at = clock.now();
  }

  end(name: string): Phase {
    const to = lastXeroSeq(this.sandbox);
    const minutes = round((this.clock.now() - this.at) / 60_000, 2);
    const phase = { name, fromSeq: this.seq, toSeq: to, emulatedMinutes: minutes };
    this.list.push(phase);
    this.log(`  ${name}: ${to - this.seq} Xero calls, ${minutes} emulated min`);
    this.seq = to;
    this.at = this.clock.now();
    return phase;
  }
}

export const inPhase = (calls: readonly CallRecord[], phase: Phase) =>
  calls.filter((c) => c.seq > phase.fromSeq && c.seq <= phase.toSeq);

/** The Invoice__c rows of these deals, read in process (no API call). */
export function invoicesOf(sandbox: Sandbox, opportunityIds: readonly string[]) {
  const { org } = sandbox.sf;
  const wanted = new Set(opportunityIds);
  const all = () => rows(sandbox, 'Invoice__c').filter((r) => wanted.has(r[org.n('Opportunity__c')] as string));
  return {
    count: wanted.size,
    all,
    withStatus: (status: string) => all().filter((r) => r[org.n('Status__c')] === status).length,
    synced: () => all().filter((r) => r[org.n('Sync_Status__c')] === 'Synced').length,
  };
}

/** The deals closed (200 to a transaction); each becomes a draft in Xero and an Invoice__c, Synced. */
export async function closeToDrafts(sandbox: Sandbox, opportunityIds: readonly string[], timeoutMs: number) {
  const invoices = invoicesOf(sandbox, opportunityIds);
  const allJobs = async () => Object.values(await sandbox.store.jobs.countJobsByState()).reduce((a, b) => a + b, 0);
  const jobsBefore = await allJobs();
  await feedEvents(
    opportunityIds,
    (chunk) => closeWon(sandbox.sf.org, chunk),
    async () => (await allJobs()) - jobsBefore,
  );
  await waitFor('every invoice synced', () => invoices.synced() === invoices.count, timeoutMs);
}

/**
 * Finance approves each draft in Salesforce (the rep submits, finance approves); the bridge authorises them in Xero
 * and emails each where its entity says so. Done when every one is Authorised in Salesforce and no approval is left
 * to run: an invoice's Authorised can reach Salesforce before its email goes (a poll or webhook that reads it first),
 * and its email belongs to the approval.
 */
export async function approveAll(sandbox: Sandbox, opportunityIds: readonly string[], timeoutMs: number) {
  const invoices = invoicesOf(sandbox, opportunityIds);
  for (const row of invoices.all()) {
    sandbox.sf.control.approvals.submit(String(row.Id), { user: SALES_USER });
    sandbox.sf.control.approvals.approve(String(row.Id), { user: FINANCE_USER });
  }
  await waitFor(
    'every invoice authorised, and its approval done',
    async () =>
      invoices.withStatus('Authorised') === invoices.count &&
      (await sandbox.store.jobs.unfinishedJobs('AUTHORISE')).length === 0,
    timeoutMs,
  );
}

/**
 * Each invoice paid in full in Xero; done when every one is Paid in Salesforce with its Payment__c. Returns when the
 * payments were recorded (emulated).
 */
export async function payInFull(sandbox: Sandbox, opportunityIds: readonly string[], timeoutMs: number) {
  const { org } = sandbox.sf;
  const invoices = invoicesOf(sandbox, opportunityIds);
  const ours = new Map(invoices.all().map((r) => [String(r[org.n('Xero_Invoice_Id__c')]).toLowerCase(), String(r.Id)]));
  for (const t of TENANT_ORDER) {
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
  const paidAt = sandbox.xero.control.now();
  const invoiceIds = new Set(ours.values());
  const payments = () => rows(sandbox, 'Payment__c').filter((p) => invoiceIds.has(p[org.n('Invoice__c')] as string));
  await waitFor(
    'every invoice paid in Salesforce',
    () => invoices.withStatus('Paid') === invoices.count && payments().length >= invoices.count,
    timeoutMs,
  );
  return paidAt;
}

/**
 * Until every tenant's poller has listed CreditNotes, Invoices and Payments and learnt nothing new, a poll interval
 * after `lastChangeAt` (emulated).
 */
export async function untilPollersLearnNothing(sandbox: Sandbox, lastChangeAt: number, timeoutMs: number) {
  const settled = async () => {
    if ((await openJobs(sandbox)) > 0) return false;
    const calls = callsSince(sandbox, 0);
    const idle = idleListings(calls);
    const late = calls.filter((c) => c.at > lastChangeAt + sandbox.config.pollIntervalMs && idle.has(c));
    return TENANT_ORDER.every((t) =>
      ['/invoices', '/creditnotes', '/payments'].every((r) =>
        late.some((c) => c.tenantId === TENANTS[t].tenantId && c.path.toLowerCase().endsWith(r)),
      ),
    );
  };
  await waitFor('every poller to learn nothing new', settled, timeoutMs, 250);
}

/**
 * Takes these deals through their life: closed won → drafts in Xero (Invoice__c Synced); approved by finance →
 * authorised; paid in full in Xero → Paid with its Payment__c; then waits until every tenant's poller has listed
 * CreditNotes, Invoices and Payments and learnt nothing new, a poll interval after the last change. Returns the
 * Xero call sequence numbers that bound each phase.
 */
export async function liveThrough(
  sandbox: Sandbox,
  clock: ScaledClock,
  opportunityIds: readonly string[],
  timeoutMs: number,
  log: (line: string) => void,
): Promise<Phase[]> {
  const phases = new Phases(sandbox, clock, log);
  await closeToDrafts(sandbox, opportunityIds, timeoutMs);
  phases.end('create');
  await approveAll(sandbox, opportunityIds, timeoutMs);
  phases.end('approve');
  const paidAt = await payInFull(sandbox, opportunityIds, timeoutMs);
  phases.end('pay');
  await untilPollersLearnNothing(sandbox, paidAt, timeoutMs);
  phases.end('polling after');
  return phases.list;
}
