import type { Invoice as XeroInvoice } from 'xero-node';
import { CurrencyCode, Invoice, LineAmountTypes } from 'xero-node';
import { ScaledClock } from '../shared/clock';
import { loadSeed } from './seed';
import type { Harness } from './test-helpers';
import { EU, failure, startHarness, UK, US } from './test-helpers';

const START = Date.UTC(2026, 0, 15, 9, 0, 0);

describe('xero emulator: invoices through xero-node', () => {
  let h: Harness;
  let clock: ScaledClock;
  let contactId: string;

  const sale = (overrides: Partial<XeroInvoice> = {}): XeroInvoice => ({
    type: Invoice.TypeEnum.ACCREC,
    contact: { contactID: contactId },
    date: '2026-01-15',
    dueDate: '2026-02-14',
    lineItems: [
      { description: 'Platform subscription', quantity: 1, unitAmount: 100, accountCode: '200', taxType: 'OUTPUT2' },
    ],
    ...overrides,
  });

  const create = async (invoice: XeroInvoice, tenant = UK) => {
    const res = await h.xero.accountingApi.createInvoices(tenant, { invoices: [invoice] }, false);
    const created = res.body.invoices?.[0];
    if (!created || created.statusAttributeString !== 'OK') throw new Error(JSON.stringify(created?.validationErrors));
    return created;
  };

  beforeAll(async () => {
    const seed = loadSeed();
    const uk = seed.organisations.find((o) => o.tenantId === UK);
    uk?.taxRates.push({
      TaxType: 'TEST15',
      Name: '15% (published rounding example)',
      Rate: '15.0000',
      ReportTaxType: 'OUTPUT',
      Status: 'ACTIVE',
    });
    clock = new ScaledClock({ start: START, scale: 0 });
    h = await startHarness({ seed, clock });
    const contacts = await h.xero.accountingApi.createContacts(UK, {
      contacts: [{ name: 'Acme Widgets Ltd', emailAddress: 'ap@acme.example', contactNumber: 'SF-001' }],
    });
    contactId = contacts.body.contacts?.[0]?.contactID as string;
  });
  afterAll(() => h.close());

  it("computes Xero's published rounding example through the API: tax 11.44, total 87.74", async () => {
    const invoice = await create(
      sale({
        lineAmountTypes: LineAmountTypes.Exclusive,
        lineItems: ['25.06', '25.61', '25.63'].map((unit) => ({
          description: 'Line',
          quantity: 1,
          unitAmount: Number(unit),
          accountCode: '200',
          taxType: 'TEST15',
        })),
      }),
    );
    expect(invoice.lineItems?.map((l) => l.taxAmount)).toEqual([3.76, 3.84, 3.84]);
    expect([invoice.subTotal, invoice.totalTax, invoice.total, invoice.amountDue]).toEqual([76.3, 11.44, 87.74, 87.74]);
  });

  it('handles Inclusive, NoTax, discounts, tracking and unitdp=4', async () => {
    const inclusive = await create(
      sale({
        lineAmountTypes: LineAmountTypes.Inclusive,
        lineItems: [{ description: 'Gross', quantity: 1, unitAmount: 120, accountCode: '200' }],
      }),
    );
    expect([inclusive.subTotal, inclusive.totalTax, inclusive.total]).toEqual([100, 20, 120]);
    const noTax = await create(sale({ lineAmountTypes: LineAmountTypes.NoTax }));
    expect([noTax.totalTax, noTax.total]).toEqual([0, 100]);

    const discounted = await create(
      sale({
        lineItems: [
          {
            description: 'Seats',
            quantity: 3,
            unitAmount: 33.33,
            discountRate: 10,
            accountCode: '200',
            tracking: [{ name: 'Region', option: 'North' }],
          },
          { description: 'Setup', quantity: 2, unitAmount: 50, discountAmount: 15, accountCode: '200' },
        ],
      }),
    );
    expect(discounted.lineItems?.map((l) => l.lineAmount)).toEqual([89.99, 85]);
    expect(discounted.totalDiscount).toBe(25);
    expect(discounted.lineItems?.[0]?.tracking?.[0]).toMatchObject({ name: 'Region', option: 'North' });

    const res = await h.xero.accountingApi.createInvoices(
      UK,
      {
        invoices: [
          sale({ lineItems: [{ description: 'Usage', quantity: 1000, unitAmount: 0.061171, accountCode: '200' }] }),
        ],
      },
      false,
      4,
    );
    const precise = res.body.invoices?.[0] as XeroInvoice;
    expect(precise.lineItems?.[0]?.unitAmount).toBe(0.0612);
    const twoDp = await h.xero.accountingApi.getInvoice(UK, precise.invoiceID as string);
    expect(twoDp.body.invoices?.[0]?.lineItems?.[0]?.unitAmount).toBe(0.06);
    const fourDp = await h.xero.accountingApi.getInvoice(UK, precise.invoiceID as string, 4);
    expect(fourDp.body.invoices?.[0]?.lineItems?.[0]?.unitAmount).toBe(0.0612);
  });

  it('rejects unknown accounts, tax types, archived tracking options and more than two categories', async () => {
    const res = await h.xero.accountingApi.createInvoices(
      UK,
      {
        invoices: [
          sale({ lineItems: [{ description: 'x', quantity: 1, unitAmount: 1, accountCode: '999' }] }),
          sale({ lineItems: [{ description: 'x', quantity: 1, unitAmount: 1, accountCode: '200', taxType: 'NOPE' }] }),
          sale({
            lineItems: [
              {
                description: 'x',
                quantity: 1,
                unitAmount: 1,
                accountCode: '200',
                tracking: [{ name: 'Region', option: 'Scotland' }],
              },
            ],
          }),
          sale({
            lineItems: [
              {
                description: 'x',
                quantity: 1,
                unitAmount: 1,
                accountCode: '200',
                tracking: [
                  { name: 'Region', option: 'North' },
                  { name: 'Region', option: 'South' },
                  { name: 'Region', option: 'North' },
                ],
              },
            ],
          }),
          sale({ currencyCode: CurrencyCode.JPY }),
        ],
      },
      false,
    );
    const messages = res.body.invoices?.map((i) => i.validationErrors?.[0]?.message);
    expect(
      res.body.invoices?.every(
        (i) => i.statusAttributeString === 'ERROR' && i.invoiceID === '00000000-0000-0000-0000-000000000000',
      ),
    ).toBe(true);
    expect(messages).toEqual([
      expect.stringContaining("Account code '999'"),
      expect.stringContaining("TaxType code 'NOPE'"),
      expect.stringContaining("Tracking option 'Scotland'"),
      expect.stringContaining('maximum of 2 tracking categories'),
      expect.stringContaining("currency 'JPY'"),
    ]);
  });

  it('summarised errors: 400 ValidationException listing only the failures, while valid siblings are saved', async () => {
    await create(sale({ invoiceNumber: 'DUP-1' }));
    const err = await failure(
      h.xero.accountingApi.createInvoices(UK, {
        invoices: [
          sale({ reference: 'batch-ok-1' }),
          sale({ invoiceNumber: 'DUP-1', reference: 'batch-dup' }),
          sale({ reference: 'batch-ok-2' }),
        ],
      }),
    );
    expect(err.statusCode).toBe(400);
    const body = err.body as {
      ErrorNumber: number;
      Type: string;
      Elements: { InvoiceID: string; Reference: string; HasErrors: boolean; ValidationErrors: { Message: string }[] }[];
    };
    expect(body.Type).toBe('ValidationException');
    expect(body.ErrorNumber).toBe(10);
    expect(body.Elements).toHaveLength(1);
    expect(body.Elements[0]).toMatchObject({
      Reference: 'batch-dup',
      HasErrors: true,
      InvoiceID: '00000000-0000-0000-0000-000000000000',
      ValidationErrors: [{ Message: 'Invoice # must be unique.' }],
    });
    const saved = await h.xero.accountingApi.getInvoices(
      UK,
      undefined,
      'Reference=="batch-ok-1" OR Reference=="batch-ok-2" OR Reference=="batch-dup"',
    );
    expect(saved.body.invoices?.map((i) => i.reference).sort()).toEqual(['batch-ok-1', 'batch-ok-2']);
  });

  it('summarizeErrors=false: 200 with every element in order and its StatusAttributeString', async () => {
    const res = await h.xero.accountingApi.createInvoices(
      UK,
      { invoices: [sale(), sale({ contact: {} }), sale({ total: 1 })] },
      false,
    );
    expect(res.response.status).toBe(200);
    expect(res.body.invoices?.map((i) => i.statusAttributeString)).toEqual(['OK', 'ERROR', 'WARNING']);
    expect(res.body.invoices?.[1]?.validationErrors?.[0]?.message).toMatch(/Contact/);
    expect(res.body.invoices?.[2]?.warnings?.[0]?.message).toMatch(/Total was ignored/);
    expect(res.body.invoices?.[2]?.total).toBe(120);
  });

  it('auto-numbers ACCREC invoices and finds them by id or number; unknown ids are 404 text', async () => {
    const a = await create(sale());
    const b = await create(sale());
    expect(a.invoiceNumber).toMatch(/^INV-\d{4}$/);
    expect(Number(b.invoiceNumber?.slice(4))).toBe(Number(a.invoiceNumber?.slice(4)) + 1);
    const byNumber = await h.xero.accountingApi.getInvoice(UK, a.invoiceNumber as string);
    expect(byNumber.body.invoices?.[0]?.invoiceID).toBe(a.invoiceID);
    const missing = await failure(h.xero.accountingApi.getInvoice(UK, '6b1d1f2e-0000-4000-8000-000000000000'));
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toBe("The resource you're looking for cannot be found");
    expect(missing.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('follows the status machine: DRAFT -> SUBMITTED -> AUTHORISED, DELETE only before approval, VOID only unpaid', async () => {
    const draft = await create(sale());
    const id = draft.invoiceID as string;
    const update = (patch: Partial<XeroInvoice>) => h.xero.accountingApi.updateInvoice(UK, id, { invoices: [patch] });
    expect((await update({ status: Invoice.StatusEnum.SUBMITTED })).body.invoices?.[0]?.status).toBe('SUBMITTED');
    expect((await update({ status: Invoice.StatusEnum.AUTHORISED })).body.invoices?.[0]?.status).toBe('AUTHORISED');

    const deleteApproved = await failure(update({ status: Invoice.StatusEnum.DELETED }));
    expect(JSON.stringify(deleteApproved.body)).toMatch(/Only DRAFT or SUBMITTED/);
    const editLines = await failure(
      update({ lineItems: [{ description: 'changed', quantity: 2, unitAmount: 100, accountCode: '200' }] }),
    );
    expect(JSON.stringify(editLines.body)).toMatch(/cannot be changed on an AUTHORISED/);
    expect((await update({ reference: 'PO-778' })).body.invoices?.[0]?.reference).toBe('PO-778');

    await h.emulator.control.recordCustomerPayment({ tenantId: UK, invoiceId: id, amount: '10.00' });
    const voidPaid = await failure(update({ status: Invoice.StatusEnum.VOIDED }));
    expect(JSON.stringify(voidPaid.body)).toMatch(/cannot be voided/);

    const other = await create(sale({ status: Invoice.StatusEnum.AUTHORISED }));
    const voided = await h.xero.accountingApi.updateInvoice(UK, other.invoiceID as string, {
      invoices: [{ status: Invoice.StatusEnum.VOIDED }],
    });
    expect(voided.body.invoices?.[0]?.status).toBe('VOIDED');
    const readOnly = await failure(
      h.xero.accountingApi.updateInvoice(UK, other.invoiceID as string, { invoices: [{ reference: 'late' }] }),
    );
    expect(JSON.stringify(readOnly.body)).toMatch(/not of valid status for modification/);

    const deletable = await create(sale());
    const deleted = await h.xero.accountingApi.updateInvoice(UK, deletable.invoiceID as string, {
      invoices: [{ status: Invoice.StatusEnum.DELETED }],
    });
    expect(deleted.body.invoices?.[0]?.status).toBe('DELETED');
    const paidStatus = await failure(
      h.xero.accountingApi.createInvoices(UK, { invoices: [sale({ status: Invoice.StatusEnum.PAID })] }),
    );
    expect(JSON.stringify(paidStatus.body)).toMatch(/DRAFT, SUBMITTED or AUTHORISED/);
  });

  it('lets drafts be edited freely (lines recomputed, ids kept) and POST upserts by InvoiceNumber', async () => {
    const draft = await create(sale({ invoiceNumber: 'UPSERT-1' }));
    const lineId = draft.lineItems?.[0]?.lineItemID;
    const res = await h.xero.accountingApi.updateOrCreateInvoices(
      UK,
      {
        invoices: [
          {
            invoiceNumber: 'UPSERT-1',
            lineItems: [
              { lineItemID: lineId, description: 'More seats', quantity: 2, unitAmount: 100, accountCode: '200' },
            ],
          },
        ],
      },
      false,
    );
    const updated = res.body.invoices?.[0] as XeroInvoice;
    expect(updated.invoiceID).toBe(draft.invoiceID);
    expect(updated.lineItems?.[0]?.lineItemID).toBe(lineId);
    expect(updated.total).toBe(240);
  });

  it('bumps UpdatedDateUTC on every change and filters with If-Modified-Since', async () => {
    const before = await create(sale({ reference: 'ims-old' }));
    clock.advance(5_000);
    const cutoff = new Date(clock.now());
    clock.advance(1_000);
    const fresh = await create(sale({ reference: 'ims-new' }));
    const changed = await h.xero.accountingApi.getInvoices(UK, cutoff);
    const refs = changed.body.invoices?.map((i) => i.reference);
    expect(refs).toContain('ims-new');
    expect(refs).not.toContain('ims-old');

    clock.advance(2_000);
    const bumped = await h.xero.accountingApi.updateInvoice(UK, before.invoiceID as string, {
      invoices: [{ reference: 'ims-old-touched' }],
    });
    expect((bumped.body.invoices?.[0]?.updatedDateUTC as Date).getTime()).toBeGreaterThan(
      (fresh.updatedDateUTC as Date).getTime(),
    );
    const again = await h.xero.accountingApi.getInvoices(UK, new Date(clock.now() - 500));
    expect(again.body.invoices?.map((i) => i.reference)).toEqual(['ims-old-touched']);
  });

  it('filters by where, Statuses, IDs, ContactIDs and InvoiceNumbers, orders, and pages (line items only when paged)', async () => {
    const other = await h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'Filter Co' }] });
    const otherId = other.body.contacts?.[0]?.contactID as string;
    const made: XeroInvoice[] = [];
    for (let i = 0; i < 5; i++)
      made.push(
        await create(
          sale({
            contact: { contactID: otherId },
            reference: `F-${i}`,
            status: i % 2 ? Invoice.StatusEnum.AUTHORISED : Invoice.StatusEnum.DRAFT,
          }),
        ),
      );
    const api = h.xero.accountingApi;

    const where = await api.getInvoices(
      UK,
      undefined,
      `Contact.ContactID==guid("${otherId}") AND Status=="AUTHORISED"`,
    );
    expect(where.body.invoices?.map((i) => i.reference).sort()).toEqual(['F-1', 'F-3']);
    expect(where.body.invoices?.[0]?.lineItems).toBeUndefined();

    const byStatus = await api.getInvoices(
      UK,
      undefined,
      undefined,
      'Reference DESC',
      undefined,
      undefined,
      [otherId],
      ['DRAFT'],
    );
    expect(byStatus.body.invoices?.map((i) => i.reference)).toEqual(['F-4', 'F-2', 'F-0']);

    const ids = [made[0]?.invoiceID as string, made[4]?.invoiceID as string];
    expect(
      (await api.getInvoices(UK, undefined, undefined, undefined, ids)).body.invoices?.map((i) => i.reference).sort(),
    ).toEqual(['F-0', 'F-4']);
    const numbers = [made[2]?.invoiceNumber as string];
    expect(
      (await api.getInvoices(UK, undefined, undefined, undefined, undefined, numbers)).body.invoices?.map(
        (i) => i.reference,
      ),
    ).toEqual(['F-2']);

    const page1 = await api.getInvoices(
      UK,
      undefined,
      undefined,
      'Reference ASC',
      undefined,
      undefined,
      [otherId],
      undefined,
      1,
      undefined,
      undefined,
      undefined,
      undefined,
      2,
    );
    expect(page1.body.pagination).toMatchObject({ page: 1, pageSize: 2, pageCount: 3, itemCount: 5 });
    expect(page1.body.invoices?.map((i) => i.reference)).toEqual(['F-0', 'F-1']);
    expect(page1.body.invoices?.[0]?.lineItems).toHaveLength(1);
    const page3 = await api.getInvoices(
      UK,
      undefined,
      undefined,
      'Reference ASC',
      undefined,
      undefined,
      [otherId],
      undefined,
      3,
      undefined,
      undefined,
      undefined,
      undefined,
      2,
    );
    expect(page3.body.invoices?.map((i) => i.reference)).toEqual(['F-4']);
    const big = await api.getInvoices(
      UK,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      [otherId],
      undefined,
      1,
      undefined,
      undefined,
      undefined,
      undefined,
      5000,
    );
    expect(big.body.pagination?.pageSize).toBe(1000);
    const defaultSize = await api.getInvoices(
      UK,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      [otherId],
      undefined,
      1,
    );
    expect(defaultSize.body.pagination?.pageSize).toBe(100);

    const bad = await failure(api.getInvoices(UK, undefined, 'Status=="AUTHORISED" AND ('));
    expect(bad.statusCode).toBe(400);
  });

  it('uses the day rate or a given CurrencyRate for foreign invoices and keeps base amounts', async () => {
    const euro = await create(
      sale({
        currencyCode: CurrencyCode.EUR,
        lineItems: [
          { description: 'EU seats', quantity: 1, unitAmount: 1162.5, accountCode: '200', taxType: 'ZERORATEDOUTPUT' },
        ],
      }),
    );
    expect(euro.currencyRate).toBe(1.1625);
    const usd = await create(
      sale({
        currencyCode: CurrencyCode.USD,
        currencyRate: 1.25,
        lineItems: [
          { description: 'US seats', quantity: 1, unitAmount: 500, accountCode: '200', taxType: 'ZERORATEDOUTPUT' },
        ],
      }),
    );
    expect(usd.currencyRate).toBe(1.25);
    const snapshot = h.emulator.control.snapshot(UK) as { invoices: { id: string; base: { Total: string } }[] };
    expect(snapshot.invoices.find((i) => i.id === euro.invoiceID)?.base.Total).toBe('1000.00');
    expect(snapshot.invoices.find((i) => i.id === usd.invoiceID)?.base.Total).toBe('400.00');
  });

  it('serves the online invoice link only for approved invoices, and emails approved invoices to a contact with an address', async () => {
    const draft = await create(sale());
    const noLink = await failure(h.xero.accountingApi.getOnlineInvoice(UK, draft.invoiceID as string));
    expect(noLink.statusCode).toBe(400);
    const noMail = await failure(h.xero.accountingApi.emailInvoice(UK, draft.invoiceID as string, {}));
    expect(noMail.statusCode).toBe(400);

    const approved = await create(sale({ status: Invoice.StatusEnum.AUTHORISED }));
    const link = await h.xero.accountingApi.getOnlineInvoice(UK, approved.invoiceID as string);
    expect(link.body.onlineInvoices?.[0]?.onlineInvoiceUrl).toMatch(/^https:\/\/in\.xero\.com\/\S+$/);
    const sent = await h.xero.accountingApi.emailInvoice(UK, approved.invoiceID as string, {});
    expect(sent.response.status).toBe(204);
    const after = await h.xero.accountingApi.getInvoice(UK, approved.invoiceID as string);
    expect(after.body.invoices?.[0]?.sentToContact).toBe(true);

    const silent = await h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'No Email plc' }] });
    const noEmail = await create(
      sale({ contact: { contactID: silent.body.contacts?.[0]?.contactID }, status: Invoice.StatusEnum.AUTHORISED }),
    );
    const refused = await failure(h.xero.accountingApi.emailInvoice(UK, noEmail.invoiceID as string, {}));
    expect(JSON.stringify(refused.body)).toMatch(/email address/);
  });

  it('keeps organisations apart and serves their settings', async () => {
    const us = await h.xero.accountingApi.getOrganisations(US);
    expect(us.body.organisations?.[0]).toMatchObject({ baseCurrency: 'USD', name: 'Ledgerline US Inc' });
    const taxes = await h.xero.accountingApi.getTaxRates(EU);
    expect(taxes.body.taxRates?.map((t) => [t.taxType, t.effectiveRate])).toContainEqual(['OUTPUT', 21]);
    const themes = await h.xero.accountingApi.getBrandingThemes(UK);
    expect(themes.body.brandingThemes?.find((t) => t.sortOrder === 0)?.name).toBe('Standard');
    const tracking = await h.xero.accountingApi.getTrackingCategories(UK);
    expect(tracking.body.trackingCategories?.[0]?.options?.map((o) => o.name)).toEqual(['North', 'South']);
    const banks = await h.xero.accountingApi.getAccounts(US, undefined, 'Type=="BANK"');
    expect(banks.body.accounts?.map((a) => a.code)).toEqual(['090']);
    const currencies = await h.xero.accountingApi.getCurrencies(EU);
    expect(currencies.body.currencies?.map((c) => c.code)).toEqual(['EUR', 'GBP', 'USD']);
    const ukInvoices = await h.xero.accountingApi.getInvoices(US);
    expect(ukInvoices.body.invoices).toEqual([]);
  });
});
