/**
 * The bridge's Salesforce side against the Salesforce emulator, through real jsforce: JWT bearer login and
 * refresh on 401, the durable CometD subscriber (replay across restarts, expired cursor), SOQL loads and
 * collections write-back.
 */
import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import type { Connection } from 'jsforce';
import { startSalesforceEmulator, type SalesforceEmulator } from '../../sandbox/salesforce/server';
import {
  ADMIN,
  CONSUMER_KEY,
  SALES,
  bridgeSalesforceConfig,
  connect,
  eventually,
  frozenClock,
  certificatePem,
} from '../../sandbox/salesforce/test-helpers';
import { connectSalesforce, type SalesforceConfig } from './connection';
import { createEventSubscriber, type StreamedEvent } from './event-subscriber';
import { parseInvoiceRequest } from './invoice-request';
import { createQueries, IDS_PER_QUERY } from './queries';
import { Invoice, InvoiceLine } from './objects';
import { salesforceNames } from './schema';
import { sobject } from './sobject';
import { isTransient } from '../lib/errors';
import { SalesforceQueryError, SalesforceWriteError, createWriteback, type WriteOutcome } from './writeback';

const log = pino({ level: 'silent' });
/** A field the bridge never writes, for exercising Composite batches on many records. */
const AccountDescription = sobject('Account', { Id: 'id', Description: 'text' });

for (const namespace of ['', 'ldgr'] as const) {
  describe(`bridge Salesforce side (namespace ${namespace || 'none'})`, () => {
    const names = salesforceNames(namespace ? `${namespace}__` : '');
    let em: SalesforceEmulator;
    let cfg: SalesforceConfig;
    let conn: Connection;

    beforeEach(async () => {
      em = await startSalesforceEmulator({
        port: 0,
        namespace,
        clock: frozenClock(Date.now()),
        externalClientApp: { consumerKey: CONSUMER_KEY, certificatePem, permissionSets: ['Ledgerline_Integration'] },
        cometdTimeoutSeconds: 1,
      });
      cfg = bridgeSalesforceConfig(em, names.prefix);
      conn = await connectSalesforce(cfg, log);
    });

    afterEach(async () => {
      await em.close();
    });

    const seededOpportunities = async () =>
      (await conn.query<{ Id: string; Name: string }>('SELECT Id, Name FROM Opportunity ORDER BY Name')).records;

    it('logs in with a JWT bearer assertion and re-authenticates when the session expires', async () => {
      expect((await seededOpportunities()).length).toBeGreaterThan(0);
      em.control.expireSessions();
      expect((await seededOpportunities()).length).toBeGreaterThan(0);
    });

    it('refuses a login signed with the wrong key, with a readable error', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      });
      await expect(connectSalesforce({ ...cfg, privateKey: other.toString() }, log)).rejects.toThrow(
        /Salesforce refused the integration user integration@ledgerline.example/,
      );
    });

    it('loads opportunities with their account and line items in one query', async () => {
      const queries = createQueries({ conn, names, multiCurrency: true });
      const ids = (await seededOpportunities()).map((o) => o.Id);
      const rows = await queries.opportunitiesForInvoicing(ids);
      expect(rows).toHaveLength(ids.length);
      const acme = rows.find((r) => r.Name === 'Acme - Platform 2026') as {
        Account: { BillingCountry: string };
        OpportunityLineItems: { records: { Product2: { ProductCode: string } }[] };
      };
      expect(acme.Account.BillingCountry).toBe('GB');
      expect(acme.OpportunityLineItems.records.length).toBeGreaterThan(0);
      expect(acme.OpportunityLineItems.records[0]?.Product2.ProductCode).toMatch(/^LL-/);

      const entities = await queries.billingEntities();
      expect(entities.map((e) => e.DeveloperName)).toEqual(['EU_BV', 'UK_Ltd', 'US_Inc']);
      expect(entities.find((e) => e.DeveloperName === 'UK_Ltd')).toMatchObject({ Base_Currency__c: 'GBP' });
    });

    it('delivers CREATE_DRAFT to the subscriber, saves the cursor after handling, and resumes after a restart', async () => {
      const channel = names.channel('Invoice_Request__e');
      const saved = new Map<string, number>();
      const cursor = {
        getReplayId: async (c: string) => saved.get(c) ?? null,
        saveReplayId: async (c: string, id: number) => void saved.set(c, id),
      };
      const received: string[] = [];
      const handle = async (message: StreamedEvent) => {
        const parsed = parseInvoiceRequest(message.payload, names);
        if (!parsed.ok) throw new Error(parsed.reason);
        received.push(parsed.request.requestKey);
      };
      const gaps: number[] = [];
      const subscriber = () =>
        createEventSubscriber({
          conn,
          channel,
          cursor,
          handle,
          onGap: (_c, lost) => gaps.push(lost),
          reauthenticate: async () => {
            const fresh = await connectSalesforce(cfg, log);
            conn.accessToken = fresh.accessToken;
          },
          log,
        });

      const [first, second] = await seededOpportunities();
      const sales = connect(em, SALES);
      const first_ = subscriber();
      await first_.start();
      await sales.sobject('Opportunity').update({ Id: first!.Id, StageName: 'Closed Won' });
      await eventually(() => received.length === 1);
      expect(received[0]).toBe(`CREATE_DRAFT:${first!.Id}:1`);
      await eventually(() => saved.get(channel) !== undefined);
      await first_.stop();

      // Published while the bridge is down: the restarted subscriber replays it from the saved cursor, once.
      await sales.sobject('Opportunity').update({ Id: second!.Id, StageName: 'Closed Won' });
      const second_ = subscriber();
      await second_.start();
      await eventually(() => received.length === 2);
      expect(received[1]).toBe(`CREATE_DRAFT:${second!.Id}:1`);
      await second_.stop();
      expect(gaps).toEqual([]);

      // A cursor Salesforce no longer knows: report the gap, replay everything retained.
      saved.set(channel, 999_999);
      const third = subscriber();
      await third.start();
      await eventually(() => received.length === 4);
      expect(gaps).toEqual([999_999]);
      expect(received.slice(2)).toEqual(received.slice(0, 2));
      await third.stop();
    });

    it('finds won opportunities that have no invoice, for reconciliation after an event gap', async () => {
      const queries = createQueries({ conn, names, multiCurrency: true });
      const [opp] = await seededOpportunities();
      const since = Date.now() - 4 * 86_400_000;
      expect(await queries.wonWithoutInvoice(since)).toEqual([]);
      await connect(em, SALES).sobject('Opportunity').update({ Id: opp!.Id, StageName: 'Closed Won' });
      expect(await queries.wonWithoutInvoice(since)).toEqual([opp!.Id]);
      // Changed before the time looked back to: not found (a dateTime literal, to the second).
      expect(await queries.wonWithoutInvoice(Date.now() + 60_000)).toEqual([]);
      await createWriteback({ conn, names, log }).upsert(Invoice, 'Request_Key__c', [
        { Request_Key__c: `CREATE_DRAFT:${opp!.Id}:1`, Opportunity__c: opp!.Id },
      ]);
      expect(await queries.wonWithoutInvoice(since)).toEqual([]);
    });

    it('counts as on its way to Xero only a credit note finance approved that Xero does not have yet and did not refuse', async () => {
      const queries = createQueries({ conn, names, multiCurrency: true });
      const { org } = em;
      const ctx = { userId: org.resolveUser('integration@ledgerline.example').Id };
      const account = org.insert('Account', { Name: 'Credit Co' }, ctx);
      const note = (fields: Record<string, unknown>) =>
        org.insert(
          org.n('Credit_Note__c'),
          { [org.n('Account__c')]: account, [org.n('Status__c')]: 'Draft', ...fields },
          ctx,
        );
      note({}); // awaiting approval: may wait for days, or never go
      const approved = note({});
      const made = note({});
      const refused = note({});
      for (const id of [approved, made, refused]) {
        em.control.approvals.submit(id, { user: 'fran.finance@ledgerline.example' });
        em.control.approvals.approve(id, { user: 'fran.finance@ledgerline.example' });
      }
      org.update(
        org.n('Credit_Note__c'),
        made,
        { [org.n('Xero_Credit_Note_Id__c')]: 'c0ffee00-0000-4000-8000-000000000001' },
        ctx,
      );
      // Xero refused it: its approval failed and it goes nowhere until finance acts.
      org.update(org.n('Credit_Note__c'), refused, { [org.n('Sync_Status__c')]: 'Error' }, ctx);
      expect((await queries.pendingCreditNotes([account])).map((row) => row.Id)).toEqual([approved]);
    });

    it('upserts invoices and lines by key and reports refused records in Salesforce words', async () => {
      const writeback = createWriteback({ conn, names, log });
      const [opp] = await seededOpportunities();
      const invoice = {
        Request_Key__c: `CREATE_DRAFT:${opp!.Id}:1`,
        Opportunity__c: opp!.Id,
        Status__c: 'Draft',
        Currency_Code__c: 'GBP',
        Total__c: 120,
      };
      const created = await writeback.upsert(Invoice, 'Request_Key__c', [invoice]);
      expect(created).toEqual([{ ok: true, id: expect.any(String), created: true }]);
      const updated = await writeback.upsert(Invoice, 'Request_Key__c', [{ ...invoice, Total__c: 130 }]);
      expect(updated).toEqual([{ ok: true, id: (created[0] as { id: string }).id, created: false }]);

      const bad = await writeback.upsert(Invoice, 'Request_Key__c', [{ ...invoice, Status__c: 'Lost in space' }]);
      expect(bad[0]).toMatchObject({ ok: false, errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' }] });
      expect(() => writeback.requireAll(Invoice, ['k'], bad)).toThrow(SalesforceWriteError);
    });

    it('reads the mirrors of a poll page of Xero ids (1,000) in one Composite call, a query per 200 without one', async () => {
      const writeback = createWriteback({ conn, names, log });
      const [opp] = await seededOpportunities();
      const ids = Array.from(
        { length: 1000 },
        (_, i) => `0000${String(i).padStart(4, '0')}-0000-4000-8000-000000000000`,
      );
      const mirrored = [ids[0]!, ids[500]!, ids[999]!];
      writeback.requireAll(
        Invoice,
        mirrored,
        await writeback.upsert(
          Invoice,
          'Request_Key__c',
          mirrored.map((xeroId, n) => ({
            Request_Key__c: `CREATE_DRAFT:${opp!.Id}:${n + 20}`,
            Opportunity__c: opp!.Id,
            Status__c: 'Draft',
            Xero_Invoice_Id__c: xeroId,
          })),
        ),
      );
      const read = async (queries: ReturnType<typeof createQueries>) => {
        const before = em.control.apiUsage().used;
        const rows = await queries.invoicesByXeroIds(ids);
        return { calls: em.control.apiUsage().used - before, ids: rows.map((r) => r.Xero_Invoice_Id__c).sort() };
      };
      const batched = createQueries({ conn, names, multiCurrency: true, batch: () => writeback.composite() });
      expect(await read(batched)).toEqual({ calls: 1, ids: mirrored });
      expect(await read(createQueries({ conn, names, multiCurrency: true }))).toEqual({ calls: 5, ids: mirrored });
    });

    it('sends queued writes and reads as one Composite call: lines name their invoice by request key', async () => {
      const writeback = createWriteback({ conn, names, log });
      const queries = createQueries({ conn, names, multiCurrency: true });
      const [opp] = await seededOpportunities();
      const key = `CREATE_DRAFT:${opp!.Id}:7`;
      const before = em.control.apiUsage().used;

      const batch = writeback.composite();
      const invoices = batch.upsert(Invoice, 'Request_Key__c', [
        { Request_Key__c: key, Opportunity__c: opp!.Id, Status__c: 'Draft', Currency_Code__c: 'GBP' },
        { Request_Key__c: `${key}:bad`, Opportunity__c: opp!.Id, Status__c: 'Lost in space' },
      ]);
      const lines = batch.upsert(InvoiceLine, 'Xero_Line_Item_Id__c', [
        { Xero_Line_Item_Id__c: 'line-1', Invoice__r: { Request_Key__c: key }, Line_Amount__c: 10 },
        { Xero_Line_Item_Id__c: 'line-2', Invoice__r: { Request_Key__c: `${key}:bad` }, Line_Amount__c: 20 },
      ]);
      const written = queries.invoiceLinesOfRequests([key, `${key}:bad`], batch);
      const rows = queries.invoicesFor('Opportunity__c', [opp!.Id], batch);
      await batch.run();

      expect(em.control.apiUsage().used - before).toBe(1);
      const [good, refused] = await invoices;
      expect(good).toEqual({ ok: true, id: expect.any(String), created: true });
      expect(refused).toMatchObject({ ok: false, errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' }] });
      const [line, orphan] = await lines;
      expect(line).toMatchObject({ ok: true, created: true });
      expect(orphan).toMatchObject({ ok: false, errors: [{ statusCode: 'INVALID_FIELD' }] });
      expect(await written).toEqual(new Map([[key, new Map([['line-1', (line as { id: string }).id]])]]));
      expect((await rows).map((r) => r.Id)).toEqual([(good as { id: string }).id]);
    });
  });
}

describe('Composite batches against the limits', () => {
  let em: SalesforceEmulator;
  let conn: Connection;
  const names = salesforceNames('');
  beforeAll(async () => {
    em = await startSalesforceEmulator({ port: 0, clock: frozenClock(Date.now()), queryBatchSize: 2 });
    // the batching, not the bridge's grants, is under test: an administrator may write Account.Description
    conn = connect(em, ADMIN);
  });
  afterAll(() => em.close());

  it('packs at most 5 Collections or queries a call, in order, and follows query pages', async () => {
    const writeback = createWriteback({ conn, names, log });
    const accounts = (
      await conn.query<{ Id: string }>('SELECT Id FROM Account ORDER BY Id').run({ autoFetch: true, maxFetch: 100 })
    ).records;
    const before = em.control.apiUsage().used;
    const batch = writeback.composite();
    // 6 queries (pages of 2 rows: the rest by queryMore) and 250 updates (2 Collections): 8 subrequests
    const reads = Array.from({ length: 6 }, () => batch.query('SELECT Id FROM Account ORDER BY Id'));
    const updates = batch.update(
      AccountDescription,
      Array.from({ length: 250 }, (_, i) => ({ Id: accounts[i % accounts.length]!.Id, Description: `n${i}` })),
    );
    await batch.run();
    const pages = Math.ceil(accounts.length / 2) - 1;
    expect(em.control.apiUsage().used - before).toBe(2 + 6 * pages);
    for (const read of reads)
      expect((await read).map((r) => (r as { Id: string }).Id)).toEqual(accounts.map((a) => a.Id));
    expect((await updates).every((o) => o.ok)).toBe(true);
    expect(
      em.control
        .apiRequests()
        .filter((r) => r.subrequests)
        .map((r) => r.subrequests!.length)
        .slice(-2),
    ).toEqual([5, 3]);
  });

  it('fails the records of a failed subrequest, and rejects run() when a query fails', async () => {
    const writeback = createWriteback({ conn, names, log });
    const [account] = (await conn.query<{ Id: string }>('SELECT Id FROM Account LIMIT 1')).records;
    em.control.serverErrors({ count: 1, status: 503, pathIncludes: '/composite/sobjects', inComposite: 'subrequest' });
    const batch = writeback.composite();
    const first = batch.update(AccountDescription, [{ Id: account!.Id, Description: 'first' }]);
    const second = batch.update(AccountDescription, [{ Id: account!.Id, Description: 'second' }]);
    await batch.run();
    expect(await first).toEqual([
      { ok: false, errors: [{ statusCode: 'SERVER_UNAVAILABLE', message: expect.any(String), fields: [] }] },
    ]);
    expect(await second).toEqual([{ ok: true, id: account!.Id }]);

    const broken = writeback.composite();
    void broken.query('SELECT Nope__c FROM Account');
    await expect(broken.run()).rejects.toThrow(SalesforceQueryError);
  });

  it('settles every queued write when a Composite call fails whole or a query in it fails; never rejects a query', async () => {
    const writeback = createWriteback({ conn, names, log });
    const [account] = (await conn.query<{ Id: string }>('SELECT Id FROM Account LIMIT 1')).records;
    const write = [{ Id: account!.Id, Description: 'queued' }];
    const PENDING = Symbol('pending');
    // run() has returned, so anything still pending would wait for ever
    const state = (promise: Promise<unknown>) =>
      Promise.race([
        promise.then(
          (v) => v,
          (e: unknown) => ({ rejected: e }),
        ),
        new Promise((resolve) => setTimeout(resolve, 50, PENDING)),
      ]);
    const failedWith = (statusCode: string) => [{ ok: false, errors: [expect.objectContaining({ statusCode })] }];
    const refusedBy = (outcomes: readonly WriteOutcome[]): unknown => {
      try {
        return writeback.requireAll(AccountDescription, Object.keys(outcomes), outcomes);
      } catch (err) {
        return err;
      }
    };

    // 7 subrequests: two Composite calls (5 + 2); the first is refused whole, so the second is never sent.
    em.control.serverErrors({ count: 1, status: 503, pathIncludes: '/composite/sobjects' });
    const down = writeback.composite();
    const writes = Array.from({ length: 6 }, () => down.update(AccountDescription, write));
    const read = down.query('SELECT Id FROM Account LIMIT 1');
    // work chained on a query's rows, awaited only after run() (summaries.stage): a rejection would go unhandled
    const chained = read.then((rows) => rows.length);
    await expect(down.run()).rejects.toMatchObject({ errorCode: 'SERVER_UNAVAILABLE' });
    for (const written of writes) expect(await state(written)).toEqual(failedWith('SERVER_UNAVAILABLE'));
    expect(await state(read)).toBe(PENDING);
    expect(await state(chained)).toBe(PENDING);
    expect(isTransient(refusedBy(await writes[0]!))).toBe(true);

    // A query that fails in the first call: what that call did settles as Salesforce answered; the next is not sent.
    const broken = writeback.composite();
    const before = broken.update(AccountDescription, [{ Id: account!.Id, Description: 'before' }]);
    const bad = broken.query('SELECT Nope__c FROM Account');
    const after = broken.update(AccountDescription, [{ Id: account!.Id, Description: 'after' }]);
    const fillers = Array.from({ length: 2 }, () => broken.query('SELECT Id FROM Account LIMIT 1'));
    const unsent = broken.update(AccountDescription, write);
    await expect(broken.run()).rejects.toThrow(SalesforceQueryError);
    expect(await state(before)).toEqual([{ ok: true, id: account!.Id }]);
    expect(await state(bad)).toBe(PENDING);
    expect(await state(after)).toEqual([{ ok: true, id: account!.Id }]);
    for (const filler of fillers) expect(await state(filler)).toEqual([expect.objectContaining({ Id: account!.Id })]);
    expect(await state(unsent)).toEqual(failedWith('SALESFORCE_QUERY'));
    const [row] = (
      await conn.query<{ Description: string }>(`SELECT Description FROM Account WHERE Id = '${account!.Id}'`)
    ).records;
    expect(row?.Description).toBe('after');
  });

  it('retries a 503 or 500 on a write or on its Composite subrequest, and a locked row; never a refused record', async () => {
    const writeback = createWriteback({ conn, names, log });
    const [account] = (await conn.query<{ Id: string }>('SELECT Id FROM Account LIMIT 1')).records;
    const write = [{ Id: account!.Id, Description: 'again' }];
    const refusal = (outcomes: readonly WriteOutcome[]): unknown => {
      try {
        writeback.requireAll(AccountDescription, Object.keys(outcomes), outcomes);
        return undefined;
      } catch (err) {
        return err;
      }
    };
    // The whole Collections call: jsforce retries no PATCH, and its error keeps Salesforce's code, not the status.
    for (const [status, errorCode] of [
      [503, 'SERVER_UNAVAILABLE'],
      [500, 'UNKNOWN_EXCEPTION'],
    ] as const) {
      em.control.serverErrors({ count: 1, status, pathIncludes: '/composite/sobjects' });
      const err = await writeback.update(AccountDescription, write).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ errorCode });
      expect(isTransient(err)).toBe(true);
    }
    // A Composite call the instance could not serve fails whole: run() rejects with Salesforce's code.
    em.control.serverErrors({ count: 1, status: 503, pathIncludes: '/composite/sobjects' });
    const down = writeback.composite();
    void down.update(AccountDescription, write);
    const callError = await down.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(callError).toMatchObject({ errorCode: 'SERVER_UNAVAILABLE' });
    expect(isTransient(callError)).toBe(true);
    // A subrequest of a Composite call that failed so: its records fail with its code.
    em.control.serverErrors({ count: 1, status: 503, pathIncludes: '/composite/sobjects', inComposite: 'subrequest' });
    const batch = writeback.composite();
    const unavailable = batch.update(AccountDescription, write);
    await batch.run();
    expect(isTransient(refusal(await unavailable))).toBe(true);
    // A record Salesforce refuses for what it is, as it answered, is refused again; a row another write held is not.
    const refused = await writeback.update(AccountDescription, [{ Id: '001000000000000AAA', Description: 'x' }]);
    em.control.unableToLockRow({ sobject: 'Account', where: { Id: account!.Id } });
    const [locked] = await writeback.update(AccountDescription, write);
    expect(locked).toEqual({
      ok: false,
      errors: [
        {
          statusCode: 'UNABLE_TO_LOCK_ROW',
          message: `unable to obtain exclusive access to this record or 1 records: ${account!.Id}`,
          fields: [],
        },
      ],
    });
    expect(refused).toMatchObject([{ ok: false }]);
    expect(isTransient(refusal(refused))).toBe(false);
    expect(isTransient(refusal([{ ok: true, id: account!.Id }, locked!]))).toBe(true);
    expect(isTransient(refusal([locked!, ...refused]))).toBe(false);
  });

  it("refuses a request whose URI and headers pass Salesforce's 16,384 bytes (431), so GET queries are held to 200 ids", async () => {
    // Help 000386264. The emulator's HTTP server enforces it (Node's 16 KiB header limit counts the request line).
    const get = (chars: number) =>
      fetch(`${em.url}/services/data/v62.0/query?q=${'a'.repeat(chars)}`, { headers: { authorization: 'Bearer x' } });
    expect((await get(16_000)).status).toBe(401); // read: refused only for its token
    expect((await get(16_400)).status).toBe(431);
    // The longest GET query the bridge sends: 200 Xero ids, URL-encoded, with the widest selection by Xero id.
    const queries = createQueries({ conn, names, multiCurrency: true });
    const ids = Array.from(
      { length: IDS_PER_QUERY },
      (_, i) => `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`,
    );
    const before = em.control.apiUsage().used;
    await queries.invoicesByXeroIds(ids);
    expect(em.control.apiUsage().used - before).toBe(1);
  });

  it('refuses a bad id before queueing anything, and an empty batch costs no call', async () => {
    const queries = createQueries({ conn, names, multiCurrency: true });
    const batch = createWriteback({ conn, names, log }).composite();
    expect(() => queries.opportunitiesForInvoicing(["x' OR Name != '"], batch)).toThrow(TypeError);
    const before = em.control.apiUsage().used;
    await batch.run();
    expect(em.control.apiUsage().used).toBe(before);
    // request keys are text: quotes and backslashes are escaped, not interpreted
    expect(await queries.invoiceLinesOfRequests(["K:o'brien\\' OR Id != null:1"])).toEqual(new Map());
  });
});
