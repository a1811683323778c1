import { advanceWatermark } from './watermarks';

describe('watermarks', () => {
  it('never skips a record that shares the watermark timestamp, and never repeats one', () => {
    const first = advanceWatermark(null, [
      { id: 'a', updatedAt: 1000 },
      { id: 'b', updatedAt: 2000 },
    ]);
    expect(first.next).toEqual({ at: 2000, idsAtTimestamp: ['b'] });
    // re-poll from 2000: b again, plus c which landed at the same millisecond after the first poll
    const second = advanceWatermark(first.next, [
      { id: 'b', updatedAt: 2000 },
      { id: 'c', updatedAt: 2000 },
    ]);
    expect(second.fresh.map((r) => r.id)).toEqual(['c']);
    expect(second.next).toEqual({ at: 2000, idsAtTimestamp: ['b', 'c'] });
    const third = advanceWatermark(second.next, [
      { id: 'b', updatedAt: 2000 },
      { id: 'c', updatedAt: 2000 },
      { id: 'b', updatedAt: 3000 },
    ]);
    expect(third.fresh).toEqual([{ id: 'b', updatedAt: 3000 }]);
    expect(third.next).toEqual({ at: 3000, idsAtTimestamp: ['b'] });
    expect(advanceWatermark(third.next, [{ id: 'b', updatedAt: 3000 }])).toEqual({ fresh: [], next: third.next });
  });
});
