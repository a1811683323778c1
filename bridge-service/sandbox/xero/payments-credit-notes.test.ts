import type { Invoice as XeroInvoice, Payment } from 'xero-node';
import { CreditNote, CurrencyCode, Invoice } from 'xero-node';
import type { Harness } from './test-helpers';
import { failure, startHarness, UK } from './test-helpers';

describe('xero emulator: payments and credit notes through xero-node', () => {
  let h: Harness;
  let contactId: string;

  const authorised = async (unitAmount = 100, extra: Partial<XeroInvoice> = {}) => {
    const res = await h.xero.accountingApi.createInvoices(UK, {
      invoices: [
        {
          type: Invoice.TypeEnum.ACCREC,
          contact: { contactID: contactId },
          status: Invoice.StatusEnum.AUTHORISED,
          date: '2026-03-01',
          dueDate: '2026-03-31',
          lineItems: [{ description: 'Subscription', quantity: 1, unitAmount, accountCode: '200' }],
          ...extra,
        },
      ],
    });
    return res.body.invoices?.[0] as XeroInvoice;
  };
  const pay = (invoiceID: string, amount: number, date = '2026-03-10') =>
    h.xero.accountingApi.createPayments(UK, {
      payments: [{ invoice: { invoiceID }, account: { code: '090' }, amount, date }],
    });
  const creditNote = async (
    unitAmount: number,
    status: CreditNote.StatusEnum = CreditNote.StatusEnum.AUTHORISED,
    currencyCode?: CurrencyCode,
  ) => {
    const res = await h.xero.accountingApi.createCreditNotes(UK, {
      creditNotes: [
        {
          type: CreditNote.TypeEnum.ACCRECCREDIT,
          contact: { contactID: contactId },
          status,
          date: '2026-03-05',
          ...(currencyCode ? { currencyCode } : {}),
          lineItems: [{ description: 'Service credit', quantity: 1, unitAmount, accountCode: '200' }],
        },
      ],
    });
    return res.body.creditNotes?.[0] as CreditNote;
  };
  const invoice = async (id: string) =>
    (await h.xero.accountingApi.getInvoice(UK, id)).body.invoices?.[0] as XeroInvoice;

  beforeAll(async () => {
    h = await startHarness();
    const res = await h.xero.accountingApi.createContacts(UK, {
      contacts: [{ name: 'Payer Ltd', emailAddress: 'ap@payer.example' }],
    });
    contactId = res.body.contacts?.[0]?.contactID as string;
  });
  afterAll(() => h.close());

  it('applies part and full payments: AmountDue falls, PAID with FullyPaidOnDate at zero', async () => {
    const inv = await authorised(100);
    expect(inv.amountDue).toBe(120);
    const first = await pay(inv.invoiceID as string, 20);
    expect(first.body.payments?.[0]).toMatchObject({ amount: 20, status: 'AUTHORISED', paymentType: 'ACCRECPAYMENT' });
    expect(await invoice(inv.invoiceID as string)).toMatchObject({
      amountPaid: 20,
      amountDue: 100,
      status: 'AUTHORISED',
    });
    await pay(inv.invoiceID as string, 100, '2026-03-12');
    const paid = await invoice(inv.invoiceID as string);
    expect(paid).toMatchObject({ amountPaid: 120, amountDue: 0, status: 'PAID' });
    expect((paid.fullyPaidOnDate as unknown as Date).toISOString().slice(0, 10)).toBe('2026-03-12');
    expect(paid.payments).toHaveLength(2);
  });

  it('refuses payments above the amount due and on unapproved invoices', async () => {
    const inv = await authorised(50);
    const over = await failure(pay(inv.invoiceID as string, 60.01));
    expect(over.statusCode).toBe(400);
    expect(JSON.stringify(over.body)).toMatch(/exceeds the amount outstanding/);
    const draft = await h.xero.accountingApi.createInvoices(UK, {
      invoices: [
        {
          type: Invoice.TypeEnum.ACCREC,
          contact: { contactID: contactId },
          lineItems: [{ description: 'x', quantity: 1, unitAmount: 10, accountCode: '200' }],
        },
      ],
    });
    const onDraft = await failure(pay(draft.body.invoices?.[0]?.invoiceID as string, 1));
    expect(JSON.stringify(onDraft.body)).toMatch(/AUTHORISED documents/);
    const badAccount = await failure(
      h.xero.accountingApi.createPayments(UK, {
        payments: [{ invoice: { invoiceID: inv.invoiceID }, account: { code: '200' }, amount: 1 }],
      }),
    );
    expect(JSON.stringify(badAccount.body)).toMatch(/Account type is invalid/);
  });

  it('deletes a payment: status DELETED, AmountDue restored, PAID back to AUTHORISED', async () => {
    const inv = await authorised(10);
    const single = await h.xero.accountingApi.createPayment(UK, {
      invoice: { invoiceNumber: inv.invoiceNumber },
      account: { code: '090' },
      amount: 12,
      date: '2026-03-11',
    } as Payment);
    const paymentId = single.body.payments?.[0]?.paymentID as string;
    expect((await invoice(inv.invoiceID as string)).status).toBe('PAID');
    const deleted = await h.xero.accountingApi.deletePayment(UK, paymentId, { status: 'DELETED' });
    expect(deleted.body.payments?.[0]?.status).toBe('DELETED');
    expect(await invoice(inv.invoiceID as string)).toMatchObject({
      status: 'AUTHORISED',
      amountDue: 12,
      amountPaid: 0,
      payments: [],
    });
    const again = await failure(h.xero.accountingApi.deletePayment(UK, paymentId, { status: 'DELETED' }));
    expect(JSON.stringify(again.body)).toMatch(/already been deleted/);
    const listed = await h.xero.accountingApi.getPayments(UK, undefined, `Status=="DELETED"`);
    expect(listed.body.payments?.map((p) => p.paymentID)).toContain(paymentId);
  });

  it('records a customer payment through the control API, as a bank feed would', async () => {
    const inv = await authorised(200);
    const payment = h.emulator.control.recordCustomerPayment({
      tenantId: UK,
      invoiceNumber: inv.invoiceNumber,
      amount: '240.00',
      reference: 'BACS 123',
    });
    expect(payment).toMatchObject({ Amount: 240, Status: 'AUTHORISED', Reference: 'BACS 123' });
    expect((await invoice(inv.invoiceID as string)).status).toBe('PAID');
    expect(() =>
      h.emulator.control.recordCustomerPayment({ tenantId: UK, invoiceId: inv.invoiceID, amount: '1.00' }),
    ).toThrow(/AUTHORISED/);
    const http = await fetch(`${h.emulator.url}/__control/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: UK, invoiceId: inv.invoiceID, amount: '1.00' }),
    });
    expect(http.status).toBe(400);
  });

  it('creates, authorises and allocates credit notes within RemainingCredit and AmountDue', async () => {
    const draft = await creditNote(30, CreditNote.StatusEnum.DRAFT);
    expect(draft).toMatchObject({ status: 'DRAFT', total: 36, remainingCredit: 36 });
    expect(draft.creditNoteNumber).toMatch(/^CN-\d{4}$/);
    const inv = await authorised(100);
    const early = await failure(
      h.xero.accountingApi.createCreditNoteAllocation(UK, draft.creditNoteID as string, {
        allocations: [{ invoice: { invoiceID: inv.invoiceID as string }, amount: 10, date: '2026-03-06' }],
      }),
    );
    expect(JSON.stringify(early.body)).toMatch(/AUTHORISED credit note/);

    const approved = await h.xero.accountingApi.updateCreditNote(UK, draft.creditNoteID as string, {
      creditNotes: [{ status: CreditNote.StatusEnum.AUTHORISED }],
    });
    expect(approved.body.creditNotes?.[0]?.status).toBe('AUTHORISED');
    const tooMuch = await failure(
      h.xero.accountingApi.createCreditNoteAllocation(UK, draft.creditNoteID as string, {
        allocations: [{ invoice: { invoiceID: inv.invoiceID as string }, amount: 36.01, date: '2026-03-06' }],
      }),
    );
    expect(JSON.stringify(tooMuch.body)).toMatch(/remaining credit/);

    const part = await h.xero.accountingApi.createCreditNoteAllocation(UK, draft.creditNoteID as string, {
      allocations: [{ invoice: { invoiceID: inv.invoiceID as string }, amount: 16, date: '2026-03-06' }],
    });
    const allocationId = part.body.allocations?.[0]?.allocationID as string;
    expect(part.body.allocations?.[0]?.amount).toBe(16);
    expect(await invoice(inv.invoiceID as string)).toMatchObject({
      amountCredited: 16,
      amountDue: 104,
      status: 'AUTHORISED',
    });
    const note = (await h.xero.accountingApi.getCreditNote(UK, draft.creditNoteID as string)).body.creditNotes?.[0];
    expect(note).toMatchObject({ remainingCredit: 20, status: 'AUTHORISED' });

    await h.xero.accountingApi.createCreditNoteAllocation(UK, draft.creditNoteID as string, {
      allocations: [{ invoice: { invoiceID: inv.invoiceID as string }, amount: 20, date: '2026-03-07' }],
    });
    const used = (await h.xero.accountingApi.getCreditNote(UK, draft.creditNoteID as string)).body.creditNotes?.[0];
    expect(used).toMatchObject({ remainingCredit: 0, status: 'PAID' });
    const voidCredited = await failure(
      h.xero.accountingApi.updateInvoice(UK, inv.invoiceID as string, {
        invoices: [{ status: Invoice.StatusEnum.VOIDED }],
      }),
    );
    expect(JSON.stringify(voidCredited.body)).toMatch(/cannot be voided/);

    await h.xero.accountingApi.deleteCreditNoteAllocations(UK, draft.creditNoteID as string, allocationId);
    const restored = (await h.xero.accountingApi.getCreditNote(UK, draft.creditNoteID as string)).body.creditNotes?.[0];
    expect(restored).toMatchObject({ remainingCredit: 16, status: 'AUTHORISED' });
    expect(await invoice(inv.invoiceID as string)).toMatchObject({ amountCredited: 20, amountDue: 100 });
  });

  it('refuses allocations above AmountDue or across currencies, and pays the invoice off with credit', async () => {
    const inv = await authorised(10);
    const big = await creditNote(100);
    const over = await failure(
      h.xero.accountingApi.createCreditNoteAllocation(UK, big.creditNoteID as string, {
        allocations: [{ invoice: { invoiceID: inv.invoiceID as string }, amount: 12.01, date: '2026-03-06' }],
      }),
    );
    expect(JSON.stringify(over.body)).toMatch(/amount due on the invoice/);
    const euro = await creditNote(10, CreditNote.StatusEnum.AUTHORISED, CurrencyCode.EUR);
    const cross = await failure(
      h.xero.accountingApi.createCreditNoteAllocation(UK, euro.creditNoteID as string, {
        allocations: [{ invoice: { invoiceID: inv.invoiceID as string }, amount: 1, date: '2026-03-06' }],
      }),
    );
    expect(JSON.stringify(cross.body)).toMatch(/same currency/);
    await h.xero.accountingApi.createCreditNoteAllocation(UK, big.creditNoteID as string, {
      allocations: [{ invoice: { invoiceID: inv.invoiceID as string }, amount: 12, date: '2026-03-06' }],
    });
    expect(await invoice(inv.invoiceID as string)).toMatchObject({ status: 'PAID', amountDue: 0, amountCredited: 12 });
    const notes = await h.xero.accountingApi.getCreditNotes(UK, undefined, 'Status=="AUTHORISED"');
    expect(notes.body.creditNotes?.find((n) => n.creditNoteID === big.creditNoteID)?.remainingCredit).toBe(108);
  });

  it("lists a credit note's refund under Invoice with the note's Type and id, as the spec's Payments examples do", async () => {
    const note = await creditNote(30);
    const made = await h.xero.accountingApi.createPayment(UK, {
      creditNote: { creditNoteID: note.creditNoteID as string },
      account: { code: '090' },
      amount: 10,
      date: '2026-03-07',
    });
    const refundId = made.body.payments?.[0]?.paymentID as string;
    const asSpec = {
      paymentType: 'ARCREDITPAYMENT',
      invoice: { invoiceID: note.creditNoteID, invoiceNumber: note.creditNoteNumber, type: 'ACCRECCREDIT' },
    };
    const listed = (await h.xero.accountingApi.getPayments(UK)).body.payments?.find((p) => p.paymentID === refundId);
    expect(listed).toMatchObject(asSpec);
    expect(listed?.creditNote).toBeUndefined();
    const deleted = await h.xero.accountingApi.deletePayment(UK, refundId, { status: 'DELETED' });
    expect(deleted.body.payments?.[0]).toMatchObject({ ...asSpec, status: 'DELETED' });
  });

  // xero-api.md §11: "`UpdatedDateUTC` bumped on every change and used by If-Modified-Since". Of what real Xero
  // bumps, the reference names only exceptions (§6 [RR]: DueDate/SentToContact on part-paid documents, contact
  // balances); a refund's deletion is not among them, and the reference is otherwise silent on this case.
  it('moves a credit note past If-Modified-Since when its refund is deleted, with the credit back', async () => {
    const note = await creditNote(30); // 36.00 with VAT
    const made = await h.xero.accountingApi.createPayment(UK, {
      creditNote: { creditNoteID: note.creditNoteID as string },
      account: { code: '090' },
      amount: 10,
      date: '2026-03-07',
    });
    const refundId = made.body.payments?.[0]?.paymentID as string;
    h.emulator.control.advanceClock(5_000);
    const polledAt = new Date(h.emulator.control.now());
    const changedSince = async () =>
      (await h.xero.accountingApi.getCreditNotes(UK, polledAt)).body.creditNotes?.find(
        (n) => n.creditNoteID === note.creditNoteID,
      );
    expect(await changedSince()).toBeUndefined();
    h.emulator.control.advanceClock(5_000);
    await h.xero.accountingApi.deletePayment(UK, refundId, { status: 'DELETED' });
    const seen = await changedSince();
    expect(seen).toMatchObject({ status: 'AUTHORISED', remainingCredit: 36 });
    expect(seen?.payments ?? []).toEqual([]);
    expect(new Date(seen?.updatedDateUTC as Date).getTime()).toBeGreaterThan(polledAt.getTime());
  });
});
