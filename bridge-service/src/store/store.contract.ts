/**
 * The store contract: the behaviour every Store implementation must have, as a Jest suite. An adapter's test file
 * calls `describeStoreContract('PostgreSQL', factory)`; SQLite's is sqlite/sqlite-store.test.ts. Time is the
 * suite's own clock, handed to the factory; a harness may open several stores on one database (several bridge
 * processes sharing it).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_XERO_SCOPES } from '../config/schema';
import { SecretDecryptionError } from './crypto';
import { INTERRUPTED } from './jobs';
import {
  DEFAULT_ORG_ID,
  InvalidOrgConfigError,
  InvalidOrgIdError,
  TokenRefreshLockTimeout,
  type OrgProfile,
  type OrgSecrets,
  type RateBucketPolicy,
  type Store,
  type XeroTokenSet,
} from './types';

export interface StoreHarness {
  /** Opens a store on the harness's database (another bridge process sharing it), with its own token key. */
  open(opts: { encryptionKey: Buffer; previousEncryptionKeys?: Buffer[] }): Store | Promise<Store>;
  /** Every stored token set exactly as it is at rest. */
  sealedTokenSets(): Promise<string[]>;
  /** Every org's sealed credentials exactly as they are at rest. */
  sealedOrgSecrets(): Promise<string[]>;
  /**
   * Moves a connection's stored token set to another connection id (and org, if given), as someone editing the
   * database might.
   */
  moveTokenSet(fromConnectionId: string, toConnectionId: string, toOrgId?: string): Promise<void>;
  /** Drops the database (the stores are closed first). */
  dispose(): Promise<void>;
}

export type StoreHarnessFactory = (clock: { now(): number }) => StoreHarness | Promise<StoreHarness>;

const ORG_PROFILE: OrgProfile = {
  displayName: 'Acme EMEA',
  status: 'active',
  salesforce: {
    loginUrl: 'https://acme.my.salesforce.com',
    clientId: '3MVG9-consumer-key',
    username: 'ledgerline-bridge@acme.com',
    namespacePrefix: 'ldgr__',
  },
  xero: {
    clientId: 'XERO-CLIENT-ID',
    scopes: DEFAULT_XERO_SCOPES.split(' '),
    redirectUri: 'https://bridge.acme.com/connect/xero/callback',
  },
  settings: { prorationMethod: 'daily', pollIntervalMs: 60_000 },
};
const ORG_SECRETS: OrgSecrets = {
  salesforcePrivateKey: '-----BEGIN PRIVATE KEY-----\nSECRET-KEY\n-----END PRIVATE KEY-----',
  xeroClientSecret: 'XERO-SECRET',
  xeroWebhookKey: 'WEBHOOK-SECRET',
};

export function describeStoreContract(adapter: string, factory: StoreHarnessFactory): void {
  describe(`${adapter} store contract`, () => {
    const key = randomBytes(32);
    let now = Date.UTC(2026, 0, 1);
    const clock = { now: () => now };
    let harness: StoreHarness;
    const stores: Store[] = [];

    async function open(opts: { encryptionKey?: Buffer; previousEncryptionKeys?: Buffer[] } = {}): Promise<Store> {
      const store = await harness.open({
        encryptionKey: opts.encryptionKey ?? key,
        ...(opts.previousEncryptionKeys ? { previousEncryptionKeys: opts.previousEncryptionKeys } : {}),
      });
      stores.push(store);
      return store;
    }

    beforeEach(async () => {
      now = Date.UTC(2026, 0, 1);
      harness = await factory(clock);
    });

    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
      await harness.dispose();
    });

    describe('jobs', () => {
      it('enqueues once per key', async () => {
        const { jobs } = await open();
        const first = await jobs.enqueueJob({ key: 'opp1:CREATE_DRAFT:1', action: 'CREATE_DRAFT', payload: { a: 1 } });
        const again = await jobs.enqueueJob({ key: 'opp1:CREATE_DRAFT:1', action: 'CREATE_DRAFT', payload: { a: 2 } });
        expect(first.created).toBe(true);
        expect(again.created).toBe(false);
        expect(again.job.id).toBe(first.job.id);
        expect(again.job.payload).toEqual({ a: 1 });
        expect(first.job.state).toBe('queued');
      });

      it('a retry keeps the stored payload, or takes the one the same request was asked again with', async () => {
        const { jobs } = await open();
        const { job } = await jobs.enqueueJob({ key: 'CREDIT:x:1', action: 'CREDIT', payload: { amount: '900' } });
        await jobs.claimJobs({ owner: 'w1', leaseMs: 30_000, limit: 1 });
        await jobs.failJob(job.id, 'w1', 'more than the invoice has left', null);
        expect(await jobs.retryJob(job.id)).toMatchObject({ state: 'queued', payload: { amount: '900' } });
        await jobs.claimJobs({ owner: 'w1', leaseMs: 30_000, limit: 1 });
        await jobs.failJob(job.id, 'w1', 'more than the invoice has left', null);
        expect(await jobs.retryJob(job.id, { amount: '90' })).toMatchObject({
          state: 'queued',
          payload: { amount: '90' },
        });
        expect(await jobs.getJobByKey('CREDIT:x:1')).toMatchObject({ payload: { amount: '90' } });
        expect(await jobs.retryJob(job.id, { amount: '1' })).toBeNull(); // queued: not retried, payload kept
        expect(await jobs.getJobByKey('CREDIT:x:1')).toMatchObject({ payload: { amount: '90' } });
      });

      it('claims due jobs, completes, fails with retry, goes dead, and retries from the admin side', async () => {
        const { jobs } = await open();
        const { job } = await jobs.enqueueJob({ key: 'k1', action: 'AUTHORISE', payload: {}, tenantId: 't1' });
        await jobs.enqueueJob({ key: 'later', action: 'AUTHORISE', payload: {}, runAt: now + 60_000 });

        const [claimed, ...rest] = await jobs.claimJobs({ owner: 'w1', leaseMs: 30_000, limit: 10 });
        expect(rest).toEqual([]);
        expect(claimed).toMatchObject({ id: job.id, state: 'running', attempts: 1, leaseOwner: 'w1' });

        expect(await jobs.failJob(job.id, 'someone-else', 'nope', now)).toBe(false);
        expect(await jobs.failJob(job.id, 'w1', 'Xero 503', now + 1000)).toBe(true);
        expect(await jobs.claimJobs({ owner: 'w1', leaseMs: 30_000, limit: 10 })).toEqual([]); // not due yet
        now += 1000;
        const [second] = await jobs.claimJobs({ owner: 'w1', leaseMs: 30_000, limit: 1 });
        expect(second).toMatchObject({ id: job.id, attempts: 2, lastError: 'Xero 503' });

        // held back by a rule (read-only mode): back in the queue, and the claim does not count as an attempt
        expect(await jobs.deferJob(job.id, 'someone-else', 'held', now)).toBe(false);
        expect(await jobs.deferJob(job.id, 'w1', 'Read-only mode is on', now + 500)).toBe(true);
        expect(await jobs.getJob(job.id)).toMatchObject({ state: 'queued', attempts: 1, leaseOwner: null });
        expect(await jobs.claimJobs({ owner: 'w1', leaseMs: 30_000, limit: 10 })).toEqual([]); // not due yet
        now += 500;
        const [afterHold] = await jobs.claimJobs({ owner: 'w1', leaseMs: 30_000, limit: 1 });
        expect(afterHold).toMatchObject({ id: job.id, attempts: 2, lastError: 'Read-only mode is on' });

        expect(await jobs.failJob(job.id, 'w1', 'Xero rejected tax type OUTPUT2', null)).toBe(true);
        expect(await jobs.getJob(job.id)).toMatchObject({ state: 'dead', lastError: 'Xero rejected tax type OUTPUT2' });
        expect(
          (await jobs.listJobs({ states: ['dead'], tenantId: 't1', action: 'AUTHORISE' })).map((j) => j.id),
        ).toEqual([job.id]);
        expect(await jobs.listJobs({ states: ['dead'], tenantId: 'other' })).toEqual([]);

        const retried = await jobs.retryJob(job.id);
        expect(retried).toMatchObject({ state: 'queued', nextRunAt: now });
        expect(await jobs.retryJob(job.id)).toBeNull(); // queued is not retryable
        const [third] = await jobs.claimJobs({ owner: 'w2', leaseMs: 30_000, limit: 1 });
        expect(await jobs.completeJob(third!.id, 'w2', { invoiceId: 'x' })).toBe(true);
        expect(await jobs.getJobByKey('k1')).toMatchObject({ state: 'done', result: { invoiceId: 'x' }, attempts: 1 });
        expect(await jobs.countJobsByState()).toEqual({ queued: 1, running: 0, done: 1, failed: 0, dead: 0 });
        const later = (await jobs.getJobByKey('later'))!;
        await jobs.setJobTenant(later.id, 't2');
        expect((await jobs.listJobs({ tenantId: 't2' })).map((j) => j.key)).toEqual(['later']);
      });

      it('counts the jobs of each state but done (what a scrape reads), as they move, and of its own org only', async () => {
        const store = await open();
        const { jobs } = store;
        const other = store.forOrg('org-other').jobs;
        // A kind per state the job is to reach, so each claim takes the job meant.
        const inState = async (key: string, state: 'queued' | 'running' | 'done' | 'failed' | 'dead') => {
          const { job } = await jobs.enqueueJob({ key, action: state.toUpperCase(), payload: {} });
          if (state === 'queued') return job;
          await jobs.claimJobs({ owner: 'w', leaseMs: 60_000, limit: 1, actions: [job.action] });
          if (state === 'done') await jobs.completeJob(job.id, 'w');
          if (state === 'failed') await jobs.failJob(job.id, 'w', 'Xero 503', now + 60_000);
          if (state === 'dead') await jobs.failJob(job.id, 'w', 'Xero refused it', null);
          return job;
        };
        for (const n of [1, 2, 3, 4]) await inState(`done-${n}`, 'done');
        await inState('queued-1', 'queued');
        await inState('queued-2', 'queued');
        const running = await inState('running-1', 'running');
        await inState('failed-1', 'failed');
        const dead = await inState('dead-1', 'dead');
        await other.enqueueJob({ key: 'other-1', action: 'X', payload: {} });

        expect(await jobs.countOpenJobsByState()).toEqual({ queued: 2, running: 1, failed: 1, dead: 1 });
        expect(await jobs.countJobsByState()).toEqual({ queued: 2, running: 1, done: 4, failed: 1, dead: 1 });
        expect(await other.countOpenJobsByState()).toEqual({ queued: 1, running: 0, failed: 0, dead: 0 });

        await jobs.completeJob(running.id, 'w');
        await jobs.retryJob(dead.id);
        expect(await jobs.countOpenJobsByState()).toEqual({ queued: 3, running: 0, failed: 1, dead: 0 });
        expect((await jobs.countJobsByState()).done).toBe(5);
      });

      it('a retry (Retry on the record, an admin retry) starts the attempt count again, from dead or failed', async () => {
        const jobs = (await open()).jobs;
        const { job } = await jobs.enqueueJob({ key: 'retry-me', action: 'VOID', payload: {} });
        for (let attempt = 1; attempt <= 3; attempt += 1) {
          const [claimed] = await jobs.claimJobs({ owner: 'w', leaseMs: 30_000, limit: 1 });
          expect(claimed).toMatchObject({ id: job.id, attempts: attempt });
          await jobs.failJob(job.id, 'w', 'Xero 503', attempt < 3 ? now : null); // the worker gives up on the 3rd
        }
        expect(await jobs.retryJob(job.id)).toMatchObject({ state: 'queued', attempts: 0 });
        const [again] = await jobs.claimJobs({ owner: 'w', leaseMs: 30_000, limit: 1 });
        expect(again).toMatchObject({ id: job.id, attempts: 1 }); // its first attempt, with every retry ahead of it
        await jobs.failJob(job.id, 'w', 'Xero 503', now + 5_000); // failed, its retry pending: Retry runs it now
        expect(await jobs.retryJob(job.id)).toMatchObject({ state: 'queued', attempts: 0, nextRunAt: now });
      });

      it("hands a crashed worker's job to another once its lease expires, and refuses the stale owner", async () => {
        const a = (await open()).jobs;
        const b = (await open()).jobs;
        await a.enqueueJob({ key: 'k', action: 'VOID', payload: {} });
        const [mine] = await a.claimJobs({ owner: 'a', leaseMs: 10_000, limit: 1 });
        expect(await b.claimJobs({ owner: 'b', leaseMs: 10_000, limit: 1 })).toEqual([]);
        now += 5_000;
        expect(await a.heartbeatJob(mine!.id, 'a', 10_000)).toBe(true);
        now += 9_000;
        expect(await b.claimJobs({ owner: 'b', leaseMs: 10_000, limit: 1 })).toEqual([]); // heartbeat kept it
        now += 2_000;
        const [taken] = await b.claimJobs({ owner: 'b', leaseMs: 10_000, limit: 1 });
        expect(taken).toMatchObject({ id: mine!.id, leaseOwner: 'b', attempts: 2 });
        expect(await a.completeJob(mine!.id, 'a')).toBe(false);
        expect(await b.completeJob(mine!.id, 'b')).toBe(true);
      });

      it('gives a restarted instance back the jobs its previous incarnation held, and only those', async () => {
        const { jobs } = await open();
        for (let i = 0; i < 3; i += 1) await jobs.enqueueJob({ key: `r${i}`, action: 'VOID', payload: i });
        const [mine] = await jobs.claimJobs({ owner: 'bridge-1', leaseMs: 120_000, limit: 1 });
        const [theirs] = await jobs.claimJobs({ owner: 'bridge-2', leaseMs: 120_000, limit: 1 });
        expect(await jobs.releaseJobLeases('bridge-1')).toBe(1);
        const again = await jobs.claimJobs({ owner: 'bridge-1', leaseMs: 120_000, limit: 3 });
        // Its own job and the one nobody had; bridge-2's job stays leased to bridge-2.
        expect(again.map((j) => j.payload).sort()).toEqual([0, 2]);
        expect(again.map((j) => j.id)).not.toContain(theirs!.id);
        // Claimed twice, but the first attempt was cut short by the crash: it counts once.
        // ...and it says it was interrupted, so handlers look for what it may already have done.
        expect(again.find((j) => j.id === mine!.id)).toMatchObject({
          attempts: 1,
          leaseOwner: 'bridge-1',
          lastError: INTERRUPTED,
        });
      });

      it('says when the oldest job still to do was stored, for the backlog-age metric', async () => {
        const { jobs } = await open();
        expect(await jobs.oldestPendingJobAt()).toBeNull();
        const started = now;
        await jobs.enqueueJob({ key: 'k-old', action: 'CREATE_DRAFT', payload: {} });
        now += 60_000;
        await jobs.enqueueJob({ key: 'k-new', action: 'CREATE_DRAFT', payload: {} });
        expect(await jobs.oldestPendingJobAt()).toBe(started);
        const [claimed] = await jobs.claimJobs({ owner: 'w', leaseMs: 1_000, limit: 1 });
        await jobs.completeJob(claimed!.id, 'w');
        expect(await jobs.oldestPendingJobAt()).toBe(started + 60_000);
      });

      it('filters claims by action and pages the admin list newest first', async () => {
        const { jobs } = await open();
        for (let i = 0; i < 5; i += 1)
          await jobs.enqueueJob({ key: `k${i}`, action: i % 2 ? 'VOID' : 'RESYNC', payload: i });
        const voids = await jobs.claimJobs({ owner: 'w', leaseMs: 1000, limit: 10, actions: ['VOID'] });
        expect(voids.map((j) => j.payload)).toEqual([1, 3]);
        const page1 = await jobs.listJobs({ limit: 2 });
        const page2 = await jobs.listJobs({ limit: 2, beforeId: page1[1]!.id });
        expect(page1.map((j) => j.payload)).toEqual([4, 3]);
        expect(page2.map((j) => j.payload)).toEqual([2, 1]);
      });

      it("lists one kind's jobs still to finish (queued, running, failed), oldest first, as another instance sees them", async () => {
        const a = (await open()).jobs;
        const b = (await open()).jobs;
        const key = (n: number) => `CREATE_PARTIAL:006000000000001AAA:${n}-450000`;
        for (let n = 0; n < 5; n += 1) await a.enqueueJob({ key: key(n), action: 'CREATE_PARTIAL', payload: n });
        await a.enqueueJob({ key: 'CREATE_DRAFT:006000000000001AAA:1', action: 'CREATE_DRAFT', payload: 9 });
        const claim = async () =>
          (await a.claimJobs({ owner: 'w', leaseMs: 60_000, limit: 1, actions: ['CREATE_PARTIAL'] }))[0]!;
        await a.completeJob((await claim()).id, 'w'); // 0 done
        await a.failJob((await claim()).id, 'w', 'gave up', null); // 1 dead
        await a.failJob((await claim()).id, 'w', 'Xero timed out', now + 60_000); // 2 failed, to retry
        await claim(); // 3 running
        const unfinished = await b.unfinishedJobs('CREATE_PARTIAL');
        expect(unfinished.map((j) => [j.key, j.state, j.lastError])).toEqual([
          [key(2), 'failed', 'Xero timed out'],
          [key(3), 'running', null],
          [key(4), 'queued', null],
        ]);
        expect(await b.unfinishedJobs('VOID')).toEqual([]);
      });

      it("lists one kind's given-up jobs under key prefixes (case-sensitive), each with whether Xero answered it, as another instance sees them, until retried", async () => {
        const a = await open();
        const b = (await open()).jobs;
        const deal = '006Dn00000AbCdE'; // a 15-character id; its keys may carry it as 18 (…QAA)
        const keys = {
          afterXero: `CREATE_PARTIAL:${deal}QAA:0-450000`,
          unanswered: `CREATE_PARTIAL:${deal}QAA:1-100000`,
          by15: `CREATE_PARTIAL:${deal}:2-5000`,
          done: `CREATE_PARTIAL:${deal}QAA:3-100`,
          failed: `CREATE_PARTIAL:${deal}QAA:4-100`,
          queued: `CREATE_PARTIAL:${deal}QAA:5-100`,
          otherCase: 'CREATE_PARTIAL:006Dn00000abcdeQAA:0-450000', // another record: ids are case-sensitive
          neighbour: 'CREATE_PARTIAL:006Dn00000AbCdFQAA:0-450000',
          otherKind: `CREATE_PARTIAL:${deal}QAA:9-1`, // stored under another kind
        };
        const run = async (jobKey: string, end: 'done' | 'failed' | 'dead' | 'queued', action = 'CREATE_PARTIAL') => {
          const { job } = await a.jobs.enqueueJob({ key: jobKey, action, payload: {} });
          if (end === 'queued') return job;
          await a.jobs.claimJobs({ owner: 'w', leaseMs: 60_000, limit: 1, actions: [action] });
          if (end === 'done') await a.jobs.completeJob(job.id, 'w');
          else await a.jobs.failJob(job.id, 'w', 'refused', end === 'dead' ? null : now + 60_000);
          return job;
        };
        await a.xeroResults.recordXeroResult({
          requestKey: keys.afterXero,
          tenantId: 't',
          kind: 'invoice',
          xeroId: 'x-0',
        });
        const given = await run(keys.afterXero, 'dead');
        await run(keys.unanswered, 'dead');
        await run(keys.by15, 'dead');
        await run(keys.done, 'done');
        await run(keys.failed, 'failed');
        await run(keys.otherCase, 'dead');
        await run(keys.neighbour, 'dead');
        await run(keys.otherKind, 'dead', 'VOID');
        await run(keys.queued, 'queued'); // last: each run above claims the one job due
        await a.forOrg('acme-emea').jobs.enqueueJob({ key: keys.unanswered, action: 'CREATE_PARTIAL', payload: {} });

        const givenUp = async (prefixes: string[], jobs = b) =>
          (await jobs.givenUpByKeyPrefix('CREATE_PARTIAL', prefixes)).map((j) => [j.key, j.state, j.afterXero]);
        expect(await givenUp([`CREATE_PARTIAL:${deal}`])).toEqual([
          [keys.afterXero, 'dead', true],
          [keys.unanswered, 'dead', false],
          [keys.by15, 'dead', false],
        ]);
        // Several deals at once; a job under two of the prefixes is listed once.
        expect(
          await givenUp([`CREATE_PARTIAL:${deal}QAA:1`, 'CREATE_PARTIAL:006Dn00000AbCdF', `CREATE_PARTIAL:${deal}`]),
        ).toEqual([
          [keys.afterXero, 'dead', true],
          [keys.unanswered, 'dead', false],
          [keys.by15, 'dead', false],
          [keys.neighbour, 'dead', false],
        ]);
        expect(await givenUp(['CREATE_PARTIAL:006Dn00000abcde'])).toEqual([[keys.otherCase, 'dead', false]]);
        expect(await givenUp([])).toEqual([]);
        expect(await b.givenUpByKeyPrefix('VOID', [`CREATE_PARTIAL:${deal}`])).toMatchObject([{ key: keys.otherKind }]);
        expect(await givenUp([`CREATE_PARTIAL:${deal}`], a.forOrg('acme-emea').jobs)).toEqual([]);
        await b.retryJob(given.id);
        expect(await givenUp([`CREATE_PARTIAL:${deal}`], a.jobs)).toEqual([
          [keys.unanswered, 'dead', false],
          [keys.by15, 'dead', false],
        ]);
      });

      it('prunes done jobs finished before the cut-off, a bounded batch at a time; young, open, dead and kept ones stay', async () => {
        const store = await open();
        const { jobs } = store;
        const other = store.forOrg('acme-emea').jobs;
        const day = 24 * 3600_000;
        /** A job of `action` run at the suite's now and left in `state` (done, failed to retry, dead). */
        const run = async (jobsOf: typeof jobs, key: string, action: string, state: 'done' | 'failed' | 'dead') => {
          const { job } = await jobsOf.enqueueJob({ key, action, payload: {} });
          await jobsOf.claimJobs({ owner: 'w', leaseMs: 60_000, limit: 10, actions: [action] });
          if (state === 'done') await jobsOf.completeJob(job.id, 'w');
          else await jobsOf.failJob(job.id, 'w', 'refused', state === 'dead' ? null : now + 365 * day);
          return job;
        };
        for (let n = 0; n < 5; n += 1) await run(jobs, `old-${n}`, 'XERO_CHANGE', 'done');
        await run(jobs, 'old-kept', 'CONTACT_MATCH', 'done');
        await run(jobs, 'old-dead', 'XERO_CHANGE', 'dead');
        await run(jobs, 'old-failed', 'XERO_CHANGE', 'failed');
        await run(other, 'old-other-org', 'XERO_CHANGE', 'done');
        // queued for a year ahead, like a future instalment: stored long ago, never run
        await jobs.enqueueJob({ key: 'old-queued', action: 'RAISE_INSTALMENT', payload: {}, runAt: now + 365 * day });
        // stored long ago and finished only now: it goes by when it finished
        const { job: late } = await jobs.enqueueJob({ key: 'late', action: 'AUTHORISE', payload: {} });
        now += 100 * day;
        await jobs.claimJobs({ owner: 'w', leaseMs: 60_000, limit: 1, actions: ['AUTHORISE'] });
        await jobs.completeJob(late.id, 'w');
        await run(jobs, 'young', 'XERO_CHANGE', 'done');
        now += day;

        let from: number | undefined;
        const prune = async () => {
          const batch = await jobs.pruneDoneJobs({
            before: now - 90 * day,
            limit: 2,
            keepActions: ['CONTACT_MATCH'],
            from,
          });
          from = batch.resumeAt;
          return batch.pruned;
        };
        // Bounded: at most the limit a statement, until none is left.
        expect([await prune(), await prune(), await prune(), await prune()]).toEqual([2, 2, 1, 0]);
        const left = await jobs.listJobs({ limit: 500 });
        expect(left.map((j) => `${j.key}:${j.state}`).sort()).toEqual([
          'late:done',
          'old-dead:dead',
          'old-failed:failed',
          'old-kept:done',
          'old-queued:queued',
          'young:done',
        ]);
        // Another org's done jobs are its own to prune; a key pruned can be stored again.
        expect((await other.listJobs()).map((j) => j.key)).toEqual(['old-other-org']);
        expect((await jobs.enqueueJob({ key: 'old-0', action: 'XERO_CHANGE', payload: {} })).created).toBe(true);
        expect(await jobs.pruneDoneJobs({ before: now, limit: 0 })).toEqual({ pruned: 0, resumeAt: undefined });
        // Without kinds kept, every done job before the cut-off goes.
        expect(await jobs.pruneDoneJobs({ before: now, limit: 10 })).toMatchObject({ pruned: 3 });
        expect((await jobs.countJobsByState()).done).toBe(0);
        expect(await jobs.getJobByKey('old-dead')).toMatchObject({ state: 'dead' });
      });

      it('prunes a batch on from where the last ended: every job it should, ties on the time included, and none before where it starts', async () => {
        const { jobs } = await open();
        const day = 24 * 3600_000;
        const start = now;
        /** `count` jobs of `action` stored, run and done at `at` (all at the same millisecond). */
        const doneAt = async (at: number, prefix: string, count: number, action = 'XERO_CHANGE') => {
          now = at;
          for (let n = 0; n < count; n += 1) await jobs.enqueueJob({ key: `${prefix}-${n}`, action, payload: {} });
          const claimed = await jobs.claimJobs({ owner: 'w', leaseMs: 60_000, limit: count, actions: [action] });
          for (const job of claimed) await jobs.completeJob(job.id, 'w');
        };
        await doneAt(start, 'kept-first', 3, 'CREDIT');
        await doneAt(start + 1_000, 'tied', 5);
        await doneAt(start + 1_000, 'kept-tied', 2, 'CREDIT');
        await doneAt(start + 2_000, 'later', 3);
        await doneAt(start + 200 * day, 'young', 1);
        const remaining = async () =>
          (await jobs.listJobs({ limit: 500 }))
            .map((j) => j.key)
            .filter((k) => !k.startsWith('kept'))
            .sort();
        const prune = (from: number | undefined) =>
          jobs.pruneDoneJobs({ before: start + 100 * day, limit: 2, keepActions: ['CREDIT'], from });

        // From where a batch starts (these jobs were due and done at the same time: either order's position), what
        // finished before it stays: the batch reads none of it.
        const late = await prune((await jobs.getJobByKey('later-0'))!.updatedAt);
        expect(late).toEqual({ pruned: 2, resumeAt: start + 2_000 });
        expect(await remaining()).toEqual([
          expect.stringMatching(/^later-/),
          'tied-0',
          'tied-1',
          'tied-2',
          'tied-3',
          'tied-4',
          'young-0',
        ]);

        // A run from the start, each batch from the last one's end: two batches end inside the tie at +1 s.
        const pruned: number[] = [];
        let from: number | undefined;
        for (let more = true; more;) {
          const batch = await prune(from);
          pruned.push(batch.pruned);
          from = batch.resumeAt;
          more = batch.pruned === 2;
        }
        expect(pruned).toEqual([2, 2, 2, 0]);
        expect(await remaining()).toEqual(['young-0']);
        expect((await jobs.listJobs({ limit: 500 })).filter((j) => j.key.startsWith('kept'))).toHaveLength(5);
      });

      it('never gives one job to two store instances claiming in turn', async () => {
        const a = (await open()).jobs;
        const b = (await open()).jobs;
        for (let i = 0; i < 50; i += 1) await a.enqueueJob({ key: `k${i}`, action: 'CREATE_DRAFT', payload: i });
        const seen: number[] = [];
        for (let round = 0; round < 30; round += 1) {
          const [x, y] = await Promise.all([
            a.claimJobs({ owner: 'a', leaseMs: 60_000, limit: 2 }),
            b.claimJobs({ owner: 'b', leaseMs: 60_000, limit: 2 }),
          ]);
          seen.push(...x.map((j) => j.id), ...y.map((j) => j.id));
        }
        expect(seen).toHaveLength(50);
        expect(new Set(seen).size).toBe(50);
      });
    });

    describe('request keys, cursors, mappings, webhooks', () => {
      it('remembers what a request key produced; the first result wins', async () => {
        const { xeroResults } = await open();
        const first = await xeroResults.recordXeroResult({
          requestKey: 'r1',
          tenantId: 't',
          kind: 'invoice',
          xeroId: 'inv-1',
        });
        const again = await xeroResults.recordXeroResult({
          requestKey: 'r1',
          tenantId: 't',
          kind: 'invoice',
          xeroId: 'inv-2',
        });
        await xeroResults.recordXeroResult({ requestKey: 'r1', tenantId: 't', kind: 'contact', xeroId: 'c-1' });
        expect(again.xeroId).toBe(first.xeroId);
        expect((await xeroResults.getXeroResults('r1')).map((r) => r.kind).sort()).toEqual(['contact', 'invoice']);
        expect(await xeroResults.findXeroResult('r1', 't', 'credit_note')).toBeNull();
      });

      it('tells which Xero ids the bridge made, by tenant and kind, asked in any case', async () => {
        const { xeroResults } = await open();
        const made = 'aaaaaaaa-0000-4000-8000-000000000001';
        await xeroResults.recordXeroResult({ requestKey: 'r1', tenantId: 'T-1', kind: 'invoice', xeroId: made });
        await xeroResults.recordXeroResult({ requestKey: 'r2', tenantId: 't-2', kind: 'invoice', xeroId: 'inv-other' });
        await xeroResults.recordXeroResult({ requestKey: 'r3', tenantId: 't-1', kind: 'credit_note', xeroId: 'cn-1' });
        const asked = [made.toUpperCase(), 'inv-other', 'cn-1', 'never-made'];
        expect([...(await xeroResults.madeByBridge('t-1', 'invoice', asked))]).toEqual([made]);
        expect([...(await xeroResults.madeByBridge('T-2', 'invoice', asked))]).toEqual(['inv-other']);
        expect([...(await xeroResults.madeByBridge('t-1', 'credit_note', ['CN-1']))]).toEqual(['cn-1']);
        expect((await xeroResults.madeByBridge('t-1', 'invoice', [])).size).toBe(0);
      });

      it("remembers a month-end close's ManualJournal under its key", async () => {
        const { xeroResults } = await open();
        const key = 'POST_CLOSE:a0B000000000001AAA:1:RECOGNITION';
        await xeroResults.recordXeroResult({ requestKey: key, tenantId: 't', kind: 'manual_journal', xeroId: 'mj-1' });
        expect((await xeroResults.findXeroResult(key, 't', 'manual_journal'))?.xeroId).toBe('mj-1');
      });

      it('keeps a replay cursor per channel', async () => {
        const { replayCursors } = await open();
        expect(await replayCursors.getReplayId('/event/Invoice_Request__e')).toBeNull();
        await replayCursors.saveReplayId('/event/Invoice_Request__e', 41);
        await replayCursors.saveReplayId('/event/Invoice_Request__e', 42);
        await replayCursors.saveReplayId('/event/Other__e', 7);
        expect(await replayCursors.getReplayId('/event/Invoice_Request__e')).toBe(42);
        // When it was last saved: where a reconcile after an event gap looks back from.
        expect(await replayCursors.savedAt('/event/Nothing__e')).toBeNull();
        expect(await replayCursors.savedAt('/event/Invoice_Request__e')).toBe(now);
        now += 60_000;
        await replayCursors.saveReplayId('/event/Invoice_Request__e', 43);
        expect(await replayCursors.savedAt('/event/Invoice_Request__e')).toBe(now);
      });

      it('maps accounts to contacts per tenant', async () => {
        const { contactMappings } = await open();
        await contactMappings.saveContactMapping('t1', '001A', 'contact-1');
        await contactMappings.saveContactMapping('t2', '001A', 'contact-2');
        expect(await contactMappings.getContactMapping('t1', '001A')).toBe('contact-1');
        expect(await contactMappings.getContactMapping('t2', '001A')).toBe('contact-2');
        expect(await contactMappings.getContactMapping('t3', '001A')).toBeNull();
      });

      it('dedupes webhook events and prunes old ones', async () => {
        const { webhookEvents } = await open();
        expect(await webhookEvents.markWebhookEventProcessed('evt-1')).toBe(true);
        expect(await webhookEvents.markWebhookEventProcessed('evt-1')).toBe(false);
        now += 48 * 3600_000;
        expect(await webhookEvents.markWebhookEventProcessed('evt-2')).toBe(true);
        expect(await webhookEvents.pruneWebhookEvents(now - 24 * 3600_000)).toBe(1);
        expect(await webhookEvents.markWebhookEventProcessed('evt-1')).toBe(true);
      });

      it('hands out a lease to one owner at a time until it expires', async () => {
        const a = (await open()).leases;
        const b = (await open()).leases;
        expect(await a.tryAcquireLease('xero-token:c1', 'a', 1000)).toBe(true);
        expect(await b.tryAcquireLease('xero-token:c1', 'b', 1000)).toBe(false);
        expect(await a.tryAcquireLease('xero-token:c1', 'a', 1000)).toBe(true); // renew
        now += 1001;
        expect(await b.tryAcquireLease('xero-token:c1', 'b', 1000)).toBe(true);
        await a.releaseLease('xero-token:c1', 'a'); // not a's any more: no effect
        expect(await a.tryAcquireLease('xero-token:c1', 'a', 1000)).toBe(false);
        await b.releaseLease('xero-token:c1', 'b');
        expect(await a.tryAcquireLease('xero-token:c1', 'a', 1000)).toBe(true);
      });
    });

    describe('Xero token sets at rest', () => {
      const tokenSet: XeroTokenSet = {
        accessToken: 'access-SECRET-123',
        refreshToken: 'refresh-SECRET-456',
        expiresAt: Date.UTC(2026, 0, 1, 0, 30),
        scope: 'offline_access accounting.transactions',
      };

      it('round-trips, encrypted with a fresh IV each write, and tracks status', async () => {
        const { xeroConnections } = await open();
        await xeroConnections.saveXeroTokenSet('conn-1', tokenSet);
        const [sealed1] = await harness.sealedTokenSets();
        await xeroConnections.saveXeroTokenSet('conn-1', tokenSet);
        const [sealed2] = await harness.sealedTokenSets();
        expect(sealed1).not.toContain('SECRET');
        expect(sealed1).not.toBe(sealed2);
        expect((await xeroConnections.getXeroConnection('conn-1'))?.tokenSet).toEqual(tokenSet);

        await xeroConnections.setXeroConnectionStatus('conn-1', 'reauthorisation_required', 'refresh token reused');
        expect(await xeroConnections.listXeroConnections()).toEqual([
          expect.objectContaining({ connectionId: 'conn-1', status: 'reauthorisation_required' }),
        ]);
        await xeroConnections.saveXeroTokenSet('conn-1', tokenSet);
        expect((await xeroConnections.getXeroConnection('conn-1'))?.status).toBe('active');
      });

      it('fails loudly with the wrong key or a tampered row', async () => {
        await (await open()).xeroConnections.saveXeroTokenSet('conn-1', tokenSet);
        const wrong = (await open({ encryptionKey: randomBytes(32) })).xeroConnections;
        await expect(wrong.getXeroConnection('conn-1')).rejects.toBeInstanceOf(SecretDecryptionError);
        await harness.moveTokenSet('conn-1', 'conn-2'); // moved to another row: AAD mismatch
        await expect((await open()).xeroConnections.getXeroConnection('conn-2')).rejects.toThrow(
          /TOKEN_ENCRYPTION_KEY/,
        );
      });

      it('rotates the key: a previous key still opens, re-sealing moves every secret to the new key', async () => {
        const old = await open();
        await old.xeroConnections.saveXeroTokenSet('conn-1', tokenSet);
        await old.forOrg('org-b').xeroConnections.saveXeroTokenSet('conn-9', { ...tokenSet, accessToken: 'b-SECRET' });
        await old.orgs.saveOrg('org-b', ORG_PROFILE, ORG_SECRETS);
        const before = [...(await harness.sealedTokenSets()), ...(await harness.sealedOrgSecrets())];

        const fresh = randomBytes(32);
        const rotating = await open({ encryptionKey: fresh, previousEncryptionKeys: [key] });
        expect((await rotating.xeroConnections.getXeroConnection('conn-1'))?.tokenSet).toEqual(tokenSet);
        expect((await rotating.orgs.getOrg('org-b'))?.secrets).toEqual(ORG_SECRETS);
        // A value written now is sealed with the new key already.
        await rotating.forOrg('org-c').xeroConnections.saveXeroTokenSet('conn-c', tokenSet);

        const report = await rotating.resealSecrets();
        expect(report).toEqual({
          xeroTokenSets: { resealed: 2, current: 1, unreadable: [] },
          orgSecrets: { resealed: 1, current: 0, unreadable: [] },
        });
        const after = [...(await harness.sealedTokenSets()), ...(await harness.sealedOrgSecrets())];
        for (const sealed of before) expect(after).not.toContain(sealed);
        // Twice is harmless.
        expect((await rotating.resealSecrets()).xeroTokenSets).toEqual({ resealed: 0, current: 3, unreadable: [] });

        // The old key retired: the new key alone opens everything; the old key alone opens nothing.
        const retired = await open({ encryptionKey: fresh });
        expect((await retired.forOrg('org-b').xeroConnections.getXeroConnection('conn-9'))?.tokenSet).toMatchObject({
          accessToken: 'b-SECRET',
        });
        expect((await retired.orgs.getOrg('org-b'))?.secrets).toEqual(ORG_SECRETS);
        await expect((await open()).xeroConnections.getXeroConnection('conn-1')).rejects.toBeInstanceOf(
          SecretDecryptionError,
        );
        // A value no configured key opens is reported by name, and left alone.
        const stranger = await open({ encryptionKey: randomBytes(32), previousEncryptionKeys: [randomBytes(32)] });
        expect((await stranger.resealSecrets()).xeroTokenSets.unreadable.sort()).toEqual([
          'default/conn-1',
          'org-b/conn-9',
          'org-c/conn-c',
        ]);
      });

      it('links tenants to connections', async () => {
        const { xeroConnections } = await open();
        await xeroConnections.saveXeroTenants('conn-1', [
          { tenantId: 't-uk', tenantName: 'UK Ltd', tenantType: 'ORGANISATION' },
          { tenantId: 't-us', tenantName: 'US Inc' },
        ]);
        expect(await xeroConnections.getXeroTenant('t-uk')).toMatchObject({
          connectionId: 'conn-1',
          tenantName: 'UK Ltd',
        });
        expect((await xeroConnections.listXeroTenants()).map((t) => t.tenantId)).toEqual(['t-uk', 't-us']);
      });
    });

    describe('many orgs in one store', () => {
      const tokenSet: XeroTokenSet = { accessToken: 'a-A', refreshToken: 'r-A', expiresAt: Date.UTC(2026, 0, 2) };

      it("keeps every repository of one org out of another org's reach", async () => {
        const store = await open();
        const a = store.forOrg('00DA0000000000AAAA');
        const b = store.forOrg('00DB0000000000BBBB');
        expect(store.forOrg('00DA0000000000AAAA')).toBe(a);

        // The same job key in two orgs is two jobs; neither is visible, claimable or changeable from the other.
        const { job: jobA } = await a.jobs.enqueueJob({
          key: 'opp1:CREATE_DRAFT:1',
          action: 'CREATE_DRAFT',
          payload: 'A',
        });
        const { job: jobB, created } = await b.jobs.enqueueJob({
          key: 'opp1:CREATE_DRAFT:1',
          action: 'CREATE_DRAFT',
          payload: 'B',
        });
        expect(created).toBe(true);
        expect(jobB.id).not.toBe(jobA.id);
        expect(await b.jobs.getJob(jobA.id)).toBeNull();
        expect((await b.jobs.getJobByKey('opp1:CREATE_DRAFT:1'))?.payload).toBe('B');
        expect((await b.jobs.listJobs()).map((j) => j.id)).toEqual([jobB.id]);
        expect((await b.jobs.unfinishedJobs('CREATE_DRAFT')).map((j) => j.id)).toEqual([jobB.id]);
        const claimedByB = await b.jobs.claimJobs({ owner: 'w', leaseMs: 60_000, limit: 10 });
        expect(claimedByB.map((j) => j.id)).toEqual([jobB.id]);
        expect(await b.jobs.heartbeatJob(jobA.id, 'w', 60_000)).toBe(false);
        expect(await b.jobs.completeJob(jobA.id, 'w')).toBe(false);
        const [claimedByA] = await a.jobs.claimJobs({ owner: 'w', leaseMs: 60_000, limit: 10 });
        expect(claimedByA?.id).toBe(jobA.id);
        expect(await b.jobs.failJob(jobA.id, 'w', 'from B', null)).toBe(false);
        expect(await b.jobs.completeJob(jobA.id, 'w')).toBe(false);
        await b.jobs.setJobTenant(jobA.id, 'tenant-of-B');
        expect(await b.jobs.releaseJobLeases('w')).toBe(1); // B's own job only
        expect(await a.jobs.getJob(jobA.id)).toMatchObject({ state: 'running', tenantId: null });
        expect(await a.jobs.failJob(jobA.id, 'w', 'x', null)).toBe(true);
        expect(await b.jobs.retryJob(jobA.id)).toBeNull();
        expect(await b.jobs.countJobsByState()).toEqual({ queued: 1, running: 0, done: 0, failed: 0, dead: 0 });
        expect(await store.jobs.countJobsByState()).toEqual({ queued: 0, running: 0, done: 0, failed: 0, dead: 0 });
        expect(await b.jobs.countOpenJobsByState()).toEqual({ queued: 1, running: 0, failed: 0, dead: 0 });
        expect(await a.jobs.countOpenJobsByState()).toEqual({ queued: 0, running: 0, failed: 0, dead: 1 });

        await a.xeroResults.recordXeroResult({ requestKey: 'r1', tenantId: 't', kind: 'invoice', xeroId: 'inv-A' });
        expect(await b.xeroResults.getXeroResults('r1')).toEqual([]);
        expect(await b.xeroResults.findXeroResult('r1', 't', 'invoice')).toBeNull();
        expect(
          (await b.xeroResults.recordXeroResult({ requestKey: 'r1', tenantId: 't', kind: 'invoice', xeroId: 'inv-B' }))
            .xeroId,
        ).toBe('inv-B');

        await a.replayCursors.saveReplayId('/event/Invoice_Request__e', 41);
        expect(await b.replayCursors.getReplayId('/event/Invoice_Request__e')).toBeNull();

        await a.xeroConnections.saveXeroTokenSet('conn-1', tokenSet);
        await a.xeroConnections.saveXeroTenants('conn-1', [{ tenantId: 't-uk', tenantName: 'UK' }]);
        expect(await b.xeroConnections.getXeroConnection('conn-1')).toBeNull();
        expect(await b.xeroConnections.listXeroConnections()).toEqual([]);
        expect(await b.xeroConnections.getXeroTenant('t-uk')).toBeNull();
        expect(await b.xeroConnections.listXeroTenants()).toEqual([]);
        await b.xeroConnections.setXeroConnectionStatus('conn-1', 'error', 'B only');
        expect((await a.xeroConnections.getXeroConnection('conn-1'))?.status).toBe('active');

        await a.contactMappings.saveContactMapping('t-uk', '001A', 'contact-A');
        expect(await b.contactMappings.getContactMapping('t-uk', '001A')).toBeNull();

        await a.watermarks.saveWatermark('t-uk', 'Invoices', { at: 5, idsAtTimestamp: ['x'] });
        expect(await b.watermarks.getWatermark('t-uk', 'Invoices')).toBeNull();

        expect(await a.webhookEvents.markWebhookEventProcessed('evt-1')).toBe(true);
        expect(await b.webhookEvents.markWebhookEventProcessed('evt-1')).toBe(true); // B's first sight of it
        now += 48 * 3600_000;
        expect(await b.webhookEvents.pruneWebhookEvents(now)).toBe(1);
        expect(await a.webhookEvents.markWebhookEventProcessed('evt-1')).toBe(false); // A's survived B's prune

        expect(await a.leases.tryAcquireLease('salesforce-subscriber', 'host-1', 10_000)).toBe(true);
        expect(await b.leases.getLease('salesforce-subscriber')).toBeNull();
        expect(await b.leases.tryAcquireLease('salesforce-subscriber', 'host-2', 10_000)).toBe(true);
        await b.leases.releaseLease('salesforce-subscriber', 'host-1');
        expect((await a.leases.getLease('salesforce-subscriber'))?.owner).toBe('host-1');
      });

      it("treats the store's own repositories as the default org's", async () => {
        const store = await open();
        await store.jobs.enqueueJob({ key: 'k', action: 'VOID', payload: {} });
        expect(await store.forOrg(DEFAULT_ORG_ID).jobs.getJobByKey('k')).not.toBeNull();
        expect(await store.forOrg('other').jobs.getJobByKey('k')).toBeNull();
      });

      it('refuses a malformed org id', async () => {
        const store = await open();
        for (const bad of ['', ' x', 'a/b', "o'rg", 'x'.repeat(65)]) {
          expect(() => store.forOrg(bad)).toThrow(InvalidOrgIdError);
        }
      });

      it("will not open one org's token set as another's", async () => {
        const store = await open();
        await store.forOrg('org-a').xeroConnections.saveXeroTokenSet('conn-1', tokenSet);
        await harness.moveTokenSet('conn-1', 'conn-1', 'org-b');
        await expect(store.forOrg('org-b').xeroConnections.getXeroConnection('conn-1')).rejects.toBeInstanceOf(
          SecretDecryptionError,
        );
      });
    });

    describe('orgs', () => {
      const profile = ORG_PROFILE;
      const secrets = ORG_SECRETS;

      it('stores each org with its credentials sealed, lists without them, and suspends', async () => {
        const { orgs } = await open();
        await orgs.saveOrg('00DA0000000000AAAA', profile, secrets);
        await orgs.saveOrg('00DB0000000000BBBB', { ...profile, displayName: 'Acme US' }, secrets);
        expect(await orgs.getOrg('00DA0000000000AAAA')).toMatchObject({ profile, secrets, createdAt: now });
        const listed = await orgs.listOrgs();
        expect(listed.map((o) => [o.orgId, o.profile.displayName])).toEqual([
          ['00DA0000000000AAAA', 'Acme EMEA'],
          ['00DB0000000000BBBB', 'Acme US'],
        ]);
        expect(JSON.stringify(listed)).not.toMatch(/SECRET/);
        for (const sealed of await harness.sealedOrgSecrets()) expect(sealed).not.toMatch(/SECRET/);
        expect(await orgs.setOrgStatus('00DB0000000000BBBB', 'suspended')).toBe(true);
        expect((await orgs.getOrg('00DB0000000000BBBB'))?.profile.status).toBe('suspended');
        expect(await orgs.setOrgStatus('missing', 'suspended')).toBe(false);
        expect(await orgs.getOrg('missing')).toBeNull();
        const wrongKey = (await open({ encryptionKey: randomBytes(32) })).orgs;
        await expect(wrongKey.getOrg('00DA0000000000AAAA')).rejects.toBeInstanceOf(SecretDecryptionError);
      });

      it('keeps the optional settings: API version, audience, daily call limit, endpoints, a previous webhook key', async () => {
        const { orgs } = await open();
        const full: OrgProfile = {
          ...profile,
          salesforce: { ...profile.salesforce, apiVersion: '65.0', audience: 'https://login.salesforce.com' },
          xero: {
            ...profile.xero,
            dailyCallLimit: 1_000,
            endpoints: { apiBaseUrl: 'http://127.0.0.1:4010/api.xro/2.0', tokenUrl: 'http://127.0.0.1:4010/token' },
          },
        };
        const rotating = { ...secrets, xeroWebhookKeyPrevious: 'OLD-WEBHOOK-SECRET' };
        await orgs.saveOrg('org-full', full, rotating);
        expect(await orgs.getOrg('org-full')).toMatchObject({ profile: full, secrets: rotating });
        await expect(
          orgs.saveOrg('org-x', { ...full, xero: { ...full.xero, dailyCallLimit: 6_000 } }, secrets),
        ).rejects.toThrow(/xero\.dailyCallLimit/);
      });

      it('refuses an invalid configuration, naming every bad field, and stores nothing', async () => {
        const { orgs } = await open();
        const bad = {
          ...profile,
          salesforce: { ...profile.salesforce, loginUrl: 'not a url' },
          xero: { ...profile.xero, scopes: ['accounting.invoices'] },
        };
        const attempt = orgs.saveOrg('org-x', bad, { ...secrets, xeroClientSecret: '' });
        await expect(attempt).rejects.toBeInstanceOf(InvalidOrgConfigError);
        await expect(orgs.saveOrg('org-x', bad, { ...secrets, xeroClientSecret: '' })).rejects.toThrow(
          /salesforce\.loginUrl.*xero\.scopes.*xeroClientSecret/,
        );
        await expect(orgs.saveOrg('bad/id', profile, secrets)).rejects.toBeInstanceOf(InvalidOrgIdError);
        expect(await orgs.listOrgs()).toEqual([]);
      });
    });

    describe('leases for singleton roles', () => {
      it('fails over to another owner when the holder stops renewing, with a higher fencing token', async () => {
        const a = (await open()).leases;
        const b = (await open()).leases;
        const first = await a.acquireLease('salesforce-subscriber', 'host-a', 10_000);
        expect(first).toMatchObject({ owner: 'host-a', expiresAt: now + 10_000 });
        expect(await b.acquireLease('salesforce-subscriber', 'host-b', 10_000)).toBeNull();
        now += 4_000;
        const renewed = await a.renewLease('salesforce-subscriber', 'host-a', first!.token, 10_000);
        expect(renewed).toEqual({ ...first, expiresAt: now + 10_000 }); // same token
        expect(await a.acquireLease('salesforce-subscriber', 'host-a', 10_000)).toMatchObject({ token: first!.token });
        expect(await b.getLease('salesforce-subscriber')).toMatchObject({ owner: 'host-a' });

        now += 10_001; // host-a stopped renewing
        expect(await b.getLease('salesforce-subscriber')).toBeNull();
        const second = await b.acquireLease('salesforce-subscriber', 'host-b', 10_000);
        expect(second!.token).toBeGreaterThan(first!.token);
        // host-a wakes up: it cannot renew, and its fenced writes are refused.
        expect(await a.renewLease('salesforce-subscriber', 'host-a', first!.token, 10_000)).toBeNull();
        const cursors = (await open()).replayCursors;
        const channel = '/event/Invoice_Request__e';
        const staleFence = { name: 'salesforce-subscriber', owner: 'host-a', token: first!.token };
        expect(await cursors.saveFencedReplayId(channel, 7, staleFence)).toBe(false);
        const fence = { name: 'salesforce-subscriber', owner: 'host-b', token: second!.token };
        expect(await cursors.saveFencedReplayId(channel, 8, fence)).toBe(true);
        expect(await cursors.saveFencedReplayId(channel, 9, fence)).toBe(true);
        expect(await cursors.getReplayId(channel)).toBe(9);

        // Released: free at once, and the next holder's token is higher still (even the same owner's).
        await b.releaseLease('salesforce-subscriber', 'host-b');
        expect(await cursors.saveFencedReplayId(channel, 10, fence)).toBe(false);
        const third = await b.acquireLease('salesforce-subscriber', 'host-b', 10_000);
        expect(third!.token).toBeGreaterThan(second!.token);
      });

      it('renews a lease that lapsed while nobody took it, keeping its token', async () => {
        const leases = (await open()).leases;
        const lease = await leases.acquireLease('xero-poller:t-uk', 'host-a', 5_000);
        now += 6_000;
        expect(await leases.renewLease('xero-poller:t-uk', 'host-a', lease!.token, 5_000)).toMatchObject({
          token: lease!.token,
          expiresAt: now + 5_000,
        });
      });

      it('gives a contested lease to exactly one of several owners acquiring at once', async () => {
        const stores = await Promise.all([open(), open(), open(), open()]);
        const results = await Promise.all(
          stores.map((s, i) => s.leases.acquireLease('xero-poller:t-us', `host-${i}`, 10_000)),
        );
        expect(results.filter((r) => r !== null)).toHaveLength(1);
      });
    });

    describe('shared Xero rate limits', () => {
      const tenant: RateBucketPolicy = {
        bucket: 'xero:app-1:tenant:t-uk',
        concurrency: 5,
        windows: [
          { spanMs: 60_600, limit: 60 },
          { spanMs: 86_400_600, limit: 5_000 },
        ],
      };
      const app: RateBucketPolicy = { bucket: 'xero:app-1', windows: [{ spanMs: 60_600, limit: 10_000 }] };

      it('keeps replicas together within 5 in flight per tenant, and frees a dead one’s permits at lease expiry', async () => {
        const replicas = await Promise.all([open(), open(), open()]);
        const granted: string[] = [];
        for (let i = 0; i < 7; i += 1) {
          const r = replicas[i % 3]!.rateLimits;
          const decision = await r.acquirePermit({ buckets: [tenant, app], owner: `host-${i % 3}`, leaseMs: 40_000 });
          if (decision.granted) granted.push(decision.permitId);
          else expect(decision).toMatchObject({ reason: 'concurrency', bucket: tenant.bucket, retryAt: now + 40_000 });
        }
        expect(granted).toHaveLength(5);
        expect(await replicas[0]!.rateLimits.usage(tenant.bucket, tenant.windows)).toEqual({
          inFlight: 5,
          used: [5, 5],
          pausedUntil: null,
        });
        // One finishes: room for one more.
        await replicas[0]!.rateLimits.releasePermit(granted[0]!, 'host-0');
        await replicas[0]!.rateLimits.releasePermit(granted[0]!, 'host-0'); // idempotent
        now += 1_000;
        const next = await replicas[1]!.rateLimits.acquirePermit({
          buckets: [tenant],
          owner: 'host-1',
          leaseMs: 40_000,
        });
        expect(next.granted).toBe(true);
        // The others' hosts die holding permits: they stop counting as in flight when their leases lapse.
        now += 39_500;
        const usage = await replicas[0]!.rateLimits.usage(tenant.bucket, tenant.windows);
        expect(usage.inFlight).toBe(1); // only the one granted after the release
        expect(usage.used).toEqual([6, 6]); // every call still counts in the windows
        expect(await replicas[0]!.rateLimits.releaseOwnerPermits('host-1')).toBe(1);
        expect((await replicas[0]!.rateLimits.usage(tenant.bucket, tenant.windows)).inFlight).toBe(0);
      });

      it('keeps a long call in flight while its holder renews it, and lets a dead holder’s lapse', async () => {
        const [a, b] = [await open(), await open()];
        const one = { bucket: 'xero:app:tenant:slow', concurrency: 1, windows: [] };
        const first = await a.rateLimits.acquirePermit({ buckets: [one], owner: 'host-a', leaseMs: 10_000 });
        if (!first.granted) throw new Error('not granted');
        now += 8_000;
        expect(await a.rateLimits.renewPermits([first.permitId], 'host-a', 10_000)).toBe(1);
        expect(await b.rateLimits.renewPermits([first.permitId], 'host-b', 10_000)).toBe(0); // not b's
        now += 8_000; // 16 s after it was granted: still in flight, renewed
        expect((await b.rateLimits.acquirePermit({ buckets: [one], owner: 'host-b', leaseMs: 10_000 })).granted).toBe(
          false,
        );
        now += 2_001; // host-a died: no more renewals, the lease lapses
        expect((await b.rateLimits.acquirePermit({ buckets: [one], owner: 'host-b', leaseMs: 10_000 })).granted).toBe(
          true,
        );
        // A lapsed permit is not revived by a late renewal (its slot is someone else's now).
        expect(await a.rateLimits.renewPermits([first.permitId], 'host-a', 10_000)).toBe(0);
        expect(await a.rateLimits.renewPermits([], 'host-a', 10_000)).toBe(0);
      });

      it('allows 60 a minute per tenant across replicas, then says when the oldest call leaves the window', async () => {
        const replicas = await Promise.all([open(), open()]);
        const t0 = now;
        for (let i = 0; i < 60; i += 1) {
          const r = replicas[i % 2]!.rateLimits;
          const d = await r.acquirePermit({ buckets: [tenant, app], owner: `host-${i % 2}`, leaseMs: 40_000 });
          if (!d.granted) throw new Error(`call ${i} refused: ${JSON.stringify(d)}`);
          now += 100;
          await r.releasePermit(d.permitId, `host-${i % 2}`);
        }
        const refused = await replicas[0]!.rateLimits.acquirePermit({ buckets: [tenant, app], owner: 'x', leaseMs: 1 });
        // The first call was released at t0 + 100: it leaves the 60.6 s window then.
        expect(refused).toEqual({
          granted: false,
          reason: 'window',
          bucket: tenant.bucket,
          retryAt: t0 + 100 + 60_600,
        });
        // Nothing was counted in the app bucket for the refused call.
        expect((await replicas[1]!.rateLimits.usage(app.bucket, app.windows)).used).toEqual([60]);
        now = t0 + 100 + 60_600;
        expect(
          (await replicas[1]!.rateLimits.acquirePermit({ buckets: [tenant, app], owner: 'y', leaseMs: 1 })).granted,
        ).toBe(true);
      });

      it('holds a tenant at its daily limit without slowing another tenant', async () => {
        const { rateLimits } = await open();
        const daily: RateBucketPolicy = {
          bucket: 'xero:app-1:tenant:t-us',
          windows: [{ spanMs: 86_400_000, limit: 3 }],
        };
        const other: RateBucketPolicy = { ...daily, bucket: 'xero:app-1:tenant:t-eu' };
        for (let i = 0; i < 3; i += 1) {
          const d = await rateLimits.acquirePermit({ buckets: [daily], owner: 'h', leaseMs: 1_000 });
          if (d.granted) await rateLimits.releasePermit(d.permitId, 'h');
          now += 1_000;
        }
        expect(await rateLimits.acquirePermit({ buckets: [daily], owner: 'h', leaseMs: 1_000 })).toMatchObject({
          granted: false,
          reason: 'window',
          retryAt: Date.UTC(2026, 0, 1) + 86_400_000,
        });
        expect((await rateLimits.acquirePermit({ buckets: [other], owner: 'h', leaseMs: 1_000 })).granted).toBe(true);
      });

      it('shares a Retry-After pause with every replica; the longer pause wins', async () => {
        const a = (await open()).rateLimits;
        const b = (await open()).rateLimits;
        await a.pauseBucket(tenant.bucket, now + 30_000);
        await b.pauseBucket(tenant.bucket, now + 10_000);
        expect(await b.acquirePermit({ buckets: [app, tenant], owner: 'b', leaseMs: 1_000 })).toEqual({
          granted: false,
          reason: 'paused',
          bucket: tenant.bucket,
          retryAt: now + 30_000,
        });
        expect((await b.usage(app.bucket, app.windows)).used).toEqual([0]);
        now += 30_000;
        expect((await b.acquirePermit({ buckets: [app, tenant], owner: 'b', leaseMs: 1_000 })).granted).toBe(true);
      });

      it("counts calls Xero has seen that the store has not, from Xero's remaining-count headers", async () => {
        const { rateLimits } = await open();
        const minute = tenant.windows[0]!;
        await rateLimits.recordRemaining(tenant.bucket, minute, 50); // something else made 10 calls
        expect((await rateLimits.usage(tenant.bucket, [minute])).used).toEqual([10]);
        await rateLimits.recordRemaining(tenant.bucket, minute, 55); // never lowers the count
        expect((await rateLimits.usage(tenant.bucket, [minute])).used).toEqual([10]);
        now += minute.spanMs;
        expect((await rateLimits.usage(tenant.bucket, [minute])).used).toEqual([0]);
      });

      it('never grants more than the limits to replicas acquiring at once', async () => {
        const replicas = await Promise.all([open(), open(), open(), open()]);
        const policy: RateBucketPolicy = { bucket: 'xero:app-1:tenant:t-race', concurrency: 5, windows: [] };
        const decisions = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            replicas[i % 4]!.rateLimits.acquirePermit({ buckets: [policy], owner: `h${i % 4}`, leaseMs: 60_000 }),
          ),
        );
        expect(decisions.filter((d) => d.granted)).toHaveLength(5);
      });
    });

    describe('token refresh across processes', () => {
      const v1: XeroTokenSet = { accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: Date.UTC(2026, 0, 1) };
      const v2: XeroTokenSet = { accessToken: 'access-2', refreshToken: 'refresh-2', expiresAt: Date.UTC(2026, 0, 2) };
      const opts = (owner: string) => ({ owner, waitMs: 10_000, holdMs: 60_000 });

      it('runs one refresh at a time; the second sees the first one’s rotated token set', async () => {
        await (await open()).xeroConnections.saveXeroTokenSet('conn-1', v1);
        const a = (await open()).xeroConnections;
        const b = (await open()).xeroConnections;
        let inside = 0;
        let most = 0;
        const seen: string[] = [];
        const refresh = async (current: { tokenSet: XeroTokenSet | null } | null) => {
          inside += 1;
          most = Math.max(most, inside);
          seen.push(current?.tokenSet?.refreshToken ?? 'none');
          await sleep(150); // the HTTP call to Xero
          inside -= 1;
          return current?.tokenSet?.refreshToken === 'refresh-1' ? v2 : null;
        };
        const [ra, rb] = await Promise.all([
          a.refreshXeroTokenSet('conn-1', opts('host-a'), refresh),
          sleep(20).then(() => b.refreshXeroTokenSet('conn-1', opts('host-b'), refresh)),
        ]);
        expect(most).toBe(1);
        expect(seen).toEqual(['refresh-1', 'refresh-2']);
        expect(ra?.tokenSet).toEqual(v2);
        expect(rb?.tokenSet).toEqual(v2);
        expect((await (await open()).xeroConnections.getXeroConnection('conn-1'))?.status).toBe('active');
      });

      it('stores nothing when the refresh fails, and lets the next one in at once', async () => {
        const { xeroConnections } = await open();
        await xeroConnections.saveXeroTokenSet('conn-1', v1);
        await expect(
          xeroConnections.refreshXeroTokenSet('conn-1', opts('host-a'), async () => {
            throw new Error('invalid_grant');
          }),
        ).rejects.toThrow('invalid_grant');
        expect((await xeroConnections.getXeroConnection('conn-1'))?.tokenSet).toEqual(v1);
        const other = (await open()).xeroConnections;
        const after = await other.refreshXeroTokenSet('conn-1', { ...opts('host-b'), waitMs: 500 }, async () => v2);
        expect(after?.tokenSet).toEqual(v2);
      });

      it('gives up waiting after waitMs while another process holds the lock', async () => {
        const a = (await open()).xeroConnections;
        const b = (await open()).xeroConnections;
        await a.saveXeroTokenSet('conn-1', v1);
        let release: () => void = () => undefined;
        const holding = a.refreshXeroTokenSet(
          'conn-1',
          opts('host-a'),
          () => new Promise((r) => (release = () => r(v2))),
        );
        await sleep(50);
        await expect(
          b.refreshXeroTokenSet('conn-1', { ...opts('host-b'), waitMs: 300 }, async () => v2),
        ).rejects.toBeInstanceOf(TokenRefreshLockTimeout);
        release();
        expect((await holding)?.tokenSet).toEqual(v2);
      });

      it('hands the refresh a missing connection as null', async () => {
        const { xeroConnections } = await open();
        const seen: unknown[] = [];
        expect(
          await xeroConnections.refreshXeroTokenSet('nope', opts('h'), async (current) => {
            seen.push(current);
            return null;
          }),
        ).toBeNull();
        expect(seen).toEqual([null]);
      });
    });

    describe('watermarks', () => {
      it('stores per tenant and resource', async () => {
        const { watermarks } = await open();
        await watermarks.saveWatermark('t1', 'invoices', { at: 1000, idsAtTimestamp: ['a', 'b'] });
        expect(await watermarks.getWatermark('t1', 'invoices')).toEqual({ at: 1000, idsAtTimestamp: ['a', 'b'] });
        expect(await watermarks.getWatermark('t1', 'payments')).toBeNull();
      });

      it("saves a poller's watermark only while it holds the tenant's lease", async () => {
        const a = await open();
        const b = await open();
        const lease = await a.leases.acquireLease('xero-poller:t1', 'host-a', 10_000);
        const fence = { name: 'xero-poller:t1', owner: 'host-a', token: lease!.token };
        expect(await a.watermarks.saveFencedWatermark('t1', 'Invoices', { at: 1, idsAtTimestamp: [] }, fence)).toBe(
          true,
        );
        now += 10_001; // host-a stalled; host-b takes over
        const next = await b.leases.acquireLease('xero-poller:t1', 'host-b', 10_000);
        const newFence = { name: 'xero-poller:t1', owner: 'host-b', token: next!.token };
        expect(
          await b.watermarks.saveFencedWatermark('t1', 'Invoices', { at: 5, idsAtTimestamp: ['x'] }, newFence),
        ).toBe(true);
        // The stale poller wakes up: its older watermark is refused, the new holder's stays.
        expect(await a.watermarks.saveFencedWatermark('t1', 'Invoices', { at: 2, idsAtTimestamp: [] }, fence)).toBe(
          false,
        );
        expect(await a.watermarks.getWatermark('t1', 'Invoices')).toEqual({ at: 5, idsAtTimestamp: ['x'] });
        // Another org's lease of the same name fences nothing here.
        await b.forOrg('org-b').leases.acquireLease('xero-poller:t2', 'host-a', 10_000);
        const otherOrg = { name: 'xero-poller:t2', owner: 'host-a', token: 1 };
        expect(await a.watermarks.saveFencedWatermark('t2', 'Invoices', { at: 1, idsAtTimestamp: [] }, otherOrg)).toBe(
          false,
        );
      });
    });

    describe('Connect to Xero states', () => {
      it('hands a state to whichever process takes it first, once, before it expires', async () => {
        const a = await open();
        const b = await open();
        const pending = { orgId: 'org-b', codeVerifier: 'verifier-SECRET', expiresAt: now + 600_000 };
        await a.oauthStates.putOAuthState('state-1', pending);
        await a.oauthStates.putOAuthState('state-2', { ...pending, expiresAt: now + 1_000 });
        // Taken by the other process (the load balancer sent the callback there), once.
        const [first, second] = await Promise.all([
          b.oauthStates.takeOAuthState('state-1', now),
          a.oauthStates.takeOAuthState('state-1', now),
        ]);
        expect([first, second].filter((x) => x !== null)).toEqual([pending]);
        expect(await b.oauthStates.takeOAuthState('forged', now)).toBeNull();
        expect(await b.oauthStates.takeOAuthState('state-2', now + 1_000)).toBeNull(); // expired
        expect(await b.oauthStates.takeOAuthState('state-2', now)).toBeNull(); // and burnt
      });
    });

    describe('import runs', () => {
      const run = { runKey: 'IMPORT:t1:2025-01-01', tenantId: 't1', entity: 'UK_Ltd', since: '2025-01-01' };

      it('creates a run once; the same key returns the stored run', async () => {
        const { importRuns } = await open();
        const first = await importRuns.createImportRun({ ...run, cursor: { phase: 'contacts', page: 1 } });
        expect(first.created).toBe(true);
        expect(first.run).toMatchObject({
          ...run,
          status: 'running',
          step: 0,
          counts: {},
          errors: [],
          finishedAt: null,
        });
        now += 1000;
        const again = await importRuns.createImportRun({ ...run, cursor: { phase: 'other', page: 9 } });
        expect(again).toEqual({ created: false, run: first.run });
      });

      it('moves a run on one step at a time: a step taken already is refused, and nothing changes', async () => {
        const { importRuns } = await open();
        await importRuns.createImportRun({ ...run, cursor: { phase: 'contacts', page: 1 } });
        const next = {
          status: 'running' as const,
          cursor: { phase: 'invoices', page: 1 },
          counts: { contacts: 200 },
          errors: [],
        };
        now += 1000;
        expect(await importRuns.advanceImportRun(run.runKey, 0, next)).toBe(true);
        expect(await importRuns.advanceImportRun(run.runKey, 0, { ...next, counts: { contacts: 400 } })).toBe(false);
        expect(await importRuns.getImportRun(run.runKey)).toMatchObject({
          step: 1,
          cursor: { phase: 'invoices', page: 1 },
          counts: { contacts: 200 },
          updatedAt: now,
        });
        const errors = Array.from({ length: 25 }, (_, i) => `problem ${i}`);
        expect(await importRuns.advanceImportRun(run.runKey, 1, { ...next, status: 'completed', errors })).toBe(true);
        const done = await importRuns.getImportRun(run.runKey);
        expect(done).toMatchObject({ status: 'completed', step: 2, finishedAt: now });
        expect(done!.errors).toEqual(errors.slice(-20));
      });

      it('lists runs newest first, and keeps each org to its own', async () => {
        const store = await open();
        await store.importRuns.createImportRun({ ...run, cursor: {} });
        now += 1000;
        await store.importRuns.createImportRun({ ...run, runKey: 'IMPORT:t2:2025-01-01', tenantId: 't2', cursor: {} });
        expect((await store.importRuns.listImportRuns()).map((r) => r.runKey)).toEqual([
          'IMPORT:t2:2025-01-01',
          run.runKey,
        ]);
        const other = store.forOrg('other-org').importRuns;
        expect(await other.listImportRuns()).toEqual([]);
        expect(await other.getImportRun(run.runKey)).toBeNull();
        expect(
          await other.advanceImportRun(run.runKey, 0, { status: 'failed', cursor: {}, counts: {}, errors: [] }),
        ).toBe(false);
      });
    });

    it('answers a liveness probe', async () => {
      await expect((await open()).ping()).resolves.toBeUndefined();
    });
  });
}
