/**
 * A gap longer than Salesforce keeps events (72 h), against the Salesforce emulator: the reconcile looks back from
 * when the replay cursor was last saved, not a fixed 4 days, so a deal closed 5 days ago is drafted, and an invoice
 * finance approved while the bridge was away is authorised. The gap is logged at error level and counted.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { SalesforceEmulator } from '../../sandbox/salesforce/server';
import {
  bridgeSalesforceConfig,
  frozenClock,
  SALES,
  connect,
  startTestEmulator,
} from '../../sandbox/salesforce/test-helpers';
import type { ScaledClock } from '../../sandbox/shared/clock';
import { connectSalesforce } from '../salesforce/connection';
import { createQueries } from '../salesforce/queries';
import { salesforceNames } from '../salesforce/schema';
import { createMetrics } from '../server/metrics';
import { SqliteStore } from '../store';
import { createReconciler } from './reconcile';

const CHANNEL = '/event/Invoice_Request__e';
const DAY = 86_400_000;
const FINANCE = 'fran.finance@ledgerline.example';

let em: SalesforceEmulator;
let clock: ScaledClock;
let store: SqliteStore;
let dir: string;
beforeEach(async () => {
  clock = frozenClock(Date.UTC(2026, 2, 2, 9, 0, 0));
  em = await startTestEmulator({ clock });
  dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
  store = new SqliteStore({ path: join(dir, 'bridge.sqlite'), encryptionKey: randomBytes(32), clock });
});
afterEach(async () => {
  await store.close();
  await em.close();
  rmSync(dir, { recursive: true, force: true });
});

it('after 6 days away: a deal closed 5 days ago is drafted, an approval made meanwhile authorised; the gap is an error and a metric', async () => {
  const log = pino({ level: 'silent' });
  const names = salesforceNames('');
  const opportunities = (await connect(em, SALES).query<{ Id: string }>('SELECT Id FROM Opportunity ORDER BY Name'))
    .records;
  const [closedWhileAway, invoiced, authorised] = opportunities;
  const { org } = em;
  const ctx = { userId: org.resolveUser('integration@ledgerline.example').Id };
  // Xero holds a draft for the second deal, made before the bridge went away.
  const invoice = org.insert(
    'Invoice__c',
    {
      Request_Key__c: `CREATE_DRAFT:${invoiced!.Id}:1`,
      Opportunity__c: invoiced!.Id,
      Xero_Invoice_Id__c: 'c0ffee00-0000-4000-8000-000000000001',
      Status__c: 'Draft',
      Total__c: 1200,
      Xero_Updated__c: new Date(clock.now() - DAY).toISOString(),
    },
    ctx,
  );
  // Another, approved and authorised before the bridge went away: nothing to do for it.
  const done = org.insert(
    'Invoice__c',
    {
      Request_Key__c: `CREATE_DRAFT:${authorised!.Id}:1`,
      Opportunity__c: authorised!.Id,
      Xero_Invoice_Id__c: 'c0ffee00-0000-4000-8000-000000000002',
      Status__c: 'Draft',
      Total__c: 300,
    },
    ctx,
  );
  em.control.approvals.submit(done, { user: FINANCE });
  em.control.approvals.approve(done, { user: FINANCE });
  org.update('Invoice__c', done, { Status__c: 'Authorised' }, ctx);
  // The last event the bridge stored: then it went away (six days).
  await store.replayCursors.saveReplayId(CHANNEL, 41);
  const lastStoredAt = clock.now();

  clock.advance(DAY); // 5 days before the bridge comes back: the deal is won, its event expires 3 days later
  await connect(em, SALES).sobject('Opportunity').update({ Id: closedWhileAway!.Id, StageName: 'Closed Won' });
  clock.advance(DAY); // finance approves the draft: AUTHORISE is published, and lost too
  em.control.approvals.submit(invoice, { user: FINANCE });
  em.control.approvals.approve(invoice, { user: FINANCE });
  clock.advance(4 * DAY);

  // The bridge is back: its subscriber found the cursor's replay id gone, and reconciles.
  const conn = await connectSalesforce(bridgeSalesforceConfig(em), log, () => clock.now());

  const metrics = createMetrics({ defaultMetrics: false });
  const errors: { obj: Record<string, unknown>; msg: string }[] = [];
  const reconciler = createReconciler({
    queries: createQueries({ conn, names, multiCurrency: true }),
    jobs: store.jobs,
    reference: { settings: async () => ({ autoDraftOnClose: true, readOnly: false }) },
    cursors: store.replayCursors,
    metrics,
    clock,
    log: {
      error: ((obj: Record<string, unknown>, msg: string) => errors.push({ obj, msg })) as never,
      warn: () => undefined,
    },
  });
  const result = await reconciler.reconcile(CHANNEL);

  expect(result).toMatchObject({ lastStoredAt, drafts: 1, approvals: 1 });
  const jobs = await store.jobs.listJobs();
  expect(jobs.map((j) => j.key).sort()).toEqual(
    [`AUTHORISE:${invoice}:1`, `CREATE_DRAFT:${closedWhileAway!.Id}:1`].sort(),
  );
  expect(jobs.find((j) => j.action === 'AUTHORISE')?.payload).toMatchObject({
    invoiceId: invoice,
    payload: { approvedTotal: '1200.00' },
  });
  expect(errors).toHaveLength(1);
  expect(errors[0]!.obj).toMatchObject({
    channel: CHANNEL,
    lastStoredAt: new Date(lastStoredAt).toISOString(),
    lookedBackTo: new Date(lastStoredAt - 3_600_000).toISOString(),
    notReconciled: expect.objectContaining({ VOID: expect.any(String), AUTHORISE_CREDIT_NOTE: expect.any(String) }),
  });
  expect(errors[0]!.msg).toContain(new Date(lastStoredAt).toISOString());
  expect(await metrics.registry.getSingleMetricAsString('ledgerline_event_gaps_total')).toContain(
    `ledgerline_event_gaps_total{channel="${CHANNEL}"} 1`,
  );

  // Reconciled again (another gap): nothing twice.
  expect(await reconciler.reconcile(CHANNEL)).toMatchObject({ drafts: 0, approvals: 0 });
}, 30_000);
