import { createHash } from 'node:crypto';
import type { Clock } from '../shared/clock';

export interface StoredResponse {
  status: number;
  contentType: string;
  body: string;
}

interface Entry {
  fingerprint: string;
  storedAt: number;
  response?: StoredResponse;
  waiters: ((response: StoredResponse | undefined) => void)[];
}

export type IdempotencyDecision =
  | { kind: 'new'; complete: (response: StoredResponse) => void; abandon: () => void }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'pending'; wait: Promise<StoredResponse | undefined> };

/** Default replay window: Xero's documented 6 minutes (reference §5), measured on the emulator clock. */
export const DEFAULT_IDEMPOTENCY_WINDOW_MS = 6 * 60_000;

/** Fingerprint of everything that makes two requests "the same request". */
export function fingerprint(parts: { tenantId: string; method: string; url: string; body: string }): string {
  return createHash('sha256').update(`${parts.tenantId}\n${parts.method}\n${parts.url}\n${parts.body}`).digest('hex');
}

/**
 * Idempotency-Key store, per app. Within the window the same key + same request replays the first
 * status and body; the same key with another request is refused; a duplicate that arrives while the
 * first is still running waits for it and then replays.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    public windowMs = DEFAULT_IDEMPOTENCY_WINDOW_MS,
  ) {}

  begin(key: string, print: string): IdempotencyDecision {
    const now = this.clock.now();
    const entry = this.entries.get(key);
    if (entry && now - entry.storedAt < this.windowMs) {
      if (entry.fingerprint !== print) return { kind: 'mismatch' };
      if (entry.response) return { kind: 'replay', response: entry.response };
      return { kind: 'pending', wait: new Promise((resolve) => entry.waiters.push(resolve)) };
    }
    const fresh: Entry = { fingerprint: print, storedAt: now, waiters: [] };
    this.entries.set(key, fresh);
    return {
      kind: 'new',
      complete: (response) => {
        fresh.response = response;
        fresh.storedAt = this.clock.now();
        for (const waiter of fresh.waiters.splice(0)) waiter(response);
      },
      // Nothing was committed (e.g. an injected 503 before the handler): the key stays unused.
      abandon: () => {
        if (this.entries.get(key) === fresh) this.entries.delete(key);
        for (const waiter of fresh.waiters.splice(0)) waiter(undefined);
      },
    };
  }

  clear(): void {
    this.entries.clear();
  }
}
