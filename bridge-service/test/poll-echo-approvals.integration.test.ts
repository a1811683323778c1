/**
 * Issue 20, the echo of approvals on a tenant with webhooks: finance approves 20 drafts; the bridge authorises them
 * (one status call) and emails each (one call each). Xero sends a webhook for every approval and every email, and the
 * email bumps each invoice's version past the one the approval wrote to its mirror (SentToContact, which no mirror
 * holds). None of that is read back in full: the webhooks are known for the bridge's own (the mirror holds the
 * approval, own-writes.ts knows the email), they wake no poller, and the Invoices listing that sees the emails'
 * versions restamps the mirrors (the version alone, no change announced) and backs off as on an idle tenant. The real
 * bridge against both emulators, webhooks on.
 */
import pino from 'pino';
import { closeWon, createDeals, FINANCE_USER, SALES_USER, TENANTS } from '../bench/fixtures';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { ScaledClock } from '../sandbox/shared/clock';
import type { CallRecord } from '../sandbox/xero/call-log';
import { scaledClock } from '../src/lib/clock';
import { waitFor } from './wait-for';

const DEALS = 20;
/** One clock for the bridge and both emulators: an emulated minute is 1.5 s. */
const SCALE = 40;
const MINUTE = 60_000;

let sandbox: Sandbox;
let clock: ScaledClock;

beforeAll(async () => {
  const bridgeClock = scaledClock(SCALE);
  clock = new ScaledClock({ scale: SCALE, start: bridgeClock.now() });
  sandbox = await startSandbox({
    salesforce: { clock },
    xero: { clock },
    bridge: {
      workerIdleMs: 50,
      referenceTtlMs: 0,
      pollIntervalMs: MINUTE,
      pollIdleMaxMs: 15 * MINUTE,
      clock: bridgeClock,
    },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
  sandbox.xero.control.configureWebhooks({ url: `${sandbox.url}/webhooks/xero` });
});

afterAll(async () => {
  await sandbox?.close();
});

const isListing = (c: CallRecord) => c.method === 'GET' && /\/Invoices$/i.test(c.path) && !/IDs=/i.test(c.query);
const isFullRead = (c: CallRecord) => c.method === 'GET' && /\/Invoices$/i.test(c.path) && /IDs=/i.test(c.query);

it(`${DEALS} approvals with their emails on a tenant with webhooks: nothing read back, the listing backs off`, async () => {
  const { org } = sandbox.sf;
  const n = (name: string) => org.n(name);
  const tenantId = TENANTS.US.tenantId;
  const deals = createDeals(org, { tenant: 'US', accounts: 2, opportunities: DEALS, label: 'echo' });
  const wanted = new Set(deals.opportunityIds);
  const invoices = () =>
    org.records(org.object(n('Invoice__c'))).filter((r) => wanted.has(r[n('Opportunity__c')] as string));
  closeWon(org, deals.opportunityIds);
  await waitFor(
    'every draft synced',
    async () => invoices().filter((r) => r[n('Sync_Status__c')] === 'Synced').length === DEALS || undefined,
    60_000,
  );
  const jobsDone = async (action: string) => {
    await sandbox.xero.control.flushWebhooks();
    const jobs = await sandbox.store.jobs.listJobs({ action, limit: 1000 });
    return jobs.every((j) => j.state === 'done' || j.state === 'failed');
  };
  await waitFor('the drafts’ webhooks handled', async () => (await jobsDone('XERO_CHANGE')) || undefined, 30_000);
  // and the drafts' own re-plans (a plan job left from them would announce a second PLAN after the approvals)
  await waitFor('the drafts’ plans written', async () => (await jobsDone('PLAN_BILLING')) || undefined, 30_000);

  const seq = sandbox.xero.control.calls().at(-1)?.seq ?? 0;
  const changesBefore = (await sandbox.store.jobs.listJobs({ action: 'XERO_CHANGE', limit: 1000 })).length;
  const eventsBefore = sandbox.sf.org.store.events.length;
  for (const row of invoices()) {
    sandbox.sf.control.approvals.submit(String(row.Id), { user: SALES_USER });
    sandbox.sf.control.approvals.approve(String(row.Id), { user: FINANCE_USER });
  }
  await waitFor(
    'every approval done',
    async () => {
      const jobs = await sandbox.store.jobs.listJobs({ action: 'AUTHORISE', limit: 1000 });
      return (jobs.length === DEALS && jobs.every((j) => j.state === 'done')) || undefined;
    },
    60_000,
  );
  await waitFor('their webhooks handled', async () => (await jobsDone('XERO_CHANGE')) || undefined, 30_000);
  const approvedAt = clock.now();
  // the approvals' and the emails' webhooks came, and their jobs wrote nothing
  const echoes = (await sandbox.store.jobs.listJobs({ action: 'XERO_CHANGE', limit: 1000 })).slice(changesBefore);
  expect(echoes.length).toBeGreaterThanOrEqual(DEALS);
  expect(echoes.map((j) => (j.result as { changed?: number } | null)?.changed ?? 0)).toEqual(echoes.map(() => 0));

  // Eight emulated minutes on: at the interval, eight listings; backing off (1, 2, 4 minutes…), at most four.
  await new Promise((resolve) => setTimeout(resolve, (8 * MINUTE) / SCALE));
  const calls = sandbox.xero.control.calls({ sinceSeq: seq }).filter((c) => c.tenantId === tenantId);
  const emails = calls.filter((c) => /\/Invoices\/[^/]+\/Email$/i.test(c.path));
  expect(emails).toHaveLength(DEALS);
  expect(calls.filter(isFullRead)).toEqual([]);
  const listingsAfter = calls.filter((c) => isListing(c) && c.at > approvedAt);
  expect(listingsAfter.length).toBeGreaterThanOrEqual(1);
  expect(listingsAfter.length).toBeLessThanOrEqual(4);
  const gaps = listingsAfter.slice(1).map((c, i) => c.at - listingsAfter[i]!.at);
  expect(gaps.every((gap) => gap > 1.5 * MINUTE)).toBe(true);
  if (process.env.MEASURE) {
    const by = new Map<string, number>();
    for (const c of calls) {
      const key = `${c.method} ${c.path.replace(/[0-9a-f-]{36}/gi, '{id}')}${isFullRead(c) ? '?IDs' : ''}`;
      by.set(key, (by.get(key) ?? 0) + 1);
    }
    process.stdout.write(`approving ${DEALS} with webhooks: ${JSON.stringify(Object.fromEntries(by))}\n`);
  }

  // The mirrors hold Xero's version to the second (the emails' bumps restamped by the listing), and no change was
  // announced for them: the only Sync_Update__e are the approvals' own write-backs.
  const tenant = sandbox.xero.state.tenant(tenantId.toLowerCase())!;
  const stale = invoices().filter((r) => {
    const doc = tenant.invoices.get(String(r[n('Xero_Invoice_Id__c')]).toLowerCase());
    const held = Date.parse(String(r[n('Xero_Updated__c')]));
    return !doc || Math.floor(doc.updatedAt / 1000) * 1000 !== held || r[n('Status__c')] !== 'Authorised';
  });
  expect(stale).toEqual([]);
  const announced = sandbox.sf.org.store.events
    .slice(eventsBefore)
    .filter((e) => /Sync_Update__e$/.test(e.channel))
    .map((e) => String(e.data.payload.Change__c));
  // one STATUS a write-back of an approval (nothing for the echoes), and each deal re-planned once after it
  expect(announced.filter((change) => change !== 'PLAN')).toEqual(Array.from({ length: DEALS }, () => 'STATUS'));
  expect(announced.filter((change) => change === 'PLAN').length).toBeLessThanOrEqual(DEALS);
}, 180_000);
