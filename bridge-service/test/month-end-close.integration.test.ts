/**
 * Issue 16 end to end, against both emulators and the real bridge on one calendar the test moves forward (the
 * sandbox's shared clock). Two entities in two currencies bill three months: UK_Ltd (GBP) a year of seats invoiced
 * annually in advance, upsold from February and reduced from March (a credit note); US_Inc (USD) seats billed monthly
 * in arrears (unbilled revenue accrued at each month end). Finance approves every document the bridge drafts. After
 * each month ends the bridge proposes each entity's close; finance approves it through the approval process; the
 * bridge posts it once and ties it out: Xero's deferred and accrued revenue equal the schedules (Revenue_Month__c) to
 * the cent. Every close request is replayed and creates no second journal. A month locked in Xero between proposal
 * and approval is refused and nothing is posted.
 */
import pino from 'pino';
import { XeroClient } from 'xero-node';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { connect } from '../sandbox/salesforce/test-helpers';
import { ScaledClock } from '../sandbox/shared/clock';
import { calendar } from './calendar';
import { waitFor } from './wait-for';

const SALES = 'sam.seller@ledgerline.example';
const FINANCE = 'fran.finance@ledgerline.example';
const INTEGRATION = 'integration@ledgerline.example';
const TENANT = { UK_Ltd: '11111111-1111-4111-8111-111111111111', US_Inc: '22222222-2222-4222-8222-222222222222' };
const ACCOUNTS = { UK_Ltd: { deferred: '835', accrued: '630' }, US_Inc: { deferred: '240', accrued: '130' } };

type Row = Record<string, unknown>;
type Entity = keyof typeof TENANT;

describe('month-end close end to end: three months, two entities, two currencies', () => {
  const clock = new ScaledClock({ start: Date.parse('2025-12-20T09:00:00Z'), scale: 1 });
  let sandbox: Sandbox;
  const sales = () => connect(sandbox.sf, SALES);
  const admin = () => connect(sandbox.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
  const deals: Record<string, string> = {};
  const entries = new Map<string, string>();
  const approvedDocuments = new Set<string>();

  const xero = () => {
    const client = new XeroClient();
    const tokens = sandbox.xero.control.issueTokens();
    client.setTokenSet({ ...tokens, expires_at: Math.floor(sandbox.xero.control.now() / 1000) + tokens.expires_in });
    client.accountingApi.basePath = sandbox.xero.apiUrl;
    return client.accountingApi;
  };

  const { to, settled } = calendar(() => sandbox.store.jobs, clock, { stepDays: 10 });

  beforeAll(async () => {
    sandbox = await startSandbox({
      clock,
      bridge: { workerIdleMs: 50, referenceTtlMs: 0, pollIntervalMs: 60_000 },
      logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
    });
    const { org } = sandbox.sf;
    const ctx = { userId: org.resolveUser(INTEGRATION).Id };
    const standard = org.records(org.object('Pricebook2')).find((p) => p.IsStandard === true)!;
    org.transaction(() => {
      const seat = org.insert(
        'Product2',
        { Name: 'Seats', ProductCode: 'SEAT', IsActive: true, [org.n('Revenue_Recognition__c')]: 'Ratable' },
        ctx,
      );
      for (const currency of ['GBP', 'USD'])
        entries.set(
          currency,
          org.insert(
            'PricebookEntry',
            { Pricebook2Id: standard.Id, Product2Id: seat, CurrencyIsoCode: currency, UnitPrice: 1200, IsActive: true },
            ctx,
          ),
        );
    });
  }, 60_000);
  afterAll(() => sandbox?.close());

  /** A rep wins a deal (or an amendment of one) for `seats` seats at 1,200.00 a seat-year. */
  async function win(name: string, fields: Row, seats: number): Promise<string> {
    const account = (await sales()
      .sobject('Account')
      .create({
        Name: `${name} account`,
        BillingCountry: fields.CurrencyIsoCode === 'USD' ? 'US' : 'GB',
        CurrencyIsoCode: fields.CurrencyIsoCode,
      })) as { id: string };
    const accountId = fields.Amended_Opportunity__c
      ? ((await admin().sobject('Opportunity').retrieve(String(fields.Amended_Opportunity__c))) as Row).AccountId
      : account.id;
    const created = (await sales()
      .sobject('Opportunity')
      .create({
        Name: name,
        AccountId: accountId,
        StageName: 'Negotiation/Review',
        CloseDate: new Date(clock.now()).toISOString().slice(0, 10),
        ...fields,
      })) as { id: string };
    await sales()
      .sobject('OpportunityLineItem')
      .create({
        OpportunityId: created.id,
        PricebookEntryId: entries.get(String(fields.CurrencyIsoCode)),
        Quantity: seats,
        UnitPrice: 1200,
      });
    await sales().sobject('Opportunity').update({ Id: created.id, StageName: 'Closed Won' });
    // Settled only counts once the request has reached the bridge (streaming may be reconnecting after a jump).
    await waitFor(`${name} drafting queued`, () => sandbox.store.jobs.getJobByKey(`CREATE_DRAFT:${created.id}:1`));
    await settled();
    return created.id;
  }

  /** Finance approves every document the bridge has drafted so far, and the bridge authorises each in Xero. */
  async function approveDocuments(): Promise<void> {
    for (const object of ['Invoice__c', 'Credit_Note__c']) {
      const { records } = await admin().query<Row>(`SELECT Id, Status__c FROM ${object}`);
      for (const doc of records) {
        const id = String(doc.Id);
        if (approvedDocuments.has(id)) continue;
        approvedDocuments.add(id);
        sandbox.sf.control.approvals.submit(id, { user: object === 'Invoice__c' ? SALES : FINANCE });
        sandbox.sf.control.approvals.approve(id, { user: FINANCE });
        await waitFor(`${object} ${id} authorised`, async () => {
          const row = (await admin().query<Row>(`SELECT Status__c FROM ${object} WHERE Id = '${id}'`)).records[0];
          return row?.Status__c === 'Authorised' || row?.Status__c === 'Paid' ? true : undefined;
        });
      }
    }
    await settled();
  }

  const closeOf = async (entity: Entity, month: string) =>
    (
      await admin().query<Row>(
        'SELECT Id, Status__c, Version__c, Sync_Status__c, Sync_Message__c, Opening_Deferred__c, Closing_Deferred__c, ' +
          'Closing_Accrued__c, ' +
          'Recognition_Total__c, Catch_Up__c, Accrual_Total__c, Xero_Deferred_Balance__c, Xero_Accrued_Balance__c, ' +
          'Tie_Out_Difference__c, Tie_Out_Result__c, Xero_Recognition_Journal_Id__c FROM Month_End_Close__c ' +
          `WHERE Close_Key__c = '${entity}:${month}'`,
      )
    ).records[0];

  /** The schedules' balances for an entity's month: Revenue_Month__c closing deferred and unbilled, summed. */
  async function schedules(entity: Entity, month: string): Promise<{ deferred: number; unbilled: number }> {
    const { records } = await admin().query<Row>(
      `SELECT Closing_Deferred__c, Closing_Unbilled__c FROM Revenue_Month__c WHERE Billing_Entity__c = '${entity}' ` +
        `AND Month__c = ${month}-01`,
    );
    const cents = (field: string) => records.reduce((t, r) => t + Math.round(Number(r[field] ?? 0) * 100), 0);
    return { deferred: cents('Closing_Deferred__c') / 100, unbilled: cents('Closing_Unbilled__c') / 100 };
  }

  /** An entity's Revenue_Month__c rows of one month (the plan's entity, as the close reads plans), by key. */
  const monthRows = async (entity: Entity, month: string, fields: string) =>
    (
      await admin().query<Row>(
        `SELECT Month_Key__c, ${fields} FROM Revenue_Month__c WHERE Billing_Plan__r.Billing_Entity__c = '${entity}' ` +
          `AND Month__c = ${month}-01 ORDER BY Month_Key__c`,
      )
    ).records.map(({ attributes: _attributes, ...row }) => row);

  /** Xero's Trial Balance at the month end: an account's YTD balance, debit positive. */
  async function trialBalance(entity: Entity, date: string, code: string): Promise<number> {
    const report = (await xero().getReportTrialBalance(TENANT[entity], date)).body.reports![0]!;
    const row = (report.rows ?? [])
      .flatMap((s) => s.rows ?? [])
      .find((r) => (r.cells?.[0]?.value ?? '').endsWith(`(${code})`));
    const [, , , debit, credit] = (row?.cells ?? []).map((c) => c.value ?? '');
    return (Math.round(Number(debit || 0) * 100) - Math.round(Number(credit || 0) * 100)) / 100;
  }

  const journalsOf = async (entity: Entity, closeId: string) =>
    (
      (await xero().getManualJournals(TENANT[entity], undefined, `Narration.Contains("[POST_CLOSE:${closeId}:")`)).body
        .manualJournals ?? []
    ).map((j) => `${String(j.status)} ${j.narration ?? ''}`);

  /** Finance approves the entity's proposed close; the bridge posts it and ties it out; the request is replayed. */
  async function closeMonth(entity: Entity, month: string, monthEnd: string): Promise<Row> {
    const proposed = await waitFor(`${entity} ${month} proposed`, async () => {
      const row = await closeOf(entity, month);
      return row?.Status__c === 'Proposed' ? row : undefined;
    });
    const id = String(proposed.Id);
    sandbox.sf.control.approvals.submit(id, { user: FINANCE });
    sandbox.sf.control.approvals.approve(id, { user: FINANCE, comment: 'Agrees with the schedules' });
    const done = await waitFor(`${entity} ${month} tied out`, async () => {
      const row = await closeOf(entity, month);
      return row?.Status__c === 'Tied' || row?.Status__c === 'Difference' ? row : undefined;
    });
    const posted = await journalsOf(entity, id);
    // Every close request replayed (the same event again): nothing posted twice.
    const ctx = { userId: sandbox.sf.org.resolveUser(INTEGRATION).Id };
    sandbox.sf.org.publish(
      'Invoice_Request__e',
      {
        Action__c: 'POST_CLOSE',
        Request_Key__c: `POST_CLOSE:${id}:${String(done.Version__c)}`,
        Payload__c: JSON.stringify({ closeId: id, version: done.Version__c }),
      },
      ctx,
    );
    await settled();
    expect(await journalsOf(entity, id)).toEqual(posted);
    expect(posted.length).toBeGreaterThan(0);
    expect(posted.every((j) => j.startsWith('POSTED '))).toBe(true);

    // Ties to the cent: the close, Xero's Trial Balance and the schedules agree.
    const wanted = await schedules(entity, month);
    expect(done).toMatchObject({
      Status__c: 'Tied',
      Tie_Out_Difference__c: 0,
      Closing_Deferred__c: wanted.deferred,
      Closing_Accrued__c: wanted.unbilled,
      Xero_Deferred_Balance__c: wanted.deferred,
      Xero_Accrued_Balance__c: wanted.unbilled,
    });
    // deferred revenue is a credit balance
    expect((await trialBalance(entity, monthEnd, ACCOUNTS[entity].deferred)) + wanted.deferred).toBe(0);
    expect(await trialBalance(entity, monthEnd, ACCOUNTS[entity].accrued)).toBe(wanted.unbilled);
    // Posting closed the month's revenue months: the revenue side never rewrites them again.
    const statuses = await monthRows(entity, month, 'Status__c');
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses.map((r) => r.Status__c))).toEqual(new Set(['Closed']));
    // eslint-disable-next-line no-console -- the measured figures, for the README
    if (process.env.CLOSE_FIGURES) console.log(entity, month, JSON.stringify({ ...done, schedules: wanted }));
    return done;
  }

  it('January: UK deferred revenue released from the annual invoice, US January accrued; both tie', async () => {
    deals.uk = await win(
      'Northwind seats 2026',
      {
        CurrencyIsoCode: 'GBP',
        Service_Start_Date__c: '2026-01-01',
        Service_End_Date__c: '2026-12-31',
        Billing_Frequency__c: 'Annual',
        Billing_Timing__c: 'In Advance',
      },
      10,
    );
    deals.us = await win(
      'Contoso seats 2026',
      {
        CurrencyIsoCode: 'USD',
        Service_Start_Date__c: '2026-01-01',
        Service_End_Date__c: '2026-12-31',
        Billing_Frequency__c: 'Monthly',
        Billing_Timing__c: 'In Arrears',
      },
      6,
    );
    await to('2026-01-01T06:00:01Z');
    await approveDocuments();
    await to('2026-01-20T10:00:00Z');
    // The amendment: 2 more UK seats from 1 February, billed on that date.
    await win(
      'Northwind upsell',
      {
        CurrencyIsoCode: 'GBP',
        Service_Start_Date__c: '2026-02-01',
        Service_End_Date__c: '2026-12-31',
        Invoice_Type__c: 'Amendment',
        Amended_Opportunity__c: deals.uk,
      },
      12,
    );
    await to('2026-02-01T13:00:00Z');
    const uk = await closeMonth('UK_Ltd', '2026-01', '2026-01-31');
    // Deferral at invoicing: the 12,000.00 invoice posted to deferred revenue (835); 31 of 365 days earned: the
    // recognition journal releases 1,019.18, and 10,980.82 stays deferred.
    expect(uk).toMatchObject({ Recognition_Total__c: 1019.18, Closing_Deferred__c: 10980.82, Closing_Accrued__c: 0 });
    // Deferral at invoicing: the seats (ratable) are invoiced to UK_Ltd's deferred revenue account
    const invoices =
      (
        await xero().getInvoices(
          TENANT.UK_Ltd,
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          1,
        )
      ).body.invoices ?? [];
    // (the annual invoice, and the upsell's drafted this morning)
    expect(new Set(invoices.flatMap((i) => (i.lineItems ?? []).map((l) => l.accountCode)))).toEqual(new Set(['835']));
    const us = await closeMonth('US_Inc', '2026-01', '2026-01-31');
    // 7,200.00 a year, 31 of 365 days earned and not yet invoiced: 611.51 accrued.
    expect(us).toMatchObject({ Accrual_Total__c: 611.51, Closing_Accrued__c: 611.51, Closing_Deferred__c: 0 });
    await approveDocuments();
  }, 180_000);

  it('February: the upsell billed and released, the January accrual reversed and February accrued; both tie', async () => {
    await to('2026-02-20T10:00:00Z');
    // The credit note to come: back to 8 UK seats from 1 March, credited on that date.
    await win(
      'Northwind reduction',
      {
        CurrencyIsoCode: 'GBP',
        Service_Start_Date__c: '2026-03-01',
        Service_End_Date__c: '2026-12-31',
        Invoice_Type__c: 'Amendment',
        Amended_Opportunity__c: deals.uk,
      },
      8,
    );
    await to('2026-03-01T13:00:00Z');
    // January's and February's arrears invoices, the annual invoice and the upsell's invoice (1 February).
    const invoices = (
      await admin().query<Row>("SELECT Billing_Entity__c, Issue_Date__c FROM Invoice__c WHERE Status__c = 'Authorised'")
    ).records
      .map((r) => `${String(r.Billing_Entity__c)} ${String(r.Issue_Date__c)}`)
      .sort();
    expect(invoices).toEqual(['UK_Ltd 2026-01-01', 'UK_Ltd 2026-02-01', 'US_Inc 2026-02-01']);
    await closeMonth('UK_Ltd', '2026-02', '2026-02-28');
    await closeMonth('US_Inc', '2026-02', '2026-02-28');
    await approveDocuments();
  }, 180_000);

  it('March: the credit note reduces deferred revenue and UK ties; US is locked in Xero after its proposal: refused, nothing posted', async () => {
    await to('2026-04-01T13:00:00Z');
    const credits = (await admin().query<Row>('SELECT Status__c, Issue_Date__c, Sub_Total__c FROM Credit_Note__c'))
      .records;
    expect(credits).toEqual([expect.objectContaining({ Issue_Date__c: '2026-03-01' })]);
    expect(['Authorised', 'Paid']).toContain(credits[0]!.Status__c);
    await closeMonth('UK_Ltd', '2026-03', '2026-03-31');
    const proposed = await waitFor('US_Inc March proposed', async () => {
      const row = await closeOf('US_Inc', '2026-03');
      return row?.Status__c === 'Proposed' ? row : undefined;
    });
    sandbox.xero.control.setLockDates(TENANT.US_Inc, { periodLockDate: '2026-03-31' });
    const id = String(proposed.Id);
    sandbox.sf.control.approvals.submit(id, { user: FINANCE });
    sandbox.sf.control.approvals.approve(id, { user: FINANCE });
    const refused = await waitFor('US_Inc March refused', async () => {
      const row = await closeOf('US_Inc', '2026-03');
      return row?.Status__c === 'Refused' ? row : undefined;
    });
    expect(String(refused.Sync_Message__c)).toMatch(
      /^March 2026 is locked in US_Inc's Xero organisation: its period lock date is 31 Mar 2026.* Nothing was posted\./,
    );
    expect(await journalsOf('US_Inc', id)).toEqual([]);

    // The adviser moves the lock date back; the next morning the close is proposed again as version 2, finance
    // approves it, and it is posted and ties (the version 1 lines are Superseded, never posted).
    sandbox.xero.control.setLockDates(TENANT.US_Inc, { periodLockDate: null });
    await to('2026-04-02T13:00:00Z');
    const again = await closeMonth('US_Inc', '2026-03', '2026-03-31');
    expect(again).toMatchObject({ Id: id, Version__c: 2 });
    const lines = (
      await admin().query<Row>(
        `SELECT Version__c, Status__c FROM Month_End_Journal_Line__c WHERE Month_End_Close__c = '${id}'`,
      )
    ).records.map((l) => `v${String(l.Version__c)} ${String(l.Status__c)}`);
    expect(new Set(lines)).toEqual(new Set(['v1 Superseded', 'v2 Posted']));
  }, 180_000);
  it('April: a reduction signed in April and backdated to 15 March leaves posted March as it was; April carries it and ties', async () => {
    await to('2026-04-10T10:00:00Z');
    const FIGURES =
      'Status__c, Opening_Deferred__c, Billed__c, Credited__c, Recognised__c, Released_From_Deferred__c, ' +
      'Closing_Deferred__c, Closing_Unbilled__c, Lines__c';
    const march = await monthRows('UK_Ltd', '2026-03', FIGURES);
    const marchClose = await closeOf('UK_Ltd', '2026-03');
    const marchJournals = await journalsOf('UK_Ltd', String(marchClose!.Id));
    const marchBalance = await trialBalance('UK_Ltd', '2026-03-31', ACCOUNTS.UK_Ltd.deferred);
    // 8 seats down to 6 from 15 March, a month already closed and posted.
    await win(
      'Northwind backdated reduction',
      {
        CurrencyIsoCode: 'GBP',
        Service_Start_Date__c: '2026-03-15',
        Service_End_Date__c: '2026-12-31',
        Invoice_Type__c: 'Amendment',
        Amended_Opportunity__c: deals.uk,
      },
      6,
    );
    await approveDocuments();
    // A concession: finance credits 240.00 (net) of the annual invoice in Xero, dated 20 March (closed and posted).
    await to('2026-04-12T10:00:00Z');
    // (a document raised in Xero reaches Salesforce by webhook)
    sandbox.xero.control.configureWebhooks({ url: `${sandbox.url}/webhooks/xero`, batchDelayMs: 20 });
    const annual = (
      await admin().query<Row>(
        "SELECT Id, Xero_Invoice_Id__c FROM Invoice__c WHERE Billing_Entity__c = 'UK_Ltd' AND Issue_Date__c = 2026-01-01",
      )
    ).records[0]!;
    const inXero = (await xero().getInvoice(TENANT.UK_Ltd, String(annual.Xero_Invoice_Id__c))).body.invoices![0]!;
    const note = (
      await xero().createCreditNotes(TENANT.UK_Ltd, {
        creditNotes: [
          {
            type: 'ACCRECCREDIT' as never,
            contact: { contactID: inXero.contact!.contactID! },
            date: '2026-03-20',
            currencyCode: inXero.currencyCode,
            status: 'AUTHORISED' as never,
            lineItems: [
              {
                description: 'Service credit',
                quantity: 1,
                unitAmount: 240,
                accountCode: ACCOUNTS.UK_Ltd.deferred,
                taxType: inXero.lineItems![0]!.taxType,
              },
            ],
          },
        ],
      })
    ).body.creditNotes![0]!;
    await xero().createCreditNoteAllocation(TENANT.UK_Ltd, note.creditNoteID!, {
      allocations: [{ invoice: { invoiceID: inXero.invoiceID! }, amount: Number(note.total), date: '2026-03-20' }],
    });
    await sandbox.xero.control.flushWebhooks();
    await waitFor('the concession in Salesforce', async () => {
      const { records } = await admin().query<Row>(
        `SELECT Invoice__c FROM Credit_Note__c WHERE Xero_Credit_Note_Id__c = '${note.creditNoteID}'`,
      );
      return records[0]?.Invoice__c === annual.Id ? true : undefined;
    });
    await to('2026-04-20T10:00:00Z');
    // The reduction's credit note is dated the day it was signed; the concession where finance dated it.
    const credits = (
      await admin().query<Row>('SELECT Issue_Date__c, Sub_Total__c FROM Credit_Note__c ORDER BY Issue_Date__c')
    ).records.map((r) => `${String(r.Issue_Date__c)} ${String(r.Sub_Total__c)}`);
    expect(credits).toEqual(['2026-03-01 4024.11', '2026-03-20 240', '2026-04-10 1920']);
    // The posted month is untouched: its revenue months, its close and its journals in Xero. Only the concession
    // itself, a document dated in March, moves Xero's March deferred revenue (by its 240.00).
    expect(await monthRows('UK_Ltd', '2026-03', FIGURES)).toEqual(march);
    expect(await closeOf('UK_Ltd', '2026-03')).toEqual(marchClose);
    expect(await journalsOf('UK_Ltd', String(marchClose!.Id))).toEqual(marchJournals);
    expect(await trialBalance('UK_Ltd', '2026-03-31', ACCOUNTS.UK_Ltd.deferred)).toBe(marchBalance + 240);

    await to('2026-05-01T13:00:00Z');
    const april = await closeMonth('UK_Ltd', '2026-04', '2026-04-30');
    // April's recognition journal carries April's release once, net of a catch-up of −59.18, the concession's share of
    // March (51.29 of service delivered before 20 March, and 12 of its 287 remaining days) that March released. The
    // 1,920.00 reduction credit note needs no journal: approval sent the lines it was recorded with, so it posted to
    // deferred revenue as its invoice did (sent as one line to the revenue account, it was moved back: 2,420.68).
    expect(april).toMatchObject({ Recognition_Total__c: 500.68, Catch_Up__c: -59.18, Closing_Deferred__c: 4572.19 });
  }, 180_000);

  it('May: the backdated reduction stays where April put it: no second catch-up, and May opens where April closed', async () => {
    const FIGURES = 'Status__c, Opening_Deferred__c, Closing_Deferred__c, Recognised__c, Lines__c';
    const april = await monthRows('UK_Ltd', '2026-04', FIGURES);
    await to('2026-06-01T13:00:00Z');
    const may = await closeMonth('UK_Ltd', '2026-05', '2026-05-31');
    // The reduction was signed on 10 April, when March was the last closed month: its revenue starts on 1 April,
    // fixed by its signing, so April closing does not make the plan spread it from 15 March again.
    const sum = (rows: Row[], field: string) => rows.reduce((t, r) => t + Math.round(Number(r[field] ?? 0) * 100), 0);
    const mayRows = await monthRows('UK_Ltd', '2026-05', FIGURES);
    expect(await monthRows('UK_Ltd', '2026-04', FIGURES)).toEqual(april);
    expect(sum(april, 'Closing_Deferred__c')).toBe(457219);
    expect(sum(mayRows, 'Opening_Deferred__c')).toBe(sum(april, 'Closing_Deferred__c'));
    // May's close opens where April's closed and releases May's revenue with nothing caught up (before the rule:
    // a catch-up of −99.59 and an opening of 4,671.78).
    // 578.52: 6 seats' May (7,200.00 × 31/365 = 611.51), less the concession's May share (188.71 over 287 days from
    // 20 March: 20.38), less the reduction's credit beyond 1 April (1,920.00 prices 2 seats from 15 March, 111.78 more
    // than 2 seats from 1 April, taken over the 275 days left: 12.61 in May, cumulative rounding).
    expect(may).toMatchObject({
      Catch_Up__c: 0,
      Opening_Deferred__c: 4572.19,
      Recognition_Total__c: 578.52,
      Closing_Deferred__c: 3993.67,
    });
    expect(Math.round((4572.19 - Number(may.Recognition_Total__c)) * 100)).toBe(
      Math.round(Number(may.Closing_Deferred__c) * 100),
    );
    // eslint-disable-next-line no-console -- the measured figures, for the README
    if (process.env.CLOSE_FIGURES) console.log(JSON.stringify({ may, mayRows }));
  }, 180_000);
});
