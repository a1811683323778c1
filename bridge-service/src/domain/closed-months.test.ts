import { closesAsKnown, firstOpenDayAsOf, revenueEffectiveDate, type PostedClose } from './closed-months';

// UK_Ltd's closes in the month-end end-to-end test: March posted on 2 April, April on 1 May.
const closes: PostedClose[] = [
  { month: '2026-02', postedOn: '2026-03-01' },
  { month: '2026-03', postedOn: '2026-04-02' },
  { month: '2026-04', postedOn: '2026-05-01' },
];

describe('closed months and late changes', () => {
  it('the first open day as of a date is the day after the last month closed on or before it', () => {
    expect(firstOpenDayAsOf(closes, '2026-02-28')).toBeUndefined();
    expect(firstOpenDayAsOf(closes, '2026-03-01')).toBe('2026-03-01');
    expect(firstOpenDayAsOf(closes, '2026-04-01')).toBe('2026-03-01');
    // a close posted on the signing day counts as posted first
    expect(firstOpenDayAsOf(closes, '2026-04-02')).toBe('2026-04-01');
    expect(firstOpenDayAsOf(closes, '2026-04-10')).toBe('2026-04-01');
    expect(firstOpenDayAsOf(closes, '2026-06-15')).toBe('2026-05-01');
    // in any order; a month closed late (out of order) still counts from its posting
    expect(firstOpenDayAsOf([...closes].reverse(), '2026-04-10')).toBe('2026-04-01');
    expect(firstOpenDayAsOf([{ month: '2025-12', postedOn: '2026-01-02' }], '2026-01-01')).toBeUndefined();
    expect(firstOpenDayAsOf([{ month: '2025-12', postedOn: '2026-01-02' }], '2026-01-02')).toBe('2026-01-01');
  });

  it('a change takes effect for revenue from max(its effective date, the first open day when it was signed), whatever closes later', () => {
    // 8 → 6 seats signed on 10 April, backdated to 15 March (closed on 2 April): from 1 April, in April and for ever.
    expect(revenueEffectiveDate(closes.slice(0, 2), '2026-03-15', '2026-04-10')).toBe('2026-04-01');
    expect(revenueEffectiveDate(closes, '2026-03-15', '2026-04-10')).toBe('2026-04-01');
    // signed on 1 April, before March's close was posted: March's figures could still take it, so its own date
    expect(revenueEffectiveDate(closes, '2026-03-15', '2026-04-01')).toBe('2026-03-15');
    // effective in an open month: its own date
    expect(revenueEffectiveDate(closes, '2026-04-20', '2026-04-10')).toBe('2026-04-20');
    expect(revenueEffectiveDate([], '2026-03-15', '2026-04-10')).toBe('2026-03-15');
  });

  it('a Closed month with no posted close yet counts as closed today; a posted close names its own day', () => {
    expect(closesAsKnown(closes.slice(0, 2), '2026-04', '2026-05-01')).toEqual([
      ...closes.slice(0, 2),
      { month: '2026-04', postedOn: '2026-05-01' },
    ]);
    expect(closesAsKnown(closes, '2026-04', '2026-05-20')).toEqual(closes);
    expect(closesAsKnown([], undefined, '2026-05-20')).toEqual([]);
  });
});
