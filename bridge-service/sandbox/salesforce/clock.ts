/** Time source for everything that expires (tokens, event retention, daily limits), so tests can move time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests drive by hand: starts at `start` and only moves when told. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: number | Date = Date.UTC(2026, 0, 15, 9, 0, 0)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number | Date): void {
    this.current = typeof ms === 'number' ? ms : ms.getTime();
  }
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
