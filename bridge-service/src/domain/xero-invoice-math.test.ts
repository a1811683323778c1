import { money, toWire } from './money';
import {
  baseCurrencyTotals,
  documentTotals,
  fitUnitAmount,
  lessDiscount,
  lineTax,
  lineTotals,
  normaliseCurrencyRate,
  toBaseAmount,
  totalsToWire,
  type XeroMathLine,
} from './xero-invoice-math';

const line = (unitAmount: string, taxRate: string, extra: Partial<XeroMathLine> = {}): XeroMathLine => ({
  quantity: '1',
  unitAmount,
  taxRate,
  ...extra,
});

describe('xero-invoice-math', () => {
  describe('published examples', () => {
    it('taxes per line: 25.06 / 25.61 / 25.63 at 15% give 3.76 / 3.84 / 3.84, tax 11.44, total 87.74 (Rounding in Xero)', () => {
      const totals = documentTotals([line('25.06', '15'), line('25.61', '15'), line('25.63', '15')]);
      expect(totals.lines.map((l) => toWire(l.taxAmount))).toEqual(['3.76', '3.84', '3.84']);
      expect(totalsToWire(totals)).toEqual({ subTotal: '76.30', totalTax: '11.44', total: '87.74' });
    });

    it('rounds exact midpoints away from zero: two lines of 45.45 at 10% give 4.55 each, 9.10 (Tax and the Xero API)', () => {
      const totals = documentTotals([line('45.45', '10'), line('45.45', '10')]);
      expect(totals.lines.map((l) => toWire(l.taxAmount))).toEqual(['4.55', '4.55']);
      expect(toWire(totals.totalTax)).toBe('9.10');
      expect(toWire(totals.total)).toBe('100.00');
    });

    it('takes tax rates with 4 dp and rounds the tax to 2 dp: 10.00 at 7.685% gives 0.77', () => {
      expect(toWire(lineTotals(line('10.00', '7.685')).taxAmount)).toBe('0.77');
    });

    it('sends 1000 × 0.061171 as Qty 1 × 61.17, because Xero would round the unit price to 0.0612 (61.20)', () => {
      // What Xero would do with the source line as it is, even with unitdp=4:
      const naive = lineTotals({ quantity: '1000', unitAmount: '0.061171', taxRate: '0' });
      expect(toWire(naive.unitAmount, 4)).toBe('0.0612');
      expect(toWire(naive.lineAmount)).toBe('61.20');
      // What the mapping sends instead:
      const fitted = fitUnitAmount('1000', '0.061171');
      expect(fitted).toMatchObject({ collapsed: true, detail: '1000 × 0.061171' });
      expect(toWire(fitted.quantity, 0)).toBe('1');
      const sent = lineTotals({ quantity: fitted.quantity, unitAmount: fitted.unitAmount, taxRate: '0' });
      expect(toWire(sent.lineAmount)).toBe('61.17');
    });
  });

  describe('inclusive, no-tax and exclusive documents', () => {
    it('extracts tax from inclusive lines per line: 115.00 at 15% holds 15.00 tax', () => {
      const totals = documentTotals([line('115.00', '15'), line('10.00', '15')], { lineAmountTypes: 'Inclusive' });
      // 10.00 × 15/115 = 1.3043… → 1.30
      expect(totals.lines.map((l) => toWire(l.taxAmount))).toEqual(['15.00', '1.30']);
      expect(totalsToWire(totals)).toEqual({ subTotal: '108.70', totalTax: '16.30', total: '125.00' });
    });

    it('matches the community compound example in total: 10,000.00 inclusive at an effective 10.24% leaves net 9,071.12', () => {
      // 6% + 4% compound = 1.06 × 1.04 − 1 = 10.24% effective; tax = 10,000 × 10.24/110.24 = 928.8824… → 928.88.
      const totals = documentTotals([line('10000.00', '10.24')], { lineAmountTypes: 'Inclusive' });
      expect(totalsToWire(totals)).toEqual({ subTotal: '9071.12', totalTax: '928.88', total: '10000.00' });
    });

    it('charges no tax on NoTax documents', () => {
      const totals = documentTotals([line('99.99', '20')], { lineAmountTypes: 'NoTax' });
      expect(totalsToWire(totals)).toEqual({ subTotal: '99.99', totalTax: '0.00', total: '99.99' });
      expect(toWire(lineTax('50', '20', 'NoTax'))).toBe('0.00');
    });

    it('defaults to Exclusive, as Xero does for invoices', () => {
      expect(totalsToWire(documentTotals([line('100', '20')]))).toEqual({
        subTotal: '100.00',
        totalTax: '20.00',
        total: '120.00',
      });
    });
  });

  describe('discounts and precision', () => {
    it('applies a discount rate: 3 × 33.33 less 10% = 89.99 (89.991 rounded), tax 20% 18.00', () => {
      const result = lineTotals({ quantity: '3', unitAmount: '33.33', discountRate: '10', taxRate: '20' });
      expect(toWire(result.lineAmount)).toBe('89.99');
      expect(toWire(result.taxAmount)).toBe('18.00');
    });

    it('takes a discount off exactly, unrounded', () => {
      expect(lessDiscount('33.33', '10').toString()).toBe('29.997');
      expect(lessDiscount('33.33').toString()).toBe('33.33');
    });

    it('applies a discount amount: 2 × 50.00 − 12.50 = 87.50', () => {
      const result = lineTotals({ quantity: '2', unitAmount: '50.00', discountAmount: '12.50', taxRate: '10' });
      expect(toWire(result.lineAmount)).toBe('87.50');
      expect(toWire(result.taxAmount)).toBe('8.75');
    });

    it('keeps 4 dp unit amounts with unitdp=4 and 2 dp without (1.795 becomes 1.80, as Databuzz reports)', () => {
      expect(toWire(lineTotals(line('1.795', '0')).unitAmount, 4)).toBe('1.7950');
      expect(toWire(lineTotals(line('1.795', '0'), { unitDp: 2 }).unitAmount)).toBe('1.80');
    });

    it('leaves lines that already fit Xero precision as they are, discount included', () => {
      expect(fitUnitAmount('10', '12.3456', '5')).toEqual({
        quantity: money('10'),
        unitAmount: money('12.3456'),
        discountRate: money('5'),
        collapsed: false,
      });
      expect(fitUnitAmount('1', '12.345', '0', 2)).toMatchObject({ collapsed: true, detail: '1 × 12.345' });
    });

    it('folds the discount into a collapsed line', () => {
      const fitted = fitUnitAmount('3', '0.33333', '10');
      // 3 × 0.33333 × 0.9 = 0.899991 → 0.90
      expect(toWire(fitted.unitAmount)).toBe('0.90');
      expect(fitted.discountRate).toBeUndefined();
      expect(fitted.detail).toBe('3 × 0.33333 less 10%');
    });

    it('rejects lines Xero would reject, listing every problem', () => {
      expect(() =>
        lineTotals({
          quantity: '1.23456',
          unitAmount: '1',
          discountRate: '120',
          discountAmount: '1',
          taxRate: '7.12345',
        }),
      ).toThrow(
        /quantity 1.23456 has more than 4 decimal places; tax rate 7.12345% has more than 4 decimal places; give either/,
      );
    });
  });

  describe('currency rates (foreign units per 1 base unit; base = foreign ÷ rate)', () => {
    it('converts a USD invoice into an NZD base at the doc example rate 0.7500', () => {
      expect(toWire(toBaseAmount('75.00', '0.7500'))).toBe('100.00');
    });

    it('derives base totals from the document totals, each rounded once, always tying', () => {
      const totals = documentTotals([line('25.06', '15'), line('25.61', '15'), line('25.63', '15')]);
      const base = baseCurrencyTotals(totals, '1.1234567');
      // rate held to 6 dp: 1.123457; 87.74 ÷ 1.123457 = 78.0982… → 78.10; 11.44 ÷ 1.123457 = 10.1828… → 10.18
      expect(toWire(base.currencyRate, 6)).toBe('1.123457');
      expect(toWire(base.total)).toBe('78.10');
      expect(toWire(base.totalTax)).toBe('10.18');
      expect(toWire(base.subTotal)).toBe('67.92');
    });

    it('never sends a rate of 1 on a foreign document and sends none in the base currency', () => {
      expect(normaliseCurrencyRate('GBP', 'GBP', '1.25')).toBeUndefined();
      expect(normaliseCurrencyRate('USD', 'GBP', undefined)).toBeUndefined();
      expect(normaliseCurrencyRate('USD', 'GBP', '1.2712345')?.toString()).toBe('1.271235');
      expect(() => normaliseCurrencyRate('USD', 'GBP', '1')).toThrow(/omit the rate so Xero uses its day rate/);
      expect(() => normaliseCurrencyRate('USD', 'GBP', '0')).toThrow(/must be positive/);
      expect(() => toBaseAmount('10', '-1')).toThrow(/must be positive/);
    });
  });
});
