import { toWire } from './money';
import {
  creditNoteSegments,
  lastRevenueDay,
  monthlySchedule,
  monthsBetween,
  recognisedThrough,
  recognisedToDate,
  revenueTotal,
  segmentRecognisedThrough,
  stopSegmentsAfter,
  straightLineSchedule,
  type RevenueSegment,
} from './revenue';

const amounts = (segments: RevenueSegment[], months?: string[]) =>
  monthlySchedule(segments, months).map((m) => `${m.month} ${toWire(m.amount)}`);

describe('revenue', () => {
  describe('by day (the default for subscriptions)', () => {
    it('USD 120 for 15 Jun – 12 Oct 2026 gives 16 / 31 / 31 / 30 / 12 (Stripe by-day example)', () => {
      // Stripe's service runs 15 Jun 12:00 → 13 Oct 12:00 and its by-day convention cuts the last day: 120 days.
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
      expect(
        straightLineSchedule('10', { start: '2026-02-28', end: '2026-02-28' }).map((p) => toWire(p.amount)),
      ).toEqual(['10.00']);
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

    it('counts 366 days in a leap year: 366.00 over 2028 earns 29.00 in February', () => {
      const schedule = monthlySchedule([{ method: 'daily', start: '2028-01-01', end: '2028-12-31', amount: '366.00' }]);
      expect(schedule.map((m) => toWire(m.amount)).slice(0, 3)).toEqual(['31.00', '29.00', '31.00']);
      expect(schedule[11]?.cumulative.toFixed(2)).toBe('366.00');
    });
  });

  describe('by calendar month', () => {
    it('earns a full calendar month as 1/12 of a year: 1,200.00 over 2026 is 100.00 a month, February too', () => {
      const segment: RevenueSegment = { method: 'monthly', start: '2026-01-01', end: '2026-12-31', amount: '1200.00' };
      expect(new Set(monthlySchedule([segment]).map((m) => toWire(m.amount)))).toEqual(new Set(['100.00']));
      // By day: January 1,200 × 31/365 = 101.92, February to 59/365 = 193.97 less January = 92.05.
      expect(amounts([{ ...segment, method: 'daily' }]).slice(0, 2)).toEqual(['2026-01 101.92', '2026-02 92.05']);
    });

    it('weighs part months by their days in that month: 120 over 15 Jun – 12 Oct 2026', () => {
      // Weights: Jun 16/30, Jul–Sep 1 each, Oct 12/31 → total 3.920430…; Jun 120 × 0.53333/3.92043 = 16.3249 → 16.32;
      // to Jul 120 × 1.53333/3.92043 = 46.934 → 46.93 (Jul 30.61); to Aug 77.542 → 77.54; to Sep 108.151 → 108.15.
      const segment: RevenueSegment = { method: 'monthly', start: '2026-06-15', end: '2026-10-12', amount: '120' };
      expect(amounts([segment])).toEqual([
        '2026-06 16.32',
        '2026-07 30.61',
        '2026-08 30.61',
        '2026-09 30.61',
        '2026-10 11.85',
      ]);
    });
  });

  describe('point in time', () => {
    it('recognises everything on the delivery date', () => {
      const setup: RevenueSegment = { method: 'point-in-time', start: '2026-02-15', end: '2026-02-15', amount: '4500' };
      expect(toWire(segmentRecognisedThrough(setup, '2026-02-14'))).toBe('0.00');
      expect(toWire(segmentRecognisedThrough(setup, '2026-02-15'))).toBe('4500.00');
      expect(amounts([setup], monthsBetween('2026-01', '2026-03'))).toEqual([
        '2026-01 0.00',
        '2026-02 4500.00',
        '2026-03 0.00',
      ]);
      expect(() => segmentRecognisedThrough({ ...setup, end: '2026-02-16' }, '2026-03-01')).toThrow(/one date/);
    });
  });

  describe('segments', () => {
    const year: RevenueSegment = { method: 'daily', start: '2026-01-01', end: '2026-12-31', amount: '3650.00' };

    it('stops a segment after a day without moving a cent of the months before', () => {
      const before = monthlySchedule([year]).slice(0, 6);
      const stopped = stopSegmentsAfter([year], '2026-06-14');
      expect(monthlySchedule(stopped).slice(0, 5)).toEqual(before.slice(0, 5));
      // June earns its first 14 days only: 140.00; nothing after.
      expect(amounts(stopped).slice(5)).toEqual([
        '2026-06 140.00',
        ...monthsBetween('2026-07', '2026-12').map((m) => `${m} 0.00`),
      ]);
      expect(toWire(revenueTotal(stopped))).toBe('1650.00');
      expect(lastRevenueDay(stopped)).toBe('2026-06-14');
      // A segment that had not started is dropped.
      expect(stopSegmentsAfter([{ ...year, start: '2026-07-01' }], '2026-06-30')).toEqual([]);
    });

    it('sums several segments month by month', () => {
      const extra: RevenueSegment = { method: 'daily', start: '2026-07-01', end: '2026-12-31', amount: '1840.00' };
      expect(toWire(recognisedThrough([year, extra], '2026-07-31'))).toBe('2430.00'); // 2,120 + 310
    });
  });

  describe('credit notes for a concession', () => {
    const service = { start: '2026-01-01', end: '2026-12-31' };

    it('takes the part for delivered service on its date and spreads the rest over what remains', () => {
      // 300.00 credited on 1 Apr for the year: Jan–Mar is 90 of 365 days, 300 × 90/365 = 73.97 at once,
      // the other 226.03 over 1 Apr – 31 Dec.
      expect(creditNoteSegments({ amount: '300', date: '2026-04-01', servicePeriod: service })).toEqual([
        { method: 'point-in-time', start: '2026-04-01', end: '2026-04-01', amount: '-73.97' },
        { method: 'daily', start: '2026-04-01', end: '2026-12-31', amount: '-226.03' },
      ]);
    });

    it('is taken at once for past service, and over the period for service not yet started', () => {
      expect(creditNoteSegments({ amount: '50', date: '2027-01-10', servicePeriod: service })).toEqual([
        { method: 'point-in-time', start: '2027-01-10', end: '2027-01-10', amount: '-50.00' },
      ]);
      expect(creditNoteSegments({ amount: '50', date: '2025-12-01', servicePeriod: service })).toEqual([
        { method: 'daily', start: '2026-01-01', end: '2026-12-31', amount: '-50.00' },
      ]);
      expect(creditNoteSegments({ amount: '50', date: '2026-03-01' })).toEqual([
        { method: 'point-in-time', start: '2026-03-01', end: '2026-03-01', amount: '-50.00' },
      ]);
      expect(() => creditNoteSegments({ amount: '0', date: '2026-03-01' })).toThrow(/positive/);
    });
  });
});
