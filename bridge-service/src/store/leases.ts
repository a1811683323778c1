/**
 * Named leases: mutual exclusion between bridge processes sharing the store, with an expiry so a crashed holder
 * never blocks the others for long. Used for a token refresh per connection (SQLite), and for singleton roles:
 * the event subscriber of an org (`salesforce-subscriber`), the poller of a tenant (`xero-poller:<tenant>`).
 *
 * Every lease carries a fencing token: a number that rises each time the lease changes hands (a new holder, or
 * the same holder after releasing it) and stays the same while one holder renews. A holder that was paused past
 * its expiry and lost the lease can tell (renewLease fails), and a write fenced with its stale token is refused
 * (see ReplayCursorRepository.saveReplayId).
 */
export interface Lease {
  name: string;
  owner: string;
  /** Fencing token: strictly greater than that of every earlier holder of this lease. */
  token: number;
  expiresAt: number;
}

/** What a fenced write checks: the lease is still held by `owner` under `token` and has not expired. */
export interface LeaseFence {
  name: string;
  owner: string;
  token: number;
}

export interface LeaseRepository {
  /**
   * Takes the lease if it is free, released or expired (with a new fencing token), or renews it if `owner` holds
   * it (same token). Null if another owner holds it. One round trip.
   */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null>;
  /** acquireLease as a yes/no. */
  tryAcquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /**
   * Extends the lease if `owner` still holds it under `token`. A lease that expired but that nobody took since
   * (same token) is renewed too: no one else held it in between. Null if it changed hands: stop the role.
   */
  renewLease(name: string, owner: string, token: number, ttlMs: number): Promise<Lease | null>;
  /** Gives the lease up if it is still ours (no effect otherwise); the next holder gets a higher token. */
  releaseLease(name: string, owner: string): Promise<void>;
  /** The current holder, or null if the lease is free, released or expired. */
  getLease(name: string): Promise<Lease | null>;
}
