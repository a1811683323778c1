/**
 * A correction (UPDATE_DRAFT) and the approval: the rep corrects a draft finance rejected and sends it; until the
 * bridge has updated the Xero draft the invoice is Sync Status Pending, and the approval process (its entry criteria,
 * read from the shipped metadata) takes no Pending invoice. So finance never approves, and Xero never authorises, the
 * rejected figures with the rep's correction still on its way (review-12 F1: Xero authorised the rejected total, the
 * write-back put the old quantity over the rep's correction and erased the refusal message).
 */
import type { Connection } from 'jsforce';
import pino from 'pino';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox-bridge';
import { connect } from '../../../sandbox/salesforce/test-helpers';
import { waitFor } from '../../../test/wait-for';

jest.setTimeout(120_000);

const SALES = 'sam.seller@ledgerline.example';
const FINANCE = 'fran.finance@ledgerline.example';
type Row = Record<string, unknown>;

let sandbox: Sandbox;
let sales: Connection;
let admin: Connection;

beforeAll(async () => {
  sandbox = await startSandbox({
    bridge: { workerIdleMs: 50, referenceTtlMs: 0 },
    logger: pino({ level: 'silent' }),
  });
  sales = connect(sandbox.sf, SALES);
  admin = connect(sandbox.sf, 'integration@ledgerline.example');
});
afterAll(async () => sandbox.close());

/** A deal won (GBP unless said), and its draft as the bridge wrote it. */
async function wonDraft(index: number, currency = 'GBP'): Promise<{ opportunityId: string; draft: Row }> {
  const { records } = await admin.query<Row>(
    `SELECT Id, Name FROM Opportunity WHERE CurrencyIsoCode = '${currency}' AND IsWon = false ORDER BY Name LIMIT 1 OFFSET ${index}`,
  );
  const opportunityId = String(records[0]!.Id);
  await sales.sobject('Opportunity').update({ Id: opportunityId, StageName: 'Closed Won' });
  const draft = await waitFor('the draft', async () => {
    const row = await invoiceFor(opportunityId);
    return row?.Sync_Status__c === 'Synced' && linesOf(row).length > 0 ? row : undefined;
  });
  return { opportunityId, draft };
}

const xeroInvoice = (row: Row) =>
  (sandbox.xero.control.snapshot(String(row.Xero_Tenant_Id__c)).invoices as Row[]).find(
    (x) => x.id === row.Xero_Invoice_Id__c,
  )!;

async function invoiceFor(opportunityId: string): Promise<Row | undefined> {
  const { records } = await admin.query<Row>(
    `SELECT Id, Status__c, Approval_Status__c, Sync_Status__c, Sync_Message__c, Xero_Invoice_Id__c, Xero_Tenant_Id__c, ` +
      `Total__c, Xero_Updated__c, (SELECT Id, Quantity__c FROM Invoice_Lines__r) FROM Invoice__c WHERE Opportunity__c = '${opportunityId}'`,
  );
  return records[0];
}
const linesOf = (row: Row) => (row.Invoice_Lines__r as { records: Row[] }).records;

it('a corrected draft cannot be submitted until its correction is in Xero; then Xero authorises the correction', async () => {
  const { records } = await admin.query<Row>(
    `SELECT Id, Name FROM Opportunity WHERE CurrencyIsoCode = 'GBP' AND IsWon = false ORDER BY Name LIMIT 1`,
  );
  const opp = records[0]!;
  await sales.sobject('Opportunity').update({ Id: String(opp.Id), StageName: 'Closed Won' });
  const draft = await waitFor('the draft', async () => {
    const row = await invoiceFor(String(opp.Id));
    return row?.Sync_Status__c === 'Synced' && linesOf(row).length > 0 ? row : undefined;
  });
  const id = String(draft.Id);
  const line = linesOf(draft)[0]!;
  const originalQty = Number(line.Quantity__c);
  const originalTotal = Number(draft.Total__c);

  // Finance rejects; the rep halves the first line's quantity and sends the correction ...
  sandbox.sf.control.approvals.submit(id, { user: SALES });
  sandbox.sf.control.approvals.reject(id, { user: FINANCE, comment: 'Quantity is wrong' });
  await admin.sobject('Invoice_Line__c').update({ Id: String(line.Id), Quantity__c: originalQty / 2 });
  expect(sandbox.sf.control.invoiceActions.updateDraft(id, SALES).isSuccess).toBe(true);
  // ... and tries to submit it again straight away: refused while the correction is on its way.
  expect(() => sandbox.sf.control.approvals.submit(id, { user: SALES })).toThrow(
    'No applicable approval process was found.',
  );

  const corrected = await waitFor('the correction in Xero', async () => {
    const row = await invoiceFor(String(opp.Id));
    return row?.Sync_Status__c === 'Synced' && String(row.Sync_Message__c ?? '').startsWith('Corrected in Xero')
      ? row
      : undefined;
  });
  const correctedTotal = Number(corrected.Total__c);
  expect(correctedTotal).toBeLessThan(originalTotal);

  // Now it goes to finance with the corrected total, and that is what Xero authorises.
  sandbox.sf.control.approvals.submit(id, { user: SALES });
  sandbox.sf.control.approvals.approve(id, { user: FINANCE, comment: 'ok now' });
  const authorised = await waitFor('authorised', async () => {
    const row = await invoiceFor(String(opp.Id));
    return row?.Status__c === 'Authorised' ? row : undefined;
  });
  const inXero = (sandbox.xero.control.snapshot(String(authorised.Xero_Tenant_Id__c)).invoices as Row[]).find(
    (x) => x.id === authorised.Xero_Invoice_Id__c,
  )!;
  expect([inXero.status, Number(inXero.total)]).toEqual(['AUTHORISED', correctedTotal]);
  expect(Number(linesOf(authorised).find((l) => l.Id === line.Id)?.Quantity__c)).toBe(originalQty / 2);
  expect(authorised).toMatchObject({ Sync_Status__c: 'Synced', Approval_Status__c: 'Approved' });
});

it('an approved invoice that changed before the bridge authorised it goes back to Draft, and is approved again', async () => {
  const { opportunityId, draft } = await wonDraft(0);
  const id = String(draft.Id);
  const approvedTotal = Number(draft.Total__c);
  // Finance approves while the bridge is down, and the invoice changes before it is back (what the poller writes when
  // someone edits the draft in Xero: a new total and a newer Xero version).
  await sandbox.stopBridge();
  sandbox.sf.control.approvals.submit(id, { user: SALES });
  sandbox.sf.control.approvals.approve(id, { user: FINANCE });
  const later = new Date(Date.parse(String(draft.Xero_Updated__c)) + 60_000).toISOString();
  await admin.sobject('Invoice__c').update({ Id: id, Total__c: approvedTotal + 10, Xero_Updated__c: later });
  await sandbox.startBridge();

  const sentBack = await waitFor('sent back', async () => {
    const row = await invoiceFor(opportunityId);
    return row?.Sync_Status__c === 'Error' ? row : undefined;
  });
  expect(sentBack).toMatchObject({ Status__c: 'Draft', Approval_Status__c: 'Not Submitted' });
  expect(String(sentBack.Sync_Message__c)).toMatch(
    /^Not authorised in Xero: .* changed since finance approved it \(total approved .*\)\. Check it and submit it again for approval\.$/,
  );
  expect(xeroInvoice(sentBack).status).toBe('DRAFT');

  // Not Submitted again: the rep may correct it (here Xero's draft is read back as it is) and submit it again.
  expect(sandbox.sf.control.invoiceActions.updateDraft(id, SALES).isSuccess).toBe(true);
  const synced = await waitFor('the draft read back', async () => {
    const row = await invoiceFor(opportunityId);
    return row?.Sync_Status__c === 'Synced' ? row : undefined;
  });
  expect(Number(synced.Total__c)).toBe(approvedTotal);
  await new Promise((resolve) => setTimeout(resolve, 1100)); // a new ask is told from a replay to the second
  sandbox.sf.control.approvals.submit(id, { user: SALES });
  sandbox.sf.control.approvals.approve(id, { user: FINANCE });
  const authorised = await waitFor('authorised', async () => {
    const row = await invoiceFor(opportunityId);
    return row?.Status__c === 'Authorised' ? row : undefined;
  });
  expect(authorised).toMatchObject({ Sync_Status__c: 'Synced', Approval_Status__c: 'Approved' });
  expect([xeroInvoice(authorised).status, Number(xeroInvoice(authorised).total)]).toEqual([
    'AUTHORISED',
    approvedTotal,
  ]);
});

it('Retry while a correction waits on Xero keeps the invoice Pending; the correction then goes through', async () => {
  const { opportunityId, draft } = await wonDraft(0, 'USD');
  const id = String(draft.Id);
  const line = linesOf(draft)[0]!;
  const originalQty = Number(line.Quantity__c);
  const originalTotal = Number(draft.Total__c);
  sandbox.sf.control.approvals.submit(id, { user: SALES });
  sandbox.sf.control.approvals.reject(id, { user: FINANCE, comment: 'Quantity is wrong' });
  await admin.sobject('Invoice_Line__c').update({ Id: String(line.Id), Quantity__c: originalQty / 2 });

  // Xero refuses this draft's update for now (reads still answer): the correction waits to be retried.
  sandbox.xero.control.addFault({
    kind: 'status',
    status: 503,
    share: 1,
    method: 'POST',
    path: String(draft.Xero_Invoice_Id__c),
  });
  const correction = sandbox.sf.control.invoiceActions.updateDraft(id, SALES);
  expect(correction.isSuccess).toBe(true);
  const waiting = await waitFor(
    'the correction refused by Xero and waiting',
    async () => {
      const job = await sandbox.store.jobs.getJobByKey(String(correction.requestKey));
      return job?.state === 'failed' ? job : undefined;
    },
    60_000,
  );

  // Someone presses Retry: it must not read the uncorrected draft back as Synced (nor over the rep's lines).
  const retry = sandbox.sf.control.invoiceActions.resync(id, SALES);
  await waitFor('the Retry run', async () => {
    const job = await sandbox.store.jobs.getJobByKey(String(retry.requestKey));
    return job?.state === 'done' ? job : undefined;
  });
  const meanwhile = (await invoiceFor(opportunityId))!;
  expect(meanwhile).toMatchObject({ Sync_Status__c: 'Pending', Total__c: originalTotal });
  expect(Number(linesOf(meanwhile).find((l) => l.Id === line.Id)?.Quantity__c)).toBe(originalQty / 2);
  expect(() => sandbox.sf.control.approvals.submit(id, { user: SALES })).toThrow(
    'No applicable approval process was found.',
  );

  // Xero answers again; the correction runs (now rather than at its backoff) and ends Pending with the corrected total.
  sandbox.xero.control.clearFaults();
  await sandbox.store.jobs.retryJob(waiting.id);
  const corrected = await waitFor(
    'the correction in Xero',
    async () => {
      const row = await invoiceFor(opportunityId);
      return row?.Sync_Status__c === 'Synced' ? row : undefined;
    },
    60_000,
  );
  expect(String(corrected.Sync_Message__c)).toMatch(/^Corrected in Xero/);
  expect(Number(corrected.Total__c)).toBeLessThan(originalTotal);
  expect(Number(xeroInvoice(corrected).total)).toBe(Number(corrected.Total__c));
  sandbox.sf.control.approvals.submit(id, { user: SALES });
  sandbox.sf.control.approvals.approve(id, { user: FINANCE });
  const authorised = await waitFor('authorised', async () => {
    const row = await invoiceFor(opportunityId);
    return row?.Status__c === 'Authorised' ? row : undefined;
  });
  expect([xeroInvoice(authorised).status, Number(xeroInvoice(authorised).total)]).toEqual([
    'AUTHORISED',
    Number(corrected.Total__c),
  ]);
});
