/**
 * Event-loop stalls: spans in which the bench process (the bridge and both emulators share it) ran no timer for
 * longer than a threshold. A stall holds up everything in the process at once: a payment's read and write, and the
 * bench's own look for its row. Times are the monotonic clock in µs, the clock a CPU profile's samples are on
 * (bench/profile.ts `split`), so a profile can say what ran during them.
 */
export interface Stall {
  startUs: number;
  endUs: number;
}

/** Monotonic µs now (the stalls' and a CPU profile's clock). */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Watches with a timer every `tickMs`; a gap over `thresholdMs` between ticks is a stall. */
export function watchStalls(thresholdMs: number, tickMs = 10): { stop: () => Stall[] } {
  const stalls: Stall[] = [];
  let last = monotonicUs();
  const timer = setInterval(() => {
    const now = monotonicUs();
    if (now - last > thresholdMs * 1000) stalls.push({ startUs: last, endUs: now });
    last = now;
  }, tickMs);
  return {
    stop: () => {
      clearInterval(timer);
      return stalls;
    },
  };
}

/** µs of `[fromUs, toUs]` spent inside the stalls (sorted, not overlapping, as watchStalls records them). */
export function stalledWithin(stalls: readonly Stall[], fromUs: number, toUs: number): number {
  let us = 0;
  for (const s of stalls) us += Math.max(0, Math.min(s.endUs, toUs) - Math.max(s.startUs, fromUs));
  return us;
}
