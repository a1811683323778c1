import { stalledWithin, watchStalls } from './stalls';

describe('event-loop stalls (bench/stalls.ts)', () => {
  it('finds a span in which the loop ran nothing, and not the ticks around it', async () => {
    const watch = watchStalls(100);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const blockedUntil = Date.now() + 300;
    while (Date.now() < blockedUntil) {
      // the event loop held, as a long synchronous step holds it
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stalls = watch.stop();
    expect(stalls).toHaveLength(1);
    expect(stalls[0]!.endUs - stalls[0]!.startUs).toBeGreaterThanOrEqual(300_000);
  });

  it('counts only the part of a wait inside the stalls', () => {
    const stalls = [
      { startUs: 100, endUs: 200 },
      { startUs: 300, endUs: 400 },
    ];
    expect(stalledWithin(stalls, 150, 350)).toBe(100);
    expect(stalledWithin(stalls, 0, 1000)).toBe(200);
    expect(stalledWithin(stalls, 200, 300)).toBe(0);
  });
});
