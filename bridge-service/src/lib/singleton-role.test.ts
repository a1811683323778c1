import pino from 'pino';
import { ManualClock } from './clock';
import {
  createRolePerKey,
  createSingletonRole,
  type RoleFence,
  type RoleLease,
  type RoleLeases,
} from './singleton-role';
import { pushTo } from './collections';

const log = pino({ level: 'silent' });

/** Leases as the store keeps them (LeaseRepository; its contract suite holds both adapters to this). */
function memoryLeases(clock: ManualClock) {
  const rows = new Map<string, { owner: string | null; token: number; expiresAt: number }>();
  const lease = (token: number, expiresAt: number): RoleLease => ({ token, expiresAt });
  return {
    async acquireLease(name: string, owner: string, ttlMs: number) {
      const row = rows.get(name);
      const now = clock.now();
      if (row && row.owner !== null && row.owner !== owner && row.expiresAt > now) return null;
      const token = row ? (row.owner === owner ? row.token : row.token + 1) : 1;
      rows.set(name, { owner, token, expiresAt: now + ttlMs });
      return lease(token, now + ttlMs);
    },
    async renewLease(name: string, owner: string, token: number, ttlMs: number) {
      const row = rows.get(name);
      if (!row || row.owner !== owner || row.token !== token) return null;
      row.expiresAt = clock.now() + ttlMs;
      return lease(token, row.expiresAt);
    },
    async releaseLease(name: string, owner: string) {
      const row = rows.get(name);
      if (row?.owner === owner) Object.assign(row, { owner: null, expiresAt: 0 });
    },
    /** A write fenced with this lease would be accepted now. */
    accepts(fence: RoleFence): boolean {
      const row = rows.get(fence.name);
      return row?.owner === fence.owner && row.token === fence.token && row.expiresAt > clock.now();
    },
    holder: (name: string) => {
      const row = rows.get(name);
      return row && row.owner !== null && row.expiresAt > clock.now() ? row.owner : null;
    },
  };
}

/** One bridge process's view of the shared leases; `freeze()` makes its store calls hang, as a stalled process's do. */
function processLeases(leases: RoleLeases) {
  let frozen: Promise<never> | undefined;
  let thaw: () => void = () => undefined;
  const gate = <T>(call: () => Promise<T>): Promise<T> =>
    frozen ? (frozen as Promise<T>).then(() => call()).catch(() => call()) : call();
  return {
    leases: {
      acquireLease: (n: string, o: string, ttl: number) => gate(() => leases.acquireLease(n, o, ttl)),
      renewLease: (n: string, o: string, t: number, ttl: number) => gate(() => leases.renewLease(n, o, t, ttl)),
      releaseLease: (n: string, o: string) => gate(() => leases.releaseLease(n, o)),
    } satisfies RoleLeases,
    freeze() {
      frozen = new Promise<never>((_, reject) => (thaw = () => reject(new Error('thawed'))));
    },
    thaw() {
      const was = thaw;
      frozen = undefined;
      was();
    },
  };
}

describe('singleton role', () => {
  let clock: ManualClock;
  let store: { leases: ReturnType<typeof memoryLeases> };
  beforeEach(() => {
    clock = new ManualClock();
    store = { leases: memoryLeases(clock) };
  });

  function role(owner: string, leases: RoleLeases = store.leases) {
    const events: string[] = [];
    const fences: RoleFence[] = [];
    const r = createSingletonRole({
      name: 'salesforce-subscriber',
      owner,
      leases,
      clock,
      log,
      onGained: async (fence) => {
        fences.push(fence);
        events.push('gained');
      },
      onLost: async () => {
        events.push('lost');
      },
    });
    return { r, events, fences };
  }

  it('is held by one process; when the holder stalls, another takes it within ttl + interval, fenced higher', async () => {
    const stalled = processLeases(store.leases);
    const a = role('host-a', stalled.leases);
    const b = role('host-b');
    await a.r.start();
    await b.r.start();
    expect([a.events, b.events]).toEqual([['gained'], []]);
    await clock.advance(9_000); // a renews every 3 s
    expect(b.events).toEqual([]);

    stalled.freeze(); // host-a stops answering (GC pause, partition, SIGSTOP)
    await clock.advance(13_000); // its lease (10 s) expires; host-b's next try takes it
    expect(b.events).toEqual(['gained']);
    expect(b.fences[0]!.token).toBeGreaterThan(a.fences[0]!.token);
    expect(store.leases.accepts(a.fences[0]!)).toBe(false);
    expect(store.leases.accepts(b.r.fence()!)).toBe(true);

    stalled.thaw(); // host-a wakes up: its renewal fails and it stops the role at once
    await clock.advance(3_000);
    expect(a.events).toEqual(['gained', 'lost']);
    expect(a.r.fence()).toBeUndefined();
    await a.r.stop();
    await b.r.stop();
  });

  it('hands the role over at once on a clean stop', async () => {
    const a = role('host-a');
    const b = role('host-b');
    await a.r.start();
    await b.r.start();
    await a.r.stop(); // releases the lease
    expect(a.events).toEqual(['gained', 'lost']);
    await clock.advance(3_000);
    expect(b.events).toEqual(['gained']);
    await b.r.stop();
  });

  it('gives the lease back and reports the failure when the role cannot start', async () => {
    const failing = createSingletonRole({
      name: 'salesforce-subscriber',
      owner: 'host-a',
      leases: store.leases,
      clock,
      log,
      onGained: async () => {
        throw new Error('Salesforce refused the session');
      },
      onLost: async () => undefined,
    });
    await expect(failing.start()).rejects.toThrow('Salesforce refused the session');
    expect(store.leases.holder('salesforce-subscriber')).toBeNull();
    const b = role('host-b');
    await b.r.start();
    expect(b.events).toEqual(['gained']);
    await b.r.stop();
  });

  it('keeps one role per key: the poller of each tenant, spread over processes as they come', async () => {
    let tenants = ['t-uk', 't-us'];
    const held = new Map<string, string[]>();
    const perKey = (owner: string) =>
      createRolePerKey({
        owner,
        leases: store.leases,
        clock,
        log,
        keys: async () => tenants,
        name: (tenant) => `xero-poller:${tenant}`,
        onGained: async (tenant) => pushTo(held, owner, tenant),
        onLost: async (tenant) =>
          void held.set(
            owner,
            (held.get(owner) ?? []).filter((t) => t !== tenant),
          ),
      });
    const a = perKey('host-a');
    const b = perKey('host-b');
    await a.start();
    await b.start();
    expect(held.get('host-a')).toEqual(['t-uk', 't-us']);
    tenants = ['t-uk', 't-us', 't-eu'];
    await clock.advance(3_000);
    expect([...(held.get('host-a') ?? []), ...(held.get('host-b') ?? [])].sort()).toEqual(['t-eu', 't-uk', 't-us']);
    expect(a.holds('t-uk') && !b.holds('t-uk')).toBe(true);
    tenants = ['t-us', 't-eu']; // t-uk disconnected
    await clock.advance(3_000);
    expect(a.holds('t-uk')).toBe(false);
    await a.stop(); // host-a shuts down: host-b takes over its tenants within one interval
    await clock.advance(3_000);
    expect(held.get('host-b')?.sort()).toEqual(['t-eu', 't-us']);
    expect(b.fence('t-us')).toMatchObject({ name: 'xero-poller:t-us', owner: 'host-b' });
    await b.stop();
  });
});
