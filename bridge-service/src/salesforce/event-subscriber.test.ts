/**
 * The subscriber's edges: starting on a session Salesforce no longer honours (it expired while the bridge was down)
 * takes one fresh login, not a bridge that fails to start; a replayed backlog larger than its buffer is stored a
 * buffer at a time, in order; stopped after Salesforce went away, it leaves nothing running.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import type { SalesforceEmulator } from '../../sandbox/salesforce/server';
import {
  SALES,
  bridgeSalesforceConfig,
  connect,
  eventually,
  frozenClock,
  startTestEmulator,
} from '../../sandbox/salesforce/test-helpers';
import { connectSalesforce } from './connection';
import { createEventSubscriber } from './event-subscriber';
import { salesforceNames } from './schema';

const log = pino({ level: 'silent' });
let em: SalesforceEmulator;

beforeEach(async () => {
  em = await startTestEmulator({ clock: frozenClock(Date.now()), cometdTimeoutSeconds: 1 });
});

afterEach(async () => {
  await em.close();
});

it('starts on an expired session: re-authenticates once, subscribes, and receives events', async () => {
  const cfg = bridgeSalesforceConfig(em);
  const conn = await connectSalesforce(cfg, log);
  em.control.expireSessions();

  const channel = salesforceNames('').channel('Invoice_Request__e');
  const received: unknown[] = [];
  let logins = 0;
  const subscriber = createEventSubscriber({
    conn,
    channel,
    cursor: { getReplayId: async () => null, saveReplayId: async () => undefined },
    handle: async (message) => void received.push(message.payload),
    onGap: () => undefined,
    reauthenticate: async () => {
      logins += 1;
      conn.accessToken = (await connectSalesforce(cfg, log)).accessToken;
    },
    log,
  });
  try {
    await expect(subscriber.start()).resolves.toBeUndefined();
    expect(logins).toBe(1);

    const sales = connect(em, SALES);
    const { records } = await sales.query<{ Id: string }>('SELECT Id FROM Opportunity WHERE IsWon = false LIMIT 1');
    await sales.sobject('Opportunity').update({ Id: records[0]!.Id, StageName: 'Closed Won' });
    await eventually(() => received.length === 1);
    expect(logins).toBe(1);
  } finally {
    await subscriber.stop();
  }
});

it('stores a replayed backlog larger than its buffer, in order and once each, a buffer at a time', async () => {
  const conn = await connectSalesforce(bridgeSalesforceConfig(em), log);
  const sales = connect(em, SALES);
  const keys = Array.from({ length: 23 }, (_, i) => `RESYNC:a03000000000001AAA:${i + 1}`);
  for (const key of keys) {
    await sales.sobject('Invoice_Request__e').create({
      Action__c: 'RESYNC',
      Request_Key__c: key,
      Invoice_Id__c: 'a03000000000001AAA',
    });
  }
  let saved: number | null = null;
  const stored: string[] = [];
  const subscriber = createEventSubscriber({
    conn,
    channel: salesforceNames('').channel('Invoice_Request__e'),
    cursor: { getReplayId: async () => saved, saveReplayId: async (_c, id) => void (saved = id) },
    // slower than delivery, so the replay outruns the store
    handle: async (message) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      stored.push(String(message.payload.Request_Key__c));
    },
    onGap: () => undefined,
    reauthenticate: async () => undefined,
    log,
    maxBuffered: 5,
  });
  try {
    await subscriber.start();
    await eventually(() => stored.length >= keys.length, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // nothing more arrives
    expect(stored).toEqual(keys);
  } finally {
    await subscriber.stop();
  }
});

it('stopped after Salesforce went away, leaves nothing that keeps the process alive', async () => {
  // faye retries an undeliverable disconnect for ever; the subscriber must close the session's transport itself.
  const fixture = join(__dirname, '__fixtures__', 'subscriber-outlives-salesforce.ts');
  const started = Date.now();
  const { stdout } = await promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', fixture], {
    cwd: __dirname,
    timeout: 30_000,
  });
  expect(stdout).toBe('stopped');
  expect(Date.now() - started).toBeLessThan(30_000);
}, 40_000);

it('past the daily delivery allocation: waits between connects, says so once, and receives what waited once the window frees', async () => {
  const cfg = bridgeSalesforceConfig(em);
  const conn = await connectSalesforce(cfg, log);
  const errors: string[] = [];
  const spy = pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line).msg) });
  const received: string[] = [];
  let saved: number | null = null;
  const subscriber = createEventSubscriber({
    conn,
    channel: salesforceNames('').channel('Invoice_Request__e'),
    cursor: { getReplayId: async () => saved, saveReplayId: async (_c, id) => void (saved = id) },
    handle: async (message) => void received.push(String(message.payload.Request_Key__c)),
    onGap: () => undefined,
    reauthenticate: async () => {
      conn.accessToken = (await connectSalesforce(cfg, log)).accessToken;
    },
    log: spy,
    allocationRetryMs: 300,
  });
  const publish = (key: string) =>
    connect(em, SALES)
      .sobject('Invoice_Request__e')
      .create({ Action__c: 'RESYNC', Request_Key__c: key, Invoice_Id__c: 'a03000000000001AAA' });
  try {
    await subscriber.start();
    em.control.setEventDeliveryAllocation(1);
    await publish('RESYNC:a03000000000001AAA:1');
    await eventually(() => received.length === 1);
    await publish('RESYNC:a03000000000001AAA:2');
    await eventually(() => errors.some((m) => /delivery allocation is spent/.test(m)));
    // connects 300 ms apart, not back to back (faye's own advice is to reconnect at once)
    const knocked = em.control.eventDeliveries().refusedConnects;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(em.control.eventDeliveries().refusedConnects - knocked).toBeLessThanOrEqual(5);
    expect(errors.filter((m) => /delivery allocation is spent/.test(m))).toHaveLength(1);
    expect(received).toEqual(['RESYNC:a03000000000001AAA:1']);

    // room again (the window moved on, or an add-on): the request that waited on the bus arrives
    em.control.setEventDeliveryAllocation(25_000);
    await eventually(() => received.length === 2, 15_000);
    expect(received).toEqual(['RESYNC:a03000000000001AAA:1', 'RESYNC:a03000000000001AAA:2']);
  } finally {
    await subscriber.stop();
  }
}, 30_000);

describe('an event the store cannot take (the store is down, or refuses it each time)', () => {
  const publishBacklog = async (n: number) => {
    const sales = connect(em, SALES);
    for (let i = 1; i <= n; i += 1)
      await sales.sobject('Invoice_Request__e').create({
        Action__c: 'RESYNC',
        Request_Key__c: `RESYNC:a03000000000001AAA:${i}`,
        Invoice_Id__c: 'a03000000000001AAA',
      });
  };
  const storeDown = () => {
    const state = { down: true, handled: 0, stored: [] as string[], saved: null as number | null };
    const warnings: { msg: string; waitMs?: number }[] = [];
    const spy = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
    return { state, warnings, spy };
  };
  const subscriberOver = async (t: ReturnType<typeof storeDown>) =>
    createEventSubscriber({
      conn: await connectSalesforce(bridgeSalesforceConfig(em), log),
      channel: salesforceNames('').channel('Invoice_Request__e'),
      cursor: { getReplayId: async () => t.state.saved, saveReplayId: async (_c, id) => void (t.state.saved = id) },
      handle: async (message) => {
        t.state.handled += 1;
        if (t.state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        t.state.stored.push(String(message.payload.Request_Key__c));
      },
      onGap: () => undefined,
      reauthenticate: async () => undefined,
      log: t.spy,
    });

  it('resubscribes after a wait that doubles (1 s, 2 s, …), not at once: deliveries stay few; stored once it is back', async () => {
    await publishBacklog(20);
    const t = storeDown();
    const subscriber = await subscriberOver(t);
    const before = em.control.eventDeliveries().used;
    try {
      await subscriber.start();
      await eventually(() => t.state.handled > 0);
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      // rounds at 0, ~1 s and ~3 s (the next at ~7 s): each a new client and the 20 events delivered again. Resubscribing
      // at once made 2,560 deliveries in 3 s, the org's daily 25,000 in half a minute.
      const used = em.control.eventDeliveries().used - before;
      expect(t.state.handled).toBeLessThanOrEqual(3);
      expect(used).toBeLessThanOrEqual(3 * 20);
      const waits = t.warnings.filter((w) => /event not stored/.test(w.msg)).map((w) => w.waitMs);
      expect(waits).toEqual([1_000, 2_000, 4_000].slice(0, t.state.handled)); // one warning a wait, saying how long

      t.state.down = false; // the store is back: the next round stores the backlog, in order
      await eventually(() => t.state.stored.length === 20, 10_000);
      expect(t.state.stored).toEqual(Array.from({ length: 20 }, (_, i) => `RESYNC:a03000000000001AAA:${i + 1}`));
      expect(t.state.saved).toBe(em.control.events(salesforceNames('').channel('Invoice_Request__e')).at(-1)?.replayId);
    } finally {
      await subscriber.stop();
    }
  }, 30_000);

  it('stop() does not wait out the pause before the next round', async () => {
    await publishBacklog(1);
    const t = storeDown();
    const subscriber = await subscriberOver(t);
    await subscriber.start();
    await eventually(() => t.state.handled === 3, 10_000); // now waiting 4 s
    const started = Date.now();
    await subscriber.stop();
    expect(Date.now() - started).toBeLessThan(1_500);
    const rounds = t.state.handled;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(t.state.handled).toBe(rounds); // and no round after it
  }, 30_000);
});
