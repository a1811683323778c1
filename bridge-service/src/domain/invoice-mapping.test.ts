import { mapDocument } from './invoice-mapping';
import { mapOpportunityToInvoice } from './opportunity-invoice';
import { input, item, nz, opportunity, problemsOf, uk } from './__fixtures__/opportunities';

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

  it('sends discounts as DiscountRate when Salesforce’s total is Quantity × Sales Price less discount', () => {
    // 3 × 33.33 less 10% = 89.991 → 89.99, Salesforce's TotalPrice: sent as it is, seats × price.
    const invoice = mapOpportunityToInvoice(
      input({
        opportunity: { ...opportunity, Amount: 89.99 },
        lineItems: [item(1, 33.33, { Quantity: 3, Discount: 10, TotalPrice: 89.99, Description: 'Seats' })],
      }),
    );
    expect(invoice.lineItems[0]).toMatchObject({
      description: 'Seats\nService period 1 Jan 2027 to 31 Dec 2027',
      quantity: '3',
      unitAmount: '33.33',
      discountRate: '10',
      lineAmount: '89.99',
      taxAmount: '13.50',
    });
    expect(invoice.warnings).toEqual([]);
  });

  describe('a line priced by its Total Price (review-12 F2: TotalPrice is the line’s price, as Amount shows it)', () => {
    it('bills 300 seats at 10,000.00, not 300 × the rounded Sales Price 33.33 (9,999.00), tax on the 10,000.00', () => {
      const invoice = mapOpportunityToInvoice(
        input({
          opportunity: { ...opportunity, Amount: 10000 },
          lineItems: [item(1, 33.33, { Quantity: 300, TotalPrice: 10000, Description: 'Platform' })],
        }),
      );
      expect(invoice.lineItems).toEqual([
        {
          description: 'Platform\nService period 1 Jan 2027 to 31 Dec 2027\n(300 × 33.33, total price 10000.00)',
          quantity: '1',
          unitAmount: '10000.00',
          accountCode: '200',
          taxType: 'OUTPUT2',
          itemCode: 'SKU-1',
          tracking: [],
          lineAmount: '10000.00',
          taxAmount: '1500.00',
        },
      ]);
      expect([invoice.subTotal, invoice.totalTax, invoice.total]).toEqual(['10000.00', '1500.00', '11500.00']);
      // Said once, for finance (the record's Sync_Message__c); the Amount now ties.
      expect(invoice.warnings).toEqual([
        'line 1 (Platform): its Total Price 10000.00 is not 300 × 33.33 (9999.00); sent to Xero as 1 × 10000.00, the quantity and price in its description',
      ]);
    });

    it('folds a discount in: 3 × 33.33 less 10% is 89.99, a Total Price of 90.00 is billed 90.00', () => {
      const invoice = mapOpportunityToInvoice(
        input({
          opportunity: { ...opportunity, Amount: 90 },
          lineItems: [item(1, 33.33, { Quantity: 3, Discount: 10, TotalPrice: 90, Description: 'Seats' })],
        }),
      );
      expect(invoice.lineItems[0]).toMatchObject({
        description: 'Seats\nService period 1 Jan 2027 to 31 Dec 2027\n(3 × 33.33 less 10%, total price 90.00)',
        quantity: '1',
        unitAmount: '90.00',
        lineAmount: '90.00',
        taxAmount: '13.50',
      });
      expect(invoice.lineItems[0]?.discountRate).toBeUndefined();
      expect(invoice.warnings).toEqual([
        'line 1 (Seats): its Total Price 90.00 is not 3 × 33.33 less 10% (89.99); sent to Xero as 1 × 90.00, the quantity and price in its description',
      ]);
    });

    it('leaves the other lines as seats × price, and ties each line and the total to Salesforce to the cent', () => {
      const lineItems = [
        item(1, 25.06, { Quantity: 2, TotalPrice: 50.12 }),
        item(2, 33.33, { Quantity: 3000, TotalPrice: 100000 }),
        item(3, -150.55, { Quantity: 1, TotalPrice: -150.55 }),
      ];
      const invoice = mapOpportunityToInvoice(input({ opportunity: { ...opportunity, Amount: 99899.57 }, lineItems }));
      expect(invoice.lineItems.map((l) => [l.quantity, l.unitAmount, l.lineAmount, l.taxAmount])).toEqual([
        ['2', '25.06', '50.12', '7.52'],
        ['1', '100000.00', '100000.00', '15000.00'],
        ['1', '-150.55', '-150.55', '-22.58'],
      ]);
      expect(invoice.subTotal).toBe('99899.57');
      expect(invoice.warnings).toHaveLength(1);
    });

    it('does the same on a credit note (no discount in Xero), and not for a total Quantity × price reaches', () => {
      const line = { description: 'Seats', quantity: '3', unitPrice: '33.33', discountPercent: '10' };
      const credit = (expectedTotal: string) =>
        mapDocument({
          type: 'ACCRECCREDIT',
          entity: nz,
          contact: { contactId: 'c-1' },
          currencyCode: 'NZD',
          date: '2027-01-01',
          reference: 'Credit',
          lines: [{ ...line, expectedTotal }],
          taxRates: [{ taxType: 'OUTPUT2', effectiveRate: 15 }],
        });
      expect(credit('89.99').lineItems[0]).toMatchObject({ quantity: '3', unitAmount: '29.997', lineAmount: '89.99' });
      expect(credit('89.99').warnings).toEqual([]);
      expect(credit('90.00').lineItems[0]).toMatchObject({ quantity: '1', unitAmount: '90.00', lineAmount: '90.00' });
    });
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
});
