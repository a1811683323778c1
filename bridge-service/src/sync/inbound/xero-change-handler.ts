/**
 * XERO_CHANGE: the documents webhooks said changed, fetched in batches (40 ids a call) and written back newer
 * version wins. An invoice whose mirror already holds a version at or after the event's time is not fetched, nor one
 * the bridge made itself whose mirror its flow is still writing (the store's Xero results say which), nor one at the
 * time of an approval or email the bridge just sent (own-writes.ts): the webhooks for the bridge's own drafts,
 * approvals and emails cost no read. Only a job that wrote a change (or left an event to the poll on a guess) wakes the
 * tenant's poller (`onChanged`): echoes wake nothing. A batch groups its events by tenant; one tenant failing does not
 * hold back the others.
 *
 * Changes of one tenant are read at most once per `gatherMs` (default 2 s) on average, up to XERO_CHANGE_BURST at
 * once: events that come when the tenant has no read in hand wait (held, uncounted) and are read together; events
 * that needed no read (the bridge's own changes echoed back) spend nothing. A quiet tenant's change is read at once; a
 * stream of payments (a few a second on a tenant being drained) costs a read every 2 s, not one per payment, which
 * would spend Xero's 60 calls a minute in half a minute and then stall everything of that tenant for the rest of it.
 */
import { isTransient } from '../../lib/errors';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { XeroCreditNote } from '../../xero/types';
import type { XeroClient } from '../../xero/client';
import type { XeroResultRepository } from '../../store/xero-results';
import { eventTime } from '../../server/routes/webhooks';
import { describeError } from '../describe-error';
import { retryOutcome, type JobHandler, type JobOutcome } from '../handler';
import type { JobPayload } from '../job-kinds';
import { latestEvents, type InboundApply, type InvoiceEvent } from './apply';

/** Ids per Xero read (GET Invoices?IDs= and CreditNotes where-clauses stay well inside URL limits). */
export const IDS_PER_XERO_CALL = 40;
/** A tenant's changes are read at most once per this on average. */
export const XERO_CHANGE_GATHER_MS = 2_000;
/**
 * Reads of a tenant's changes that may come at once before they are gathered: a few changes close together (an
 * approval's echoes, a payment after it) are read as they come; a stream is paced.
 */
export const XERO_CHANGE_BURST = 5;
/** How often an event for a bridge-made invoice waits for CREATE_DRAFT to write its mirror. */
const MIRROR_WAITS = 3;
const MIRROR_WAIT_MS = 15_000;

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** What a webhook's change wakes in the tenant's poller (poller.ts `xeroChanged`). */
export type XeroChangeWake = 'created' | 'updated';

/** What a XERO_CHANGE job holds (one webhook event). */
export type XeroChangePayload = JobPayload<'XERO_CHANGE'>;

export interface XeroChangeDeps {
  xero: Pick<XeroClient, 'getInvoicesByIds' | 'getCreditNotes'>;
  apply: Pick<InboundApply, 'applyInvoiceEvents' | 'applyCreditNotes'>;
  /** The invoices the bridge made (CREATE_DRAFT, CREATE_PARTIAL, RAISE_INSTALMENT record them for crash recovery). */
  xeroResults: Pick<XeroResultRepository, 'madeByBridge'>;
  log: Pick<Logger, 'warn'>;
  clock: Pick<Clock, 'now'>;
  /** The shortest time between two reads of one tenant's changes (default XERO_CHANGE_GATHER_MS). */
  gatherMs?: number;
  /**
   * Changes of the tenant were written to Salesforce (a mirror changed): its poller wakes, since a payment changes its
   * invoice and payments, overpayments and prepayments have no webhooks. `created` when every event of the batch was a
   * CREATE (a new document has no payment yet). Echoes of the bridge's own changes write nothing and wake nothing;
   * an event left unread on a guess (`ApplyResult.unsure`) wakes as a change: the poll settles it.
   */
  onChanged?: (tenantId: string, change: XeroChangeWake) => void;
}

/** Credit notes by Xero id (the API has no IDs filter for them: a where-clause of guids, 40 a call). */
export async function getCreditNotesByIds(
  xero: Pick<XeroClient, 'getCreditNotes'>,
  tenantId: string,
  ids: readonly string[],
): Promise<XeroCreditNote[]> {
  const out: XeroCreditNote[] = [];
  const valid = ids.filter((id) => GUID.test(id));
  for (let i = 0; i < valid.length; i += IDS_PER_XERO_CALL) {
    const where = valid
      .slice(i, i + IDS_PER_XERO_CALL)
      .map((id) => `CreditNoteID==Guid("${id}")`)
      .join(' OR ');
    for (let page = 1; ; page += 1) {
      const result = await xero.getCreditNotes(tenantId, { where, page, pageSize: 100 });
      out.push(...result.items);
      if (!result.hasMore) break;
    }
  }
  return out;
}

/**
 * Fetches and writes back what changed in one tenant: the credit notes are read first, then the invoices named by
 * events or by the notes' allocations (read after the notes, so they hold what those credited), and the invoices are
 * written before the notes: a note allocated to an invoice raised in Xero finds its mirror, where written first it
 * would keep no link to it (Invoice__c of the note and its allocations) for good. Returns the Xero invoice ids still
 * waiting for their mirror.
 */
export async function syncTenantChanges(
  deps: Pick<XeroChangeDeps, 'xero' | 'xeroResults'>,
  apply: XeroChangeDeps['apply'],
  tenantId: string,
  ids: {
    invoices: readonly InvoiceEvent[];
    creditNoteIds: readonly string[];
    /** Lower-cased ids of the invoices whose events here were all CREATE. */
    createdOnly?: ReadonlySet<string>;
  },
): Promise<{ awaitingMirror: string[]; errors: string[]; changed: number; unsure: string[] }> {
  const notes = ids.creditNoteIds.length > 0 ? await getCreditNotesByIds(deps.xero, tenantId, ids.creditNoteIds) : [];
  // An allocation changed its invoice at no time the bridge knows: read it whatever the mirror holds.
  const events = latestEvents([
    ...ids.invoices,
    ...allocatedInvoiceIds(notes).map((invoiceId) => ({ invoiceId })),
  ]).filter((e) => GUID.test(e.invoiceId));
  const madeByBridge = await deps.xeroResults.madeByBridge(
    tenantId,
    'invoice',
    events.map((e) => e.invoiceId),
  );
  const written = await apply.applyInvoiceEvents(
    tenantId,
    events,
    (invoiceIds) => deps.xero.getInvoicesByIds(tenantId, invoiceIds),
    madeByBridge,
  );
  const credited = await apply.applyCreditNotes(tenantId, notes);
  return {
    awaitingMirror: [...written.awaitingMirror, ...credited.awaitingMirror],
    errors: [...written.errors, ...credited.errors],
    changed: written.changed.length + credited.changed.length,
    // The creation of a draft the bridge made is its own: an invoice is created once.
    unsure: (written.unsure ?? []).filter(
      (id) => !(madeByBridge.has(id.toLowerCase()) && ids.createdOnly?.has(id.toLowerCase())),
    ),
  };
}

/** The invoices these credit notes are allocated to (customer credit notes only: a bill's is no invoice of ours). */
function allocatedInvoiceIds(notes: readonly XeroCreditNote[]): string[] {
  return notes
    .filter((note) => note.type !== 'ACCPAYCREDIT')
    .flatMap((note) => note.allocations ?? [])
    .flatMap((allocation) => (allocation.invoice?.invoiceID ? [allocation.invoice.invoiceID] : []));
}

export function xeroChangeHandler(deps: XeroChangeDeps): JobHandler<'XERO_CHANGE'> {
  const { apply } = deps;
  const gatherMs = deps.gatherMs ?? XERO_CHANGE_GATHER_MS;
  /**
   * Each tenant's reads as a rate (lower-case tenant id): the time its reads so far would end if spaced `gatherMs`
   * apart. A read may start while that is at most XERO_CHANGE_BURST − 1 spacings ahead of now.
   */
  const paced = new Map<string, number>();
  const holdFor = (tenantId: string, now: number): number =>
    Math.max(0, (paced.get(tenantId) ?? now) - (XERO_CHANGE_BURST - 1) * gatherMs - now);
  return {
    batchSize: 200,
    async run(jobs) {
      const outcomes = new Map<number, JobOutcome>();
      const byTenant = Map.groupBy(
        jobs.map((job) => ({ job, event: job.payload })),
        ({ event }) => event.tenantId.toLowerCase(),
      );
      // Tenants side by side: one that Xero paces, pauses or answers slowly holds up only its own changes.
      const tenantsDone = [...byTenant].map(async ([tenantId, group]) => {
        const now = deps.clock.now();
        const holdMs = holdFor(tenantId, now);
        if (holdMs > 0) {
          for (const { job } of group) {
            outcomes.set(job.id, {
              kind: 'hold',
              reason: `gathered with the tenant's next changes (read at most every ${gatherMs / 1_000} s)`,
              delayMs: holdMs,
            });
          }
          return;
        }
        const invoices = group
          .filter((g) => g.event.eventCategory.toUpperCase() === 'INVOICE')
          .map((g) => ({ invoiceId: g.event.resourceId, at: eventTime(g.event.eventDateUtc) }));
        const idsOf = (category: string) => [
          ...new Set(
            group
              .filter((g) => g.event.eventCategory.toUpperCase() === category)
              .map((g) => g.event.resourceId.toLowerCase()),
          ),
        ];
        try {
          // Only a batch that reads from Xero spends one: events the mirrors already hold (the bridge's own
          // approvals echoed back) cost nothing and hold back nothing.
          let spent = false;
          const spend = () => {
            if (!spent) paced.set(tenantId, Math.max(paced.get(tenantId) ?? now, now) + gatherMs);
            spent = true;
          };
          const reading: XeroChangeDeps['xero'] = {
            getInvoicesByIds: (tenant, ids) => (spend(), deps.xero.getInvoicesByIds(tenant, ids)),
            getCreditNotes: (tenant, query) => (spend(), deps.xero.getCreditNotes(tenant, query)),
          };
          const isCreate = (g: (typeof group)[number]) => g.event.eventType?.toUpperCase() === 'CREATE';
          const updated = new Set(group.filter((g) => !isCreate(g)).map((g) => g.event.resourceId.toLowerCase()));
          const result = await syncTenantChanges({ ...deps, xero: reading }, apply, tenantId, {
            invoices,
            creditNoteIds: idsOf('CREDITNOTE'),
            createdOnly: new Set(idsOf('INVOICE').filter((id) => !updated.has(id))),
          });
          // A change written, or an event left to the poll (which compares fields) on a guess: it may be a payment,
          // whose payment only a poll brings, so every resource is polled within seconds, as for a change.
          if (result.changed > 0 || result.unsure.length > 0)
            deps.onChanged?.(group[0]!.event.tenantId, group.every(isCreate) ? 'created' : 'updated');
          const waiting = new Set(result.awaitingMirror.map((id) => id.toLowerCase()));
          for (const { job, event } of group) {
            if (result.errors.length > 0) {
              outcomes.set(job.id, { kind: 'retry', error: result.errors.slice(0, 3).join('; ') });
            } else if (
              waiting.has(event.resourceId.toLowerCase()) &&
              // CREATE_DRAFT writes the invoice version it created itself; a later change waits for that mirror.
              (event.eventCategory.toUpperCase() !== 'INVOICE' || event.eventType?.toUpperCase() !== 'CREATE') &&
              job.attempts < MIRROR_WAITS
            ) {
              outcomes.set(job.id, {
                kind: 'retry',
                error: 'the invoice has no Salesforce mirror yet',
                delayMs: MIRROR_WAIT_MS,
              });
            } else outcomes.set(job.id, { kind: 'done', result: { changed: result.changed } });
          }
          if (result.errors.length > 0)
            deps.log.warn({ tenantId, errors: result.errors }, 'Xero changes not all written back');
        } catch (err) {
          const message = describeError(err);
          deps.log.warn({ err, tenantId, jobs: group.length }, 'Xero changes not fetched');
          for (const { job } of group) {
            outcomes.set(
              job.id,
              isTransient(err) ? retryOutcome(err, message) : { kind: 'retry', error: message, delayMs: 60_000 },
            );
          }
        }
      });
      await Promise.all(tenantsDone);
      return outcomes;
    },
  };
}
