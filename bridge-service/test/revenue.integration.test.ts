/**
 * Issue 15 end to end: the worked 3-year deal (test/fixtures/revenue) against both emulators and the real bridge,
 * on one calendar that the test moves forward (the sandbox's shared clock: emulators, bridge and its store). A rep
 * closes the deal, an upsell and a partial cancellation on their dates; finance approves each document the bridge
 * drafts; the test checks Xero's invoices and credit note (dates, due dates, totals), the plan, instalments and
 * revenue months in Salesforce, and that the balances roll forward to nothing at the end of the term. Then the
 * downtime case: a bridge stopped across an instalment's date raises it once when it starts again.
 */
import pino from 'pino';
import { XeroClient } from 'xero-node';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import type { SalesforceOrg } from '../sandbox/salesforce/salesforce-org';
import { connect } from '../sandbox/salesforce/test-helpers';
import { ScaledClock } from '../sandbox/shared/clock';
import { loadScenarioExpected, loadScenarioInput, type ScenarioInput } from './fixtures/revenue/scenario';
import { calendar } from './calendar';
import { waitFor } from './wait-for';

const SALES = 'sam.seller@ledgerline.example';
const FINANCE = 'fran.finance@ledgerline.example';
const INTEGRATION = 'integration@ledgerline.example';
const UK = '11111111-1111-4111-8111-111111111111';

type Row = Record<string, unknown>;

/** Products and prices of the scenario, loaded as a data load would (not through the API). */
function loadProducts(org: SalesforceOrg, input: ScenarioInput): Map<string, string> {
  const ctx = { userId: org.resolveUser(INTEGRATION).Id };
  const standard = org.records(org.object('Pricebook2')).find((p) => p.IsStandard === true)!;
  const entries = new Map<string, string>();
  org.transaction(() => {
    for (const [code, product] of Object.entries(input.products)) {
      const id = org.insert(
        'Product2',
        {
          Name: product.Name,
          ProductCode: product.ProductCode,
          IsActive: true,
          [org.n('Revenue_Recognition__c')]: product.Revenue_Recognition__c,
          [org.n('Standalone_Selling_Price__c')]: product.Standalone_Selling_Price__c,
        },
        ctx,
      );
      const unit = input.events.flatMap((e) => e.lineItems).find((l) => l.product === code)!.UnitPrice;
      entries.set(
        code,
        org.insert(
          'PricebookEntry',
          { Pricebook2Id: standard.Id, Product2Id: id, CurrencyIsoCode: 'GBP', UnitPrice: unit, IsActive: true },
          ctx,
        ),
      );
    }
  });
  return entries;
}

function xeroReader(sandbox: Sandbox) {
  const xero = new XeroClient();
  return () => {
    const tokens = sandbox.xero.control.issueTokens();
    xero.setTokenSet({ ...tokens, expires_at: Math.floor(sandbox.xero.control.now() / 1000) + tokens.expires_in });
    xero.accountingApi.basePath = sandbox.xero.apiUrl;
    return xero.accountingApi;
  };
}

const isoOf = (value: unknown) =>
  value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);

describe('a 3-year deal billed annually in advance, upsold and partly cancelled', () => {
  const input = loadScenarioInput();
  const expected = loadScenarioExpected() as {
    instalments: {
      issueDate: string;
      kind: string;
      xero: { type: string; dueDate: string; subTotal: string; totalTax: string; total: string };
    }[];
    months: Record<string, string>[];
  };
  const clock = new ScaledClock({ start: Date.parse('2024-12-20T09:00:00Z'), scale: 1 });
  let sandbox: Sandbox;
  // Sessions last two hours of the shared calendar, which moves by weeks: each step signs in again.
  const sales = () => connect(sandbox.sf, SALES);
  const admin = () => connect(sandbox.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
  let cal: ReturnType<typeof calendar>;
  let xero: ReturnType<typeof xeroReader>;
  let accountId: string;
  let entries: Map<string, string>;
  const ids: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({
      clock,
      bridge: { workerIdleMs: 50, referenceTtlMs: 0, pollIntervalMs: 60_000 },
      logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
    });
    cal = calendar(() => sandbox.store.jobs, clock);
    xero = xeroReader(sandbox);
    entries = loadProducts(sandbox.sf.org, input);
    const account = (await sales().sobject('Account').create({
      Name: input.account.Name,
      BillingCountry: 'GB',
      BillingCity: 'London',
      CurrencyIsoCode: 'GBP',
    })) as { id: string };
    accountId = account.id;
  }, 60_000);

  afterAll(() => sandbox?.close());

  /** A rep records an event's Opportunity (the deal, or an amendment of it) with its products, and wins it. */
  async function win(event: ScenarioInput['events'][number]): Promise<string> {
    const { Id: _id, ...fields } = event.opportunity as Row;
    const amends = fields.Amended_Opportunity__c ? { Amended_Opportunity__c: ids[0] } : {};
    const created = (await sales()
      .sobject('Opportunity')
      .create({
        ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null)),
        ...amends,
        AccountId: accountId,
        StageName: 'Negotiation/Review',
      })) as { id: string };
    await sales()
      .sobject('OpportunityLineItem')
      .create(
        event.lineItems.map((line) => ({
          OpportunityId: created.id,
          PricebookEntryId: entries.get(line.product),
          Quantity: line.Quantity,
          UnitPrice: line.UnitPrice,
          ...(line.ServiceDate ? { ServiceDate: line.ServiceDate } : {}),
        })),
      );
    await sales().sobject('Opportunity').update({ Id: created.id, StageName: 'Closed Won' });
    ids.push(created.id);
    return created.id;
  }

  const plan = async () =>
    (
      await admin().query<Row>(
        'SELECT Id, Status__c, Version__c, Contract_Value__c, Invoiced_Amount__c, Remaining_To_Bill__c, Next_Instalment_Date__c, ' +
          'Next_Instalment_Amount__c, Recognised_To_Date__c, Deferred_Revenue__c, Unbilled_Revenue__c, Balances_As_Of__c, ' +
          'Billing_Frequency__c, Sync_Status__c, Sync_Message__c, ' +
          '(SELECT Instalment_Key__c, Issue_Date__c, Amount__c, Document_Type__c, Status__c, Invoice__c, Credit_Note__c FROM Instalments__r ORDER BY Issue_Date__c) ' +
          `FROM Billing_Plan__c WHERE Plan_Key__c = '${ids[0]}'`,
      )
    ).records[0];
  const instalments = (row: Row | undefined) => (row?.Instalments__r as { records?: Row[] } | null)?.records ?? [];

  /** Finance approves the document the bridge drafted for an instalment, and the bridge authorises it in Xero. */
  async function approve(instalment: Row): Promise<void> {
    const id = (instalment.Invoice__c ?? instalment.Credit_Note__c) as string;
    const object = instalment.Invoice__c ? 'Invoice__c' : 'Credit_Note__c';
    sandbox.sf.control.approvals.submit(id, { user: object === 'Invoice__c' ? SALES : FINANCE });
    sandbox.sf.control.approvals.approve(id, { user: FINANCE });
    await waitFor(`${object} ${id} authorised`, async () => {
      const { records } = await admin().query<Row>(`SELECT Status__c FROM ${object} WHERE Id = '${id}'`);
      // a credit note allocated in full to its invoice is Paid at once
      return records[0]?.Status__c === 'Authorised' || records[0]?.Status__c === 'Paid' ? true : undefined;
    });
  }

  /** Moves to an instalment's issue date; it is raised that day (not before), and finance approves it. */
  async function raisedOn(date: string, index: number): Promise<Row> {
    await cal.to(`${date}T05:00:00Z`);
    // 05:00 UTC is before 06:00 in London in winter and 06:00 BST in summer is 05:00 UTC: look an hour later too.
    await cal.to(`${date}T06:00:01Z`);
    const row = await waitFor(`the instalment of ${date} raised`, async () => {
      const found = instalments(await plan()).find((i) => i.Issue_Date__c === date && i.Status__c === 'Raised');
      return found;
    });
    expect(instalments(await plan()).filter((i) => i.Status__c === 'Raised')).toHaveLength(index + 1);
    await approve(row);
    return row;
  }

  it('plans the deal when it closes, before its first invoice exists', async () => {
    await win(input.events[0]!);
    await cal.settled();
    const row = await waitFor('the plan', plan);
    expect(row).toMatchObject({
      Status__c: 'Planned',
      Billing_Frequency__c: 'Annual',
      Contract_Value__c: 112500,
      Invoiced_Amount__c: 0,
      Next_Instalment_Date__c: '2025-01-01',
      Next_Instalment_Amount__c: 40500,
      Sync_Status__c: 'Synced',
    });
    expect(
      instalments(row).map((i) => `${String(i.Issue_Date__c)} ${String(i.Amount__c)} ${String(i.Status__c)}`),
    ).toEqual(['2025-01-01 40500 Planned', '2026-01-01 36000 Planned', '2027-01-01 36000 Planned']);
    const { records } = await admin().query<Row>(`SELECT Id FROM Invoice__c WHERE Opportunity__c = '${ids[0]}'`);
    expect(records).toEqual([]);
    // Nothing early: the last evening of 2024 in London, still nothing.
    await cal.to('2024-12-31T23:59:00Z');
    expect((await admin().query<Row>(`SELECT Id FROM Invoice__c WHERE Opportunity__c = '${ids[0]}'`)).records).toEqual(
      [],
    );
  }, 60_000);

  it('raises each document on its date with Xero-exact totals, through the changes, and finance approves each', async () => {
    await raisedOn('2025-01-01', 0);
    await cal.to('2025-06-25T10:00:00Z');
    await win(input.events[1]!);
    await cal.settled();
    await waitFor('the plan after the upsell', async () =>
      instalments(await plan()).some((i) => i.Issue_Date__c === '2025-07-01' && i.Status__c === 'Planned')
        ? true
        : undefined,
    );
    await raisedOn('2025-07-01', 1);
    await raisedOn('2026-01-01', 2);
    await cal.to('2026-06-20T10:00:00Z');
    await win(input.events[2]!);
    await cal.settled();
    await waitFor('the plan after the cancellation', async () =>
      instalments(await plan()).some((i) => i.Issue_Date__c === '2026-07-01' && i.Document_Type__c === 'Credit Note')
        ? true
        : undefined,
    );
    await raisedOn('2026-07-01', 3);
    await raisedOn('2027-01-01', 4);

    const api = xero();
    const invoices = ((await api.getInvoices(UK)).body.invoices ?? []).filter((i) =>
      (i.reference ?? '').includes(String(input.events[0]!.opportunity.Name)),
    );
    const notes = ((await api.getCreditNotes(UK)).body.creditNotes ?? []).filter((n) =>
      (n.reference ?? '').includes(String(input.events[0]!.opportunity.Name)),
    );
    const documents = [
      ...invoices.map((i) => ({
        type: 'ACCREC',
        date: isoOf(i.date),
        due: isoOf(i.dueDate),
        status: String(i.status),
        subTotal: i.subTotal,
        tax: i.totalTax,
        total: i.total,
      })),
      ...notes.map((n) => ({
        type: 'ACCRECCREDIT',
        date: isoOf(n.date),
        due: null,
        status: String(n.status),
        subTotal: n.subTotal,
        tax: n.totalTax,
        total: n.total,
      })),
    ].sort((a, b) => a.date.localeCompare(b.date));
    expect(documents).toEqual(
      expected.instalments.map((i) => ({
        type: i.xero.type,
        date: i.issueDate,
        due: i.kind === 'invoice' ? i.xero.dueDate : null,
        // the credit note is allocated in full to the unpaid 2026 invoice: nothing of it remains, so Xero says PAID
        status: i.kind === 'invoice' ? 'AUTHORISED' : 'PAID',
        subTotal: Number(i.xero.subTotal),
        tax: Number(i.xero.totalTax),
        total: Number(i.xero.total),
      })),
    );
    // Deferral at invoicing (issue 16): the ratable seats post to UK_Ltd's deferred revenue (835), the implementation
    // delivered on 15 Feb 2025 (point in time) to revenue (200).
    const first = (
      (await api.getInvoices(UK, undefined, undefined, 'Date ASC', undefined, undefined, undefined, undefined, 1)).body
        .invoices ?? []
    ).find((i) => isoOf(i.date) === '2025-01-01')!;
    expect((first.lineItems ?? []).map((l) => [l.description?.split('\n')[0], l.accountCode]).sort()).toEqual([
      [expect.stringContaining('Implementation'), '200'],
      [expect.stringContaining('Platform seats'), '835'],
    ]);
  }, 240_000);

  it('holds the schedule in Salesforce and rolls the balances forward to nothing at the end of the term', async () => {
    await cal.to('2028-01-02T03:00:00Z');
    const row = await waitFor('the plan completed', async () => {
      const p = await plan();
      return p?.Status__c === 'Completed' && p.Balances_As_Of__c === '2028-01-02' ? p : undefined;
    });
    expect(row).toMatchObject({
      Contract_Value__c: 110679.29,
      Invoiced_Amount__c: 110679.29,
      Remaining_To_Bill__c: 0,
      Recognised_To_Date__c: 110679.29,
      Deferred_Revenue__c: 0,
      Unbilled_Revenue__c: 0,
      Next_Instalment_Date__c: null,
    });
    expect(instalments(row).filter((i) => i.Status__c === 'Raised')).toHaveLength(5);
    const { records } = await admin().query<Row>(
      'SELECT Month__c, Status__c, Opening_Deferred__c, Opening_Unbilled__c, Billed__c, Credited__c, Recognised__c, ' +
        'Released_From_Deferred__c, Closing_Deferred__c, Closing_Unbilled__c FROM Revenue_Month__c ' +
        `WHERE Billing_Plan__r.Plan_Key__c = '${ids[0]}' ORDER BY Month__c`,
    );
    const money = (v: unknown) => Number(v ?? 0).toFixed(2);
    expect(
      records.map((m) => ({
        month: String(m.Month__c).slice(0, 7),
        openingDeferred: money(m.Opening_Deferred__c),
        openingUnbilled: money(m.Opening_Unbilled__c),
        billed: money(m.Billed__c),
        credited: money(m.Credited__c),
        recognised: money(m.Recognised__c),
        releasedFromDeferred: money(m.Released_From_Deferred__c),
        closingDeferred: money(m.Closing_Deferred__c),
        closingUnbilled: money(m.Closing_Unbilled__c),
      })),
    ).toEqual(
      expected.months.filter((m) => m.month! <= '2027-12').map(({ contractKey: _c, recognisedByLine: _r, ...m }) => m),
    );
    expect(records.every((m) => m.Status__c === 'Actual')).toBe(true);
  }, 120_000);
});

describe('a bridge that is down when an instalment falls due', () => {
  const clock = new ScaledClock({ start: Date.parse('2026-01-10T09:00:00Z'), scale: 1 });
  let sandbox: Sandbox;
  let cal: ReturnType<typeof calendar>;
  const admin = () => connect(sandbox.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
  const sales = () => connect(sandbox.sf, SALES);
  let dealId: string;

  beforeAll(async () => {
    sandbox = await startSandbox({
      clock,
      bridge: { workerIdleMs: 50, referenceTtlMs: 0, pollIntervalMs: 60_000 },
      logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
    });
    cal = calendar(() => sandbox.store.jobs, clock);
  }, 60_000);

  afterAll(() => sandbox?.close());

  const invoicesOf = async () =>
    (
      await admin().query<Row>(
        `SELECT Id, Request_Key__c, Issue_Date__c, Sub_Total__c, Xero_Invoice_Id__c FROM Invoice__c WHERE Opportunity__c = '${dealId}' ORDER BY Issue_Date__c`,
      )
    ).records;

  it('raises a first instalment that is due at close at once, through the plan', async () => {
    const { records } = await admin().query<Row>(
      "SELECT Id, AccountId, Pricebook2Id FROM Opportunity WHERE Name = 'Acme - Platform 2026'",
    );
    const seeded = records[0]!;
    const { records: lines } = await admin().query<Row>(
      `SELECT PricebookEntryId, Quantity, UnitPrice FROM OpportunityLineItem WHERE OpportunityId = '${String(seeded.Id)}'`,
    );
    // 12,000.00 a year billed quarterly in advance from 1 Jan 2026, won on 10 Jan: the first quarter is due already.
    const created = (await sales()
      .sobject('Opportunity')
      .create({
        Name: 'Acme - Quarterly 2026',
        AccountId: seeded.AccountId,
        StageName: 'Negotiation/Review',
        CloseDate: '2026-01-10',
        CurrencyIsoCode: 'GBP',
        Service_Start_Date__c: '2026-01-01',
        Service_End_Date__c: '2026-12-31',
        Billing_Frequency__c: 'Quarterly',
        ...(seeded.Pricebook2Id ? { Pricebook2Id: seeded.Pricebook2Id } : {}),
      })) as { id: string };
    dealId = created.id;
    await sales().sobject('OpportunityLineItem').create({
      OpportunityId: dealId,
      PricebookEntryId: lines[0]!.PricebookEntryId,
      Quantity: 100,
      UnitPrice: 120,
    });
    await sales().sobject('Opportunity').update({ Id: dealId, StageName: 'Closed Won' });
    const first = await waitFor('the first quarter', async () => {
      const rows = await invoicesOf();
      return rows.length === 1 && rows[0]!.Xero_Invoice_Id__c ? rows : undefined;
    });
    expect(first.map((i) => [i.Issue_Date__c, i.Sub_Total__c])).toEqual([['2026-01-01', 3000]]);
    expect(String(first[0]!.Request_Key__c)).toMatch(new RegExp(`^${dealId}:[0-9a-f]{12}:2026-01-01$`));
  }, 60_000);

  it('raises the instalment once when the bridge comes back after its date, not while it was down', async () => {
    await cal.to('2026-03-31T12:00:00Z');
    await sandbox.stopBridge();
    const xeroBefore = (sandbox.xero.control.snapshot(UK).invoices as Row[]).length;
    // Down across 1 April (the second quarter's issue date), for three weeks.
    clock.set(Date.parse('2026-04-21T08:00:00Z'));
    expect(await invoicesOf()).toHaveLength(1);
    expect((sandbox.xero.control.snapshot(UK).invoices as Row[]).length).toBe(xeroBefore);

    await sandbox.startBridge();
    const raised = await waitFor('the second quarter, raised late', async () => {
      const rows = await invoicesOf();
      return rows.length === 2 && rows[1]!.Xero_Invoice_Id__c ? rows : undefined;
    });
    // Dated its issue date, not the day the bridge came back.
    expect(raised.map((i) => [i.Issue_Date__c, i.Sub_Total__c])).toEqual([
      ['2026-01-01', 3000],
      ['2026-04-01', 3000],
    ]);
    await cal.settled();
    // Started again (and again): still one invoice for the quarter, in Salesforce and in Xero.
    await sandbox.stopBridge();
    await sandbox.startBridge();
    await cal.settled();
    expect(await invoicesOf()).toHaveLength(2);
    const key = String(raised[1]!.Request_Key__c);
    const job = await sandbox.store.jobs.getJobByKey(key);
    expect(job).toMatchObject({ action: 'RAISE_INSTALMENT', state: 'done', attempts: 1 });
    const inXero = (sandbox.xero.control.snapshot(UK).invoices as Row[]).filter(
      (x) => x.id === raised[1]!.Xero_Invoice_Id__c,
    );
    expect(inXero).toHaveLength(1);
    expect((sandbox.xero.control.snapshot(UK).invoices as Row[]).length).toBe(xeroBefore + 1);
  }, 90_000);

  it('a plan written from a read made before a month closed: Salesforce refuses the month, the job plans again and is done', async () => {
    await cal.settled();
    const org = sandbox.sf.org;
    const months = async () =>
      (
        await admin().query<Row>(
          'SELECT Id, Month_Key__c, Status__c, Recognised__c, Closing_Deferred__c FROM Revenue_Month__c ' +
            `WHERE Billing_Plan__r.Plan_Key__c = '${dealId}' ORDER BY Month__c`,
        )
      ).records;
    const before = await months();
    const march = before.find((m) => String(m.Month_Key__c).endsWith(':2026-03'))!;
    expect(march.Status__c).toBe('Actual');
    // The bridge's next revenue-month write is held; while it is, the month is closed (what posting its close writes).
    let closed = false;
    sandbox.sf.control.delayWrites({
      sobject: 'Revenue_Month__c',
      ms: 100,
      count: 1,
      user: INTEGRATION,
      onHold: () => {
        org.update(
          org.n('Revenue_Month__c'),
          String(march.Id),
          { [org.n('Status__c')]: 'Closed' },
          { userId: org.resolveUser(INTEGRATION).Id },
        );
        closed = true;
      },
    });
    const key = `PLAN_BILLING:race:${dealId}`;
    await sandbox.store.jobs.enqueueJob({
      key,
      action: 'PLAN_BILLING',
      payload: { opportunityIds: [dealId], reason: 'closed-month race' },
    });
    const job = await waitFor('the plan job', async () => {
      const found = await sandbox.store.jobs.getJobByKey(key);
      return found && found.state !== 'queued' && found.state !== 'running' ? found : undefined;
    });
    expect(closed).toBe(true);
    // Refused once (Closed_Month_Is_Frozen), planned again from a fresh read, done on its first attempt.
    expect(job).toMatchObject({ state: 'done', attempts: 1, result: { replannedAfterClose: 1 } });
    const after = await months();
    expect(after.find((m) => m.Id === march.Id)).toEqual({ ...march, Status__c: 'Closed' });
    expect(after.filter((m) => m.Status__c === 'Closed')).toHaveLength(1);
  }, 60_000);
});

describe('a deal billed on signature by partial invoices', () => {
  const clock = new ScaledClock({ start: Date.parse('2026-01-10T09:00:00Z'), scale: 1 });
  let sandbox: Sandbox;
  let cal: ReturnType<typeof calendar>;
  const admin = () => connect(sandbox.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
  const sales = () => connect(sandbox.sf, SALES);

  beforeAll(async () => {
    sandbox = await startSandbox({
      clock,
      bridge: { workerIdleMs: 50, referenceTtlMs: 0, pollIntervalMs: 60_000 },
      logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
    });
    cal = calendar(() => sandbox.store.jobs, clock);
  }, 60_000);

  afterAll(() => sandbox?.close());

  it('a 4,500.00 deposit is in the plan, its remainder and January Billed__c, and the rest waits for the deal (no dated job)', async () => {
    const { records } = await admin().query<Row>(
      "SELECT Id, AccountId, Pricebook2Id FROM Opportunity WHERE Name = 'Acme - Platform 2026'",
    );
    const seeded = records[0]!;
    const { records: lines } = await admin().query<Row>(
      `SELECT PricebookEntryId FROM OpportunityLineItem WHERE OpportunityId = '${String(seeded.Id)}'`,
    );
    // 12,000.00 for 2026, no billing terms (billed on signature), won on 10 Jan with no draft asked for at close.
    sandbox.sf.control.setOrgSettings({ Auto_Draft_On_Close__c: false });
    const { id: dealId } = (await sales()
      .sobject('Opportunity')
      .create({
        Name: 'Acme - Milestones 2026',
        AccountId: seeded.AccountId,
        StageName: 'Negotiation/Review',
        CloseDate: '2026-01-10',
        CurrencyIsoCode: 'GBP',
        Service_Start_Date__c: '2026-01-01',
        Service_End_Date__c: '2026-12-31',
        ...(seeded.Pricebook2Id ? { Pricebook2Id: seeded.Pricebook2Id } : {}),
      })) as { id: string };
    await sales().sobject('OpportunityLineItem').create({
      OpportunityId: dealId,
      PricebookEntryId: lines[0]!.PricebookEntryId,
      Quantity: 100,
      UnitPrice: 120,
    });
    await sales().sobject('Opportunity').update({ Id: dealId, StageName: 'Closed Won' });
    sandbox.sf.control.setOrgSettings({ Auto_Draft_On_Close__c: true });

    sandbox.sf.control.goLive.partialInvoice.raise(SALES, dealId, 'AMOUNT', 4500, 'Deposit');
    const deposit = await waitFor('the deposit with its lines', async () => {
      const [row] = (
        await admin().query<Row>(
          `SELECT Id, Xero_Invoice_Id__c, (SELECT Id FROM Invoice_Lines__r) FROM Invoice__c WHERE Opportunity__c = '${dealId}'`,
        )
      ).records;
      return row?.Xero_Invoice_Id__c && (row.Invoice_Lines__r as { records?: Row[] } | null)?.records?.length
        ? row
        : undefined;
    });
    sandbox.sf.control.approvals.submit(String(deposit.Id), { user: SALES });
    sandbox.sf.control.approvals.approve(String(deposit.Id), { user: FINANCE });
    await waitFor('the deposit authorised', async () => {
      const { records: rows } = await admin().query<Row>(
        `SELECT Status__c FROM Invoice__c WHERE Id = '${String(deposit.Id)}'`,
      );
      return rows[0]?.Status__c === 'Authorised' ? true : undefined;
    });
    // The write-back re-plans the deal a minute later.
    await cal.to('2026-01-10T09:05:00Z');
    const plan = await waitFor('the plan counting the deposit', async () => {
      const [row] = (
        await admin().query<Row>(
          'SELECT Contract_Value__c, Invoiced_Amount__c, Remaining_To_Bill__c, Terms_Source__c, ' +
            '(SELECT Issue_Date__c, Amount__c, Status__c FROM Instalments__r), ' +
            '(SELECT Month_Key__c, Billed__c, Closing_Unbilled__c FROM Revenue_Months__r ORDER BY Month_Key__c) ' +
            `FROM Billing_Plan__c WHERE Plan_Key__c = '${dealId}'`,
        )
      ).records;
      return row?.Invoiced_Amount__c === 4500 ? row : undefined;
    });
    expect(plan).toMatchObject({
      Contract_Value__c: 12000,
      Remaining_To_Bill__c: 7500,
      Terms_Source__c: 'billed on signature',
    });
    const children = (name: string) => (plan[name] as { records?: Row[] } | null)?.records ?? [];
    expect(children('Instalments__r').map((i) => [i.Issue_Date__c, i.Amount__c, i.Status__c])).toEqual([
      ['2026-01-10', 7500, 'Planned'],
    ]);
    // January counts the remainder as forecast while it is the current month; once it is past, only the deposit.
    await cal.to('2026-02-02T09:00:00Z');
    const january = await waitFor('January as billed', async () => {
      const [row] = (
        await admin().query<Row>(
          'SELECT Status__c, Billed__c, Recognised__c, Closing_Deferred__c, Closing_Unbilled__c FROM Revenue_Month__c ' +
            `WHERE Billing_Plan__r.Plan_Key__c = '${dealId}' AND Month_Key__c LIKE '%:2026-01'`,
        )
      ).records;
      return row?.Status__c === 'Actual' ? row : undefined;
    });
    expect(january).toMatchObject({ Billed__c: 4500, Closing_Unbilled__c: 0 });
    expect(Number(january.Closing_Deferred__c)).toBeCloseTo(4500 - Number(january.Recognised__c), 2);
    // What remains is not raised by a dated job: one document in Xero for the deal, the deposit.
    await cal.settled();
    const invoices = (await admin().query<Row>(`SELECT Id FROM Invoice__c WHERE Opportunity__c = '${dealId}'`)).records;
    expect(invoices.map((i) => i.Id)).toEqual([deposit.Id]);
  }, 60_000);

  it('a closing request asked for by hand after the deposit drafts the 7,500.00 left, line by line, and the plan ties', async () => {
    const { records } = await admin().query<Row>(
      "SELECT Id, AccountId, Pricebook2Id FROM Opportunity WHERE Name = 'Acme - Platform 2026'",
    );
    const seeded = records[0]!;
    const { records: entries } = await admin().query<Row>(
      `SELECT PricebookEntryId FROM OpportunityLineItem WHERE OpportunityId = '${String(seeded.Id)}'`,
    );
    // 12,000.00 on two lines (9,000.00 + 3,000.00), won with no draft asked for at close.
    sandbox.sf.control.setOrgSettings({ Auto_Draft_On_Close__c: false });
    const closeDate = cal.today();
    const { id: dealId } = (await sales()
      .sobject('Opportunity')
      .create({
        Name: 'Acme - Deposit then close 2026',
        AccountId: seeded.AccountId,
        StageName: 'Negotiation/Review',
        CloseDate: closeDate,
        CurrencyIsoCode: 'GBP',
        Service_Start_Date__c: '2026-02-01',
        Service_End_Date__c: '2027-01-31',
        ...(seeded.Pricebook2Id ? { Pricebook2Id: seeded.Pricebook2Id } : {}),
      })) as { id: string };
    for (const [quantity, price] of [
      [75, 120],
      [25, 120],
    ] as const) {
      await sales().sobject('OpportunityLineItem').create({
        OpportunityId: dealId,
        PricebookEntryId: entries[0]!.PricebookEntryId,
        Quantity: quantity,
        UnitPrice: price,
      });
    }
    await sales().sobject('Opportunity').update({ Id: dealId, StageName: 'Closed Won' });
    sandbox.sf.control.setOrgSettings({ Auto_Draft_On_Close__c: true });

    sandbox.sf.control.goLive.partialInvoice.raise(SALES, dealId, 'AMOUNT', 4500, 'Deposit');
    const invoiceRows = async () =>
      (
        await admin().query<Row>(
          'SELECT Id, Request_Key__c, Xero_Invoice_Id__c, Sub_Total__c, ' +
            '(SELECT Opportunity_Line_Item_Id__c, Line_Amount__c FROM Invoice_Lines__r ORDER BY Line_Amount__c DESC) ' +
            `FROM Invoice__c WHERE Opportunity__c = '${dealId}' ORDER BY CreatedDate`,
        )
      ).records;
    const linesOf = (row: Row) => (row.Invoice_Lines__r as { records?: Row[] } | null)?.records ?? [];
    await waitFor('the deposit with its lines', async () => {
      const [row] = await invoiceRows();
      return row?.Xero_Invoice_Id__c && linesOf(row).length > 0 ? row : undefined;
    });
    // Its request done too (it writes the summaries after the lines): a closing request that found it still running
    // would wait for it 30 s (PARTIAL_WAIT_MS), past this test's waits.
    await waitFor('the deposit request done', async () =>
      (await sandbox.store.jobs.unfinishedJobs('CREATE_PARTIAL')).length === 0 ? true : undefined,
    );

    // Finance asks for the closing draft by hand (the deal won again with drafts on close): CREATE_DRAFT:<deal>:1.
    await sales().sobject('Opportunity').update({ Id: dealId, StageName: 'Negotiation/Review' });
    await sales().sobject('Opportunity').update({ Id: dealId, StageName: 'Closed Won' });
    const closing = await waitFor('the closing draft with its lines', async () => {
      const row = (await invoiceRows()).find((r) => r.Request_Key__c === `CREATE_DRAFT:${dealId}:1`);
      return row?.Xero_Invoice_Id__c && linesOf(row).length > 0 ? row : undefined;
    });
    // What remains, not the deal: 7,500.00, each line what it still owes after its share of the deposit.
    expect(closing.Sub_Total__c).toBe(7500);
    expect(linesOf(closing).map((l) => l.Line_Amount__c)).toEqual([5625, 1875]);
    const inXero = (sandbox.xero.control.snapshot(UK).invoices as Row[]).filter((i) =>
      String(i.url ?? '').includes(dealId),
    );
    expect(inXero.map((i) => i.subTotal).sort()).toEqual(['4500.00', '7500.00']);

    // The plan records it as the instalment it was meant to bill: raised, nothing left, the deal's 12,000.00 invoiced.
    await cal.to(new Date(clock.now() + 5 * 60_000).toISOString());
    const plan = await waitFor('the plan counting both', async () => {
      const [row] = (
        await admin().query<Row>(
          'SELECT Contract_Value__c, Invoiced_Amount__c, Remaining_To_Bill__c, ' +
            '(SELECT Issue_Date__c, Amount__c, Status__c FROM Instalments__r) ' +
            `FROM Billing_Plan__c WHERE Plan_Key__c = '${dealId}'`,
        )
      ).records;
      return row?.Invoiced_Amount__c === 12000 ? row : undefined;
    });
    expect(plan).toMatchObject({ Contract_Value__c: 12000, Remaining_To_Bill__c: 0 });
    expect(
      ((plan.Instalments__r as { records?: Row[] } | null)?.records ?? []).map((i) => [
        i.Issue_Date__c,
        i.Amount__c,
        i.Status__c,
      ]),
    ).toEqual([[closeDate, 7500, 'Raised']]);
  }, 60_000);
});
