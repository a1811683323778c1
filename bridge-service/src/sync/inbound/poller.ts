/**
 * The polling fallback, per connected tenant: CreditNotes, Invoices and Payments changed since the watermark
 * (If-Modified-Since, paged, oldest change first), written back through the same newer-wins path as webhooks.
 * Xero sends no payment webhooks, so this is also how deleted payments reach Salesforce; and it picks up
 * invoices raised directly in Xero for accounts Salesforce knows.
 *
 * The watermark (store/watermark.ts) remembers the newest UpdatedDateUTC processed and every id processed at
 * exactly that time: re-polling from it repeats nothing and equal timestamps never skip a record. Each poll asks
 * from a little before the watermark (`skewMs`), since If-Modified-Since is second-accurate.
 */
import type { Clock } from '../../lib/clock';
import { advanceWatermark } from '../../store/watermarks';
import type { PagedQuery, XeroDate, XeroPage, XeroPayment } from '../../xero/types';
import type { SyncDeps } from '../sync-deps';
import { createInboundApply, xeroVersion, type ApplyResult } from './apply';

export const POLLED_RESOURCES = ['CreditNotes', 'Invoices', 'Payments'] as const;
export type PolledResource = (typeof POLLED_RESOURCES)[number];

export interface PollerOptions {
  intervalMs: number;
  /** How far before the watermark each poll asks from (default 5 s). */
  skewMs?: number;
  /** Where a tenant's first poll starts, before now (default 24 h). */
  initialLookbackMs?: number;
  pageSize?: number;
  clock: Clock;
}

export interface PollStats {
  polls: number;
  documents: number;
  written: number;
  failures: number;
  lastPollAt: number | null;
}

export function createXeroPoller(deps: SyncDeps, opts: PollerOptions) {
  const apply = createInboundApply(deps);
  const skewMs = opts.skewMs ?? 5_000;
  const lookbackMs = opts.initialLookbackMs ?? 24 * 60 * 60_000;
  const pageSize = opts.pageSize ?? 100;
  const stats: PollStats = { polls: 0, documents: 0, written: 0, failures: 0, lastPollAt: null };
  let running = false;
  let loop: Promise<void> | undefined;
  let idle: AbortController | undefined;
  let inProgress: Promise<void> | undefined;

  function read(
    tenantId: string,
    resource: PolledResource,
    query: PagedQuery,
  ): Promise<XeroPage<{ updatedDateUTC?: XeroDate }>> {
    if (resource === 'Invoices') return deps.xero.getInvoicesModifiedSince(tenantId, query);
    if (resource === 'CreditNotes') return deps.xero.getCreditNotes(tenantId, query);
    return deps.xero.getPayments(tenantId, query);
  }

  const idOf = (resource: PolledResource, item: Record<string, unknown>): string =>
    String(
      (resource === 'Invoices' ? item.invoiceID : resource === 'CreditNotes' ? item.creditNoteID : item.paymentID) ??
        '',
    );

  async function write(tenantId: string, resource: PolledResource, items: unknown[]): Promise<ApplyResult> {
    if (resource === 'Invoices') return apply.applyInvoices(tenantId, items as never);
    if (resource === 'CreditNotes') {
      const result = await apply.applyCreditNotes(tenantId, items as never);
      // Allocations changed the allocated invoices too: the Invoices poll that follows sees them, as Xero bumps
      // their UpdatedDateUTC; nothing more to do here.
      return result;
    }
    const paid = await apply.applyPayments(tenantId, items as never);
    // A payment changed its invoice's status and amounts: bring those over now rather than at the next poll.
    const invoiceIds = [
      ...new Set((items as XeroPayment[]).map((p) => p.invoice?.invoiceID).filter((id): id is string => Boolean(id))),
    ];
    if (paid.changed.length === 0 || invoiceIds.length === 0) return paid;
    const invoices = await apply.applyInvoices(tenantId, await deps.xero.getInvoicesByIds(tenantId, invoiceIds));
    return { ...paid, errors: [...paid.errors, ...invoices.errors], changed: [...paid.changed, ...invoices.changed] };
  }

  /** Polls one resource of one tenant until it is drained; saves the watermark after every page written. */
  async function pollResource(tenantId: string, resource: PolledResource): Promise<void> {
    let watermark = await deps.watermarks.getWatermark(tenantId, resource);
    const since = new Date(watermark ? watermark.at - skewMs : deps.clock.now() - lookbackMs);
    for (let page = 1; ; page += 1) {
      const result = await read(tenantId, resource, { modifiedSince: since, page, pageSize });
      const stamped = result.items.flatMap((item) => {
        const id = idOf(resource, item as Record<string, unknown>);
        const updatedAt = xeroVersion(item.updatedDateUTC);
        return id && updatedAt !== undefined ? [{ id, updatedAt, item }] : [];
      });
      const { fresh, next } = advanceWatermark(watermark, stamped);
      stats.documents += fresh.length;
      if (fresh.length > 0) {
        const written = await write(
          tenantId,
          resource,
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

  async function pollAll(): Promise<void> {
    const tenants = await deps.xeroConnections.listXeroTenants();
    for (const tenant of tenants) {
      for (const resource of POLLED_RESOURCES) {
        try {
          await pollResource(tenant.tenantId, resource);
        } catch (err) {
          stats.failures += 1;
          deps.log.warn(
            { err, tenantId: tenant.tenantId, resource },
            'Xero poll failed; the next poll resumes from the watermark',
          );
        }
      }
    }
    stats.polls += 1;
    stats.lastPollAt = deps.clock.now();
  }

  /** One poll of every tenant and resource (a poll already running is joined, not doubled). */
  function pollOnce(): Promise<void> {
    inProgress ??= pollAll().finally(() => {
      inProgress = undefined;
    });
    return inProgress;
  }

  async function run(): Promise<void> {
    while (running) {
      await pollOnce().catch((err: unknown) => deps.log.error({ err }, 'Xero poll failed'));
      if (!running) break;
      idle = new AbortController();
      await opts.clock.sleep(opts.intervalMs, idle.signal);
    }
  }

  return {
    pollOnce,
    stats,
    start(): void {
      if (running) return;
      running = true;
      loop = run();
    },
    /** Stops polling; waits for a poll in progress to finish. */
    async stop(): Promise<void> {
      running = false;
      idle?.abort();
      await loop;
    },
  };
}

export type XeroPoller = ReturnType<typeof createXeroPoller>;
