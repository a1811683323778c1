/**
 * Issue 17 end to end: the real bridge against both emulators on one calendar the test moves forward (the sandbox's
 * shared clock). A rep wins a GBP deal billed quarterly (UK) and a USD deal billed on signature (US); finance
 * approves the invoices; Xero records a part payment. The bridge's KPI refresh writes the snapshots, and the test
 * holds them to the records: the cockpit's receivables equal the open amounts due in Salesforce and in Xero to the
 * cent, converted at the documented rates (Salesforce's dated rate, amount ÷ rate, each currency rounded once);
 * the MRR movements add from the opening to the closing; the billings the January forecast puts in April are the
 * invoices raised in April; a month closed by its posted month-end close is written once more as Closed and never
 * again, as is one finance closed by hand.
 */
import Big from 'big.js';
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
const UK = '11111111-1111-4111-8111-111111111111';
const DAY = 86_400_000;
const MINUTE = 60_000;

type Row = Record<string, unknown>;

const isoOf = (value: unknown) =>
  value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
const cents = (value: unknown) => Math.round(Number(value ?? 0) * 100);
/** Salesforce's dated USD rate of the seed: 1.265 USD per GBP from 1 Jan 2026 (GBP = USD ÷ 1.265, rounded once). */
const USD_PER_GBP = '1.265';
/** That rate as the cockpit shows it: GBP per USD, 6 dp. */
const USD_TO_GBP_SHOWN = new Big(1).div(USD_PER_GBP).round(6, Big.roundHalfUp).toFixed(6);

describe('KPI snapshots written by the bridge tie to Salesforce and Xero', () => {
  const clock = new ScaledClock({ start: Date.parse('2026-01-10T09:00:00Z'), scale: 1 });
  let sandbox: Sandbox;
  const admin = () => connect(sandbox.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
  const sales = () => connect(sandbox.sf, SALES);
  let quarterlyId: string;
  let globexId: string;

  const { to, settled } = calendar(() => sandbox.store.jobs, clock, { timeoutMs: 60_000 });
  /** Past the end of the KPI refresh window, so what changed is refreshed. */
  const refreshed = () => to(new Date(clock.now() + 6 * MINUTE).toISOString());

  const snapshot = async (key: string) =>
    (
      await admin().query<Row>(
        'SELECT Snapshot_Key__c, Status__c, Closed_At__c, Last_Refreshed__c, As_Of__c, Reporting_Currency__c, AR_Total__c, ' +
          'Open_Invoices__c, Opening_MRR__c, FX_MRR__c, New_MRR__c, Expansion_MRR__c, Reactivation_MRR__c, Contraction_MRR__c, ' +
          'Churn_MRR__c, MRR__c, ARR__c, Billings__c, Cash_Collected__c, Rates__c, Details__c, Rate_Source__c, Missing_Rates__c ' +
          `FROM KPI_Snapshot__c WHERE Snapshot_Key__c = '${key}'`,
      )
    ).records[0];
  const forecastRow = async (key: string) =>
    (
      await admin().query<Row>(
        `SELECT Forecast_Key__c, Future_Billings__c, Weighted_Pipeline__c FROM KPI_Forecast__c WHERE Forecast_Key__c = '${key}'`,
      )
    ).records[0];

  function xeroApi() {
    const xero = new XeroClient();
    const tokens = sandbox.xero.control.issueTokens();
    xero.setTokenSet({ ...tokens, expires_at: Math.floor(sandbox.xero.control.now() / 1000) + tokens.expires_in });
    xero.accountingApi.basePath = sandbox.xero.apiUrl;
    return xero.accountingApi;
  }

  async function approve(invoiceId: string): Promise<Row> {
    sandbox.sf.control.approvals.submit(invoiceId, { user: SALES });
    sandbox.sf.control.approvals.approve(invoiceId, { user: FINANCE });
    return waitFor(`invoice ${invoiceId} authorised`, async () => {
      const { records } = await admin().query<Row>(
        `SELECT Id, Status__c, Xero_Invoice_Id__c, Total__c FROM Invoice__c WHERE Id = '${invoiceId}'`,
      );
      return records[0]?.Status__c === 'Authorised' ? records[0] : undefined;
    });
  }

  const approvedTotal = async (invoiceId: string) =>
    (await admin().query<Row>(`SELECT Total__c FROM Invoice__c WHERE Id = '${invoiceId}'`)).records[0]?.Total__c;

  const invoicesOf = async (opportunityId: string) =>
    (
      await admin().query<Row>(
        `SELECT Id, Issue_Date__c, Sub_Total__c, Xero_Invoice_Id__c, Status__c FROM Invoice__c WHERE Opportunity__c = '${opportunityId}' ORDER BY Issue_Date__c`,
      )
    ).records;

  beforeAll(async () => {
    sandbox = await startSandbox({
      clock,
      bridge: { workerIdleMs: 50, referenceTtlMs: 0, pollIntervalMs: 60_000 },
      logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
    });
    sandbox.xero.control.configureWebhooks({ url: `${sandbox.url}/webhooks/xero`, batchDelayMs: 20 });
  }, 60_000);

  afterAll(() => sandbox?.close());

  it('writes the month once invoices are posted: receivables equal Salesforce and Xero to the cent, in GBP at the dated rate', async () => {
    const { records } = await admin().query<Row>(
      "SELECT Id, AccountId, Pricebook2Id, Name FROM Opportunity WHERE Name IN ('Acme - Platform 2026', 'Globex - Platform Expansion')",
    );
    const acme = records.find((r) => r.Name === 'Acme - Platform 2026')!;
    globexId = String(records.find((r) => r.Name === 'Globex - Platform Expansion')!.Id);
    const { records: lines } = await admin().query<Row>(
      `SELECT PricebookEntryId FROM OpportunityLineItem WHERE OpportunityId = '${String(acme.Id)}'`,
    );
    // 12,000.00 a year billed quarterly in advance from 1 Jan 2026: 3,000.00 a quarter, the first due at close.
    const created = (await sales()
      .sobject('Opportunity')
      .create({
        Name: 'Acme - Quarterly 2026',
        AccountId: acme.AccountId,
        StageName: 'Negotiation/Review',
        CloseDate: '2026-01-10',
        CurrencyIsoCode: 'GBP',
        Service_Start_Date__c: '2026-01-01',
        Service_End_Date__c: '2026-12-31',
        Billing_Frequency__c: 'Quarterly',
        ...(acme.Pricebook2Id ? { Pricebook2Id: acme.Pricebook2Id } : {}),
      })) as { id: string };
    quarterlyId = created.id;
    await sales().sobject('OpportunityLineItem').create({
      OpportunityId: quarterlyId,
      PricebookEntryId: lines[0]!.PricebookEntryId,
      Quantity: 100,
      UnitPrice: 120,
    });
    await sales().sobject('Opportunity').update({ Id: quarterlyId, StageName: 'Closed Won' });
    // Won today: its invoice is dated today, its 12 months of service start today.
    await sales().sobject('Opportunity').update({ Id: globexId, StageName: 'Closed Won', CloseDate: '2026-01-10' });
    for (const id of [quarterlyId, globexId]) {
      const [draft] = await waitFor(`the invoice of ${id}`, async () => {
        const rows = await invoicesOf(id);
        return rows.length === 1 && rows[0]!.Xero_Invoice_Id__c ? rows : undefined;
      });
      await approve(String(draft!.Id));
    }
    const globex = (await invoicesOf(globexId))[0]!;
    sandbox.xero.control.recordCustomerPayment({
      tenantId: '22222222-2222-4222-8222-222222222222',
      invoiceId: String(globex.Xero_Invoice_Id__c),
      amount: '1000.00',
    });
    await sandbox.xero.control.flushWebhooks();
    await waitFor('the part payment in Salesforce', async () => {
      const { records: rows } = await admin().query<Row>(
        `SELECT Status__c FROM Invoice__c WHERE Id = '${String(globex.Id)}'`,
      );
      return rows[0]?.Status__c === 'Partially Paid' ? true : undefined;
    });
    await to('2026-01-12T10:00:00Z');
    await refreshed();

    const group = await waitFor('the group snapshot of January', async () => {
      const row = await snapshot('GROUP:2026-01');
      return row && row.Open_Invoices__c === 2 ? row : undefined;
    });
    expect(group).toMatchObject({ Status__c: 'Open', Reporting_Currency__c: 'GBP', Missing_Rates__c: null });

    // Salesforce: posted invoices' Amount_Due__c per currency; Xero: AUTHORISED invoices' AmountDue per currency.
    const { records: open } = await admin().query<Row>(
      "SELECT Currency_Code__c, Amount_Due__c FROM Invoice__c WHERE Status__c IN ('Authorised', 'Partially Paid')",
    );
    const inSalesforce = new Map<string, number>();
    for (const row of open)
      inSalesforce.set(
        String(row.Currency_Code__c),
        (inSalesforce.get(String(row.Currency_Code__c)) ?? 0) + cents(row.Amount_Due__c),
      );
    const inXero = new Map<string, number>();
    const api = xeroApi();
    for (const tenantId of [UK, '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333']) {
      const invoices = (await api.getInvoices(tenantId)).body.invoices ?? [];
      for (const invoice of invoices.filter((i) => String(i.type) === 'ACCREC' && String(i.status) === 'AUTHORISED')) {
        const code = String(invoice.currencyCode);
        inXero.set(code, (inXero.get(code) ?? 0) + cents(invoice.amountDue));
      }
    }
    expect(Object.fromEntries(inXero)).toEqual(Object.fromEntries(inSalesforce));
    expect([...inSalesforce.keys()].sort()).toEqual(['GBP', 'USD']);
    // Each currency converted at its closing rate and rounded once (README "Reporting currency").
    const expectedAr =
      inSalesforce.get('GBP')! +
      new Big(inSalesforce.get('USD')!).div(USD_PER_GBP).round(0, Big.roundHalfUp).toNumber();
    expect(cents(group.AR_Total__c)).toBe(expectedAr);
    const details = JSON.parse(String(group.Details__c)) as {
      native: { receivables: { currency: string; amount: string }[] };
    };
    expect(
      Object.fromEntries(details.native.receivables.map((r) => [r.currency, Math.round(Number(r.amount) * 100)])),
    ).toEqual(Object.fromEntries(inSalesforce));
    const rates = JSON.parse(String(group.Rates__c)) as {
      currency: string;
      closing: { rate: string; sources: string[] };
    }[];
    expect(rates.find((r) => r.currency === 'USD')!.closing).toMatchObject({
      rate: USD_TO_GBP_SHOWN,
      sources: ['corporate', 'dated'],
    });
    expect(group.Rate_Source__c).toBe('Dated');

    // Each entity's receivables add up to the group's (one currency each here).
    const uk = (await snapshot('UK_Ltd:2026-01'))!;
    const us = (await snapshot('US_Inc:2026-01'))!;
    expect(cents(uk.AR_Total__c)).toBe(inSalesforce.get('GBP'));
    expect(cents(uk.AR_Total__c) + cents(us.AR_Total__c)).toBe(cents(group.AR_Total__c));
  }, 240_000);

  it('adds the MRR movements from the opening to the closing for each scope', async () => {
    for (const key of ['GROUP:2026-01', 'UK_Ltd:2026-01', 'US_Inc:2026-01']) {
      const s = (await snapshot(key))!;
      const bridge =
        cents(s.Opening_MRR__c) +
        cents(s.FX_MRR__c) +
        cents(s.New_MRR__c) +
        cents(s.Expansion_MRR__c) +
        cents(s.Reactivation_MRR__c) -
        cents(s.Contraction_MRR__c) -
        cents(s.Churn_MRR__c);
      expect({ key, closing: bridge }).toEqual({ key, closing: cents(s.MRR__c) });
      expect(cents(s.ARR__c)).toBe(cents(s.MRR__c) * 12);
    }
    // The quarterly deal's MRR: 12,000.00 a year over 12 months, new in January.
    const uk = (await snapshot('UK_Ltd:2026-01'))!;
    expect(cents(uk.New_MRR__c)).toBe(100_000);
    expect(cents(uk.Opening_MRR__c)).toBe(0);
  });

  it("makes January's billings forecast for April the invoices raised when the calendar reaches April", async () => {
    const april = await forecastRow('GROUP:2026-01:2026-04');
    expect(cents(april?.Future_Billings__c)).toBe(300_000);
    await to('2026-04-01T06:00:01Z');
    const [, second] = await waitFor('the April instalment raised', async () => {
      const rows = await invoicesOf(quarterlyId);
      return rows.length === 2 && rows[1]!.Xero_Invoice_Id__c ? rows : undefined;
    });
    await approve(String(second!.Id));
    await refreshed();
    const apr = await waitFor('the April snapshot with its billings', async () => {
      const row = await snapshot('GROUP:2026-04');
      return row && cents(row.Billings__c) > 0 ? row : undefined;
    });
    // What Xero holds for April: SubTotal of the posted invoices dated in April.
    const api = xeroApi();
    const raised = ((await api.getInvoices(UK)).body.invoices ?? []).filter(
      (i) => String(i.status) === 'AUTHORISED' && isoOf(i.date).slice(0, 7) === '2026-04',
    );
    const xeroApril = raised.reduce((n, i) => n + cents(i.subTotal), 0);
    expect(xeroApril).toBe(cents(april?.Future_Billings__c));
    expect(cents(apr.Billings__c)).toBe(cents(april?.Future_Billings__c));
    // The January forecast is as it was made in January: a month's forecast is not rewritten after it.
    expect(cents((await forecastRow('GROUP:2026-01:2026-04'))?.Future_Billings__c)).toBe(300_000);

    // A payment in Xero reaches the snapshot minutes later, without waiting for the daily run; so does an
    // overpayment the customer made before it (customer credit: cash when received, not set against anything).
    const before = (await snapshot('GROUP:2026-04'))!;
    const total = Number((await approvedTotal(String(second!.Id))) ?? 0);
    const contactId = (await api.getInvoice(UK, String(second!.Xero_Invoice_Id__c))).body.invoices![0]!.contact!
      .contactID!;
    const bank = sandbox.xero.state.tenant(UK)!.org.accounts.find((a) => a.Type === 'BANK')!;
    const received = await api.createBankTransactions(UK, {
      bankTransactions: [
        {
          type: 'RECEIVE-OVERPAYMENT' as never,
          contact: { contactID: contactId },
          bankAccount: { code: bank.Code },
          lineItems: [{ description: 'Paid twice', lineAmount: 150 }],
          lineAmountTypes: 'NoTax' as never,
        },
      ],
    });
    const overpaymentId = received.body.bankTransactions![0]!.overpaymentID!;
    // Polled (Xero sends no webhooks for overpayments), on an idle tenant's pace: the approvals' own webhooks wake
    // nothing (echoes), so its overpayments are listed within POLL_IDLE_MAX_MS (15 minutes) of the shared calendar.
    await to(new Date(clock.now() + 16 * MINUTE).toISOString());
    await waitFor('the overpayment in Salesforce', async () => {
      const { records } = await admin().query<Row>(
        `SELECT Id FROM Customer_Credit__c WHERE Xero_Credit_Id__c = '${overpaymentId}'`,
      );
      return records[0];
    });
    sandbox.xero.control.recordCustomerPayment({
      tenantId: UK,
      invoiceId: String(second!.Xero_Invoice_Id__c),
      amount: total.toFixed(2),
    });
    await sandbox.xero.control.flushWebhooks();
    await waitFor('the April invoice paid in Salesforce', async () =>
      (await invoicesOf(quarterlyId))[1]?.Status__c === 'Paid' ? true : undefined,
    );
    await refreshed();
    const after = await waitFor('the April snapshot after the payment', async () => {
      const row = await snapshot('GROUP:2026-04');
      return row && row.Last_Refreshed__c !== before.Last_Refreshed__c ? row : undefined;
    });
    expect(cents(before.AR_Total__c) - cents(after.AR_Total__c)).toBe(cents(total));
    expect(cents(after.Cash_Collected__c) - cents(before.Cash_Collected__c)).toBe(cents(total) + 15_000);
  }, 240_000);

  it('freezes a month its posted close closes, and one finance closed by hand; later refreshes leave both alone', async () => {
    const org = sandbox.sf.org;
    const ctx = { userId: org.resolveUser(INTEGRATION).Id };
    // January's close Posted in every entity (the bridge has proposed some of them by now: those are marked Posted).
    const closes = org.object(org.n('Month_End_Close__c'));
    org.transaction(() => {
      for (const entity of ['UK_Ltd', 'US_Inc', 'EU_BV']) {
        const proposed = org.records(closes).find((r) => r[org.n('Close_Key__c')] === `${entity}:2026-01`);
        if (proposed) {
          org.update(org.n('Month_End_Close__c'), proposed.Id as string, { [org.n('Status__c')]: 'Posted' }, ctx);
          continue;
        }
        org.insert(
          org.n('Month_End_Close__c'),
          {
            Name: `${entity} January 2026`,
            [org.n('Close_Key__c')]: `${entity}:2026-01`,
            [org.n('Billing_Entity__c')]: entity,
            [org.n('Period_Start__c')]: '2026-01-01',
            [org.n('Period_End__c')]: '2026-01-31',
            [org.n('Status__c')]: 'Posted',
          },
          ctx,
        );
      }
    });
    await admin()
      .sobject('KPI_Snapshot__c')
      .update({
        Id: String(
          (await admin().query<Row>("SELECT Id FROM KPI_Snapshot__c WHERE Snapshot_Key__c = 'UK_Ltd:2026-02'"))
            .records[0]!.Id,
        ),
        Status__c: 'Closed',
      });
    const byHand = (await snapshot('UK_Ltd:2026-02'))!;
    await to(new Date(clock.now() + DAY).toISOString());
    const jan = await waitFor('January closed by the bridge', async () => {
      const row = await snapshot('GROUP:2026-01');
      return row?.Status__c === 'Closed' ? row : undefined;
    });
    expect(jan.Closed_At__c).toBeTruthy();
    // Written one last time as of the month's last day.
    expect(jan.As_Of__c).toBe('2026-01-31');
    for (const entity of ['UK_Ltd', 'US_Inc', 'EU_BV'])
      expect((await snapshot(`${entity}:2026-01`))?.Status__c).toBe('Closed');

    const closedJan = (await snapshot('GROUP:2026-01'))!;
    const aprilBefore = (await snapshot('GROUP:2026-04'))!;
    await to(new Date(clock.now() + 2 * DAY).toISOString());
    await waitFor('a later refresh', async () => {
      const row = await snapshot('GROUP:2026-04');
      return row && row.Last_Refreshed__c !== aprilBefore.Last_Refreshed__c ? row : undefined;
    });
    expect(await snapshot('GROUP:2026-01')).toEqual(closedJan);
    expect(await snapshot('UK_Ltd:2026-02')).toEqual(byHand);
    // No refresh failed, none left a deal or record out, and Salesforce refused nothing (the frozen ones were not sent).
    const refreshes = await sandbox.store.jobs.listJobs({ action: 'KPI_REFRESH', limit: 500 });
    expect(refreshes.filter((j) => j.state === 'failed' || j.state === 'dead')).toEqual([]);
    const results = refreshes
      .filter((j) => j.state === 'done')
      .map((j) => j.result as { problems: number; refused: number; frozen: number });
    expect(results.length).toBeGreaterThan(3);
    expect(results.every((r) => r.problems === 0 && r.refused === 0)).toBe(true);
    expect(Math.max(...results.map((r) => r.frozen))).toBeGreaterThanOrEqual(5);
  }, 240_000);

  it('refreshes in a few Composite calls: reads, the deals through the plans loader, and the writes', async () => {
    await settled();
    const before = sandbox.sf.control.apiUsage().used;
    const logged = sandbox.sf.control.apiRequests().length;
    const { job } = await sandbox.store.jobs.enqueueJob({
      key: 'KPI_REFRESH:measured',
      action: 'KPI_REFRESH',
      payload: { reason: 'changed' },
    });
    const done = await waitFor('the measured refresh', async () => {
      const row = await sandbox.store.jobs.getJobByKey(job.key);
      return row?.state === 'done' ? row : undefined;
    });
    const used = sandbox.sf.control.apiUsage().used - before;
    const requests = sandbox.sf.control.apiRequests().slice(logged);
    const result = done.result as { written: number; frozen: number };
    const composite = requests.filter((r) => r.path.endsWith('/composite'));
    // eslint-disable-next-line no-console
    console.log(
      `KPI refresh: ${used} Salesforce API calls, ${composite.length} of them Composite, for ${result.written} ` +
        `snapshots written and ${result.frozen} frozen`,
    );
    // Reads in three Composite calls (14 queries, 5 a call: the won renewals ride in the third), the deals in two (the
    // plans' loader), the writes in one (up to 5 Collections of 200). The rest are billing entities, cached for a
    // minute in production (TTL 0 here).
    expect(composite.length).toBeLessThanOrEqual(6);
    expect(
      requests
        .filter((r) => !r.path.endsWith('/composite'))
        .every((r) => /FROM Billing_Entity__mdt/.test(r.soql ?? '')),
    ).toBe(true);
  });
});
