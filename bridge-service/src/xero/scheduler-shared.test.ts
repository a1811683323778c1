/**
 * Replicas: several schedulers (one per bridge process) pacing one tenant through the store's shared permits, on
 * SQLite (several connections to one file) and PostgreSQL. Together they must keep Xero's limits as one scheduler
 * would, and drain at the limit, not below it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePostgres } from '../../test/postgres/test-database';
import { scaledClock, type Clock } from '../lib/clock';
import { PostgresStore, SqliteStore, type Store } from '../store';
import { FakeXero } from './__fixtures__/fake-rate-limited-xero';
import { tenantBucket, TenantWaitTooLong, XERO_LIMITS, XeroScheduler, type XeroLimits } from './scheduler';

// 1 real ms = 50 clock ms: Xero's minute takes 1.2 s of real time.
const FACTOR = 50;
const LIMITS = { minuteMs: 60_000, dayMs: 86_400_000, tenantPerMinute: 60, tenantPerDay: 5000, appPerMinute: 10_000 };

function replicas(
  stores: Store[],
  clock: Clock,
  limits?: Partial<XeroLimits>,
  permitLeaseMs = 60_000,
): XeroScheduler[] {
  return stores.map(
    (store, i) =>
      new XeroScheduler({
        clock,
        limits,
        shared: {
          repository: store.rateLimits,
          appId: 'app-1',
          owner: `host-${i}`,
          permitLeaseMs,
          concurrencyPollMs: 250,
        },
      }),
  );
}

function sharedLimitsSuite(openStores: (clock: Clock) => Promise<Store[]>) {
  let stores: Store[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('keeps three replicas together within 60 a minute and 5 in flight, draining at the limit', async () => {
    const clock = scaledClock(FACTOR);
    stores = await openStores(clock);
    const xero = new FakeXero(clock, LIMITS);
    const schedulers = replicas(stores, clock);
    const t0 = clock.now();
    // 130 calls spread over the replicas, as jobs claimed by three bridges would be.
    await Promise.all(Array.from({ length: 130 }, (_, i) => schedulers[i % 3]!.schedule('uk', () => xero.call('uk'))));
    const elapsed = clock.now() - t0;
    expect(xero.problems).toEqual([]);
    expect(xero.maxPerRollingMinute('uk')).toBeLessThanOrEqual(60);
    expect(xero.maxInFlight.get('uk')).toBeLessThanOrEqual(5);
    expect(xero.maxInFlight.get('uk')).toBeGreaterThanOrEqual(3); // concurrency is used, not serialised
    // Calls 121-130 can start only after two minutes (and the margin); the three together should not wait longer.
    expect(elapsed).toBeGreaterThanOrEqual(120_000);
    expect(elapsed).toBeLessThan(140_000);
    // Alone, each replica's own windows would have let all 130 through within 23 s.
    await Promise.all(schedulers.map((s) => s.close()));
  });

  it('caps the calls in flight per tenant across replicas at the configured concurrency (XERO_TENANT_MAX_CONCURRENT)', async () => {
    expect(XERO_LIMITS.tenantConcurrency).toBe(5); // Xero's documented 5 concurrent calls per tenant, the default
    const clock = scaledClock(FACTOR);
    stores = await openStores(clock);
    const xero = new FakeXero(clock, LIMITS);
    const schedulers = replicas(stores, clock, { tenantConcurrency: 2 });
    const order: number[] = [];
    // Slow calls (2 clock seconds each), so every replica has several waiting at once.
    const slowCall = (replica: number, i: number) => () => {
      if (replica === 0) order.push(i);
      return xero.call('uk', 2_000);
    };
    await Promise.all(Array.from({ length: 30 }, (_, i) => schedulers[i % 3]!.schedule('uk', slowCall(i % 3, i))));
    expect(xero.problems).toEqual([]);
    expect(xero.maxInFlight.get('uk')).toBe(2); // never more, and the cap is used
    // In order within each process (FIFO per tenant).
    expect(order).toEqual([...order].sort((a, b) => a - b));
    await Promise.all(schedulers.map((s) => s.close()));
  });

  it('keeps a call that outlasts its permit lease in flight (renewed while it runs), so other replicas wait', async () => {
    const clock = scaledClock(10); // slower than FACTOR: renewals every 1 s of clock are 100 ms real
    stores = await openStores(clock);
    const xero = new FakeXero(clock, LIMITS);
    const [a, b] = replicas(stores, clock, { tenantConcurrency: 1 }, 3_000);
    const long = a!.schedule('slow', () => xero.call('slow', 12_000)); // four leases long
    await clock.sleep(500);
    await b!.schedule('slow', () => xero.call('slow'));
    await long;
    expect(xero.maxInFlight.get('slow')).toBe(1); // without renewals b's call would start 3 s in
    await Promise.all([a!.close(), b!.close()]);
  });

  it("pauses every replica for one replica's 429 Retry-After", async () => {
    const clock = scaledClock(FACTOR);
    stores = await openStores(clock);
    const [a, b] = replicas(stores, clock);
    const starts: { who: string; at: number }[] = [];
    let refused = false;
    const rateLimited = async () => {
      starts.push({ who: 'a', at: clock.now() });
      refused = true;
      throw Object.assign(new Error('429'), {
        status: 429,
        headers: { 'retry-after': '30', 'x-rate-limit-problem': 'minute' },
      });
    };
    const t0 = clock.now();
    await a!.schedule('eu', rateLimited).catch(() => undefined);
    expect(refused).toBe(true);
    await b!.schedule('eu', async () => starts.push({ who: 'b', at: clock.now() }));
    expect(starts[1]!.at - t0).toBeGreaterThanOrEqual(30_000);
    expect((await stores[0]!.rateLimits.usage(tenantBucket('app-1', 'eu'), [])).pausedUntil).toBeNull();
    await Promise.all([a!.close(), b!.close()]);
  });

  it('answers a 429 to its caller only once its pause is in the store, however slow the write', async () => {
    const clock = scaledClock(FACTOR);
    stores = await openStores(clock);
    const slow = stores[0]!.rateLimits;
    const slowed: Store['rateLimits'] = Object.create(slow) as Store['rateLimits'];
    slowed.pauseBucket = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return slow.pauseBucket(...args);
    };
    const [a, b] = replicas([{ ...stores[0]!, rateLimits: slowed } as Store, stores[1]!], clock);
    const dayLimited = async () => {
      throw Object.assign(new Error('429'), {
        status: 429,
        headers: { 'retry-after': '3600', 'x-rate-limit-problem': 'day' },
      });
    };
    await a!.schedule('fj', dayLimited).catch(() => undefined);
    // The caller of the refused call retries elsewhere at once: that replica already knows.
    const refused = await b!
      .schedule('fj', async () => 'called', 'waited-on', { maxWaitMs: 60_000 })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ wait: { reason: 'shared-paused' } });
    await Promise.all([a!.close(), b!.close()]);
  });

  it("refuses another replica's call that may not wait out one replica's long pause, and keeps other tenants going", async () => {
    const clock = scaledClock(FACTOR);
    stores = await openStores(clock);
    const [a, b] = replicas(stores, clock);
    // Tenants of their own: on PostgreSQL the other tests' windows (on clocks of their own) are still in the store.
    const dayLimited = async () => {
      throw Object.assign(new Error('429'), {
        status: 429,
        headers: { 'retry-after': '3600', 'x-rate-limit-problem': 'day' },
      });
    };
    await a!.schedule('nz', dayLimited).catch(() => undefined);
    // b has seen no 429: it learns of the pause from the store when it asks for a permit, and refuses the call then.
    expect(b!.longWait('nz')).toBeNull();
    const started = clock.now();
    const refused = await b!
      .schedule('nz', async () => 'called', 'waited-on', { maxWaitMs: 60_000 })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TenantWaitTooLong);
    expect(refused).toMatchObject({ wait: { reason: 'shared-paused' } });
    expect((refused as TenantWaitTooLong).retryAfterMs).toBeGreaterThan(3_500_000);
    expect(clock.now() - started).toBeLessThan(60_000);
    await expect(b!.schedule('au', async () => 'called', 'waited-on', { maxWaitMs: 60_000 })).resolves.toBe('called');
    await Promise.all([a!.close(), b!.close()]);
  });
}

describe('XeroScheduler with limits shared through SQLite', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledgerline-shared-limits-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  sharedLimitsSuite(async (clock) => {
    const key = randomBytes(32);
    const path = join(dir, 'bridge.sqlite');
    return [0, 1, 2].map(() => new SqliteStore({ path, encryptionKey: key, clock }));
  });
});

describePostgres('XeroScheduler with limits shared through PostgreSQL', (database) => {
  sharedLimitsSuite(async (clock) => {
    const key = randomBytes(32);
    return Promise.all(
      [0, 1, 2].map(() => PostgresStore.open({ url: database().url, encryptionKey: key, clock, poolSize: 3 })),
    );
  });
});
