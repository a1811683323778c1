import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from 'jsforce';
import { StreamingExtension } from 'jsforce/api/streaming';
import type { ScaledClock } from '../clock';
import type { SalesforceEmulator } from '../server';
import { ADMIN, API_VERSION, SALES, connect, eventually, frozenClock, startTestEmulator } from '../test-helpers';

const CHANNEL = '/event/Invoice_Request__e';
type Received = { payload: Record<string, unknown>; event: { replayId: number; EventUuid: string }; schema: string };
type FayeClient = ReturnType<Connection['streaming']['createClient']>;

/** A durable subscriber as the bridge builds one (reference §1): Replay + AuthFailure extensions. */
function subscriber(conn: Connection, replayFrom: number | null, onAuthFailure = () => undefined) {
  const received: Received[] = [];
  const replay = new StreamingExtension.Replay(CHANNEL, replayFrom as number);
  const client: FayeClient = conn.streaming.createClient([new StreamingExtension.AuthFailure(onAuthFailure), replay]);
  // faye waits 5 s before retrying a failed long-poll; tests do not need to wait that long after a restart
  (client as unknown as { _dispatcher: { retry: number } })._dispatcher.retry = 0.2;
  const subscription = client.subscribe(CHANNEL, (m: unknown) => void received.push(m as Received));
  return { client, received, subscription: subscription as unknown as PromiseLike<void> };
}

/** faye sends /meta/disconnect asynchronously and retries it forever if the server is gone: let it land first. */
async function disconnect(clients: FayeClient[]): Promise<void> {
  clients.forEach((c) => (c as unknown as { disconnect(): void }).disconnect());
  await new Promise((r) => setTimeout(r, 200));
}

/** undici may still pool keep-alive sockets the old server closed: retry those, as a robust client would. */
async function afterRestart<T>(fn: () => PromiseLike<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !String((err as { cause?: unknown }).cause).includes('other side closed')) throw err;
    }
  }
}

let seq = 0;
/**
 * The package's Apex publishes Invoice_Request__e; the bridge's user may only receive it, so an administrator's REST
 * publish stands in for the Apex.
 */
function publishOverRest(em: SalesforceEmulator, key = `RESYNC:a00000000000000AAA:${++seq}`) {
  return connect(em, ADMIN)
    .sobject('Invoice_Request__e')
    .create({ Action__c: 'RESYNC', Request_Key__c: key, Invoice_Id__c: 'a00000000000000AAA' });
}

describe('CometD platform events with replay', () => {
  let em: SalesforceEmulator;
  let conn: Connection;
  let clock: ScaledClock;
  const clients: FayeClient[] = [];
  beforeEach(async () => {
    clock = frozenClock();
    em = await startTestEmulator({ clock });
    conn = connect(em);
  });
  afterEach(async () => {
    await disconnect(clients.splice(0));
    await em.close();
  });

  it('delivers live events with schema, payload and replay id', async () => {
    const sub = subscriber(conn, -1);
    clients.push(sub.client);
    await sub.subscription;
    await publishOverRest(em, 'RESYNC:a00000000000000AAA:live');
    const [ev] = await eventually(() => sub.received.length === 1 && sub.received);
    expect(ev!.payload).toMatchObject({
      Action__c: 'RESYNC',
      Request_Key__c: 'RESYNC:a00000000000000AAA:live',
      Invoice_Id__c: 'a00000000000000AAA',
      Opportunity_Id__c: null,
      Payload__c: null,
      CreatedById: em.control.login(ADMIN).userId,
      CreatedDate: '2026-01-15T09:00:00.000+0000',
    });
    expect(ev!.event.replayId).toBeGreaterThan(0);
    expect(ev!.event.EventUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(ev!.schema).toMatch(/^[\w-]{22}$/);
  });

  it('replays all retained events with -2, and only later ones from a stored id', async () => {
    for (let i = 0; i < 3; i++) await publishOverRest(em);
    const all = subscriber(conn, -2);
    clients.push(all.client);
    await all.subscription;
    const events = await eventually(() => all.received.length === 3 && all.received);
    const ids = events.map((e) => e.event.replayId);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);

    const after = subscriber(connect(em), ids[0]!);
    clients.push(after.client);
    await after.subscription;
    await eventually(() => after.received.length === 2);
    expect(after.received.map((e) => e.event.replayId)).toEqual(ids.slice(1));
  });

  it('refuses a replay id it does not hold with 400, and forgets events after 72 hours', async () => {
    await publishOverRest(em);
    const stored = em.control.events(CHANNEL)[0]!.replayId;
    const bad = subscriber(conn, stored + 1000);
    clients.push(bad.client);
    await expect(bad.subscription).rejects.toMatchObject({
      message: `400::The replayId {${stored + 1000}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`,
    });

    clock.advance(72 * 3_600_000 + 1);
    conn = connect(em); // the old session timed out long ago
    await publishOverRest(em);
    expect(em.control.events(CHANNEL)).toHaveLength(1);
    const expired = subscriber(connect(em), stored);
    clients.push(expired.client);
    await expect(expired.subscription).rejects.toMatchObject({
      message: expect.stringContaining(`400::The replayId {${stored}}`),
    });
    const rest = subscriber(connect(em), -2);
    clients.push(rest.client);
    await rest.subscription;
    await eventually(() => rest.received.length === 1);
  });

  it('spends the daily delivery allocation per event and client; past it connects are refused and events wait on the bus', async () => {
    em.control.setEventDeliveryAllocation(3);
    const a = subscriber(conn, -1);
    const b = subscriber(connect(em), -1);
    clients.push(a.client, b.client);
    await Promise.all([a.subscription, b.subscription]);
    await publishOverRest(em);
    await eventually(() => a.received.length === 1 && b.received.length === 1);
    expect(em.control.eventDeliveries()).toMatchObject({ used: 2, max: 3 });

    // two more deliveries due, one left: one client gets the event, the other does not
    await publishOverRest(em);
    await eventually(() => a.received.length + b.received.length === 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(a.received.length + b.received.length).toBe(3);
    const limits = await conn.request<Record<string, { Max: number; Remaining: number }>>(
      `/services/data/v${API_VERSION}/limits`,
    );
    expect(limits.DailyDeliveredPlatformEvents).toEqual({ Max: 3, Remaining: 0 });
    // what Salesforce answers a connect once the allocation is spent
    const bayeux = (body: unknown) =>
      fetch(`${em.url}/cometd/${API_VERSION}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `OAuth ${conn.accessToken}` },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ clientId?: string; error?: string; successful: boolean }[]>);
    const [hello] = await bayeux([
      { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] },
    ]);
    const [refused] = await bayeux([
      { channel: '/meta/connect', clientId: hello!.clientId, connectionType: 'long-polling' },
    ]);
    expect(refused).toMatchObject({ successful: false, error: '403::Organization total events daily limit exceeded' });

    // 24 hours on, the window has room again and both events replay from the bus
    clock.advance(24 * 3_600_000 + 60_000);
    expect(em.control.eventDeliveries()).toMatchObject({ used: 0, max: 3 });
    const later = subscriber(connect(em), -2);
    clients.push(later.client);
    await later.subscription;
    await eventually(() => later.received.length === 2);
  });

  it('denies the handshake for a bad token: AuthFailure fires', async () => {
    const badConn = connect(em);
    badConn.accessToken = 'not-a-session';
    let failures = 0;
    const sub = subscriber(badConn, -1, () => void failures++);
    clients.push(sub.client);
    await eventually(() => failures > 0);
    em.control.expireSessions();
  });

  it('delivers the events the org behaviours publish (an opportunity turning won)', async () => {
    const sub = subscriber(conn, -1);
    clients.push(sub.client);
    await sub.subscription;
    const opp = (await conn.query<{ Id: string }>("SELECT Id FROM Opportunity WHERE CurrencyIsoCode = 'USD' LIMIT 1"))
      .records[0]!;
    // the rep wins the deal (the bridge's user does not edit StageName)
    await connect(em, SALES).sobject('Opportunity').update({ Id: opp.Id, StageName: 'Closed Won' });
    const [ev] = await eventually(() => sub.received.length === 1 && sub.received);
    expect(ev!.payload).toMatchObject({ Action__c: 'CREATE_DRAFT', Request_Key__c: `CREATE_DRAFT:${opp.Id}:1` });
  });

  it('refuses a channel that is not a platform event of the org', async () => {
    const client = conn.streaming.createClient([]);
    clients.push(client);
    const sub = client.subscribe('/event/Nope__e', () => undefined) as unknown as PromiseLike<void>;
    await expect(sub).rejects.toMatchObject({
      message: '400::The channel you requested to subscribe to does not exist {/event/Nope__e}',
    });
  });

  it('ends a session that expires while connected: the connect reply fires AuthFailure', async () => {
    let failures = 0;
    const sub = subscriber(conn, -1, () => void failures++);
    clients.push(sub.client);
    await sub.subscription;
    clock.advance(2 * 3_600_000 + 1);
    await eventually(() => failures > 0, 10_000);
  });

  it('reconnects after a CometD disconnect fault and keeps delivering', async () => {
    const sub = subscriber(conn, -1);
    clients.push(sub.client);
    await sub.subscription;
    await publishOverRest(em);
    await eventually(() => sub.received.length === 1);
    expect(em.control.disconnectStreaming()).toBeGreaterThanOrEqual(1);
    await publishOverRest(em);
    // the client is told 403::Unknown client, re-handshakes, re-subscribes from its last replay id
    await eventually(() => sub.received.length === 2, 10_000);
    expect(new Set(sub.received.map((e) => e.event.replayId)).size).toBe(2);
  });
});

describe('CometD across an emulator restart', () => {
  it('keeps the event log and sessions; a durable subscriber resumes from its last replay id', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sf-emulator-'));
    const clock = frozenClock();
    let em = await startTestEmulator({ clock, dataDir });
    const port = em.port;
    const conn = connect(em);
    const sub = subscriber(conn, -2);
    try {
      await publishOverRest(em, 'RESYNC:a00000000000000AAA:before');
      await sub.subscription;
      await eventually(() => sub.received.length === 1);
      const before = sub.received[0]!.event.replayId;

      await em.close();
      em = await startTestEmulator({ clock, dataDir, port });
      // the same session still works (a new Connection: the restart closed the old keep-alive sockets),
      // and the event published before the restart is still retained
      expect(em.control.events('/event/Invoice_Request__e').map((e) => e.replayId)).toEqual([before]);
      const nl = await afterRestart(() => connect(em).query("SELECT Id FROM Account WHERE BillingCountry = 'NL'"));
      expect(nl.totalSize).toBe(1);
      const again = new Connection({ instanceUrl: em.url, accessToken: conn.accessToken!, version: API_VERSION });
      await afterRestart(() => again.query('SELECT Id FROM Account LIMIT 1'));
      await publishOverRest(em, 'RESYNC:a00000000000000AAA:after');
      await eventually(() => sub.received.length === 2, 15_000);
      expect(sub.received.map((e) => e.payload.Request_Key__c)).toEqual([
        'RESYNC:a00000000000000AAA:before',
        'RESYNC:a00000000000000AAA:after',
      ]);

      // a new process that saved `before` replays only what came after it
      const late = subscriber(connect(em), before);
      await late.subscription;
      await eventually(() => late.received.length === 1);
      expect(late.received[0]!.payload.Request_Key__c).toBe('RESYNC:a00000000000000AAA:after');
      await disconnect([late.client]);
    } finally {
      await disconnect([sub.client]);
      await em.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
