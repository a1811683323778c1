/**
 * Named leases: mutual exclusion between bridge processes sharing the store (one token refresh per connection at
 * a time). A lease lapses at its expiry, so a crashed holder never blocks the others for long.
 */
export interface LeaseRepository {
  /** Takes or renews the named lease if free, expired or already ours. */
  tryAcquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if it is still ours (no effect otherwise). */
  releaseLease(name: string, owner: string): Promise<void>;
}
