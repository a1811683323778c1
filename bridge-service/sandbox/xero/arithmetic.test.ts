import Big from 'big.js';
import type { LineInput, MathOptions } from './arithmetic';
import { computeLine, computeTotals, toBase } from './arithmetic';

const exclusive: MathOptions = { lineAmountTypes: 'Exclusive', unitdp: 2, rounding: 'half-up' };

function line(input: Omit<Partial<LineInput>, 'taxRate'> & { taxRate: string }, options: MathOptions = exclusive) {
  const result = computeLine({ ...input, taxRate: new Big(input.taxRate) } as LineInput, options);
  if ('error' in result) throw new Error(result.error);
  return result;
}

describe('Xero invoice arithmetic', () => {
  it('reproduces the published rounding example: tax per line, then summed', () => {
    const lines = ['25.06', '25.61', '25.63'].map((unit) =>
      line({ quantity: new Big(1), unitAmount: new Big(unit), taxRate: '15' }),
    );
    expect(lines.map((l) => l.taxAmount.toFixed(2))).toEqual(['3.76', '3.84', '3.84']);
    const totals = computeTotals(lines, 'Exclusive');
    expect(totals.subTotal.toFixed(2)).toBe('76.30');
    expect(totals.totalTax.toFixed(2)).toBe('11.44');
    expect(totals.total.toFixed(2)).toBe('87.74');
  });

  it('rounds exact midpoints away from zero by default, and half-even when configured', () => {
    const halfUp = [1, 2].map(() => line({ quantity: new Big(1), unitAmount: new Big('45.45'), taxRate: '10' }));
    expect(computeTotals(halfUp, 'Exclusive').totalTax.toFixed(2)).toBe('9.10');
    const even = [1, 2].map(() =>
      line(
        { quantity: new Big(1), unitAmount: new Big('45.45'), taxRate: '10' },
        { ...exclusive, rounding: 'half-even' },
      ),
    );
    expect(computeTotals(even, 'Exclusive').totalTax.toFixed(2)).toBe('9.08');
  });

  it('keeps 4-dp tax rates exact and rounds only the tax amount', () => {
    expect(line({ quantity: new Big(1), unitAmount: new Big('10.00'), taxRate: '7.685' }).taxAmount.toFixed(2)).toBe(
      '0.77',
    );
  });

  it('keeps UnitAmount to 2 dp by default and 4 dp with unitdp=4', () => {
    expect(line({ quantity: new Big(1), unitAmount: new Big('1.795'), taxRate: '0' }).unitAmount.toFixed(4)).toBe(
      '1.8000',
    );
    const four = line(
      { quantity: new Big(1000), unitAmount: new Big('0.061171'), taxRate: '0' },
      { ...exclusive, unitdp: 4 },
    );
    expect(four.unitAmount.toFixed(4)).toBe('0.0612');
    expect(four.lineAmount.toFixed(2)).toBe('61.20');
  });

  it('takes tax out of Inclusive lines and charges none on NoTax lines', () => {
    const inclusive = line(
      { quantity: new Big(1), unitAmount: new Big('120.00'), taxRate: '20' },
      { ...exclusive, lineAmountTypes: 'Inclusive' },
    );
    expect(inclusive.taxAmount.toFixed(2)).toBe('20.00');
    const totals = computeTotals([inclusive], 'Inclusive');
    expect([totals.subTotal.toFixed(2), totals.total.toFixed(2)]).toEqual(['100.00', '120.00']);
    const none = line(
      { quantity: new Big(2), unitAmount: new Big('50'), taxRate: '20' },
      { ...exclusive, lineAmountTypes: 'NoTax' },
    );
    expect(none.taxAmount.toFixed(2)).toBe('0.00');
  });

  it('applies DiscountRate and DiscountAmount before tax and reports the discount', () => {
    const rate = line({
      quantity: new Big(3),
      unitAmount: new Big('33.33'),
      discountRate: new Big('10'),
      taxRate: '20',
    });
    expect(rate.lineAmount.toFixed(2)).toBe('89.99');
    expect(rate.taxAmount.toFixed(2)).toBe('18.00');
    const fixedOff = line({
      quantity: new Big(2),
      unitAmount: new Big('50'),
      discountAmount: new Big('15'),
      taxRate: '20',
    });
    expect(fixedOff.lineAmount.toFixed(2)).toBe('85.00');
    expect(computeTotals([rate, fixedOff], 'Exclusive').totalDiscount.toFixed(2)).toBe('25.00');
    expect(
      computeLine(
        {
          quantity: new Big(1),
          unitAmount: new Big(1),
          discountRate: new Big(5),
          discountAmount: new Big(1),
          taxRate: new Big(0),
        },
        exclusive,
      ),
    ).toEqual({
      error: expect.stringContaining('Only one of DiscountRate or DiscountAmount'),
    });
  });

  it('derives a missing UnitAmount or Quantity from LineAmount and rejects inconsistent lines', () => {
    expect(line({ lineAmount: new Big('250.00'), taxRate: '0' }).unitAmount.toFixed(2)).toBe('250.00');
    expect(line({ quantity: new Big(4), lineAmount: new Big('100.00'), taxRate: '0' }).unitAmount.toFixed(2)).toBe(
      '25.00',
    );
    expect(
      line({ unitAmount: new Big('12.50'), lineAmount: new Big('100.00'), taxRate: '0' }).quantity.toFixed(4),
    ).toBe('8.0000');
    expect(
      computeLine(
        { quantity: new Big(2), unitAmount: new Big(10), lineAmount: new Big(25), taxRate: new Big(0) },
        exclusive,
      ),
    ).toEqual({
      error: expect.stringContaining('LineAmount must equal'),
    });
  });

  it('converts to base currency by dividing by CurrencyRate (foreign units per base unit)', () => {
    expect(toBase(new Big('1162.50'), new Big('1.1625'), 'half-up').toFixed(2)).toBe('1000.00');
  });
});
