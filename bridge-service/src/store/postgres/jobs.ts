import {
  INTERRUPTED,
  JOB_STATES,
  type ClaimOptions,
  type Job,
  type JobFilter,
  type JobRepository,
  type JobState,
  type NewJob,
} from '../jobs';
import { toJob } from '../rows';
import type { Param, PgDatabase } from './database';

/** The job queue on PostgreSQL: claims are one UPDATE over rows picked with FOR UPDATE SKIP LOCKED. */
export class PgJobs implements JobRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly orgId: string,
  ) {}

  private now(): number {
    return this.db.clock.now();
  }

  async enqueueJob<P>(input: NewJob<P>): Promise<{ job: Job<P>; created: boolean }> {
    const now = this.now();
    const inserted = await this.db.row(
      `INSERT INTO jobs (org_id, key, action, payload, tenant_id, state, attempts, next_run_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $7, $7)
       ON CONFLICT (org_id, key) DO NOTHING
       RETURNING *`,
      [
        this.orgId,
        input.key,
        input.action,
        JSON.stringify(input.payload ?? null),
        input.tenantId ?? null,
        input.runAt ?? now,
        now,
      ],
    );
    const row =
      inserted ?? (await this.db.row('SELECT * FROM jobs WHERE org_id = $1 AND key = $2', [this.orgId, input.key]));
    if (!row) throw new Error(`enqueueJob: job ${input.key} vanished`);
    const { payload, ...job } = toJob(row);
    // The stored payload is the one enqueued under this key (by this call or an earlier one): JSON of a P.
    return { job: { ...job, payload: payload as P }, created: inserted !== undefined };
  }

  async claimJobs(opts: ClaimOptions): Promise<Job[]> {
    if (opts.limit <= 0) return [];
    const now = this.now();
    const actions = opts.actions && opts.actions.length > 0 ? opts.actions : null;
    // Rows another claimer has locked are skipped, not waited for; one statement, one round trip.
    const rows = await this.db.rows(
      `WITH due AS (
         SELECT id FROM jobs
          WHERE org_id = $1
            AND ((state IN ('queued', 'failed') AND next_run_at <= $2)
                 OR (state = 'running' AND lease_expires_at <= $2))
            AND ($3::text[] IS NULL OR action = ANY ($3::text[]))
          ORDER BY next_run_at, id
          LIMIT $4
          FOR UPDATE SKIP LOCKED)
       UPDATE jobs SET state = 'running', lease_owner = $5, lease_expires_at = $2::bigint + $6::bigint,
              attempts = attempts + 1, updated_at = $2
         FROM due WHERE jobs.id = due.id
       RETURNING jobs.*`,
      [this.orgId, now, actions, opts.limit, opts.owner, opts.leaseMs],
    );
    return rows.map(toJob).sort((a, b) => a.nextRunAt - b.nextRunAt || a.id - b.id);
  }

  async releaseJobLeases(owner: string): Promise<number> {
    const now = this.now();
    return this.db.run(
      `UPDATE jobs SET state = 'queued', next_run_at = $1, lease_owner = NULL, lease_expires_at = NULL, updated_at = $1,
              attempts = GREATEST(attempts - 1, 0), last_error = COALESCE(last_error, $2)
        WHERE org_id = $3 AND state = 'running' AND lease_owner = $4`,
      [now, INTERRUPTED, this.orgId, owner],
    );
  }

  async heartbeatJob(id: number, owner: string, leaseMs: number): Promise<boolean> {
    const now = this.now();
    return (
      (await this.db.run(
        `UPDATE jobs SET lease_expires_at = $1, updated_at = $2
          WHERE org_id = $3 AND id = $4 AND state = 'running' AND lease_owner = $5`,
        [now + leaseMs, now, this.orgId, id, owner],
      )) > 0
    );
  }

  async completeJob(id: number, owner: string, result?: unknown): Promise<boolean> {
    return (
      (await this.db.run(
        `UPDATE jobs SET state = 'done', result = $1, last_error = NULL, lease_owner = NULL, lease_expires_at = NULL,
                updated_at = $2
          WHERE org_id = $3 AND id = $4 AND state = 'running' AND lease_owner = $5`,
        [result === undefined ? null : JSON.stringify(result), this.now(), this.orgId, id, owner],
      )) > 0
    );
  }

  async failJob(id: number, owner: string, error: string, retryAt: number | null): Promise<boolean> {
    const now = this.now();
    return (
      (await this.db.run(
        `UPDATE jobs SET state = $1, last_error = $2, next_run_at = $3, lease_owner = NULL, lease_expires_at = NULL,
                updated_at = $4
          WHERE org_id = $5 AND id = $6 AND state = 'running' AND lease_owner = $7`,
        [retryAt === null ? 'dead' : 'failed', error, retryAt ?? now, now, this.orgId, id, owner],
      )) > 0
    );
  }

  async deferJob(id: number, owner: string, reason: string, runAt: number): Promise<boolean> {
    return (
      (await this.db.run(
        `UPDATE jobs SET state = 'queued', attempts = GREATEST(attempts - 1, 0), last_error = $1, next_run_at = $2,
                lease_owner = NULL, lease_expires_at = NULL, updated_at = $3
          WHERE org_id = $4 AND id = $5 AND state = 'running' AND lease_owner = $6`,
        [reason, runAt, this.now(), this.orgId, id, owner],
      )) > 0
    );
  }

  async setJobTenant(id: number, tenantId: string): Promise<void> {
    await this.db.run('UPDATE jobs SET tenant_id = $1, updated_at = $2 WHERE org_id = $3 AND id = $4', [
      tenantId,
      this.now(),
      this.orgId,
      id,
    ]);
  }

  async retryJob(id: number): Promise<Job | null> {
    const row = await this.db.row(
      `UPDATE jobs SET state = 'queued', next_run_at = $1, lease_owner = NULL, lease_expires_at = NULL, updated_at = $1
        WHERE org_id = $2 AND id = $3 AND state IN ('failed', 'dead')
       RETURNING *`,
      [this.now(), this.orgId, id],
    );
    return row ? toJob(row) : null;
  }

  async getJob(id: number): Promise<Job | null> {
    const row = await this.db.row('SELECT * FROM jobs WHERE org_id = $1 AND id = $2', [this.orgId, id]);
    return row ? toJob(row) : null;
  }

  async getJobByKey(key: string): Promise<Job | null> {
    const row = await this.db.row('SELECT * FROM jobs WHERE org_id = $1 AND key = $2', [this.orgId, key]);
    return row ? toJob(row) : null;
  }

  async listJobs(filter: JobFilter = {}): Promise<Job[]> {
    const params: Param[] = [this.orgId];
    const where = ['org_id = $1'];
    const add = (clause: (n: string) => string, value: Param) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (filter.states && filter.states.length > 0) add((n) => `state = ANY (${n}::text[])`, filter.states);
    if (filter.action !== undefined) add((n) => `action = ${n}`, filter.action);
    if (filter.tenantId !== undefined) add((n) => `tenant_id = ${n}`, filter.tenantId);
    if (filter.beforeId !== undefined) add((n) => `id < ${n}`, filter.beforeId);
    params.push(Math.min(Math.max(filter.limit ?? 50, 1), 500));
    const rows = await this.db.rows(
      `SELECT * FROM jobs WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toJob);
  }

  async countJobsByState(): Promise<Record<JobState, number>> {
    const counts: Record<JobState, number> = { queued: 0, running: 0, done: 0, failed: 0, dead: 0 };
    for (const row of await this.db.rows('SELECT state, COUNT(*) AS n FROM jobs WHERE org_id = $1 GROUP BY state', [
      this.orgId,
    ])) {
      const state = JOB_STATES.find((s) => s === row.state);
      if (state) counts[state] = Number(row.n);
    }
    return counts;
  }

  async oldestPendingJobAt(): Promise<number | null> {
    const row = await this.db.row(
      "SELECT MIN(created_at) AS at FROM jobs WHERE org_id = $1 AND state IN ('queued', 'running', 'failed')",
      [this.orgId],
    );
    return row?.at === null || row?.at === undefined ? null : Number(row.at);
  }
}
