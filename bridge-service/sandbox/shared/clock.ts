/**
 * Time source for the sandbox emulators. Emulators read time only through a Clock so that tests can
 * freeze it, jump it forward, or run it faster than real time (a "minute" of 600 ms at scale 100).
 */
export interface Clock {
  /** Current time in epoch milliseconds, as the emulated service sees it. */
  now(): number;
}

/** Wall-clock time. */
export const systemClock: Clock = { now: () => Date.now() };

export interface ScaledClockOptions {
  /** Emulated epoch ms at construction (default: real now). */
  start?: number;
  /** Emulated ms per real ms (default 1; 0 freezes time so only advance() moves it). */
  scale?: number;
  /** Real time source, injectable for tests of the clock itself. */
  realNow?: () => number;
}

/** A clock that can be frozen, advanced and sped up. */
export class ScaledClock implements Clock {
  private anchorReal: number;
  private anchorEmulated: number;
  private currentScale: number;
  private readonly realNow: () => number;

  constructor(options: ScaledClockOptions = {}) {
    this.realNow = options.realNow ?? (() => Date.now());
    this.anchorReal = this.realNow();
    this.anchorEmulated = options.start ?? this.anchorReal;
    this.currentScale = checkScale(options.scale ?? 1);
  }

  now(): number {
    return Math.floor(this.anchorEmulated + (this.realNow() - this.anchorReal) * this.currentScale);
  }

  get scale(): number {
    return this.currentScale;
  }

  /** Changes the speed from now on; time already elapsed is kept. */
  setScale(scale: number): void {
    this.reanchor();
    this.currentScale = checkScale(scale);
  }

  /** Jumps emulated time forward by `ms`. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(${ms}): need a finite ms >= 0`);
    this.reanchor();
    this.anchorEmulated += ms;
  }

  /** Sets emulated time; it may not go backwards, because rolling windows assume monotonic time. */
  set(epochMs: number): void {
    const current = this.now();
    if (epochMs < current) throw new RangeError('the clock cannot go backwards');
    this.advance(epochMs - current);
  }

  /** Real milliseconds until `emulatedMs` have passed (Infinity when the clock is frozen). */
  toRealMs(emulatedMs: number): number {
    if (this.currentScale === 0) return Number.POSITIVE_INFINITY;
    return emulatedMs / this.currentScale;
  }

  private reanchor(): void {
    this.anchorEmulated = this.now();
    this.anchorReal = this.realNow();
  }
}

function checkScale(scale: number): number {
  if (!Number.isFinite(scale) || scale < 0) throw new RangeError(`scale ${scale}: need a finite number >= 0`);
  return scale;
}

/** Real ms until `emulatedMs` pass on `clock`: exact for a ScaledClock, 1:1 for any other clock. */
export function realDelay(clock: Clock, emulatedMs: number): number {
  return clock instanceof ScaledClock ? clock.toRealMs(emulatedMs) : emulatedMs;
}

/**
 * The bridge's view of an emulated clock (its `Clock` has `sleep` too): the same time as the emulators, and a sleep
 * that ends once that much emulated time has passed, however it passed: at the clock's speed, or at once when a test
 * or the demo jumps it forward (checked every `checkMs` real milliseconds). So a bridge sleeping until its next poll
 * wakes when the sandbox's calendar moves on.
 */
export function bridgeClockOf(
  clock: ScaledClock,
  checkMs = 20,
): { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> } {
  return {
    now: () => clock.now(),
    sleep(ms, signal) {
      const until = clock.now() + Math.max(0, ms);
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        let timer: NodeJS.Timeout | undefined;
        const done = () => {
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const check = () => {
          const left = until - clock.now();
          if (left <= 0) return done();
          timer = setTimeout(check, Math.max(1, Math.min(checkMs, realDelay(clock, left))));
        };
        signal?.addEventListener('abort', done, { once: true });
        check();
      });
    },
  };
}
