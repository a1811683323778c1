import { randomUUID } from 'node:crypto';
import type { PermitDecision, PermitRequest, RateLimitRepository, RateUsage, RateWindow } from '../rate-limits';
import type { PgDatabase } from './database';

/**
 * The shared rate-limit state on PostgreSQL. Acquiring is one call of ledgerline_acquire_permit (migrations.ts):
 * one round trip that locks the buckets' rows, counts and grants or refuses.
 */
export class PgRateLimits implements RateLimitRepository {
  constructor(private readonly db: PgDatabase) {}

  async acquirePermit(request: PermitRequest): Promise<PermitDecision> {
    const buckets = request.buckets.map((b) => ({
      bucket: b.bucket,
      ...(b.concurrency === undefined ? {} : { concurrency: b.concurrency }),
      windows: b.windows.map((w) => ({ spanMs: w.spanMs, limit: w.limit })),
    }));
    const row = await this.db.row('SELECT ledgerline_acquire_permit($1::jsonb, $2, $3, $4, $5) AS decision', [
      JSON.stringify(buckets),
      request.owner,
      randomUUID(),
      this.db.clock.now(),
      request.leaseMs,
    ]);
    const d = row?.decision as {
      granted: boolean;
      permitId?: string;
      retryAt?: number;
      reason?: string;
      bucket?: string;
    };
    if (d.granted) return { granted: true, permitId: String(d.permitId) };
    return {
      granted: false,
      retryAt: Number(d.retryAt),
      reason: d.reason as Extract<PermitDecision, { granted: false }>['reason'],
      bucket: String(d.bucket),
    };
  }

  async renewPermits(permitIds: readonly string[], owner: string, leaseMs: number): Promise<number> {
    if (permitIds.length === 0) return 0;
    const now = this.db.clock.now();
    const row = await this.db.row(
      `WITH renewed AS (
         UPDATE rate_permits SET lease_expires_at = $1
          WHERE owner = $2 AND released_at IS NULL AND lease_expires_at > $3 AND permit_id = ANY($4::text[])
         RETURNING permit_id)
       SELECT COUNT(DISTINCT permit_id) AS n FROM renewed`,
      [now + leaseMs, owner, now, permitIds],
    );
    return Number(row?.n ?? 0);
  }

  async releasePermit(permitId: string, owner: string): Promise<void> {
    await this.db.run(
      'UPDATE rate_permits SET released_at = $1 WHERE permit_id = $2 AND owner = $3 AND released_at IS NULL',
      [this.db.clock.now(), permitId, owner],
    );
  }

  async releaseOwnerPermits(owner: string): Promise<number> {
    // Lapsed permits already ended at their lease's expiry.
    const row = await this.db.row(
      `WITH ended AS (
         UPDATE rate_permits SET released_at = $1
          WHERE owner = $2 AND released_at IS NULL AND lease_expires_at > $1
         RETURNING permit_id)
       SELECT COUNT(DISTINCT permit_id) AS n FROM ended`,
      [this.db.clock.now(), owner],
    );
    return Number(row?.n ?? 0);
  }

  async pauseBucket(bucket: string, until: number): Promise<void> {
    await this.db.run(
      `INSERT INTO rate_buckets (bucket, paused_until, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (bucket) DO UPDATE SET paused_until = GREATEST(rate_buckets.paused_until, excluded.paused_until),
         updated_at = excluded.updated_at`,
      [bucket, until, this.db.clock.now()],
    );
  }

  async recordRemaining(bucket: string, window: RateWindow, remaining: number): Promise<void> {
    await this.db.row('SELECT ledgerline_record_remaining($1, $2, $3, $4, $5, $6)', [
      bucket,
      window.spanMs,
      window.limit,
      remaining,
      this.db.clock.now(),
      `correction:${randomUUID()}`,
    ]);
  }

  async usage(bucket: string, windows: readonly RateWindow[]): Promise<RateUsage> {
    const now = this.db.clock.now();
    const row = await this.db.row(
      `SELECT (SELECT count(*) FROM rate_permits
                WHERE bucket = $1 AND released_at IS NULL AND lease_expires_at > $2) AS in_flight,
              (SELECT paused_until FROM rate_buckets WHERE bucket = $1) AS paused_until,
              ARRAY(SELECT (SELECT COALESCE(sum(weight), 0) FROM rate_permits
                             WHERE bucket = $1 AND COALESCE(released_at, lease_expires_at) > $2::bigint - span)
                      FROM unnest($3::bigint[]) WITH ORDINALITY AS w (span, n) ORDER BY n) AS used`,
      [bucket, now, windows.map((w) => String(w.spanMs))],
    );
    const paused = Number(row?.paused_until ?? 0);
    return {
      inFlight: Number(row?.in_flight ?? 0),
      used: ((row?.used as unknown[]) ?? []).map(Number),
      pausedUntil: paused > now ? paused : null,
    };
  }
}
