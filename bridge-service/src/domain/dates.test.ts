import {
  addDays,
  addMonths,
  assertIsoDate,
  compareDates,
  daysBetween,
  daysInclusive,
  daysInMonth,
  endOfMonth,
  formatDisplayDate,
  isIsoDate,
  maxDate,
  minDate,
} from './dates';

describe('dates', () => {
  it('counts service periods inclusive of both ends', () => {
    expect(daysInclusive('2026-01-01', '2026-01-01')).toBe(1);
    expect(daysInclusive('2026-01-01', '2026-12-31')).toBe(365);
    expect(daysInclusive('2028-01-01', '2028-12-31')).toBe(366);
    // Revenue Cloud's published monthly example: 2025-03-28 to 2026-02-04 is 314 days inclusive.
    expect(daysInclusive('2025-03-28', '2026-02-04')).toBe(314);
    expect(() => daysInclusive('2026-01-02', '2026-01-01')).toThrow(/ends before it starts/);
  });

  it('adds days and months, clamping month ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
    expect(addMonths('2026-01-15', -2)).toBe('2025-11-15');
    expect(() => addDays('2026-01-01', 1.5)).toThrow(/whole number/);
  });

  it('compares and bounds dates', () => {
    expect(daysBetween('2026-01-01', '2026-03-01')).toBe(59);
    expect(compareDates('2026-01-02', '2026-01-01')).toBeGreaterThan(0);
    expect(maxDate('2026-01-02', '2026-01-01')).toBe('2026-01-02');
    expect(minDate('2026-01-02', '2026-01-01')).toBe('2026-01-01');
    expect(endOfMonth('2028-02-10')).toBe('2028-02-29');
    expect(daysInMonth(2026, 2)).toBe(28);
  });

  it('rejects anything that is not a calendar date', () => {
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-2-1')).toBe(false);
    expect(isIsoDate(20260101)).toBe(false);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(() => assertIsoDate('2026-13-01', 'CloseDate')).toThrow('CloseDate "2026-13-01" is not a calendar date');
  });

  it('knows the length of every month of the Gregorian calendar (against Date, 1600 to 2400)', () => {
    const wrong: string[] = [];
    for (let year = 1600; year <= 2400; year += 1) {
      for (let month = 1; month <= 12; month += 1) {
        const expected = new Date(Date.UTC(year, month, 0)).getUTCDate();
        if (daysInMonth(year, month) !== expected) wrong.push(`${year}-${month}: ${daysInMonth(year, month)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect([daysInMonth(2000, 2), daysInMonth(1900, 2), daysInMonth(2024, 2), daysInMonth(2100, 2)]).toEqual([
      29, 28, 29, 28,
    ]);
  });

  it('answers the same for a date read before, and still refuses a bad one every time', () => {
    for (let i = 0; i < 3; i += 1) {
      expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
      expect(() => compareDates('2026-02-29', '2026-03-01')).toThrow('date "2026-02-29" is not a calendar date');
      expect(() => addDays('2026-1-01', 1)).toThrow('is not an ISO date');
    }
  });

  it('formats dates for finance users', () => {
    expect(formatDisplayDate('2027-01-12')).toBe('12 Jan 2027');
  });
});
