/**
 * The polling fallback, each connected tenant on its own loop (one slow or paused tenant never holds up another):
 * CreditNotes, Invoices, Payments, Overpayments and Prepayments changed since the watermark (If-Modified-Since, paged,
 * oldest change first), written back through the same newer-wins path as webhooks. Invoices are listed as summaries
 * (summaryOnly) and read in full only where the mirror is behind, so the bridge's own writes, which every poll sees
 * again, cost a few bytes each and no Salesforce write. Xero sends no payment, overpayment or prepayment webhooks, so
 * this is also how deleted payments and customer credit reach Salesforce; and it picks up invoices raised directly in
 * Xero for accounts Salesforce knows.
 *
 * The watermark (store/watermark.ts) remembers the newest UpdatedDateUTC processed and every id processed at
 * exactly that time: re-polling from it repeats nothing and equal timestamps never skip a record. Each poll asks
 * from a little before the watermark (`skewMs`), since If-Modified-Since is second-accurate.
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

export const POLLED_RESOURCES = ['CreditNotes', 'Invoices', 'Payments', 'Overpayments', 'Prepayments'] as const;
export type PolledResource = (typeof POLLED_RESOURCES)[number];

export interface PollerOptions {
  intervalMs: number;
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
  /** Tenant polls finished (each tenant's CreditNotes, Invoices and Payments once). */
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

export function createXeroPoller(deps: PollerDeps, opts: PollerOptions) {
  const { apply } = deps;
  const skewMs = opts.skewMs ?? 5_000;
  const lookbackMs = opts.initialLookbackMs ?? 24 * 60 * 60_000;
  const pageSize = opts.pageSize ?? 100;
  const summaryPageSize = opts.summaryPageSize ?? 1_000;
  const stats: PollStats = { polls: 0, documents: 0, written: 0, failures: 0, lastPollAt: null };
  let running = false;
  let loop: Promise<void> | undefined;
  let stopping = new AbortController();
  /** The poll running now, per tenant. */
  const inProgress = new Map<string, Promise<void>>();
  /** The polling loop of each tenant. */
  const loops = new Map<string, Promise<void>>();

  const creditNotes: Polled<XeroCreditNote> = {
    read: (tenantId, query) => deps.xero.getCreditNotes(tenantId, query),
    pageSize,
    id: (note) => note.creditNoteID,
    // Allocations changed the allocated invoices too: the Invoices poll that follows sees them, as Xero bumps
    // their UpdatedDateUTC; nothing more to do here.
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

  /** Polls one resource of one tenant until it is drained; saves the watermark after every page written. */
  async function pollResource<T extends { updatedDateUTC?: XeroDate }>(
    tenantId: string,
    resource: PolledResource,
    polled: Polled<T>,
  ): Promise<void> {
    let watermark = await deps.watermarks.getWatermark(tenantId, resource);
    const since = new Date(watermark ? watermark.at - skewMs : deps.clock.now() - lookbackMs);
    for (let page = 1; ; page += 1) {
      const result = await polled.read(tenantId, { modifiedSince: since, page, pageSize: polled.pageSize });
      const stamped = result.items.flatMap((item) => {
        const id = polled.id(item);
        const updatedAt = xeroVersion(item.updatedDateUTC);
        return id && updatedAt !== undefined ? [{ id, updatedAt, item }] : [];
      });
      const { fresh, next } = advanceWatermark(watermark, stamped);
      stats.documents += fresh.length;
      deps.log.debug(
        {
          tenantId,
          resource,
          since: since.toISOString(),
          page,
          read: result.items.length,
          fresh: fresh.length,
          watermarkAt: next?.at,
        },
        'Xero poll page read',
      );
      if (fresh.length > 0) {
        const written = await polled.write(
          tenantId,
          fresh.map((f) => f.item),
        );
        if (written.errors.length > 0) {
          // Keep the watermark where it was: the next poll tries these again.
          throw new Error(`Salesforce refused part of ${resource}: ${written.errors.slice(0, 3).join('; ')}`);
        }
        stats.written += written.changed.length;
      }
      if (next && next !== watermark) {
        await deps.watermarks.saveWatermark(tenantId, resource, next);
        watermark = next;
      }
      if (!result.hasMore) break;
    }
  }

  async function pollTenantNow(tenantId: string): Promise<void> {
    for (const resource of POLLED_RESOURCES) {
      try {
        if (resource === 'CreditNotes') await pollResource(tenantId, resource, creditNotes);
        else if (resource === 'Invoices') await pollResource(tenantId, resource, invoices);
        else if (resource === 'Payments') await pollResource(tenantId, resource, payments);
        else if (resource === 'Overpayments') await pollResource(tenantId, resource, overpayments);
        else await pollResource(tenantId, resource, prepayments);
      } catch (err) {
        stats.failures += 1;
        deps.log.warn({ err, tenantId, resource }, 'Xero poll failed; the next poll resumes from the watermark');
      }
    }
    stats.polls += 1;
    stats.lastPollAt = deps.clock.now();
  }

  /** One poll of one tenant's resources (a poll of that tenant already running is joined, not doubled). */
  function pollTenant(tenantId: string): Promise<void> {
    let poll = inProgress.get(tenantId);
    if (!poll) {
      poll = pollTenantNow(tenantId).finally(() => inProgress.delete(tenantId));
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
   * Each tenant polls on its own clock: poll, wait the interval, poll again, for as long as it is connected (and,
   * with replicas, this process holds its lease). A tenant that is paced, paused by a 429 or slow to answer only
   * delays its own next poll, never another tenant's.
   */
  async function tenantLoop(tenantId: string): Promise<void> {
    while (running) {
      await pollTenant(tenantId).catch((err: unknown) => deps.log.error({ err, tenantId }, 'Xero poll failed'));
      if (!running) break;
      await opts.clock.sleep(opts.intervalMs, stopping.signal);
      if (!running || !(await listTenants().catch(() => [tenantId])).includes(tenantId)) break;
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
      await loop;
      await Promise.all(inProgress.values());
    },
  };
}

export type XeroPoller = ReturnType<typeof createXeroPoller>;
