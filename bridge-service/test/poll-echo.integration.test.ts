/**
 * Issue 20, the poller's echo: every poll lists again what the bridge itself just wrote to Xero (its drafts, its
 * approvals) and the newest documents at the watermark. Those come back as summaries (summaryOnly), are judged
 * against their mirrors, and are neither read in full nor written to Salesforce again; a change made in Xero still
 * is. The real bridge against both emulators, webhooks off.
 */
import type { Connection } from 'jsforce';
import pino from 'pino';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { ScaledClock } from '../sandbox/shared/clock';
import { connect } from '../sandbox/salesforce/test-helpers';
import { billedBytes, type CallRecord } from '../sandbox/xero/call-log';
import { authorisedInvoice, SALES } from './invoice-life';
import { scaledClock } from '../src/lib/clock';
import { waitFor } from './wait-for';

/**
 * Five resources a poll: every 6 emulated seconds is 50 of Xero's 60 calls a minute per tenant. One clock at 10× for
 * the bridge and both emulators keeps the rate limit right while a poll comes every 0.6 s.
 */
const POLL_INTERVAL_MS = 6_000;
const SCALE = 10;

type Row = Record<string, unknown>;

let sandbox: Sandbox;
let sales: Connection;
let admin: Connection;

beforeAll(async () => {
  const bridgeClock = scaledClock(SCALE);
  const emulatorClock = new ScaledClock({ scale: SCALE, start: bridgeClock.now() });
  sandbox = await startSandbox({
    // No idle backoff here: the tests count polls at the interval (poller.test.ts tests the backoff).
    bridge: {
      workerIdleMs: 50,
      referenceTtlMs: 0,
      pollIntervalMs: POLL_INTERVAL_MS,
      pollIdleMaxMs: POLL_INTERVAL_MS,
      clock: bridgeClock,
    },
    salesforce: { clock: emulatorClock },
    xero: { recordBodies: true, clock: emulatorClock },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
  sales = connect(sandbox.sf, SALES);
  admin = connect(sandbox.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
});

afterAll(async () => {
  await sandbox?.close();
});

const invoiceOf = (opportunityId: string) => invoiceIn(sandbox, opportunityId, admin);

async function invoiceIn(
  box: Sandbox,
  opportunityId: string,
  conn = connect(box.sf, 'integration@ledgerline.example'),
) {
  const { records } = await conn.query<Row>(
    `SELECT Id, Status__c, Sync_Status__c, Xero_Invoice_Id__c, Xero_Tenant_Id__c, Amount_Paid__c, SystemModstamp ` +
      `FROM Invoice__c WHERE Opportunity__c = '${opportunityId}'`,
  );
  return records[0];
}

const authorised = (name: string) => authorisedInvoice(sandbox, { sales, admin }, name, invoiceOf);

const lastSeq = () => sandbox.xero.control.calls().at(-1)?.seq ?? 0;
const since = (seq: number, tenantId: string) =>
  sandbox.xero.control.calls({ sinceSeq: seq }).filter((c) => c.tenantId === tenantId);
const invoiceListings = (calls: CallRecord[]) =>
  calls.filter((c) => c.method === 'GET' && /\/Invoices$/i.test(c.path) && !/[?&]IDs=/i.test(`?${c.query}`));
const fullReads = (calls: CallRecord[]) =>
  calls.filter((c) => c.method === 'GET' && /\/Invoices$/i.test(c.path) && /[?&]IDs=/i.test(`?${c.query}`));

/** Waits until the poller has listed the tenant's invoices `n` times after `seq`, and the last listing is applied. */
async function polls(seq: number, tenantId: string, n: number): Promise<CallRecord[]> {
  await waitFor(
    `${n} polls of ${tenantId}`,
    async () => invoiceListings(since(seq, tenantId)).length >= n + 1 || undefined,
    20_000,
  );
  // n complete: the (n+1)th listing began after the nth was written back
  return since(seq, tenantId);
}

const events = () => sandbox.sf.org.store.events.length;

describe('the poller and the bridge’s own writes', () => {
  it('lists invoices as summaries, reads none in full and writes nothing for mirrors that hold them', async () => {
    const a = await authorised('Acme - Platform 2026');
    const b = await authorised('Northwind - Support Renewal');
    const tenantId = a.Xero_Tenant_Id__c as string;
    expect(b.Xero_Tenant_Id__c).toBe(tenantId);
    // Let the bridge's own writes come back through at least one poll first.
    await polls(lastSeq(), tenantId, 2);

    const before = await Promise.all([invoiceOf(a.Opportunity__c as string), invoiceOf(b.Opportunity__c as string)]);
    const eventsBefore = events();
    const seq = lastSeq();
    const calls = await polls(seq, tenantId, 3);

    const listings = invoiceListings(calls);
    expect(listings.every((c) => /summaryOnly=true/i.test(c.query))).toBe(true);
    // the listings still hold the two invoices (the newest at the watermark are listed again every poll)
    const listed = listings.flatMap((c) =>
      ((c.responseBody as { Invoices?: Row[] }).Invoices ?? []).map((i) => i.InvoiceID),
    );
    expect(listed).toEqual(expect.arrayContaining([a.Xero_Invoice_Id__c, b.Xero_Invoice_Id__c]));
    expect(fullReads(calls)).toEqual([]);
    const after = await Promise.all([invoiceOf(a.Opportunity__c as string), invoiceOf(b.Opportunity__c as string)]);
    expect(after.map((r) => r?.SystemModstamp)).toEqual(before.map((r) => r?.SystemModstamp));
    expect(events()).toBe(eventsBefore);

    // What a listing costs: the same query in full (as the poller asked before) against the summary.
    const summary = listings.at(-1)!;
    const fullSeq = lastSeq();
    const xero = sandbox.xero.control;
    const query = new URLSearchParams(summary.query);
    query.delete('summaryOnly');
    const token = xero.issueTokens().access_token;
    const res = await fetch(`${sandbox.xero.apiUrl}/Invoices?${query.toString()}`, {
      headers: {
        authorization: `Bearer ${token}`,
        'xero-tenant-id': tenantId,
        accept: 'application/json',
        'accept-encoding': 'gzip',
      },
    });
    expect(res.status).toBe(200);
    const full = sandbox.xero.control.calls({ sinceSeq: fullSeq }).find((c) => c.path === summary.path)!;
    const summaryBytes = billedBytes(summary.egress!);
    const fullBytes = billedBytes(full.egress!);
    if (process.env.MEASURE)
      process.stdout.write(`listing of 2 invoices: summary ${summaryBytes} B, full ${fullBytes} B\n`);
    expect(summaryBytes).toBeLessThan(fullBytes);
  });

  it('a change made in Xero is still read in full and written', async () => {
    const c = await authorised('Globex - Platform Expansion');
    const tenantId = c.Xero_Tenant_Id__c as string;
    await polls(lastSeq(), tenantId, 1);
    const seq = lastSeq();
    sandbox.xero.control.recordCustomerPayment({
      tenantId,
      invoiceId: c.Xero_Invoice_Id__c as string,
      amount: '100.00',
    });
    const paid = await waitFor('the polled payment in Salesforce', async () => {
      const row = await invoiceOf(c.Opportunity__c as string);
      return row?.Status__c === 'Partially Paid' ? row : undefined;
    });
    expect(paid.Amount_Paid__c).toBe(100);
    expect(fullReads(since(seq, tenantId)).length).toBeGreaterThan(0);
  });
});

describe('webhooks and the bridge’s own writes', () => {
  let hooked: Sandbox;
  beforeAll(async () => {
    // the poller set to an hour: here only webhooks read Xero
    hooked = await startSandbox({
      bridge: { workerIdleMs: 50, referenceTtlMs: 0, pollIntervalMs: 3_600_000 },
      logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
    });
  });
  afterAll(async () => {
    await hooked?.close();
  });

  it('the webhook for the bridge’s own draft is not read back', async () => {
    // Xero delivers webhooks in batches; here after 300 ms, by when the bridge has written the draft's mirror.
    hooked.xero.control.configureWebhooks({ url: `${hooked.url}/webhooks/xero`, batchDelayMs: 300 });
    try {
      const admin2 = connect(hooked.sf, 'integration@ledgerline.example');
      const { records } = await admin2.query<Row>(`SELECT Id FROM Opportunity WHERE Name = 'Initech - Onboarding'`);
      const opportunityId = records[0]!.Id as string;
      const seq = hooked.xero.control.calls().at(-1)?.seq ?? 0;
      await connect(hooked.sf, SALES).sobject('Opportunity').update({ Id: opportunityId, StageName: 'Closed Won' });
      const draft = await waitFor('the draft', async () => {
        const row = await invoiceIn(hooked, opportunityId, admin2);
        return row?.Sync_Status__c === 'Synced' ? row : undefined;
      });
      const xeroId = String(draft.Xero_Invoice_Id__c).toLowerCase();
      await hooked.xero.control.flushWebhooks();
      await waitFor('the draft’s webhook handled', async () => {
        const jobs = await hooked.store.jobs.listJobs({ action: 'XERO_CHANGE', limit: 1000 });
        const ours = jobs.filter((j) => (j.payload as { resourceId?: string }).resourceId?.toLowerCase() === xeroId);
        return (ours.length >= 1 && ours.every((j) => j.state === 'done')) || undefined;
      });
      const readBack = fullReads(hooked.xero.control.calls({ sinceSeq: seq })).filter((c) =>
        c.query.toLowerCase().includes(xeroId),
      );
      expect(readBack).toEqual([]);
    } finally {
      hooked.xero.control.configureWebhooks({ url: undefined });
    }
  });
});
