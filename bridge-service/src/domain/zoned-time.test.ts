import { dateInZone, instalmentDueAt, instantInZone, isTimeZone } from './zoned-time';

describe('dates in a billing entity’s time zone', () => {
  it('raises an instalment at 06:00 local time on its issue date, in winter and in summer', () => {
    expect(new Date(instalmentDueAt('2027-01-01', 'Europe/London')).toISOString()).toBe('2027-01-01T06:00:00.000Z');
    expect(new Date(instalmentDueAt('2026-07-01', 'Europe/London')).toISOString()).toBe('2026-07-01T05:00:00.000Z');
    expect(new Date(instalmentDueAt('2026-07-01', 'America/New_York')).toISOString()).toBe('2026-07-01T10:00:00.000Z');
    expect(new Date(instalmentDueAt('2026-01-01', 'Pacific/Auckland')).toISOString()).toBe('2025-12-31T17:00:00.000Z');
    expect(new Date(instalmentDueAt('2026-01-01', 'UTC')).toISOString()).toBe('2026-01-01T06:00:00.000Z');
  });

  it('on the days the clocks change', () => {
    // London springs forward at 01:00 GMT on 29 Mar 2026 and falls back at 01:00 GMT on 25 Oct 2026.
    expect(new Date(instalmentDueAt('2026-03-29', 'Europe/London')).toISOString()).toBe('2026-03-29T05:00:00.000Z');
    expect(new Date(instalmentDueAt('2026-10-25', 'Europe/London')).toISOString()).toBe('2026-10-25T06:00:00.000Z');
    // 01:30 does not exist in London on 29 Mar 2026: the first instant after the gap.
    expect(new Date(instantInZone('2026-03-29', 1, 'Europe/London')).toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });

  it('says which day it is in the entity', () => {
    const instant = Date.parse('2026-12-31T23:30:00Z');
    expect(dateInZone(instant, 'Europe/London')).toBe('2026-12-31');
    expect(dateInZone(instant, 'Europe/Amsterdam')).toBe('2027-01-01');
    expect(dateInZone(instant, 'America/New_York')).toBe('2026-12-31');
    expect(dateInZone(instalmentDueAt('2027-03-15', 'Australia/Sydney'), 'Australia/Sydney')).toBe('2027-03-15');
  });

  it('knows a time zone from a typo', () => {
    expect(isTimeZone('Europe/Amsterdam')).toBe(true);
    expect(isTimeZone('Europe/Amsterdm')).toBe(false);
    expect(() => instalmentDueAt('2026-01-01', 'Mars/Olympus')).toThrow(/not a time zone/);
  });
});
