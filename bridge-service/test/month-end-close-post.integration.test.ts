/**
 * Issue 16, the bridge's side of a close finance approved, against both emulators and the real bridge: a close
 * written as the bridge proposes it (the domain's proposal through closeRecord and journalLineRecords), submitted and
 * approved through the Salesforce approval process, arrives as POST_CLOSE; the journals are posted once (a replayed
 * request, and a journal a crashed bridge already posted, create nothing twice), the close is Posted with the
 * ManualJournal ids and ties out against Xero's Trial Balance. A stale version and a locked month post nothing.
 */
import pino from 'pino';
import { Invoice, XeroClient } from 'xero-node';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { connect } from '../sandbox/salesforce/test-helpers';
import { ScaledClock } from '../sandbox/shared/clock';
import { proposeClose, journalKey, type CloseHistory } from '../src/domain/close-journals';
import type { CloseLine, PostedBilling } from '../src/domain/close-ledger';
import { closeRecord, closeVersionKey, journalLineRecords } from '../src/domain/close-records';
import { waitFor } from './wait-for';

const FINANCE = 'fran.finance@ledgerline.example';
const INTEGRATION = 'integration@ledgerline.example';
const UK = '11111111-1111-4111-8111-111111111111';

type Row = Record<string, unknown>;

describe('POST_CLOSE and CLOSE_TIEOUT: an approved close is posted once and tied out', () => {
  const clock = new ScaledClock({ start: Date.parse('2026-02-03T09:00:00Z'), scale: 1 });
  let sandbox: Sandbox;
  const admin = () => connect(sandbox.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
  const xeroApi = () => {
    const xero = new XeroClient();
    const tokens = sandbox.xero.control.issueTokens();
    xero.setTokenSet({ ...tokens, expires_at: Math.floor(sandbox.xero.control.now() / 1000) + tokens.expires_in });
    xero.accountingApi.basePath = sandbox.xero.apiUrl;
    return xero.accountingApi;
  };
  const seats: CloseLine = {
    lineKey: 'SEATS',
    contractKey: 'SEATS',
    currency: 'GBP',
    revenue: [{ method: 'monthly', start: '2026-01-01', end: '2026-12-31', amount: '1200.00' }],
    revenueAccount: '200',
    deferredAccount: '835',
    tracking: [],
    label: 'Seats',
  };
  const billing: PostedBilling[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({
      clock,
      bridge: { workerIdleMs: 50, referenceTtlMs: 0, pollIntervalMs: 60_000 },
      logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
    });
    // The bridge asks for last month's closes when it starts: let those run (nothing to close) before the test writes
    // its own closes, or a late proposal would re-propose them from the bridge's (empty) plans.
    await waitFor('the start-up proposals', async () => {
      const open = await sandbox.store.jobs.listJobs({ states: ['queued', 'running'], limit: 500 });
      return open.every((job) => job.nextRunAt > clock.now()) ? true : undefined;
    });
    const api = xeroApi();
    const contactID = (await api.createContacts(UK, { contacts: [{ name: 'Close Post Ltd' }] })).body.contacts![0]!
      .contactID!;
    const invoice = (
      await api.createInvoices(UK, {
        invoices: [
          {
            type: Invoice.TypeEnum.ACCREC,
            status: Invoice.StatusEnum.AUTHORISED,
            contact: { contactID },
            date: '2026-01-01',
            dueDate: '2026-01-31',
            lineItems: [
              { description: 'Seats 2026', quantity: 1, unitAmount: 1200, accountCode: '835', taxType: 'OUTPUT2' },
            ],
          },
        ],
      })
    ).body.invoices![0]!;
    billing.push({
      lineKey: 'SEATS',
      date: '2026-01-01',
      amount: '1200.00',
      kind: 'invoice',
      document: String(invoice.invoiceNumber),
      accountCode: '835',
    });
  }, 60_000);
  afterAll(() => sandbox?.close());

  /** Writes a month's close as the bridge proposes it: the header Proposed and its lines; returns the close id. */
  async function proposed(month: string, history: CloseHistory, version = 1): Promise<string> {
    const proposal = proposeClose({
      entity: 'UK_Ltd',
      baseCurrency: 'GBP',
      month,
      closeKey: 'unused until the record has an id',
      accruedAccount: '630',
      lines: [seats],
      billing,
      history,
    });
    const record = closeRecord(proposal, { xeroTenantId: UK, version });
    const created = (await admin()
      .sobject('Month_End_Close__c')
      .create({ ...record, Proposed_At__c: new Date(clock.now()).toISOString() })) as unknown as { id: string };
    await admin()
      .sobject('Month_End_Journal_Line__c')
      .create(journalLineRecords(proposal, version).map((l) => ({ ...l, Month_End_Close__c: created.id })));
    return created.id;
  }

  const close = async (id: string) =>
    (
      await admin().query<Row>(
        'SELECT Status__c, Sync_Status__c, Sync_Message__c, Xero_Recognition_Journal_Id__c, Posted_At__c, ' +
          `Tie_Out_Result__c, Tie_Out_Difference__c, Xero_Deferred_Balance__c FROM Month_End_Close__c WHERE Id = '${id}'`,
      )
    ).records[0]!;
  const journalsWith = async (key: string) =>
    ((await xeroApi().getManualJournals(UK, undefined, `Narration.Contains("[${key}]")`)).body.manualJournals ?? [])
      .length;
  const approve = (id: string) => {
    sandbox.sf.control.approvals.submit(id, { user: FINANCE });
    sandbox.sf.control.approvals.approve(id, { user: FINANCE, comment: 'Agrees with the schedules' });
  };

  it('January: approved, posted once with its key, Posted with the journal id, then tied to the cent', async () => {
    const id = await proposed('2026-01', { kind: 'first-close' });
    approve(id);
    const tied = await waitFor('January tied out', async () => {
      const row = await close(id);
      return row.Status__c === 'Tied' || row.Status__c === 'Difference' ? row : undefined;
    });
    expect(tied).toMatchObject({ Status__c: 'Tied', Sync_Status__c: 'Synced', Tie_Out_Difference__c: 0 });
    expect(tied.Xero_Deferred_Balance__c).toBe(1100);
    expect(String(tied.Tie_Out_Result__c)).toContain(
      "UK_Ltd January 2026 ties: Xero's deferred and accrued revenue equal the schedules to the cent",
    );
    const key = journalKey(closeVersionKey(id, 1), 'recognition');
    expect(await journalsWith(key)).toBe(1);
    const lines = (
      await admin().query<Row>(
        `SELECT Status__c, Manual_Journal_Id__c FROM Month_End_Journal_Line__c WHERE Month_End_Close__c = '${id}'`,
      )
    ).records;
    expect(lines.map((l) => l.Status__c)).toEqual(['Posted', 'Posted']);
    expect(new Set(lines.map((l) => l.Manual_Journal_Id__c))).toEqual(new Set([tied.Xero_Recognition_Journal_Id__c]));
    expect(await sandbox.store.xeroResults.findXeroResult(key, UK, 'manual_journal')).toMatchObject({
      xeroId: tied.Xero_Recognition_Journal_Id__c,
    });

    // Salesforce replays the request (a replayed event, the same key): no second journal.
    const ctx = { userId: sandbox.sf.org.resolveUser(INTEGRATION).Id };
    sandbox.sf.org.publish(
      'Invoice_Request__e',
      {
        Action__c: 'POST_CLOSE',
        Request_Key__c: closeVersionKey(id, 1),
        Payload__c: JSON.stringify({ closeId: id, version: 1 }),
      },
      ctx,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await journalsWith(key)).toBe(1);
  }, 60_000);

  it('February: a journal a crashed bridge already posted is found by its key, not posted again', async () => {
    const history: CloseHistory = {
      kind: 'posted',
      lines: [
        { forMonth: '2026-01', kind: 'recognition', accountCode: '835', tracking: [], amount: '100.00' },
        {
          forMonth: '2026-01',
          kind: 'recognition',
          accountCode: '200',
          tracking: [],
          amount: '-100.00',
        },
      ],
    };
    await clockTo('2026-03-02T09:00:00Z');
    const id = await proposed('2026-02', history);
    // The bridge posted it, then died before it stored the id or told Salesforce: Xero holds the journal.
    const key = journalKey(closeVersionKey(id, 1), 'recognition');
    await xeroApi().createManualJournals(
      UK,
      {
        manualJournals: [
          {
            narration: `Ledgerline month-end close, UK_Ltd, February 2026: revenue recognised from deferred revenue [${key}]`,
            date: '2026-02-28',
            status: 'POSTED' as never,
            journalLines: [
              { lineAmount: 100, accountCode: '835', description: 'Deferred revenue released in February 2026' },
              { lineAmount: -100, accountCode: '200', description: 'Revenue recognised in February 2026' },
            ],
          },
        ],
      },
      undefined,
      'a different key: the crashed attempt is not an idempotent replay',
    );
    approve(id);
    const done = await waitFor('February tied out', async () => {
      const row = await close(id);
      return row.Status__c === 'Tied' || row.Status__c === 'Difference' ? row : undefined;
    });
    expect(done).toMatchObject({ Status__c: 'Tied', Xero_Deferred_Balance__c: 1000 });
    expect(await journalsWith(key)).toBe(1);
  }, 60_000);

  it('March, locked in Xero: Refused with what to do, nothing posted', async () => {
    await clockTo('2026-04-02T09:00:00Z');
    sandbox.xero.control.setLockDates(UK, { periodLockDate: '2026-03-31' });
    const id = await proposed('2026-03', { kind: 'first-close' });
    approve(id);
    const refused = await waitFor('March refused', async () => {
      const row = await close(id);
      return row.Status__c === 'Refused' ? row : undefined;
    });
    expect(refused).toMatchObject({ Sync_Status__c: 'Error', Xero_Recognition_Journal_Id__c: null });
    expect(refused.Sync_Message__c).toBe(
      "March 2026 is locked in UK_Ltd's Xero organisation: its period lock date is 31 Mar 2026, and nothing can be " +
        'posted on or before it. Nothing was posted. To close March 2026, ask your Xero adviser to move the lock date ' +
        'back before 31 Mar 2026, and the close is proposed again the next morning for you to approve; or leave ' +
        'March 2026 closed and let the April 2026 close, the first open month, post the difference there.',
    );
    expect(await journalsWith(closeVersionKey(id, 1))).toBe(0);
    // March stays locked and Refused: April, the first open month, carries it (closes post in month order, and a
    // refused close in a locked month does not hold the next one up).
  }, 60_000);

  it('a request for a version the close has moved on from posts nothing', async () => {
    const id = await proposed('2026-07', { kind: 'first-close' }, 2);
    await sandbox.store.jobs.enqueueJob({
      key: closeVersionKey(id, 1),
      action: 'POST_CLOSE',
      payload: {
        action: 'POST_CLOSE',
        requestKey: closeVersionKey(id, 1),
        payload: { closeId: id, version: 1 },
      },
    });
    const job = await waitFor('the stale request settled', async () => {
      const [found] = await sandbox.store.jobs
        .listJobs({ states: ['failed', 'dead', 'done'], limit: 500 })
        .then((all) => all.filter((j) => j.key === closeVersionKey(id, 1)));
      return found;
    });
    expect(job.lastError).toContain('Version 1 of UK_Ltd 2026-07 was approved, but the close is now at version 2');
    expect(await journalsWith(closeVersionKey(id, 1))).toBe(0);
    expect((await close(id)).Status__c).toBe('Proposed');
  }, 60_000);

  it('a manual journal someone made in Xero on deferred revenue: Difference, with it named as a possible cause', async () => {
    await clockTo('2026-05-02T09:00:00Z');
    await xeroApi().createManualJournals(
      UK,
      {
        manualJournals: [
          {
            narration: 'Reclass by the bookkeeper',
            date: '2026-04-15',
            status: 'POSTED' as never,
            journalLines: [
              { lineAmount: 25, accountCode: '835', description: 'Reclass' },
              { lineAmount: -25, accountCode: '200', description: 'Reclass' },
            ],
          },
        ],
      },
      undefined,
      'bookkeeper-reclass-april',
    );
    // Xero holds 1,000.00 of deferred revenue after February, 975.00 after the reclass; March was never closed, so
    // April's first close posts its own month (100.00): 875.00 in Xero, 800.00 by the schedules.
    const id = await proposed('2026-04', { kind: 'first-close' });
    approve(id);
    const done = await waitFor('April tied out', async () => {
      const row = await close(id);
      return row.Status__c === 'Tied' || row.Status__c === 'Difference' ? row : undefined;
    });
    expect(done.Status__c).toBe('Difference');
    expect(String(done.Tie_Out_Result__c)).toContain(
      "Possible cause: a manual journal made in Xero: manual journal 'Reclass by the bookkeeper' of 15 Apr 2026 " +
        '(-25.00 GBP on 835)',
    );
  }, 60_000);

  async function clockTo(iso: string): Promise<void> {
    clock.set(Date.parse(iso));
  }
});
