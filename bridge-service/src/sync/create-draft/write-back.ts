/**
 * Step 8: every job's outcome written to Salesforce, in two Composite rounds. First the Invoice__c records (an
 * invoice's mirror with Xero's numbers and totals, or a refused job's record with its reason) and the summary
 * reads, queued after them so they see them; then the lines of the invoices Salesforce took, the summary updates
 * and, last, the Sync_Update__e events. Each record travels with the outcome it came from.
 */
import { opportunityServicePeriod } from '../../domain/opportunity-invoice';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import { Invoice } from '../../salesforce/objects';
import type { RecordError, Writeback } from '../../salesforce/writeback';
import type { JobOutcome } from '../handler';
import { noWrites, type ContactLinks, type LinkWrites } from '../services/contact-links';
import { queueInvoiceLines } from '../services/lines';
import type { Summaries } from '../services/summaries';
import { failedDraftRecord, syncErrorChange, waitingDraftRecord } from '../services/sync-errors';
import { publishSyncUpdates, type SyncChange } from '../services/sync-updates';
import { invoiceLineRecords, invoiceRecord, type InvoiceWrite } from '../services/xero-records';
import type { DraftOutcome } from './draft';

export interface WriteBackDeps {
  writeback: Pick<Writeback, 'composite'>;
  contactLinks: Pick<ContactLinks, 'flush'>;
  summaries: Pick<Summaries, 'stage'>;
  clock: Pick<Clock, 'now'>;
  log: Pick<Logger, 'warn'>;
}

type Recorded = Extract<DraftOutcome, { kind: 'invoiced' | 'refused' | 'waiting' }>;

const jobOf = (outcome: Recorded) => (outcome.kind === 'refused' ? outcome.job : outcome.draft.job);

/** Sync_Message__c is long text (32,768), but a person reads the first lines. */
const MAX_MESSAGE = 32_000;

const why = (errors: readonly RecordError[]) => errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ');

function recordOf(outcome: Recorded, now: number): InvoiceWrite {
  if (outcome.kind === 'refused') {
    return failedDraftRecord(outcome.job.payload, outcome.message, now);
  }
  if (outcome.kind === 'waiting') {
    // Account and entity let the review's decision find the drafts it releases.
    return waitingDraftRecord(outcome.draft.job.payload, outcome.message, now, {
      accountId: outcome.draft.account.Id,
      billingEntity: outcome.draft.entity.developerName,
    });
  }
  const { draft, invoice } = outcome;
  const period = draft.billing?.instalment.servicePeriod ?? opportunityServicePeriod(draft.opportunity);
  const record = invoiceRecord(invoice, {
    requestKey: draft.requestKey,
    opportunityId: draft.opportunity.Id,
    accountId: draft.account.Id,
    billingEntity: draft.entity.developerName,
    tenantId: draft.entity.xeroTenantId,
    invoiceType: draft.billing?.invoiceType ?? draft.opportunity.Invoice_Type__c ?? 'New',
    ...(period ? { servicePeriod: period } : {}),
    now,
  });
  // Synced, with what the mapping noted for finance to check before approving (a line billed at its Total Price).
  if (outcome.warnings && outcome.warnings.length > 0)
    record.Sync_Message__c = ['Check before approving:', ...outcome.warnings].join('\n').slice(0, MAX_MESSAGE);
  return record;
}

/** Writes the batch's outcomes to Salesforce; returns what became of each job. */
export async function writeBack(
  deps: WriteBackDeps,
  outcomes: readonly DraftOutcome[],
  existingLines: ReadonlyMap<string, ReadonlyMap<string, string>>,
  links: LinkWrites = noWrites(),
): Promise<Map<number, JobOutcome>> {
  const results = new Map<number, JobOutcome>();
  const now = deps.clock.now();
  const recorded = outcomes.filter((o): o is Recorded => o.kind !== 'settled');
  for (const outcome of outcomes) if (outcome.kind === 'settled') results.set(outcome.job.id, outcome.outcome);
  for (const outcome of recorded) {
    if (outcome.kind === 'invoiced') continue;
    const { requestKey, opportunityId } = jobOf(outcome).payload;
    deps.log.warn({ requestKey, opportunityId, message: outcome.message }, 'draft not created');
  }
  if (recorded.length === 0 && links.links.length + links.reviews.length === 0) return results;
  const entries = recorded.map((outcome) => ({ outcome, record: recordOf(outcome, now) }));
  const invoiced = recorded.filter((o) => o.kind === 'invoiced');

  const first = deps.writeback.composite();
  // Links and reviews the contacts step decided travel with the first round (a review must exist before its drafts
  // are parked waiting for it: if Salesforce refuses it, they try again).
  const linked = deps.contactLinks.flush(links, first);
  const upserted = first.upsert(
    Invoice,
    'Request_Key__c',
    entries.map((e) => e.record),
  );
  // The rep's fields on both pages include the new drafts (invoiced amounts, the one-line status).
  const summaries = deps.summaries.stage(
    {
      opportunities: [...new Set(invoiced.map((o) => o.draft.opportunity.Id))],
      accounts: [...new Set(invoiced.map((o) => o.draft.account.Id))],
    },
    first,
  );
  await first.run();
  const linkProblems = await linked;
  if (linkProblems.length > 0) deps.log.warn({ problems: linkProblems }, 'contact links or reviews not written');
  const reviewsRefused = linkProblems.some((p) => p.startsWith('Contact_Match_Review__c'));
  const written = (await upserted).map((result, index) => ({ ...entries[index]!, result }));

  const second = deps.writeback.composite();
  const mirrored: { outcome: Extract<Recorded, { kind: 'invoiced' }>; id: string }[] = [];
  const changes: SyncChange[] = [];
  for (const { outcome, result } of written) {
    const job = jobOf(outcome);
    if (!result.ok) {
      results.set(job.id, { kind: 'retry', error: `Salesforce refused Invoice__c: ${why(result.errors)}` });
      continue;
    }
    changes.push(
      outcome.kind === 'invoiced'
        ? {
            change: 'STATUS',
            invoiceId: result.id,
            opportunityId: job.payload.opportunityId,
            accountId: outcome.draft.account.Id,
          }
        : syncErrorChange(result.id, job.payload.opportunityId),
    );
    if (outcome.kind === 'invoiced') mirrored.push({ outcome, id: result.id });
    // A waiting draft is parked like a failed one: the review's decision (or Retry) queues it again. Without its
    // review there would be nothing to decide: it tries again.
    else if (outcome.kind === 'waiting' && reviewsRefused)
      results.set(job.id, {
        kind: 'retry',
        error: `${outcome.message} (the review could not be saved: ${linkProblems.join('; ')})`,
      });
    else results.set(job.id, { kind: 'failed', error: outcome.message });
  }
  const lines = queueInvoiceLines(
    second,
    mirrored.map(({ outcome, id }) => {
      const existing = existingLines.get(outcome.draft.requestKey);
      return { lines: invoiceLineRecords(outcome.invoice, id), ...(existing ? { existing } : {}) };
    }),
  );
  await summaries.queueUpdates(second);
  void publishSyncUpdates(second, changes);
  await second.run();

  // A refused line leaves the mirror incomplete: that job tries again (the upserts are idempotent).
  const lineOutcomes = await lines;
  mirrored.forEach(({ outcome, id }, n) => {
    const refusedLines = lineOutcomes[n]!.flatMap((line) => (line.ok ? [] : line.errors));
    results.set(
      outcome.draft.job.id,
      refusedLines.length > 0
        ? { kind: 'retry', error: `Salesforce refused Invoice_Line__c: ${why(refusedLines)}` }
        : { kind: 'done', result: { invoiceRecordId: id, xeroInvoiceId: outcome.invoice.invoiceID } },
    );
  });
  return results;
}
