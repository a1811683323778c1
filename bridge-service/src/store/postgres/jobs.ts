import {
  INTERRUPTED,
  JOB_STATES,
  OPEN_JOB_STATES,
  type ClaimOptions,
  type GivenUpJob,
  type Job,
  type JobFilter,
  type JobRepository,
  type JobState,
  type NewJob,
  type OpenJobState,
  type PruneDoneJobs,
  type PrunedBatch,
} from '../jobs';
import { toJob } from '../rows';
import type { Param, PgDatabase } from './database';

/**
 * A scrape's job counts, by state (parameter: org id). Each branch reads a partial index that holds only its states
 * (jobs_runnable, jobs_owner or jobs_leased, jobs_dead); counting all states at once read every done job too (0.7-1.2 s
 * a scrape at 2,000,000 jobs, review 13).
 */
export const OPEN_JOB_COUNTS_SQL = `
  SELECT state, COUNT(*) AS n FROM jobs WHERE org_id = $1 AND state IN ('queued', 'failed') GROUP BY state
  UNION ALL SELECT 'running', COUNT(*) FROM jobs WHERE org_id = $1 AND state = 'running'
  UNION ALL SELECT 'dead', COUNT(*) FROM jobs WHERE org_id = $1 AND state = 'dead'`;

/** When the oldest pending job was stored (parameter: org id), on the same partial indexes. */
export const OLDEST_PENDING_SQL = `
  SELECT MIN(at) AS at FROM (
    SELECT MIN(created_at) AS at FROM jobs WHERE org_id = $1 AND state IN ('queued', 'failed')
    UNION ALL SELECT MIN(created_at) FROM jobs WHERE org_id = $1 AND state = 'running') pending`;

/**
 * One batch of the retention prune (parameters: org id, before, limit, kinds kept, from): a range of jobs_done, the
 * partial index of done jobs by when they finished (migration 7), oldest first from where the last batch ended, then
 * each deleted by its id; returns how many and the last one's updated_at (where the next batch resumes). From there,
 * not from the oldest: the kept kinds' jobs are the oldest, and each batch read all of them again, each a heap fetch
 * (action is not in the index; review 14). `>=`, not `>`: a batch may stop inside a run of jobs finished at the same
 * millisecond. As an array, not `id IN (SELECT …)`: the planner joined that to a scan of the whole table.
 */
export const PRUNE_DONE_JOBS_SQL = `WITH gone AS (
  DELETE FROM jobs WHERE id = ANY (ARRAY(
    SELECT id FROM jobs
     WHERE org_id = $1 AND state = 'done' AND updated_at >= $5 AND updated_at < $2 AND action <> ALL ($4::text[])
     ORDER BY updated_at LIMIT $3))
  RETURNING updated_at)
SELECT COUNT(*) AS pruned, MAX(updated_at) AS resume_at FROM gone`;

/**
 * The given-up jobs of one kind under some key prefixes (parameters: org id, kind, then per prefix length its length and
 * the prefixes of that length), each with whether Xero answered it. On jobs_dead (org_id, action, id), the kind's dead
 * jobs, each key compared by equality of its start (byte-exact and case-sensitive whatever the database's collation;
 * LIKE and ranges on the key's index are not): one round trip, the jobs sent back only those asked about. Xero's answer
 * is looked up for those only, by its key (LATERAL … LIMIT 1: as EXISTS the planner may hash all of xero_results).
 */
export function givenUpByKeyPrefixSql(prefixLengths: number): string {
  const starts = Array.from(
    { length: prefixLengths },
    (_, n) => `left(j.key, $${3 + 2 * n}) = ANY ($${4 + 2 * n}::text[])`,
  );
  return `SELECT j.*, x.found IS NOT NULL AS after_xero
    FROM jobs j
    LEFT JOIN LATERAL (SELECT true AS found FROM xero_results x
                        WHERE x.org_id = j.org_id AND x.request_key = j.key LIMIT 1) x ON true
   WHERE j.org_id = $1 AND j.action = $2 AND j.state = 'dead' AND (${starts.join(' OR ')})
   ORDER BY j.id`;
}

/**
 * Candidates a claim reads per branch, for each job it may take: a claimer racing another for the same kind skips the
 * rows the other has locked and still finds its own, as one scan of every due job did.
 */
export const CLAIM_CANDIDATES = 4;

/**
 * A claim of `kinds` kinds (0: any), one statement and one round trip. Parameters: org id, now, limit, owner, lease
 * ms, then each kind. The candidates are index seeks, each in run order and limited: queued and failed jobs that are
 * due (jobs_due per kind, migration 5; jobs_runnable for any), and running ones whose lease expired. One query with
 * an OR of states and an action filter was a sequential scan of the whole table (done jobs too) and a sort of the
 * kind's due jobs, every claim. The candidates are then locked with their conditions checked again (another claimer
 * may have taken one meanwhile); rows another claimer has locked are skipped, not waited for.
 */
export function claimSql(kinds: number): string {
  const candidates = `LIMIT ${CLAIM_CANDIDATES} * $3::bigint`;
  const byKind = (n: number) => (kinds > 0 ? `AND action = $${6 + n}` : '');
  const branches = (kinds > 0 ? Array.from({ length: kinds }, (_, n) => n) : [0]).flatMap((n) => [
    `(SELECT id FROM jobs WHERE org_id = $1 ${byKind(n)} AND state IN ('queued', 'failed') AND next_run_at <= $2
       ORDER BY next_run_at, id ${candidates})`,
    `(SELECT id FROM jobs WHERE org_id = $1 ${byKind(n)} AND state = 'running' AND lease_expires_at <= $2
       ORDER BY next_run_at, id ${candidates})`,
  ]);
  return `WITH candidates AS (${branches.join(' UNION ALL ')}),
     due AS (
       SELECT jobs.id FROM jobs JOIN candidates ON candidates.id = jobs.id
        WHERE jobs.org_id = $1
          AND ((jobs.state IN ('queued', 'failed') AND jobs.next_run_at <= $2)
               OR (jobs.state = 'running' AND jobs.lease_expires_at <= $2))
        ORDER BY jobs.next_run_at, jobs.id
        LIMIT $3
        FOR UPDATE OF jobs SKIP LOCKED)
   UPDATE jobs SET state = 'running', lease_owner = $4, lease_expires_at = $2::bigint + $5::bigint,
          attempts = attempts + 1, updated_at = $2
     FROM due WHERE jobs.id = due.id
   RETURNING jobs.*`;
}

/** The job queue on PostgreSQL: claims are one UPDATE over rows picked with FOR UPDATE SKIP LOCKED (claimSql). */
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
    const kinds = opts.actions ?? [];
    const rows = await this.db.rows(claimSql(kinds.length), [
      this.orgId,
      now,
      opts.limit,
      opts.owner,
      opts.leaseMs,
      ...kinds,
    ]);
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

  async retryJob(id: number, payload?: unknown): Promise<Job | null> {
    const row = await this.db.row(
      `UPDATE jobs SET state = 'queued', next_run_at = $1, lease_owner = NULL, lease_expires_at = NULL, updated_at = $1,
          payload = COALESCE($4, payload), attempts = 0
        WHERE org_id = $2 AND id = $3 AND state IN ('failed', 'dead')
       RETURNING *`,
      [this.now(), this.orgId, id, payload === undefined ? null : JSON.stringify(payload)],
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

  async unfinishedJobs(action: string): Promise<Job[]> {
    // Each branch on a partial index (jobs_due for queued and failed, jobs_owner for running): done jobs are never read.
    const rows = await this.db.rows(
      `SELECT * FROM jobs WHERE org_id = $1 AND action = $2 AND state IN ('queued', 'failed')
       UNION ALL
       SELECT * FROM jobs WHERE org_id = $1 AND action = $2 AND state = 'running'
       ORDER BY id`,
      [this.orgId, action],
    );
    return rows.map(toJob);
  }

  async givenUpByKeyPrefix(action: string, keyPrefixes: readonly string[]): Promise<GivenUpJob[]> {
    if (keyPrefixes.length === 0) return [];
    if (keyPrefixes.includes('')) throw new Error('givenUpByKeyPrefix: an empty key prefix');
    const byLength = Map.groupBy(new Set(keyPrefixes), (prefix) => prefix.length);
    const rows = await this.db.rows(givenUpByKeyPrefixSql(byLength.size), [
      this.orgId,
      action,
      ...[...byLength].flatMap(([length, prefixes]) => [length, prefixes]),
    ]);
    return rows.map((row) => ({ ...toJob(row), afterXero: row.after_xero === true }));
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

  async countOpenJobsByState(): Promise<Record<OpenJobState, number>> {
    const counts: Record<OpenJobState, number> = { queued: 0, running: 0, failed: 0, dead: 0 };
    for (const row of await this.db.rows(OPEN_JOB_COUNTS_SQL, [this.orgId])) {
      const state = OPEN_JOB_STATES.find((s) => s === row.state);
      if (state) counts[state] = Number(row.n);
    }
    return counts;
  }

  async oldestPendingJobAt(): Promise<number | null> {
    const row = await this.db.row(OLDEST_PENDING_SQL, [this.orgId]);
    return row?.at === null || row?.at === undefined ? null : Number(row.at);
  }

  async pruneDoneJobs({ before, limit, keepActions = [], from }: PruneDoneJobs): Promise<PrunedBatch> {
    if (limit <= 0) return { pruned: 0, resumeAt: from };
    const row = await this.db.row(PRUNE_DONE_JOBS_SQL, [
      this.orgId,
      before,
      limit,
      keepActions,
      from ?? Number.MIN_SAFE_INTEGER,
    ]);
    const pruned = Number(row?.pruned ?? 0);
    return { pruned, resumeAt: pruned > 0 ? Number(row?.resume_at) : from };
  }
}
