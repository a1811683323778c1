/**
 * A partial invoice whose draft reached Xero but whose mirror in Salesforce never did (its request given up) holds
 * the deal's closing request back in words: it would read the deal without the partial and bill it again (12,000.00
 * drafted on top of a 4,500.00 deposit: 16,500.00 in Xero). Retry on the partial mirrors its draft; Retry on the
 * closing request then drafts the 7,500.00 left. Both emulators and the real bridge, in this process.
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
    bridge: { workerIdleMs: 50, referenceTtlMs: 0, pollIntervalMs: 60_000 },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
}, 60_000);

afterAll(() => sandbox?.close());

/** A 12,000.00 deal billed on signature, won with no draft asked for at close. */
const wonDeal = (name = 'Acme - Deposit given up 2026') => wonSignatureDeal(sandbox, name);

it('refuses the closing request while the deposit is in Xero only, and drafts the 7,500.00 left once Retry mirrors it', async () => {
  const dealId = await wonDeal();
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
  const jobOf = (key: string) => sandbox.store.jobs.getJobByKey(key);

  // The deposit reaches Xero; Salesforce refuses its mirror for good (a field the integration user no longer sees: a
  // 503 would be retried), and the request gives up: its record says Error.
  sandbox.sf.control.serverErrors({
    count: 1,
    status: 400,
    errorCode: 'INVALID_FIELD',
    message: "No such column 'Sub_Total__c' on sobject of type Invoice__c",
    pathIncludes: 'Invoice__c/',
  });
  sandbox.sf.control.goLive.partialInvoice.raise(SALES, dealId, 'AMOUNT', 4500, 'Deposit');
  const deposit = await waitFor('the deposit given up with its draft in Xero', async () => {
    const row = (await invoices()).find((r) => String(r.Request_Key__c).startsWith('CREATE_PARTIAL:'));
    return row?.Sync_Status__c === 'Error' ? row : undefined;
  });
  expect((await jobOf(String(deposit.Request_Key__c)))?.state).toBe('dead');
  expect(deposit).toMatchObject({ Xero_Invoice_Id__c: null });
  expect(deposit.Sync_Message__c).toMatch(/is in Xero but not yet in Salesforce/);
  expect(inXero()).toEqual(['4500.00']);

  // Finance asks for the closing draft by hand (the deal won again with drafts on close): it is refused in words.
  await sales().sobject('Opportunity').update({ Id: dealId, StageName: 'Negotiation/Review' });
  await sales().sobject('Opportunity').update({ Id: dealId, StageName: 'Closed Won' });
  const closingKey = `CREATE_DRAFT:${dealId}:1`;
  const refused = await waitFor('the closing request settled', async () => {
    const row = (await invoices()).find((r) => r.Request_Key__c === closingKey);
    return row?.Xero_Invoice_Id__c || row?.Sync_Status__c === 'Error' ? row : undefined;
  });
  expect(inXero()).toEqual(['4500.00']); // not 4,500.00 and 12,000.00
  expect(refused).toMatchObject({ Xero_Invoice_Id__c: null, Sync_Status__c: 'Error' });
  expect(refused.Sync_Message__c).toMatch(/Press Retry on that partial invoice so the bridge mirrors its draft/);

  // Retry on the deposit: its draft is mirrored, none made again.
  sandbox.sf.control.invoiceActions.requestResync(String(deposit.Id), FINANCE);
  await waitFor('the deposit mirrored with its lines', async () => {
    const row = (await invoices()).find((r) => r.Id === deposit.Id);
    return row?.Xero_Invoice_Id__c && (row.Invoice_Lines__r as { records?: Row[] } | null)?.records?.length
      ? row
      : undefined;
  });
  // Retry on the closing request: it drafts what the deposit left.
  sandbox.sf.control.invoiceActions.requestResync(String(refused.Id), FINANCE);
  const closing = await waitFor('the closing draft', async () => {
    const row = (await invoices()).find((r) => r.Request_Key__c === closingKey);
    return row?.Xero_Invoice_Id__c && (row.Invoice_Lines__r as { records?: Row[] } | null)?.records?.length
      ? row
      : undefined;
  });
  expect(closing.Sub_Total__c).toBe(7500);
  expect(inXero()).toEqual(['4500.00', '7500.00']);
}, 90_000);

it('retries the deposit whose mirror met a 503 (Salesforce unavailable): mirrored on the next attempt, one draft', async () => {
  const dealId = await wonDeal('Acme - Deposit retried 2026');
  sandbox.sf.control.serverErrors({ count: 1, status: 503, pathIncludes: 'Invoice__c/' });
  sandbox.sf.control.goLive.partialInvoice.raise(SALES, dealId, 'AMOUNT', 4500, 'Deposit');
  const key = await waitFor('the deposit requested', async () => {
    const [row] = (await admin().query<Row>(`SELECT Request_Key__c FROM Invoice__c WHERE Opportunity__c = '${dealId}'`))
      .records;
    return row?.Request_Key__c ? String(row.Request_Key__c) : undefined;
  });
  const job = await waitFor('the deposit done', async () => {
    const found = await sandbox.store.jobs.getJobByKey(key);
    return found?.state === 'done' || found?.state === 'dead' ? found : undefined;
  });
  expect(job).toMatchObject({ state: 'done', attempts: 2 });
  const [deposit] = (
    await admin().query<Row>(
      `SELECT Xero_Invoice_Id__c, Sync_Status__c FROM Invoice__c WHERE Request_Key__c = '${key}'`,
    )
  ).records;
  expect(deposit).toMatchObject({ Xero_Invoice_Id__c: expect.any(String), Sync_Status__c: 'Synced' });
  const drafts = (sandbox.xero.control.snapshot(UK).invoices as Row[]).filter((i) =>
    String(i.url ?? '').includes(dealId),
  );
  expect(drafts.map((i) => String(i.subTotal))).toEqual(['4500.00']);
}, 60_000);

it('re-runs the deposit given up after its Invoice__c got its Xero id when Retry is pressed: done, one draft, and the closing request drafts 7,500.00', async () => {
  const dealId = await wonDeal('Acme - Deposit lines refused 2026');
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
  const jobOf = (key: string) => sandbox.store.jobs.getJobByKey(key);

  // The deposit's Invoice__c is written with its Xero id; its lines are refused for good, and the request gives up.
  sandbox.sf.control.serverErrors({
    count: 1,
    status: 400,
    errorCode: 'INVALID_FIELD',
    message: "No such column 'Line_Amount__c' on sobject of type Invoice_Line__c",
    pathIncludes: 'Invoice_Line__c',
  });
  sandbox.sf.control.goLive.partialInvoice.raise(SALES, dealId, 'AMOUNT', 4500, 'Deposit');
  const deposit = await waitFor('the deposit given up with its Xero id', async () => {
    const row = (await invoices()).find((r) => String(r.Request_Key__c).startsWith('CREATE_PARTIAL:'));
    return row?.Sync_Status__c === 'Error' ? row : undefined;
  });
  const depositKey = String(deposit.Request_Key__c);
  expect((await jobOf(depositKey))?.state).toBe('dead');
  expect(deposit.Xero_Invoice_Id__c).toEqual(expect.any(String));

  // The closing request is refused while the deposit's request is given up.
  await sales().sobject('Opportunity').update({ Id: dealId, StageName: 'Negotiation/Review' });
  await sales().sobject('Opportunity').update({ Id: dealId, StageName: 'Closed Won' });
  const closingKey = `CREATE_DRAFT:${dealId}:1`;
  const refused = await waitFor('the closing request settled', async () => {
    const row = (await invoices()).find((r) => r.Request_Key__c === closingKey);
    return row?.Xero_Invoice_Id__c || row?.Sync_Status__c === 'Error' ? row : undefined;
  });
  expect(refused).toMatchObject({ Xero_Invoice_Id__c: null, Sync_Status__c: 'Error' });

  // Retry on the deposit runs its request again: it finds its draft, mirrors it, and is done. No second draft.
  sandbox.sf.control.invoiceActions.requestResync(String(deposit.Id), FINANCE);
  // (Dead until RESYNC runs, so waited for as done: before the fix it stayed dead and this timed out.)
  await waitFor('the deposit request done', async () => (await jobOf(depositKey))?.state === 'done');
  const mirrored = (await invoices()).find((r) => r.Id === deposit.Id)!;
  expect(mirrored).toMatchObject({
    Xero_Invoice_Id__c: deposit.Xero_Invoice_Id__c,
    Sub_Total__c: 4500,
    Sync_Status__c: 'Synced',
  });
  expect((mirrored.Invoice_Lines__r as { records?: Row[] } | null)?.records?.length).toBeGreaterThan(0);
  expect(inXero()).toEqual(['4500.00']);

  // Retry on the closing request: it drafts what the deposit left.
  sandbox.sf.control.invoiceActions.requestResync(String(refused.Id), FINANCE);
  const closing = await waitFor('the closing draft', async () => {
    const row = (await invoices()).find((r) => r.Request_Key__c === closingKey);
    return row?.Xero_Invoice_Id__c && (row.Invoice_Lines__r as { records?: Row[] } | null)?.records?.length
      ? row
      : undefined;
  });
  expect(closing.Sub_Total__c).toBe(7500);
  expect(inXero()).toEqual(['4500.00', '7500.00']);
}, 90_000);
