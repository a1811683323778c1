import { randomUUID } from 'node:crypto';
import type {
  PermitDecision,
  PermitRequest,
  RateBucketPolicy,
  RateLimitRepository,
  RateUsage,
  RateWindow,
} from '../rate-limits';
import type { Row } from '../rows';
import type { SqliteDatabase } from './database';

interface PermitRow {
  weight: number;
  /** When the permit left flight: its release, or its lease's expiry if it lapsed; null while in flight. */
  endedAt: number | null;
  leaseExpiresAt: number;
}

type Block = Extract<PermitDecision, { granted: false }>;

function toPermitRow(row: Row, now: number): PermitRow {
  const released = row.released_at === null ? null : Number(row.released_at);
  const lease = Number(row.lease_expires_at);
  return { weight: Number(row.weight), endedAt: released ?? (lease <= now ? lease : null), leaseExpiresAt: lease };
}

const inWindow = (p: PermitRow, window: RateWindow, now: number) =>
  p.endedAt === null || p.endedAt > now - window.spanMs;

/** Calls counted in the window: in flight, or ended less than a span ago. */
const used = (rows: readonly PermitRow[], window: RateWindow, now: number) =>
  rows.filter((p) => inWindow(p, window, now)).reduce((sum, p) => sum + p.weight, 0);

/**
 * Why the bucket cannot grant one more permit now, and when it surely can; null if it can. The PostgreSQL
 * function ledgerline_acquire_permit decides the same way (the contract suite runs both).
 */
function blockOf(policy: RateBucketPolicy, rows: readonly PermitRow[], pausedUntil: number, now: number): Block | null {
  const blocks: Block[] = [];
  const bucket = policy.bucket;
  if (pausedUntil > now) blocks.push({ granted: false, retryAt: pausedUntil, reason: 'paused', bucket });
  const flying = rows.filter((p) => p.endedAt === null);
  const firstLapse = Math.min(...flying.map((p) => p.leaseExpiresAt));
  if (policy.concurrency !== undefined && flying.length >= policy.concurrency) {
    blocks.push({ granted: false, retryAt: firstLapse, reason: 'concurrency', bucket });
  }
  for (const window of policy.windows) {
    const count = used(rows, window, now);
    if (count < window.limit) continue;
    // The earliest moment enough counted calls have left the window for one more to fit.
    let excess = count - window.limit + 1;
    let retryAt = firstLapse + window.spanMs;
    const ended = rows
      .filter((p) => p.endedAt !== null && inWindow(p, window, now))
      .sort((a, b) => a.endedAt! - b.endedAt!);
    for (const p of ended) {
      excess -= p.weight;
      if (excess <= 0) {
        retryAt = p.endedAt! + window.spanMs;
        break;
      }
    }
    blocks.push({ granted: false, retryAt, reason: 'window', bucket });
  }
  return blocks.reduce<Block | null>((latest, b) => (latest === null || b.retryAt > latest.retryAt ? b : latest), null);
}

/** The shared rate-limit state on SQLite: every decision in a BEGIN IMMEDIATE transaction. */
export class SqliteRateLimits implements RateLimitRepository {
  constructor(private readonly db: SqliteDatabase) {}

  private rows(bucket: string, now: number): PermitRow[] {
    return this.db
      .all('SELECT weight, released_at, lease_expires_at FROM rate_permits WHERE bucket = ?', bucket)
      .map((row) => toPermitRow(row, now));
  }

  private pausedUntil(bucket: string): number {
    const row = this.db.get('SELECT paused_until FROM rate_buckets WHERE bucket = ?', bucket);
    return row ? Number(row.paused_until) : 0;
  }

  async acquirePermit(request: PermitRequest): Promise<PermitDecision> {
    const policies = [...request.buckets].sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
    return this.db.transaction(() => {
      const now = this.db.clock.now();
      let block: Block | null = null;
      for (const policy of policies) {
        const longest = Math.max(0, ...policy.windows.map((w) => w.spanMs));
        // Forget what has left every window.
        this.db.run(
          `DELETE FROM rate_permits WHERE bucket = ?
              AND COALESCE(released_at, CASE WHEN lease_expires_at <= ? THEN lease_expires_at END) <= ?`,
          policy.bucket,
          now,
          now - longest,
        );
        const b = blockOf(policy, this.rows(policy.bucket, now), this.pausedUntil(policy.bucket), now);
        if (b && (block === null || b.retryAt > block.retryAt)) block = b;
      }
      if (block) return block;
      const permitId = randomUUID();
      for (const policy of policies) {
        this.db.run(
          `INSERT INTO rate_permits (permit_id, bucket, owner, weight, granted_at, released_at, lease_expires_at)
           VALUES (?, ?, ?, 1, ?, NULL, ?)`,
          permitId,
          policy.bucket,
          request.owner,
          now,
          now + request.leaseMs,
        );
      }
      return { granted: true, permitId };
    });
  }

  async renewPermits(permitIds: readonly string[], owner: string, leaseMs: number): Promise<number> {
    if (permitIds.length === 0) return 0;
    return this.db.transaction(() => {
      const now = this.db.clock.now();
      const held = `owner = ? AND released_at IS NULL AND lease_expires_at > ? AND permit_id IN (${permitIds
        .map(() => '?')
        .join(', ')})`;
      const row = this.db.get(
        `SELECT COUNT(DISTINCT permit_id) AS n FROM rate_permits WHERE ${held}`,
        owner,
        now,
        ...permitIds,
      );
      this.db.run(
        `UPDATE rate_permits SET lease_expires_at = ? WHERE ${held}`,
        now + leaseMs,
        owner,
        now,
        ...permitIds,
      );
      return Number(row?.n ?? 0);
    });
  }

  async releasePermit(permitId: string, owner: string): Promise<void> {
    this.db.run(
      'UPDATE rate_permits SET released_at = ? WHERE permit_id = ? AND owner = ? AND released_at IS NULL',
      this.db.clock.now(),
      permitId,
      owner,
    );
  }

  async releaseOwnerPermits(owner: string): Promise<number> {
    return this.db.transaction(() => {
      const now = this.db.clock.now();
      // Lapsed permits already ended at their lease's expiry.
      const live = 'owner = ? AND released_at IS NULL AND lease_expires_at > ?';
      const row = this.db.get(`SELECT COUNT(DISTINCT permit_id) AS n FROM rate_permits WHERE ${live}`, owner, now);
      this.db.run(`UPDATE rate_permits SET released_at = ? WHERE ${live}`, now, owner, now);
      return Number(row?.n ?? 0);
    });
  }

  async pauseBucket(bucket: string, until: number): Promise<void> {
    this.db.run(
      `INSERT INTO rate_buckets (bucket, paused_until, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (bucket) DO UPDATE SET paused_until = MAX(rate_buckets.paused_until, excluded.paused_until),
         updated_at = excluded.updated_at`,
      bucket,
      until,
      this.db.clock.now(),
    );
  }

  async recordRemaining(bucket: string, window: RateWindow, remaining: number): Promise<void> {
    this.db.transaction(() => {
      const now = this.db.clock.now();
      const ours = window.limit - used(this.rows(bucket, now), window, now);
      const unseen = ours - Math.min(Math.max(remaining, 0), window.limit);
      if (unseen <= 0) return;
      this.db.run(
        `INSERT INTO rate_permits (permit_id, bucket, owner, weight, granted_at, released_at, lease_expires_at)
         VALUES (?, ?, 'xero-remaining', ?, ?, ?, ?)`,
        `correction:${randomUUID()}`,
        bucket,
        unseen,
        now,
        now,
        now,
      );
    });
  }

  async usage(bucket: string, windows: readonly RateWindow[]): Promise<RateUsage> {
    const now = this.db.clock.now();
    const rows = this.rows(bucket, now);
    const paused = this.pausedUntil(bucket);
    return {
      inFlight: rows.filter((p) => p.endedAt === null).length,
      used: windows.map((w) => used(rows, w, now)),
      pausedUntil: paused > now ? paused : null,
    };
  }
}
