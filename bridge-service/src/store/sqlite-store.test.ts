import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { SecretDecryptionError } from './crypto';
import { MIGRATIONS } from './migrations';
import { INTERRUPTED, SqliteStore } from './sqlite-store';
import type { XeroTokenSet } from './types';
import { advanceWatermark } from './watermark';

const run = promisify(execFile);

let dir: string;
let dbPath: string;
const key = randomBytes(32);
let now = Date.UTC(2026, 0, 1);
const clock = { now: () => now };
const stores: SqliteStore[] = [];

function open(opts: { encryptionKey?: Buffer } = {}): SqliteStore {
  const store = new SqliteStore({ path: dbPath, encryptionKey: opts.encryptionKey ?? key, clock });
  stores.push(store);
  return store;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledgerline-store-'));
  dbPath = join(dir, 'nested', 'bridge.sqlite');
  now = Date.UTC(2026, 0, 1);
});

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteStore setup', () => {
  it('creates the file in WAL mode and records every migration once', async () => {
    const a = open();
    const b = open(); // second instance on the same file: nothing to apply
    expect(a.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(b.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
    const raw = new DatabaseSync(dbPath);
    expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    raw.close();
    await expect(a.ping()).resolves.toBeUndefined();
  });

  it('applies a later migration on reopen', async () => {
    const first = open();
    await first.close();
    const extra = [...MIGRATIONS, { version: 99, name: 'extra', sql: 'CREATE TABLE extra (x INTEGER)' }];
    const store = new SqliteStore({ path: dbPath, encryptionKey: key, clock, migrations: extra });
    stores.push(store);
    expect(store.appliedMigrations()).toContain(99);
  });
});

describe('jobs', () => {
  it('enqueues once per key', async () => {
    const store = open();
    const first = await store.enqueueJob({ key: 'opp1:CREATE_DRAFT:1', action: 'CREATE_DRAFT', payload: { a: 1 } });
    const again = await store.enqueueJob({ key: 'opp1:CREATE_DRAFT:1', action: 'CREATE_DRAFT', payload: { a: 2 } });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.job.id).toBe(first.job.id);
    expect(again.job.payload).toEqual({ a: 1 });
    expect(first.job.state).toBe('queued');
  });

  it('claims due jobs, completes, fails with retry, goes dead, and retries from the admin side', async () => {
    const store = open();
    const { job } = await store.enqueueJob({ key: 'k1', action: 'AUTHORISE', payload: {}, tenantId: 't1' });
    await store.enqueueJob({ key: 'later', action: 'AUTHORISE', payload: {}, runAt: now + 60_000 });

    const [claimed, ...rest] = await store.claimJobs({ owner: 'w1', leaseMs: 30_000, limit: 10 });
    expect(rest).toEqual([]);
    expect(claimed).toMatchObject({ id: job.id, state: 'running', attempts: 1, leaseOwner: 'w1' });

    expect(await store.failJob(job.id, 'someone-else', 'nope', now)).toBe(false);
    expect(await store.failJob(job.id, 'w1', 'Xero 503', now + 1000)).toBe(true);
    expect(await store.claimJobs({ owner: 'w1', leaseMs: 30_000, limit: 10 })).toEqual([]); // not due yet
    now += 1000;
    const [second] = await store.claimJobs({ owner: 'w1', leaseMs: 30_000, limit: 1 });
    expect(second).toMatchObject({ id: job.id, attempts: 2, lastError: 'Xero 503' });

    expect(await store.failJob(job.id, 'w1', 'Xero rejected tax type OUTPUT2', null)).toBe(true);
    expect(await store.getJob(job.id)).toMatchObject({ state: 'dead', lastError: 'Xero rejected tax type OUTPUT2' });
    expect((await store.listJobs({ states: ['dead'], tenantId: 't1', action: 'AUTHORISE' })).map((j) => j.id)).toEqual([
      job.id,
    ]);
    expect(await store.listJobs({ states: ['dead'], tenantId: 'other' })).toEqual([]);

    const retried = await store.retryJob(job.id);
    expect(retried).toMatchObject({ state: 'queued', nextRunAt: now });
    expect(await store.retryJob(job.id)).toBeNull(); // queued is not retryable
    const [third] = await store.claimJobs({ owner: 'w2', leaseMs: 30_000, limit: 1 });
    expect(await store.completeJob(third!.id, 'w2', { invoiceId: 'x' })).toBe(true);
    expect(await store.getJobByKey('k1')).toMatchObject({ state: 'done', result: { invoiceId: 'x' }, attempts: 3 });
    expect(await store.countJobsByState()).toEqual({ queued: 1, running: 0, done: 1, failed: 0, dead: 0 });
    const later = (await store.getJobByKey('later'))!;
    await store.setJobTenant(later.id, 't2');
    expect((await store.listJobs({ tenantId: 't2' })).map((j) => j.key)).toEqual(['later']);
  });

  it("hands a crashed worker's job to another once its lease expires, and refuses the stale owner", async () => {
    const a = open();
    const b = open();
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
    const store = open();
    for (let i = 0; i < 3; i += 1) await store.enqueueJob({ key: `r${i}`, action: 'VOID', payload: i });
    const [mine] = await store.claimJobs({ owner: 'bridge-1', leaseMs: 120_000, limit: 1 });
    const [theirs] = await store.claimJobs({ owner: 'bridge-2', leaseMs: 120_000, limit: 1 });
    expect(await store.releaseJobLeases('bridge-1')).toBe(1);
    const again = await store.claimJobs({ owner: 'bridge-1', leaseMs: 120_000, limit: 3 });
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
    const store = open();
    for (let i = 0; i < 5; i += 1)
      await store.enqueueJob({ key: `k${i}`, action: i % 2 ? 'VOID' : 'RESYNC', payload: i });
    const voids = await store.claimJobs({ owner: 'w', leaseMs: 1000, limit: 10, actions: ['VOID'] });
    expect(voids.map((j) => j.payload)).toEqual([1, 3]);
    const page1 = await store.listJobs({ limit: 2 });
    const page2 = await store.listJobs({ limit: 2, beforeId: page1[1]!.id });
    expect(page1.map((j) => j.payload)).toEqual([4, 3]);
    expect(page2.map((j) => j.payload)).toEqual([2, 1]);
  });

  it('never gives one job to two store instances claiming in turn', async () => {
    const a = open();
    const b = open();
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

  it('never double-claims across two processes sharing one file', async () => {
    const setup = new SqliteStore({ path: dbPath, encryptionKey: key });
    for (let i = 0; i < 120; i += 1) await setup.enqueueJob({ key: `job-${i}`, action: 'CREATE_DRAFT', payload: i });
    await setup.close();
    const worker = join(__dirname, '__fixtures__', 'claim-worker.ts');
    const spawnWorker = (owner: string) =>
      run(process.execPath, ['--require', 'tsx/cjs', worker, dbPath, key.toString('hex'), owner, '2'], {
        cwd: __dirname,
        timeout: 60_000,
      });
    const [one, two] = await Promise.all([spawnWorker('proc-1'), spawnWorker('proc-2')]);
    const ids1 = JSON.parse(one.stdout) as number[];
    const ids2 = JSON.parse(two.stdout) as number[];
    expect(ids1.length).toBeGreaterThan(0); // both really competed
    expect(ids2.length).toBeGreaterThan(0);
    const all = [...ids1, ...ids2];
    expect(all).toHaveLength(120);
    expect(new Set(all).size).toBe(120);
    const check = new SqliteStore({ path: dbPath, encryptionKey: key });
    stores.push(check);
    expect(await check.countJobsByState()).toMatchObject({ done: 120, running: 0, queued: 0 });
    const done = await check.listJobs({ states: ['done'], limit: 500 });
    expect(done.every((j) => j.attempts === 1)).toBe(true);
  }, 90_000);
});

describe('request keys, cursors, mappings, webhooks', () => {
  it('remembers what a request key produced; the first result wins', async () => {
    const store = open();
    const first = await store.recordXeroResult({ requestKey: 'r1', tenantId: 't', kind: 'invoice', xeroId: 'inv-1' });
    const again = await store.recordXeroResult({ requestKey: 'r1', tenantId: 't', kind: 'invoice', xeroId: 'inv-2' });
    await store.recordXeroResult({ requestKey: 'r1', tenantId: 't', kind: 'contact', xeroId: 'c-1' });
    expect(again.xeroId).toBe(first.xeroId);
    expect((await store.getXeroResults('r1')).map((r) => r.kind).sort()).toEqual(['contact', 'invoice']);
    expect(await store.findXeroResult('r1', 't', 'credit_note')).toBeNull();
  });

  it('keeps a replay cursor per channel', async () => {
    const store = open();
    expect(await store.getReplayId('/event/Invoice_Request__e')).toBeNull();
    await store.saveReplayId('/event/Invoice_Request__e', 41);
    await store.saveReplayId('/event/Invoice_Request__e', 42);
    await store.saveReplayId('/event/Other__e', 7);
    expect(await store.getReplayId('/event/Invoice_Request__e')).toBe(42);
  });

  it('maps accounts to contacts per tenant', async () => {
    const store = open();
    await store.saveContactMapping('t1', '001A', 'contact-1');
    await store.saveContactMapping('t2', '001A', 'contact-2');
    expect(await store.getContactMapping('t1', '001A')).toBe('contact-1');
    expect(await store.getContactMapping('t2', '001A')).toBe('contact-2');
    expect(await store.getContactMapping('t3', '001A')).toBeNull();
  });

  it('dedupes webhook events and prunes old ones', async () => {
    const store = open();
    expect(await store.markWebhookEventProcessed('evt-1')).toBe(true);
    expect(await store.markWebhookEventProcessed('evt-1')).toBe(false);
    now += 48 * 3600_000;
    expect(await store.markWebhookEventProcessed('evt-2')).toBe(true);
    expect(await store.pruneWebhookEvents(now - 24 * 3600_000)).toBe(1);
    expect(await store.markWebhookEventProcessed('evt-1')).toBe(true);
  });

  it('hands out a lease to one owner at a time until it expires', async () => {
    const a = open();
    const b = open();
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
    const store = open();
    await store.saveXeroTokenSet('conn-1', tokenSet);
    const raw = new DatabaseSync(dbPath);
    const sealed1 = (raw.prepare('SELECT token_sealed FROM xero_connections').get() as { token_sealed: string })
      .token_sealed;
    await store.saveXeroTokenSet('conn-1', tokenSet);
    const sealed2 = (raw.prepare('SELECT token_sealed FROM xero_connections').get() as { token_sealed: string })
      .token_sealed;
    raw.close();
    expect(sealed1).not.toContain('SECRET');
    expect(sealed1).not.toBe(sealed2);
    expect((await store.getXeroConnection('conn-1'))?.tokenSet).toEqual(tokenSet);

    await store.setXeroConnectionStatus('conn-1', 'reauthorisation_required', 'refresh token reused');
    expect(await store.listXeroConnections()).toEqual([
      expect.objectContaining({ connectionId: 'conn-1', status: 'reauthorisation_required' }),
    ]);
    await store.saveXeroTokenSet('conn-1', tokenSet);
    expect((await store.getXeroConnection('conn-1'))?.status).toBe('active');
  });

  it('fails loudly with the wrong key or a tampered row', async () => {
    await open().saveXeroTokenSet('conn-1', tokenSet);
    const wrong = open({ encryptionKey: randomBytes(32) });
    await expect(wrong.getXeroConnection('conn-1')).rejects.toBeInstanceOf(SecretDecryptionError);
    const raw = new DatabaseSync(dbPath);
    raw.exec("UPDATE xero_connections SET connection_id = 'conn-2'"); // moved to another row: AAD mismatch
    raw.close();
    await expect(open().getXeroConnection('conn-2')).rejects.toThrow(/TOKEN_ENCRYPTION_KEY/);
  });

  it('links tenants to connections', async () => {
    const store = open();
    await store.saveXeroTenants('conn-1', [
      { tenantId: 't-uk', tenantName: 'UK Ltd', tenantType: 'ORGANISATION' },
      { tenantId: 't-us', tenantName: 'US Inc' },
    ]);
    expect(await store.getXeroTenant('t-uk')).toMatchObject({ connectionId: 'conn-1', tenantName: 'UK Ltd' });
    expect((await store.listXeroTenants()).map((t) => t.tenantId)).toEqual(['t-uk', 't-us']);
  });
});

describe('watermarks', () => {
  it('stores per tenant and resource', async () => {
    const store = open();
    await store.saveWatermark('t1', 'invoices', { at: 1000, idsAtTimestamp: ['a', 'b'] });
    expect(await store.getWatermark('t1', 'invoices')).toEqual({ at: 1000, idsAtTimestamp: ['a', 'b'] });
    expect(await store.getWatermark('t1', 'payments')).toBeNull();
  });

  it('never skips a record that shares the watermark timestamp, and never repeats one', () => {
    const first = advanceWatermark(null, [
      { id: 'a', updatedAt: 1000 },
      { id: 'b', updatedAt: 2000 },
    ]);
    expect(first.next).toEqual({ at: 2000, idsAtTimestamp: ['b'] });
    // re-poll from 2000: b again, plus c which landed at the same millisecond after the first poll
    const second = advanceWatermark(first.next, [
      { id: 'b', updatedAt: 2000 },
      { id: 'c', updatedAt: 2000 },
    ]);
    expect(second.fresh.map((r) => r.id)).toEqual(['c']);
    expect(second.next).toEqual({ at: 2000, idsAtTimestamp: ['b', 'c'] });
    const third = advanceWatermark(second.next, [
      { id: 'b', updatedAt: 2000 },
      { id: 'c', updatedAt: 2000 },
      { id: 'b', updatedAt: 3000 },
    ]);
    expect(third.fresh).toEqual([{ id: 'b', updatedAt: 3000 }]);
    expect(third.next).toEqual({ at: 3000, idsAtTimestamp: ['b'] });
    expect(advanceWatermark(third.next, [{ id: 'b', updatedAt: 3000 }])).toEqual({ fresh: [], next: third.next });
  });
});
