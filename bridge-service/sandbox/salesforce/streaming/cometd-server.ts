/**
 * CometD (Bayeux long-polling) endpoint for platform events at /cometd/<version>, built on faye's NodeAdapter as in
 * the shared reference (§3): OAuth checks on the meta channels, Salesforce's replay extension (-1 new only, -2 all
 * retained, N after a stored id, 400 for an id outside retention), Salesforce's error shapes for auth failure and
 * unknown clients, and a disconnect fault that drops every client so they must re-handshake.
 *
 * The org's event delivery allocation is enforced: every event delivered to every subscribed client counts, over a
 * rolling 24 hours (Platform Event Allocations: Enterprise 25,000, Performance and Unlimited 50,000, Developer
 * 10,000). Past it each connect is answered `403::Organization total events daily limit exceeded` and nothing is
 * delivered; the events stay on the bus, replayable once the window frees up.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { SalesforceOrg } from '../salesforce-org';
import type { StoredEvent } from '../store';

interface BayeuxMessage {
  channel: string;
  clientId?: string;
  subscription?: string;
  successful?: boolean;
  error?: string;
  advice?: Record<string, unknown>;
  ext?: Record<string, unknown>;
  supportedConnectionTypes?: string[];
  data?: unknown;
}

type Callback = (m: BayeuxMessage) => void;
interface IncomingRequest {
  headers: Record<string, string | string[] | undefined>;
}

export interface CometdOptions {
  org: SalesforceOrg;
  /** returns the session user for an `Authorization: OAuth <token>` header, or undefined */
  authenticate(token: string | undefined): string | undefined;
  logger: Logger;
  /** long-poll hold in seconds (Salesforce holds ~110 s; tests want it short) */
  timeoutSeconds?: number;
  /** event deliveries allowed in any 24 hours, all clients together */
  deliveriesPerDay: number;
  /** the sandbox clock (the window is 24 hours of it) */
  now(): number;
}

/** What CometD says to every connect once the org's delivery allocation is spent. */
export const DELIVERY_LIMIT_ERROR = '403::Organization total events daily limit exceeded';

const DAY_MS = 24 * 60 * 60 * 1000;
const BUCKET_MS = 60 * 1000;

/** Deliveries over a rolling 24 hours, counted in one-minute buckets. */
export class DeliveryAllocation {
  private readonly buckets: { minute: number; count: number }[] = [];

  constructor(
    public max: number,
    private readonly now: () => number,
  ) {}

  used(): number {
    const since = Math.floor((this.now() - DAY_MS) / BUCKET_MS);
    while (this.buckets.length > 0 && this.buckets[0]!.minute <= since) this.buckets.shift();
    return this.buckets.reduce((sum, b) => sum + b.count, 0);
  }

  remaining(): number {
    return Math.max(0, this.max - this.used());
  }

  /** Counts one delivery; false (not counted) when the allocation is spent. */
  take(): boolean {
    if (this.used() >= this.max) return false;
    const minute = Math.floor(this.now() / BUCKET_MS);
    const last = this.buckets.at(-1);
    if (last?.minute === minute) last.count += 1;
    else this.buckets.push({ minute, count: 1 });
    return true;
  }
}

// faye ships no server typings (jsforce only declares its Client): load the adapter untyped
// eslint-disable-next-line @typescript-eslint/no-require-imports
const faye = require('faye') as {
  NodeAdapter: new (options: { mount: string; timeout: number }) => CometdServer['bayeux'];
};

export const invalidReplayMessage = (id: number): string =>
  `400::The replayId {${id}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`;

export class CometdServer {
  readonly bayeux: {
    attach(server: Server): void;
    close(): void;
    addExtension(ext: unknown): void;
    getClient(): { publish(channel: string, data: unknown): void; disconnect(): void };
    _server: {
      _engine: {
        destroyClient(id: string): void;
        _engine: { _messages: Map<string, unknown[]>; emptyQueue(id: string): void };
      };
    };
  };
  private readonly clients = new Set<string>();
  readonly deliveries: DeliveryAllocation;
  /** connects refused because the allocation was spent (how hard clients knock meanwhile) */
  refusedConnects = 0;
  private readonly unsubscribe: () => void;
  /** fault switch: when set, every connect is told the client is unknown */
  private dropping = false;

  constructor(private readonly options: CometdOptions) {
    this.deliveries = new DeliveryAllocation(options.deliveriesPerDay, options.now);
    this.bayeux = new faye.NodeAdapter({ mount: '/cometd', timeout: options.timeoutSeconds ?? 110 });
    this.bayeux.addExtension({ incoming: this.incoming.bind(this), outgoing: this.outgoing.bind(this) });
    this.unsubscribe = options.org.onEvent((ev) => this.deliverLive(ev));
  }

  attach(server: Server): void {
    this.bayeux.attach(server);
    // faye probes WebSocket first; an accepted upgrade keeps close() hanging, and Salesforce's endpoint is long-polling
    server.removeAllListeners('upgrade');
    server.on('upgrade', (_req, socket: { destroy(): void }) => socket.destroy());
  }

  close(): void {
    this.unsubscribe();
    // the in-process publisher keeps a connect loop (timers) alive until it disconnects
    if (this.publisherStarted) this.bayeux.getClient().disconnect();
    this.bayeux.close();
  }

  /** Fault: forget every client; their next connect gets `403::Unknown client` and they re-handshake. */
  disconnectAll(): number {
    const engine = this.bayeux._server._engine;
    const n = this.clients.size;
    for (const id of this.clients) engine.destroyClient(id);
    this.clients.clear();
    return n;
  }

  /** Fault: refuse connects (as during an outage) until `resume()`. */
  refuseConnections(on: boolean): void {
    this.dropping = on;
    if (on) this.disconnectAll();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private publisherStarted = false;

  private deliverLive(ev: StoredEvent): void {
    this.publisherStarted = true;
    this.bayeux.getClient().publish(ev.channel, ev.data);
  }

  private incoming(msg: BayeuxMessage, req: IncomingRequest | null, cb: Callback): void {
    // req === null is faye's in-process publisher (our own live publishes): never subject to auth
    if (!req) return cb(msg);
    const header = req.headers.authorization;
    const auth = Array.isArray(header) ? header[0] : header;
    const token = auth?.replace(/^(OAuth|Bearer)\s+/i, '');
    if (msg.channel.startsWith('/meta/') && msg.channel !== '/meta/disconnect' && !this.options.authenticate(token)) {
      msg.error = '401::Authentication invalid';
      return cb(msg);
    }
    if (msg.channel === '/meta/connect' && this.dropping) {
      msg.error = '403::Unknown client';
      return cb(msg);
    }
    if (msg.channel === '/meta/connect' && this.deliveries.remaining() === 0) {
      this.refusedConnects += 1;
      msg.error = DELIVERY_LIMIT_ERROR;
      return cb(msg);
    }
    if (msg.channel === '/meta/subscribe' && msg.subscription) {
      const channel = msg.subscription;
      const def = channel.startsWith('/event/')
        ? this.options.org.findObject(channel.slice('/event/'.length))
        : undefined;
      if (!def || def.kind !== 'event' || def.name !== channel.slice('/event/'.length)) {
        msg.error = `400::The channel you requested to subscribe to does not exist {${channel}}`;
        return cb(msg);
      }
      const replay = (msg.ext?.replay as Record<string, unknown> | undefined)?.[channel];
      const from = typeof replay === 'number' ? replay : typeof replay === 'string' ? Number(replay) : -1;
      const retained = this.options.org.retainedEvents(channel);
      if (from >= 0 && !retained.some((e) => e.replayId === from)) {
        msg.error = invalidReplayMessage(from);
        return cb(msg);
      }
      if (from === -2 || from >= 0) {
        const backlog = retained
          .filter((e) => from === -2 || e.replayId > from)
          .map((e) => ({ channel: e.channel, data: e.data }));
        const clientId = msg.clientId!;
        // after the subscribe reply: queue the backlog on faye's per-client queue (private API, pinned faye 1.4.x)
        setImmediate(() => {
          if (!backlog.length) return;
          const mem = this.bayeux._server._engine._engine;
          const queue = mem._messages.get(clientId) ?? [];
          queue.push(...backlog);
          mem._messages.set(clientId, queue);
          mem.emptyQueue(clientId);
        });
      }
    }
    cb(msg);
  }

  private outgoing(
    msg: BayeuxMessage | null,
    req: IncomingRequest | null,
    cb: (m: BayeuxMessage | null) => void,
  ): void {
    if (!msg) return cb(msg);
    // an event on its way to a subscribed client (a connect's reply carries them): one delivery each; past the
    // allocation it is not delivered (faye drops a null reply) and stays on the bus for replay
    if (req && msg.channel.startsWith('/event/') && msg.data !== undefined && !this.deliveries.take()) return cb(null);
    if (msg.channel === '/meta/handshake' && msg.successful) {
      msg.ext = { replay: true, 'payload.format': true };
      if (req) msg.supportedConnectionTypes = ['long-polling'];
      if (req && msg.clientId) this.clients.add(msg.clientId);
    }
    if (msg.channel === '/meta/disconnect' && msg.clientId) this.clients.delete(msg.clientId);
    if (typeof msg.error === 'string') {
      if (msg.error.startsWith('401::')) {
        msg.ext = { sfdc: { failureReason: msg.error }, replay: true };
        msg.advice = { reconnect: 'none' };
        if (msg.channel === '/meta/handshake') msg.error = '403::Handshake denied';
      } else if (/^(401|403):[^:]*:Unknown client$/.test(msg.error)) {
        msg.error = '403::Unknown client';
        msg.advice = { reconnect: 'handshake', interval: 0 };
      }
      if (msg.channel !== '/meta/handshake' && msg.error && !msg.error.startsWith('401::')) {
        this.options.logger.debug({ channel: msg.channel, error: msg.error }, 'cometd error');
      }
    }
    cb(msg);
  }
}
