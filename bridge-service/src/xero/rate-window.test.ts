import { SlidingWindow } from './rate-window';

describe('SlidingWindow', () => {
  function window() {
    const w = new SlidingWindow(60_000);
    w.add(1_000);
    w.add(2_000, 2);
    w.begin(); // a call still running
    return w;
  }

  it('counts, at a later moment, the calls of now that have not left the window yet (running ones always)', () => {
    const w = window();
    expect(w.count(5_000)).toBe(4);
    expect(w.countAt(5_000, 60_999)).toBe(4);
    expect(w.countAt(5_000, 61_000)).toBe(3); // the call that ended at 1 s leaves at 61 s
    expect(w.countAt(5_000, 62_000)).toBe(1);
    expect(w.countAt(5_000, 1_000_000)).toBe(1);
  });

  it('says when each finished call leaves, soonest first, and forgets those already gone', () => {
    const w = window();
    expect(w.leavesAt(5_000)).toEqual([61_000, 62_000]);
    expect(w.leavesAt(61_500)).toEqual([62_000]);
  });

  it('finds the earliest moment one more call fits under a limit', () => {
    const w = window();
    expect(w.availableAt(5_000, 5)).toBe(5_000);
    expect(w.availableAt(5_000, 4)).toBe(61_000);
    expect(w.availableAt(5_000, 1)).toBe(Number.POSITIVE_INFINITY); // only the running call's end can free room
  });
});
