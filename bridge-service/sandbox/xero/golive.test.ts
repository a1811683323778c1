/**
 * The emulator's go-live surface through the real xero-node client (every body checked against Xero's OpenAPI spec
 * when the harness closes): items and item codes on lines, overpayments and prepayments (bank transactions,
 * allocations, refunds, remaining credit), contacts' identifiers, archived contacts and paging, a draft updated in
 * place, and the hooks for changes made by hand in Xero and for a go-live tenant.
 */
import { BankTransaction, Contact, Invoice, LineAmountTypes } from 'xero-node';
import type { Invoice as XeroInvoice } from 'xero-node';
import { ScaledClock } from '../shared/clock';
import { failure, startHarness, UK, type Harness } from './test-helpers';
import { statusCounts } from './golive-tenant';

const NOW = Date.UTC(2026, 5, 30, 12);

describe('xero emulator: go-live', () => {
  let h: Harness;
  let contactId: string;

  const authorised = async (unitAmount: number, extra: Partial<XeroInvoice> = {}) => {
    const res = await h.xero.accountingApi.createInvoices(UK, {
      invoices: [
        {
          type: Invoice.TypeEnum.ACCREC,
          contact: { contactID: contactId },
          status: Invoice.StatusEnum.AUTHORISED,
          date: '2026-06-01',
          dueDate: '2026-06-30',
          lineItems: [{ description: 'Subscription', quantity: 1, unitAmount, accountCode: '200' }],
          ...extra,
        },
      ],
    });
    return res.body.invoices![0]!;
  };
  const receive = async (type: BankTransaction.TypeEnum, amount: number) => {
    const res = await h.xero.accountingApi.createBankTransactions(UK, {
      bankTransactions: [
        {
          type,
          contact: { contactID: contactId },
          bankAccount: { code: '090' },
          date: '2026-06-02',
          reference: `${type} ${amount}`,
          lineAmountTypes:
            type === BankTransaction.TypeEnum.RECEIVEPREPAYMENT ? LineAmountTypes.Inclusive : LineAmountTypes.NoTax,
          lineItems: [
            {
              description: 'Received',
              lineAmount: amount,
              ...(type === BankTransaction.TypeEnum.RECEIVEPREPAYMENT
                ? { accountCode: '200', taxType: 'OUTPUT2' }
                : {}),
            },
          ],
        },
      ],
    });
    return res.body.bankTransactions![0]!;
  };

  beforeAll(async () => {
    h = await startHarness({ clock: new ScaledClock({ start: NOW, scale: 0 }) });
    const res = await h.xero.accountingApi.createContacts(UK, {
      contacts: [
        { name: 'Credit Holder Ltd', emailAddress: 'ap@holder.example', accountNumber: 'CUST-7', taxNumber: 'GB 123' },
      ],
    });
    contactId = res.body.contacts![0]!.contactID!;
  });
  afterAll(() => h.close());

  describe('items', () => {
    it('lists the seeded items, creates one, and refuses a code in use', async () => {
      const { body } = await h.xero.accountingApi.getItems(UK);
      expect(body.items!.map((i) => i.code)).toEqual(expect.arrayContaining(['LL-PLAT', 'LL-ONB', 'LL-SUP']));
      const created = await h.xero.accountingApi.createItems(UK, {
        items: [{ code: 'LL-API', name: 'API calls', salesDetails: { unitPrice: 0.25, accountCode: '260' } }],
      });
      expect(created.body.items![0]).toMatchObject({ code: 'LL-API', name: 'API calls' });
      const again = await failure(h.xero.accountingApi.createItems(UK, { items: [{ code: 'll-api' }] }));
      expect(again.statusCode).toBe(400);
      expect(JSON.stringify(again.body)).toContain("Item code 'll-api' is already in use.");
      expect((await h.xero.accountingApi.getItem(UK, 'LL-API')).body.items![0]!.name).toBe('API calls');
    });

    it('refuses a line naming an item the organisation does not have; a known one fills in the line', async () => {
      const refused = await failure(
        h.xero.accountingApi.createInvoices(UK, {
          invoices: [
            {
              type: Invoice.TypeEnum.ACCREC,
              contact: { contactID: contactId },
              lineItems: [{ description: 'x', quantity: 1, unitAmount: 1, itemCode: 'NOPE' }],
            },
          ],
        }),
      );
      expect(JSON.stringify(refused.body)).toContain("Item code 'NOPE' is not valid.");
      const made = await h.xero.accountingApi.createInvoices(
        UK,
        {
          invoices: [
            {
              type: Invoice.TypeEnum.ACCREC,
              contact: { contactID: contactId },
              lineItems: [{ quantity: 1000, itemCode: 'll-api' }],
            },
          ],
        },
        false,
        4,
      );
      const line = made.body.invoices![0]!.lineItems![0]!;
      expect(line).toMatchObject({ itemCode: 'LL-API', description: 'API calls', accountCode: '260', lineAmount: 250 });
    });
  });

  describe('overpayments and prepayments', () => {
    it('an overpayment is a bank transaction, listed under /Overpayments with its remaining credit, paged', async () => {
      const txn = await receive(BankTransaction.TypeEnum.RECEIVEOVERPAYMENT, 300);
      expect(txn).toMatchObject({ type: 'RECEIVE-OVERPAYMENT', total: 300, status: 'AUTHORISED' });
      const { body } = await h.xero.accountingApi.getOverpayments(UK, undefined, undefined, undefined, 1, 2, 1);
      expect(body.pagination).toEqual({ page: 1, pageSize: 1, pageCount: 1, itemCount: 1 });
      expect(body.overpayments![0]).toMatchObject({
        overpaymentID: txn.overpaymentID,
        remainingCredit: 300,
        status: 'AUTHORISED',
        contact: { contactID: contactId },
      });
      expect(body.overpayments![0]!.lineItems).toHaveLength(1);
    });

    it('allocating to an invoice lowers its amount due and the credit; a refund uses the rest; PAID at zero', async () => {
      const invoice = await authorised(500);
      const overpayment = (await h.xero.accountingApi.getOverpayments(UK)).body.overpayments![0]!;
      const allocated = await h.xero.accountingApi.createOverpaymentAllocations(UK, overpayment.overpaymentID!, {
        allocations: [{ invoice: { invoiceID: invoice.invoiceID! }, amount: 200, date: '2026-06-05' }],
      });
      const allocationId = allocated.body.allocations![0]!.allocationID!;
      const after = (await h.xero.accountingApi.getInvoice(UK, invoice.invoiceID!)).body.invoices![0]!;
      expect(after).toMatchObject({ amountCredited: 200, amountDue: 400 });
      expect(after.overpayments![0]).toMatchObject({ overpaymentID: overpayment.overpaymentID, appliedAmount: 200 });

      const tooMuch = await failure(
        h.xero.accountingApi.createOverpaymentAllocations(UK, overpayment.overpaymentID!, {
          allocations: [{ invoice: { invoiceID: invoice.invoiceID! }, amount: 150, date: '2026-06-05' }],
        }),
      );
      expect(JSON.stringify(tooMuch.body)).toContain('exceeds the remaining credit on this overpayment');

      await h.xero.accountingApi.createPayment(UK, {
        overpayment: { overpaymentID: overpayment.overpaymentID! },
        account: { code: '090' },
        amount: 100,
        date: '2026-06-06',
      });
      const used = (await h.xero.accountingApi.getOverpayment(UK, overpayment.overpaymentID!)).body.overpayments![0]!;
      expect(used).toMatchObject({ remainingCredit: 0, status: 'PAID' });
      expect(used.payments).toHaveLength(1);
      expect(used.allocations![0]).toMatchObject({ amount: 200, invoice: { invoiceID: invoice.invoiceID } });
      const refunds = (await h.xero.accountingApi.getPayments(UK)).body.payments!.filter(
        (p) => String(p.paymentType) === 'AROVERPAYMENTPAYMENT',
      );
      expect(refunds).toHaveLength(1);

      await h.xero.accountingApi.deleteOverpaymentAllocations(UK, overpayment.overpaymentID!, allocationId);
      const undone = (await h.xero.accountingApi.getOverpayment(UK, overpayment.overpaymentID!)).body.overpayments![0]!;
      expect(undone).toMatchObject({ remainingCredit: 200, status: 'AUTHORISED' });
      expect((await h.xero.accountingApi.getInvoice(UK, invoice.invoiceID!)).body.invoices![0]!.amountDue).toBe(600);
    });

    it('a prepayment carries tax like an invoice and is allocated the same way; another contact cannot take it', async () => {
      const txn = await receive(BankTransaction.TypeEnum.RECEIVEPREPAYMENT, 120);
      const prepayment = (await h.xero.accountingApi.getPrepayment(UK, txn.prepaymentID!)).body.prepayments![0]!;
      expect(prepayment).toMatchObject({ type: 'RECEIVE-PREPAYMENT', subTotal: 100, totalTax: 20, total: 120 });
      const other = (await h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'Someone Else Ltd' }] })).body
        .contacts![0]!;
      const theirs = await authorised(50, { contact: { contactID: other.contactID! } });
      const refused = await failure(
        h.xero.accountingApi.createPrepaymentAllocations(UK, prepayment.prepaymentID!, {
          allocations: [{ invoice: { invoiceID: theirs.invoiceID! }, amount: 10, date: '2026-06-05' }],
        }),
      );
      expect(JSON.stringify(refused.body)).toContain('must be for the same contact');
      const ours = await authorised(100);
      await h.xero.accountingApi.createPrepaymentAllocations(UK, prepayment.prepaymentID!, {
        allocations: [{ invoice: { invoiceID: ours.invoiceID! }, amount: 120, date: '2026-06-05' }],
      });
      const paid = (await h.xero.accountingApi.getInvoice(UK, ours.invoiceID!)).body.invoices![0]!;
      expect(paid).toMatchObject({ status: 'PAID', amountDue: 0, amountCredited: 120 });
      expect((await h.xero.accountingApi.getPrepayments(UK)).body.prepayments![0]!.status).toBe('PAID');
    });

    // xero_accounting.yaml: BankTransaction lists LineItems as `required`; getBankTransactions `page` says "Up to 100
    // bank transactions will be returned in a single API call with line items details" (its example lists
    // `LineItems: []`), worded as for Invoices, whose unpaged list omits lines (xero-api.md §6 [INV]).
    it('lists bank transactions with LineItems always, filled only when paged; one read by id has them', async () => {
      const txn = await receive(BankTransaction.TypeEnum.RECEIVEOVERPAYMENT, 25);
      const listed = (body: { bankTransactions?: BankTransaction[] }) =>
        body.bankTransactions!.find((t) => t.bankTransactionID === txn.bankTransactionID)!;
      const unpaged = listed((await h.xero.accountingApi.getBankTransactions(UK)).body);
      expect(unpaged).toMatchObject({ total: 25, type: 'RECEIVE-OVERPAYMENT' });
      expect(unpaged.lineItems).toEqual([]);
      const paged = listed(
        (await h.xero.accountingApi.getBankTransactions(UK, undefined, undefined, undefined, 1)).body,
      );
      expect(paged.lineItems!.map((l) => [l.description, l.lineAmount])).toEqual([['Received', 25]]);
      const one = (await h.xero.accountingApi.getBankTransaction(UK, txn.bankTransactionID!)).body
        .bankTransactions![0]!;
      expect(one.lineItems).toHaveLength(1);
    });

    it('refuses the bank transaction types the emulator does not model, in words', async () => {
      const res = await failure(receive(BankTransaction.TypeEnum.RECEIVE, 10));
      expect(JSON.stringify(res.body)).toContain('is not modelled by the emulator');
    });

    it('holds a customer credit of the AR types, listed and refunded like a RECEIVE one', async () => {
      const invoice = await authorised(80);
      const { creditId } = h.emulator.control.goLive.recordCredit(UK, {
        kind: 'overpayment',
        contactId,
        amount: '90.00',
        date: '2026-06-03',
        allocate: { invoiceId: invoice.invoiceID!, amount: '40.00' },
        arType: true,
      });
      await h.xero.accountingApi.createPayment(UK, {
        overpayment: { overpaymentID: creditId },
        account: { code: '090' },
        amount: 15,
        date: '2026-06-04',
      });
      const listed = (await h.xero.accountingApi.getOverpayments(UK)).body.overpayments!.find(
        (o) => o.overpaymentID === creditId,
      )!;
      expect(listed).toMatchObject({ type: 'AROVERPAYMENT', total: 90, remainingCredit: 35 });
      expect(listed.allocations!.map((a) => [a.invoice?.invoiceID, a.amount])).toEqual([[invoice.invoiceID, 40]]);
      expect(listed.payments!.map((p) => p.amount)).toEqual([15]);

      const deposit = h.emulator.control.goLive.recordCredit(UK, {
        kind: 'prepayment',
        contactId,
        amount: '60.00',
        arType: true,
      });
      const prepayment = (await h.xero.accountingApi.getPrepayment(UK, deposit.creditId)).body.prepayments![0]!;
      expect(prepayment.type).toBe('ARPREPAYMENT');
      // BankTransaction.Type has no AR value: the receipt behind it still reads RECEIVE-*.
      const receipts = (await h.xero.accountingApi.getBankTransactions(UK, undefined, undefined, undefined, 1)).body
        .bankTransactions!;
      expect(receipts.find((t) => t.prepaymentID === deposit.creditId)?.type).toBe('RECEIVE-PREPAYMENT');
    });
  });

  describe('contacts', () => {
    it('keeps AccountNumber, TaxNumber and ContactStatus; archived contacts only with includeArchived; paged', async () => {
      const archived = (
        await h.xero.accountingApi.createContacts(UK, {
          contacts: [{ name: 'Gone Away Ltd', contactStatus: Contact.ContactStatusEnum.ARCHIVED }],
        })
      ).body.contacts![0]!;
      const all = (await h.xero.accountingApi.getContacts(UK)).body.contacts!;
      expect(all.map((c) => c.contactID)).not.toContain(archived.contactID);
      const paged = await h.xero.accountingApi.getContacts(
        UK,
        undefined,
        undefined,
        'Name ASC',
        undefined,
        1,
        true,
        true,
        undefined,
        2,
      );
      expect(paged.body.pagination).toMatchObject({ page: 1, pageSize: 2, itemCount: all.length + 1 });
      expect(paged.body.contacts).toHaveLength(2);
      const holder = (await h.xero.accountingApi.getContact(UK, contactId)).body.contacts![0]!;
      expect(holder).toMatchObject({ accountNumber: 'CUST-7', taxNumber: 'GB 123', contactStatus: 'ACTIVE' });
    });
  });

  it('updates a draft in place: a line sent with its LineItemID is kept, a line left out is deleted', async () => {
    const made = await h.xero.accountingApi.createInvoices(UK, {
      invoices: [
        {
          type: Invoice.TypeEnum.ACCREC,
          contact: { contactID: contactId },
          lineItems: [
            { description: 'Keep', quantity: 1, unitAmount: 10, accountCode: '200' },
            { description: 'Drop', quantity: 1, unitAmount: 20, accountCode: '200' },
          ],
        },
      ],
    });
    const draft = made.body.invoices![0]!;
    const [keep] = draft.lineItems!;
    const updated = await h.xero.accountingApi.updateInvoice(UK, draft.invoiceID!, {
      invoices: [
        {
          invoiceID: draft.invoiceID!,
          lineItems: [
            { lineItemID: keep!.lineItemID!, description: 'Keep', quantity: 2, unitAmount: 10, accountCode: '200' },
            { description: 'New', quantity: 1, unitAmount: 5, accountCode: '200' },
          ],
        },
      ],
    });
    const lines = updated.body.invoices![0]!.lineItems!;
    expect(lines.map((l) => l.description)).toEqual(['Keep', 'New']);
    expect(lines[0]!.lineItemID).toBe(keep!.lineItemID);
    expect(updated.body.invoices![0]!.invoiceID).toBe(draft.invoiceID);
  });

  describe('changes made by hand in Xero', () => {
    it('an approved invoice edited by hand: new totals, UpdatedDateUTC bumped, a webhook queued', async () => {
      const invoice = await authorised(100);
      h.emulator.control.advanceClock(60_000);
      const events: string[] = [];
      h.emulator.state.addListener((_tenant, category, type, subject) =>
        events.push(`${category} ${type} ${subject.id}`),
      );
      const edited = h.emulator.control.goLive.handEdit(UK, invoice.invoiceID!, {
        lines: [{ Description: 'Subscription', Quantity: '1', UnitAmount: '90', AccountCode: '200' }],
      });
      expect(edited.total).toBe('108.00');
      const after = (await h.xero.accountingApi.getInvoice(UK, invoice.invoiceID!)).body.invoices![0]!;
      expect(after).toMatchObject({ status: 'AUTHORISED', total: 108 });
      expect(new Date(after.updatedDateUTC!).getTime()).toBeGreaterThan(new Date(invoice.updatedDateUTC!).getTime());
      expect(events).toEqual([`INVOICE UPDATE ${invoice.invoiceID}`]);
      await h.xero.accountingApi.createPayment(UK, {
        invoice: { invoiceID: invoice.invoiceID! },
        account: { code: '090' },
        amount: 8,
      });
      expect(() => h.emulator.control.goLive.handEdit(UK, invoice.invoiceID!, { reference: 'late' })).toThrow(
        /only while nothing is paid/,
      );
    });

    it('merging two contacts moves the documents and archives the merged one', async () => {
      const twin = (await h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'Twin Ltd' }] })).body
        .contacts![0]!;
      const invoice = await authorised(10, { contact: { contactID: twin.contactID! } });
      const { moved } = h.emulator.control.goLive.mergeContacts(UK, twin.contactID!, contactId);
      expect(moved).toBe(1);
      expect(
        (await h.xero.accountingApi.getInvoice(UK, invoice.invoiceID!)).body.invoices![0]!.contact!.contactID,
      ).toBe(contactId);
      expect((await h.xero.accountingApi.getContact(UK, twin.contactID!)).body.contacts![0]!.contactStatus).toBe(
        'ARCHIVED',
      );
    });
  });
});

describe('xero emulator: a go-live tenant', () => {
  it('200 contacts and 1,000 invoices with payments, credit notes, overpayments and prepayments, the same every time', async () => {
    const make = async () => {
      const h = await startHarness({ clock: new ScaledClock({ start: NOW, scale: 0 }) }, { conformance: false });
      const started = performance.now();
      const scenario = h.emulator.control.goLive.scenario();
      const seeded = h.emulator.control.goLive.seedHistory(UK, scenario, { from: '2025-01-01', to: '2026-06-29' });
      const ms = performance.now() - started;
      const tenant = h.emulator.state.tenant(UK)!;
      const figures = {
        seeded: { ...seeded, invoicesByAccount: seeded.invoicesByAccount.size },
        statuses: statusCounts(tenant),
        total: [...tenant.invoices.values()].reduce((sum, d) => sum + Number(d.total.toFixed(2)), 0).toFixed(2),
        latest: Math.max(...[...tenant.invoices.values()].map((d) => d.updatedAt)),
        webhooks: h.emulator.control.webhookDeliveries().length,
        accounts: scenario.accounts.map((a) => a.relation),
      };
      await h.close();
      return { figures, ms };
    };
    const first = await make();
    const second = await make();
    expect(second.figures).toEqual(first.figures);
    const { seeded, statuses, latest, webhooks, accounts } = first.figures;
    expect(seeded).toMatchObject({ contacts: 200, invoices: 1000 });
    expect(seeded.payments).toBeGreaterThan(600);
    expect(seeded.creditNotes).toBeGreaterThan(20);
    expect(seeded.overpayments + seeded.prepayments).toBe(8);
    expect(statuses.PAID).toBeGreaterThan(500);
    expect(statuses.AUTHORISED).toBeGreaterThan(100);
    expect(statuses.VOIDED).toBeGreaterThan(10);
    expect(statuses.DRAFT).toBeGreaterThan(5);
    expect(latest).toBeLessThanOrEqual(NOW);
    expect(webhooks).toBe(0);
    expect(accounts.filter((r) => r === 'ambiguous')).toHaveLength(1);
    expect(first.ms).toBeLessThan(5_000);
  });
});
