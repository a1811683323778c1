import type { Client } from 'faye';
import type { Connection } from 'jsforce';
import { StreamingExtension } from 'jsforce/api/streaming';
import { systemClock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import { withTimeout } from '../lib/retry';

// jsforce's typings of faye's client leave out what the subscriber needs to end a session.
declare module 'faye' {
  interface Client {
    /** Ends the session (undefined when not connected); faye closes its transport only once Salesforce says so. */
    disconnect(): PromiseLike<unknown> | undefined;
    /** faye's transport dispatcher (not in its public API): closed to stop a disconnect nobody can receive. */
    _dispatcher?: { close(): void };
  }
}

/** Where the subscriber keeps its place: the last replay id whose event is durably handled (the store). */
export interface ReplayCursor {
  getReplayId(channel: string): Promise<number | null>;
  saveReplayId(channel: string, replayId: number): Promise<void>;
}

/** A platform event as CometD delivers it. */
export interface StreamedEvent {
  payload: Record<string, unknown>;
  event: { replayId: number; EventUuid?: string };
}

export interface EventSubscriberDeps {
  conn: Connection;
  channel: string;
  cursor: ReplayCursor;
  /** Stores the event durably (or records why it was refused). Only after it resolves is the replay id saved. */
  handle: (event: StreamedEvent) => Promise<void>;
  /** Salesforce no longer holds the stored replay id: events may have been missed, so the caller reconciles. */
  onGap: (channel: string, lostReplayId: number) => void;
  /** Gets a fresh session after Salesforce refused ours on the streaming channel. */
  reauthenticate: () => Promise<void>;
  log: Logger;
  /** Events delivered but not yet handled before intake pauses and resumes from the cursor. */
  maxBuffered?: number;
  /** How long to wait between connects while the org's event delivery allocation is spent (default a minute). */
  allocationRetryMs?: number;
}

const REPLAY_ALL_RETAINED = -2;

/** How long ending a session waits for Salesforce to acknowledge it. */
const DISCONNECT_WAIT_MS = 2_000;

/**
 * Ends a CometD session and releases its transport. faye closes its transport only when Salesforce acknowledges the
 * disconnect; when Salesforce cannot be reached (down, or gone before the bridge stopped) faye retries the
 * disconnect every few seconds for ever, and that timer kept a stopped bridge's process alive (and Jest with it).
 * So wait a bounded time for the acknowledgement, then close the transport either way.
 */
async function endSession(client: Client): Promise<void> {
  await withTimeout(Promise.resolve(client.disconnect()), DISCONNECT_WAIT_MS).catch(() => undefined);
  client._dispatcher?.close();
}

class SessionRefused extends Error {}

/** The reason Salesforce gives when it ends a streaming session: its sfdc failureReason, else the error. */
function refusalReason(message: unknown): string {
  const m = (message ?? {}) as { error?: unknown; ext?: { sfdc?: { failureReason?: unknown } } };
  return String(m.ext?.sfdc?.failureReason ?? m.error ?? 'streaming session ended (reconnect: none)');
}

function isAuthFailure(err: unknown): boolean {
  if (err instanceof SessionRefused) return true;
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return code === 401 || /^401::/.test(String(message ?? ''));
}
const INVALID_REPLAY = /^400::The replayId \{?(-?\d+)\}? you provided was invalid/;
/** What CometD answers every connect once the org's daily event delivery allocation is spent. */
const ALLOCATION_SPENT = /Organization total events daily limit exceeded/i;
/** At most one error log a quarter-hour while the allocation stays spent. */
const ALLOCATION_LOG_EVERY_MS = 15 * 60_000;
/**
 * After an event could not be stored, the wait before subscribing again from the cursor: 1 s, doubling to a minute,
 * back to 1 s once an event is stored. Each round is a new client, and every event after the cursor is delivered to
 * it again and counted against the org's daily delivery allocation.
 */
const STORE_RETRY = { firstMs: 1_000, maxMs: 60_000 } as const;

interface BayeuxReply {
  channel?: string;
  successful?: boolean;
  error?: unknown;
  advice?: Record<string, unknown>;
}

/**
 * A durable CometD subscriber: resumes from the stored replay id, saves each id only after its event is handled,
 * handles events one at a time, falls back to -2 (all retained events) when the stored id has expired, and
 * recreates the client after an auth failure (jsforce fixes the token into the client when it creates it).
 */
export function createEventSubscriber(deps: EventSubscriberDeps) {
  const { channel, cursor, log } = deps;
  const maxBuffered = deps.maxBuffered ?? 1000;
  let client: Client | undefined;
  /** Sessions being ended; stop() waits for them. */
  const ending = new Set<Promise<void>>();
  const release = (old: Client | undefined) => {
    if (!old) return;
    const ended = endSession(old).finally(() => ending.delete(ended));
    ending.add(ended);
  };
  let generation = 0;
  let buffered = 0;
  let allocationLoggedAt = -Infinity;

  /**
   * Past the org's daily delivery allocation Salesforce refuses every connect, and nothing is delivered (requests wait
   * on the bus) until its 24-hour window frees up. faye would reconnect at once, over and over: wait between connects
   * instead, and say so where ops look (README: Live refresh and the org's streaming allocations).
   */
  const allocationWatch = {
    incoming(message: BayeuxReply, callback: (m: BayeuxReply) => void) {
      if (
        message.channel === '/meta/connect' &&
        message.successful === false &&
        ALLOCATION_SPENT.test(String(message.error))
      ) {
        message.advice = { ...message.advice, reconnect: 'retry', interval: deps.allocationRetryMs ?? 60_000 };
        if (Date.now() - allocationLoggedAt >= ALLOCATION_LOG_EVERY_MS) {
          allocationLoggedAt = Date.now();
          log.error(
            { channel, error: message.error },
            "Salesforce's daily platform event delivery allocation is spent: no event reaches the bridge until it " +
              'frees up (closed deals and approvals wait on the bus and are replayed then). Check ' +
              'DailyDeliveredPlatformEvents in /limits and who else subscribes.',
          );
        }
      }
      callback(message);
    },
  };
  let chain: Promise<void> = Promise.resolve();
  let stopped = true;
  /** Rounds in a row that ended on an event not stored: how long the next wait is. */
  let storeFailures = 0;
  /** Cuts short a wait before resubscribing, when the subscriber stops. */
  let waiting: AbortController | undefined;

  /** The client generation whose delivery outran the store: the rest of what it delivers is dropped. */
  let overflowed = -1;

  const process = (gen: number, message: StreamedEvent) => {
    if (gen === overflowed) return;
    if (buffered >= maxBuffered) {
      pauseIntake(gen);
      return;
    }
    buffered += 1;
    chain = chain.then(async () => {
      buffered -= 1;
      if (gen !== generation) return; // delivered by a client we have since replaced; it will be replayed
      try {
        await deps.handle(message);
        await cursor.saveReplayId(channel, message.event.replayId);
        storeFailures = 0;
      } catch (err) {
        // Not stored, so not acknowledged: resubscribe from the cursor and get it again, after a wait. At once, the
        // store still down, it would be a new client and a new delivery of every event after the cursor each time:
        // thousands in seconds, against the org's daily allocation (README: Live refresh and the org's streaming
        // allocations).
        const waitMs = Math.min(STORE_RETRY.firstMs * 2 ** storeFailures, STORE_RETRY.maxMs);
        storeFailures += 1;
        log.warn(
          { err, channel, replayId: message.event.replayId, waitMs },
          `event not stored; resubscribing from the cursor in ${waitMs / 1000} s`,
        );
        restart('handler failed', waitMs);
      }
    });
  };

  /**
   * A replay of a long backlog arrives faster than events are stored. Rather than hold it all in memory, stop
   * receiving, store what is buffered, then subscribe again from the cursor: each round stores up to
   * `maxBuffered` events, and what was dropped comes after all of them, so it is replayed in order.
   */
  const pauseIntake = (gen: number) => {
    overflowed = gen;
    log.warn({ channel, maxBuffered }, 'intake paused: storing the buffered events, then resuming from the cursor');
    resubscribeAfterQueue();
  };

  /**
   * Stops receiving; once the events already queued are handled (or skipped), and `waitMs` has passed, subscribes
   * again from the cursor.
   */
  const resubscribeAfterQueue = (waitMs = 0) => {
    release(client);
    client = undefined;
    const gen = generation;
    chain = chain.then(async () => {
      if (stopped || gen !== generation) return; // stopped, or subscribed again since
      if (waitMs > 0) {
        waiting = new AbortController();
        await systemClock.sleep(waitMs, waiting.signal);
        waiting = undefined;
        if (stopped || gen !== generation) return;
      }
      await subscribeFromCursor().catch((err: unknown) => log.error({ err, channel }, 'resubscribe failed'));
    });
  };

  const subscribeFromCursor = async (afterReauthentication = false) =>
    subscribe((await cursor.getReplayId(channel)) ?? REPLAY_ALL_RETAINED, afterReauthentication);

  let recovering: Promise<void> | undefined;
  /**
   * One re-authentication at a time, whoever noticed first: the AuthFailure extension, or a subscribe that
   * was refused with 401 (e.g. the session expired while the bridge was down).
   */
  const recoverAuth = (): Promise<void> => {
    recovering ??= (async () => {
      log.warn({ channel }, 'streaming session refused; re-authenticating');
      release(client);
      client = undefined;
      await deps.reauthenticate();
      await subscribeFromCursor(true);
    })().finally(() => {
      recovering = undefined;
    });
    return recovering;
  };

  const subscribe = async (from: number, afterReauthentication = false): Promise<void> => {
    generation += 1;
    const gen = generation;
    let subscribed = false;
    let refuse!: (err: Error) => void;
    const refusal = new Promise<never>((_, reject) => (refuse = reject));
    // Salesforce ends a session with advice "reconnect: none" (jsforce then swallows the message, so a pending
    // subscribe would never settle): its reason says whether the session expired or something else was refused.
    const authFailure = new StreamingExtension.AuthFailure((message: unknown) => {
      if (gen !== generation) return; // a client we have since replaced
      const reason = refusalReason(message);
      const err = /^401::|authentication invalid/i.test(reason) ? new SessionRefused(reason) : new Error(reason);
      if (!subscribed) refuse(err);
      else if (err instanceof SessionRefused)
        recoverAuth().catch((e: unknown) =>
          log.error({ err: e, channel }, 're-authentication failed; subscriber stopped'),
        );
      else restart(reason);
    });
    const replay = new StreamingExtension.Replay(channel, from);
    const next = deps.conn.streaming.createClient([authFailure, replay, allocationWatch]);
    client = next;
    try {
      await Promise.race([next.subscribe(channel, (message: StreamedEvent) => process(gen, message)), refusal]);
      subscribed = true;
      log.info({ channel, replayFrom: from }, 'subscribed');
    } catch (err) {
      const lost = INVALID_REPLAY.exec(String((err as { message?: unknown }).message ?? err));
      if (lost && from !== REPLAY_ALL_RETAINED) {
        log.warn({ channel, replayId: from }, 'stored replay id expired; replaying all retained events');
        release(next);
        deps.onGap(channel, from);
        return subscribe(REPLAY_ALL_RETAINED);
      }
      // A refused session (e.g. expired while the bridge was down) gets one fresh login; refused again right
      // after it, the problem is real and start() fails.
      if (isAuthFailure(err) && !afterReauthentication) return recoverAuth();
      // Not subscribed: a client left behind would go on retrying its handshake.
      if (client === next) {
        release(next);
        client = undefined;
      }
      throw err;
    }
  };

  const restart = (why: string, waitMs = 0) => {
    if (stopped) return;
    if (waitMs === 0) log.warn({ channel, why }, 'pausing intake; resuming from cursor'); // else the caller said so
    generation += 1; // what is still queued from this client is skipped, and replayed after the cursor
    resubscribeAfterQueue(waitMs);
  };

  return {
    async start(): Promise<void> {
      stopped = false;
      storeFailures = 0;
      await subscribeFromCursor();
    },
    /** Stops intake, waits for events already delivered to be handled, and ends the session. */
    async stop(): Promise<void> {
      stopped = true;
      generation += 1;
      waiting?.abort();
      release(client);
      client = undefined;
      await chain;
      await Promise.all(ending);
    },
  };
}

export type EventSubscriber = ReturnType<typeof createEventSubscriber>;
