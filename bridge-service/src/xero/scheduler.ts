import { systemClock, type Clock } from '../lib/clock';
import { LedgerlineError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { parseRetryAfter } from '../lib/retry';
import type { PermitDecision, RateBucketPolicy, RateLimitRepository } from '../store/types';
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
  /** The gap the tenant's next backlog call would keep now (see CallLane). */
  backlogSpacingMs: number;
}

/**
 * The rate-limit state shared by every bridge process on the store (store.rateLimits), so that N replicas together
 * keep one tenant's limits. Buckets are keyed by the Xero app, as Xero keys its limits.
 */
export interface SharedRateLimits {
  repository: Pick<
    RateLimitRepository,
    'acquirePermit' | 'renewPermits' | 'releasePermit' | 'pauseBucket' | 'recordRemaining'
  >;
  /** The Xero app's client id. */
  appId: string;
  /** This process (Config.instanceId): the permits' owner. */
  owner: string;
  /**
   * How long a permit counts as in flight if its holder dies. The scheduler renews the permits of its running calls
   * every third of it, so a long call keeps its slot and a dead process's slots free up within this time.
   */
  permitLeaseMs: number;
  /** While the tenant is at its concurrency limit elsewhere, how often to ask again. Default 250 ms. */
  concurrencyPollMs?: number;
  /** How often Xero's remaining-count headers are written to the store (sooner when few calls are left). Default 5 s. */
  remainingEveryMs?: number;
}

export interface XeroSchedulerOptions {
  limits?: Partial<XeroLimits>;
  /** Shared with other processes through the store; without it the limits are this process's alone. */
  shared?: SharedRateLimits;
  clock?: Clock;
  /** Finds status + headers on a call's outcome. Default: xero-node results (`response.headers`) and errors with `status`/`headers`. */
  observe?: (outcome: unknown) => RateObservation | undefined;
  onEvent?: (event: SchedulerEvent) => void;
  logger?: Pick<Logger, 'warn' | 'debug'>;
}

/**
 * Why a tenant's next call must wait for long (see XeroScheduler.longWait): Xero paused the tenant (`paused`) or the
 * app (`app-paused`) with a 429; the store holds it back for another replica's 429 (`shared-paused`) or for the
 * limits every replica's calls used up together (`shared-limit`); or its rolling day of 5,000 calls is used up, as
 * Xero's X-DayLimit-Remaining said (`day-limit`: the scheduler stops there, before Xero's 429).
 */
export type LongWaitReason = 'paused' | 'app-paused' | 'shared-paused' | 'shared-limit' | 'day-limit';

export interface LongWait {
  /** When the tenant's next call may start, as far as the lasting reasons go. */
  until: number;
  waitMs: number;
  reason: LongWaitReason;
}

/**
 * A call not started: it would have waited longer than its `maxWaitMs` (scheduled with one). Queued for that long it
 * would hold its caller (a job, its batch, the worker loop: other tenants' work); refused, the caller can try again
 * after `retryAfterMs`.
 */
export class TenantWaitTooLong extends LedgerlineError {
  readonly retryAfterMs: number;
  constructor(
    readonly tenantId: string,
    readonly wait: LongWait,
  ) {
    super(
      'XERO_TENANT_WAIT',
      `Xero call not made: tenant ${tenantId} must wait ${Math.ceil(wait.waitMs / 1000)} s (${wait.reason})`,
    );
    this.retryAfterMs = wait.waitMs;
  }
}

/** The scheduler was closed before a queued call could start. */
export class SchedulerClosedError extends LedgerlineError {
  constructor() {
    super('SCHEDULER_CLOSED', 'Xero call cancelled: the scheduler is shutting down');
  }
}

/**
 * Which calls go first. `waited-on`: someone or something is waiting on it (a webhook's read, an approval, a payment
 * coming back, a rep's action, a poll). `backlog`: bulk work that arrives in thousands (drafting a closed quarter).
 * Backlog calls are spread over the minute, in the room the other calls of the last minute left: one per 1/60 of
 * it when they are alone, one per 1/30 when waited-on calls took 30 in the last minute. So the backlog and the
 * waited-on calls together ask about 60 a minute, the window does not fill, and a waited-on call (a payment's read
 * every 2 s under a drain) starts at once rather than waiting for the window to free a slot the backlog took. Spread
 * or bunched, the rolling window allows the same 60 calls a minute: the backlog loses nothing but its first
 * minute's burst.
 */
export type CallLane = 'waited-on' | 'backlog';

/** The waited-on pace is also read over the last 1/6 of the minute (10 s of Xero's). */
const RECENT_PARTS = 6;
/** Slots left to waited-on calls beyond their pace, while they come. */
const WAITED_ON_SPARE = 2;
/** Moments of waited-on calls in the last ten seconds that make a stream (a read every 2 s makes 5). */
const STREAM_MOMENTS = 3;
/** The minute's last slots the backlog leaves to a stream of waited-on calls while one comes. */
const STREAM_RESERVE = 5;
/** How long a backlog call held back for a stream waits before the scheduler looks again. */
const LOOK_AGAIN_MS = 1_000;
/**
 * How far ahead a backlog call looks for the stream's calls it must leave room for: three times the 5 s a payment
 * may take, enough to carry a stream over the end of a first minute that began with a burst. Looking a whole minute
 * ahead held drafting back for as long as a short run of reads (the tail of a go-live import) was taken for a stream.
 */
const LOOK_AHEAD_MS = 15_000;

interface Task {
  call: () => Promise<unknown>;
  lane: CallLane;
  /** Refused with TenantWaitTooLong, rather than queued, when a lasting reason holds the tenant back longer. */
  maxWaitMs: number | undefined;
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
  /** A permit is being asked for (one at a time per tenant, so calls still start in FIFO order). */
  acquiring: boolean;
  /** The store refused a permit: not before this. */
  sharedBlockedUntil: number;
  /** When the tenant's next backlog call may start (backlog calls are spread, see CallLane). */
  backlogNextAt: number;
  /** The backlog's calls in the minute window (the rest of `minute` is the other lane's). */
  backlogMinute: SlidingWindow;
  /**
   * Moments with waited-on calls in the last sixth of the minute, calls within a second of the last moment counted
   * with it: the pace of a stream (a read every 2 s) before a whole minute of it has been seen, where a burst (a
   * poll's five listings) is one moment.
   */
  waitedOnRecent: SlidingWindow;
  lastWaitedOnMoment: number;
  sharedBlockReason: Block['reason'] | 'store' | undefined;
  remainingRecordedAt: number;
}

type Block = Extract<PermitDecision, { granted: false }>;

/**
 * Paces Xero Accounting calls per tenant: at most 5 in flight, 60 per rolling minute and 5,000 per rolling
 * day, and 10,000 per minute across the app. It runs at those limits, not below them: a backlog drains at
 * 60 calls a minute. Remaining-count headers on every response (X-MinLimit-Remaining, X-DayLimit-Remaining,
 * X-AppMinLimit-Remaining) correct its counts when something else used the quota (another process, a
 * restart), and a 429 pauses the tenant (or the app) for Retry-After. Calls for one tenant start in FIFO order.
 *
 * Several bridge processes (replicas) share the limits through the store (`shared`): before a call starts, the
 * tenant's next call takes a permit in its tenant's and its app's bucket (one round trip), and gives it back when
 * it ends; a refusal says when to ask again. A 429's pause and Xero's remaining counts go to the store too, so every
 * replica honours them. The in-process queue stays: fairness (FIFO per tenant), Retry-After and the local windows
 * work as before, and the store only ever makes a call wait longer.
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
  private readonly shared: (SharedRateLimits & { concurrencyPollMs: number; remainingEveryMs: number }) | undefined;
  private readonly tenants = new Map<string, TenantState>();
  /** Permits of the calls running now (shared limits), renewed while they run. */
  private readonly heldPermits = new Set<string>();
  private renewing: Promise<void> | undefined;
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
    this.shared = opts.shared && {
      concurrencyPollMs: 250,
      remainingEveryMs: 5_000,
      ...opts.shared,
    };
    this.app = new SlidingWindow(limits.minuteMs + limits.marginMs);
  }

  /**
   * Runs `call` for `tenantId` as soon as every limit allows; resolves or rejects with its outcome. Waited-on calls
   * start before any backlog call queued for the tenant; each lane keeps its FIFO order.
   */
  schedule<T>(
    tenantId: string,
    call: () => Promise<T>,
    lane: CallLane = 'waited-on',
    opts: { maxWaitMs?: number } = {},
  ): Promise<T> {
    if (this.closed) return Promise.reject(new SchedulerClosedError());
    const tenant = this.tenant(tenantId);
    return new Promise<T>((resolve, reject) => {
      const task: Task = {
        call,
        lane,
        maxWaitMs: opts.maxWaitMs,
        resolve: resolve as (value: unknown) => void,
        reject,
        enqueuedAt: this.clock.now(),
      };
      const firstBacklog = lane === 'waited-on' ? tenant.queue.findIndex((q) => q.lane === 'backlog') : -1;
      if (firstBacklog === -1) tenant.queue.push(task);
      else tenant.queue.splice(firstBacklog, 0, task);
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
      backlogSpacingMs: this.backlogSpacingMs(t, now),
    };
  }

  /**
   * How long the tenant's next call must wait for a reason that lasts (null when none holds it now): a 429's pause
   * (the tenant's or the app's), the store's block (another replica's 429, or the limits all replicas used together,
   * when longer than the minute window could make it) and the day window. Not the minute window, the concurrency
   * limit or the backlog's spacing: they free within a minute, and are the pace of a normal drain.
   */
  longWait(tenantId: string): LongWait | null {
    return this.longWaitOf(this.tenant(tenantId), this.clock.now());
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
        acquiring: false,
        sharedBlockedUntil: 0,
        backlogNextAt: Number.NEGATIVE_INFINITY,
        backlogMinute: new SlidingWindow(minuteMs + marginMs),
        waitedOnRecent: new SlidingWindow(minuteMs / RECENT_PARTS),
        lastWaitedOnMoment: Number.NEGATIVE_INFINITY,
        sharedBlockReason: undefined,
        remainingRecordedAt: Number.NEGATIVE_INFINITY,
      };
      this.tenants.set(id, t);
    }
    return t;
  }

  private longWaitOf(t: TenantState, now: number): LongWait | null {
    const { minuteMs, marginMs, tenantPerDay } = this.limits;
    let wait: LongWait | null = null;
    const consider = (until: number, reason: LongWaitReason) => {
      if (Number.isFinite(until) && until > now && (wait === null || until > wait.until))
        wait = { until, waitMs: until - now, reason };
    };
    consider(t.pausedUntil, 'paused');
    consider(this.appPausedUntil, 'app-paused');
    if (t.sharedBlockReason === 'paused') consider(t.sharedBlockedUntil, 'shared-paused');
    // A window block no longer than the minute window may be that window (pacing); longer, it is the day's.
    else if (t.sharedBlockReason === 'window' && t.sharedBlockedUntil - now > minuteMs + marginMs)
      consider(t.sharedBlockedUntil, 'shared-limit');
    // Infinity: only calls still running fill the day; their answers will tell.
    consider(t.day.availableAt(now, tenantPerDay), 'day-limit');
    return wait;
  }

  /**
   * Refuses the queued calls that would wait longer than they may (TenantWaitTooLong): checked as a call is queued
   * and again whenever the tenant's state changes (an answer's headers fill the day, the store refuses a permit).
   */
  private refuseLongWaits(t: TenantState, now: number): void {
    if (!t.queue.some((task) => task.maxWaitMs !== undefined)) return;
    const wait = this.longWaitOf(t, now);
    if (!wait) return;
    const refused = t.queue.filter((task) => task.maxWaitMs !== undefined && wait.waitMs > task.maxWaitMs);
    if (refused.length === 0) return;
    t.queue = t.queue.filter((task) => !refused.includes(task));
    this.log?.debug({ tenantId: t.id, ...wait, refused: refused.length }, 'Xero calls refused: the tenant waits long');
    for (const task of refused) task.reject(new TenantWaitTooLong(t.id, wait));
  }

  /** When the tenant's next call may start; Infinity means "when a call in flight finishes". */
  private readyAt(t: TenantState, now: number): number {
    if (t.inFlight >= this.limits.tenantConcurrency) return Number.POSITIVE_INFINITY;
    return Math.max(
      now,
      t.pausedUntil,
      t.sharedBlockedUntil,
      this.appPausedUntil,
      t.minute.availableAt(now, this.limits.tenantPerMinute),
      t.day.availableAt(now, this.limits.tenantPerDay),
      this.app.availableAt(now, this.limits.appPerMinute),
      t.queue[0]?.lane === 'backlog' ? this.backlogReadyAt(t, now) : now,
    );
  }

  /** A stream of waited-on calls comes: STREAM_MOMENTS moments or more in the last ten seconds (a poll is one or two). */
  private streamComes(t: TenantState, now: number): boolean {
    return t.waitedOnRecent.count(now) >= STREAM_MOMENTS;
  }

  /**
   * When the tenant's next backlog call may start: on its grid, and, while a stream of waited-on calls comes, only
   * where it leaves the stream its slots: the minute's last STREAM_RESERVE free at each call the stream will ask (at
   * its recent pace) in the next LOOK_AHEAD_MS. The spacing alone lets the window fill at the end of a first minute
   * that began with a burst; a reserve kept only at the backlog call's own moment ran out some seconds before the
   * window's first calls expired, and the stream waited for them.
   */
  private backlogReadyAt(t: TenantState, now: number): number {
    if (!this.streamComes(t, now)) return t.backlogNextAt;
    const { minuteMs, marginMs, tenantPerMinute: limit } = this.limits;
    const from = Math.max(t.backlogNextAt, t.minute.availableAt(now, limit - STREAM_RESERVE));
    if (!Number.isFinite(from)) return from;
    // A pace the window could not serve beside any backlog (a burst of reads, not a stream) is not looked ahead for.
    if ((minuteMs + marginMs) / this.streamGapMs(t, now) + STREAM_RESERVE + 1 > limit) return from;
    // The room changes only as calls leave the window: the first of those moments where it suffices. Not later than
    // LOOK_AGAIN_MS from now (or the grid), the question is asked again: the stream may end sooner than assumed.
    const askAgain = Math.max(from, now + LOOK_AGAIN_MS);
    for (const at of [from, ...t.minute.leavesAt(now).filter((leaves) => leaves > from)]) {
      if (at > askAgain) return askAgain;
      if (this.leavesStreamRoom(t, now, at)) return at;
    }
    // No moment before the window empties would do (a stream the window cannot carry beside a backlog): as before.
    return from;
  }

  /** The stream's gap between calls: ten seconds over its moments in the last ten. */
  private streamGapMs(t: TenantState, now: number): number {
    return this.limits.minuteMs / RECENT_PARTS / Math.max(1, t.waitedOnRecent.count(now));
  }

  /**
   * With one more backlog call at `at`, the window still has STREAM_RESERVE slots free for each call the stream
   * asks, one every (ten seconds / its moments in the last ten), over the next LOOK_AHEAD_MS. The stream's calls
   * before `at` do not depend on it and are not checked.
   */
  private leavesStreamRoom(t: TenantState, now: number, at: number): boolean {
    const { minuteMs, marginMs, tenantPerMinute: limit } = this.limits;
    const gapMs = this.streamGapMs(t, now);
    const horizon = at + Math.min(minuteMs + marginMs, LOOK_AHEAD_MS);
    for (let j = 1; now + j * gapMs <= horizon; j += 1) {
      const asked = now + j * gapMs;
      if (asked < at) continue;
      // Then in the window: the calls counted now that have not left it, this backlog call, the stream's j - 1
      // calls before; the j-th still finds the last STREAM_RESERVE slots free (a poll's listings come too).
      if (t.minute.countAt(now, asked) + 1 + (j - 1) + STREAM_RESERVE > limit) return false;
    }
    return true;
  }

  /**
   * The gap between two backlog calls of a tenant: the minute window over the room the waited-on calls leave (1.01 s
   * for Xero's 60 when the backlog is alone; about 2 s when waited-on calls come every 2 s). Their pace is the larger
   * of their last minute and their moments of the last ten seconds scaled up (so a stream that has just begun counts
   * in full at once), and while a stream comes, two more slots are left to it.
   */
  private backlogSpacingMs(t: TenantState, now: number): number {
    const { minuteMs, marginMs, tenantPerMinute } = this.limits;
    const lastMinute = Math.max(0, t.minute.count(now) - t.backlogMinute.count(now));
    const stream = this.streamComes(t, now);
    const waitedOn = stream
      ? Math.max(lastMinute, t.waitedOnRecent.count(now) * RECENT_PARTS) + WAITED_ON_SPARE
      : lastMinute;
    return (minuteMs + marginMs) / Math.max(1, tenantPerMinute - waitedOn);
  }

  private pump(t: TenantState): void {
    while (t.queue.length > 0 && !t.acquiring) {
      const now = this.clock.now();
      this.refuseLongWaits(t, now);
      if (t.queue.length === 0) {
        if (this.isIdle()) for (const wake of this.idleWaiters.splice(0)) wake();
        return;
      }
      const at = this.readyAt(t, now);
      if (at > now) {
        if (Number.isFinite(at)) this.wakeAt(t, at, now);
        return;
      }
      if (this.shared) {
        this.acquire(t, this.shared);
        return;
      }
      this.start(t, t.queue.shift()!, now, undefined);
    }
  }

  // ── shared limits ─────────────────────────────────────────────────────────────────────────────────────

  private buckets(tenantId: string, appId: string): RateBucketPolicy[] {
    const { minuteMs, dayMs, marginMs } = this.limits;
    return [
      {
        bucket: tenantBucket(appId, tenantId),
        concurrency: this.limits.tenantConcurrency,
        windows: [
          { spanMs: minuteMs + marginMs, limit: this.limits.tenantPerMinute },
          { spanMs: dayMs + marginMs, limit: this.limits.tenantPerDay },
        ],
      },
      { bucket: appBucket(appId), windows: [{ spanMs: minuteMs + marginMs, limit: this.limits.appPerMinute }] },
    ];
  }

  /**
   * Asks the store for a permit for the tenant's next call. The slot is held meanwhile (so the local concurrency
   * limit counts it); granted, the call at the head of the queue starts with it; refused, the tenant waits until
   * the store says (polling sooner only for concurrency, which a release anywhere can free).
   */
  private acquire(t: TenantState, shared: NonNullable<typeof this.shared>): void {
    t.acquiring = true;
    t.inFlight += 1;
    void shared.repository
      .acquirePermit({ buckets: this.buckets(t.id, shared.appId), owner: shared.owner, leaseMs: shared.permitLeaseMs })
      .catch((err: unknown): Block | { granted: false; retryAt: number; reason: 'store'; bucket: string } => {
        this.log?.warn({ err, tenantId: t.id }, 'rate-limit store unreachable: Xero calls wait');
        return { granted: false, retryAt: this.clock.now() + 1_000, reason: 'store', bucket: '' };
      })
      .then((decision) => {
        t.acquiring = false;
        t.inFlight -= 1;
        const now = this.clock.now();
        if (decision.granted) {
          const task = this.closed ? undefined : t.queue.shift();
          if (task) this.start(t, task, now, decision.permitId);
          else this.releasePermit(t, decision.permitId);
          t.sharedBlockedUntil = 0;
          t.sharedBlockReason = undefined;
        } else {
          const poll = decision.reason === 'concurrency' ? now + shared.concurrencyPollMs : Infinity;
          t.sharedBlockedUntil = Math.max(now + 1, Math.min(decision.retryAt, poll));
          t.sharedBlockReason = decision.reason;
          this.log?.debug({ tenantId: t.id, ...decision }, 'Xero call waits for a shared permit');
        }
        if (!this.closed) this.pump(t);
        if (this.isIdle()) for (const wake of this.idleWaiters.splice(0)) wake();
      });
  }

  /** While calls run, renews their permits every third of the lease (one round trip for all of them). */
  private keepPermits(): void {
    const shared = this.shared;
    if (!shared || this.renewing || this.heldPermits.size === 0) return;
    this.renewing = (async () => {
      while (!this.closed && this.heldPermits.size > 0) {
        await this.clock.sleep(shared.permitLeaseMs / 3, this.timers.signal);
        if (this.closed || this.heldPermits.size === 0) break;
        await shared.repository
          .renewPermits([...this.heldPermits], shared.owner, shared.permitLeaseMs)
          .catch((err: unknown) => this.log?.warn({ err }, 'could not renew Xero rate-limit permits'));
      }
    })().finally(() => {
      this.renewing = undefined;
      this.keepPermits(); // a call that started as the loop ended
    });
  }

  private releasePermit(t: TenantState, permitId: string): Promise<void> {
    const shared = this.shared!;
    this.heldPermits.delete(permitId);
    return shared.repository
      .releasePermit(permitId, shared.owner)
      .catch((err: unknown) =>
        this.log?.warn({ err, tenantId: t.id }, 'could not release a Xero rate-limit permit; its lease will lapse'),
      );
  }

  /**
   * Xero's 429 pause and remaining counts, for every replica. Failures are logged: the local state still holds.
   * Returns the pause's write, which the refused call waits for: once its caller hears of the 429, every replica does.
   */
  private shareObservation(
    t: TenantState,
    pause: { app: boolean; until: number } | undefined,
    header: Header,
  ): Promise<void> | undefined {
    const shared = this.shared;
    if (!shared) return undefined;
    const warn = (err: unknown) => this.log?.warn({ err, tenantId: t.id }, 'could not share Xero rate-limit state');
    let pauseShared: Promise<void> | undefined;
    if (pause) {
      const bucket = pause.app ? appBucket(shared.appId) : tenantBucket(shared.appId, t.id);
      pauseShared = shared.repository.pauseBucket(bucket, pause.until).then(() => undefined, warn);
    }
    const minute = intHeader(header('x-minlimit-remaining'));
    const day = intHeader(header('x-daylimit-remaining'));
    const now = this.clock.now();
    const low = (minute !== undefined && minute <= 5) || (day !== undefined && day <= 50);
    if (!low && now - t.remainingRecordedAt < shared.remainingEveryMs) return pauseShared;
    if (minute === undefined && day === undefined) return pauseShared;
    t.remainingRecordedAt = now;
    const [tenant] = this.buckets(t.id, shared.appId);
    const [minuteWindow, dayWindow] = tenant!.windows;
    if (minute !== undefined) shared.repository.recordRemaining(tenant!.bucket, minuteWindow!, minute).catch(warn);
    if (day !== undefined) shared.repository.recordRemaining(tenant!.bucket, dayWindow!, day).catch(warn);
    return pauseShared;
  }

  private wakeAt(t: TenantState, at: number, now: number): void {
    if (t.timerAt !== undefined && t.timerAt <= at) return;
    t.timerAt = at;
    void this.clock.sleep(at - now, this.timers.signal).then(() => {
      if (t.timerAt === at) t.timerAt = undefined;
      if (!this.closed) this.pump(t);
    });
  }

  private start(t: TenantState, task: Task, now: number, permitId: string | undefined): void {
    if (permitId !== undefined) {
      this.heldPermits.add(permitId);
      this.keepPermits();
    }
    t.inFlight += 1;
    if (task.lane === 'backlog') {
      // On a fixed grid, so a timer that fires late does not push every later call back.
      const spacing = this.backlogSpacingMs(t, now);
      t.backlogNextAt = Math.max(t.backlogNextAt, now - spacing) + spacing;
      t.backlogMinute.begin();
    } else if (now - t.lastWaitedOnMoment >= this.limits.minuteMs / 60) {
      t.waitedOnRecent.add(now);
      t.lastWaitedOnMoment = now;
    }
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
        if (task.lane === 'backlog') t.backlogMinute.end(finishedAt);
        t.day.end(finishedAt);
        this.app.end(finishedAt);
        let pauseShared: Promise<void> | undefined;
        try {
          pauseShared = this.observe(t, outcome, waitedMs);
        } catch (err) {
          this.log?.warn({ err, tenantId: t.id }, 'could not read Xero rate-limit headers');
        }
        const answer = () => (ok ? task.resolve(outcome) : task.reject(outcome));
        // A 429 reaches its caller once its pause is in the store (a retry there, or elsewhere, sees it).
        const settle = () => (pauseShared ? void pauseShared.then(answer) : answer());
        if (permitId === undefined) {
          this.finished(t);
          settle();
          this.next(t);
          return;
        }
        settle();
        // The slot stays taken until the permit is back in the store, so the next acquire finds room.
        void this.releasePermit(t, permitId).then(() => {
          this.finished(t);
          if (t.sharedBlockReason === 'concurrency') t.sharedBlockedUntil = 0; // our own release made room
          this.next(t);
        });
      });
  }

  private finished(t: TenantState): void {
    t.inFlight -= 1;
  }

  /** After a call: this tenant may start its next call; others may have been waiting on the app-wide window. */
  private next(t: TenantState): void {
    this.pump(t);
    for (const other of this.tenants.values()) if (other !== t && other.queue.length > 0) this.pump(other);
    if (this.isIdle()) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Reads a call's rate-limit headers; returns the write of a 429's pause to the store, if it shares one. */
  private observe(t: TenantState, outcome: unknown, waitedMs: number): Promise<void> | undefined {
    const obs = this.observeFn(outcome);
    this.onEvent?.({ type: 'call', tenantId: t.id, status: obs?.status, waitedMs });
    if (!obs) return undefined;
    const now = this.clock.now();
    const header = headerReader(obs.headers);

    let pause: { app: boolean; until: number } | undefined;
    if (obs.status === 429) {
      const problem = header('x-rate-limit-problem')?.toLowerCase();
      const retryAfterMs = parseRetryAfter(header('retry-after')) ?? this.defaultPause(problem);
      pause = { app: problem !== undefined && problem.startsWith('app'), until: now + retryAfterMs };
      if (pause.app) this.appPausedUntil = Math.max(this.appPausedUntil, pause.until);
      else t.pausedUntil = Math.max(t.pausedUntil, pause.until);
      this.onEvent?.({ type: 'rate_limited', tenantId: t.id, problem, retryAfterMs });
      this.log?.warn({ tenantId: t.id, problem, retryAfterMs }, 'Xero rate limit hit: pausing');
    }
    const pauseShared = this.shareObservation(t, pause, header);

    // Xero's own counts: if it has seen more calls than we have, count the difference as used now.
    const minute = intHeader(header('x-minlimit-remaining'));
    if (minute !== undefined) this.reconcile(t.minute, this.limits.tenantPerMinute, minute, now, false);
    const day = intHeader(header('x-daylimit-remaining'));
    // Only a quiet tenant may also give back day quota we over-counted (e.g. after a restart).
    if (day !== undefined) this.reconcile(t.day, this.limits.tenantPerDay, day, now, t.inFlight === 1);
    const app = intHeader(header('x-appminlimit-remaining'));
    if (app !== undefined) this.reconcile(this.app, this.limits.appPerMinute, app, now, false);
    return pauseShared;
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
    for (const t of this.tenants.values()) if (t.inFlight > 0 || t.queue.length > 0 || t.acquiring) return false;
    return true;
  }
}

type Header = ReturnType<typeof headerReader>;

/** The store's bucket for one tenant of one Xero app (Xero's per-tenant limits are per app). */
export const tenantBucket = (appId: string, tenantId: string): string => `xero:${appId}:tenant:${tenantId}`;
/** The store's bucket for a Xero app (its app-wide minute limit). */
export const appBucket = (appId: string): string => `xero:${appId}`;
