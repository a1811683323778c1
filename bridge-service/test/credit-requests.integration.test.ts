/**
 * Credits asked in Salesforce, against the real bridge and both emulators: what a credit asked earlier holds against
 * the invoice, and asking again after a credit the bridge refused (whose request key is the same, since no credit
 * note was made: CREDIT:<invoice>:<credit notes + 1>).
 */
import type { Connection } from 'jsforce';
import pino from 'pino';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { connect } from '../sandbox/salesforce/test-helpers';
import { authorisedInvoice as closeAndAuthorise, FINANCE, SALES } from './invoice-life';
import { waitFor } from './wait-for';

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

async function invoiceOf(opportunityId: string): Promise<Row | undefined> {
  const { records } = await admin.query<Row>(
    `SELECT Id, Status__c, Sync_Status__c, Xero_Invoice_Id__c, Total__c FROM Invoice__c WHERE Opportunity__c = '${opportunityId}'`,
  );
  return records[0];
}

const creditNotesOf = async (invoiceId: string): Promise<Row[]> =>
  (
    await admin.query<Row>(
      `SELECT Id, Total__c, Request_Key__c FROM Credit_Note__c WHERE Invoice__c = '${invoiceId}' ORDER BY Request_Key__c`,
    )
  ).records;

/** The stored job of a request, once it stopped or finished. */
const settled = (key: string) =>
  waitFor(`the job ${key}`, async () => {
    const job = await sandbox.store.jobs.getJobByKey(key);
    return job && (job.state === 'done' || job.state === 'dead') ? job : undefined;
  });

/** Waits for the Salesforce emulator's clock to pass into the next whole second. */
async function nextSecond(): Promise<void> {
  const second = Math.floor(sandbox.sf.org.clock.now() / 1000);
  await waitFor('the next second', async () => Math.floor(sandbox.sf.org.clock.now() / 1000) > second || undefined);
}

describe('credits asked on an invoice', () => {
  it('a credit asked again after the bridge refused one (same key) is made; one more than is left after the credit notes awaiting approval is refused', async () => {
    const invoice = await closeAndAuthorise(sandbox, { sales, admin }, 'Acme - Platform 2026', invoiceOf);
    const invoiceId = invoice.Id as string;
    const total = Number(invoice.Total__c);

    // Lines worth twice the invoice: Salesforce checks an amount, not lines, so the bridge refuses it. No credit
    // note is made, so the next credit asked on the invoice has the same key.
    const refused = sandbox.sf.control.invoiceActions.credit(invoiceId, FINANCE, {
      lines: [{ description: 'Everything, twice', quantity: 2, unitAmount: total }],
    });
    expect(refused).toMatchObject({ isSuccess: true, requestKey: `CREDIT:${invoiceId}:1` });
    expect(await settled(`CREDIT:${invoiceId}:1`)).toMatchObject({
      state: 'dead',
      lastError: expect.stringContaining('has left to credit'),
    });

    // Asked again, for 60 % of the invoice: the same key, a new ask, made as a credit note awaiting approval. (A new
    // ask is told from a replay by its event's CreatedDate, to the second: the rep asks in a later second.)
    await nextSecond();
    const sixty = Number((total * 0.6).toFixed(2));
    expect(sandbox.sf.control.invoiceActions.credit(invoiceId, FINANCE, { amount: sixty })).toMatchObject({
      isSuccess: true,
      requestKey: `CREDIT:${invoiceId}:1`,
    });
    const [asked] = await waitFor('the credit note of the second ask', async () => {
      const notes = await creditNotesOf(invoiceId);
      return notes.length > 0 ? notes : undefined;
    });
    expect(asked).toMatchObject({ Total__c: sixty, Request_Key__c: `CREDIT:${invoiceId}:1` });

    // Another 60 %: within the invoice as Xero has it (nothing credited there yet), but not after the 60 % waiting
    // for approval. Refused, with both figures.
    expect(sandbox.sf.control.invoiceActions.credit(invoiceId, FINANCE, { amount: sixty })).toMatchObject({
      isSuccess: true,
      requestKey: `CREDIT:${invoiceId}:2`,
    });
    const over = await settled(`CREDIT:${invoiceId}:2`);
    expect(over).toMatchObject({ state: 'dead' });
    expect(over.lastError).toContain(`after ${sixty.toFixed(2)} in credit notes not yet in Xero`);
    expect(await creditNotesOf(invoiceId)).toHaveLength(1);
  });
});
