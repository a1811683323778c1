import { toWire } from './money';
import { recognisedToDate, revenueBalances, straightLineSchedule } from './revenue';

describe('revenue', () => {
  it('recognises by day: USD 120 for 15 Jun – 12 Oct 2026 gives 16 / 31 / 31 / 30 / 12 (Stripe by-day example)', () => {
    const schedule = straightLineSchedule('120', { start: '2026-06-15', end: '2026-10-12' });
    expect(schedule.map((p) => toWire(p.amount))).toEqual(['16.00', '31.00', '31.00', '30.00', '12.00']);
    expect(schedule.map((p) => `${p.start}..${p.end} ${p.days}d`)).toEqual([
      '2026-06-15..2026-06-30 16d',
      '2026-07-01..2026-07-31 31d',
      '2026-08-01..2026-08-31 31d',
      '2026-09-01..2026-09-30 30d',
      '2026-10-01..2026-10-12 12d',
    ]);
  });

  it('ties cents out to the total by cumulative rounding: 100.00 over Jan–Mar 2026 → 34.44 / 31.12 / 34.44', () => {
    // 90 days: Jan 31/90 × 100 = 34.444… → 34.44; to Feb 59/90 × 100 = 65.555… → 65.56, so Feb = 31.12;
    // to Mar 100.00, so Mar = 34.44. Rounding each month alone would give 34.44 + 31.11 + 34.44 = 99.99.
    const schedule = straightLineSchedule('100.00', { start: '2026-01-01', end: '2026-03-31' });
    expect(schedule.map((p) => toWire(p.amount))).toEqual(['34.44', '31.12', '34.44']);
    expect(schedule.map((p) => toWire(p.cumulative))).toEqual(['34.44', '65.56', '100.00']);
  });

  it('handles a one-day period and a credit (negative) schedule symmetrically', () => {
    expect(straightLineSchedule('10', { start: '2026-02-28', end: '2026-02-28' }).map((p) => toWire(p.amount))).toEqual(
      ['10.00'],
    );
    expect(
      straightLineSchedule('-100.00', { start: '2026-01-01', end: '2026-03-31' }).map((p) => toWire(p.amount)),
    ).toEqual(['-34.44', '-31.12', '-34.44']);
  });

  it('recognises to a date, inclusive of that day', () => {
    const service = { start: '2026-01-01', end: '2026-12-31' };
    expect(toWire(recognisedToDate('3650', service, '2025-12-31'))).toBe('0.00');
    expect(toWire(recognisedToDate('3650', service, '2026-01-01'))).toBe('10.00');
    expect(toWire(recognisedToDate('3650', service, '2026-06-30'))).toBe('1810.00');
    expect(toWire(recognisedToDate('3650', service, '2027-05-01'))).toBe('3650.00');
  });

  it('reports deferred revenue when billed ahead, unbilled when recognised ahead', () => {
    const service = { start: '2026-01-01', end: '2026-12-31' };
    const upfront = revenueBalances('3650', service, '3650', '2026-03-31'); // 90 days recognised
    expect([toWire(upfront.recognised), toWire(upfront.deferred), toWire(upfront.unbilled)]).toEqual([
      '900.00',
      '2750.00',
      '0.00',
    ]);
    const arrears = revenueBalances('3650', service, '0', '2026-03-31');
    expect([toWire(arrears.deferred), toWire(arrears.unbilled)]).toEqual(['0.00', '900.00']);
  });
});
