/**
 * Read-only mode loses nothing: Salesforce still publishes every request (a deal won, an invoice approved), and the
 * real bridge stores each one and holds it, writing nothing to Xero (src/sync/create-draft.ts and
 * src/sync/invoice-actions.ts put the job back to run again in 5 minutes, until read-only mode is off).
 */
import type { Connection } from 'jsforce';
import pino from 'pino';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { connect } from '../sandbox/salesforce/test-helpers';
import { waitFor } from './wait-for';

const SALES = 'sam.seller@ledgerline.example';
const FINANCE = 'fran.finance@ledgerline.example';

type Row = Record<string, unknown>;

let sandbox: Sandbox;
let sales: Connection;
let admin: Connection;

beforeAll(async () => {
  sandbox = await startSandbox({
    bridge: { workerIdleMs: 50, referenceTtlMs: 0 },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
  sales = connect(sandbox.sf, SALES);
  admin = connect(sandbox.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
});

afterAll(async () => {
  await sandbox?.close();
});

/** The job for a request key once the worker has held it back for read-only mode. */
function held(key: string) {
  return waitFor(`${key} held for read-only mode`, async () => {
    const job = await sandbox.store.jobs.getJobByKey(key);
    return job?.lastError?.startsWith('Read-only mode is on') ? job : undefined;
  });
}

it('holds the requests made in read-only mode, and sends nothing to Xero', async () => {
  sandbox.sf.control.setOrgSettings({ Read_Only_Mode__c: true });
  const { records } = await admin.query<Row>(
    "SELECT Id, AccountId FROM Opportunity WHERE CurrencyIsoCode = 'GBP' AND IsWon = false ORDER BY Name LIMIT 1",
  );
  const opportunity = records[0]!;
  await sales.sobject('Opportunity').update({ Id: opportunity.Id as string, StageName: 'Closed Won' });

  const invoice = (await admin.sobject('Invoice__c').create({
    Opportunity__c: opportunity.Id,
    Account__c: opportunity.AccountId,
    Currency_Code__c: 'GBP',
    Status__c: 'Draft',
    Xero_Invoice_Id__c: '9a7c0f7e-0000-4000-8000-000000000001',
  })) as unknown as { id: string };
  sandbox.sf.control.approvals.submit(invoice.id, { user: SALES });
  sandbox.sf.control.approvals.approve(invoice.id, { user: FINANCE });

  const requested = Date.now();
  for (const key of [`CREATE_DRAFT:${opportunity.Id as string}:1`, `AUTHORISE:${invoice.id}:1`]) {
    const job = await held(key);
    // held, not failed: back in the queue for nextRunAt, and the hold is not counted as an attempt, so a job held
    // for days is never given up
    expect(job).toMatchObject({ state: 'queued', attempts: 0 });
    expect(job.nextRunAt).toBeGreaterThan(requested + 4 * 60_000);
  }
  const drafts = await admin.query<Row>(
    `SELECT Id FROM Invoice__c WHERE Opportunity__c = '${opportunity.Id as string}' AND Xero_Invoice_Id__c != '9a7c0f7e-0000-4000-8000-000000000001'`,
  );
  expect(drafts.records).toEqual([]);
  expect(sandbox.xero.control.calls().filter((c) => c.method !== 'GET')).toEqual([]);
}, 30_000);
