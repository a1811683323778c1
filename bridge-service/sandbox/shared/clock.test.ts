import { realDelay, ScaledClock, systemClock } from './clock';

describe('ScaledClock', () => {
  it('runs at the given speed from its start time', () => {
    let real = 1_000;
    const clock = new ScaledClock({ start: 50_000, scale: 100, realNow: () => real });
    expect(clock.now()).toBe(50_000);
    real += 600;
    expect(clock.now()).toBe(110_000);
    expect(clock.toRealMs(60_000)).toBe(600);
    expect(realDelay(clock, 60_000)).toBe(600);
  });

  it('freezes at scale 0, jumps with advance() and set(), and never goes backwards', () => {
    let real = 0;
    const clock = new ScaledClock({ start: 1_000, scale: 0, realNow: () => real });
    real += 10_000;
    expect(clock.now()).toBe(1_000);
    clock.advance(500);
    expect(clock.now()).toBe(1_500);
    clock.set(5_000);
    expect(clock.now()).toBe(5_000);
    expect(() => clock.set(4_000)).toThrow(/backwards/);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(clock.toRealMs(1)).toBe(Number.POSITIVE_INFINITY);
  });

  it('keeps elapsed time when the speed changes', () => {
    let real = 0;
    const clock = new ScaledClock({ start: 0, scale: 1, realNow: () => real });
    real = 100;
    clock.setScale(10);
    expect(clock.now()).toBe(100);
    real = 110;
    expect(clock.now()).toBe(200);
    expect(() => clock.setScale(-2)).toThrow(RangeError);
  });

  it('treats any other clock as real time', () => {
    expect(realDelay(systemClock, 250)).toBe(250);
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(50);
  });
});
