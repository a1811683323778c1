import type { Connection } from 'jsforce';
import { StreamingExtension } from 'jsforce/api/streaming';
import type { Logger } from '../lib/logger';

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
}

interface FayeClient {
  subscribe(channel: string, onMessage: (message: StreamedEvent) => void): PromiseLike<unknown> & { cancel(): void };
  disconnect(): void;
}

const REPLAY_ALL_RETAINED = -2;
const INVALID_REPLAY = /^400::The replayId \{?(-?\d+)\}? you provided was invalid/;

/**
 * A durable CometD subscriber: resumes from the stored replay id, saves each id only after its event is handled,
 * handles events one at a time, falls back to -2 (all retained events) when the stored id has expired, and
 * recreates the client after an auth failure (jsforce fixes the token into the client when it creates it).
 */
export function createEventSubscriber(deps: EventSubscriberDeps) {
  const { channel, cursor, log } = deps;
  const maxBuffered = deps.maxBuffered ?? 1000;
  let client: FayeClient | undefined;
  let generation = 0;
  let buffered = 0;
  let chain: Promise<void> = Promise.resolve();
  let stopped = true;

  const process = (gen: number, message: StreamedEvent) => {
    buffered += 1;
    chain = chain.then(async () => {
      buffered -= 1;
      if (gen !== generation) return; // delivered by a client we have since replaced; it will be replayed
      try {
        await deps.handle(message);
        await cursor.saveReplayId(channel, message.event.replayId);
      } catch (err) {
        // Not stored, so not acknowledged: resubscribe from the cursor and get it again.
        log.error({ err, channel, replayId: message.event.replayId }, 'event not stored; resubscribing from cursor');
        restart('handler failed');
      }
    });
    if (buffered > maxBuffered) restart(`more than ${maxBuffered} events buffered`);
  };

  const subscribe = async (from: number): Promise<void> => {
    generation += 1;
    const gen = generation;
    const authFailure = new StreamingExtension.AuthFailure(() => {
      log.warn({ channel }, 'streaming session refused; re-authenticating');
      client?.disconnect();
      deps
        .reauthenticate()
        .then(async () => subscribe((await cursor.getReplayId(channel)) ?? REPLAY_ALL_RETAINED))
        .catch((err: unknown) => log.error({ err, channel }, 're-authentication failed; subscriber stopped'));
    });
    const replay = new StreamingExtension.Replay(channel, from);
    const next = deps.conn.streaming.createClient([authFailure, replay]) as unknown as FayeClient;
    client = next;
    try {
      await next.subscribe(channel, (message) => process(gen, message));
      log.info({ channel, replayFrom: from }, 'subscribed');
    } catch (err) {
      const lost = INVALID_REPLAY.exec(String((err as { message?: unknown }).message ?? err));
      if (lost && from !== REPLAY_ALL_RETAINED) {
        log.warn({ channel, replayId: from }, 'stored replay id expired; replaying all retained events');
        next.disconnect();
        deps.onGap(channel, from);
        return subscribe(REPLAY_ALL_RETAINED);
      }
      throw err;
    }
  };

  const restart = (why: string) => {
    if (stopped) return;
    log.warn({ channel, why }, 'pausing intake; resuming from cursor');
    generation += 1;
    client?.disconnect();
    client = undefined;
    const resumeFrom = async () => subscribe((await cursor.getReplayId(channel)) ?? REPLAY_ALL_RETAINED);
    chain = chain.then(() => {
      if (!stopped) return resumeFrom().catch((err: unknown) => log.error({ err, channel }, 'resubscribe failed'));
    });
  };

  return {
    async start(): Promise<void> {
      stopped = false;
      await subscribe((await cursor.getReplayId(channel)) ?? REPLAY_ALL_RETAINED);
    },
    /** Stops intake and waits for events already delivered to be handled. */
    async stop(): Promise<void> {
      stopped = true;
      generation += 1;
      client?.disconnect();
      client = undefined;
      await chain;
    },
  };
}

export type EventSubscriber = ReturnType<typeof createEventSubscriber>;
