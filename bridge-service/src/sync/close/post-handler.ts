/**
 * POST_CLOSE: finance approved a close (MonthEndCloseTriggerHandler). The version approved is posted to Xero as
 * approved, exactly once:
 * - a request for a version that is no longer the close's (re-proposed since) is refused, and nothing is posted;
 * - the lock dates and accounts are checked again (they may have moved since the proposal): a locked month or a wrong
 *   account makes the close Refused with the message, and nothing is posted;
 * - each journal's key is the version's request key plus its kind, sent as the Idempotency-Key and carried in the
 *   narration. Before posting, the bridge looks for the journal in its store, then in Xero by that key (a crash after
 *   Xero answered, or a replay past the idempotency window); what it posts it stores before telling Salesforce.
 * - the entity's revenue months of that month (Revenue_Month__c) are set Closed, before the close is written Posted,
 *   so a replay after a crash closes what is left and a posted close always has its month closed. From then on the
 *   revenue side never rewrites the month (deal-plan.ts): a late change's revenue lands in the first open month, and
 *   the next close's cumulative recognition carries it (README "Changes after a close is posted").
 * Then the lines and the close are written Posted with the ManualJournal ids, and the tie-out is queued.
 */
import { checkPeriodOpen, closeAccountProblems, type CloseAccountNeed } from '../../domain/close-rules';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { CloseQueries, CloseRecordRow } from '../../salesforce/close-queries';
import { MonthEndClose, MonthEndJournalLine, RevenueMonth } from '../../salesforce/objects';
import type { SalesforceNames } from '../../salesforce/schema';
import type { Writeback } from '../../salesforce/writeback';
import type { JobRepository, XeroResultRepository } from '../../store/types';
import type { XeroJournalClient } from '../../xero/journal-client';
import { READ_ONLY_HOLD, type JobHandler, type JobOf, type JobOutcome } from '../handler';
import type { JobPayload } from '../job-kinds';
import type { ReferenceData } from '../services/reference-data';
import { closeTieOutKey } from './jobs';
import { closeRecordUrl, JOURNAL_ID_FIELD, journalsOf, monthOfClose, oneAtATime, type CloseJournal } from './records';

export interface PostCloseDeps {
  closeQueries: Pick<CloseQueries, 'closesById' | 'journalLines' | 'openRevenueMonths'>;
  journals: Pick<XeroJournalClient, 'getLockDates' | 'getAccounts' | 'createManualJournal' | 'findManualJournalsByKey'>;
  xeroResults: Pick<XeroResultRepository, 'findXeroResult' | 'recordXeroResult'>;
  writeback: Pick<Writeback, 'update' | 'requireAll' | 'composite'>;
  jobs: Pick<JobRepository, 'enqueueJob'>;
  reference: Pick<ReferenceData, 'settings'>;
  names: SalesforceNames;
  instanceUrl: () => string;
  clock: Pick<Clock, 'now'>;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  wake?: () => void;
}

const POSTED = new Set(['Posted', 'Tied', 'Difference']);

/** The accounts the close's lines use, by the role each plays, for closeAccountProblems. */
function accountNeeds(close: CloseRecordRow, journals: readonly CloseJournal[]): CloseAccountNeed[] {
  const entity = String(close.Billing_Entity__c);
  const deferred = new Set(
    String(close.Deferred_Account_Codes__c ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== ''),
  );
  const accrued = close.Accrued_Account_Code__c ?? undefined;
  const codes = new Set(journals.flatMap((j) => j.lines.map((l) => l.accountCode)));
  return [...codes].map((accountCode) =>
    deferred.has(accountCode)
      ? {
          accountCode,
          role: 'deferred' as const,
          setIn: `Billing Entity ${entity}: Deferred Revenue Account Code (or the product's Xero Deferred Account Code)`,
        }
      : accountCode === accrued
        ? { accountCode, role: 'accrued' as const, setIn: `Billing Entity ${entity}: Accrued Revenue Account Code` }
        : {
            accountCode,
            role: 'revenue' as const,
            setIn: `Billing Entity ${entity}: Account Code (or the product's Xero Account Code)`,
          },
  );
}

export function postCloseHandler(deps: PostCloseDeps): JobHandler<'POST_CLOSE'> {
  const refuse = async (close: CloseRecordRow, message: string): Promise<JobOutcome> => {
    deps.writeback.requireAll(
      MonthEndClose,
      [close.Id],
      await deps.writeback.update(MonthEndClose, [
        {
          Id: close.Id,
          Status__c: 'Refused',
          Sync_Status__c: 'Error',
          Sync_Message__c: message.slice(0, 32_000),
          Last_Synced__c: new Date(deps.clock.now()).toISOString(),
        },
      ]),
    );
    deps.log.warn({ closeId: close.Id, message }, 'month-end close refused');
    return { kind: 'done', result: { refused: message } };
  };

  /** The journal's ManualJournalID: stored, else found in Xero by its key, else posted now; stored either way. */
  async function post(tenantId: string, journal: CloseJournal): Promise<string> {
    const stored = await deps.xeroResults.findXeroResult(journal.key, tenantId, 'manual_journal');
    if (stored) return stored.xeroId;
    const found = (await deps.journals.findManualJournalsByKey(tenantId, journal.key)).find(
      (j) => j.status !== 'VOIDED' && j.status !== 'DELETED',
    );
    const id = found?.manualJournalId ?? (await deps.journals.createManualJournal(tenantId, journal)).manualJournalId;
    await deps.xeroResults.recordXeroResult({ requestKey: journal.key, tenantId, kind: 'manual_journal', xeroId: id });
    return id;
  }

  /**
   * The entity's revenue months of the posted month set Closed, in Composite calls (Collections of 200). Only rows not
   * Closed yet are read, so a replay writes nothing. Returns how many were closed.
   */
  async function closeRevenueMonths(entity: string, month: string): Promise<number> {
    const open = await deps.closeQueries.openRevenueMonths(entity, month);
    if (open.length === 0) return 0;
    const batch = deps.writeback.composite();
    const written = batch.update(
      RevenueMonth,
      open.map((m) => ({ Id: m.Id, Status__c: 'Closed' })),
    );
    await batch.run();
    deps.writeback.requireAll(
      RevenueMonth,
      open.map((m) => m.Month_Key__c ?? m.Id),
      await written,
    );
    return open.length;
  }

  async function run(job: JobOf<'POST_CLOSE'>): Promise<JobOutcome> {
    const { closeId, version } = job.payload.payload;
    const [close] = await deps.closeQueries.closesById([closeId]);
    if (!close) return { kind: 'failed', error: `Month_End_Close__c ${closeId} does not exist` };
    if (close.Version__c !== version) {
      return {
        kind: 'failed',
        error:
          `Version ${version} of ${close.Name} was approved, but the close is now at version ${close.Version__c ?? '?'}: ` +
          'nothing was posted. Approve the current version to post it.',
      };
    }
    if (POSTED.has(String(close.Status__c))) return { kind: 'done', result: { alreadyPosted: true } };
    if (close.Status__c !== 'Approved')
      return {
        kind: 'failed',
        error: `${close.Name} is ${close.Status__c ?? 'without a status'}, not Approved: nothing was posted`,
      };
    const tenantId = String(close.Xero_Tenant_Id__c);
    const entity = String(close.Billing_Entity__c);
    const month = monthOfClose(close);
    const url = closeRecordUrl(deps.instanceUrl(), deps.names, close.Id);
    const journals = journalsOf(close, version, await deps.closeQueries.journalLines(close.Id, version), url);

    const period = checkPeriodOpen(
      entity,
      month,
      await deps.journals.getLockDates(tenantId),
      journals.map((j) => j.date),
    );
    if (!period.open) return refuse(close, period.message);
    const problems = closeAccountProblems(
      entity,
      accountNeeds(close, journals),
      await deps.journals.getAccounts(tenantId),
    );
    if (problems.length > 0) return refuse(close, `Nothing was posted: ${problems.join('; ')}`);

    const ids = new Map<CloseJournal['kind'], string>();
    for (const journal of journals) ids.set(journal.kind, await post(tenantId, journal));
    const monthsClosed = await closeRevenueMonths(entity, month);

    const now = new Date(deps.clock.now()).toISOString();
    const lineUpdates = journals.flatMap((j) =>
      j.lineIds.map((Id) => ({ Id, Status__c: 'Posted', Manual_Journal_Id__c: ids.get(j.kind)! })),
    );
    deps.writeback.requireAll(
      MonthEndJournalLine,
      lineUpdates.map((l) => l.Id),
      await deps.writeback.update(MonthEndJournalLine, lineUpdates),
    );
    const journalIds = Object.fromEntries(
      Object.entries(JOURNAL_ID_FIELD).map(([kind, field]) => [field, ids.get(kind as CloseJournal['kind']) ?? null]),
    );
    deps.writeback.requireAll(
      MonthEndClose,
      [close.Id],
      await deps.writeback.update(MonthEndClose, [
        {
          Id: close.Id,
          ...journalIds,
          Status__c: 'Posted',
          Posted_At__c: now,
          Sync_Status__c: 'Synced',
          Sync_Message__c: null,
          Last_Synced__c: now,
        },
      ]),
    );
    await deps.jobs.enqueueJob<JobPayload<'CLOSE_TIEOUT'>>({
      key: closeTieOutKey(close.Id, version),
      action: 'CLOSE_TIEOUT',
      payload: { closeId: close.Id, version },
      tenantId,
    });
    deps.wake?.();
    deps.log.info({ closeId: close.Id, version, journals: ids.size, monthsClosed }, 'month-end close posted');
    return { kind: 'done', result: { journals: Object.fromEntries(ids), monthsClosed } };
  }

  const posting = oneAtATime<'POST_CLOSE'>(5, run, async (job, error) => {
    // Shown on the close, where finance looks; it stays Approved, and a retry posts what is missing.
    await deps.writeback
      .update(MonthEndClose, [
        {
          Id: job.payload.payload.closeId,
          Sync_Status__c: 'Error',
          Sync_Message__c: `Not posted: ${error}`.slice(0, 32_000),
        },
      ])
      .catch((writeErr: unknown) =>
        deps.log.error({ err: writeErr, jobId: job.id }, 'could not record the failure on the close'),
      );
  });
  return {
    batchSize: posting.batchSize,
    async run(jobs) {
      // Read-only mode: nothing is written to Xero; the jobs wait, uncounted.
      if ((await deps.reference.settings()).readOnly) return new Map(jobs.map((job) => [job.id, READ_ONLY_HOLD]));
      return posting.run(jobs);
    },
  };
}
