/**
 * CONTACT_MATCH "Create new" whose record on the review fails, and the same decision run again: one Xero contact
 * whatever happens to the review's write or to the done job. Both emulators and the real bridge, in this process.
 */
import pino from 'pino';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox-bridge';
import { connect } from '../../../sandbox/salesforce/test-helpers';
import { waitFor } from '../../../test/wait-for';

const FINANCE = 'fran.finance@ledgerline.example';
const INTEGRATION = 'integration@ledgerline.example';
const UK = '11111111-1111-4111-8111-111111111111';

type Row = Record<string, unknown>;

let sandbox: Sandbox;
const admin = () => connect(sandbox.sf, INTEGRATION);

beforeAll(async () => {
  sandbox = await startSandbox({
    bridge: { workerIdleMs: 50, referenceTtlMs: 0, pollIntervalMs: 60_000 },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
}, 60_000);

afterAll(() => sandbox?.close());

/** An open review for the seeded Account of this name in UK_Ltd. */
async function openReview(accountName: string): Promise<{ reviewId: string; accountId: string }> {
  const [account] = (await admin().query<Row>(`SELECT Id FROM Account WHERE Name = '${accountName}'`)).records;
  const accountId = String(account!.Id);
  const { id } = (await admin()
    .sobject('Contact_Match_Review__c')
    .create({
      Account__c: accountId,
      Billing_Entity__c: 'UK_Ltd',
      Review_Key__c: `${accountId}:UK_LTD`,
      Status__c: 'Open',
      Reason__c: 'AMBIGUOUS',
      Candidates__c: '[]',
    })) as unknown as { id: string };
  return { reviewId: id, accountId };
}

const review = async (id: string) =>
  (
    await admin().query<Row>(
      `SELECT Status__c, Sync_Status__c, Sync_Message__c, Request_Key__c FROM Contact_Match_Review__c WHERE Id = '${id}'`,
    )
  ).records[0]!;

/** The Xero contacts carrying the Account's Id as ContactNumber (`<Id>` or `<Id>-2`…): the ones the bridge made. */
const contactsOf = (accountId: string) =>
  [...sandbox.xero.state.tenant(UK)!.contacts.values()].filter((c) =>
    String(c.contactNumber ?? '').startsWith(accountId),
  );

const settled = (key: string) =>
  waitFor(`the job ${key} settled`, async () => {
    const job = await sandbox.store.jobs.getJobByKey(key);
    return job?.state === 'done' || job?.state === 'dead' ? job : undefined;
  });

/** Decides "Create new" and waits for its job and the review's Synced record. */
async function createdNew(reviewId: string): Promise<string> {
  sandbox.sf.control.goLive.contactMatch.decide(FINANCE, reviewId, 'CREATE_NEW');
  const key = String((await review(reviewId)).Request_Key__c);
  await settled(key);
  return key;
}

it('retries the decision whose Synced write Salesforce refused (row locked): the review ends Synced, one contact', async () => {
  const { reviewId, accountId } = await openReview('Northwind Trading Ltd');
  sandbox.sf.control.unableToLockRow({ sobject: 'Contact_Match_Review__c', where: { Id: reviewId } });

  const key = await createdNew(reviewId);

  expect(await sandbox.store.jobs.getJobByKey(key)).toMatchObject({ state: 'done', attempts: 2 });
  expect(await review(reviewId)).toMatchObject({
    Status__c: 'Created New',
    Sync_Status__c: 'Synced',
    Sync_Message__c: 'Created Xero contact "Northwind Trading Ltd" and linked it',
  });
  expect(contactsOf(accountId).map((c) => c.name)).toEqual(['Northwind Trading Ltd']);
}, 60_000);

it('queued again at start with its done job pruned and its review still Pending, the decision links the contact it made and makes no second one', async () => {
  const { reviewId, accountId } = await openReview('Globex Corporation');
  const key = await createdNew(reviewId);
  expect(contactsOf(accountId)).toHaveLength(1);
  // The review Pending as a failed Synced write left it; its done job pruned; the Account renamed since.
  await admin().sobject('Contact_Match_Review__c').update({ Id: reviewId, Sync_Status__c: 'Pending' });
  await admin().sobject('Account').update({ Id: accountId, Name: 'Globex Holdings Ltd' });
  await sandbox.store.jobs.pruneDoneJobs({ before: Date.now() + 60_000, limit: 1_000, keepActions: [] });
  expect(await sandbox.store.jobs.getJobByKey(key)).toBeNull();

  await sandbox.stopBridge();
  await sandbox.startBridge();

  expect(await settled(key)).toMatchObject({ state: 'done', attempts: 1 });
  const synced = await waitFor('the review Synced', async () => {
    const row = await review(reviewId);
    return row.Sync_Status__c === 'Synced' ? row : undefined;
  });
  expect(contactsOf(accountId).map((c) => c.name)).toEqual(['Globex Corporation']);
  expect(synced).toMatchObject({
    Status__c: 'Created New',
    Sync_Message__c: 'Created Xero contact "Globex Corporation" and linked it',
  });
}, 60_000);

it('records at start the outcome of a done decision whose review stayed Pending, without running it again', async () => {
  const { reviewId, accountId } = await openReview('Initech Inc');
  const key = await createdNew(reviewId);
  const { message } = (await sandbox.store.jobs.getJobByKey(key))!.result as { message: string };
  await admin().sobject('Contact_Match_Review__c').update({ Id: reviewId, Sync_Status__c: 'Pending' });

  await sandbox.stopBridge();
  await sandbox.startBridge();

  const synced = await waitFor('the review Synced', async () => {
    const row = await review(reviewId);
    return row.Sync_Status__c === 'Synced' ? row : undefined;
  });
  expect(synced.Sync_Message__c).toBe(message);
  expect(await sandbox.store.jobs.getJobByKey(key)).toMatchObject({ state: 'done', attempts: 1 });
  expect(contactsOf(accountId)).toHaveLength(1);
}, 60_000);
