import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { systemClock, type Clock } from '../lib/clock';
import { SecretBox } from './crypto';
import { MIGRATIONS, type Migration } from './migrations';
import {
  JOB_STATES,
  type ClaimOptions,
  type Job,
  type JobFilter,
  type JobState,
  type NewJob,
  type Store,
  type Watermark,
  type XeroConnection,
  type XeroConnectionStatus,
  type XeroObjectKind,
  type XeroResult,
  type XeroTenantLink,
  type XeroTokenSet,
} from './types';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' (tests only: a memory DB is private to one connection). */
  path: string;
  /** 32-byte key for token sets at rest. */
  encryptionKey: Buffer;
  clock?: Pick<Clock, 'now'>;
  /** How long a write waits for another process's lock before SQLITE_BUSY. Default 5000 ms. */
  busyTimeoutMs?: number;
  migrations?: readonly Migration[];
}

type Row = Record<string, unknown>;

/**
 * The Store on SQLite via node:sqlite: WAL (readers never block the writer), busy_timeout so processes
 * sharing the file queue for the write lock, and BEGIN IMMEDIATE around every read-then-write so two
 * processes cannot both claim a job or a lease.
 */

/** last_error of a job whose run was cut short by the bridge stopping (set when a restart takes it back). */
export const INTERRUPTED = 'interrupted: the bridge stopped while this job ran';
export class SqliteStore implements Store {
  private readonly db: DatabaseSync;
  private readonly box: SecretBox;
  private readonly clock: Pick<Clock, 'now'>;
  private closed = false;

  constructor(opts: SqliteStoreOptions) {
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    this.db = new DatabaseSync(opts.path);
    this.box = new SecretBox(opts.encryptionKey);
    this.clock = opts.clock ?? systemClock;
    this.db.exec(`PRAGMA busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 5000)}`);
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec('PRAGMA foreign_keys = ON');
    this.migrate(opts.migrations ?? MIGRATIONS);
  }

  /** Applied migration versions, oldest first. */
  appliedMigrations(): number[] {
    return this.all('SELECT version FROM schema_migrations ORDER BY version').map((r) => Number(r.version));
  }

  // ── jobs ──────────────────────────────────────────────────────────────────────────────────────────────

  async enqueueJob<P>(input: NewJob<P>): Promise<{ job: Job<P>; created: boolean }> {
    const now = this.clock.now();
    const inserted = this.run(
      `INSERT INTO jobs (key, action, payload, tenant_id, state, attempts, next_run_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?)
       ON CONFLICT (key) DO NOTHING`,
      input.key,
      input.action,
      JSON.stringify(input.payload ?? null),
      input.tenantId ?? null,
      input.runAt ?? now,
      now,
      now,
    );
    const job = this.get('SELECT * FROM jobs WHERE key = ?', input.key);
    if (!job) throw new Error(`enqueueJob: job ${input.key} vanished`);
    return { job: toJob(job) as Job<P>, created: inserted.changes > 0 };
  }

  async claimJobs(opts: ClaimOptions): Promise<Job[]> {
    if (opts.limit <= 0) return [];
    return this.transaction(() => {
      const now = this.clock.now();
      const actions = opts.actions ?? [];
      const actionFilter = actions.length > 0 ? `AND action IN (${actions.map(() => '?').join(', ')})` : '';
      const due = this.all(
        `SELECT id FROM jobs
          WHERE ((state IN ('queued', 'failed') AND next_run_at <= ?)
                 OR (state = 'running' AND lease_expires_at <= ?))
            ${actionFilter}
          ORDER BY next_run_at, id
          LIMIT ?`,
        now,
        now,
        ...actions,
        opts.limit,
      );
      const claimed: Job[] = [];
      for (const { id } of due) {
        this.run(
          `UPDATE jobs SET state = 'running', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1,
                  updated_at = ?
            WHERE id = ?`,
          opts.owner,
          now + opts.leaseMs,
          now,
          id as number,
        );
        const row = this.get('SELECT * FROM jobs WHERE id = ?', id as number);
        if (row) claimed.push(toJob(row));
      }
      return claimed;
    });
  }

  async releaseJobLeases(owner: string): Promise<number> {
    const now = this.clock.now();
    return Number(
      this.run(
        // The attempt our crash cut short did not fail: it does not count towards giving up. It may have reached
        // Xero, though: last_error says so, and handlers treat such a job as a retry (look before writing again).
        `UPDATE jobs SET state = 'queued', next_run_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?,
                attempts = MAX(attempts - 1, 0), last_error = COALESCE(last_error, ?)
          WHERE state = 'running' AND lease_owner = ?`,
        now,
        now,
        INTERRUPTED,
        owner,
      ).changes,
    );
  }

  async heartbeatJob(id: number, owner: string, leaseMs: number): Promise<boolean> {
    const now = this.clock.now();
    return (
      this.run(
        `UPDATE jobs SET lease_expires_at = ?, updated_at = ?
          WHERE id = ? AND state = 'running' AND lease_owner = ?`,
        now + leaseMs,
        now,
        id,
        owner,
      ).changes > 0
    );
  }

  async completeJob(id: number, owner: string, result?: unknown): Promise<boolean> {
    return (
      this.run(
        `UPDATE jobs SET state = 'done', result = ?, last_error = NULL, lease_owner = NULL, lease_expires_at = NULL,
                updated_at = ?
          WHERE id = ? AND state = 'running' AND lease_owner = ?`,
        result === undefined ? null : JSON.stringify(result),
        this.clock.now(),
        id,
        owner,
      ).changes > 0
    );
  }

  async failJob(id: number, owner: string, error: string, retryAt: number | null): Promise<boolean> {
    const now = this.clock.now();
    return (
      this.run(
        `UPDATE jobs SET state = ?, last_error = ?, next_run_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                updated_at = ?
          WHERE id = ? AND state = 'running' AND lease_owner = ?`,
        retryAt === null ? 'dead' : 'failed',
        error,
        retryAt ?? now,
        now,
        id,
        owner,
      ).changes > 0
    );
  }

  async setJobTenant(id: number, tenantId: string): Promise<void> {
    this.run('UPDATE jobs SET tenant_id = ?, updated_at = ? WHERE id = ?', tenantId, this.clock.now(), id);
  }

  async retryJob(id: number): Promise<Job | null> {
    const now = this.clock.now();
    const changed = this.run(
      `UPDATE jobs SET state = 'queued', next_run_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
        WHERE id = ? AND state IN ('failed', 'dead')`,
      now,
      now,
      id,
    ).changes;
    return changed > 0 ? this.getJob(id) : null;
  }

  async getJob(id: number): Promise<Job | null> {
    const row = this.get('SELECT * FROM jobs WHERE id = ?', id);
    return row ? toJob(row) : null;
  }

  async getJobByKey(key: string): Promise<Job | null> {
    const row = this.get('SELECT * FROM jobs WHERE key = ?', key);
    return row ? toJob(row) : null;
  }

  async listJobs(filter: JobFilter = {}): Promise<Job[]> {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
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
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.all(sql, ...params, limit).map(toJob);
  }

  async countJobsByState(): Promise<Record<JobState, number>> {
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const row of this.all('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state')) {
      counts[row.state as JobState] = Number(row.n);
    }
    return counts;
  }

  // ── request keys → Xero ids ───────────────────────────────────────────────────────────────────────────

  async recordXeroResult(result: Omit<XeroResult, 'createdAt'>): Promise<XeroResult> {
    this.run(
      `INSERT INTO xero_results (request_key, tenant_id, kind, xero_id, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (request_key, tenant_id, kind) DO NOTHING`,
      result.requestKey,
      result.tenantId,
      result.kind,
      result.xeroId,
      this.clock.now(),
    );
    const stored = await this.findXeroResult(result.requestKey, result.tenantId, result.kind);
    if (!stored) throw new Error(`recordXeroResult: ${result.requestKey} vanished`);
    return stored;
  }

  async getXeroResults(requestKey: string): Promise<XeroResult[]> {
    return this.all('SELECT * FROM xero_results WHERE request_key = ? ORDER BY created_at', requestKey).map(
      toXeroResult,
    );
  }

  async findXeroResult(requestKey: string, tenantId: string, kind: XeroObjectKind): Promise<XeroResult | null> {
    const row = this.get(
      'SELECT * FROM xero_results WHERE request_key = ? AND tenant_id = ? AND kind = ?',
      requestKey,
      tenantId,
      kind,
    );
    return row ? toXeroResult(row) : null;
  }

  // ── CometD replay cursor ──────────────────────────────────────────────────────────────────────────────

  async getReplayId(channel: string): Promise<number | null> {
    const row = this.get('SELECT replay_id FROM replay_cursors WHERE channel = ?', channel);
    return row ? Number(row.replay_id) : null;
  }

  async saveReplayId(channel: string, replayId: number): Promise<void> {
    this.run(
      `INSERT INTO replay_cursors (channel, replay_id, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (channel) DO UPDATE SET replay_id = excluded.replay_id, updated_at = excluded.updated_at`,
      channel,
      replayId,
      this.clock.now(),
    );
  }

  // ── Xero connections and tenants ──────────────────────────────────────────────────────────────────────

  async getXeroConnection(connectionId: string): Promise<XeroConnection | null> {
    const row = this.get('SELECT * FROM xero_connections WHERE connection_id = ?', connectionId);
    if (!row) return null;
    const sealed = row.token_sealed as string | null;
    const tokenSet =
      sealed === null ? null : (JSON.parse(this.box.open(sealed, tokenContext(connectionId))) as XeroTokenSet);
    return { ...toConnectionInfo(row), tokenSet };
  }

  async listXeroConnections(): Promise<Omit<XeroConnection, 'tokenSet'>[]> {
    return this.all('SELECT * FROM xero_connections ORDER BY connection_id').map(toConnectionInfo);
  }

  async saveXeroTokenSet(connectionId: string, tokenSet: XeroTokenSet): Promise<void> {
    const now = this.clock.now();
    const sealed = this.box.seal(JSON.stringify(tokenSet), tokenContext(connectionId));
    this.run(
      `INSERT INTO xero_connections (connection_id, token_sealed, status, status_message, token_updated_at, updated_at)
       VALUES (?, ?, 'active', NULL, ?, ?)
       ON CONFLICT (connection_id) DO UPDATE SET token_sealed = excluded.token_sealed, status = 'active',
         status_message = NULL, token_updated_at = excluded.token_updated_at, updated_at = excluded.updated_at`,
      connectionId,
      sealed,
      now,
      now,
    );
  }

  async setXeroConnectionStatus(
    connectionId: string,
    status: XeroConnectionStatus,
    message: string | null,
  ): Promise<void> {
    const now = this.clock.now();
    this.run(
      `INSERT INTO xero_connections (connection_id, status, status_message, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (connection_id) DO UPDATE SET status = excluded.status, status_message = excluded.status_message,
         updated_at = excluded.updated_at`,
      connectionId,
      status,
      message,
      now,
    );
  }

  async saveXeroTenants(
    connectionId: string,
    tenants: { tenantId: string; tenantName?: string | null; tenantType?: string | null }[],
  ): Promise<void> {
    const now = this.clock.now();
    this.transaction(() => {
      for (const t of tenants) {
        this.run(
          `INSERT INTO xero_tenants (tenant_id, connection_id, tenant_name, tenant_type, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (tenant_id) DO UPDATE SET connection_id = excluded.connection_id,
             tenant_name = excluded.tenant_name, tenant_type = excluded.tenant_type, updated_at = excluded.updated_at`,
          t.tenantId,
          connectionId,
          t.tenantName ?? null,
          t.tenantType ?? null,
          now,
        );
      }
    });
  }

  async getXeroTenant(tenantId: string): Promise<XeroTenantLink | null> {
    const row = this.get('SELECT * FROM xero_tenants WHERE tenant_id = ?', tenantId);
    return row ? toTenantLink(row) : null;
  }

  async listXeroTenants(): Promise<XeroTenantLink[]> {
    return this.all('SELECT * FROM xero_tenants ORDER BY tenant_name, tenant_id').map(toTenantLink);
  }

  // ── leases ────────────────────────────────────────────────────────────────────────────────────────────

  async tryAcquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.transaction(() => {
      const now = this.clock.now();
      const changed = this.run(
        `INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
          WHERE leases.owner = excluded.owner OR leases.expires_at <= ?`,
        name,
        owner,
        now + ttlMs,
        now,
      ).changes;
      return changed > 0;
    });
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    this.run('DELETE FROM leases WHERE name = ? AND owner = ?', name, owner);
  }

  // ── contact mappings ──────────────────────────────────────────────────────────────────────────────────

  async getContactMapping(tenantId: string, accountId: string): Promise<string | null> {
    const row = this.get(
      'SELECT contact_id FROM contact_mappings WHERE tenant_id = ? AND account_id = ?',
      tenantId,
      accountId,
    );
    return row ? (row.contact_id as string) : null;
  }

  async saveContactMapping(tenantId: string, accountId: string, contactId: string): Promise<void> {
    this.run(
      `INSERT INTO contact_mappings (tenant_id, account_id, contact_id, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant_id, account_id) DO UPDATE SET contact_id = excluded.contact_id,
         updated_at = excluded.updated_at`,
      tenantId,
      accountId,
      contactId,
      this.clock.now(),
    );
  }

  // ── watermarks ────────────────────────────────────────────────────────────────────────────────────────

  async getWatermark(tenantId: string, resource: string): Promise<Watermark | null> {
    const row = this.get(
      'SELECT watermark_at, ids_at_watermark FROM sync_watermarks WHERE tenant_id = ? AND resource = ?',
      tenantId,
      resource,
    );
    return row
      ? { at: Number(row.watermark_at), idsAtTimestamp: JSON.parse(row.ids_at_watermark as string) as string[] }
      : null;
  }

  async saveWatermark(tenantId: string, resource: string, watermark: Watermark): Promise<void> {
    this.run(
      `INSERT INTO sync_watermarks (tenant_id, resource, watermark_at, ids_at_watermark, updated_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, resource) DO UPDATE SET watermark_at = excluded.watermark_at,
         ids_at_watermark = excluded.ids_at_watermark, updated_at = excluded.updated_at`,
      tenantId,
      resource,
      watermark.at,
      JSON.stringify(watermark.idsAtTimestamp),
      this.clock.now(),
    );
  }

  // ── webhook dedupe ────────────────────────────────────────────────────────────────────────────────────

  async markWebhookEventProcessed(eventKey: string): Promise<boolean> {
    return (
      this.run(
        'INSERT INTO webhook_events (event_key, received_at) VALUES (?, ?) ON CONFLICT (event_key) DO NOTHING',
        eventKey,
        this.clock.now(),
      ).changes > 0
    );
  }

  async pruneWebhookEvents(before: number): Promise<number> {
    return Number(this.run('DELETE FROM webhook_events WHERE received_at < ?', before).changes);
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────────────────────────────────

  async ping(): Promise<void> {
    this.get('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────────

  private migrate(migrations: readonly Migration[]): void {
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
    );
    const ordered = [...migrations].sort((a, b) => a.version - b.version);
    // One writer at a time: a second process starting together waits, then sees the work done.
    this.transaction(() => {
      const applied = new Set(this.all('SELECT version FROM schema_migrations').map((r) => Number(r.version)));
      for (const m of ordered) {
        if (applied.has(m.version)) continue;
        this.db.exec(m.sql);
        this.run(
          'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
          m.version,
          m.name,
          this.clock.now(),
        );
      }
    });
  }

  /** Runs `fn` inside BEGIN IMMEDIATE (takes the write lock up front, so read-then-write is atomic). */
  private transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  private run(sql: string, ...params: SQLInputValue[]) {
    return this.db.prepare(sql).run(...params);
  }

  private get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.db.prepare(sql).get(...params) as Row | undefined;
  }

  private all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.db.prepare(sql).all(...params) as Row[];
  }
}

const tokenContext = (connectionId: string) => `xero-token-set:${connectionId}`;

function toJob(row: Row): Job {
  return {
    id: Number(row.id),
    key: row.key as string,
    action: row.action as string,
    payload: JSON.parse(row.payload as string) as unknown,
    tenantId: (row.tenant_id as string | null) ?? null,
    state: row.state as JobState,
    attempts: Number(row.attempts),
    nextRunAt: Number(row.next_run_at),
    lastError: (row.last_error as string | null) ?? null,
    result: row.result === null || row.result === undefined ? null : (JSON.parse(row.result as string) as unknown),
    leaseOwner: (row.lease_owner as string | null) ?? null,
    leaseExpiresAt: row.lease_expires_at === null ? null : Number(row.lease_expires_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toXeroResult(row: Row): XeroResult {
  return {
    requestKey: row.request_key as string,
    tenantId: row.tenant_id as string,
    kind: row.kind as XeroObjectKind,
    xeroId: row.xero_id as string,
    createdAt: Number(row.created_at),
  };
}

function toConnectionInfo(row: Row): Omit<XeroConnection, 'tokenSet'> {
  return {
    connectionId: row.connection_id as string,
    status: row.status as XeroConnectionStatus,
    statusMessage: (row.status_message as string | null) ?? null,
    tokenUpdatedAt: row.token_updated_at === null ? null : Number(row.token_updated_at),
    updatedAt: Number(row.updated_at),
  };
}

function toTenantLink(row: Row): XeroTenantLink {
  return {
    tenantId: row.tenant_id as string,
    connectionId: row.connection_id as string,
    tenantName: (row.tenant_name as string | null) ?? null,
    tenantType: (row.tenant_type as string | null) ?? null,
    updatedAt: Number(row.updated_at),
  };
}
