/**
 * From platform event to stored jobs. An event carries one request, or many (a bulk save packs them: one delivery
 * of the org's daily allocation, not one per request). A valid request becomes a job keyed by its Request_Key__c (a
 * replayed event finds its jobs already there and adds nothing); an invalid one is logged with its reason and stored
 * nowhere, and the other requests of its event stand.
 * Only after this resolves does the subscriber save the event's replay id.
 */
import type { Logger } from '../lib/logger';
import type { StreamedEvent } from '../salesforce/event-subscriber';
import { parseInvoiceRequests } from '../salesforce/invoice-request';
import type { SalesforceNames } from '../salesforce/schema';
import { isStopped, type Job, type JobRepository } from '../store/types';
import { jobKindOf } from './job-kinds';

/** Longest text of an event field copied into a log line (a refused event can hold anything). */
const LOGGED_FIELD_CHARS = 120;

function clip(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > LOGGED_FIELD_CHARS ? `${text.slice(0, LOGGED_FIELD_CHARS)}… (${text.length} chars)` : text;
}

/**
 * Who sent a refused event and what it asked for, so ops can find it in Salesforce: its ids and fields, each
 * clipped; the payload only by its length (it is free text).
 */
export function describeRefusedEvent(message: StreamedEvent, names: SalesforceNames): Record<string, unknown> {
  const raw = names.strip(message.payload);
  const fields: Record<string, unknown> =
    typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const payload = fields.Payload__c;
  const described: Record<string, unknown> = {
    replayId: message.event?.replayId,
    eventUuid: clip(message.event?.EventUuid),
    createdById: clip(fields.CreatedById),
    createdDate: clip(fields.CreatedDate),
    action: clip(fields.Action__c),
    requestKey: clip(fields.Request_Key__c),
    opportunityId: clip(fields.Opportunity_Id__c),
    invoiceId: clip(fields.Invoice_Id__c),
    requestedBy: clip(fields.Requested_By__c),
    payloadChars: typeof payload === 'string' ? payload.length : undefined,
    requestsChars: typeof fields.Requests__c === 'string' ? fields.Requests__c.length : undefined,
  };
  return Object.fromEntries(Object.entries(described).filter(([, value]) => value !== undefined));
}

export interface IntakeStats {
  accepted: number;
  /** Requests whose key names a job that had stopped (failed or given up) before they were made: run again. */
  askedAgain: number;
  duplicates: number;
  rejected: number;
}

/**
 * Whether a request whose key is already stored is a new ask, not a replay: its job stopped (failed, or given up)
 * before the request was published. Keys are deterministic (CREDIT:<invoice>:<credit notes + 1>, VOID:<invoice>:1,
 * CREATE_DRAFT:<deal>:1), so a rep who asks again after a failure (a credit the bridge refused, which made no credit
 * note; a void Xero refused) sends the same key; a replayed event was published before its job even existed. The
 * event's CreatedDate is to the second, so only a later second than the job stopped in counts: a request of that same
 * second is taken for a replay (asked again a second later, it runs).
 */
function askedAfterItStopped(job: Pick<Job, 'state' | 'updatedAt'>, publishedAt: number): boolean {
  return (
    isStopped(job) && Number.isFinite(publishedAt) && Math.floor(publishedAt / 1000) > Math.floor(job.updatedAt / 1000)
  );
}

export function createIntake(deps: {
  jobs: Pick<JobRepository, 'enqueueJob' | 'retryJob'>;
  names: SalesforceNames;
  log: Pick<Logger, 'info' | 'debug' | 'warn'>;
  onAccepted?: () => void;
  observeLag?: (seconds: number) => void;
  now?: () => number;
}) {
  const stats: IntakeStats = { accepted: 0, askedAgain: 0, duplicates: 0, rejected: 0 };
  const now = deps.now ?? Date.now;

  async function handle(message: StreamedEvent): Promise<void> {
    const replayId = message.event?.replayId;
    // One request, or the many a bulk save packed into one event: each stands or is refused on its own.
    const results = parseInvoiceRequests(message.payload, deps.names);
    const publishedAt = Date.parse(String(message.payload?.CreatedDate ?? ''));
    if (Number.isFinite(publishedAt) && deps.observeLag && results.some((r) => r.ok))
      deps.observeLag(Math.max(0, (now() - publishedAt) / 1000));
    for (const parsed of results) {
      if (!parsed.ok) {
        stats.rejected += 1;
        deps.log.warn(
          { ...describeRefusedEvent(message, deps.names), reason: parsed.reason },
          'invoice request refused',
        );
        continue;
      }
      const { request } = parsed;
      // The kind of job is decided here, once: handlers never look at the payload to pick their flow.
      const { created: isNew, job } = await deps.jobs.enqueueJob({
        key: request.requestKey,
        action: jobKindOf(request),
        payload: request,
      });
      if (isNew) {
        stats.accepted += 1;
        deps.log.info({ requestKey: request.requestKey, replayId }, 'invoice request queued');
        deps.onAccepted?.();
      } else if (askedAfterItStopped(job, publishedAt) && (await deps.jobs.retryJob(job.id, request))) {
        stats.askedAgain += 1;
        deps.log.info(
          { requestKey: request.requestKey, replayId, stoppedWith: job.lastError },
          'invoice request asked again after its job stopped: queued again',
        );
        deps.onAccepted?.();
      } else {
        stats.duplicates += 1;
        deps.log.debug({ requestKey: request.requestKey, replayId }, 'invoice request already queued');
      }
    }
  }

  return { handle, stats };
}
