/**
 * The bridge's persistent state, behind one interface. SQLite (node:sqlite) implements it today; a
 * PostgreSQL adapter (jobs claimed with FOR UPDATE SKIP LOCKED, leases as row locks) can implement the
 * same contract later. Every method is async for that reason, even though SQLite answers synchronously.
 * Times are epoch milliseconds.
 */

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'dead';
export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'done', 'failed', 'dead'];

export interface Job<P = unknown> {
  id: number;
  /** Unique; derived from the Salesforce request (record id, action, version). Enqueueing it twice is a no-op. */
  key: string;
  action: string;
  payload: P;
  tenantId: string | null;
  state: JobState;
  /**
   * Times the job has been claimed: a claim that expired under another worker counts; one cut short by this
   * instance's own restart does not (its lastError says it was interrupted instead).
   */
  attempts: number;
  nextRunAt: number;
  lastError: string | null;
  result: unknown;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewJob<P = unknown> {
  key: string;
  action: string;
  payload: P;
  tenantId?: string | null;
  /** Earliest run time; default now. */
  runAt?: number;
}

export interface ClaimOptions {
  /** Who holds the lease (process instance id). */
  owner: string;
  /** How long the claim lasts without a heartbeat; after that another worker may take the job. */
  leaseMs: number;
  limit: number;
  /** Only these actions (default: any). */
  actions?: readonly string[];
}

export interface JobFilter {
  states?: readonly JobState[];
  action?: string;
  tenantId?: string;
  /** Newest first; pass the last id seen to page on. */
  beforeId?: number;
  limit?: number;
}

export type XeroObjectKind = 'invoice' | 'credit_note' | 'contact' | 'payment' | 'allocation';

/** What a request key produced in Xero: remembered so a replayed request creates nothing twice. */
export interface XeroResult {
  requestKey: string;
  tenantId: string;
  kind: XeroObjectKind;
  xeroId: string;
  createdAt: number;
}

/** A Xero OAuth token set as the bridge keeps it (decrypted). */
export interface XeroTokenSet {
  accessToken: string;
  refreshToken: string;
  /** Access-token expiry, epoch ms (persist this, never `expires_in`). */
  expiresAt: number;
  scope?: string;
  tokenType?: string;
  idToken?: string;
}

export type XeroConnectionStatus = 'active' | 'reauthorisation_required' | 'error';

export interface XeroConnection {
  connectionId: string;
  status: XeroConnectionStatus;
  statusMessage: string | null;
  tokenSet: XeroTokenSet | null;
  tokenUpdatedAt: number | null;
  updatedAt: number;
}

export interface XeroTenantLink {
  tenantId: string;
  connectionId: string;
  tenantName: string | null;
  tenantType: string | null;
  updatedAt: number;
}

/**
 * How far a poll of one resource has got: the newest change timestamp processed and every id processed at
 * exactly that timestamp, so a later poll from the same timestamp skips those and nothing else.
 */
export interface Watermark {
  at: number;
  idsAtTimestamp: string[];
}

export interface Store {
  // ── jobs ──
  /** Stores a job unless one with the same key exists; returns the stored job either way. */
  enqueueJob<P>(job: NewJob<P>): Promise<{ job: Job<P>; created: boolean }>;
  /**
   * Atomically claims up to `limit` runnable jobs (queued/failed and due, or running with an expired lease),
   * marking them running under `owner`'s lease and counting an attempt. Never hands one job to two owners.
   */
  claimJobs(opts: ClaimOptions): Promise<Job[]>;
  /**
   * A restarted bridge (same BRIDGE_INSTANCE_ID) takes back what its previous incarnation held when it died:
   * those jobs become runnable now instead of when their leases expire, and the attempt the crash cut short is
   * not counted (50 restarts must not make a job give up at its first real failure). Returns how many.
   */
  releaseJobLeases(owner: string): Promise<number>;
  /** Extends the lease; false if the job is no longer ours. */
  heartbeatJob(id: number, owner: string, leaseMs: number): Promise<boolean>;
  /** running → done; false if the lease was lost (another worker owns the job now). */
  completeJob(id: number, owner: string, result?: unknown): Promise<boolean>;
  /** running → failed (retry at `retryAt`) or, with `retryAt: null`, → dead. False if the lease was lost. */
  failJob(id: number, owner: string, error: string, retryAt: number | null): Promise<boolean>;
  /** Records the tenant once a handler has routed the job (events arrive before routing). */
  setJobTenant(id: number, tenantId: string): Promise<void>;
  /** failed/dead → queued, due now (admin retry, or RESYNC). Returns the job, or null if not retryable. */
  retryJob(id: number): Promise<Job | null>;
  getJob(id: number): Promise<Job | null>;
  getJobByKey(key: string): Promise<Job | null>;
  listJobs(filter?: JobFilter): Promise<Job[]>;
  countJobsByState(): Promise<Record<JobState, number>>;

  // ── request keys → Xero ids ──
  /** Remembers what a request produced; the first record for (requestKey, tenant, kind) wins and is returned. */
  recordXeroResult(result: Omit<XeroResult, 'createdAt'>): Promise<XeroResult>;
  getXeroResults(requestKey: string): Promise<XeroResult[]>;
  findXeroResult(requestKey: string, tenantId: string, kind: XeroObjectKind): Promise<XeroResult | null>;

  // ── CometD replay cursor ──
  getReplayId(channel: string): Promise<number | null>;
  saveReplayId(channel: string, replayId: number): Promise<void>;

  // ── Xero connections, token sets (encrypted at rest), tenants ──
  getXeroConnection(connectionId: string): Promise<XeroConnection | null>;
  listXeroConnections(): Promise<Omit<XeroConnection, 'tokenSet'>[]>;
  /** Encrypts and stores the token set; marks the connection active. */
  saveXeroTokenSet(connectionId: string, tokenSet: XeroTokenSet): Promise<void>;
  setXeroConnectionStatus(connectionId: string, status: XeroConnectionStatus, message: string | null): Promise<void>;
  saveXeroTenants(
    connectionId: string,
    tenants: { tenantId: string; tenantName?: string | null; tenantType?: string | null }[],
  ): Promise<void>;
  getXeroTenant(tenantId: string): Promise<XeroTenantLink | null>;
  listXeroTenants(): Promise<XeroTenantLink[]>;

  // ── leases (cross-process mutual exclusion: token refresh, single subscriber) ──
  /** Takes or renews the named lease if free, expired or already ours. */
  tryAcquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;

  // ── contact mappings ──
  getContactMapping(tenantId: string, accountId: string): Promise<string | null>;
  saveContactMapping(tenantId: string, accountId: string, contactId: string): Promise<void>;

  // ── sync watermarks ──
  getWatermark(tenantId: string, resource: string): Promise<Watermark | null>;
  saveWatermark(tenantId: string, resource: string, watermark: Watermark): Promise<void>;

  // ── webhook dedupe ──
  /** True the first time an event key is seen, false on every repeat. */
  markWebhookEventProcessed(eventKey: string): Promise<boolean>;
  /** Forgets event keys older than `before` (Xero retries for up to 24 h). Returns how many. */
  pruneWebhookEvents(before: number): Promise<number>;

  /** Cheap liveness probe for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
