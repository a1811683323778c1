/**
 * The pieces of Xero rate limiting that hold no policy: a rolling-window counter and readers for the
 * status and rate-limit headers on a call's outcome. XeroScheduler (scheduler.ts) decides with them.
 */

/** Status and headers the scheduler reads off a call's result or error. */
export interface RateObservation {
  status?: number;
  headers?: unknown;
}

/**
 * Counts calls in a rolling window. A call counts from the moment it starts, but it enters the window
 * with the time it *finished*: Xero received it somewhere in between, so the window can never let a call
 * leave earlier than Xero's does, however long the request (or a token refresh inside it) took.
 * Entries carry a weight so header corrections stay cheap.
 */
export class SlidingWindow {
  private entries: { t: number; n: number }[] = [];
  private head = 0;
  private settled = 0;
  private pending = 0;

  constructor(private readonly span: number) {}

  count(now: number): number {
    this.prune(now);
    return this.settled + this.pending;
  }

  /** A call started: it counts, with no expiry yet. */
  begin(): void {
    this.pending += 1;
  }

  /** The call started with `begin` finished at `t`. */
  end(t: number): void {
    this.pending = Math.max(0, this.pending - 1);
    this.add(t, 1);
  }

  /** Counts `n` calls made at `t` (corrections from Xero's remaining counts). */
  add(t: number, n = 1): void {
    if (n <= 0) return;
    this.entries.push({ t, n });
    this.settled += n;
  }

  /** Removes `n` finished calls, oldest first (Xero says it has forgotten calls we still count). */
  forget(n: number): void {
    let left = n;
    while (left > 0 && this.head < this.entries.length) {
      const entry = this.entries[this.head]!;
      const take = Math.min(entry.n, left);
      entry.n -= take;
      this.settled -= take;
      left -= take;
      if (entry.n === 0) this.head += 1;
    }
    this.compact();
  }

  /** Earliest time at which one more call fits under `limit`; Infinity if only a completion can free room. */
  availableAt(now: number, limit: number): number {
    this.prune(now);
    const total = this.settled + this.pending;
    if (total < limit) return now;
    let excess = total - limit + 1;
    if (excess > this.settled) return Number.POSITIVE_INFINITY;
    for (let i = this.head; i < this.entries.length; i += 1) {
      const entry = this.entries[i]!;
      excess -= entry.n;
      if (excess <= 0) return entry.t + this.span;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** Of the calls counted at `now`, how many are still in the window at `at` (calls still running always are). */
  countAt(now: number, at: number): number {
    this.prune(now);
    let n = this.pending;
    for (let i = this.head; i < this.entries.length; i += 1) {
      const entry = this.entries[i]!;
      if (entry.t + this.span > at) n += entry.n;
    }
    return n;
  }

  /** When the calls counted at `now` leave the window, soonest first (calls still running have no time yet). */
  leavesAt(now: number): number[] {
    this.prune(now);
    const out: number[] = [];
    for (let i = this.head; i < this.entries.length; i += 1) out.push(this.entries[i]!.t + this.span);
    return out;
  }

  private prune(now: number): void {
    while (this.head < this.entries.length && this.entries[this.head]!.t + this.span <= now) {
      this.settled -= this.entries[this.head]!.n;
      this.head += 1;
    }
    this.compact();
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

/** Finds status and headers on xero-node results (`{ response }`) and on errors carrying `status`/`headers`. */
export function defaultObserve(outcome: unknown): RateObservation | undefined {
  if (typeof outcome !== 'object' || outcome === null) return undefined;
  const o = outcome as {
    response?: { status?: unknown; statusCode?: unknown; headers?: unknown };
    status?: unknown;
    headers?: unknown;
  };
  if (o.response && typeof o.response === 'object' && 'headers' in o.response) {
    const status = typeof o.response.status === 'number' ? o.response.status : o.response.statusCode;
    return { status: typeof status === 'number' ? status : undefined, headers: o.response.headers };
  }
  if (typeof o.status === 'number' && 'headers' in o) return { status: o.status, headers: o.headers };
  return undefined;
}

export function headerReader(headers: unknown): (name: string) => string | undefined {
  return (name) => {
    if (!headers || typeof headers !== 'object') return undefined;
    const h = headers as Record<string, unknown> & { get?: (n: string) => unknown };
    let value = h[name] ?? h[name.toLowerCase()];
    if (value === undefined && typeof h.get === 'function') value = h.get(name);
    if (Array.isArray(value)) value = value[0];
    return value === undefined || value === null ? undefined : String(value);
  };
}

export function intHeader(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*-?\d+\s*$/.test(value)) return undefined;
  return Number(value);
}
