import { SfDate, type Connection } from 'jsforce';
import type { ScaledClock } from '../clock';
import type { SalesforceEmulator } from '../server';
import { ADMIN, FINANCE, NEWHIRE, SALES, connect, frozenClock, startTestEmulator } from '../test-helpers';

type Rec = Record<string, unknown> & { Id: string };
const CHANNEL = '/event/Invoice_Request__e';

describe('org behaviours mirroring the package Apex', () => {
  let em: SalesforceEmulator;
  let clock: ScaledClock;
  let integration: Connection;
  let sales: Connection;
  let salesId: string;
  let financeId: string;
  const payloads = () => em.control.events(CHANNEL).map((e) => e.data.payload);
  /** The requests published, a MANY event's (a collection's) one by one. */
  const requests = () =>
    payloads().flatMap((p) => (p.Action__c === 'MANY' ? (JSON.parse(String(p.Requests__c)) as Rec[]) : [p]));

  beforeEach(async () => {
    clock = frozenClock();
    em = await startTestEmulator({ clock });
    integration = connect(em);
    sales = connect(em, SALES);
    salesId = em.control.login(SALES).userId;
    financeId = em.control.login(FINANCE).userId;
  });
  afterEach(() => em.close());

  async function openOpportunity(currency = 'GBP'): Promise<Rec> {
    const res = await sales.query<Rec>(
      `SELECT Id, AccountId, Amount FROM Opportunity WHERE IsClosed = false AND CurrencyIsoCode = '${currency}' ORDER BY Name LIMIT 1`,
    );
    return res.records[0]!;
  }

  /** A draft invoice already in Xero: what the Finance_Approval entry criteria accept. */
  const inXero = (): Record<string, unknown> => ({ Xero_Invoice_Id__c: `xero-draft-${++drafts}` });
  let drafts = 0;

  async function invoiceFor(opp: Rec, extra: Record<string, unknown> = {}): Promise<string> {
    const res = (await integration
      .sobject('Invoice__c')
      .create({ Opportunity__c: opp.Id, Account__c: opp.AccountId, Currency_Code__c: 'GBP', ...extra })) as unknown as {
      id: string;
    };
    return res.id;
  }

  it("answers the SOQL jsforce's query builder writes (find, include, sort, date literals)", async () => {
    const rows = await integration
      .sobject('Opportunity')
      .find(
        {
          IsClosed: false,
          CurrencyIsoCode: { $in: ['GBP', 'EUR'] },
          CloseDate: { $gte: SfDate.TODAY },
          Name: { $like: '%-%' },
        },
        ['Id', 'Name', 'Account.Name'],
      )
      .include('OpportunityLineItems')
      .select(['Id', 'Quantity', 'TotalPrice'])
      .end()
      .sort('-CloseDate')
      .limit(10);
    expect(rows.length).toBe(4);
    expect(rows.map((r) => (r as Rec).Name)).toEqual([
      'Stark - Premium Support',
      'Northwind - Support Renewal',
      'Acme - Platform 2026',
      'Vandelay - Platform EU',
    ]);
    expect((rows[0] as Rec).OpportunityLineItems).toMatchObject({ totalSize: 1, records: [{ Quantity: 24 }] });
    expect(await integration.sobject('Account').count({ BillingCountry: 'GB' })).toBe(2);
  });

  describe('OpportunityTriggerHandler', () => {
    it('publishes exactly one CREATE_DRAFT, keyed CREATE_DRAFT:<id>:1, when an opportunity turns won', async () => {
      const opp = await openOpportunity();
      await sales.sobject('Opportunity').update({ Id: opp.Id, StageName: 'Closed Won' });
      expect(payloads()).toEqual([
        expect.objectContaining({
          Action__c: 'CREATE_DRAFT',
          Opportunity_Id__c: opp.Id,
          Invoice_Id__c: null,
          Payload__c: null,
          Request_Key__c: `CREATE_DRAFT:${opp.Id}:1`,
          Requested_By__c: salesId,
          CreatedById: salesId,
        }),
      ]);
      const won = (await sales.sobject('Opportunity').retrieve(opp.Id)) as Rec;
      expect(won).toMatchObject({ IsWon: true, IsClosed: true, Probability: 100 });
      // staying won, or any other change, publishes nothing more
      await sales.sobject('Opportunity').update({ Id: opp.Id, Description: 'signed' });
      expect(payloads()).toHaveLength(1);
    });

    it('publishes CREATE_DRAFT for opportunities created already won (an import, an API create, a clone)', async () => {
      const account = (await sales.query<Rec>('SELECT Id FROM Account LIMIT 1')).records[0]!;
      const won = { AccountId: account.Id, StageName: 'Closed Won', CloseDate: '2026-01-15', Amount: 1000 };
      const single = (await sales.sobject('Opportunity').create({ ...won, Name: 'Imported deal' })) as unknown as {
        id: string;
      };
      const open = (await sales.sobject('Opportunity').create({
        ...won,
        Name: 'Still open',
        StageName: 'Prospecting',
      })) as unknown as { id: string };
      const batch = (await sales.sobject('Opportunity').create([
        { ...won, Name: 'Clone 1' },
        { ...won, Name: 'Clone 2' },
      ])) as unknown as { id: string }[];
      expect(requests().map((p) => [p.Action__c, p.Request_Key__c])).toEqual(
        [single.id, ...batch.map((b) => b.id)].map((id) => ['CREATE_DRAFT', `CREATE_DRAFT:${id}:1`]),
      );
      expect(payloads().map((p) => p.Action__c)).toEqual(['CREATE_DRAFT', 'MANY']); // the collection's two in one
      // winning it later publishes once; the won one staying won publishes nothing more
      await sales.sobject('Opportunity').update({ Id: open.id, StageName: 'Closed Won' });
      await sales.sobject('Opportunity').update({ Id: single.id, Description: 'imported from the old CRM' });
      expect(requests()).toHaveLength(4);
    });

    it('lets a rep without any Ledgerline permission set close a deal, and publishes its CREATE_DRAFT', async () => {
      const newhire = connect(em, NEWHIRE);
      const newhireId = em.control.login(NEWHIRE).userId;
      expect(em.org.objectAccess(newhireId, 'Invoice_Request__e').create).toBe(false);
      const opp = await openOpportunity();
      await newhire.sobject('Opportunity').update({ Id: opp.Id, StageName: 'Closed Won' });
      expect(await newhire.sobject('Opportunity').retrieve(opp.Id)).toMatchObject({ IsWon: true });
      expect(payloads()).toEqual([
        expect.objectContaining({
          Action__c: 'CREATE_DRAFT',
          Request_Key__c: `CREATE_DRAFT:${opp.Id}:1`,
          Requested_By__c: newhireId,
        }),
      ]);
    });

    it('publishes nothing for other stage changes or with auto-draft off', async () => {
      const opp = await openOpportunity();
      await sales.sobject('Opportunity').update({ Id: opp.Id, StageName: 'Closed Lost' });
      await sales.sobject('Opportunity').update({ Id: opp.Id, StageName: 'Prospecting' });
      expect(payloads()).toHaveLength(0);
      em.control.setOrgSettings({ Auto_Draft_On_Close__c: false });
      await sales.sobject('Opportunity').update({ Id: opp.Id, StageName: 'Closed Won' });
      expect(payloads()).toHaveLength(0);
    });

    it('publishes in read-only mode too: the bridge holds the request until read-only mode is off', async () => {
      em.control.setOrgSettings({ Read_Only_Mode__c: true });
      const opp = await openOpportunity('USD');
      await sales.sobject('Opportunity').update({ Id: opp.Id, StageName: 'Closed Won' });
      const invoiceId = await invoiceFor(opp, inXero());
      em.control.approvals.submit(invoiceId, { user: SALES });
      em.control.approvals.approve(invoiceId, { user: FINANCE });
      expect(payloads().map((p) => p.Request_Key__c)).toEqual([`CREATE_DRAFT:${opp.Id}:1`, `AUTHORISE:${invoiceId}:1`]);
    });

    it('publishes the requests of one collection update in one MANY event, none for a rolled-back record', async () => {
      const open = await sales.query<Rec>('SELECT Id FROM Opportunity WHERE IsClosed = false ORDER BY Name LIMIT 3');
      const [first, refused, third] = open.records;
      const results = await sales.sobject('Opportunity').update(
        [
          { Id: first!.Id, StageName: 'Closed Won' },
          { Id: refused!.Id, StageName: 'Closed Won', Name: 'x'.repeat(121) },
          { Id: third!.Id, StageName: 'Closed Won' },
        ],
        { allOrNone: false },
      );
      expect(results.map((r) => r.success)).toEqual([true, false, true]);
      // The trigger runs once over the collection (InvoiceRequestPublisher.packed): one delivery, not one per deal.
      expect(payloads()).toEqual([
        expect.objectContaining({
          Action__c: 'MANY',
          Request_Key__c: `MANY:CREATE_DRAFT:${first!.Id}:1`,
          Requested_By__c: salesId,
        }),
      ]);
      const carried = JSON.parse(String(payloads()[0]!.Requests__c)) as Rec[];
      expect(carried).toEqual(
        [first!, third!].map((opp) => ({
          Action__c: 'CREATE_DRAFT',
          Opportunity_Id__c: opp.Id,
          Invoice_Id__c: null,
          Request_Key__c: `CREATE_DRAFT:${opp.Id}:1`,
          Requested_By__c: salesId,
          Payload__c: null,
        })),
      );
    });

    it('a collection update in which only one opportunity turns won publishes its request as it is', async () => {
      const usd = await sales.query<Rec>("SELECT Id FROM Opportunity WHERE CurrencyIsoCode = 'USD' ORDER BY Name");
      const results = await sales.sobject('Opportunity').update(
        [
          { Id: usd.records[0]!.Id, StageName: 'Closed Won' },
          { Id: usd.records[1]!.Id, StageName: 'Closed Won', Name: 'x'.repeat(121) },
        ],
        { allOrNone: false },
      );
      expect(results.map((r) => r.success)).toEqual([true, false]);
      expect(payloads().map((p) => p.Opportunity_Id__c)).toEqual([usd.records[0]!.Id]);
    });
  });

  describe('approval process and InvoiceTriggerHandler', () => {
    it('locks a submitted invoice, then publishes AUTHORISE when finance approves, with what was approved', async () => {
      const opp = await openOpportunity();
      const invoiceId = await invoiceFor(opp, {
        ...inXero(),
        Total__c: 9120,
        Xero_Updated__c: '2026-01-15T08:30:00.000+0000',
      });
      em.control.approvals.submit(invoiceId, { user: SALES, comment: 'please approve' });
      expect(await integration.sobject('Invoice__c').retrieve(invoiceId)).toMatchObject({
        Status__c: 'Awaiting Approval',
        Approval_Status__c: 'Pending',
      });
      // locked to finance itself (the bridge's own writes: approval-lock.test.ts)
      await expect(
        connect(em, FINANCE).sobject('Invoice__c').update({ Id: invoiceId, Reference__c: 'PO-1' }),
      ).rejects.toMatchObject({
        errorCode: 'ENTITY_IS_LOCKED',
        message: 'This record is locked. If you need to edit it, contact your admin.',
      });
      expect(payloads()).toHaveLength(0);

      em.control.approvals.approve(invoiceId, { user: FINANCE, comment: 'OK to send' });
      const inv = (await integration.sobject('Invoice__c').retrieve(invoiceId)) as Rec;
      expect(inv).toMatchObject({
        Status__c: 'Approved',
        Approval_Status__c: 'Approved',
        Approval_Comment__c: 'OK to send',
      });
      expect(payloads()).toEqual([
        expect.objectContaining({
          Action__c: 'AUTHORISE',
          Invoice_Id__c: invoiceId,
          Opportunity_Id__c: opp.Id,
          Request_Key__c: `AUTHORISE:${invoiceId}:1`,
          Requested_By__c: financeId,
          // the approved total and Xero version, as the Apex's JSON.serialize writes them
          Payload__c: '{"approvedTotal":"9120.00","xeroUpdated":"2026-01-15T08:30:00.000Z"}',
        }),
      ]);
      await integration.sobject('Invoice__c').update({ Id: invoiceId, Reference__c: 'PO-1' });
      const history = await integration.query<Rec>(
        `SELECT TargetObjectId, Status, (SELECT StepStatus, Comments, ActorId FROM Steps ORDER BY CreatedDate DESC, Id DESC) FROM ProcessInstance WHERE TargetObjectId = '${invoiceId}'`,
      );
      expect(history.records[0]).toMatchObject({ Status: 'Approved' });
      expect((history.records[0]!.Steps as { records: Rec[] }).records.map((s) => [s.StepStatus, s.Comments])).toEqual([
        ['Approved', 'OK to send'],
        ['Started', 'please approve'],
      ]);
    });

    it('locks the invoice lines with their invoice; users with Modify All (the admin) may still edit', async () => {
      const invoiceId = await invoiceFor(await openOpportunity(), inXero());
      const line = (await integration
        .sobject('Invoice_Line__c')
        .create({ Invoice__c: invoiceId, Description__c: 'Seats', Quantity__c: 1, Unit_Amount__c: 10 })) as unknown as {
        id: string;
      };
      em.control.approvals.submit(invoiceId, { user: SALES });
      const finance = connect(em, FINANCE);
      await expect(finance.sobject('Invoice_Line__c').update({ Id: line.id, Quantity__c: 2 })).rejects.toMatchObject({
        errorCode: 'ENTITY_IS_LOCKED',
      });
      await expect(finance.sobject('Invoice_Line__c').destroy(line.id)).rejects.toMatchObject({
        errorCode: 'ENTITY_IS_LOCKED',
      });
      await connect(em, ADMIN).sobject('Invoice__c').update({ Id: invoiceId, Reference__c: 'PO-admin' });
      expect(await integration.sobject('Invoice__c').retrieve(invoiceId)).toMatchObject({
        Reference__c: 'PO-admin',
        Approval_Status__c: 'Pending',
      });
    });

    it('an approved invoice the bridge sends back to Draft (changed since approved) is Not Submitted, to approve again', async () => {
      const invoiceId = await invoiceFor(await openOpportunity(), { ...inXero(), Total__c: 100 });
      em.control.approvals.submit(invoiceId, { user: SALES });
      em.control.approvals.approve(invoiceId, { user: FINANCE });
      // what the bridge writes when the invoice changed since the approval (sync/invoice-actions/authorise.ts)
      await integration.sobject('Invoice__c').update({
        Id: invoiceId,
        Status__c: 'Draft',
        Sync_Status__c: 'Error',
        Sync_Message__c: 'Not authorised in Xero: changed since finance approved it',
      });
      expect(await integration.sobject('Invoice__c').retrieve(invoiceId)).toMatchObject({
        Status__c: 'Draft',
        Approval_Status__c: 'Not Submitted',
      });
      // submitted and approved again: AUTHORISE again (its key is the same; the bridge runs a stopped one again)
      await integration.sobject('Invoice__c').update({ Id: invoiceId, Total__c: 150, Sync_Status__c: 'Synced' });
      em.control.approvals.submit(invoiceId, { user: SALES });
      em.control.approvals.approve(invoiceId, { user: FINANCE });
      expect(payloads().map((p) => [p.Request_Key__c, JSON.parse(String(p.Payload__c)).approvedTotal])).toEqual([
        [`AUTHORISE:${invoiceId}:1`, '100.00'],
        [`AUTHORISE:${invoiceId}:1`, '150.00'],
      ]);
      // a write that keeps it Approved changes nothing
      await integration.sobject('Invoice__c').update({ Id: invoiceId, Reference__c: 'PO-9' });
      expect(await integration.sobject('Invoice__c').retrieve(invoiceId)).toMatchObject({
        Approval_Status__c: 'Approved',
      });
    });

    it('a Draft written Synced (a write-back that read the invoice before the approval) keeps it Approved', async () => {
      const invoiceId = await invoiceFor(await openOpportunity(), { ...inXero(), Total__c: 100 });
      em.control.approvals.submit(invoiceId, { user: SALES });
      em.control.approvals.approve(invoiceId, { user: FINANCE });
      // not a send-back: the bridge still authorises this approval (AUTHORISE is published)
      await integration.sobject('Invoice__c').update({ Id: invoiceId, Status__c: 'Draft', Sync_Status__c: 'Synced' });
      expect(await integration.sobject('Invoice__c').retrieve(invoiceId)).toMatchObject({
        Status__c: 'Draft',
        Approval_Status__c: 'Approved',
      });
      expect(payloads().map((p) => p.Action__c)).toEqual(['AUTHORISE']);
    });

    it('sends a rejected invoice back to Draft with the approver comment, and publishes nothing', async () => {
      const invoiceId = await invoiceFor(await openOpportunity(), inXero());
      em.control.approvals.submit(invoiceId, { user: SALES });
      em.control.approvals.reject(invoiceId, { user: FINANCE, comment: 'Wrong PO number' });
      expect(await integration.sobject('Invoice__c').retrieve(invoiceId)).toMatchObject({
        Status__c: 'Draft',
        Approval_Status__c: 'Rejected',
        Approval_Comment__c: 'Wrong PO number',
      });
      expect(payloads()).toHaveLength(0);
      await integration.sobject('Invoice__c').update({ Id: invoiceId, Reference__c: 'PO-2' });
      // resubmitting clears the old comment
      em.control.approvals.submit(invoiceId, { user: SALES });
      expect(await integration.sobject('Invoice__c').retrieve(invoiceId)).toMatchObject({
        Status__c: 'Awaiting Approval',
        Approval_Comment__c: null,
      });
      em.control.approvals.recall(invoiceId, { user: SALES });
      expect(await integration.sobject('Invoice__c').retrieve(invoiceId)).toMatchObject({
        Status__c: 'Draft',
        Approval_Status__c: 'Not Submitted',
      });
      expect(() => em.control.approvals.approve(invoiceId, { user: FINANCE })).toThrow('invalid cross reference id');
    });

    it('refuses Approved set by hand (admin, integration, data load): nothing is published; a real approval is', async () => {
      const invoiceId = await invoiceFor(await openOpportunity(), inXero());
      const note = (await integration
        .sobject('Credit_Note__c')
        .create({ Invoice__c: invoiceId, Status__c: 'Draft' })) as unknown as { id: string };
      const refused = {
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        message: expect.stringContaining('Only the Finance Approval process can approve this record'),
      };
      // the bridge's user cannot edit Approval_Status__c at all (read-only in its permission set): refused before the rule
      const readOnly = {
        errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        message: expect.stringContaining('Approval_Status__c'),
      };
      for (const [conn, refusal] of [
        [connect(em, ADMIN), refused],
        [integration, readOnly],
      ] as const) {
        await expect(
          conn.sobject('Invoice__c').update({ Id: invoiceId, Approval_Status__c: 'Approved' }),
        ).rejects.toMatchObject(refusal);
        await expect(
          conn.sobject('Credit_Note__c').update({ Id: note.id, Approval_Status__c: 'Approved' }),
        ).rejects.toMatchObject(refusal);
      }
      // rejected by the process, then approved by hand: still refused
      em.control.approvals.submit(invoiceId, { user: SALES });
      em.control.approvals.reject(invoiceId, { user: FINANCE, comment: 'Wrong PO' });
      await expect(
        connect(em, ADMIN).sobject('Invoice__c').update({ Id: invoiceId, Approval_Status__c: 'Approved' }),
      ).rejects.toMatchObject(refused);
      expect(await integration.sobject('Invoice__c').retrieve(invoiceId)).toMatchObject({
        Approval_Status__c: 'Rejected',
        Status__c: 'Draft',
      });
      expect(payloads()).toHaveLength(0);

      em.control.approvals.submit(invoiceId, { user: SALES });
      em.control.approvals.approve(invoiceId, { user: FINANCE });
      em.control.approvals.submit(note.id, { user: FINANCE });
      em.control.approvals.approve(note.id, { user: FINANCE });
      expect(payloads().map((p) => p.Request_Key__c)).toEqual([`AUTHORISE:${invoiceId}:1`, `AUTHORISE:${note.id}:1`]);
      const history = await integration.query<Rec>(
        `SELECT Status, (SELECT StepStatus FROM Steps ORDER BY CreatedDate DESC, Id DESC) FROM ProcessInstance WHERE TargetObjectId = '${invoiceId}' ORDER BY CreatedDate DESC, Id DESC`,
      );
      expect(history.records.map((r) => r.Status)).toEqual(['Approved', 'Rejected']);
    });

    it('publishes AUTHORISE for an approved credit note with the invoice id and the credit note id in the payload', async () => {
      const invoiceId = await invoiceFor(await openOpportunity());
      const note = (await integration
        .sobject('Credit_Note__c')
        .create({ Invoice__c: invoiceId, Status__c: 'Draft' })) as unknown as { id: string };
      em.control.approvals.submit(note.id, { user: FINANCE });
      em.control.approvals.approve(note.id, { user: FINANCE, comment: 'fine' });
      expect(payloads()).toEqual([
        expect.objectContaining({
          Action__c: 'AUTHORISE',
          Invoice_Id__c: invoiceId,
          Opportunity_Id__c: null,
          Payload__c: JSON.stringify({ creditNoteId: note.id }),
          Request_Key__c: `AUTHORISE:${note.id}:1`,
        }),
      ]);
      expect(await integration.sobject('Credit_Note__c').retrieve(note.id)).toMatchObject({
        Status__c: 'Approved',
        Approval_Comment__c: 'fine',
      });
    });
  });

  it('computes formula fields when read (Invoice__c.Days_Overdue__c)', async () => {
    const invoiceId = await invoiceFor(await openOpportunity(), {
      Status__c: 'Authorised',
      Amount_Due__c: 50,
      Due_Date__c: '2026-01-10',
    });
    const read = async () =>
      (await integration.query<Rec>(`SELECT Days_Overdue__c FROM Invoice__c WHERE Id = '${invoiceId}'`)).records[0]!
        .Days_Overdue__c;
    expect(await read()).toBe(5);
    clock.advance(3 * 86_400_000);
    integration = connect(em); // sessions last 2 hours
    expect(await read()).toBe(8);
    await integration.sobject('Invoice__c').update({ Id: invoiceId, Amount_Due__c: 0 });
    expect(await read()).toBe(0);
  });

  describe('InvoiceActions', () => {
    it('VOID: VOID:<id>:1 for finance; refused without the permission or when not in Xero', async () => {
      const opp = await openOpportunity();
      const notInXero = await invoiceFor(opp);
      expect(em.control.invoiceActions.voidInvoice(notInXero, financeId)).toMatchObject({
        isSuccess: false,
        requestKey: null,
      });
      const invoiceId = await invoiceFor(opp, {
        Xero_Invoice_Id__c: 'xero-void-1',
        Status__c: 'Authorised',
        Total__c: 100,
      });
      expect(em.control.invoiceActions.voidInvoice(invoiceId, salesId)).toEqual({
        isSuccess: false,
        requestKey: null,
        message:
          'Only finance users can void or credit invoices. Ask your Salesforce admin for the Ledgerline Finance permission set.',
      });
      const ok = em.control.invoiceActions.voidInvoice(invoiceId, financeId);
      expect(ok).toMatchObject({
        isSuccess: true,
        requestKey: `VOID:${invoiceId}:1`,
        message: expect.stringMatching(/^Sent to Xero\. INV-\d{6} updates here/),
      });
      expect(payloads()).toEqual([
        expect.objectContaining({
          Action__c: 'VOID',
          Invoice_Id__c: invoiceId,
          Opportunity_Id__c: opp.Id,
          Requested_By__c: financeId,
        }),
      ]);
    });

    it('CREDIT: key counts existing credit notes; payload carries amount, reason and lines as strings', async () => {
      const invoiceId = await invoiceFor(await openOpportunity(), {
        Xero_Invoice_Id__c: 'xero-credit-1',
        Status__c: 'Authorised',
        Total__c: 1000,
      });
      // an amount and lines together: refused (lines credit exactly what they list; the bridge would drop the amount)
      const both = em.control.invoiceActions.credit(invoiceId, financeId, {
        amount: 250,
        lines: [{ description: 'Seats', quantity: 1, unitAmount: 100 }],
      });
      expect(both).toEqual({
        isSuccess: false,
        requestKey: null,
        message: 'Enter a credit amount or credit lines, not both: credit lines credit exactly what they list.',
      });
      const first = em.control.invoiceActions.credit(invoiceId, financeId, {
        reason: ' Two seats cancelled ',
        lines: [{ description: 'Seats', quantity: 2, unitAmount: '61.725', accountCode: '200' }],
      });
      expect(first).toMatchObject({ isSuccess: true, requestKey: `CREDIT:${invoiceId}:1` });
      expect(JSON.parse(String(payloads()[0]!.Payload__c))).toEqual({
        reason: 'Two seats cancelled',
        lines: [{ description: 'Seats', quantity: '2', unitAmount: '61.725', accountCode: '200' }],
      });
      expect(payloads()).toHaveLength(1);
      em.control.invoiceActions.credit(invoiceId, financeId, { amount: 123.45, reason: 'Goodwill' });
      expect(JSON.parse(String(payloads()[1]!.Payload__c))).toEqual({ amount: '123.45', reason: 'Goodwill' });
      await integration.sobject('Credit_Note__c').create({ Invoice__c: invoiceId, Status__c: 'Authorised' });
      expect(em.control.invoiceActions.credit(invoiceId, financeId, { amount: 10 })).toMatchObject({
        requestKey: `CREDIT:${invoiceId}:2`,
      });
      const twice = em.control.invoiceActions.request(
        [
          { invoiceId, action: 'CREDIT', amount: 1 },
          { invoiceId, action: 'CREDIT', amount: 2 },
          { invoiceId, action: 'CREDIT', amount: 5000 },
        ],
        financeId,
      );
      expect(twice.map((r) => r.requestKey)).toEqual([`CREDIT:${invoiceId}:2`, `CREDIT:${invoiceId}:3`, null]);
      expect(twice[2]!.message).toBe(
        'The credit of 5,000.00 GBP is more than can still be credited on this invoice (1,000.00 GBP: the total less credits already applied).',
      );
    });

    it('RESYNC: key carries the request time in epoch ms; in read-only mode it is sent and said to wait', async () => {
      const invoiceId = await invoiceFor(await openOpportunity());
      expect(em.control.invoiceActions.resync(invoiceId, salesId)).toMatchObject({
        isSuccess: true,
        requestKey: `RESYNC:${invoiceId}:${clock.now()}`,
      });
      // the components' Retry button (InvoiceActions.requestResync): same rule, a later key
      clock.advance(1000);
      expect(em.control.invoiceActions.requestResync(invoiceId, SALES)).toMatch(/^Sent to Xero\./);
      expect(payloads().map((p) => p.Request_Key__c)).toEqual([
        `RESYNC:${invoiceId}:${clock.now() - 1000}`,
        `RESYNC:${invoiceId}:${clock.now()}`,
      ]);
      // read-only mode: still sent, and the user is told it waits for read-only mode to end
      em.control.setOrgSettings({ Read_Only_Mode__c: true });
      clock.advance(1000);
      expect(em.control.invoiceActions.resync(invoiceId, salesId)).toMatchObject({
        isSuccess: true,
        requestKey: `RESYNC:${invoiceId}:${clock.now()}`,
        message: expect.stringMatching(/^Queued for Xero\. Ledgerline is in read-only mode/),
      });
      clock.advance(1000);
      expect(em.control.invoiceActions.requestResync(invoiceId, SALES)).toMatch(/read-only mode/);
      expect(payloads()).toHaveLength(4);
    });
  });
});

describe('org behaviours with the ldgr namespace', () => {
  it('publishes on the namespaced event with namespaced fields', async () => {
    const em = await startTestEmulator({ namespace: 'ldgr' });
    try {
      const sales = connect(em, SALES);
      const opp = (await sales.query<Rec>("SELECT Id FROM Opportunity WHERE CurrencyIsoCode = 'EUR' LIMIT 1"))
        .records[0]!;
      await sales.sobject('Opportunity').update({ Id: opp.Id, StageName: 'Closed Won' });
      const events = em.control.events('/event/ldgr__Invoice_Request__e');
      expect(events.map((e) => e.data.payload)).toEqual([
        expect.objectContaining({
          ldgr__Action__c: 'CREATE_DRAFT',
          ldgr__Request_Key__c: `CREATE_DRAFT:${opp.Id}:1`,
          ldgr__Opportunity_Id__c: opp.Id,
        }),
      ]);
    } finally {
      await em.close();
    }
  });
});
