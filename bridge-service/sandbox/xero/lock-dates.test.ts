import type { Invoice as XeroInvoice } from 'xero-node';
import { BankTransaction, CreditNote, Invoice, LineAmountTypes, ManualJournal } from 'xero-node';
import type { Harness } from './test-helpers';
import { failure, startHarness, UK } from './test-helpers';

/**
 * Invoices, credit notes, payments, overpayments, prepayments and their allocations held to the organisation's lock dates (month-end.md §3: nobody
 * posts on or before the end-of-year lock date, nobody but an adviser on or before the period lock date, and the
 * emulator's app is not an adviser). Drafts post nothing and may be dated anywhere.
 */
describe('xero emulator: lock dates hold invoices, credit notes, payments, credits and allocations', () => {
  let h: Harness;
  let contactId: string;
  const PERIOD = 'The date 15 Feb 2026 is on or before the period lock date (28 Feb 2026).';

  const invoice = async (date: string, status: Invoice.StatusEnum) =>
    h.xero.accountingApi.createInvoices(UK, {
      invoices: [
        {
          type: Invoice.TypeEnum.ACCREC,
          contact: { contactID: contactId },
          status,
          date,
          dueDate: '2026-04-30',
          lineItems: [{ description: 'Subscription', quantity: 1, unitAmount: 100, accountCode: '200' }],
        },
      ],
    });
  const made = async (date: string, status: Invoice.StatusEnum) =>
    (await invoice(date, status)).body.invoices?.[0] as XeroInvoice & { invoiceID: string };
  const creditNote = async (date: string) =>
    (
      await h.xero.accountingApi.createCreditNotes(UK, {
        creditNotes: [
          {
            type: CreditNote.TypeEnum.ACCRECCREDIT,
            contact: { contactID: contactId },
            status: CreditNote.StatusEnum.AUTHORISED,
            date,
            lineItems: [{ description: 'Credit', quantity: 1, unitAmount: 10, accountCode: '200' }],
          },
        ],
      })
    ).body.creditNotes?.[0] as CreditNote & { creditNoteID: string };
  const pay = (invoiceID: string, date: string) =>
    h.xero.accountingApi.createPayment(UK, {
      invoice: { invoiceID },
      account: { code: '090' },
      amount: 10,
      date,
    });
  const lock = (periodLockDate: string | null, endOfYearLockDate: string | null = null) =>
    h.emulator.control.setLockDates(UK, { periodLockDate, endOfYearLockDate });
  const text = (body: unknown) => JSON.stringify(body);

  beforeAll(async () => {
    h = await startHarness();
    const res = await h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'Locked Books Ltd' }] });
    contactId = res.body.contacts?.[0]?.contactID as string;
  });
  afterAll(() => h.close());
  afterEach(() => lock(null));

  it('refuses an invoice created AUTHORISED on or before a lock date, and takes a draft dated there', async () => {
    lock('2026-02-28', '2025-12-31');
    const onLock = await failure(invoice('2026-02-15', Invoice.StatusEnum.AUTHORISED));
    expect(onLock.statusCode).toBe(400);
    expect(text(onLock.body)).toContain(PERIOD);
    const yearEnd = await failure(invoice('2025-12-31', Invoice.StatusEnum.AUTHORISED));
    expect(text(yearEnd.body)).toContain('end of year lock date (31 Dec 2025)');
    expect((await made('2026-02-15', Invoice.StatusEnum.DRAFT)).status).toBe('DRAFT');
    expect((await made('2026-03-01', Invoice.StatusEnum.AUTHORISED)).status).toBe('AUTHORISED');
  });

  it('refuses to approve a draft dated in a locked period; re-dated to an open day it is approved', async () => {
    const draft = await made('2026-02-15', Invoice.StatusEnum.DRAFT);
    lock('2026-02-28');
    const refused = await failure(
      h.xero.accountingApi.updateInvoice(UK, draft.invoiceID, {
        invoices: [{ status: Invoice.StatusEnum.AUTHORISED } as XeroInvoice],
      }),
    );
    expect(text(refused.body)).toContain(PERIOD);
    const batch = await h.xero.accountingApi.updateOrCreateInvoices(
      UK,
      { invoices: [{ invoiceID: draft.invoiceID, status: Invoice.StatusEnum.AUTHORISED } as XeroInvoice] },
      false,
    );
    expect(batch.body.invoices?.[0]?.validationErrors?.[0]?.message).toBe(
      `${PERIOD} Transactions in a locked period cannot be posted or changed.`,
    );
    const approved = await h.xero.accountingApi.updateInvoice(UK, draft.invoiceID, {
      invoices: [{ date: '2026-03-02', status: Invoice.StatusEnum.AUTHORISED } as XeroInvoice],
    });
    const now = approved.body.invoices?.[0];
    expect(now?.status).toBe('AUTHORISED');
    expect(new Date(now?.date as string).toISOString().slice(0, 10)).toBe('2026-03-02');
  });

  it('refuses to void, or re-date into a locked period, an approved invoice; other edits go through', async () => {
    const feb = await made('2026-02-15', Invoice.StatusEnum.AUTHORISED);
    const mar = await made('2026-03-10', Invoice.StatusEnum.AUTHORISED);
    lock('2026-02-28');
    const voided = await failure(
      h.xero.accountingApi.updateInvoice(UK, feb.invoiceID, {
        invoices: [{ status: Invoice.StatusEnum.VOIDED } as XeroInvoice],
      }),
    );
    expect(text(voided.body)).toContain(PERIOD);
    const backdated = await failure(
      h.xero.accountingApi.updateInvoice(UK, mar.invoiceID, { invoices: [{ date: '2026-02-15' } as XeroInvoice] }),
    );
    expect(text(backdated.body)).toContain(PERIOD);
    const reference = await h.xero.accountingApi.updateInvoice(UK, feb.invoiceID, {
      invoices: [{ reference: 'PO 7', dueDate: '2026-05-31' } as XeroInvoice],
    });
    expect(reference.body.invoices?.[0]).toMatchObject({ status: 'AUTHORISED', reference: 'PO 7' });
    const openVoid = await h.xero.accountingApi.updateInvoice(UK, mar.invoiceID, {
      invoices: [{ status: Invoice.StatusEnum.VOIDED } as XeroInvoice],
    });
    expect(openVoid.body.invoices?.[0]?.status).toBe('VOIDED');
  });

  it('refuses a credit note created AUTHORISED in a locked period', async () => {
    lock('2026-02-28');
    const refused = await failure(
      h.xero.accountingApi.createCreditNotes(UK, {
        creditNotes: [
          {
            type: CreditNote.TypeEnum.ACCRECCREDIT,
            contact: { contactID: contactId },
            status: CreditNote.StatusEnum.AUTHORISED,
            date: '2026-02-15',
            lineItems: [{ description: 'Credit', quantity: 1, unitAmount: 10, accountCode: '200' }],
          },
        ],
      }),
    );
    expect(text(refused.body)).toContain(PERIOD);
  });

  it('refuses a payment dated in a locked period, and deleting one; a payment dated after the lock is taken', async () => {
    const feb = await made('2026-02-01', Invoice.StatusEnum.AUTHORISED);
    const early = (await pay(feb.invoiceID, '2026-02-20')).body.payments?.[0]?.paymentID as string;
    lock('2026-02-28');
    const refused = await failure(pay(feb.invoiceID, '2026-02-15'));
    expect(text(refused.body)).toContain(PERIOD);
    const deleted = await failure(h.xero.accountingApi.deletePayment(UK, early, { status: 'DELETED' }));
    expect(text(deleted.body)).toContain('The date 20 Feb 2026 is on or before the period lock date (28 Feb 2026).');
    // The invoice is dated in the locked period; the payment is not: it posts on its own date.
    const late = await pay(feb.invoiceID, '2026-03-05');
    expect(late.body.payments?.[0]?.status).toBe('AUTHORISED');
    const invoiceNow = (await h.xero.accountingApi.getInvoice(UK, feb.invoiceID)).body.invoices?.[0];
    expect(invoiceNow?.amountPaid).toBe(20);
  });

  it('refuses a credit-note allocation dated in a locked period, and deleting one', async () => {
    const inv = await made('2026-02-01', Invoice.StatusEnum.AUTHORISED);
    const note = await creditNote('2026-02-01');
    const allocated = await h.xero.accountingApi.createCreditNoteAllocation(UK, note.creditNoteID, {
      allocations: [{ invoice: { invoiceID: inv.invoiceID }, amount: 4, date: '2026-02-20' }],
    });
    const allocationId = allocated.body.allocations?.[0]?.allocationID as string;
    lock('2026-02-28');
    const refused = await failure(
      h.xero.accountingApi.createCreditNoteAllocation(UK, note.creditNoteID, {
        allocations: [{ invoice: { invoiceID: inv.invoiceID }, amount: 2, date: '2026-02-15' }],
      }),
    );
    expect(text(refused.body)).toContain(PERIOD);
    const removal = await failure(
      h.xero.accountingApi.deleteCreditNoteAllocations(UK, note.creditNoteID, allocationId),
    );
    expect(removal.statusCode).toBe(400);
    expect(text(removal.body)).toContain('The date 20 Feb 2026 is on or before the period lock date (28 Feb 2026).');
    const open = await h.xero.accountingApi.createCreditNoteAllocation(UK, note.creditNoteID, {
      allocations: [{ invoice: { invoiceID: inv.invoiceID }, amount: 2, date: '2026-03-01' }],
    });
    expect(open.body.allocations?.[0]?.amount).toBe(2);
    const noteNow = (await h.xero.accountingApi.getCreditNote(UK, note.creditNoteID)).body.creditNotes?.[0];
    expect(noteNow?.remainingCredit).toBe(6); // 12.00 with VAT, less 4 and 2
  });

  const receive = async (type: BankTransaction.TypeEnum, date: string) =>
    h.xero.accountingApi.createBankTransactions(UK, {
      bankTransactions: [
        {
          type,
          contact: { contactID: contactId },
          bankAccount: { code: '090' },
          date,
          lineAmountTypes: LineAmountTypes.NoTax,
          lineItems: [{ description: 'Received', lineAmount: 10, accountCode: '200' }],
        },
      ],
    });

  it('refuses an overpayment or a prepayment received in a locked period', async () => {
    lock('2026-02-28');
    for (const type of [BankTransaction.TypeEnum.RECEIVEOVERPAYMENT, BankTransaction.TypeEnum.RECEIVEPREPAYMENT]) {
      const refused = await failure(receive(type, '2026-02-15'));
      expect(refused.statusCode).toBe(400);
      expect(text(refused.body)).toContain(PERIOD);
    }
  });

  it.each([
    ['overpayment', BankTransaction.TypeEnum.RECEIVEOVERPAYMENT],
    ['prepayment', BankTransaction.TypeEnum.RECEIVEPREPAYMENT],
  ] as const)(
    'refuses allocating from the %s in a locked period, and deleting an allocation dated there',
    async (kind, type) => {
      const inv = await made('2026-02-01', Invoice.StatusEnum.AUTHORISED);
      const txn = (await receive(type, '2026-02-01')).body.bankTransactions?.[0];
      const creditId = (kind === 'overpayment' ? txn?.overpaymentID : txn?.prepaymentID) as string;
      const api = h.xero.accountingApi;
      const allocate = (amount: number, date: string) =>
        kind === 'overpayment'
          ? api.createOverpaymentAllocations(UK, creditId, {
              allocations: [{ invoice: { invoiceID: inv.invoiceID }, amount, date }],
            })
          : api.createPrepaymentAllocations(UK, creditId, {
              allocations: [{ invoice: { invoiceID: inv.invoiceID }, amount, date }],
            });
      const read = async () =>
        kind === 'overpayment'
          ? (await api.getOverpayment(UK, creditId)).body.overpayments?.[0]
          : (await api.getPrepayment(UK, creditId)).body.prepayments?.[0];
      const allocationId = (await allocate(4, '2026-02-20')).body.allocations?.[0]?.allocationID as string;
      lock('2026-02-28');
      const refused = await failure(allocate(2, '2026-02-15'));
      expect(refused.statusCode).toBe(400);
      expect(text(refused.body)).toContain(PERIOD);
      const removal = await failure(
        kind === 'overpayment'
          ? api.deleteOverpaymentAllocations(UK, creditId, allocationId)
          : api.deletePrepaymentAllocations(UK, creditId, allocationId),
      );
      expect(removal.statusCode).toBe(400);
      expect(text(removal.body)).toContain('The date 20 Feb 2026 is on or before the period lock date (28 Feb 2026).');
      expect((await read())?.remainingCredit).toBe(6); // 10, less the 4 still allocated
      await allocate(2, '2026-03-01');
      expect((await read())?.remainingCredit).toBe(4);
      const invoiceNow = (await api.getInvoice(UK, inv.invoiceID)).body.invoices?.[0];
      expect(invoiceNow?.amountCredited).toBe(6);
    },
  );
});

describe('xero emulator: enforceLockDates: false', () => {
  it('lets invoices and payments through a lock date (manual journals stay held)', async () => {
    const h = await startHarness({ enforceLockDates: false }, { conformance: false });
    try {
      h.emulator.control.setLockDates(UK, { periodLockDate: '2026-02-28' });
      const contact = await h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'Unlocked Ltd' }] });
      const res = await h.xero.accountingApi.createInvoices(UK, {
        invoices: [
          {
            type: Invoice.TypeEnum.ACCREC,
            contact: { contactID: contact.body.contacts?.[0]?.contactID as string },
            status: Invoice.StatusEnum.AUTHORISED,
            date: '2026-02-15',
            lineItems: [{ description: 'Subscription', quantity: 1, unitAmount: 100, accountCode: '200' }],
          },
        ],
      });
      const inv = res.body.invoices?.[0];
      expect(inv?.status).toBe('AUTHORISED');
      const paid = await h.xero.accountingApi.createPayment(UK, {
        invoice: { invoiceID: inv?.invoiceID as string },
        account: { code: '090' },
        amount: 10,
        date: '2026-02-20',
      });
      expect(paid.body.payments?.[0]?.status).toBe('AUTHORISED');
      const journal = await failure(
        h.xero.accountingApi.createManualJournals(UK, {
          manualJournals: [
            {
              narration: 'Held',
              date: '2026-02-15',
              status: ManualJournal.StatusEnum.POSTED,
              journalLines: [
                { lineAmount: 1, accountCode: '835' },
                { lineAmount: -1, accountCode: '200' },
              ],
            },
          ],
        }),
      );
      expect(JSON.stringify(journal.body)).toContain('period lock date (28 Feb 2026)');
    } finally {
      await h.close();
    }
  });
});

describe("xero emulator: Xero's request size limit", () => {
  it('answers 413 to a body over 3.5 MB, and takes one under it', async () => {
    const h = await startHarness({}, { conformance: false });
    try {
      const contact = await h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'Big Deal Ltd' }] });
      const contactID = contact.body.contacts?.[0]?.contactID as string;
      // 50 invoices of 220 lines with 255-character descriptions and a service period: about 3.7 MB.
      const invoices = (count: number) =>
        Array.from({ length: count }, () => ({
          type: Invoice.TypeEnum.ACCREC,
          contact: { contactID },
          status: Invoice.StatusEnum.DRAFT,
          date: '2026-03-01',
          lineItems: Array.from({ length: 220 }, () => ({
            description: `${'x'.repeat(255)}\nService period 1 Mar 2026 to 31 Mar 2026`,
            quantity: 1,
            unitAmount: 100,
            accountCode: '200',
          })),
        }));
      const tooLarge = await failure(h.xero.accountingApi.createInvoices(UK, { invoices: invoices(50) }, false, 4));
      expect(tooLarge.statusCode).toBe(413);
      expect(tooLarge.body).toMatchObject({ Status: 413, Title: 'Request Entity Too Large' });
      expect((await h.xero.accountingApi.getInvoices(UK)).body.invoices).toEqual([]);
      const half = await h.xero.accountingApi.createInvoices(UK, { invoices: invoices(25) }, false, 4);
      expect(half.body.invoices).toHaveLength(25);
    } finally {
      await h.close();
    }
  });
});
