/**
 * The bridge's own recent changes to Xero invoices, so that the webhooks and listings they cause are known as echoes
 * without reading Xero. AUTHORISE records each invoice Xero authorised with the version it answered (UpdatedDateUTC,
 * `answered`), and the email it sent after (`follow`): the email bumps the version again (SentToContact, which no
 * mirror holds), and Xero's answer to it is a 204 with no version. Inbound asks `echo` whether an event's time or a
 * listed version is one of these:
 * - the approval itself: a time at or before the version Xero answered (to the millisecond). The approval's flow
 *   writes that version to the mirror (a webhook may come first: it is not read, the flow is writing it);
 * - the email: a time inside the window the email can have happened in, in Xero's clock. Xero's times and the
 *   bridge's clock need not agree, but their intervals do: the email happened at least (email sent − approval
 *   answered) and at most (email answered − approval sent) after the approval's version (give or take `slackMs`).
 * A change someone else makes in Xero inside those few moments is taken for the echo by a webhook (which carries only
 * a time); the poller's listing still compares the fields the mirror holds and reads it. Memory only, and bounded: a
 * replica that did not make the change, or a restart, finds nothing here and reads Xero as before (correct, dearer).
 */
import type { Clock } from '../../lib/clock';

/** How long an own change is remembered (the poller lists a backed-off tenant at least this often). */
export const OWN_WRITE_TTL_MS = 30 * 60_000;
/** The most remembered at once; the oldest are forgotten first. */
export const OWN_WRITES_MAX = 50_000;
/**
 * Between a webhook's eventDateUtc and the version it stands for: none (the emulator stamps both alike; an event
 * stamped later than its version is read, which costs a call, where a wider window would take a payment made just
 * after the email for its echo and leave it to the next poll).
 */
export const OWN_WRITE_SLACK_MS = 0;

interface OwnWrite {
  /** Xero's version the bridge's change answered with (epoch ms, Xero's clock). */
  version: number;
  /** Bridge clock when the change was sent, and when Xero answered it. */
  sentAt: number;
  answeredAt: number;
  /** Xero-clock windows of changes that followed without a version (an email), inclusive. */
  followers: [number, number][];
  /** Bridge clock: forgotten after this. */
  expiresAt: number;
}

/** What the echo is: the version Xero answered the bridge's own change with (its flow writes it to the mirror). */
export interface OwnEcho {
  version: number;
}

export function createOwnWrites(deps: { clock: Pick<Clock, 'now'>; ttlMs?: number; max?: number; slackMs?: number }) {
  const ttlMs = deps.ttlMs ?? OWN_WRITE_TTL_MS;
  const max = deps.max ?? OWN_WRITES_MAX;
  const slackMs = deps.slackMs ?? OWN_WRITE_SLACK_MS;
  const writes = new Map<string, OwnWrite>();
  const key = (tenantId: string, invoiceId: string) => `${tenantId.toLowerCase()}:${invoiceId.toLowerCase()}`;

  function live(tenantId: string, invoiceId: string): OwnWrite | undefined {
    const k = key(tenantId, invoiceId);
    const write = writes.get(k);
    if (write && write.expiresAt < deps.clock.now()) {
      writes.delete(k);
      return undefined;
    }
    return write;
  }

  return {
    /** The bridge clock now: take it before a Xero call whose changes are recorded here. */
    now: (): number => deps.clock.now(),
    /** Xero answered a change the bridge sent at `sentAt` (bridge clock) with this version of the invoice. */
    answered(tenantId: string, invoiceId: string, version: number, sentAt: number): void {
      const now = deps.clock.now();
      const k = key(tenantId, invoiceId);
      writes.delete(k); // re-inserted last: the Map's order is oldest first
      writes.set(k, { version, sentAt, answeredAt: now, followers: [], expiresAt: now + ttlMs });
      for (const oldest of writes.keys()) {
        if (writes.size <= max) break;
        writes.delete(oldest);
      }
    },
    /**
     * A change that Xero answers with no version (an email: 204) is being sent now, after the change `answered`
     * recorded. Call what this returns when it is answered (or failed: it may have happened all the same); till then
     * its window stays open, since its webhook may come before its answer.
     */
    follow(tenantId: string, invoiceId: string): () => void {
      const write = live(tenantId, invoiceId);
      if (!write) return () => undefined;
      const window: [number, number] = [
        write.version + Math.max(0, deps.clock.now() - write.answeredAt) - slackMs,
        Number.POSITIVE_INFINITY,
      ];
      write.followers.push(window);
      return () => {
        const now = deps.clock.now();
        window[1] = write.version + Math.max(0, now - write.sentAt) + slackMs;
        write.expiresAt = now + ttlMs;
      };
    },
    /** The change's flow did not write the mirror after all: what Xero says of the invoice is read again. */
    forget(tenantId: string, invoiceId: string): void {
      writes.delete(key(tenantId, invoiceId));
    },
    /**
     * The bridge's own change this Xero time (a webhook's eventDateUtc, or a listed UpdatedDateUTC, epoch ms) stands
     * for, if any: the approval (at or before its version) or a change that followed it (an email).
     */
    echo(tenantId: string, invoiceId: string, at: number): OwnEcho | undefined {
      const write = live(tenantId, invoiceId);
      if (!write) return undefined;
      // to the millisecond (Xero's answer has them): a later change of the same second is not this one
      if (at <= write.version) return { version: write.version };
      return write.followers.some(([from, to]) => at >= from && at <= to) ? { version: write.version } : undefined;
    },
    /** How many are remembered (for tests and the bench). */
    size: (): number => writes.size,
  };
}

export type OwnWrites = ReturnType<typeof createOwnWrites>;
