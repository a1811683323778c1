/**
 * Issue 20, approvals in bulk: finance approves 60 drafts of one organisation; the bridge authorises them in Xero
 * at most 50 a call (POST /Invoices, summarizeErrors=false), emails each (the entity says so; one call per email is
 * Xero's design) and writes each back, without reading any online-invoice link (a rep asks for one: ONLINE_LINK).
 * The real bridge against both emulators.
 */
import pino from 'pino';
import { closeWon, createDeals, FINANCE_USER, SALES_USER, TENANTS } from '../bench/fixtures';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { ScaledClock } from '../sandbox/shared/clock';
import { scaledClock } from '../src/lib/clock';
import { waitFor } from './wait-for';

const DEALS = 60;
const SCALE = 20;
let sandbox: Sandbox;

beforeAll(async () => {
  // Xero allows 60 calls a minute per organisation and each approval here costs an email: a scaled clock (one
  // clock for the bridge and both emulators) lets the rate limit pace the test in seconds, not minutes.
  const bridgeClock = scaledClock(SCALE);
  const emulatorClock = new ScaledClock({ scale: SCALE, start: bridgeClock.now() });
  sandbox = await startSandbox({
    salesforce: { clock: emulatorClock },
    xero: { clock: emulatorClock },
    bridge: { workerIdleMs: 50, referenceTtlMs: 0, clock: bridgeClock },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
});

afterAll(async () => {
  await sandbox?.close();
});

it(`authorises ${DEALS} approved invoices in bulk: at most 50 a status call, one email each`, async () => {
  const { org } = sandbox.sf;
  const n = (name: string) => org.n(name);
  const deals = createDeals(org, { tenant: 'US', accounts: 3, opportunities: DEALS, label: 'bulk' });
  const wanted = new Set(deals.opportunityIds);
  const invoices = () =>
    org.records(org.object(n('Invoice__c'))).filter((r) => wanted.has(r[n('Opportunity__c')] as string));
  closeWon(org, deals.opportunityIds);
  await waitFor(
    'every draft synced',
    async () => invoices().filter((r) => r[n('Sync_Status__c')] === 'Synced').length === DEALS || undefined,
    60_000,
  );
  const tenantId = TENANTS.US.tenantId;
  const seq = sandbox.xero.control.calls().at(-1)?.seq ?? 0;
  // Finance approves them all, then the bridge sees the approvals (as a morning's queue would stand).
  await sandbox.stopBridge();
  for (const row of invoices()) {
    sandbox.sf.control.approvals.submit(String(row.Id), { user: SALES_USER });
    sandbox.sf.control.approvals.approve(String(row.Id), { user: FINANCE_USER });
  }
  await sandbox.startBridge();
  await waitFor(
    'every invoice authorised',
    async () => invoices().filter((r) => r[n('Status__c')] === 'Authorised').length === DEALS || undefined,
    60_000,
  );
  // and every approval's job finished (the poller may write the status first: it sees the authorised invoices)
  await waitFor(
    'every approval done',
    async () => {
      const jobs = await sandbox.store.jobs.listJobs({ action: 'AUTHORISE', limit: 1000 });
      return (jobs.length === DEALS && jobs.every((j) => j.state === 'done')) || undefined;
    },
    60_000,
  );
  const calls = sandbox.xero.control.calls({ sinceSeq: seq }).filter((c) => c.tenantId === tenantId);
  const statusCalls = calls.filter((c) => c.method === 'POST' && /\/Invoices$/i.test(c.path));
  const emails = calls.filter((c) => /\/Invoices\/[^/]+\/Email$/i.test(c.path));
  const reads = calls.filter((c) => c.method === 'GET' && /\/Invoices$/i.test(c.path) && /IDs=/i.test(c.query));
  const links = calls.filter((c) => /\/OnlineInvoice$/i.test(c.path));
  if (process.env.MEASURE) {
    const by = new Map<string, number>();
    for (const c of calls) {
      const key = `${c.method} ${c.path.replace(/[0-9a-f-]{36}/gi, '{id}')}`;
      by.set(key, (by.get(key) ?? 0) + 1);
    }
    process.stdout.write(`approving ${DEALS}: ${JSON.stringify(Object.fromEntries(by))}\n`);
  }
  // At most 50 a call, so at least two; the worker may pick the first approvals up before the rest are stored, so a
  // few more (3 here when measured), but nowhere near one a call.
  expect(statusCalls.length).toBeGreaterThanOrEqual(2);
  expect(statusCalls.length).toBeLessThanOrEqual(10);
  expect(statusCalls.every((c) => /summarizeErrors=false/i.test(c.query))).toBe(true);
  expect(emails).toHaveLength(DEALS);
  // no invoice read before authorising (the poller may read a few it saw authorised before their write-back)
  expect(reads.length).toBeLessThan(DEALS / 5);
  // the customer link is read only when a rep asks for it (ONLINE_LINK), never on approval
  expect(links).toHaveLength(0);
  // and no other write: what approving costs is its status calls and its emails (the rest are the poller's reads)
  expect(calls.filter((c) => c.method !== 'GET')).toHaveLength(statusCalls.length + emails.length);
}, 120_000);
