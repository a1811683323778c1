import { CreditNote, CurrencyCode, Invoice } from 'xero-node';
import type { ConformanceChecker } from './openapi-check';
import { openApiChecker } from './openapi-check';
import type { Harness } from './test-helpers';
import { failure, startHarness, UK, US } from './test-helpers';

describe('xero emulator: conformance with the Xero Accounting OpenAPI spec', () => {
  let h: Harness;
  let checker: ConformanceChecker | { skipped: string };

  beforeAll(async () => {
    checker = openApiChecker();
    if ('skipped' in checker) return;
    // This suite checks its own scenario explicitly; the harness check on close would repeat it.
    h = await startHarness({}, { conformance: false });
  }, 60_000);
  afterAll(async () => {
    if (h) await h.close();
  });

  it('catches a body that breaks the spec (the validator is live)', () => {
    if ('skipped' in checker) return;
    const validate = checker.validator('#/components/schemas/Invoices');
    expect(validate({ Invoices: [{ Total: 'eighty-seven', Status: 'ALMOST_PAID' }] })).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/Invoices/0/Total', '/Invoices/0/Status']),
    );
  });

  it('makes every harness fail on close when a recorded body breaks the spec', async () => {
    if ('skipped' in checker) return;
    const other = await startHarness();
    await other.xero.accountingApi.getOrganisations(UK);
    const call = other.emulator.control.calls().at(-1);
    expect(call?.responseBody).toBeDefined();
    (call?.responseBody as { Organisations: { BaseCurrency: unknown }[] }).Organisations[0]!.BaseCurrency = 826;
    await expect(other.close()).rejects.toThrow(
      /GET \/api.xro\/2.0\/Organisation response \(200\) vs #\/components\/schemas\/Organisations/,
    );
  });

  it('validates every request body sent and every JSON response returned in a representative scenario', async () => {
    if ('skipped' in checker) return; // said loudly by openApiChecker; CI fails there instead
    const api = h.xero.accountingApi;
    // Settings
    await api.getOrganisations(UK);
    await api.getTaxRates(UK);
    await api.getAccounts(UK, undefined, 'Type=="BANK"');
    await api.getCurrencies(UK);
    await api.createCurrency(US, { code: CurrencyCode.EUR, description: 'Euro' });
    await api.getTrackingCategories(UK);
    await api.getBrandingThemes(UK);
    // Contacts
    const contacts = await api.createContacts(UK, {
      contacts: [{ name: 'Spec Co', contactNumber: 'SPEC-1', emailAddress: 'ap@spec.example' }],
    });
    const contactID = contacts.body.contacts?.[0]?.contactID as string;
    await api.updateOrCreateContacts(UK, { contacts: [{ contactNumber: 'SPEC-1', name: 'Spec Company' }] }, false);
    await failure(api.createContacts(UK, { contacts: [{ name: 'Spec Company' }] }));
    await api.getContact(UK, contactID);
    await api.getContactByContactNumber(UK, 'SPEC-1');
    await api.getContacts(UK, undefined, undefined, undefined, undefined, 1);
    // Invoices
    const line = {
      description: 'Subscription',
      quantity: 2,
      unitAmount: 49.5,
      accountCode: '200',
      taxType: 'OUTPUT2',
      tracking: [{ name: 'Region', option: 'North' }],
    };
    const made = await api.createInvoices(
      UK,
      {
        invoices: [
          {
            type: Invoice.TypeEnum.ACCREC,
            contact: { contactID },
            date: '2026-02-01',
            dueDate: '2026-03-01',
            reference: 'SPEC',
            lineItems: [line],
          },
          { type: Invoice.TypeEnum.ACCREC, lineItems: [line] },
        ],
      },
      false,
      4,
      'spec-key-1',
    );
    const invoiceID = made.body.invoices?.[0]?.invoiceID as string;
    await failure(
      api.createInvoices(UK, {
        invoices: [
          { type: Invoice.TypeEnum.ACCREC, contact: { contactID }, lineItems: [{ ...line, accountCode: '999' }] },
        ],
      }),
    );
    await api.updateInvoice(UK, invoiceID, { invoices: [{ status: Invoice.StatusEnum.AUTHORISED }] });
    await api.getInvoice(UK, invoiceID, 4);
    await api.getInvoices(
      UK,
      undefined,
      'Status=="AUTHORISED"',
      'Date DESC',
      undefined,
      undefined,
      [contactID],
      ['AUTHORISED'],
      1,
      undefined,
      undefined,
      undefined,
      undefined,
      10,
    );
    await api.getInvoices(UK, new Date(Date.now() - 60_000));
    await api.getOnlineInvoice(UK, invoiceID);
    await api.emailInvoice(UK, invoiceID, {});
    // Payments
    const paid = await api.createPayments(UK, {
      payments: [
        { invoice: { invoiceID }, account: { code: '090' }, amount: 20, date: '2026-02-10', reference: 'Part' },
      ],
    });
    await api.createPayment(UK, { invoice: { invoiceID }, account: { code: '090' }, amount: 5, date: '2026-02-11' });
    await api.deletePayment(UK, paid.body.payments?.[0]?.paymentID as string, { status: 'DELETED' });
    await api.getPayments(UK, undefined, undefined, undefined, 1);
    await failure(
      api.createPayments(UK, { payments: [{ invoice: { invoiceID }, account: { code: '090' }, amount: 100000 }] }),
    );
    // Credit notes
    const notes = await api.createCreditNotes(UK, {
      creditNotes: [
        {
          type: CreditNote.TypeEnum.ACCRECCREDIT,
          contact: { contactID },
          date: '2026-02-12',
          lineItems: [{ description: 'Credit', quantity: 1, unitAmount: 10, accountCode: '200' }],
        },
      ],
    });
    const creditNoteID = notes.body.creditNotes?.[0]?.creditNoteID as string;
    await api.updateCreditNote(UK, creditNoteID, { creditNotes: [{ status: CreditNote.StatusEnum.AUTHORISED }] });
    const allocation = await api.createCreditNoteAllocation(UK, creditNoteID, {
      allocations: [{ invoice: { invoiceID }, amount: 6, date: '2026-02-13' }],
    });
    await api.deleteCreditNoteAllocations(UK, creditNoteID, allocation.body.allocations?.[0]?.allocationID as string);
    await api.getCreditNote(UK, creditNoteID);
    await api.getCreditNotes(UK, undefined, undefined, undefined, 1);

    const { problems, checked, covered } = checker.check(h.emulator.control.calls());
    expect(problems).toEqual([]);
    expect(covered.size).toBeGreaterThanOrEqual(24);
    expect(checked).toBeGreaterThanOrEqual(40);
  });
});
