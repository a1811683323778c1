import type { SQLInputValue } from 'node:sqlite';
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
import type { SqliteDatabase } from './database';

/**
 * A scrape's job counts, by state (parameter: org id): one seek per state on an index that begins (org_id, state)
 * (jobs_runnable, jobs_lease), so the done jobs the table keeps are never read.
 */
export const OPEN_JOB_COUNTS_SQL = `SELECT state, COUNT(*) AS n FROM jobs
  WHERE org_id = ? AND state IN ('queued', 'running', 'failed', 'dead') GROUP BY state`;

/** When the oldest pending job was stored (parameter: org id): a seek per state, as the counts. */
export const OLDEST_PENDING_SQL =
  "SELECT MIN(created_at) AS at FROM jobs WHERE org_id = ? AND state IN ('queued', 'running', 'failed')";

/**
 * One batch of the retention prune (parameters: org id, from, before, before, each kept kind, limit), returning each
 * deleted job's next_run_at (the largest is where the next batch resumes). A seek on jobs_runnable (org_id, state,
 * next_run_at), no index of its own: a done job ran after it was due, so its next_run_at is at most its updated_at, and
 * `from <= next_run_at < before` bounds the range the seek reads to the done jobs that can go and the kept ones
 * between them. From where the last batch ended, not from the oldest: the kept kinds' jobs are the oldest, and each
 * batch read all of them again (300,000 kept: about 50 ms a statement, review 14). `>=`, not `>`: a batch may stop
 * inside a run of jobs due at the same millisecond.
 */
export function pruneDoneJobsSql(keptKinds: number): string {
  const keep = keptKinds > 0 ? `AND action NOT IN (${Array.from({ length: keptKinds }, () => '?').join(', ')})` : '';
  return `DELETE FROM jobs WHERE id IN (
    SELECT id FROM jobs
     WHERE org_id = ? AND state = 'done' AND next_run_at >= ? AND next_run_at < ? AND updated_at < ? ${keep}
     ORDER BY next_run_at LIMIT ?)
  RETURNING next_run_at`;
}

/**
 * The given-up jobs of one kind under some key prefixes (parameters: JSON [[prefix, its upper bound], …], org id, kind),
 * each with whether Xero answered it. For each prefix a range seek on the key's unique index (org_id, key): the keys
 * that start with it, whatever their state, so the cost follows the prefixes asked about, not the kind's dead jobs
 * (never pruned; reading them all was 41 pages and 0.8 s at 20,000, review 14). BINARY collation: the range is exactly
 * the keys with the prefix, case-sensitive (LIKE is not).
 */
export const GIVEN_UP_BY_KEY_PREFIX_SQL = `SELECT j.*,
    EXISTS (SELECT 1 FROM xero_results x WHERE x.org_id = j.org_id AND x.request_key = j.key) AS after_xero
  FROM json_each(?) AS prefix CROSS JOIN jobs AS j
 WHERE j.org_id = ? AND j.key >= prefix.value ->> 0 AND j.key < prefix.value ->> 1
   AND j.action = ? AND j.state = 'dead'
 ORDER BY j.id`;

/** What a claim takes: queued and failed jobs that are due, and running ones whose lease expired. */
export const CLAIM_BRANCHES = ['queued', 'failed', 'expired lease'] as const;
type ClaimBranch = (typeof CLAIM_BRANCHES)[number];

/**
 * One branch of a claim, oldest due first. Each is a seek on an index that holds the rows in that order (jobs_due
 * by kind, jobs_runnable without one; migration 7): with an OR of states and ORDER BY over all, SQLite chose the
 * kind's index, read every job of the kind and sorted them, 13 ms a claim with 100,000 queued (bench memory section).
 * Parameters: org id, the kind (when `byKind`), now, limit.
 */
export function claimSql(branch: ClaimBranch, byKind: boolean): string {
  const kind = byKind ? 'AND action = ?' : '';
  const when =
    branch === 'expired lease'
      ? "state = 'running' AND lease_expires_at <= ?"
      : `state = '${branch}' AND next_run_at <= ?`;
  return `SELECT id, next_run_at FROM jobs WHERE org_id = ? ${kind} AND ${when} ORDER BY next_run_at, id LIMIT ?`;
}

/** The job queue on SQLite: claims and lease take-overs in BEGIN IMMEDIATE transactions. */
export class SqliteJobs implements JobRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly orgId: string,
  ) {}

  private now(): number {
    return this.db.clock.now();
  }

  async enqueueJob<P>(input: NewJob<P>): Promise<{ job: Job<P>; created: boolean }> {
    const now = this.now();
    const inserted = this.db.run(
      `INSERT INTO jobs (org_id, key, action, payload, tenant_id, state, attempts, next_run_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)
       ON CONFLICT (org_id, key) DO NOTHING`,
      this.orgId,
      input.key,
      input.action,
      JSON.stringify(input.payload ?? null),
      input.tenantId ?? null,
      input.runAt ?? now,
      now,
      now,
    );
    const row = this.db.get('SELECT * FROM jobs WHERE org_id = ? AND key = ?', this.orgId, input.key);
    if (!row) throw new Error(`enqueueJob: job ${input.key} vanished`);
    const { payload, ...job } = toJob(row);
    // The stored payload is the one enqueued under this key (by this call or an earlier one): JSON of a P.
    return { job: { ...job, payload: payload as P }, created: inserted.changes > 0 };
  }

  async claimJobs(opts: ClaimOptions): Promise<Job[]> {
    if (opts.limit <= 0) return [];
    return this.db.transaction(() => {
      const now = this.now();
      const kinds: readonly (string | null)[] = opts.actions && opts.actions.length > 0 ? opts.actions : [null];
      // One seek per kind and state, each in run order and limited (claimSql), merged here: a claim reads at most
      // `limit` rows per branch however long the backlog.
      const due = kinds
        .flatMap((action) =>
          CLAIM_BRANCHES.flatMap((branch) =>
            this.db.all(
              claimSql(branch, action !== null),
              this.orgId,
              ...(action !== null ? [action] : []),
              now,
              opts.limit,
            ),
          ),
        )
        .map((row) => ({ id: Number(row.id), nextRunAt: Number(row.next_run_at) }))
        .sort((a, b) => a.nextRunAt - b.nextRunAt || a.id - b.id)
        .slice(0, opts.limit);
      const claimed: Job[] = [];
      for (const { id } of due) {
        const row = this.db.get(
          `UPDATE jobs SET state = 'running', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1,
                  updated_at = ?
            WHERE id = ? RETURNING *`,
          opts.owner,
          now + opts.leaseMs,
          now,
          Number(id),
        );
        if (row) claimed.push(toJob(row));
      }
      return claimed;
    });
  }

  async releaseJobLeases(owner: string): Promise<number> {
    const now = this.now();
    return Number(
      this.db.run(
        `UPDATE jobs SET state = 'queued', next_run_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?,
                attempts = MAX(attempts - 1, 0), last_error = COALESCE(last_error, ?)
          WHERE org_id = ? AND state = 'running' AND lease_owner = ?`,
        now,
        now,
        INTERRUPTED,
        this.orgId,
        owner,
      ).changes,
    );
  }

  async heartbeatJob(id: number, owner: string, leaseMs: number): Promise<boolean> {
    const now = this.now();
    return (
      this.db.run(
        `UPDATE jobs SET lease_expires_at = ?, updated_at = ?
          WHERE org_id = ? AND id = ? AND state = 'running' AND lease_owner = ?`,
        now + leaseMs,
        now,
        this.orgId,
        id,
        owner,
      ).changes > 0
    );
  }

  async completeJob(id: number, owner: string, result?: unknown): Promise<boolean> {
    return (
      this.db.run(
        `UPDATE jobs SET state = 'done', result = ?, last_error = NULL, lease_owner = NULL, lease_expires_at = NULL,
                updated_at = ?
          WHERE org_id = ? AND id = ? AND state = 'running' AND lease_owner = ?`,
        result === undefined ? null : JSON.stringify(result),
        this.now(),
        this.orgId,
        id,
        owner,
      ).changes > 0
    );
  }

  async failJob(id: number, owner: string, error: string, retryAt: number | null): Promise<boolean> {
    const now = this.now();
    return (
      this.db.run(
        `UPDATE jobs SET state = ?, last_error = ?, next_run_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                updated_at = ?
          WHERE org_id = ? AND id = ? AND state = 'running' AND lease_owner = ?`,
        retryAt === null ? 'dead' : 'failed',
        error,
        retryAt ?? now,
        now,
        this.orgId,
        id,
        owner,
      ).changes > 0
    );
  }

  async deferJob(id: number, owner: string, reason: string, runAt: number): Promise<boolean> {
    return (
      this.db.run(
        `UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0), last_error = ?, next_run_at = ?,
                lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
          WHERE org_id = ? AND id = ? AND state = 'running' AND lease_owner = ?`,
        reason,
        runAt,
        this.now(),
        this.orgId,
        id,
        owner,
      ).changes > 0
    );
  }

  async setJobTenant(id: number, tenantId: string): Promise<void> {
    this.db.run(
      'UPDATE jobs SET tenant_id = ?, updated_at = ? WHERE org_id = ? AND id = ?',
      tenantId,
      this.now(),
      this.orgId,
      id,
    );
  }

  async retryJob(id: number, payload?: unknown): Promise<Job | null> {
    const now = this.now();
    const changed = this.db.run(
      `UPDATE jobs SET state = 'queued', next_run_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?,
          payload = COALESCE(?, payload), attempts = 0
        WHERE org_id = ? AND id = ? AND state IN ('failed', 'dead')`,
      now,
      now,
      payload === undefined ? null : JSON.stringify(payload),
      this.orgId,
      id,
    ).changes;
    return changed > 0 ? this.getJob(id) : null;
  }

  async getJob(id: number): Promise<Job | null> {
    const row = this.db.get('SELECT * FROM jobs WHERE org_id = ? AND id = ?', this.orgId, id);
    return row ? toJob(row) : null;
  }

  async getJobByKey(key: string): Promise<Job | null> {
    const row = this.db.get('SELECT * FROM jobs WHERE org_id = ? AND key = ?', this.orgId, key);
    return row ? toJob(row) : null;
  }

  async unfinishedJobs(action: string): Promise<Job[]> {
    // A seek on jobs_due (org_id, action, state, …): done jobs of the kind are never read.
    return this.db
      .all(
        `SELECT * FROM jobs WHERE org_id = ? AND action = ? AND state IN ('queued', 'running', 'failed') ORDER BY id`,
        this.orgId,
        action,
      )
      .map(toJob);
  }

  async givenUpByKeyPrefix(action: string, keyPrefixes: readonly string[]): Promise<GivenUpJob[]> {
    if (keyPrefixes.length === 0) return [];
    const ranges = JSON.stringify([...new Set(keyPrefixes)].map((prefix) => [prefix, keysAfterPrefix(prefix)]));
    const byId = new Map<number, GivenUpJob>();
    for (const row of this.db.all(GIVEN_UP_BY_KEY_PREFIX_SQL, ranges, this.orgId, action)) {
      byId.set(Number(row.id), { ...toJob(row), afterXero: Number(row.after_xero) === 1 });
    }
    // A job under two prefixes (one the other's start) once, still oldest first.
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }

  async listJobs(filter: JobFilter = {}): Promise<Job[]> {
    const where: string[] = ['org_id = ?'];
    const params: SQLInputValue[] = [this.orgId];
    if (filter.states && filter.states.length > 0) {
      where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
      params.push(...filter.states);
    }
    if (filter.action !== undefined) {
      where.push('action = ?');
      params.push(filter.action);
    }
    if (filter.tenantId !== undefined) {
      where.push('tenant_id = ?');
      params.push(filter.tenantId);
    }
    if (filter.beforeId !== undefined) {
      where.push('id < ?');
      params.push(filter.beforeId);
    }
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    const sql = `SELECT * FROM jobs WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`;
    return this.db.all(sql, ...params, limit).map(toJob);
  }

  async countJobsByState(): Promise<Record<JobState, number>> {
    const counts: Record<JobState, number> = { queued: 0, running: 0, done: 0, failed: 0, dead: 0 };
    for (const row of this.db.all(
      'SELECT state, COUNT(*) AS n FROM jobs WHERE org_id = ? GROUP BY state',
      this.orgId,
    )) {
      const state = JOB_STATES.find((s) => s === row.state);
      if (state) counts[state] = Number(row.n);
    }
    return counts;
  }

  async countOpenJobsByState(): Promise<Record<OpenJobState, number>> {
    const counts: Record<OpenJobState, number> = { queued: 0, running: 0, failed: 0, dead: 0 };
    for (const row of this.db.all(OPEN_JOB_COUNTS_SQL, this.orgId)) {
      const state = OPEN_JOB_STATES.find((s) => s === row.state);
      if (state) counts[state] = Number(row.n);
    }
    return counts;
  }

  async oldestPendingJobAt(): Promise<number | null> {
    const row = this.db.get(OLDEST_PENDING_SQL, this.orgId);
    return row?.at === null || row?.at === undefined ? null : Number(row.at);
  }

  async pruneDoneJobs({ before, limit, keepActions = [], from }: PruneDoneJobs): Promise<PrunedBatch> {
    if (limit <= 0) return { pruned: 0, resumeAt: from };
    const sql = pruneDoneJobsSql(keepActions.length);
    const deleted = this.db.all(
      sql,
      this.orgId,
      from ?? Number.MIN_SAFE_INTEGER,
      before,
      before,
      ...keepActions,
      limit,
    );
    const ends = deleted.map((row) => Number(row.next_run_at));
    return { pruned: deleted.length, resumeAt: ends.length > 0 ? Math.max(...ends) : from };
  }
}

/**
 * The least string above every string that starts with `prefix`, in code point order (SQLite's BINARY collation
 * compares UTF-8 bytes, which is that order): the prefix with its last character raised by one.
 */
function keysAfterPrefix(prefix: string): string {
  const chars = [...prefix];
  const last = chars.pop()?.codePointAt(0);
  if (last === undefined) throw new Error('givenUpByKeyPrefix: an empty key prefix');
  return chars.join('') + String.fromCodePoint(last + 1);
}
