/**
 * A correction (UPDATE_DRAFT) the bridge gave up, and Retry (RESYNC). One whose retries ran out (Xero down for long) is
 * sent again: the invoice stays Pending, out of approval, until it is in Xero. One Xero refused for good is not sent
 * again, and the record says so. Either way Retry does not read Xero's uncorrected draft over the rep's lines (it did:
 * the record went from Error to Synced with the old quantity, and finance could approve the old total).
 */
import type { Connection } from 'jsforce';
import pino from 'pino';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox-bridge';
import { connect } from '../../../sandbox/salesforce/test-helpers';
import { waitFor } from '../../../test/wait-for';
import { CORRECTION_NOT_SENT_AGAIN, CORRECTION_SENT_AGAIN } from '../invoice-actions/resync';

jest.setTimeout(120_000);

const SALES = 'sam.seller@ledgerline.example';
const FINANCE = 'fran.finance@ledgerline.example';
type Row = Record<string, unknown>;

let sandbox: Sandbox;
let sales: Connection;
let admin: Connection;

beforeAll(async () => {
  sandbox = await startSandbox({
    // Two attempts: a correction Xero keeps refusing for now is given up in seconds, not hours.
    bridge: { workerIdleMs: 50, referenceTtlMs: 0, workerMaxAttempts: 2 },
    logger: pino({ level: 'silent' }),
  });
  sales = connect(sandbox.sf, SALES);
  admin = connect(sandbox.sf, 'integration@ledgerline.example');
});
afterAll(async () => sandbox.close());

async function invoiceFor(opportunityId: string): Promise<Row | undefined> {
  const { records } = await admin.query<Row>(
    `SELECT Id, Status__c, Sync_Status__c, Sync_Message__c, Xero_Invoice_Id__c, Xero_Tenant_Id__c, Total__c, ` +
      `(SELECT Id, Quantity__c FROM Invoice_Lines__r) FROM Invoice__c WHERE Opportunity__c = '${opportunityId}'`,
  );
  return records[0];
}
const linesOf = (row: Row) => (row.Invoice_Lines__r as { records: Row[] }).records;
const xeroTotal = (row: Row) =>
  Number(
    (sandbox.xero.control.snapshot(String(row.Xero_Tenant_Id__c)).invoices as Row[]).find(
      (x) => x.id === row.Xero_Invoice_Id__c,
    )!.total,
  );

/** A deal won, its draft rejected by finance, and the rep's correction (first line's quantity halved) sent. */
async function correctionSent(currency: string) {
  const { records } = await admin.query<Row>(
    `SELECT Id FROM Opportunity WHERE CurrencyIsoCode = '${currency}' AND IsWon = false ORDER BY Name LIMIT 1`,
  );
  const opportunityId = String(records[0]!.Id);
  await sales.sobject('Opportunity').update({ Id: opportunityId, StageName: 'Closed Won' });
  const draft = await waitFor('the draft', async () => {
    const row = await invoiceFor(opportunityId);
    return row?.Sync_Status__c === 'Synced' && linesOf(row).length > 0 ? row : undefined;
  });
  const id = String(draft.Id);
  const line = linesOf(draft)[0]!;
  const correctedQty = Number(line.Quantity__c) / 2;
  sandbox.sf.control.approvals.submit(id, { user: SALES });
  sandbox.sf.control.approvals.reject(id, { user: FINANCE, comment: 'Quantity is wrong' });
  await admin.sobject('Invoice_Line__c').update({ Id: String(line.Id), Quantity__c: correctedQty });
  return { opportunityId, id, lineId: String(line.Id), correctedQty, originalTotal: Number(draft.Total__c) };
}

async function deadJob(key: string) {
  return waitFor(
    'the correction given up',
    async () => {
      const job = await sandbox.store.jobs.getJobByKey(key);
      return job?.state === 'dead' ? job : undefined;
    },
    60_000,
  );
}

async function retried(id: string) {
  const retry = sandbox.sf.control.invoiceActions.resync(id, SALES);
  await waitFor('the Retry run', async () => {
    const job = await sandbox.store.jobs.getJobByKey(String(retry.requestKey));
    return job?.state === 'done' ? job : undefined;
  });
}

afterEach(() => sandbox.xero.control.clearFaults());

it('Retry sends again a correction given up while Xero was down: Pending meanwhile, then the corrected total in Xero', async () => {
  const c = await correctionSent('USD');
  const invoice = (await invoiceFor(c.opportunityId))!;
  // Xero refuses this draft's update for now, for longer than the bridge retries (reads still answer).
  sandbox.xero.control.addFault({
    kind: 'status',
    status: 503,
    share: 1,
    method: 'POST',
    path: String(invoice.Xero_Invoice_Id__c),
  });
  const correction = sandbox.sf.control.invoiceActions.updateDraft(c.id, SALES);
  const given = await deadJob(String(correction.requestKey));
  await waitFor('the give-up on the record', async () =>
    (await invoiceFor(c.opportunityId))?.Sync_Status__c === 'Error' ? true : undefined,
  );

  // Retry with Xero still down: the correction is queued again (its attempts start over), the rep's line survives.
  await retried(c.id);
  const meanwhile = (await invoiceFor(c.opportunityId))!;
  expect(meanwhile).toMatchObject({ Sync_Status__c: 'Pending', Sync_Message__c: CORRECTION_SENT_AGAIN });
  expect(Number(linesOf(meanwhile).find((l) => l.Id === c.lineId)?.Quantity__c)).toBe(c.correctedQty);
  expect(() => sandbox.sf.control.approvals.submit(c.id, { user: SALES })).toThrow(
    'No applicable approval process was found.',
  );
  await waitFor('the correction tried again', async () => {
    const job = await sandbox.store.jobs.getJob(given.id);
    return job && job.state !== 'dead' && job.attempts >= 1 ? job : undefined;
  });

  // Xero answers again: the correction goes through at its next attempt.
  sandbox.xero.control.clearFaults();
  const corrected = await waitFor(
    'the correction in Xero',
    async () => {
      const row = await invoiceFor(c.opportunityId);
      return row?.Sync_Status__c === 'Synced' ? row : undefined;
    },
    60_000,
  );
  expect(String(corrected.Sync_Message__c)).toMatch(/^Corrected in Xero/);
  expect(Number(corrected.Total__c)).toBeLessThan(c.originalTotal);
  expect(xeroTotal(corrected)).toBe(Number(corrected.Total__c));
  expect(Number(linesOf(corrected).find((l) => l.Id === c.lineId)?.Quantity__c)).toBe(c.correctedQty);
});

it('Retry does not send again a correction Xero refused for good: it says so, and the corrected lines stay', async () => {
  const c = await correctionSent('GBP');
  const invoice = (await invoiceFor(c.opportunityId))!;
  sandbox.xero.control.addFault({
    kind: 'status',
    status: 400,
    count: 1,
    method: 'POST',
    path: String(invoice.Xero_Invoice_Id__c),
  });
  const correction = sandbox.sf.control.invoiceActions.updateDraft(c.id, SALES);
  const given = await deadJob(String(correction.requestKey));
  expect(given.attempts).toBe(1);

  await retried(c.id);
  const after = (await invoiceFor(c.opportunityId))!;
  expect(after).toMatchObject({
    Sync_Status__c: 'Error',
    Sync_Message__c: `${given.lastError}${CORRECTION_NOT_SENT_AGAIN}`,
  });
  expect(Number(linesOf(after).find((l) => l.Id === c.lineId)?.Quantity__c)).toBe(c.correctedQty);
  expect((await sandbox.store.jobs.getJob(given.id))?.state).toBe('dead');
  expect(xeroTotal(after)).toBe(c.originalTotal);
});
