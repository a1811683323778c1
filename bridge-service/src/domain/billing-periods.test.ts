import Big from 'big.js';

import { allocate, billingPeriods, pieceWeight, piecesOf, ratioOf, type BillingTerms } from './billing-periods';
import { toWire } from './money';

const terms = (frequency: BillingTerms['frequency'], alignment: BillingTerms['alignment'] = 'anniversary') =>
  ({ frequency, alignment, timing: 'advance' }) as BillingTerms;
const spans = (periods: { start: string; end: string }[]) => periods.map((p) => `${p.start}..${p.end}`);

describe('billing periods', () => {
  it('counts anniversary periods from the contract start, clamped to month end without drifting', () => {
    expect(spans(billingPeriods({ start: '2026-01-31', end: '2027-01-30' }, terms('quarterly'), '2027-01-30'))).toEqual(
      ['2026-01-31..2026-04-29', '2026-04-30..2026-07-30', '2026-07-31..2026-10-30', '2026-10-31..2027-01-30'],
    );
  });

  it('aligns calendar periods to months, quarters and years; the first one holds the contract start', () => {
    expect(
      spans(billingPeriods({ start: '2026-02-15', end: '2026-08-14' }, terms('quarterly', 'calendar'), '2026-08-14')),
    ).toEqual(['2026-01-01..2026-03-31', '2026-04-01..2026-06-30', '2026-07-01..2026-09-30']);
    expect(
      spans(billingPeriods({ start: '2026-07-01', end: '2028-06-30' }, terms('annual', 'calendar'), '2028-06-30')),
    ).toEqual(['2026-01-01..2026-12-31', '2027-01-01..2027-12-31', '2028-01-01..2028-12-31']);
  });

  it('starts calendar periods on the billing day (Revenue Cloud DayOfPeriod = 5)', () => {
    const periods = billingPeriods(
      { start: '2025-03-28', end: '2026-02-04' },
      { ...terms('monthly', 'calendar'), billingDay: 5 },
      '2026-02-04',
    );
    expect(periods).toHaveLength(11);
    expect(spans(periods.slice(0, 2))).toEqual(['2025-03-05..2025-04-04', '2025-04-05..2025-05-04']);
    expect(() =>
      billingPeriods({ start: '2025-03-28', end: '2026-02-04' }, { ...terms('monthly'), billingDay: 29 }, '2026-02-04'),
    ).toThrow('The billing day must be a whole day from 1 to 28, not 29');
  });

  it('makes one period of the whole term when billed upfront, reaching as far as an extension', () => {
    expect(billingPeriods({ start: '2026-01-01', end: '2026-12-31' }, terms('upfront'), '2027-06-30')).toEqual([
      { start: '2026-01-01', end: '2027-06-30' },
    ]);
  });

  it('weighs a full period as 1 (even a leap year) and a partial one by its proration', () => {
    expect(pieceWeight({ start: '2028-01-01', end: '2028-12-31' }, { start: '2028-01-01', end: '2028-12-31' })).toEqual(
      { n: 1n, d: 1n },
    );
    // 8 of the 31 days of 5 Mar – 4 Apr.
    expect(pieceWeight({ start: '2025-03-28', end: '2025-04-04' }, { start: '2025-03-05', end: '2025-04-04' })).toEqual(
      { n: 8n, d: 31n },
    );
    // Jul–Dec of a year: 184/365 by day, exactly 1/2 by whole months.
    const half = { start: '2026-07-01', end: '2026-12-31' };
    const year = { start: '2026-01-01', end: '2026-12-31' };
    expect(pieceWeight(half, year)).toEqual({ n: 184n, d: 365n });
    expect(pieceWeight(half, year, 'monthly-daily')).toEqual({ n: 1n, d: 2n });
  });

  it('spreads an amount by cumulative rounding: the parts always sum to it', () => {
    const third = { n: 1n, d: 1n };
    expect(allocate(new Big('100.00'), [third, third, third]).map((p) => toWire(p))).toEqual([
      '33.33',
      '33.34',
      '33.33',
    ]);
    expect(allocate(new Big('-0.05'), [third, third]).map((p) => toWire(p))).toEqual(['-0.03', '-0.02']);
    expect(allocate(new Big('1'), [ratioOf(new Big('0.5')), ratioOf(new Big('1.25'))]).map((p) => toWire(p))).toEqual([
      '0.29',
      '0.71',
    ]);
    expect(() => allocate(new Big('1'), [])).toThrow(/Nothing to spread/);
  });

  it('reproduces the Revenue Cloud monthly example: 10.258065 periods × 90.00 = 923.23, first piece 23.23', () => {
    // 2025-03-28 → 2026-02-04 with periods starting on the 5th: 8/31 of a period, then 10 full ones.
    const periods = billingPeriods(
      { start: '2025-03-28', end: '2026-02-04' },
      { ...terms('monthly', 'calendar'), billingDay: 5 },
      '2026-02-04',
    );
    const pieces = piecesOf({ start: '2025-03-28', end: '2026-02-04' }, periods);
    const total = pieces.reduce(
      (sum, p) => sum.plus(new Big(p.weight.n.toString()).div(p.weight.d.toString())),
      new Big(0),
    );
    expect(total.toFixed(6)).toBe('10.258065');
    expect(toWire(total.times(90))).toBe('923.23');
    const parts = allocate(
      new Big('923.23'),
      pieces.map((p) => p.weight),
    ).map((p) => toWire(p));
    expect(parts[0]).toBe('23.23');
    expect(new Set(parts.slice(1))).toEqual(new Set(['90.00']));
  });
});
