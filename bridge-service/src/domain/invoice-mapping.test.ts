import { parseBillingEntities } from './billing-entity';
import { DomainError } from './errors';
import {
  mapAmendingOpportunity,
  mapDocument,
  mapOpportunityToInvoice,
  type OpportunityInvoiceInput,
} from './invoice-mapping';
import type { OpportunityLineItemRow, OpportunityRow } from './records';

const {
  entities: [nz, uk],
} = parseBillingEntities([
  {
    developerName: 'NZ_Ltd',
    xeroTenantId: 'tenant-nz',
    baseCurrency: 'NZD',
    countries: 'NZ',
    currencies: 'NZD;USD',
    accountCode: '200',
    taxType: 'OUTPUT2',
    lineAmountType: 'Exclusive',
    paymentTermsDays: 20,
    brandingThemeId: 'theme-nz',
    isDefault: false,
    autoEmail: true,
  },
  {
    developerName: 'UK_Ltd',
    xeroTenantId: 'tenant-uk',
    baseCurrency: 'GBP',
    countries: 'GB',
    currencies: 'GBP;EUR',
    accountCode: '4000',
    taxType: 'OUTPUT2',
    lineAmountType: 'Exclusive',
    paymentTermsDays: 30,
    isDefault: true,
    autoEmail: false,
  },
]);
if (!nz || !uk) throw new Error('fixture entities missing');

const opportunity: OpportunityRow = {
  Id: '006000000000001AAA',
  Name: 'Acme platform 2027',
  CloseDate: '2026-12-15',
  CurrencyIsoCode: 'NZD',
  Amount: 76.3,
  AccountId: '001000000000001AAA',
  Service_Start_Date__c: '2027-01-01',
  Service_End_Date__c: '2027-12-31',
  PO_Number__c: 'PO-4711',
};

const item = (id: number, unitPrice: number, extra: Partial<OpportunityLineItemRow> = {}): OpportunityLineItemRow => ({
  Id: `00k00000000000${id}AAA`,
  Quantity: 1,
  UnitPrice: unitPrice,
  TotalPrice: unitPrice,
  Product2: { Name: `Product ${id}`, ProductCode: `SKU-${id}` },
  ...extra,
});

const input = (overrides: Partial<OpportunityInvoiceInput> = {}): OpportunityInvoiceInput => ({
  opportunity,
  lineItems: [item(1, 25.06), item(2, 25.61), item(3, 25.63)],
  account: { Id: '001000000000001', Name: 'Acme Ltd' },
  entity: nz,
  taxRates: [
    { taxType: 'OUTPUT2', effectiveRate: 15, status: 'ACTIVE' },
    { taxType: 'OLDRATE', effectiveRate: 12.5, status: 'DELETED' },
  ],
  corporateCurrency: 'USD',
  today: '2026-12-20',
  ...overrides,
});

const problemsOf = (run: () => unknown): readonly string[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.problems;
    throw error;
  }
  throw new Error('expected a DomainError');
};

describe('invoice-mapping', () => {
  it('maps a closed-won Opportunity to a Xero DRAFT with Xero-exact totals (25.06/25.61/25.63 at 15% → 11.44, 87.74)', () => {
    const invoice = mapOpportunityToInvoice(input());
    expect(invoice).toMatchObject({
      type: 'ACCREC',
      status: 'DRAFT',
      tenantId: 'tenant-nz',
      billingEntity: 'NZ_Ltd',
      contact: { contactNumber: '001000000000001AAA' },
      date: '2026-12-15',
      dueDate: '2027-01-04',
      lineAmountTypes: 'Exclusive',
      currencyCode: 'NZD',
      reference: 'PO PO-4711 · Acme platform 2027',
      brandingThemeId: 'theme-nz',
      invoiceType: 'New',
      servicePeriod: { start: '2027-01-01', end: '2027-12-31' },
      subTotal: '76.30',
      totalTax: '11.44',
      total: '87.74',
      warnings: [],
    });
    expect(invoice.currencyRate).toBeUndefined();
    expect(invoice.lineItems[0]).toEqual({
      description: 'Product 1\nService period 1 Jan 2027 to 31 Dec 2027',
      quantity: '1',
      unitAmount: '25.06',
      accountCode: '200',
      taxType: 'OUTPUT2',
      itemCode: 'SKU-1',
      tracking: [],
      lineAmount: '25.06',
      taxAmount: '3.76',
    });
    expect(invoice.lineItems.map((l) => l.taxAmount)).toEqual(['3.76', '3.84', '3.84']);
  });

  it('sends discounts as DiscountRate and warns when Salesforce’s total differs from Xero’s', () => {
    const invoice = mapOpportunityToInvoice(
      input({
        opportunity: { ...opportunity, Amount: 89.99 },
        lineItems: [item(1, 33.33, { Quantity: 3, Discount: 10, TotalPrice: 90, Description: 'Seats' })],
      }),
    );
    expect(invoice.lineItems[0]).toMatchObject({
      quantity: '3',
      unitAmount: '33.33',
      discountRate: '10',
      lineAmount: '89.99',
      taxAmount: '13.50',
    });
    expect(invoice.warnings).toEqual(["line 1 (Seats): Salesforce total 90.00 differs from Xero's line amount 89.99"]);
  });

  it('warns when the Opportunity amount is not the invoice’s net amount', () => {
    const invoice = mapOpportunityToInvoice(input({ opportunity: { ...opportunity, Amount: 80 } }));
    expect(invoice.warnings).toEqual(["Opportunity amount 80.00 differs from the invoice's net amount 76.30 NZD"]);
  });

  it('uses the corporate currency in a single-currency org, the ContactID when known, and today when asked', () => {
    const { CurrencyIsoCode: _omit, ...singleCurrency } = opportunity;
    const invoice = mapOpportunityToInvoice(
      input({
        opportunity: singleCurrency,
        corporateCurrency: 'usd',
        contactId: 'xero-contact-1',
        invoiceDate: 'today',
      }),
    );
    expect(invoice).toMatchObject({
      currencyCode: 'USD',
      contact: { contactId: 'xero-contact-1' },
      date: '2026-12-20',
      dueDate: '2027-01-09',
    });
  });

  it('sends a unit price beyond 4 dp as Qty 1 × the line total with the detail in the description', () => {
    const invoice = mapOpportunityToInvoice(
      input({
        opportunity: { ...opportunity, Amount: null },
        lineItems: [item(1, 0.061171, { Quantity: 1000, TotalPrice: 61.17, Description: 'API calls' })],
      }),
    );
    expect(invoice.lineItems[0]).toMatchObject({
      description: 'API calls\nService period 1 Jan 2027 to 31 Dec 2027\n(1000 × 0.061171)',
      quantity: '1',
      unitAmount: '61.17',
      lineAmount: '61.17',
    });
    expect(invoice.warnings).toEqual([]);
  });

  it('shows the line ServiceDate as a hint when the Opportunity has no service period', () => {
    const { Service_Start_Date__c: _s, Service_End_Date__c: _e, ...noPeriod } = opportunity;
    const invoice = mapOpportunityToInvoice(
      input({ opportunity: noPeriod, lineItems: [item(1, 25.06, { ServiceDate: '2027-02-01' })] }),
    );
    expect(invoice.lineItems[0]?.description).toBe('Product 1\nService from 1 Feb 2027');
    expect(invoice.servicePeriod).toBeUndefined();
  });

  it('derives base-currency totals from a policy CurrencyRate (foreign per 1 base; base = foreign ÷ rate)', () => {
    const invoice = mapOpportunityToInvoice(
      input({ opportunity: { ...opportunity, CurrencyIsoCode: 'USD' }, currencyRate: '0.75' }),
    );
    expect(invoice.currencyRate).toBe('0.750000');
    // 87.74 ÷ 0.75 = 116.9866… → 116.99; 11.44 ÷ 0.75 = 15.2533… → 15.25; 116.99 − 15.25 = 101.74
    expect(invoice.base).toEqual({ currencyRate: '0.750000', subTotal: '101.74', totalTax: '15.25', total: '116.99' });
    expect(() =>
      mapOpportunityToInvoice(input({ opportunity: { ...opportunity, CurrencyIsoCode: 'USD' }, currencyRate: '1' })),
    ).toThrow(/omit the rate/);
  });

  it('lists every problem in words a finance user understands', () => {
    expect(problemsOf(() => mapOpportunityToInvoice(input({ lineItems: [] })))).toEqual([
      'there are no lines to invoice',
    ]);
    expect(
      problemsOf(() =>
        mapOpportunityToInvoice(
          input({
            opportunity: { ...opportunity, CurrencyIsoCode: 'BRL' },
            entity: uk,
            taxRates: [{ taxType: 'OUTPUT2', effectiveRate: 20, status: 'DELETED' }],
            lineItems: [
              item(1, 10, { Quantity: -2, Description: 'Seats' }),
              item(2, 10),
              item(3, 10, { Discount: 101 }),
            ],
          }),
        ),
      ),
    ).toEqual([
      'UK_Ltd does not invoice in BRL (it invoices in GBP, EUR)',
      'line 1 (Seats): quantity -2 must be positive; reduce a sale with a credit note',
      'line 3 (Product 3): discount 101% must be between 0 and 100',
      "tax type OUTPUT2 is not an active tax rate in UK_Ltd's Xero organisation",
    ]);
  });

  it('refuses a document whose total is negative', () => {
    expect(() =>
      mapOpportunityToInvoice(
        input({
          opportunity: { ...opportunity, Amount: null },
          lineItems: [item(1, 10), item(2, -20, { Description: 'Credit' })],
        }),
      ),
    ).toThrow('Cannot create the Xero invoice: its total -11.50 NZD is negative');
  });

  it('maps a credit note without line discounts: a discounted line carries its net unit price', () => {
    const credit = mapDocument({
      type: 'ACCRECCREDIT',
      entity: uk,
      contact: { contactId: 'c-1' },
      currencyCode: 'GBP',
      date: '2027-03-01',
      reference: 'Downgrade',
      lines: [
        { description: 'Seats', quantity: '2', unitPrice: '50', discountPercent: '10' },
        { description: 'Odd', quantity: '3', unitPrice: '33.33', discountPercent: '10' },
      ],
      taxRates: [{ taxType: 'OUTPUT2', effectiveRate: '20' }],
      tracking: [{ name: 'Region', option: 'EMEA' }],
    });
    expect(credit.dueDate).toBeUndefined();
    expect(
      credit.lineItems.map(({ quantity, unitAmount, discountRate, lineAmount }) => ({
        quantity,
        unitAmount,
        discountRate,
        lineAmount,
      })),
    ).toEqual([
      { quantity: '2', unitAmount: '45.00', discountRate: undefined, lineAmount: '90.00' },
      // 33.33 × 0.9 = 29.997 fits 4 dp: 3 × 29.997 = 89.991 → 89.99
      { quantity: '3', unitAmount: '29.997', discountRate: undefined, lineAmount: '89.99' },
    ]);
    expect(credit.lineItems[0]?.tracking).toEqual([{ name: 'Region', option: 'EMEA' }]);
    expect(credit).toMatchObject({ subTotal: '179.99', totalTax: '36.00', total: '215.99' });
  });

  it('needs no tax rate on NoTax entities', () => {
    const noTax = { ...uk, lineAmountType: 'NoTax' as const };
    const invoice = mapOpportunityToInvoice(
      input({ entity: noTax, opportunity: { ...opportunity, CurrencyIsoCode: 'GBP' }, taxRates: [] }),
    );
    expect(invoice).toMatchObject({ lineAmountTypes: 'NoTax', totalTax: '0.00', total: '76.30' });
  });

  describe('amending and renewing Opportunities', () => {
    const seatItem = (quantity: number) =>
      item(1, 600, { Quantity: quantity, TotalPrice: null, Product2: { Name: 'Platform seats', ProductCode: 'SEAT' } });
    const original = {
      opportunity: {
        ...opportunity,
        Id: '006000000000009AAA',
        Service_Start_Date__c: '2026-01-01',
        Service_End_Date__c: '2026-12-31',
      },
      lineItems: [seatItem(25)],
    };
    const amending = (quantity: number, extra: Partial<OpportunityRow> = {}) =>
      input({
        entity: uk,
        taxRates: [{ taxType: 'OUTPUT2', effectiveRate: 20 }],
        opportunity: {
          ...opportunity,
          Name: 'Acme seats change',
          CurrencyIsoCode: 'GBP',
          CloseDate: '2026-06-28',
          Service_Start_Date__c: '2026-07-01',
          Service_End_Date__c: null,
          Amended_Opportunity__c: '006000000000009AAA',
          Invoice_Type__c: 'Amendment',
          PO_Number__c: null,
          ...extra,
        },
        lineItems: [seatItem(quantity)],
      });

    it('refuses to bill an amending Opportunity in full', () => {
      expect(() => mapOpportunityToInvoice(amending(35))).toThrow(
        'Acme seats change amends or renews opportunity 006000000000009AAA: bill it as an amendment or renewal',
      );
    });

    it('invoices a mid-term upsell for the prorated difference to the cent (3,024.66 + 604.93 VAT = 3,629.59)', () => {
      const invoice = mapAmendingOpportunity({ ...amending(35), original });
      expect(invoice).toMatchObject({
        type: 'ACCREC',
        invoiceType: 'Amendment',
        servicePeriod: { start: '2026-07-01', end: '2026-12-31' },
        date: '2026-06-28',
        dueDate: '2026-07-28',
        reference: 'Acme seats change',
        subTotal: '3024.66',
        totalTax: '604.93',
        total: '3629.59',
      });
    });

    it('sends a downgrade as a DRAFT credit note (756.16 + 151.23 VAT = 907.39) for the approval gate', () => {
      const credit = mapAmendingOpportunity({ ...amending(20, { Service_Start_Date__c: '2026-10-01' }), original });
      expect(credit).toMatchObject({
        type: 'ACCRECCREDIT',
        status: 'DRAFT',
        subTotal: '756.16',
        totalTax: '151.23',
        total: '907.39',
      });
      expect(credit?.dueDate).toBeUndefined();
    });

    it('has nothing to bill when the amendment changes nothing', () => {
      expect(mapAmendingOpportunity({ ...amending(25), original })).toBeNull();
    });

    it('invoices a renewal for the next term with the uplift (25 × 630.00 = 15,750.00 + 3,150.00 VAT)', () => {
      const renewal = mapAmendingOpportunity({
        ...amending(25, { Invoice_Type__c: 'Renewal', Renewal_Uplift_Percent__c: 5, CloseDate: '2026-12-10' }),
        original,
      });
      expect(renewal).toMatchObject({
        type: 'ACCREC',
        invoiceType: 'Renewal',
        servicePeriod: { start: '2027-01-01', end: '2027-12-31' },
        subTotal: '15750.00',
        total: '18900.00',
      });
      expect(renewal?.lineItems[0]).toMatchObject({ quantity: '25', unitAmount: '630.00', itemCode: 'SEAT' });
    });
  });
});
