import { addDays } from './dates';
import { toWire } from './money';
import { applyProration, prorateFraction, prorateMultiplier, proratePrice, wholeMonthsAndDays } from './proration';

describe('proration', () => {
  describe('published CPQ examples (Subscription Prorate Precision)', () => {
    it('Day: 830 days ÷ 365 = 2.2740', () => {
      const end = addDays('2017-01-01', 829); // 830 days inclusive
      expect(toWire(prorateMultiplier('2017-01-01', end), 4)).toBe('2.2740');
    });

    it('Month: 35 months ÷ 12 = 2.9167, and a partial month rounds up (1 Jan 2017 to 10 Jan 2018 is 13 months)', () => {
      expect(toWire(prorateMultiplier('2017-01-01', '2019-11-30', { method: 'monthly' }), 4)).toBe('2.9167');
      expect(applyProration('12', '2017-01-01', '2018-01-10', { method: 'monthly' }).toString()).toBe('13');
    });

    it('Password Manager: 12 months for 30.00 quoted for 24 months is 60.00', () => {
      expect(toWire(proratePrice('30', '2026-01-01', '2027-12-31', { method: 'monthly' }))).toBe('60.00');
      expect(toWire(proratePrice('30', '2026-01-01', '2027-12-31', { method: 'monthly-daily' }))).toBe('60.00');
    });

    it('Monthly + Daily: 4 months and 8 days is (4 + 8/(365/12))/12 = 0.3553', () => {
      expect(wholeMonthsAndDays('2026-01-01', '2026-05-08')).toEqual({ months: 4, days: 8 });
      expect(toWire(prorateMultiplier('2026-01-01', '2026-05-08', { method: 'monthly-daily' }), 4)).toBe('0.3553');
    });
  });

  describe('day counting (inclusive service dates)', () => {
    it('prices a full non-leap year at exactly the annual price, and a leap year at 366/365 (CPQ Day basis)', () => {
      expect(prorateMultiplier('2026-01-01', '2026-12-31').toString()).toBe('1');
      expect(toWire(proratePrice('365', '2028-01-01', '2028-12-31'))).toBe('366.00');
    });

    it('counts one day for a one-day period and refuses a period that ends before it starts', () => {
      expect(toWire(proratePrice('365', '2026-03-01', '2026-03-01'))).toBe('1.00');
      expect(() => prorateMultiplier('2026-03-02', '2026-03-01')).toThrow(/ends before it starts/);
    });

    it('counts anniversary months, clamped to month end', () => {
      expect(wholeMonthsAndDays('2026-01-31', '2026-02-27')).toEqual({ months: 1, days: 0 });
      expect(wholeMonthsAndDays('2026-01-15', '2026-01-31')).toEqual({ months: 0, days: 17 });
      expect(wholeMonthsAndDays('2026-01-01', '2026-12-31')).toEqual({ months: 12, days: 0 });
      expect(wholeMonthsAndDays('2025-03-28', '2026-02-04')).toEqual({ months: 10, days: 8 });
    });

    it('scales to a default term other than 12 months', () => {
      expect(toWire(prorateMultiplier('2026-01-01', '2026-06-30', { method: 'monthly', termMonths: 6 }), 4)).toBe(
        '1.0000',
      );
      expect(() => prorateMultiplier('2026-01-01', '2026-06-30', { termMonths: 0 })).toThrow(/whole number of months/);
    });
  });

  it('multiplies first and divides last, so terminating results are exact', () => {
    const { numerator, denominator } = prorateFraction('2026-07-01', '2026-12-31');
    expect(`${numerator.toString()}/${denominator.toString()}`).toBe('2208/4380'); // 184 × 12 / (365 × 12)
    expect(applyProration('365', '2026-07-01', '2026-12-31').toString()).toBe('184');
  });

  it('rounds only the amount by default; a 4-dp multiplier (CPQ display) moves the price by cents', () => {
    // 12,345.67 × 166/365 = 5,614.7430… → 5,614.74;  12,345.67 × 0.4548 = 5,614.8107… → 5,614.81
    expect(toWire(proratePrice('12345.67', '2026-01-01', '2026-06-15'))).toBe('5614.74');
    expect(toWire(proratePrice('12345.67', '2026-01-01', '2026-06-15', { multiplierDp: 4 }))).toBe('5614.81');
  });
});
