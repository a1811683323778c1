import { createHash, randomBytes } from 'node:crypto';

/** RFC 7636 code verifier: 32 random bytes, base64url (43 characters, inside the 43–128 range). */
export function createCodeVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** RFC 7636 S256: base64url(sha256(ascii(verifier))), no padding. */
export function codeChallengeS256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** An unguessable OAuth `state` (CSRF protection for the callback). */
export function createState(): string {
  return randomBytes(24).toString('base64url');
}

/** What a state stands for: the org being connected and the PKCE verifier of its flow. */
export interface PendingAuthorization {
  orgId: string;
  codeVerifier: string;
  expiresAt: number;
}

/**
 * state → org and PKCE verifier, between /connect/xero and its callback. `take` is single use: it removes the entry
 * whether or not it has expired, so a state works at most once.
 */
export interface PendingAuthorizations {
  put(state: string, entry: PendingAuthorization): Promise<void>;
  /** The org and verifier, or null when the state is unknown, already used or expired at `now`. */
  take(state: string, now: number): Promise<{ orgId: string; codeVerifier: string } | null>;
}

/**
 * In-process PendingAuthorizations, for an app on its own (tests). A bridge process uses the store's
 * (store.oauthStates), so a callback that a load balancer sends to another replica still finds its state.
 * Bounded: expired entries are dropped on every put and the oldest go first beyond `maxEntries`.
 */
export function inMemoryPendingAuthorizations(maxEntries = 100): PendingAuthorizations {
  const entries = new Map<string, PendingAuthorization>();
  return {
    async put(state, entry) {
      const now = Date.now();
      for (const [key, value] of entries) if (value.expiresAt <= now) entries.delete(key);
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
      entries.set(state, entry);
    },
    async take(state, now) {
      const entry = entries.get(state);
      entries.delete(state);
      if (!entry || entry.expiresAt <= now) return null;
      return { orgId: entry.orgId, codeVerifier: entry.codeVerifier };
    },
  };
}
