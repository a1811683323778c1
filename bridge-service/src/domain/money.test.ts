import { decimalPlaces, formatAmount, fromApiNumber, money, round, sum, toWire } from './money';

describe('money', () => {
  it('rounds exact midpoints away from zero, as Xero does', () => {
    expect(toWire(money('4.545'))).toBe('4.55');
    expect(toWire(money('-4.545'))).toBe('-4.55');
    expect(toWire(money('0.7685'))).toBe('0.77');
  });

  it('reproduces Xero per-line tax: 25.06, 25.61, 25.63 at 15% gives 11.44, not 11.45', () => {
    const rate = money('0.15');
    const lines = ['25.06', '25.61', '25.63'].map((amount) => money(amount));
    const perLineTax = sum(lines.map((line) => round(line.times(rate))));
    expect(toWire(perLineTax)).toBe('11.44');
    expect(toWire(round(sum(lines).times(rate)))).toBe('11.45');
    expect(toWire(sum(lines).plus(perLineTax))).toBe('87.74');
  });

  it('refuses binary floats and non-numbers', () => {
    expect(() => money(0.1)).toThrow(/never binary floats/);
    expect(() => money('12,50')).toThrow(/not a decimal number/);
    expect(money(3).toString()).toBe('3');
  });

  it('keeps 4 dp unit amounts when asked', () => {
    expect(toWire(money('0.061171'), 4)).toBe('0.0612');
  });

  it('counts the decimal places a value needs', () => {
    expect(decimalPlaces(money('0.061171'))).toBe(6);
    expect(decimalPlaces(money('1.50'))).toBe(1);
    expect(decimalPlaces(money('1200'))).toBe(0);
    expect(decimalPlaces(money('-0.5'))).toBe(1);
  });

  it('formats amounts with thousands separators for people', () => {
    expect(formatAmount(money('4000'))).toBe('4,000.00');
    expect(formatAmount(money('-1234567.895'))).toBe('-1,234,567.90');
    expect(formatAmount(money('999.994'))).toBe('999.99');
    expect(formatAmount(money('12'), 0)).toBe('12');
  });

  it('reads JSON numbers from the APIs through their decimal form', () => {
    expect(fromApiNumber(1200.5).toString()).toBe('1200.5');
    expect(fromApiNumber(0.1).plus(fromApiNumber(0.2)).toString()).toBe('0.3');
    expect(fromApiNumber('25.06').toString()).toBe('25.06');
    expect(() => fromApiNumber(Number.NaN, 'UnitPrice')).toThrow('UnitPrice NaN is not a finite number');
  });
});
