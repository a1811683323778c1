/**
 * A partial invoice whose create call Xero never answered (the connection dropped after Xero made the draft, then
 * 503s) and whose request then gave up leaves nothing recorded of a draft: Xero may hold it or not. The deal's closing
 * request is refused in words until Retry on the partial settles it (it finds the draft by its link, or makes it); it
 * would otherwise bill the whole 12,000.00 again beside the 4,500.00 deposit. One Xero refused (a 400) holds nothing
 * up. Both emulators and the real bridge, in this process, giving a job up at its first retryable failure.
 */
import pino from 'pino';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox-bridge';
import { connect } from '../../../sandbox/salesforce/test-helpers';
import { ScaledClock } from '../../../sandbox/shared/clock';
import { waitFor } from '../../../test/wait-for';
import { wonSignatureDeal } from './__fixtures__/signature-deal';

const SALES = 'sam.seller@ledgerline.example';
const FINANCE = 'fran.finance@ledgerline.example';
const ADMIN = 'ada.admin@ledgerline.example';
const UK = '11111111-1111-4111-8111-111111111111';

type Row = Record<string, unknown>;

let sandbox: Sandbox;
const clock = new ScaledClock({ start: Date.parse('2026-01-10T09:00:00Z'), scale: 1 });
/** an administrator reads the org's state (the bridge's user cannot see Opportunity.Pricebook2Id, as in an org) */
const admin = () => connect(sandbox.sf, ADMIN);
const sales = () => connect(sandbox.sf, SALES);

beforeAll(async () => {
  sandbox = await startSandbox({
    clock,
    bridge: { workerIdleMs: 50, workerMaxAttempts: 1, referenceTtlMs: 0, pollIntervalMs: 60_000 },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
}, 60_000);

afterAll(() => sandbox?.close());

/** A 12,000.00 deal billed on signature, won with no draft asked for at close. */
const wonDeal = (name: string) => wonSignatureDeal(sandbox, name);

function dealView(dealId: string) {
  const inXero = () =>
    (sandbox.xero.control.snapshot(UK).invoices as Row[])
      .filter((i) => String(i.url ?? '').includes(dealId))
      .map((i) => String(i.subTotal))
      .sort();
  const invoices = async () =>
    (
      await admin().query<Row>(
        'SELECT Id, Request_Key__c, Xero_Invoice_Id__c, Sub_Total__c, Sync_Status__c, Sync_Message__c, ' +
          `(SELECT Id FROM Invoice_Lines__r) FROM Invoice__c WHERE Opportunity__c = '${dealId}'`,
      )
    ).records;
  const closingKey = `CREATE_DRAFT:${dealId}:1`;
  /** The deposit's request, once it has given up (its record says Error). */
  const givenUpDeposit = () =>
    waitFor('the deposit given up', async () => {
      const row = (await invoices()).find((r) => String(r.Request_Key__c).startsWith('CREATE_PARTIAL:'));
      return row?.Sync_Status__c === 'Error' ? row : undefined;
    });
  /** Finance asks for the closing draft by hand (the deal won again with drafts on close); settled either way. */
  const askClosing = async () => {
    await sales().sobject('Opportunity').update({ Id: dealId, StageName: 'Negotiation/Review' });
    await sales().sobject('Opportunity').update({ Id: dealId, StageName: 'Closed Won' });
    return closingSettled();
  };
  const closingSettled = () =>
    waitFor('the closing request settled', async () => {
      const row = (await invoices()).find((r) => r.Request_Key__c === closingKey);
      return (row?.Xero_Invoice_Id__c && (row.Invoice_Lines__r as { records?: Row[] } | null)?.records?.length) ||
        row?.Sync_Status__c === 'Error'
        ? row
        : undefined;
    });
  return { inXero, invoices, givenUpDeposit, askClosing, closingSettled };
}

it('refuses the closing request while a deposit Xero never answered may be in Xero; Retry finds it (none made again), then 7,500.00 is drafted', async () => {
  const dealId = await wonDeal('Acme - Deposit unanswered 2026');
  const deal = dealView(dealId);

  // Xero makes the deposit's draft but the connection drops before its answer, and the client's own retries of the
  // call meet 503s: the request ends with no answer and gives up.
  sandbox.xero.control.addFault({ kind: 'drop-after-commit', method: 'PUT', path: '/Invoices', count: 1 });
  sandbox.xero.control.addFault({ kind: 'status', status: 503, method: 'PUT', path: '/Invoices', count: 4 });
  sandbox.sf.control.goLive.partialInvoice.raise(SALES, dealId, 'AMOUNT', 4500, 'Deposit');
  const deposit = await deal.givenUpDeposit();
  const depositKey = String(deposit.Request_Key__c);
  // The record says Error as the job is given up; the store marks it dead a moment after.
  await waitFor(
    'the deposit job dead',
    async () => (await sandbox.store.jobs.getJobByKey(depositKey))?.state === 'dead',
  );
  expect(await sandbox.store.xeroResults.findXeroResult(depositKey, UK, 'invoice')).toBeNull(); // nothing recorded
  expect(deposit.Xero_Invoice_Id__c).toBeNull();
  expect(deal.inXero()).toEqual(['4500.00']); // Xero holds it all the same
  sandbox.xero.control.clearFaults();

  // The closing request is refused in words, and drafts nothing (before: 12,000.00 beside the 4,500.00).
  const refused = await deal.askClosing();
  expect(deal.inXero()).toEqual(['4500.00']);
  expect(refused).toMatchObject({ Xero_Invoice_Id__c: null, Sync_Status__c: 'Error' });
  expect(refused.Sync_Message__c).toMatch(/may be in Xero/);
  expect(refused.Sync_Message__c).toMatch(/Press Retry on that partial invoice/);

  // Retry on the deposit: it finds its draft in Xero by its link and mirrors it; no second create call goes out.
  const putsBefore = sandbox.xero.control.calls({ path: '/Invoices' }).filter((c) => c.method === 'PUT').length;
  sandbox.sf.control.invoiceActions.requestResync(String(deposit.Id), FINANCE);
  await waitFor(
    'the deposit request done',
    async () => (await sandbox.store.jobs.getJobByKey(depositKey))?.state === 'done',
  );
  const mirrored = (await deal.invoices()).find((r) => r.Id === deposit.Id)!;
  expect(mirrored).toMatchObject({
    Sub_Total__c: 4500,
    Sync_Status__c: 'Synced',
    Xero_Invoice_Id__c: expect.any(String),
  });
  expect(sandbox.xero.control.calls({ path: '/Invoices' }).filter((c) => c.method === 'PUT')).toHaveLength(putsBefore);
  expect(deal.inXero()).toEqual(['4500.00']);

  // Retry on the closing request: it drafts what the deposit left.
  sandbox.sf.control.invoiceActions.requestResync(String(refused.Id), FINANCE);
  const closing = await waitFor('the closing draft', async () => {
    const row = (await deal.invoices()).find((r) => r.Id === refused.Id);
    return row?.Xero_Invoice_Id__c && (row.Invoice_Lines__r as { records?: Row[] } | null)?.records?.length
      ? row
      : undefined;
  });
  expect(closing.Sub_Total__c).toBe(7500);
  expect(deal.inXero()).toEqual(['4500.00', '7500.00']);
}, 90_000);

it('holds nothing up for a deposit Xero refused (a 400): the closing request drafts the whole 12,000.00', async () => {
  const dealId = await wonDeal('Acme - Deposit refused by Xero 2026');
  const deal = dealView(dealId);
  sandbox.xero.control.addFault({ kind: 'status', status: 400, method: 'PUT', path: '/Invoices', count: 1 });
  sandbox.sf.control.goLive.partialInvoice.raise(SALES, dealId, 'AMOUNT', 4500, 'Deposit');
  const deposit = await deal.givenUpDeposit();
  const depositKey = String(deposit.Request_Key__c);
  await waitFor(
    'the deposit job dead',
    async () => (await sandbox.store.jobs.getJobByKey(depositKey))?.state === 'dead',
  );
  expect(deal.inXero()).toEqual([]);
  sandbox.xero.control.clearFaults();

  const closing = await deal.askClosing();
  expect(closing).toMatchObject({ Sub_Total__c: 12000, Xero_Invoice_Id__c: expect.any(String) });
  expect(deal.inXero()).toEqual(['12000.00']);
}, 60_000);
