import { amendmentDifference, effectiveUplift, renewalTerm, type Contract, type ContractLine } from './amendment';
import { parseBillingEntities } from './billing-entity';
import { ratableContractLines } from './deal-records';
import { mapDocument } from './invoice-mapping';
import { money, toWire } from './money';

const seats = (quantity: string, unitPrice = '600.00', extra: Partial<ContractLine> = {}): ContractLine => ({
  productKey: 'SEAT',
  description: 'Platform seats',
  quantity,
  unitPrice,
  itemCode: 'SEAT',
  ...extra,
});

const contract: Contract = { startDate: '2026-01-01', endDate: '2026-12-31', lines: [seats('25')] };
/** OpportunityLineItems as the plan reads them (deal-records.ts), each valued at its TotalPrice. */
const contractLines = (items: Parameters<typeof ratableContractLines>[0]) => ratableContractLines(items, {});

const [uk] = parseBillingEntities([
  {
    developerName: 'UK_Ltd',
    xeroTenantId: 'tenant-uk',
    baseCurrency: 'GBP',
    countries: 'GB',
    currencies: 'GBP',
    accountCode: '4000',
    taxType: 'OUTPUT2',
    paymentTermsDays: 30,
  },
]).entities;
if (!uk) throw new Error('fixture entity missing');

const amounts = (lines: { quantity: unknown; unitPrice: unknown }[]) =>
  lines.map((l) => `${String(l.quantity)} × ${String(l.unitPrice)}`);

describe('amendment', () => {
  it('invoices a mid-term upsell to the cent (worked by hand)', () => {
    // Contract 1 Jan – 31 Dec 2026, 25 seats at 600.00 a year. From 1 Jul 2026 the customer has 35 seats.
    // Remaining term, inclusive: Jul 31 + Aug 31 + Sep 30 + Oct 31 + Nov 30 + Dec 31 = 184 days (Daily: ÷ 365).
    // Difference: 10 × 600.00 × 184/365 = 1,104,000/365 = 3,024.657534… → 3,024.66.
    // The prorated unit price 302.465753… needs more than 4 dp, so Xero gets Qty 1 × 3,024.66.
    // VAT 20% on the line: 604.932 → 604.93. Invoice total 3,024.66 + 604.93 = 3,629.59.
    const result = amendmentDifference({ contract, amendmentStartDate: '2026-07-01', lines: [seats('35')] });
    expect(result.kind).toBe('invoice');
    expect(result.servicePeriod).toEqual({ start: '2026-07-01', end: '2026-12-31' });
    expect(toWire(result.netAmount)).toBe('3024.66');
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]?.description).toBe('Platform seats (amendment +10 × 600.00 per 12 months × 184/365 days)');

    const invoice = mapDocument({
      type: 'ACCREC',
      entity: uk,
      contact: { contactNumber: '001000000000001AAA' },
      currencyCode: 'GBP',
      date: '2026-07-01',
      reference: 'Acme seats amendment',
      lines: result.lines,
      taxRates: [{ taxType: 'OUTPUT2', effectiveRate: 20 }],
      invoiceType: 'Amendment',
      servicePeriod: result.servicePeriod,
    });
    expect(invoice.lineItems[0]).toMatchObject({
      quantity: '1',
      unitAmount: '3024.66',
      lineAmount: '3024.66',
      taxAmount: '604.93',
      itemCode: 'SEAT',
    });
    expect(invoice).toMatchObject({ subTotal: '3024.66', totalTax: '604.93', total: '3629.59', dueDate: '2026-07-31' });
  });

  it('reproduces the co-termed add-on example: 25 seats × 50 a month × 6 months = 7,500.00 (derived, Monthly + Daily)', () => {
    const addOn = { productKey: 'ADDON', description: 'Add-on', quantity: '25', unitPrice: '600' };
    const result = amendmentDifference({
      contract,
      amendmentStartDate: '2026-07-01',
      lines: [seats('25'), addOn],
      proration: { method: 'monthly-daily' },
    });
    expect(toWire(result.netAmount)).toBe('7500.00');
    // 600 × 6/12 = 300 fits 4 dp, so the line keeps its quantity.
    expect(amounts(result.lines)).toEqual(['25 × 300']);
    expect(result.lines[0]?.description).toBe('Add-on (amendment +25 × 600.00 per 12 months × 0.5000 of the term)');
  });

  it('turns a downgrade into a credit-note request for the remaining term', () => {
    // 5 seats fewer from 1 Oct 2026: 92 days; 5 × 600 × 92/365 = 756.164383… → 756.16 credit.
    const result = amendmentDifference({ contract, amendmentStartDate: '2026-10-01', lines: [seats('20')] });
    expect(result.kind).toBe('credit-note');
    expect(toWire(result.netAmount)).toBe('-756.16');
    expect(amounts(result.lines)).toEqual(['1 × 756.16']);
    expect(result.lines[0]?.description).toMatch(/^Platform seats \(amendment −5 × 600.00/);
  });

  it('replaces the line when the price changes: old quantity out at the old price, new in at the new', () => {
    // From 1 Jul: 25 × 600 × 184/365 = 7,561.643… → 7,561.64 out; 25 × 540 × 184/365 = 6,805.479… → 6,805.48 in.
    const result = amendmentDifference({
      contract,
      amendmentStartDate: '2026-07-01',
      lines: [seats('25', '600', { discountPercent: '10' })],
    });
    expect(result.changes.map((c) => [c.quantity.toString(), c.termPrice.toString(), toWire(c.amount)])).toEqual([
      ['-25', '600', '-7561.64'],
      ['25', '540', '6805.48'],
    ]);
    expect(result.kind).toBe('credit-note');
    expect(toWire(result.netAmount)).toBe('-756.16');
    // On the credit note the removal is the positive line.
    expect(amounts(result.lines)).toEqual(['1 × 7561.64', '1 × -6805.48']);
  });

  it('keeps decreases as negative-price lines on an invoice when the net is an increase', () => {
    const other = { productKey: 'SUPPORT', description: 'Support', quantity: '1', unitPrice: '3650' };
    const result = amendmentDifference({
      contract: { ...contract, lines: [seats('25'), { ...other, quantity: '2' }] },
      amendmentStartDate: '2026-07-01',
      lines: [seats('30'), other],
    });
    // +5 seats: 5 × 600 × 184/365 = 1,512.33; −1 support: 3650 × 184/365 = 1,840 exactly (unit fits, quantity kept).
    expect(result.changes.map((c) => toWire(c.amount))).toEqual(['1512.33', '-1840.00']);
    expect(result.kind).toBe('credit-note');
    const upsell = amendmentDifference({
      contract: { ...contract, lines: [seats('25'), { ...other, quantity: '2' }] },
      amendmentStartDate: '2026-07-01',
      lines: [seats('40'), other],
    });
    expect(upsell.kind).toBe('invoice');
    expect(amounts(upsell.lines)).toEqual(['1 × 4536.99', '1 × -1840']);
    expect(toWire(upsell.netAmount)).toBe('2696.99');
  });

  it('never starts before the contract start, and refuses to start after it ends', () => {
    const early = amendmentDifference({ contract, amendmentStartDate: '2025-11-01', lines: [seats('26')] });
    expect(early.servicePeriod.start).toBe('2026-01-01');
    expect(toWire(early.netAmount)).toBe('600.00');
    expect(() => amendmentDifference({ contract, amendmentStartDate: '2027-01-01', lines: [seats('26')] })).toThrow(
      'Cannot price the amendment: the amendment starts (2027-01-01) after the contract ends (2026-12-31)',
    );
    expect(() => amendmentDifference({ contract, amendmentStartDate: '2026-06-01', lines: [seats('-1')] })).toThrow(
      /quantity -1 is negative/,
    );
  });

  it('has nothing to send when nothing changes', () => {
    const result = amendmentDifference({ contract, amendmentStartDate: '2026-07-01', lines: [seats('25')] });
    expect(result).toMatchObject({ kind: 'none', lines: [], changes: [] });
  });

  describe('renewals', () => {
    it('invoices the next term with the uplift after discounts: 100 at 5% → 105.00; 100 less 10% → 94.50', () => {
      const result = renewalTerm({
        contract: {
          ...contract,
          lines: [
            { productKey: 'A', description: 'Plan', quantity: '2', unitPrice: '100' },
            { productKey: 'B', description: 'Discounted plan', quantity: '1', unitPrice: '100', discountPercent: '10' },
          ],
        },
        upliftPercent: '5',
      });
      expect(result.servicePeriod).toEqual({ start: '2027-01-01', end: '2027-12-31' });
      expect(amounts(result.lines)).toEqual(['2 × 105', '1 × 94.5']);
      expect(result.lines.map((l) => l.description)).toEqual([
        'Plan (renewal, 5% uplift)',
        'Discounted plan (renewal, 5% uplift)',
      ]);
      expect(toWire(result.subTotal)).toBe('304.50');
    });

    it('applies the greater of a fixed uplift and an index + margin, with the index dated before the renewal', () => {
      const rule = (index: string, publishedOn = '2026-10-15') => ({
        percent: '5',
        index: { name: 'UK CPI', percent: index, publishedOn },
        indexMarginPercent: '2',
      });
      // CPI 3.2 % + 2 % = 5.2 % beats 5 %: 100.00 → 105.20.
      const indexed = renewalTerm({
        contract: { ...contract, lines: [{ productKey: 'A', description: 'Plan', quantity: '1', unitPrice: '100' }] },
        uplift: rule('3.2'),
      });
      expect(amounts(indexed.lines)).toEqual(['1 × 105.2']);
      expect(indexed.uplift.explanation).toBe('greater of 5% and UK CPI 3.2% (2026-10-15) + 2% = 5.2%');
      // The published MAX(8 %, CPI + 5 %) with CPI at 2.1 %: 8 %.
      expect(
        effectiveUplift(
          { percent: '8', index: { name: 'CPI', percent: '2.1', publishedOn: '2026-12-01' }, indexMarginPercent: '5' },
          '2027-01-01',
        ).percent.toString(),
      ).toBe('8');
      expect(effectiveUplift({ percent: '5' }, '2027-01-01').explanation).toBe('5%');
      expect(() => effectiveUplift(rule('3.2', '2027-01-02'), '2027-01-01')).toThrow(
        'The UK CPI figure of 2027-01-02 cannot price a renewal starting 2027-01-01: use one published in the 12 months before it',
      );
      expect(() => effectiveUplift(rule('3.2', '2025-12-31'), '2027-01-01')).toThrow(
        /published in the 12 months before it/,
      );
    });

    it('renews at the same net price without uplift, scaled to a shorter term', () => {
      const result = renewalTerm({ contract: { ...contract, endDate: '2027-02-28' }, termMonths: 6 });
      expect(result.servicePeriod).toEqual({ start: '2027-03-01', end: '2027-08-31' });
      expect(amounts(result.lines)).toEqual(['25 × 300']);
      expect(() => renewalTerm({ contract, termMonths: 0 })).toThrow(
        'A subscription term must be a whole number of months, not 0',
      );
      expect(result.lines[0]?.description).toBe('Platform seats (renewal)');
    });
  });

  it('reads OpportunityLineItems as contract lines keyed by product code (deal-records.ts, as the plan reads them)', () => {
    expect(
      contractLines([
        {
          Id: '00k000000000001AAA',
          Quantity: 25,
          UnitPrice: 600,
          Discount: 10,
          Product2: { Name: 'Seats', ProductCode: 'SEAT' },
        },
        {
          Id: '00k000000000002AAA',
          Quantity: 1,
          UnitPrice: 99.5,
          Description: 'Onboarding',
          Product2: { Name: 'Services', ProductCode: null },
        },
      ]).map((l) => [l.productKey, l.description, String(l.quantity), String(l.unitPrice), String(l.discountPercent)]),
    ).toEqual([
      ['SEAT', 'Seats', '25', '600', '10'],
      ['Services', 'Onboarding', '1', '99.5', 'undefined'],
    ]);
  });

  describe('a line priced by its Total Price (300 seats for 10,000.00: Sales Price 33.33, 300 × 33.33 = 9,999.00)', () => {
    // As Salesforce returns them: the rep entered the Total Price, Salesforce derived and rounded the Sales Price.
    const item = (quantity: number, totalPrice: number, id = '00k000000000001AAA') => ({
      Id: id,
      Quantity: quantity,
      UnitPrice: 33.33,
      TotalPrice: totalPrice,
      Product2: { Name: 'Platform seats', ProductCode: 'SEAT' },
    });
    const priced: Contract = { ...contract, lines: contractLines([item(300, 10000)]) };
    const amend = (lines: ContractLine[], from = '2026-01-01') =>
      amendmentDifference({ contract: priced, amendmentStartDate: from, lines });

    it('credits the whole 10,000.00 when every seat is removed (not 9,999.00)', () => {
      const gone = amend([]);
      expect([gone.kind, toWire(gone.netAmount)]).toEqual(['credit-note', '-10000.00']);
      expect(amounts(gone.lines)).toEqual(['1 × 10000']);
      expect(gone.lines[0]?.description).toBe(
        'Platform seats (amendment −300 × 10000.00/300 per 12 months × 365/365 days)',
      );
      // The same Sales Price at quantity 0 is the same: a seat change of −300.
      expect(toWire(amend(contractLines([item(0, 0)])).netAmount)).toBe('-10000.00');
    });

    it('prices a seat change at the exact unit price 10,000.00/300: 100 of 300 removed credit 3,333.33, leaving 6,666.67', () => {
      // The amending Opportunity as Salesforce makes it when the rep lowers the quantity: 200 × 33.33 = 6,666.00.
      const fewer = amend(contractLines([item(200, 6666)]));
      expect(fewer.changes.map((c) => [c.quantity.toString(), toWire(c.termPrice, 4), toWire(c.amount)])).toEqual([
        ['-100', '33.3333', '-3333.33'],
      ]);
      expect(toWire(fewer.netAmount)).toBe('-3333.33');
      // What stays is the deal's price less the credit: 6,666.67, tying to 10,000.00.
      expect(toWire(money('10000').plus(fewer.netAmount))).toBe('6666.67');
      // Priced by its own total at the contract's price, the same: one line, the same credit.
      expect(amend(contractLines([item(200, 6666.67)])).changes.map((c) => toWire(c.amount))).toEqual(['-3333.33']);
      // Co-termed from 1 Jul (184 of 365 days): −100 × 10,000.00 × 184 ÷ (300 × 365) = −1,680.365… → −1,680.37,
      // rounded once (300 × 33.33 would give −1,680.20).
      const midTerm = amend(contractLines([item(200, 6666)]), '2026-07-01');
      expect(toWire(midTerm.netAmount)).toBe('-1680.37');
      expect(amounts(midTerm.lines)).toEqual(['1 × 1680.37']);
      // Adding seats: +30 at 10,000.00/300 = 1,000.00 for the term.
      expect(toWire(amend(contractLines([item(330, 10998.9)])).netAmount)).toBe('1000.00');
      // Nothing changed (a clone: 300 × 33.33 = 9,999.00 at the same Sales Price) bills nothing.
      expect(amend(contractLines([item(300, 9999)])).kind).toBe('none');
    });

    it('reads a line re-priced by its Total Price as a price change: out at its total, in at the new', () => {
      const repriced = amend(contractLines([item(300, 9998.5)]));
      expect(repriced.changes.map((c) => [c.quantity.toString(), toWire(c.amount)])).toEqual([
        ['-300', '-10000.00'],
        ['300', '9998.50'],
      ]);
      expect(toWire(repriced.netAmount)).toBe('-1.50');
    });

    it('renews from the total: 10,000.00 at 3% → 10,300.00 (not 300 × 34.33 = 10,299.00), billed as 1 × it', () => {
      const renewed = renewalTerm({ contract: priced, upliftPercent: '3' });
      expect(toWire(renewed.subTotal)).toBe('10300.00');
      expect(
        renewed.lines.map((l) => [String(l.quantity), toWire(money(l.unitPrice)), toWire(l.expectedTotal)]),
      ).toEqual([['300', '34.33', '10300.00']]);
      expect(toWire(renewalTerm({ contract: priced }).subTotal)).toBe('10000.00');
      const invoice = mapDocument({
        type: 'ACCREC',
        entity: uk,
        contact: { contactNumber: '001000000000001AAA' },
        currencyCode: 'GBP',
        date: '2027-01-01',
        reference: 'Acme renewal',
        lines: renewed.lines,
        taxRates: [{ taxType: 'OUTPUT2', effectiveRate: 20 }],
      });
      expect(invoice.lineItems.map((l) => [l.quantity, l.unitAmount, l.lineAmount])).toEqual([
        ['1', '10300.00', '10300.00'],
      ]);
      expect(invoice.subTotal).toBe('10300.00');
      // A line Quantity × Sales Price prices renews its Sales Price, as before: 2 × 100.00 at 5% = 2 × 105.00.
      const plain = renewalTerm({
        contract: { ...contract, lines: contractLines([{ ...item(2, 200), UnitPrice: 100 }]) },
        upliftPercent: '5',
      });
      expect(amounts(plain.lines)).toEqual(['2 × 105']);
    });
  });
});
