/**
 * The polling fallback, each connected tenant on its own loop (one slow or paused tenant never holds up another):
 * Invoices, CreditNotes, Payments, Overpayments and Prepayments changed since the watermark (If-Modified-Since, paged,
 * oldest change first), written back through the same newer-wins path as webhooks. Invoices are listed as summaries
 * (summaryOnly) and read in full only where the mirror is behind, so the bridge's own writes, which every poll sees
 * again, cost a few bytes each and no Salesforce write. Xero sends no payment, overpayment or prepayment webhooks, so
 * this is also how deleted payments and customer credit reach Salesforce; and it picks up invoices raised directly in
 * Xero for accounts Salesforce knows.
 *
 * The watermark (store/watermark.ts) remembers the newest UpdatedDateUTC processed and every id processed at
 * exactly that time: re-polling from it repeats nothing and equal timestamps never skip a record. Each poll asks
 * from a little before the watermark (`skewMs`), since If-Modified-Since is second-accurate.
 *
 * Idle backoff, per tenant and resource: a resource whose poll learns nothing doubles its wait before its next poll,
 * from the interval up to `idleMaxMs`. What says a resource is active brings it back to the interval:
 * - its own poll writing a change to Salesforce (a mirror that did not hold that version);
 * - a change made in Xero, not by the bridge: an Invoices or CreditNotes poll that wrote to Salesforce, or a webhook
 *   whose XERO_CHANGE job wrote one (`xeroChanged`: polled within seconds if backed off). Every resource wakes, since
 *   payments and credits come with such changes. A job of webhooks that only created documents wakes Invoices and
 *   CreditNotes: a new document has no payment yet;
 * - on a tenant without webhooks, also: its own poll finding fresh documents (new to the watermark), and the bridge's
 *   own writes (`bridgeWrote`): Invoices, where a payment that follows an approval shows first.
 * Echo: most fresh documents are the bridge's own drafts, approvals and emails read back (the mirror already holds
 * them, or the flow that made them is writing it: nothing is written). With webhooks they count for nothing: a tenant
 * whose listings hold only its own writes backs off, as does Invoices while the bridge writes (a drain, a morning of
 * approvals), since a payment in Xero sends its invoice's webhook, which wakes every resource within seconds. Without
 * webhooks a poll is the only way a payment arrives, so there fresh documents count, echoes included: Invoices is
 * polled every interval while the bridge writes to the tenant or its listings bring anything new, and a payment after
 * an approval is listed within the interval. Xero's webhooks for the bridge's own changes (its approvals, and the
 * emails after them) wake nothing: the intake only says a webhook was heard (`webhookHeard`), and the XERO_CHANGE
 * job, which knows them for echoes (the mirror holds them, or own-writes.ts says the bridge made them), writes nothing
 * and so calls no `xeroChanged`. Webhooks on or off is not a setting (the key is set either way; an org sharing another
 * org's Xero app gets none, docs/operations.md), so the poller goes by what it hears: a tenant has webhooks while one
 * of its webhooks came within `idleMaxMs`. Should they stop, the tenant is back on the rules without them `idleMaxMs` after
 * the last, and a payment meanwhile waits at most `idleMaxMs`, as on an idle tenant.
 * So a tenant without webhooks that the bridge is busy drafting for polls Invoices every interval, and its payments,
 * overpayments and prepayments back off like an idle tenant's: four calls a poll fewer, and 1,836 calls a day at most
 * rather than 7,200 (Xero allows 5,000). Due resources are polled together, so resources on the same wait stay in step.
 * Backing off changes only when a poll runs, never what it asks for: each poll still reads from the watermark, so a
 * change made while a resource waits is read by its next poll.
 */
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { WatermarkRepository, XeroConnectionRepository } from '../../store/types';
import { advanceWatermark } from '../../store/watermarks';
import type { XeroClient } from '../../xero/client';
import type { XeroLedgerClient } from '../../xero/ledger-client';
import type {
  PagedQuery,
  XeroCreditNote,
  XeroDate,
  XeroInvoice,
  XeroOverpayment,
  XeroPage,
  XeroPayment,
  XeroPrepayment,
} from '../../xero/types';
import { xeroVersion, type ApplyResult, type InboundApply } from './apply';
import {
  IN_STEP_MS,
  newPace,
  nextDue,
  nextIdleWait,
  POLLED_RESOURCES,
  WAKES,
  type Pace,
  type PolledResource,
} from './poll-pace';

export interface PollerOptions {
  /** The wait between polls of an active tenant. */
  intervalMs: number;
  /** The longest an idle tenant waits between polls (default: `intervalMs`, no backoff; never less than it). */
  idleMaxMs?: number;
  /**
   * How long after a webhook's change is written (`xeroChanged`) a backed-off tenant is polled (default 5 s): the
   * changes of a burst (a payment run) wake one poll, not one each.
   */
  webhookSettleMs?: number;
  /** How far before the watermark each poll asks from (default 5 s). */
  skewMs?: number;
  /** Where a tenant's first poll starts, before now (default 24 h). */
  initialLookbackMs?: number;
  pageSize?: number;
  /** Invoice summaries per page (default 1,000, Xero's most): they are small, and most are the bridge's own. */
  summaryPageSize?: number;
  clock: Clock;
}

export interface PollStats {
  /** Tenant polls finished (each the resources of one tenant that were due, once). */
  polls: number;
  documents: number;
  written: number;
  failures: number;
  lastPollAt: number | null;
}

export interface PollerDeps {
  xero: Pick<XeroClient, 'getInvoicesModifiedSince' | 'getCreditNotes' | 'getPayments' | 'getInvoicesByIds'>;
  apply: Pick<
    InboundApply,
    'applyInvoices' | 'applyInvoiceSummaries' | 'applyCreditNotes' | 'applyPayments' | 'applyCustomerCredits'
  >;
  /** Overpayments and prepayments (no webhooks for them: polled only). */
  ledger: Pick<XeroLedgerClient, 'getOverpayments' | 'getPrepayments'>;
  watermarks: Pick<WatermarkRepository, 'getWatermark' | 'saveWatermark'>;
  xeroConnections: Pick<XeroConnectionRepository, 'listXeroTenants'>;
  clock: Pick<Clock, 'now'>;
  log: Pick<Logger, 'debug' | 'warn' | 'error'>;
}

/** How one resource is read and written back. */
interface Polled<T extends { updatedDateUTC?: XeroDate }> {
  read(tenantId: string, query: PagedQuery): Promise<XeroPage<T>>;
  pageSize: number;
  id(item: T): string | undefined;
  write(tenantId: string, items: T[]): Promise<ApplyResult>;
}

/** What one poll of a resource learnt: documents newer than its watermark, and how many of them changed a mirror. */
interface ResourcePoll {
  fresh: number;
  written: number;
}

/** What one poll of a tenant learnt, by resource polled. */
interface PollOutcome {
  polled: Map<PolledResource, ResourcePoll>;
  /** Resources whose poll failed (their wait stays as it was: a failure proves nothing either way). */
  failed: Set<PolledResource>;
  /** A change made in Xero (not by the bridge) was written to Salesforce from Invoices or CreditNotes. */
  changedInXero: boolean;
}

const pollFailed = (resources: readonly PolledResource[]): PollOutcome => ({
  polled: new Map(),
  failed: new Set(resources),
  changedInXero: false,
});

export function createXeroPoller(deps: PollerDeps, opts: PollerOptions) {
  const { apply } = deps;
  const skewMs = opts.skewMs ?? 5_000;
  const lookbackMs = opts.initialLookbackMs ?? 24 * 60 * 60_000;
  const pageSize = opts.pageSize ?? 100;
  const summaryPageSize = opts.summaryPageSize ?? 1_000;
  const intervalMs = opts.intervalMs;
  const idleMaxMs = Math.max(opts.idleMaxMs ?? intervalMs, intervalMs);
  const settleMs = Math.min(opts.webhookSettleMs ?? 5_000, intervalMs);
  const stats: PollStats = { polls: 0, documents: 0, written: 0, failures: 0, lastPollAt: null };
  let running = false;
  let loop: Promise<void> | undefined;
  let stopping = new AbortController();
  /** The poll running now, per tenant. */
  const inProgress = new Map<string, Promise<PollOutcome>>();
  /** The polling loop of each tenant. */
  const loops = new Map<string, Promise<void>>();
  /** The pace of each tenant with a loop here, by lower-case tenant id (webhooks may spell it differently). */
  const paces = new Map<string, Pace>();
  /** When a webhook of each tenant last came, by lower-case tenant id: a tenant heard from has webhooks on. */
  const webhookHeardAt = new Map<string, number>();
  /** A webhook of the tenant came within the idle cap: its payments announce themselves (see the header). */
  const hasWebhooks = (tenantId: string): boolean => {
    const heardAt = webhookHeardAt.get(tenantId.toLowerCase());
    return heardAt !== undefined && opts.clock.now() - heardAt <= idleMaxMs;
  };

  const creditNotes: Polled<XeroCreditNote> = {
    read: (tenantId, query) => deps.xero.getCreditNotes(tenantId, query),
    pageSize,
    id: (note) => note.creditNoteID,
    // Allocations changed the allocated invoices too, and Xero bumps their UpdatedDateUTC: this poll's Invoices
    // listing (before this one) saw those made before it, the next poll's sees the rest; nothing more to do here.
    write: (tenantId, notes) => apply.applyCreditNotes(tenantId, notes),
  };
  // Summaries first: an invoice is read in full only when its mirror is behind (the bridge's own changes are not).
  const invoices: Polled<XeroInvoice> = {
    read: (tenantId, query) => deps.xero.getInvoicesModifiedSince(tenantId, { ...query, summaryOnly: true }),
    pageSize: summaryPageSize,
    id: (invoice) => invoice.invoiceID,
    write: (tenantId, items) =>
      apply.applyInvoiceSummaries(tenantId, items, (ids) => deps.xero.getInvoicesByIds(tenantId, ids)),
  };
  const payments: Polled<XeroPayment> = {
    read: (tenantId, query) => deps.xero.getPayments(tenantId, query),
    pageSize,
    id: (payment) => payment.paymentID,
    async write(tenantId, items) {
      const paid = await apply.applyPayments(tenantId, items);
      // A payment changed its invoice's status and amounts: bring those over now rather than at the next poll.
      const invoiceIds = [...new Set(items.map((p) => p.invoice?.invoiceID).filter((id): id is string => Boolean(id)))];
      if (paid.changed.length === 0 || invoiceIds.length === 0) return paid;
      const written = await apply.applyInvoices(tenantId, await deps.xero.getInvoicesByIds(tenantId, invoiceIds));
      return { ...paid, errors: [...paid.errors, ...written.errors], changed: [...paid.changed, ...written.changed] };
    },
  };

  const overpayments: Polled<XeroOverpayment> = {
    read: (tenantId, query) => deps.ledger.getOverpayments(tenantId, { page: 1, pageSize, ...query }),
    pageSize,
    id: (credit) => credit.overpaymentID,
    write: (tenantId, items) =>
      apply.applyCustomerCredits(
        tenantId,
        items.map((credit) => ({ kind: 'overpayment', credit })),
      ),
  };
  const prepayments: Polled<XeroPrepayment> = {
    read: (tenantId, query) => deps.ledger.getPrepayments(tenantId, { page: 1, pageSize, ...query }),
    pageSize,
    id: (credit) => credit.prepaymentID,
    write: (tenantId, items) =>
      apply.applyCustomerCredits(
        tenantId,
        items.map((credit) => ({ kind: 'prepayment', credit })),
      ),
  };

  /**
   * Polls one resource of one tenant until it is drained; saves the watermark after every page written.
   *
   * Every page is asked from the watermark the page before saved (keyset paging), not as page n of one listing: Xero
   * lists oldest change first, so a document changed while a page is written (by finance, or by the bridge's own
   * approvals, emails and allocations) moves to the end and the documents after it one place back; page n + 1 of the
   * first listing would start one document late, and the watermark would pass the one it missed. Asked again from the
   * watermark, the listing starts with the documents of its last `skewMs`, already written: the watermark drops them.
   * Where they fill whole pages (a burst of changes within `skewMs`), the next listing starts at the last of those
   * pages, not the first; a page that brings nothing fresh is followed by the next page of the same listing, so a
   * poll always ends, however many documents share one time.
   */
  async function pollResource<T extends { updatedDateUTC?: XeroDate }>(
    tenantId: string,
    resource: PolledResource,
    polled: Polled<T>,
  ): Promise<ResourcePoll> {
    let fresh = 0;
    let writtenCount = 0;
    let watermark = await deps.watermarks.getWatermark(tenantId, resource);
    const sinceOf = (mark: typeof watermark) => (mark ? mark.at - skewMs : deps.clock.now() - lookbackMs);
    /** The version of every document this poll has read: each one written, now or by an earlier poll. */
    const versionsRead = new Map<string, number>();
    let page = 1;
    for (;;) {
      const since = new Date(sinceOf(watermark));
      const result = await polled.read(tenantId, { modifiedSince: since, page, pageSize: polled.pageSize });
      const stamped = result.items.flatMap((item) => {
        const id = polled.id(item);
        const updatedAt = xeroVersion(item.updatedDateUTC);
        return id && updatedAt !== undefined ? [{ id, updatedAt, item }] : [];
      });
      const advanced = advanceWatermark(watermark, stamped);
      const { next } = advanced;
      fresh += advanced.fresh.length;
      stats.documents += advanced.fresh.length;
      deps.log.debug(
        {
          tenantId,
          resource,
          since: since.toISOString(),
          page,
          read: result.items.length,
          fresh: advanced.fresh.length,
          watermarkAt: next?.at,
        },
        'Xero poll page read',
      );
      if (advanced.fresh.length > 0) {
        const written = await polled.write(
          tenantId,
          advanced.fresh.map((f) => f.item),
        );
        if (written.errors.length > 0) {
          // Keep the watermark where it was: the next poll tries these again.
          throw new Error(`Salesforce refused part of ${resource}: ${written.errors.slice(0, 3).join('; ')}`);
        }
        stats.written += written.changed.length;
        writtenCount += written.changed.length;
      }
      if (next && next !== watermark) {
        await deps.watermarks.saveWatermark(tenantId, resource, next);
        watermark = next;
      }
      if (!result.hasMore) break;
      for (const { id, updatedAt } of stamped) versionsRead.set(id, updatedAt);
      if (advanced.fresh.length === 0) page += 1;
      else {
        // Whole pages of documents already written lead the listing from the new watermark: start at the last of
        // them, so documents changed meanwhile (moved to the end) may move the rest up to a page back unmissed.
        const sinceNext = sinceOf(watermark);
        const leading = [...versionsRead.values()].filter((at) => at >= sinceNext).length;
        page = Math.max(1, Math.floor(leading / polled.pageSize));
      }
    }
    return { fresh, written: writtenCount };
  }

  function pollOne(tenantId: string, resource: PolledResource): Promise<ResourcePoll> {
    if (resource === 'CreditNotes') return pollResource(tenantId, resource, creditNotes);
    if (resource === 'Invoices') return pollResource(tenantId, resource, invoices);
    if (resource === 'Payments') return pollResource(tenantId, resource, payments);
    if (resource === 'Overpayments') return pollResource(tenantId, resource, overpayments);
    return pollResource(tenantId, resource, prepayments);
  }

  async function pollTenantNow(tenantId: string, resources: readonly PolledResource[]): Promise<PollOutcome> {
    const outcome: PollOutcome = { polled: new Map(), failed: new Set(), changedInXero: false };
    for (const resource of POLLED_RESOURCES.filter((r) => resources.includes(r))) {
      try {
        const polled = await pollOne(tenantId, resource);
        outcome.polled.set(resource, polled);
        if (polled.written > 0 && (resource === 'Invoices' || resource === 'CreditNotes')) outcome.changedInXero = true;
      } catch (err) {
        outcome.failed.add(resource);
        stats.failures += 1;
        deps.log.warn({ err, tenantId, resource }, 'Xero poll failed; the next poll resumes from the watermark');
      }
    }
    stats.polls += 1;
    stats.lastPollAt = deps.clock.now();
    // Whoever asked for this poll (the tenant's loop, or a lease just taken), a change written means an active
    // resource; on a tenant without webhooks, so do fresh documents, the bridge's own echoed back included (header).
    const echoIsIdle = hasWebhooks(tenantId);
    if (outcome.changedInXero) wake(tenantId, 'soon', WAKES.all);
    else
      wake(
        tenantId,
        'soon',
        [...outcome.polled].flatMap(([resource, { fresh, written }]) =>
          written > 0 || (fresh > 0 && !echoIsIdle) ? [resource] : [],
        ),
      );
    return outcome;
  }

  /** One poll of these resources of one tenant (a poll of that tenant already running is joined, not doubled). */
  function pollTenant(tenantId: string, resources: readonly PolledResource[] = POLLED_RESOURCES): Promise<PollOutcome> {
    let poll = inProgress.get(tenantId);
    if (!poll) {
      poll = pollTenantNow(tenantId, resources).finally(() => inProgress.delete(tenantId));
      inProgress.set(tenantId, poll);
    }
    return poll;
  }

  const listTenants = async () => (await deps.xeroConnections.listXeroTenants()).map((t) => t.tenantId);

  /** One poll of every tenant, side by side: resolves when each has been polled (joining polls already running). */
  async function pollOnce(): Promise<void> {
    await Promise.all((await listTenants()).map((tenantId) => pollTenant(tenantId)));
  }

  /**
   * These resources of the tenant are active: their next wait is the interval again, and their next poll comes `now`
   * (a Xero change, when the resource was backed off: after the webhook's settle time; an active resource's next poll
   * is within the interval anyway) or within the interval (`soon`). A tenant without a loop here (another replica
   * holds its lease, or it is not connected) is left alone.
   */
  function wake(tenantId: string, when: 'now' | 'soon', resources: readonly PolledResource[]): void {
    const pace = paces.get(tenantId.toLowerCase());
    if (!pace || resources.length === 0) return;
    const now = opts.clock.now();
    const before = nextDue(pace);
    for (const resource of resources) {
      const own = pace.resources[resource];
      const due = when === 'now' && own.waitMs > intervalMs ? now + settleMs : now + intervalMs;
      own.active = true;
      own.waitMs = intervalMs;
      own.dueAt = Math.min(own.dueAt, due);
    }
    if (nextDue(pace) < before) pace.interrupt?.abort();
  }

  /** Sleeps until the pace's next due time, waking early when it moves forward; true unless the poller stopped. */
  async function restUntilDue(pace: Pace): Promise<boolean> {
    while (running) {
      const left = nextDue(pace) - opts.clock.now();
      if (left <= 0) return true;
      const interrupt = new AbortController();
      pace.interrupt = interrupt;
      await opts.clock.sleep(left, interrupt.signal); // stop() interrupts it too
      pace.interrupt = undefined;
      // Slept the whole wait (a clock's sleep and its now() need not agree to the millisecond): due.
      if (!interrupt.signal.aborted) return running;
    }
    return false;
  }

  /**
   * Each tenant polls on its own clock: poll its due resources, wait, poll again, for as long as it is connected
   * (and, with replicas, this process holds its lease). A resource's wait is the interval while it is active and
   * doubles, up to the idle cap, while its polls find nothing. A tenant that is paced, paused by a 429 or slow to
   * answer only delays its own next poll, never another tenant's; a resource whose poll failed keeps its wait.
   */
  async function tenantLoop(tenantId: string): Promise<void> {
    const key = tenantId.toLowerCase();
    const pace = newPace(opts.clock.now(), intervalMs);
    paces.set(key, pace);
    try {
      while (running) {
        const due = POLLED_RESOURCES.filter((r) => pace.resources[r].dueAt <= opts.clock.now() + IN_STEP_MS);
        // a wake during the poll sets when each is next due
        for (const resource of due) pace.resources[resource].dueAt = Number.POSITIVE_INFINITY;
        const outcome = await pollTenant(tenantId, due).catch((err: unknown): PollOutcome => {
          deps.log.error({ err, tenantId }, 'Xero poll failed');
          return pollFailed(due);
        });
        if (!running) break;
        const polledAt = opts.clock.now(); // one time for all: resources on the same wait stay in step
        for (const resource of due) {
          const own = pace.resources[resource];
          if (!own.active && !outcome.failed.has(resource))
            own.waitMs = nextIdleWait(own.waitMs, intervalMs, idleMaxMs);
          own.active = false;
          own.dueAt = Math.min(own.dueAt, polledAt + own.waitMs);
        }
        if (!(await restUntilDue(pace))) break;
        if (!running || !(await listTenants().catch(() => [tenantId])).includes(tenantId)) break;
      }
    } finally {
      if (paces.get(key) === pace) paces.delete(key);
    }
  }

  /** Starts a loop for every tenant that has none, and looks again for new tenants every interval. */
  async function run(): Promise<void> {
    while (running) {
      try {
        for (const tenantId of await listTenants()) {
          if (!loops.has(tenantId))
            loops.set(
              tenantId,
              tenantLoop(tenantId).finally(() => loops.delete(tenantId)),
            );
        }
      } catch (err) {
        deps.log.error({ err }, 'Xero poll: could not list the connected tenants');
      }
      if (!running) break;
      await opts.clock.sleep(opts.intervalMs, stopping.signal);
    }
    await Promise.all(loops.values());
  }

  return {
    pollOnce,
    stats,
    /**
     * A webhook of the tenant came (any, the bridge's own echoes included): the tenant has webhooks on. Wakes nothing.
     */
    webhookHeard(tenantId: string): void {
      webhookHeardAt.set(tenantId.toLowerCase(), opts.clock.now());
    },
    /**
     * A webhook's XERO_CHANGE job wrote a change of the tenant to Salesforce: documents changed in Xero (`updated`) or
     * only new ones were mirrored (`created`). Those resources back to the interval, and polled within seconds if they
     * were backed off. Also when the job left an event unread on a guess (of the second its mirror holds: Salesforce
     * keeps seconds), since the poll, which compares fields, settles it. (A webhook came for it: webhooks are on.)
     */
    xeroChanged(tenantId: string, change: 'created' | 'updated' = 'updated'): void {
      webhookHeardAt.set(tenantId.toLowerCase(), opts.clock.now());
      wake(tenantId, 'now', change === 'created' ? WAKES.created : WAKES.all);
    },
    /**
     * The bridge wrote to the tenant (a draft, an approval, a credit note): without webhooks, Invoices back to the
     * interval, where a payment that follows shows first. With them, the write's own webhook and a payment's say more.
     */
    bridgeWrote(tenantId: string): void {
      if (!hasWebhooks(tenantId)) wake(tenantId, 'soon', WAKES.bridgeWrote);
    },
    /**
     * A resource's current wait between polls and when its next poll is due; without a resource, the shortest wait
     * and the next poll of any (undefined: the tenant is not polled here).
     */
    pace(tenantId: string, resource?: PolledResource): { waitMs: number; dueAt: number } | undefined {
      const pace = paces.get(tenantId.toLowerCase());
      if (!pace) return undefined;
      if (resource) return { waitMs: pace.resources[resource].waitMs, dueAt: pace.resources[resource].dueAt };
      return { waitMs: Math.min(...POLLED_RESOURCES.map((r) => pace.resources[r].waitMs)), dueAt: nextDue(pace) };
    },
    start(): void {
      if (running) return;
      running = true;
      stopping = new AbortController();
      loop = run();
    },
    /** Stops polling; waits for the polls in progress to finish. */
    async stop(): Promise<void> {
      running = false;
      stopping.abort();
      for (const pace of paces.values()) pace.interrupt?.abort();
      await loop;
      await Promise.all(inProgress.values());
    },
  };
}

export type XeroPoller = ReturnType<typeof createXeroPoller>;
