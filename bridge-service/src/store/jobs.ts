/**
 * The job queue: every unit of work the bridge does (a Salesforce request, a Xero change) is a job with a key,
 * claimed under a lease so several bridge processes can share one queue and a crashed worker's jobs are taken
 * again. Times are epoch milliseconds.
 */

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'dead';
export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'done', 'failed', 'dead'];

/**
 * Every state but done: the jobs an operator watches and acts on. Done jobs stay for their keys until the daily
 * retention prune (pruneDoneJobs, JOB_RETENTION_DAYS).
 */
export type OpenJobState = Exclude<JobState, 'done'>;
export const OPEN_JOB_STATES: readonly OpenJobState[] = ['queued', 'running', 'failed', 'dead'];

/** A job that will not run again by itself: failed (its retry not yet due) or given up. Retry, or a new ask, runs it. */
export const isStopped = <J extends Pick<Job, 'state'>>(job: J | null | undefined): job is J =>
  job?.state === 'failed' || job?.state === 'dead';

/** lastError of a job whose run was cut short by the bridge stopping (set when a restart takes it back). */
export const INTERRUPTED = 'interrupted: the bridge stopped while this job ran';

export interface Job<P = unknown> {
  id: number;
  /** Unique; derived from the Salesforce request (record id, action, version). Enqueueing it twice is a no-op. */
  key: string;
  /** The job kind, decided when the job was stored (sync/job-kinds.ts). */
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

export interface PruneDoneJobs {
  /** Done jobs finished (last updated) before this time go (epoch ms). */
  before: number;
  /** The most one call deletes: one short statement, so no long lock and no long transaction. */
  limit: number;
  /** Kinds whose done jobs stay whatever their age. */
  keepActions?: readonly string[];
  /**
   * Where this run's previous batch ended (its `resumeAt`): the batch reads on from there, so the kept kinds' jobs,
   * always the oldest, are read once a run instead of once a batch. Omitted: from the oldest.
   */
  from?: number;
}

export interface PrunedBatch {
  /** Done jobs deleted. */
  pruned: number;
  /** Where the next batch of the same run starts (a position in the store's prune order; pass it back as `from`). */
  resumeAt: number | undefined;
}

/** A job given up (dead), and whether a Xero result is recorded under its key: Xero answered it. */
export type GivenUpJob = Job & { afterXero: boolean };

export interface JobRepository {
  /** Stores a job unless one with the same key exists; returns the stored job either way. */
  enqueueJob<P>(job: NewJob<P>): Promise<{ job: Job<P>; created: boolean }>;
  /**
   * Atomically claims up to `limit` runnable jobs (queued/failed and due, or running with an expired lease),
   * marking them running under `owner`'s lease and counting an attempt. Never hands one job to two owners.
   */
  claimJobs(opts: ClaimOptions): Promise<Job[]>;
  /**
   * A restarted bridge (same BRIDGE_INSTANCE_ID) takes back what its previous incarnation held when it died:
   * those jobs become runnable now instead of when their leases expire, the attempt the crash cut short is not
   * counted (50 restarts must not make a job give up at its first real failure), and a job without an error yet
   * gets INTERRUPTED as its lastError (it may have reached Xero: handlers look before writing again). Returns how
   * many.
   */
  releaseJobLeases(owner: string): Promise<number>;
  /** Extends the lease; false if the job is no longer ours. */
  heartbeatJob(id: number, owner: string, leaseMs: number): Promise<boolean>;
  /** running → done; false if the lease was lost (another worker owns the job now). */
  completeJob(id: number, owner: string, result?: unknown): Promise<boolean>;
  /** running → failed (retry at `retryAt`) or, with `retryAt: null`, → dead. False if the lease was lost. */
  failJob(id: number, owner: string, error: string, retryAt: number | null): Promise<boolean>;
  /**
   * running → queued at `runAt`, and the claim does not count as an attempt: the job was held back by a rule (the
   * package's read-only mode, a wait for another job of the deal) or cut off by a shutdown, not tried. `reason` is
   * kept as its last error. False if the lease was lost.
   */
  deferJob(id: number, owner: string, reason: string, runAt: number): Promise<boolean>;
  /** Records the tenant once a handler has routed the job (events arrive before routing). */
  setJobTenant(id: number, tenantId: string): Promise<void>;
  /**
   * failed/dead → queued, due now, its attempts back to 0 so it gets its retries again (admin retry, RESYNC, or the
   * same request asked again after its job stopped, whose `payload` then replaces the stored one). Returns the job, or
   * null if not retryable.
   */
  retryJob(id: number, payload?: unknown): Promise<Job | null>;
  getJob(id: number): Promise<Job | null>;
  getJobByKey(key: string): Promise<Job | null>;
  /**
   * The jobs of one kind not yet done nor given up (queued, running, failed), oldest first, in one query: what a
   * handler checks another kind's work in flight against (a deal's closing request waits for its partial invoices).
   */
  unfinishedJobs(action: string): Promise<Job[]>;
  /**
   * The jobs of one kind given up (dead) whose key starts with one of `keyPrefixes` (each non-empty; case-sensitive),
   * oldest first, in one query, each with whether Xero answered it (a Xero result recorded under its key, as the handler
   * records Xero's answer): work Xero holds or may hold that the bridge never finished (a deal's partial invoices). Its
   * cost follows the jobs under those prefixes, not every given-up job of the kind (they are never pruned). Retry takes
   * a job out.
   */
  givenUpByKeyPrefix(action: string, keyPrefixes: readonly string[]): Promise<GivenUpJob[]>;
  /** Newest first (highest id), at most `limit` (default 50, 1-500). */
  listJobs(filter?: JobFilter): Promise<Job[]>;
  /** Every state's count, done too: reads every job of the org, so it is for benches and tests, not for a scrape. */
  countJobsByState(): Promise<Record<JobState, number>>;
  /**
   * The count of each state but done (what /metrics reads on every scrape), through indexes that hold no done job: its
   * cost follows the backlog and the given-up jobs, never the done jobs the table keeps.
   */
  countOpenJobsByState(): Promise<Record<OpenJobState, number>>;
  /** When the oldest job not yet done or given up (queued, running, failed) was stored; null if there is none. */
  oldestPendingJobAt(): Promise<number | null>;
  /**
   * Deletes at most `limit` done jobs finished before `before`, none of `keepActions`, oldest first from `from`, in one
   * statement; returns how many, and where the next batch resumes (call again with it while `pruned` is `limit`).
   * Queued, running, failed and given-up (dead) jobs are never deleted: a dead job waits for Retry.
   */
  pruneDoneJobs(opts: PruneDoneJobs): Promise<PrunedBatch>;
}
