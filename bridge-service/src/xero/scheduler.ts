import { systemClock, type Clock } from '../lib/clock';
import { LedgerlineError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { parseRetryAfter } from '../lib/retry';
import { defaultObserve, headerReader, intHeader, SlidingWindow, type RateObservation } from './rate-window';

export { defaultObserve, type RateObservation } from './rate-window';

/** Xero's published limits (per tenant per app, and per app), plus the window lengths for scaled clocks. */
export interface XeroLimits {
  tenantConcurrency: number;
  tenantPerMinute: number;
  tenantPerDay: number;
  appPerMinute: number;
  minuteMs: number;
  dayMs: number;
  /**
   * Extra time before a call leaves a window, covering the gap between our send time and Xero's receive
   * time. Default 1 % of the minute (0.6 s), so a backlog drains at 60 calls per 60.6 s.
   */
  marginMs: number;
}

export const XERO_LIMITS: XeroLimits = {
  tenantConcurrency: 5,
  tenantPerMinute: 60,
  tenantPerDay: 5_000,
  appPerMinute: 10_000,
  minuteMs: 60_000,
  dayMs: 86_400_000,
  marginMs: 600,
};

export type SchedulerEvent =
  | { type: 'call'; tenantId: string; status: number | undefined; waitedMs: number }
  | { type: 'rate_limited'; tenantId: string; problem: string | undefined; retryAfterMs: number };

export interface TenantSnapshot {
  tenantId: string;
  inFlight: number;
  queued: number;
  usedLastMinute: number;
  usedLastDay: number;
  pausedUntil: number | null;
}

export interface XeroSchedulerOptions {
  limits?: Partial<XeroLimits>;
  clock?: Clock;
  /** Finds status + headers on a call's outcome. Default: xero-node results (`response.headers`) and errors with `status`/`headers`. */
  observe?: (outcome: unknown) => RateObservation | undefined;
  onEvent?: (event: SchedulerEvent) => void;
  logger?: Pick<Logger, 'warn' | 'debug'>;
}

/** The scheduler was closed before a queued call could start. */
export class SchedulerClosedError extends LedgerlineError {
  constructor() {
    super('SCHEDULER_CLOSED', 'Xero call cancelled: the scheduler is shutting down');
  }
}

interface Task {
  call: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  enqueuedAt: number;
}

interface TenantState {
  id: string;
  queue: Task[];
  inFlight: number;
  minute: SlidingWindow;
  day: SlidingWindow;
  pausedUntil: number;
  timerAt: number | undefined;
}

/**
 * Paces Xero Accounting calls per tenant: at most 5 in flight, 60 per rolling minute and 5,000 per rolling
 * day, and 10,000 per minute across the app. It runs at those limits, not below them: a backlog drains at
 * 60 calls a minute. Remaining-count headers on every response (X-MinLimit-Remaining, X-DayLimit-Remaining,
 * X-AppMinLimit-Remaining) correct its counts when something else used the quota (another process, a
 * restart), and a 429 pauses the tenant (or the app) for Retry-After. Calls for one tenant start in FIFO order.
 *
 * Hand-written on purpose: the queue libraries (p-queue, bottleneck) count a call when it starts and cannot take
 * corrections from Xero's remaining-count headers or pause one tenant or the whole app by the 429's problem.
 */
export class XeroScheduler {
  readonly limits: XeroLimits;
  private readonly clock: Clock;
  private readonly observeFn: (outcome: unknown) => RateObservation | undefined;
  private readonly onEvent: ((event: SchedulerEvent) => void) | undefined;
  private readonly log: Pick<Logger, 'warn' | 'debug'> | undefined;
  private readonly tenants = new Map<string, TenantState>();
  private readonly app: SlidingWindow;
  private appPausedUntil = 0;
  private closed = false;
  private readonly timers = new AbortController();
  private idleWaiters: (() => void)[] = [];

  constructor(opts: XeroSchedulerOptions = {}) {
    const limits = { ...XERO_LIMITS, ...opts.limits };
    if (opts.limits?.minuteMs !== undefined && opts.limits.marginMs === undefined) {
      limits.marginMs = limits.minuteMs / 100;
    }
    this.limits = limits;
    this.clock = opts.clock ?? systemClock;
    this.observeFn = opts.observe ?? defaultObserve;
    this.onEvent = opts.onEvent;
    this.log = opts.logger;
    this.app = new SlidingWindow(limits.minuteMs + limits.marginMs);
  }

  /** Runs `call` for `tenantId` as soon as every limit allows; resolves or rejects with its outcome. */
  schedule<T>(tenantId: string, call: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new SchedulerClosedError());
    const tenant = this.tenant(tenantId);
    return new Promise<T>((resolve, reject) => {
      tenant.queue.push({
        call,
        resolve: resolve as (value: unknown) => void,
        reject,
        enqueuedAt: this.clock.now(),
      });
      this.pump(tenant);
    });
  }

  snapshot(tenantId: string): TenantSnapshot {
    const t = this.tenant(tenantId);
    const now = this.clock.now();
    return {
      tenantId,
      inFlight: t.inFlight,
      queued: t.queue.length,
      usedLastMinute: t.minute.count(now),
      usedLastDay: t.day.count(now),
      pausedUntil: t.pausedUntil > now ? t.pausedUntil : null,
    };
  }

  snapshots(): TenantSnapshot[] {
    return [...this.tenants.keys()].map((id) => this.snapshot(id));
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops accepting calls, rejects queued ones with SchedulerClosedError and waits for in-flight calls. */
  async close(): Promise<void> {
    this.closed = true;
    this.timers.abort();
    for (const tenant of this.tenants.values()) {
      for (const task of tenant.queue.splice(0)) task.reject(new SchedulerClosedError());
    }
    await this.idle();
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────────

  private tenant(id: string): TenantState {
    let t = this.tenants.get(id);
    if (!t) {
      const { minuteMs, dayMs, marginMs } = this.limits;
      t = {
        id,
        queue: [],
        inFlight: 0,
        minute: new SlidingWindow(minuteMs + marginMs),
        day: new SlidingWindow(dayMs + marginMs),
        pausedUntil: 0,
        timerAt: undefined,
      };
      this.tenants.set(id, t);
    }
    return t;
  }

  /** When the tenant's next call may start; Infinity means "when a call in flight finishes". */
  private readyAt(t: TenantState, now: number): number {
    if (t.inFlight >= this.limits.tenantConcurrency) return Number.POSITIVE_INFINITY;
    return Math.max(
      now,
      t.pausedUntil,
      this.appPausedUntil,
      t.minute.availableAt(now, this.limits.tenantPerMinute),
      t.day.availableAt(now, this.limits.tenantPerDay),
      this.app.availableAt(now, this.limits.appPerMinute),
    );
  }

  private pump(t: TenantState): void {
    while (t.queue.length > 0) {
      const now = this.clock.now();
      const at = this.readyAt(t, now);
      if (at > now) {
        if (Number.isFinite(at)) this.wakeAt(t, at, now);
        return;
      }
      this.start(t, t.queue.shift()!, now);
    }
  }

  private wakeAt(t: TenantState, at: number, now: number): void {
    if (t.timerAt !== undefined && t.timerAt <= at) return;
    t.timerAt = at;
    void this.clock.sleep(at - now, this.timers.signal).then(() => {
      if (t.timerAt === at) t.timerAt = undefined;
      if (!this.closed) this.pump(t);
    });
  }

  private start(t: TenantState, task: Task, now: number): void {
    t.inFlight += 1;
    t.minute.begin();
    t.day.begin();
    this.app.begin();
    const waitedMs = now - task.enqueuedAt;
    let outcome: unknown;
    let ok = false;
    // Called synchronously, so the request leaves as close as possible to the time counted above.
    let running: Promise<unknown>;
    try {
      running = Promise.resolve(task.call());
    } catch (err) {
      running = Promise.reject(err);
    }
    running
      .then(
        (value) => {
          outcome = value;
          ok = true;
        },
        (err: unknown) => {
          outcome = err;
        },
      )
      .then(() => {
        const finishedAt = this.clock.now();
        t.minute.end(finishedAt);
        t.day.end(finishedAt);
        this.app.end(finishedAt);
        try {
          this.observe(t, outcome, waitedMs);
        } catch (err) {
          this.log?.warn({ err, tenantId: t.id }, 'could not read Xero rate-limit headers');
        }
        t.inFlight -= 1;
        if (ok) task.resolve(outcome);
        else task.reject(outcome);
        // this tenant may start its next call; others may have been waiting on the app-wide window
        this.pump(t);
        for (const other of this.tenants.values()) if (other !== t && other.queue.length > 0) this.pump(other);
        if (this.isIdle()) for (const wake of this.idleWaiters.splice(0)) wake();
      });
  }

  private observe(t: TenantState, outcome: unknown, waitedMs: number): void {
    const obs = this.observeFn(outcome);
    this.onEvent?.({ type: 'call', tenantId: t.id, status: obs?.status, waitedMs });
    if (!obs) return;
    const now = this.clock.now();
    const header = headerReader(obs.headers);

    if (obs.status === 429) {
      const problem = header('x-rate-limit-problem')?.toLowerCase();
      const retryAfterMs = parseRetryAfter(header('retry-after')) ?? this.defaultPause(problem);
      if (problem !== undefined && problem.startsWith('app')) {
        this.appPausedUntil = Math.max(this.appPausedUntil, now + retryAfterMs);
      } else {
        t.pausedUntil = Math.max(t.pausedUntil, now + retryAfterMs);
      }
      this.onEvent?.({ type: 'rate_limited', tenantId: t.id, problem, retryAfterMs });
      this.log?.warn({ tenantId: t.id, problem, retryAfterMs }, 'Xero rate limit hit: pausing');
    }

    // Xero's own counts: if it has seen more calls than we have, count the difference as used now.
    const minute = intHeader(header('x-minlimit-remaining'));
    if (minute !== undefined) this.reconcile(t.minute, this.limits.tenantPerMinute, minute, now, false);
    const day = intHeader(header('x-daylimit-remaining'));
    // Only a quiet tenant may also give back day quota we over-counted (e.g. after a restart).
    if (day !== undefined) this.reconcile(t.day, this.limits.tenantPerDay, day, now, t.inFlight === 1);
    const app = intHeader(header('x-appminlimit-remaining'));
    if (app !== undefined) this.reconcile(this.app, this.limits.appPerMinute, app, now, false);
  }

  private reconcile(window: SlidingWindow, limit: number, remaining: number, now: number, mayRaise: boolean): void {
    const ours = limit - window.count(now);
    const target = Math.min(Math.max(remaining, 0), limit);
    if (target < ours) window.add(now, ours - target);
    else if (mayRaise && target > ours) window.forget(target - ours);
  }

  private defaultPause(problem: string | undefined): number {
    if (problem === 'day') return this.limits.dayMs / 24; // an hour; Xero normally says exactly
    if (problem === 'concurrent') return 1_000;
    return this.limits.minuteMs;
  }

  private isIdle(): boolean {
    for (const t of this.tenants.values()) if (t.inFlight > 0 || t.queue.length > 0) return false;
    return true;
  }
}
