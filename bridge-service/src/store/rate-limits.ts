/**
 * Rate-limit state shared by every bridge process on the store, so N replicas together keep Xero's limits
 * (per tenant per app: 5 calls in flight, 60 a rolling minute, 5,000 a rolling day; per app: 10,000 a minute)
 * and all honour one Retry-After.
 *
 * A call takes a permit before it starts, in every bucket it counts against (its tenant's and its app's), or none.
 * A permit is in flight until released; it counts in each window from the moment it is granted and leaves the
 * window `spanMs` after it was released (Xero received the call somewhere in between, so a window never lets a
 * call leave before Xero's does). A permit is leased, and its holder renews the lease while the call runs: if the
 * holder dies, the permit stops counting as in flight when its lease expires, and leaves the windows `spanMs` after.
 *
 * Buckets are names the caller composes (phase B: `xero:<client id>:tenant:<tenant id>` and `xero:<client id>`).
 * They hold only counts, so they are not scoped by org: Xero keys its limits by app and tenant, and two orgs on
 * one Xero app share that app's minute limit.
 */

export interface RateWindow {
  /** Window length, margin included (Xero's minute is paced as 60.6 s). */
  spanMs: number;
  limit: number;
}

export interface RateBucketPolicy {
  bucket: string;
  /** Most permits in flight at once (none: no concurrency limit). */
  concurrency?: number;
  windows: readonly RateWindow[];
}

export interface PermitRequest {
  /** Every bucket the call counts against; all grant, or none does. */
  buckets: readonly RateBucketPolicy[];
  /** The process asking (Config.instanceId). */
  owner: string;
  /** How long the permit stays in flight without a release (longer than the call's timeout). */
  leaseMs: number;
}

export type PermitDecision =
  | { granted: true; permitId: string }
  | {
      granted: false;
      /**
       * When a retry is sure to find room in the bucket that blocked: the pause's end, the moment enough calls
       * leave the window, or (concurrency) the earliest in-flight lease expiry. A release elsewhere can free room
       * sooner, so a caller blocked on concurrency polls before this.
       */
      retryAt: number;
      reason: 'paused' | 'concurrency' | 'window';
      bucket: string;
    };

export interface RateUsage {
  inFlight: number;
  /** Per window asked for, in the same order: calls counted in it now. */
  used: number[];
  /** Epoch ms until which the bucket is paused, or null. */
  pausedUntil: number | null;
}

export interface RateLimitRepository {
  /** Grants a permit in every bucket or says when to try again. One round trip on PostgreSQL. */
  acquirePermit(request: PermitRequest): Promise<PermitDecision>;
  /**
   * The calls are still running: their permits' leases run `leaseMs` from now. Only permits still held (not
   * released, not lapsed) are renewed: a lapsed permit's slot may already be someone else's. Returns how many were.
   */
  renewPermits(permitIds: readonly string[], owner: string, leaseMs: number): Promise<number>;
  /** The call finished now: no longer in flight; it leaves each window `spanMs` from now. Idempotent. */
  releasePermit(permitId: string, owner: string): Promise<void>;
  /** A restarted process ends the permits its previous incarnation held (they finished or never will). */
  releaseOwnerPermits(owner: string): Promise<number>;
  /** Pauses the bucket until `until` (a 429's Retry-After) for every process; a longer pause already set wins. */
  pauseBucket(bucket: string, until: number): Promise<void>;
  /**
   * Xero says `remaining` calls are left in this window: if it has seen more calls than the bucket counts (calls
   * made by something else), counts the difference as used now. Never lowers the count.
   */
  recordRemaining(bucket: string, window: RateWindow, remaining: number): Promise<void>;
  usage(bucket: string, windows: readonly RateWindow[]): Promise<RateUsage>;
}
