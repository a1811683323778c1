/**
 * Issue 6 end to end: the real bridge against both emulators. Closed-won deals in GBP, USD and EUR become DRAFT
 * invoices in the right Xero organisation with Xero-exact totals and Invoice__c mirrors; approval authorises; the
 * customer link is read when a rep asks for it, once; rejection goes back to sales; VOID; a tax type Xero rejects lands on the record in words, and RESYNC after the
 * fix succeeds; replays and restarts create nothing twice.
 */
import type { Connection } from 'jsforce';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import pino from 'pino';
import { XeroClient } from 'xero-node';
import { connect } from '../sandbox/salesforce/test-helpers';
import { ScaledClock } from '../sandbox/shared/clock';
import { waitFor } from './wait-for';

const SALES = 'sam.seller@ledgerline.example';
const FINANCE = 'fran.finance@ledgerline.example';
const UK = '11111111-1111-4111-8111-111111111111';
const US = '22222222-2222-4222-8222-222222222222';
const EU = '33333333-3333-4333-8333-333333333333';

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
  await sandbox.close();
});

async function opportunity(currency: string): Promise<Row> {
  const { records } = await admin.query<Row>(
    `SELECT Id, Name, AccountId, Amount FROM Opportunity WHERE CurrencyIsoCode = '${currency}' AND IsWon = false ORDER BY Name LIMIT 1`,
  );
  if (!records[0]) throw new Error(`no open ${currency} opportunity in the seed`);
  return records[0];
}

async function invoiceFor(opportunityId: string): Promise<Row | undefined> {
  const { records } = await admin.query<Row>(
    `SELECT Id, Name, Opportunity__c, Status__c, Sync_Status__c, Sync_Message__c, Xero_Invoice_Id__c, Xero_Tenant_Id__c, ` +
      `Invoice_Number__c, Currency_Code__c, Sub_Total__c, Total_Tax__c, Total__c, Amount_Due__c, Online_Invoice_URL__c, ` +
      `Billing_Entity__c, ` +
      `Approval_Status__c, Approval_Comment__c, (SELECT Id, Line_Amount__c FROM Invoice_Lines__r) ` +
      `FROM Invoice__c WHERE Opportunity__c = '${opportunityId}'`,
  );
  return records[0];
}

/** Xero's GET /Invoices/{id}/OnlineInvoice calls for this invoice, by anyone. */
const onlineInvoiceCalls = (invoice: Row) => {
  const path = `/invoices/${String(invoice.Xero_Invoice_Id__c).toLowerCase()}/onlineinvoice`;
  return sandbox.xero.control.calls().filter((c) => c.path.toLowerCase().endsWith(path));
};

const xeroInvoices = (tenantId: string) => sandbox.xero.control.snapshot(tenantId).invoices as Row[];

/** Xero's own view of an invoice, read with the real xero-node client. */
async function xeroInvoice(tenantId: string, invoiceId: string) {
  const xero = new XeroClient();
  const tokens = sandbox.xero.control.issueTokens();
  xero.setTokenSet({ ...tokens, expires_at: Math.floor(sandbox.xero.control.now() / 1000) + tokens.expires_in });
  xero.accountingApi.basePath = sandbox.xero.apiUrl;
  const { body } = await xero.accountingApi.getInvoice(tenantId, invoiceId);
  return body.invoices![0]!;
}

async function closeWon(opp: Row): Promise<Row> {
  await sales.sobject('Opportunity').update({ Id: opp.Id as string, StageName: 'Closed Won' });
  return waitFor(`the invoice of ${String(opp.Name)}`, async () => {
    const invoice = await invoiceFor(opp.Id as string);
    // Synced with its lines written, or an error on the record.
    const lines = (invoice?.Invoice_Lines__r as { records?: Row[] } | null)?.records ?? [];
    return (invoice?.Sync_Status__c === 'Synced' && lines.length > 0) || invoice?.Sync_Status__c === 'Error'
      ? invoice
      : undefined;
  });
}

describe('closed won → Xero draft → approval → authorised', () => {
  const drafts = new Map<string, Row>();

  it.each([
    ['GBP', UK, 'UK_Ltd'],
    ['USD', US, 'US_Inc'],
    ['EUR', EU, 'EU_BV'],
  ] as const)(
    'a %s deal becomes a DRAFT in the right tenant with Xero-exact totals',
    async (currency, tenant, entity) => {
      const opp = await opportunity(currency);
      const invoice = await closeWon(opp);
      expect(invoice).toMatchObject({
        Status__c: 'Draft',
        Sync_Status__c: 'Synced',
        Billing_Entity__c: entity,
        Currency_Code__c: currency,
        Xero_Tenant_Id__c: tenant,
      });
      expect(xeroInvoices(tenant).filter((x) => x.id === invoice.Xero_Invoice_Id__c)).toHaveLength(1);
      const inXero = await xeroInvoice(tenant, invoice.Xero_Invoice_Id__c as string);
      expect(inXero).toMatchObject({ status: 'DRAFT', type: 'ACCREC', currencyCode: currency });
      expect(invoice.Invoice_Number__c).toBe(inXero.invoiceNumber);
      expect(invoice.Sub_Total__c).toBe(inXero.subTotal);
      expect(invoice.Total_Tax__c).toBe(inXero.totalTax);
      expect(invoice.Total__c).toBe(inXero.total);
      expect((invoice.Invoice_Lines__r as { records: Row[] }).records).toHaveLength(inXero.lineItems!.length);
      drafts.set(currency, invoice);
    },
  );

  it('finance approval authorises the invoice in Xero and writes back number and status, reading no online link', async () => {
    const invoice = drafts.get('GBP')!;
    sandbox.sf.control.approvals.submit(invoice.Id as string, { user: SALES });
    sandbox.sf.control.approvals.approve(invoice.Id as string, {
      user: FINANCE,
      comment: 'Checked against the order form',
    });
    const authorised = await waitFor('the authorised invoice', async () => {
      const row = await invoiceFor(String(invoice.Opportunity__c ?? ''));
      return row?.Status__c === 'Authorised' ? row : undefined;
    });
    // the customer link costs a Xero call per invoice: it is read when a rep asks for it (next test), not here
    expect(authorised.Online_Invoice_URL__c ?? null).toBeNull();
    expect(onlineInvoiceCalls(invoice)).toHaveLength(0);
    const inXero = await xeroInvoice(UK, invoice.Xero_Invoice_Id__c as string);
    expect(inXero.status).toBe('AUTHORISED');
    // UK_Ltd emails authorised invoices to the customer.
    expect(sandbox.xero.control.snapshot(UK).emailsSent).toEqual(
      expect.arrayContaining([expect.objectContaining({ invoiceId: invoice.Xero_Invoice_Id__c })]),
    );
  });

  it('a rep asks for the customer link: read from Xero once, written on the invoice; a draft is refused in words', async () => {
    const invoice = drafts.get('GBP')!;
    const id = invoice.Id as string;
    expect(sandbox.sf.control.invoiceActions.requestOnlineLink(id, SALES)).toBe(
      `Asked Xero for the customer link of ${String(invoice.Name)}. It appears on the invoice in a few seconds.`,
    );
    const linked = await waitFor('the customer link on the invoice', async () => {
      const row = await invoiceFor(String(invoice.Opportunity__c));
      return row?.Online_Invoice_URL__c ? row : undefined;
    });
    expect(linked.Online_Invoice_URL__c).toMatch(/^https:\/\/in\.xero\.com\//);
    expect(linked.Status__c).toBe('Authorised');
    // Asked again (a second click: the same request key), then a Retry: events are taken in order, so once the
    // RESYNC is done the second ask was seen too. Neither reads the link again.
    sandbox.sf.control.invoiceActions.requestOnlineLink(id, SALES);
    const { requestKey } = sandbox.sf.control.invoiceActions.resync(id, SALES);
    await waitFor('the RESYNC after the second ask', async () => {
      const job = await sandbox.store.jobs.getJobByKey(String(requestKey));
      return job?.state === 'done' || undefined;
    });
    expect(onlineInvoiceCalls(invoice)).toHaveLength(1);
    expect((await sandbox.store.jobs.listJobs({ action: 'ONLINE_LINK', limit: 10 })).map((j) => j.key)).toEqual([
      `ONLINE_LINK:${id}:1`,
    ]);
    expect((await invoiceFor(String(invoice.Opportunity__c)))?.Online_Invoice_URL__c).toBe(
      linked.Online_Invoice_URL__c,
    );
    // Xero has no online invoice for a draft: the rep is told so, and nothing is sent
    const draft = drafts.get('USD')!;
    expect(() => sandbox.sf.control.invoiceActions.requestOnlineLink(draft.Id as string, SALES)).toThrow(
      'Xero has a customer link only for an authorised, part-paid or paid invoice. This invoice is Draft.',
    );
  });

  it("a rejection sends the invoice back to sales with the approver's comment and leaves Xero alone", async () => {
    const invoice = drafts.get('USD')!;
    sandbox.sf.control.approvals.submit(invoice.Id as string, { user: SALES });
    sandbox.sf.control.approvals.reject(invoice.Id as string, { user: FINANCE, comment: 'Wrong billing contact' });
    const row = await invoiceFor(String(invoice.Opportunity__c));
    expect(row).toMatchObject({
      Status__c: 'Draft',
      Approval_Status__c: 'Rejected',
      Approval_Comment__c: 'Wrong billing contact',
    });
    const inXero = await xeroInvoice(US, invoice.Xero_Invoice_Id__c as string);
    expect(inXero.status).toBe('DRAFT');
  });

  it('VOID voids an authorised invoice in Xero and in Salesforce', async () => {
    // The EUR deal's: the GBP deal's invoice stands, for the amendments below (a downgrade credits it).
    const invoice = drafts.get('EUR')!;
    sandbox.sf.control.approvals.submit(invoice.Id as string, { user: SALES });
    sandbox.sf.control.approvals.approve(invoice.Id as string, { user: FINANCE });
    await waitFor(
      'the authorised EUR invoice',
      async () => (await invoiceFor(String(invoice.Opportunity__c)))?.Status__c === 'Authorised',
    );
    const result = sandbox.sf.control.invoiceActions.voidInvoice(invoice.Id as string, FINANCE);
    expect(result).toMatchObject({ isSuccess: true });
    await waitFor(
      'the voided invoice',
      async () => (await invoiceFor(String(invoice.Opportunity__c)))?.Status__c === 'Voided',
    );
    expect((await xeroInvoice(EU, invoice.Xero_Invoice_Id__c as string)).status).toBe('VOIDED');
  });
});

describe('credit notes started in Salesforce', () => {
  it('a partial credit waits for finance approval, then is authorised and allocated in Xero and mirrored', async () => {
    const opp = await opportunity('EUR');
    const draft = await closeWon(opp);
    sandbox.sf.control.approvals.submit(draft.Id as string, { user: SALES });
    sandbox.sf.control.approvals.approve(draft.Id as string, { user: FINANCE });
    const authorised = await waitFor('the authorised EUR invoice', async () => {
      const row = await invoiceFor(opp.Id as string);
      return row?.Status__c === 'Authorised' ? row : undefined;
    });

    const sent = sandbox.sf.control.invoiceActions.credit(authorised.Id as string, FINANCE, {
      amount: 121,
      reason: 'One seat returned',
    });
    expect(sent).toMatchObject({ isSuccess: true });
    const pending = await waitFor('the credit note awaiting approval', async () => {
      const { records } = await admin.query<Row>(
        `SELECT Id, Status__c, Total__c, Total_Tax__c, Xero_Credit_Note_Id__c FROM Credit_Note__c WHERE Invoice__c = '${String(authorised.Id)}'`,
      );
      return records[0];
    });
    // Nothing reaches Xero before finance approves; the total is the gross amount asked for, tax included (21%).
    expect(pending).toMatchObject({
      Status__c: 'Draft',
      Total__c: 121,
      Total_Tax__c: 21,
      Xero_Credit_Note_Id__c: null,
    });

    sandbox.sf.control.approvals.submit(pending.Id as string, { user: FINANCE });
    sandbox.sf.control.approvals.approve(pending.Id as string, { user: FINANCE });
    const credited = await waitFor('the allocated credit', async () => {
      const row = await invoiceFor(opp.Id as string);
      return row && Number(row.Amount_Due__c) === Number(authorised.Total__c) - 121 ? row : undefined;
    });
    expect(credited.Status__c).toBe('Partially Paid');
    const { records: notes } = await admin.query<Row>(
      `SELECT Status__c, Remaining_Credit__c, Xero_Credit_Note_Id__c, (SELECT Amount__c FROM Allocations__r) FROM Credit_Note__c WHERE Id = '${String(pending.Id)}'`,
    );
    expect(notes[0]).toMatchObject({ Status__c: 'Paid', Remaining_Credit__c: 0 });
    expect((notes[0]!.Allocations__r as { records: Row[] }).records).toEqual([
      expect.objectContaining({ Amount__c: 121 }),
    ]);
    const inXero = (sandbox.xero.control.snapshot(EU).creditNotes as Row[]).filter(
      (n) => n.id === notes[0]!.Xero_Credit_Note_Id__c,
    );
    expect(inXero).toEqual([expect.objectContaining({ status: 'PAID', total: '121.00' })]);
  });
});

describe('amendments', () => {
  it('a mid-term upsell invoices the prorated difference to the cent', async () => {
    // The original deal (closed in the first test): 120 seats × 42.50 GBP plus onboarding, a 12-month term from
    // its close date 2026-02-27 to 2027-02-26. The amendment adds 10 seats from 2026-08-29: 182 days of 365 left.
    // 10 × 42.50 × 182 / 365 = 211.9178… → 211.92; VAT 20 % → 42.38; total 254.30.
    const { records } = await admin.query<Row>(
      "SELECT Id, AccountId, Pricebook2Id, CloseDate FROM Opportunity WHERE Name = 'Acme - Platform 2026'",
    );
    const original = records[0]!;
    expect(original.CloseDate).toBe('2026-02-27');
    const { records: lines } = await admin.query<Row>(
      `SELECT PricebookEntryId, Quantity, UnitPrice, Description FROM OpportunityLineItem WHERE OpportunityId = '${String(original.Id)}'`,
    );
    const created = await sales.sobject('Opportunity').create({
      Name: 'Acme - 10 more seats',
      AccountId: original.AccountId,
      StageName: 'Negotiation/Review',
      CloseDate: '2026-08-29',
      CurrencyIsoCode: 'GBP',
      Amended_Opportunity__c: original.Id,
      Invoice_Type__c: 'Amendment',
      Service_Start_Date__c: '2026-08-29',
      ...(original.Pricebook2Id ? { Pricebook2Id: original.Pricebook2Id } : {}),
    });
    const amendmentId = (created as { id: string }).id;
    await sales.sobject('OpportunityLineItem').create(
      lines.map((line) => ({
        OpportunityId: amendmentId,
        PricebookEntryId: line.PricebookEntryId,
        Quantity: line.Description === 'Platform seats, 12 months' ? 130 : line.Quantity,
        UnitPrice: line.UnitPrice,
        Description: line.Description,
      })),
    );
    const invoice = await closeWon({ Id: amendmentId, Name: 'Acme - 10 more seats' });
    expect(invoice).toMatchObject({
      Sync_Status__c: 'Synced',
      Sub_Total__c: 211.92,
      Total_Tax__c: 42.38,
      Total__c: 254.3,
      Currency_Code__c: 'GBP',
    });
    const inXero = await xeroInvoice(UK, invoice.Xero_Invoice_Id__c as string);
    expect(inXero.total).toBe(254.3);
  });
});

describe('downgrades and renewals', () => {
  async function amend(originalName: string, fields: Row, quantityOf: (line: Row) => unknown): Promise<string> {
    const { records } = await admin.query<Row>(
      `SELECT Id, AccountId, CurrencyIsoCode FROM Opportunity WHERE Name = '${originalName}'`,
    );
    const original = records[0]!;
    const { records: lines } = await admin.query<Row>(
      `SELECT PricebookEntryId, Quantity, UnitPrice, Description FROM OpportunityLineItem WHERE OpportunityId = '${String(original.Id)}'`,
    );
    const created = await sales.sobject('Opportunity').create({
      AccountId: original.AccountId,
      StageName: 'Negotiation/Review',
      CurrencyIsoCode: original.CurrencyIsoCode,
      Amended_Opportunity__c: original.Id,
      ...fields,
    });
    const id = (created as { id: string }).id;
    await sales.sobject('OpportunityLineItem').create(
      lines.map((line) => ({
        OpportunityId: id,
        PricebookEntryId: line.PricebookEntryId,
        Quantity: quantityOf(line),
        UnitPrice: line.UnitPrice,
        Description: line.Description,
      })),
    );
    await sales.sobject('Opportunity').update({ Id: id, StageName: 'Closed Won' });
    return id;
  }

  it('a mid-term downgrade becomes a credit note awaiting finance approval, not an invoice', async () => {
    // 10 seats fewer from 2026-08-29: 10 × 42.50 × 182 / 365 = 211.92 net, VAT 42.38, 254.30 to credit. An amendment
    // lists the subscription as it stands (CPQ's convention; issue 15): after the upsell above, 130 seats → 120.
    const before = xeroInvoices(UK).length;
    const id = await amend(
      'Acme - Platform 2026',
      {
        Name: 'Acme - 10 seats fewer',
        CloseDate: '2026-08-29',
        Invoice_Type__c: 'Amendment',
        Service_Start_Date__c: '2026-08-29',
      },
      (line) => (line.Description === 'Platform seats, 12 months' ? 120 : line.Quantity),
    );
    const note = await waitFor('the downgrade credit note', async () => {
      const { records } = await admin.query<Row>(
        `SELECT Status__c, Total__c, Sub_Total__c, Total_Tax__c, Reason__c, Xero_Credit_Note_Id__c, Invoice__c FROM Credit_Note__c WHERE Request_Key__c = 'CREATE_DRAFT:${id}:1'`,
      );
      return records[0];
    });
    expect(note).toMatchObject({
      Status__c: 'Draft',
      Sub_Total__c: 211.92,
      Total_Tax__c: 42.38,
      Total__c: 254.3,
      Xero_Credit_Note_Id__c: null,
    });
    // It credits the amended deal's invoice once approved (a credit note on no invoice could never reach Xero).
    const { records: acme } = await admin.query<Row>("SELECT Id FROM Opportunity WHERE Name = 'Acme - Platform 2026'");
    expect(note.Invoice__c).toBe((await invoiceFor(String(acme[0]!.Id)))!.Id);
    expect(note.Reason__c).toMatch(/Downgrade/);
    expect(xeroInvoices(UK).length).toBe(before);
  });

  it('a renewal invoices the next term with the uplift the opportunity asks for', async () => {
    // Northwind: 12 × 199.99 GBP a year from 2026-03-15. Renewal +5 %: 199.99 × 1.05 = 209.9895 → 209.99 a unit;
    // 12 × 209.99 = 2,519.88 net, VAT 503.98, total 3,023.86, for 2027-03-15 to 2028-03-14.
    const id = await amend(
      'Northwind - Support Renewal',
      {
        Name: 'Northwind - Support 2027',
        CloseDate: '2027-03-01',
        Invoice_Type__c: 'Renewal',
        Renewal_Uplift_Percent__c: 5,
      },
      (line) => line.Quantity,
    );
    const invoice = await waitFor('the renewal invoice', async () => {
      const row = await invoiceFor(id);
      return row?.Sync_Status__c === 'Synced' ? row : undefined;
    });
    expect(invoice).toMatchObject({ Sub_Total__c: 2519.88, Total_Tax__c: 503.98, Total__c: 3023.86 });
    const { records } = await admin.query<Row>(
      `SELECT Invoice_Type__c, Service_Start_Date__c, Service_End_Date__c FROM Invoice__c WHERE Id = '${String(invoice.Id)}'`,
    );
    expect(records[0]).toMatchObject({ Invoice_Type__c: 'Renewal' });
  });
});

describe('failures people can act on', () => {
  /** What an admin's metadata deploy does: custom metadata records cannot be changed through the data API. */
  function setUkTaxType(taxType: string): void {
    const rows = (sandbox.sf.org as unknown as { schema: { customMetadata: Map<string, Row[]> } }).schema
      .customMetadata;
    const uk = [...rows.values()].flat().find((r) => r.DeveloperName === 'UK_Ltd')!;
    uk.Tax_Type__c = taxType;
  }

  it('a tax type Xero does not know lands on the record in words, and RESYNC after the fix creates the draft once', async () => {
    setUkTaxType('OUTPUT9');
    const opp = await opportunity('GBP');
    const failed = await closeWon(opp);
    expect(failed.Sync_Status__c).toBe('Error');
    expect(failed.Sync_Message__c).toMatch(/OUTPUT9/);
    expect(failed.Sync_Message__c).toMatch(/UK_Ltd|UK Ltd/);
    expect(failed.Xero_Invoice_Id__c).toBeNull();

    setUkTaxType('OUTPUT2');
    const result = sandbox.sf.control.invoiceActions.resync(failed.Id as string, SALES);
    expect(result).toMatchObject({ isSuccess: true });
    const fixed = await waitFor('the resynced draft', async () => {
      const row = await invoiceFor(opp.Id as string);
      const lines = (row?.Invoice_Lines__r as { records?: Row[] } | null)?.records ?? [];
      return row?.Sync_Status__c === 'Synced' && lines.length > 0 ? row : undefined;
    });
    expect(fixed.Id).toBe(failed.Id);
    expect(xeroInvoices(UK).filter((x) => x.id === fixed.Xero_Invoice_Id__c)).toHaveLength(1);
  });
});

describe('contacts', () => {
  it('a second Account with a name another Account holds waits for finance, and gets its own contact only when finance asks', async () => {
    const { records: entries } = await admin.query<Row>(
      "SELECT Id, UnitPrice FROM PricebookEntry WHERE CurrencyIsoCode = 'GBP' LIMIT 1",
    );
    const invoices: Row[] = [];
    const accounts: string[] = [];
    for (const city of ['Leeds', 'York']) {
      const account = (await sales.sobject('Account').create({
        Name: 'Twin Name Trading Ltd',
        BillingCity: city,
        BillingCountry: 'GB',
        CurrencyIsoCode: 'GBP',
      })) as { id: string };
      accounts.push(account.id);
      const opp = (await sales.sobject('Opportunity').create({
        Name: `Twin ${city}`,
        AccountId: account.id,
        StageName: 'Negotiation/Review',
        CloseDate: '2026-11-20',
        CurrencyIsoCode: 'GBP',
      })) as { id: string };
      await sales.sobject('OpportunityLineItem').create({
        OpportunityId: opp.id,
        PricebookEntryId: entries[0]!.Id,
        Quantity: 1,
        UnitPrice: entries[0]!.UnitPrice,
      });
      await sales.sobject('Opportunity').update({ Id: opp.id, StageName: 'Closed Won' });
      invoices.push(
        await waitFor(`the invoice of Twin ${city}`, async () => {
          const invoice = await invoiceFor(opp.id);
          return invoice?.Sync_Status__c === 'Synced' || invoice?.Sync_Status__c === 'Pending' ? invoice : undefined;
        }),
      );
    }
    // The first is a new customer: its contact is created and linked. The second has the same name: the contact is
    // the first Account's, so nothing is created and the draft waits for finance, saying why.
    expect(invoices.map((i) => i.Sync_Status__c)).toEqual(['Synced', 'Pending']);
    expect(invoices[1]!.Sync_Message__c).toMatch(/^Waiting for finance: .*claimed by more than one Account/);
    expect(invoices[1]!.Xero_Invoice_Id__c).toBeNull();
    const { records: reviews } = await admin.query<Row>(
      `SELECT Id, Status__c, Reason__c FROM Contact_Match_Review__c WHERE Account__c = '${accounts[1]}'`,
    );
    expect(reviews).toEqual([expect.objectContaining({ Status__c: 'Open', Reason__c: 'CLAIMED_TWICE' })]);

    // Finance asks for a new contact: it is created (named apart, since Xero names are unique) and the draft goes out.
    sandbox.sf.control.goLive.contactMatch.decide(FINANCE, reviews[0]!.Id as string, 'CREATE_NEW', null, null);
    const released = await waitFor('the released draft', async () => {
      const invoice = await invoiceFor(String(invoices[1]!.Opportunity__c));
      return invoice?.Sync_Status__c === 'Synced' ? invoice : undefined;
    });
    const [first, second] = await Promise.all(
      [invoices[0]!, released].map(async (i) => (await xeroInvoice(UK, i.Xero_Invoice_Id__c as string)).contact!),
    );
    expect(first!.contactID).not.toBe(second!.contactID);
    expect(first!.name).toBe('Twin Name Trading Ltd');
    expect(second!.name).toMatch(/^Twin Name Trading Ltd \(001[A-Za-z0-9]{12,15}\)$/);
    const { records: decided } = await admin.query<Row>(
      `SELECT Status__c, Sync_Status__c, Sync_Message__c FROM Contact_Match_Review__c WHERE Id = '${String(reviews[0]!.Id)}'`,
    );
    expect(decided[0]).toMatchObject({ Status__c: 'Created New', Sync_Status__c: 'Synced' });
  });
});

describe('exactly once', () => {
  const invoiceCount = () => [UK, US, EU].reduce((n, tenant) => n + xeroInvoices(tenant).length, 0);

  it('replaying every request event three times creates nothing new in Xero', async () => {
    const before = invoiceCount();
    const events = sandbox.sf.control.events().filter((e) => e.channel.endsWith('Invoice_Request__e'));
    expect(events.length).toBeGreaterThan(0);
    for (let round = 0; round < 3; round += 1) {
      for (const event of events) {
        const fields = Object.fromEntries(Object.entries(event.data.payload).filter(([key]) => key.endsWith('__c')));
        await admin.sobject('Invoice_Request__e').create(fields);
      }
    }
    // Let the bridge take every replay in (its cursor passes the last one) and run whatever it queued.
    const channel = '/event/Invoice_Request__e';
    const last = Math.max(
      ...sandbox.sf.control
        .events()
        .filter((e) => e.channel === channel)
        .map((e) => e.replayId),
    );
    await waitFor(
      'the bridge to read every replay',
      async () => ((await sandbox.store.replayCursors.getReplayId(channel)) ?? 0) >= last,
    );
    // Handled: nothing due is still waiting (dated jobs wait for later: re-plans, the daily re-plan, the drift check).
    await waitFor('the replays to be handled', async () => {
      const open = await sandbox.store.jobs.listJobs({ states: ['queued', 'running'], limit: 500 });
      return open.every((job) => job.state === 'queued' && job.nextRunAt > Date.now()) ? open : undefined;
    });
    expect(invoiceCount()).toBe(before);
  });

  it('a bridge restarted mid-run still gives exactly one Xero invoice per opportunity', async () => {
    const { records } = await admin.query<Row>('SELECT Id FROM Opportunity WHERE IsWon = false ORDER BY Name');
    expect(records.length).toBeGreaterThan(0);
    await Promise.all(
      records.map((r) => sales.sobject('Opportunity').update({ Id: r.Id as string, StageName: 'Closed Won' })),
    );
    await sandbox.stopBridge();
    await sandbox.startBridge();
    for (const r of records) {
      const invoice = await waitFor(`the invoice of ${String(r.Id)}`, async () => {
        const row = await invoiceFor(r.Id as string);
        return row?.Sync_Status__c === 'Synced' ? row : undefined;
      });
      const tenant = invoice.Xero_Tenant_Id__c as string;
      const matching = (sandbox.xero.control.snapshot(tenant).invoices as Row[]).filter(
        (x) => x.id === invoice.Xero_Invoice_Id__c,
      );
      expect(matching).toHaveLength(1);
    }
    // One Xero invoice per won opportunity overall: count invoices in Salesforce with a Xero id.
    const { records: mirrors } = await admin.query<Row>('SELECT Id FROM Invoice__c WHERE Xero_Invoice_Id__c != null');
    expect(invoiceCount()).toBe(mirrors.length);
  });
});

describe('Retry after the bridge gave up on an approval', () => {
  // A bridge of its own on a clock 50 times faster: the client's retries of each call (seconds apart) and the worker's
  // attempts run out in seconds, not minutes.
  let fast: Sandbox;
  let fastClock: ScaledClock;
  let fastAdmin: Connection;
  const query = async (soql: string) => (await fastAdmin.query<Row>(soql)).records;
  const invoiceById = async (id: string) =>
    (
      await query(
        `SELECT Id, Status__c, Sync_Status__c, Sync_Message__c, Xero_Invoice_Id__c, Xero_Tenant_Id__c FROM Invoice__c WHERE Id = '${id}'`,
      )
    )[0];

  beforeAll(async () => {
    fastClock = new ScaledClock({ scale: 50 });
    fast = await startSandbox({
      clock: fastClock,
      bridge: { workerIdleMs: 50, referenceTtlMs: 0 },
      logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
    });
    fastAdmin = connect(fast.sf, 'integration@ledgerline.example');
  });

  afterAll(async () => {
    await fast?.close();
  });

  it('Xero down for longer than the retries last: the record says so, and Retry authorises the draft in Xero', async () => {
    const [opp] = await query(
      "SELECT Id FROM Opportunity WHERE CurrencyIsoCode = 'GBP' AND IsWon = false ORDER BY Name LIMIT 1",
    );
    await connect(fast.sf, SALES)
      .sobject('Opportunity')
      .update({ Id: opp!.Id as string, StageName: 'Closed Won' });
    const draft = await waitFor('the draft', async () => {
      const [row] = await query(
        `SELECT Id, Xero_Invoice_Id__c, Xero_Tenant_Id__c, Sync_Status__c FROM Invoice__c WHERE Opportunity__c = '${String(opp!.Id)}'`,
      );
      return row?.Sync_Status__c === 'Synced' ? row : undefined;
    });
    const id = draft.Id as string;
    const key = `AUTHORISE:${id}:1`;
    // Every status change Xero is asked for answers 503, however often it is asked.
    fast.xero.control.addFault({ kind: 'status', status: 503, method: 'POST', path: '/Invoices', count: 10_000 });
    try {
      fast.sf.control.approvals.submit(id, { user: SALES });
      fast.sf.control.approvals.approve(id, { user: FINANCE });
      // The worker waits 5 s, 10 s, 20 s… between attempts: an outage of hours, those waits brought forward (the
      // clock moved on to the next attempt; a retry would start the job's attempts over).
      const gaveUp = await waitFor(
        'the bridge to give up on the approval',
        async () => {
          const job = await fast.store.jobs.getJobByKey(key);
          if (job?.state === 'failed' && job.nextRunAt > fastClock.now())
            fastClock.advance(job.nextRunAt - fastClock.now());
          return job?.state === 'dead' ? job : undefined;
        },
        60_000,
      );
      expect(gaveUp.lastError).toMatch(/gave up after \d+ attempts/);
      const shown = await waitFor('the give-up on the invoice', async () => {
        const row = await invoiceById(id);
        return row?.Sync_Status__c === 'Error' ? row : undefined;
      });
      expect(shown.Sync_Message__c).toMatch(/gave up/);
    } finally {
      fast.xero.control.clearFaults();
    }

    // Xero is back; Retry is pressed. The approval's key is one per invoice: Retry is what runs it again.
    const { requestKey } = fast.sf.control.invoiceActions.resync(id, SALES);
    await waitFor('the RESYNC', async () => (await fast.store.jobs.getJobByKey(String(requestKey)))?.state === 'done');
    const authorised = await waitFor('the authorised invoice', async () => {
      const row = await invoiceById(id);
      return row?.Status__c === 'Authorised' && row.Sync_Status__c === 'Synced' ? row : undefined;
    });
    expect(authorised.Sync_Message__c ?? null).toBeNull();
    const tenant = String(draft.Xero_Tenant_Id__c);
    const inXero = (fast.xero.control.snapshot(tenant).invoices as Row[]).find(
      (x) => x.id === draft.Xero_Invoice_Id__c,
    );
    expect(inXero).toMatchObject({ status: 'AUTHORISED' });
    await waitFor('the approval done', async () => (await fast.store.jobs.getJobByKey(key))?.state === 'done');
  });
});
