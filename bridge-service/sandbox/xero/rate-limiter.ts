import type { Clock } from '../shared/clock';

export type RateLimitProblem = 'minute' | 'day' | 'concurrent' | 'appminute';

export interface RateLimitSettings {
  enabled: boolean;
  concurrent: number;
  perMinute: number;
  perDay: number;
  appPerMinute: number;
}

/** Xero's published limits (reference §3). */
export const XERO_LIMITS: RateLimitSettings = {
  enabled: true,
  concurrent: 5,
  perMinute: 60,
  perDay: 5000,
  appPerMinute: 10000,
};

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Timestamps of accepted calls inside a rolling window, oldest first. */
class Window {
  private stamps: number[] = [];
  private head = 0;

  constructor(private readonly span: number) {}

  count(now: number): number {
    while (this.head < this.stamps.length && (this.stamps[this.head] as number) <= now - this.span) this.head++;
    if (this.head > 1024 && this.head * 2 > this.stamps.length) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
    return this.stamps.length - this.head;
  }

  add(now: number): void {
    this.stamps.push(now);
  }

  /** Emulated ms until the oldest call leaves the window. */
  waitMs(now: number): number {
    const oldest = this.stamps[this.head];
    return oldest === undefined ? 0 : Math.max(0, oldest + this.span - now);
  }

  clear(): void {
    this.stamps = [];
    this.head = 0;
  }
}

interface TenantLimits {
  inFlight: number;
  peakInFlight: number;
  minute: Window;
  day: Window;
}

export type Admission =
  | { ok: true; release: () => void; headers: Record<string, string>; at: number }
  | { ok: false; problem: RateLimitProblem; retryAfterSeconds: number; headers: Record<string, string> };

/**
 * Per-tenant (5 in flight, 60/min, 5,000/day) and app-wide (10,000/min) limits. Windows are rolling in
 * emulated time; only accepted calls count. Forced breaches let tests see each 429 on demand.
 */
export class RateLimiter {
  settings: RateLimitSettings;
  private readonly tenants = new Map<string, TenantLimits>();
  private readonly app = new Window(MINUTE);
  private forced: { problem: RateLimitProblem; remaining: number; tenantId?: string }[] = [];

  constructor(
    private readonly clock: Clock,
    settings: Partial<RateLimitSettings> = {},
  ) {
    this.settings = { ...XERO_LIMITS, ...settings };
  }

  private limits(tenantId: string): TenantLimits {
    let limits = this.tenants.get(tenantId);
    if (!limits) {
      limits = { inFlight: 0, peakInFlight: 0, minute: new Window(MINUTE), day: new Window(DAY) };
      this.tenants.set(tenantId, limits);
    }
    return limits;
  }

  /** The X-*-Remaining headers as they stand now. */
  headers(tenantId: string | undefined): Record<string, string> {
    const now = this.clock.now();
    const s = this.settings;
    const out: Record<string, string> = {
      'X-AppMinLimit-Remaining': String(Math.max(0, s.appPerMinute - this.app.count(now))),
    };
    if (tenantId !== undefined) {
      const t = this.limits(tenantId);
      out['X-MinLimit-Remaining'] = String(Math.max(0, s.perMinute - t.minute.count(now)));
      out['X-DayLimit-Remaining'] = String(Math.max(0, s.perDay - t.day.count(now)));
    } else {
      out['X-MinLimit-Remaining'] = String(s.perMinute);
      out['X-DayLimit-Remaining'] = String(s.perDay);
    }
    return out;
  }

  admit(tenantId: string): Admission {
    const now = this.clock.now();
    const s = this.settings;
    const t = this.limits(tenantId);
    const forcedIndex = this.forced.findIndex(
      (f) => f.remaining > 0 && (f.tenantId === undefined || f.tenantId === tenantId),
    );
    if (forcedIndex >= 0) {
      const forced = this.forced[forcedIndex] as (typeof this.forced)[number];
      forced.remaining--;
      if (forced.remaining === 0) this.forced.splice(forcedIndex, 1);
      const retry = forced.problem === 'day' ? 3600 : forced.problem === 'concurrent' ? 1 : 60;
      return { ok: false, problem: forced.problem, retryAfterSeconds: retry, headers: this.headers(tenantId) };
    }
    if (s.enabled) {
      const reject = (problem: RateLimitProblem, waitMs: number): Admission => ({
        ok: false,
        problem,
        retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
        headers: this.headers(tenantId),
      });
      if (t.day.count(now) >= s.perDay) return reject('day', t.day.waitMs(now));
      if (this.app.count(now) >= s.appPerMinute) return reject('appminute', this.app.waitMs(now));
      if (t.minute.count(now) >= s.perMinute) return reject('minute', t.minute.waitMs(now));
      if (t.inFlight >= s.concurrent) return reject('concurrent', 1000);
    }
    t.inFlight++;
    t.peakInFlight = Math.max(t.peakInFlight, t.inFlight);
    t.minute.add(now);
    t.day.add(now);
    this.app.add(now);
    let released = false;
    return {
      ok: true,
      at: now,
      headers: this.headers(tenantId),
      release: () => {
        if (released) return;
        released = true;
        t.inFlight--;
      },
    };
  }

  inFlight(tenantId: string): number {
    return this.tenants.get(tenantId)?.inFlight ?? 0;
  }

  /** Most calls this tenant ever had in flight at once (since the last reset). */
  peakInFlight(tenantId: string): number {
    return this.tenants.get(tenantId)?.peakInFlight ?? 0;
  }

  /** The next `count` calls (optionally for one tenant) get a 429 for `problem`. */
  force(problem: RateLimitProblem, count = 1, tenantId?: string): void {
    this.forced.push({ problem, remaining: count, tenantId });
  }

  /** Forgets counted calls (in-flight calls stay counted until they finish). */
  reset(): void {
    for (const t of this.tenants.values()) {
      t.peakInFlight = t.inFlight;
      t.minute.clear();
      t.day.clear();
    }
    this.app.clear();
    this.forced = [];
  }
}
