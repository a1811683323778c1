/**
 * The polling fallback, per connected tenant: CreditNotes, Invoices, Payments, Overpayments and Prepayments changed
 * since the watermark (If-Modified-Since, paged, oldest change first), written back through the same newer-wins path
 * as webhooks. Xero sends no payment, overpayment or prepayment webhooks, so this is also how deleted payments and
 * customer credit reach Salesforce; and it picks up invoices raised directly in Xero for accounts Salesforce knows.
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
  clock: Clock;
}

export interface PollStats {
  polls: number;
  documents: number;
  written: number;
  failures: number;
  lastPollAt: number | null;
}

export interface PollerDeps {
  xero: Pick<XeroClient, 'getInvoicesModifiedSince' | 'getCreditNotes' | 'getPayments' | 'getInvoicesByIds'>;
  apply: Pick<InboundApply, 'applyInvoices' | 'applyCreditNotes' | 'applyPayments' | 'applyCustomerCredits'>;
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
  id(item: T): string | undefined;
  write(tenantId: string, items: T[]): Promise<ApplyResult>;
}

export function createXeroPoller(deps: PollerDeps, opts: PollerOptions) {
  const { apply } = deps;
  const skewMs = opts.skewMs ?? 5_000;
  const lookbackMs = opts.initialLookbackMs ?? 24 * 60 * 60_000;
  const pageSize = opts.pageSize ?? 100;
  const stats: PollStats = { polls: 0, documents: 0, written: 0, failures: 0, lastPollAt: null };
  let running = false;
  let loop: Promise<void> | undefined;
  let idle: AbortController | undefined;
  let inProgress: Promise<void> | undefined;

  const creditNotes: Polled<XeroCreditNote> = {
    read: (tenantId, query) => deps.xero.getCreditNotes(tenantId, query),
    id: (note) => note.creditNoteID,
    // Allocations changed the allocated invoices too: the Invoices poll that follows sees them, as Xero bumps
    // their UpdatedDateUTC; nothing more to do here.
    write: (tenantId, notes) => apply.applyCreditNotes(tenantId, notes),
  };
  const invoices: Polled<XeroInvoice> = {
    read: (tenantId, query) => deps.xero.getInvoicesModifiedSince(tenantId, query),
    id: (invoice) => invoice.invoiceID,
    write: (tenantId, items) => apply.applyInvoices(tenantId, items),
  };
  const payments: Polled<XeroPayment> = {
    read: (tenantId, query) => deps.xero.getPayments(tenantId, query),
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
    id: (credit) => credit.overpaymentID,
    write: (tenantId, items) =>
      apply.applyCustomerCredits(
        tenantId,
        items.map((credit) => ({ kind: 'overpayment', credit })),
      ),
  };
  const prepayments: Polled<XeroPrepayment> = {
    read: (tenantId, query) => deps.ledger.getPrepayments(tenantId, { page: 1, pageSize, ...query }),
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
      const result = await polled.read(tenantId, { modifiedSince: since, page, pageSize });
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

  async function pollAll(): Promise<void> {
    const tenants = await deps.xeroConnections.listXeroTenants();
    for (const tenant of tenants) {
      for (const resource of POLLED_RESOURCES) {
        try {
          if (resource === 'CreditNotes') await pollResource(tenant.tenantId, resource, creditNotes);
          else if (resource === 'Invoices') await pollResource(tenant.tenantId, resource, invoices);
          else if (resource === 'Payments') await pollResource(tenant.tenantId, resource, payments);
          else if (resource === 'Overpayments') await pollResource(tenant.tenantId, resource, overpayments);
          else await pollResource(tenant.tenantId, resource, prepayments);
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
