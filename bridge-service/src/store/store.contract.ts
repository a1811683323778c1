/**
 * The store contract: the behaviour every Store implementation must have, as a Jest suite. An adapter's test file
 * calls `describeStoreContract('PostgreSQL', factory)`; SQLite's is sqlite/sqlite-store.test.ts. Time is the
 * suite's own clock, handed to the factory; a harness may open several stores on one database (several bridge
 * processes sharing it).
 */
import { randomBytes } from 'node:crypto';
import { SecretDecryptionError } from './crypto';
import { INTERRUPTED } from './jobs';
import type { Store, XeroTokenSet } from './types';

export interface StoreHarness {
  /** Opens a store on the harness's database (another bridge process sharing it), with its own token key. */
  open(opts: { encryptionKey: Buffer }): Store;
  /** Every stored token set exactly as it is at rest. */
  sealedTokenSets(): Promise<string[]>;
  /** Moves a connection's stored token set to another connection id, as someone editing the database might. */
  moveTokenSet(fromConnectionId: string, toConnectionId: string): Promise<void>;
  /** Drops the database (the stores are closed first). */
  dispose(): Promise<void>;
}

export type StoreHarnessFactory = (clock: { now(): number }) => StoreHarness | Promise<StoreHarness>;

export function describeStoreContract(adapter: string, factory: StoreHarnessFactory): void {
  describe(`${adapter} store contract`, () => {
    const key = randomBytes(32);
    let now = Date.UTC(2026, 0, 1);
    const clock = { now: () => now };
    let harness: StoreHarness;
    const stores: Store[] = [];

    function open(opts: { encryptionKey?: Buffer } = {}): Store {
      const store = harness.open({ encryptionKey: opts.encryptionKey ?? key });
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
        const { jobs } = open();
        const first = await jobs.enqueueJob({ key: 'opp1:CREATE_DRAFT:1', action: 'CREATE_DRAFT', payload: { a: 1 } });
        const again = await jobs.enqueueJob({ key: 'opp1:CREATE_DRAFT:1', action: 'CREATE_DRAFT', payload: { a: 2 } });
        expect(first.created).toBe(true);
        expect(again.created).toBe(false);
        expect(again.job.id).toBe(first.job.id);
        expect(again.job.payload).toEqual({ a: 1 });
        expect(first.job.state).toBe('queued');
      });

      it('claims due jobs, completes, fails with retry, goes dead, and retries from the admin side', async () => {
        const { jobs } = open();
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
        expect(await jobs.getJobByKey('k1')).toMatchObject({ state: 'done', result: { invoiceId: 'x' }, attempts: 3 });
        expect(await jobs.countJobsByState()).toEqual({ queued: 1, running: 0, done: 1, failed: 0, dead: 0 });
        const later = (await jobs.getJobByKey('later'))!;
        await jobs.setJobTenant(later.id, 't2');
        expect((await jobs.listJobs({ tenantId: 't2' })).map((j) => j.key)).toEqual(['later']);
      });

      it("hands a crashed worker's job to another once its lease expires, and refuses the stale owner", async () => {
        const a = open().jobs;
        const b = open().jobs;
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
        const { jobs } = open();
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

      it('filters claims by action and pages the admin list newest first', async () => {
        const { jobs } = open();
        for (let i = 0; i < 5; i += 1)
          await jobs.enqueueJob({ key: `k${i}`, action: i % 2 ? 'VOID' : 'RESYNC', payload: i });
        const voids = await jobs.claimJobs({ owner: 'w', leaseMs: 1000, limit: 10, actions: ['VOID'] });
        expect(voids.map((j) => j.payload)).toEqual([1, 3]);
        const page1 = await jobs.listJobs({ limit: 2 });
        const page2 = await jobs.listJobs({ limit: 2, beforeId: page1[1]!.id });
        expect(page1.map((j) => j.payload)).toEqual([4, 3]);
        expect(page2.map((j) => j.payload)).toEqual([2, 1]);
      });

      it('never gives one job to two store instances claiming in turn', async () => {
        const a = open().jobs;
        const b = open().jobs;
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
        const { xeroResults } = open();
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

      it('keeps a replay cursor per channel', async () => {
        const { replayCursors } = open();
        expect(await replayCursors.getReplayId('/event/Invoice_Request__e')).toBeNull();
        await replayCursors.saveReplayId('/event/Invoice_Request__e', 41);
        await replayCursors.saveReplayId('/event/Invoice_Request__e', 42);
        await replayCursors.saveReplayId('/event/Other__e', 7);
        expect(await replayCursors.getReplayId('/event/Invoice_Request__e')).toBe(42);
      });

      it('maps accounts to contacts per tenant', async () => {
        const { contactMappings } = open();
        await contactMappings.saveContactMapping('t1', '001A', 'contact-1');
        await contactMappings.saveContactMapping('t2', '001A', 'contact-2');
        expect(await contactMappings.getContactMapping('t1', '001A')).toBe('contact-1');
        expect(await contactMappings.getContactMapping('t2', '001A')).toBe('contact-2');
        expect(await contactMappings.getContactMapping('t3', '001A')).toBeNull();
      });

      it('dedupes webhook events and prunes old ones', async () => {
        const { webhookEvents } = open();
        expect(await webhookEvents.markWebhookEventProcessed('evt-1')).toBe(true);
        expect(await webhookEvents.markWebhookEventProcessed('evt-1')).toBe(false);
        now += 48 * 3600_000;
        expect(await webhookEvents.markWebhookEventProcessed('evt-2')).toBe(true);
        expect(await webhookEvents.pruneWebhookEvents(now - 24 * 3600_000)).toBe(1);
        expect(await webhookEvents.markWebhookEventProcessed('evt-1')).toBe(true);
      });

      it('hands out a lease to one owner at a time until it expires', async () => {
        const a = open().leases;
        const b = open().leases;
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
        const { xeroConnections } = open();
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
        await open().xeroConnections.saveXeroTokenSet('conn-1', tokenSet);
        const wrong = open({ encryptionKey: randomBytes(32) }).xeroConnections;
        await expect(wrong.getXeroConnection('conn-1')).rejects.toBeInstanceOf(SecretDecryptionError);
        await harness.moveTokenSet('conn-1', 'conn-2'); // moved to another row: AAD mismatch
        await expect(open().xeroConnections.getXeroConnection('conn-2')).rejects.toThrow(/TOKEN_ENCRYPTION_KEY/);
      });

      it('links tenants to connections', async () => {
        const { xeroConnections } = open();
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

    describe('watermarks', () => {
      it('stores per tenant and resource', async () => {
        const { watermarks } = open();
        await watermarks.saveWatermark('t1', 'invoices', { at: 1000, idsAtTimestamp: ['a', 'b'] });
        expect(await watermarks.getWatermark('t1', 'invoices')).toEqual({ at: 1000, idsAtTimestamp: ['a', 'b'] });
        expect(await watermarks.getWatermark('t1', 'payments')).toBeNull();
      });
    });

    it('answers a liveness probe', async () => {
      await expect(open().ping()).resolves.toBeUndefined();
    });
  });
}
