/**
 * A row another transaction holds (UNABLE_TO_LOCK_ROW, the commonest Salesforce failure when many writes touch one
 * Account) on one record of the bridge's write-back: Salesforce saves the other records of the Collection and
 * refuses that one alone. Its job retries and the invoice ends Synced; nothing is drafted twice in Xero and nothing
 * is given up. Both emulators and the real bridge, in this process.
 */
import pino from 'pino';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { connect } from '../sandbox/salesforce/test-helpers';
import { waitFor, waitForNoJobDue } from './wait-for';

const SALES = 'sam.seller@ledgerline.example';
const UK = '11111111-1111-4111-8111-111111111111';

type Row = Record<string, unknown>;

let sandbox: Sandbox;
const admin = () => connect(sandbox.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
const sales = () => connect(sandbox.sf, SALES);

beforeAll(async () => {
  sandbox = await startSandbox({
    bridge: { workerIdleMs: 50, referenceTtlMs: 0, pollIntervalMs: 60_000 },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
}, 60_000);

afterAll(() => sandbox?.close());

/** Open GBP deals on one Account, each with one line (10, 11, … seats at 120.00). */
async function openDeals(count: number): Promise<string[]> {
  const [seeded] = (
    await admin().query<Row>("SELECT Id, AccountId, Pricebook2Id FROM Opportunity WHERE Name = 'Acme - Platform 2026'")
  ).records;
  const [line] = (
    await admin().query<Row>(
      `SELECT PricebookEntryId FROM OpportunityLineItem WHERE OpportunityId = '${String(seeded!.Id)}'`,
    )
  ).records;
  const created = await sales()
    .sobject('Opportunity')
    .create(
      Array.from({ length: count }, (_, i) => ({
        Name: `Acme - Lock contention ${i + 1}`,
        AccountId: seeded!.AccountId,
        StageName: 'Negotiation/Review',
        CloseDate: '2026-01-10',
        CurrencyIsoCode: 'GBP',
        ...(seeded!.Pricebook2Id ? { Pricebook2Id: seeded!.Pricebook2Id } : {}),
      })),
    );
  const ids = created.map((r) => (r as { id: string }).id);
  await sales()
    .sobject('OpportunityLineItem')
    .create(
      ids.map((OpportunityId, i) => ({
        OpportunityId,
        PricebookEntryId: line!.PricebookEntryId,
        Quantity: 10 + i,
        UnitPrice: 120,
      })),
    );
  return ids;
}

it('retries the one invoice whose write-back met a locked row: all Synced, one draft each, nothing given up', async () => {
  const deals = await openDeals(4);
  const lockedDeal = deals[1]!;
  // Another transaction holds the row the first write of this deal's invoice needs; the others are saved.
  sandbox.sf.control.unableToLockRow({
    sobject: 'Invoice__c',
    where: (record) => record.Opportunity__c === lockedDeal,
  });
  await sales()
    .sobject('Opportunity')
    .update(deals.map((Id) => ({ Id, StageName: 'Closed Won' })));

  const jobOf = (dealId: string) => sandbox.store.jobs.getJobByKey(`CREATE_DRAFT:${dealId}:1`);
  // The job that met the lock waits for its retry, its reason the one Salesforce gave, and not given up.
  const waiting = await waitFor('the locked invoice waiting for its retry', async () => {
    const job = await jobOf(lockedDeal);
    return job?.state === 'failed' ? job : undefined;
  });
  expect(waiting).toMatchObject({
    attempts: 1,
    lastError: expect.stringMatching(
      /Salesforce refused Invoice__c: UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record or 1 records: 001/,
    ),
  });

  const jobs = await waitFor(
    'every deal drafted and mirrored',
    async () => {
      const all = await Promise.all(deals.map(jobOf));
      return all.every((j) => j?.state === 'done' || j?.state === 'dead') ? all : undefined;
    },
    30_000,
  );
  expect(jobs.map((j) => [j?.state, j?.attempts])).toEqual(deals.map((d) => ['done', d === lockedDeal ? 2 : 1]));

  const invoices = (
    await admin().query<Row>(
      'SELECT Opportunity__c, Xero_Invoice_Id__c, Sync_Status__c, Sub_Total__c, (SELECT Id FROM Invoice_Lines__r) ' +
        `FROM Invoice__c WHERE Opportunity__c IN ('${deals.join("','")}')`,
    )
  ).records;
  const byDeal = new Map(invoices.map((r) => [String(r.Opportunity__c), r]));
  expect(invoices).toHaveLength(deals.length);
  for (const [i, deal] of deals.entries()) {
    expect(byDeal.get(deal)).toMatchObject({
      Sync_Status__c: 'Synced',
      Xero_Invoice_Id__c: expect.any(String),
      Sub_Total__c: (10 + i) * 120,
      Invoice_Lines__r: { totalSize: 1 },
    });
  }
  // One draft a deal in Xero, the one its mirror names: the retry drafted nothing again.
  const drafts = (sandbox.xero.control.snapshot(UK).invoices as Row[]).filter((x) =>
    deals.some((d) => String(x.url ?? '').includes(d)),
  );
  expect(drafts.map((x) => x.id).sort()).toEqual(invoices.map((r) => r.Xero_Invoice_Id__c).sort());
}, 60_000);

it("keeps the Account's figures current when their update met a locked row: written again once the row is free", async () => {
  // One deal: the only write-back of the Account meets the lock (a later one would recompute its figures anyway).
  const deals = await openDeals(1);
  // Earlier work on this Account is over: the figure read next is the one the new invoices add to.
  await waitForNoJobDue(sandbox.store.jobs);
  const [{ AccountId: accountId }] = (
    await admin().query<Row>(`SELECT AccountId FROM Opportunity WHERE Id = '${deals[0]}'`)
  ).records as [Row];
  const invoicedBefore = Number(
    (await admin().query<Row>(`SELECT Invoiced_Amount__c FROM Account WHERE Id = '${String(accountId)}'`)).records[0]!
      .Invoiced_Amount__c ?? 0,
  );
  // The write-back's update of the Account's figures meets a row another transaction holds (the first write of it).
  sandbox.sf.control.unableToLockRow({ sobject: 'Account', where: { Id: String(accountId) } });
  await sales()
    .sobject('Opportunity')
    .update(deals.map((Id) => ({ Id, StageName: 'Closed Won' })));
  const jobs = await waitFor(
    'every deal drafted and mirrored',
    async () => {
      const all = await Promise.all(deals.map((d) => sandbox.store.jobs.getJobByKey(`CREATE_DRAFT:${d}:1`)));
      return all.every((j) => j?.state === 'done' || j?.state === 'dead') ? all : undefined;
    },
    30_000,
  );
  expect(jobs.map((j) => j?.state)).toEqual(deals.map(() => 'done'));
  const totals = (
    await admin().query<Row>(`SELECT Total__c FROM Invoice__c WHERE Opportunity__c IN ('${deals.join("','")}')`)
  ).records.map((r) => Number(r.Total__c));
  expect(totals).toHaveLength(1);
  const expected = Math.round((invoicedBefore + totals.reduce((a, b) => a + b, 0)) * 100) / 100;
  const account = await waitFor(
    "the Account's invoiced amount with the new invoices",
    async () => {
      const [row] = (
        await admin().query<Row>(`SELECT Invoiced_Amount__c FROM Account WHERE Id = '${String(accountId)}'`)
      ).records;
      return row?.Invoiced_Amount__c === expected ? row : undefined;
    },
    20_000,
  );
  expect(account.Invoiced_Amount__c).toBe(expected);
}, 60_000);
