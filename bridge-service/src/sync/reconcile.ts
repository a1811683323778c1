/**
 * After a gap in the event stream (Salesforce no longer holds the stored replay id), find what the lost events
 * would have asked for and queue it under the same keys the Apex uses, so nothing is done twice. Two kinds of request
 * leave a trace a query finds: a won deal with no invoice (CREATE_DRAFT) and an invoice finance approved that Xero
 * still holds as a draft (AUTHORISE). The others leave none the bridge could act on without a person (below): the
 * gap is logged at error level with its window and those kinds, and counted (ledgerline_event_gaps_total).
 */
import { money } from '../domain/money';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { Queries } from '../salesforce/queries';
import type { BridgeMetrics } from '../server/metrics';
import type { JobRepository, ReplayCursorRepository } from '../store/types';
import type { JobPayload } from './job-kinds';
import type { ReferenceData } from './services/reference-data';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/**
 * Looked back from before the cursor's last save: its time is the store's clock, LastModifiedDate Salesforce's, and
 * an event is stored a moment after it was published.
 */
export const GAP_MARGIN_MS = HOUR_MS;
/** At least this far back: high-volume platform events are kept 72 hours; a little further. */
export const MIN_LOOKBACK_MS = 4 * DAY_MS;
/**
 * At most this far back. Past it, a won deal with no invoice is as likely one finance invoiced by hand while the
 * bridge was away (a draft would be a second invoice) as one the bridge missed: a person decides those.
 */
export const MAX_LOOKBACK_MS = 30 * DAY_MS;

/** InvoiceTriggerHandler.AUTHORISE_VERSION: an invoice is authorised once. */
const AUTHORISE_VERSION = '1';

/**
 * The requests a lost event may have carried that are not queued again, and why: each was a person's action in
 * Salesforce that leaves no state the bridge can tell apart from "not asked" (or one Xero would act on twice), so a
 * person repeats it.
 */
export const NOT_RECONCILED: Readonly<Record<string, string>> = {
  AUTHORISE_CREDIT_NOTE: 'credit notes finance approved (Approved, no Xero id): approve again or press Retry',
  VOID: 'voids asked for: ask again',
  CREDIT: 'credits asked for (no credit note was made): ask again',
  RESYNC: 'Retry pressed on an invoice: press it again',
  ONLINE_LINK: 'online-invoice links asked for: ask again',
  CONTACT_MATCH: "finance's contact match decisions (go-live): decide again",
  CREATE_PARTIAL: 'partial or milestone invoices asked for: ask again',
  UPDATE_DRAFT: 'rejected drafts corrected and sent again: send again',
  POST_CLOSE: 'month-end closes finance approved and not yet posted: approve again',
};

/** A DateTime as the trigger's JSON.serialize writes it (2026-01-15T10:00:00.000Z); the query's form otherwise. */
function asApexJson(value: string | null): string | null {
  const ms = value === null ? Number.NaN : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : value;
}

export interface ReconcileResult {
  /** Where the reconcile looked back to (epoch ms). */
  since: number;
  /** When the cursor was last saved (epoch ms); null when it never was. */
  lastStoredAt: number | null;
  drafts: number;
  approvals: number;
}

export function createReconciler(deps: {
  queries: Pick<Queries, 'wonWithoutInvoice' | 'approvedNotAuthorised'>;
  jobs: Pick<JobRepository, 'enqueueJob'>;
  reference: Pick<ReferenceData, 'settings'>;
  cursors: Pick<ReplayCursorRepository, 'savedAt'>;
  metrics?: Pick<BridgeMetrics, 'recordEventGap'> | undefined;
  clock?: Pick<Clock, 'now'> | undefined;
  log: Pick<Logger, 'error' | 'warn'>;
  onQueued?: () => void;
}) {
  const now = () => (deps.clock ?? Date).now();
  const iso = (ms: number) => new Date(ms).toISOString();

  return {
    /**
     * Queues CREATE_DRAFT for every won Opportunity without an invoice, and AUTHORISE for every approved invoice not
     * yet authorised, changed since the channel's cursor was last saved (less a margin; 4 to 30 days back); returns
     * how many were new.
     */
    async reconcile(channel: string): Promise<ReconcileResult> {
      deps.metrics?.recordEventGap(channel);
      const at = now();
      const lastStoredAt = await deps.cursors.savedAt(channel);
      const wanted = (lastStoredAt ?? at) - GAP_MARGIN_MS;
      const since = Math.max(Math.min(wanted, at - MIN_LOOKBACK_MS), at - MAX_LOOKBACK_MS);
      deps.log.error(
        {
          channel,
          lastStoredAt: lastStoredAt === null ? null : iso(lastStoredAt),
          lookedBackTo: iso(since),
          ...(wanted < since ? { notLookedBefore: iso(since), lookbackCapDays: MAX_LOOKBACK_MS / DAY_MS } : {}),
          notReconciled: NOT_RECONCILED,
        },
        `platform events were lost: Salesforce no longer holds those published since ${
          lastStoredAt === null ? 'the cursor was saved' : iso(lastStoredAt)
        }. Drafts for won deals and invoice approvals changed since ${iso(since)} are queued again; the requests in ` +
          'notReconciled made in that time are not, and need a person' +
          (wanted < since ? `; nothing before ${iso(since)} (${MAX_LOOKBACK_MS / DAY_MS} days) is looked for` : ''),
      );
      const settings = await deps.reference.settings();
      let drafts = 0;
      if (settings.autoDraftOnClose) {
        for (const opportunityId of await deps.queries.wonWithoutInvoice(since)) {
          // The same key rule as OpportunityTriggerHandler: one draft per opportunity, ever.
          const requestKey = `CREATE_DRAFT:${opportunityId}:1`;
          const { created } = await deps.jobs.enqueueJob<JobPayload<'CREATE_DRAFT'>>({
            key: requestKey,
            action: 'CREATE_DRAFT',
            payload: { action: 'CREATE_DRAFT', requestKey, opportunityId },
          });
          if (created) drafts += 1;
        }
      }
      let approvals = 0;
      for (const invoice of await deps.queries.approvedNotAuthorised(since)) {
        // The same key as InvoiceTriggerHandler (an approval its event stored is not queued twice), and what its
        // event carries: the total and Xero version finance approved, as the record holds them (a Xero change after
        // the approval sends the record back to Not Submitted, so it is not found here).
        const requestKey = `AUTHORISE:${invoice.Id}:${AUTHORISE_VERSION}`;
        const { created } = await deps.jobs.enqueueJob<JobPayload<'AUTHORISE'>>({
          key: requestKey,
          action: 'AUTHORISE',
          payload: {
            action: 'AUTHORISE',
            requestKey,
            invoiceId: invoice.Id,
            ...(invoice.Opportunity__c ? { opportunityId: invoice.Opportunity__c } : {}),
            payload: {
              approvedTotal: invoice.Total__c === null ? null : money(String(invoice.Total__c)).toFixed(2),
              xeroUpdated: asApexJson(invoice.Xero_Updated__c),
            },
          },
        });
        if (created) approvals += 1;
      }
      deps.log.warn(
        { channel, lookedBackTo: iso(since), drafts, approvals, notReconciled: Object.keys(NOT_RECONCILED) },
        'reconciled after an event gap: drafts and invoice approvals queued again; the other requests were not',
      );
      if (drafts + approvals > 0) deps.onQueued?.();
      return { since, lastStoredAt, drafts, approvals };
    },
  };
}
