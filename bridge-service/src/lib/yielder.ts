/**
 * Long CPU loops (planning a thousand deals, assembling what they read) hand the event loop back every few
 * milliseconds, so webhooks, the other worker loops and /ready are not held for the whole loop.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';

/** Most milliseconds a loop runs before it lets the event loop turn. */
export const CPU_SLICE_MS = 10;

/** Call `pause()` between items: it yields once CPU_SLICE_MS has passed since the last turn, else returns at once. */
export function createYielder(sliceMs = CPU_SLICE_MS, now: () => number = () => performance.now()) {
  let since = now();
  return {
    async pause(): Promise<void> {
      if (now() - since < sliceMs) return;
      await setImmediate();
      since = now();
    },
  };
}
