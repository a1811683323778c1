/**
 * POST_CLOSE: finance approved a close (MonthEndCloseTriggerHandler). The version approved is posted to Xero as
 * approved, exactly once:
 * - a request for a version that is no longer the close's (re-proposed since) is refused, and nothing is posted;
 * - each journal's key is the version's request key plus its kind, sent as the Idempotency-Key and carried in the
 *   narration. First the bridge finds what of the version is in Xero already: lines written Posted, its store, then
 *   Xero by that key (a crash after Xero answered, or a replay past the idempotency window);
 * - for what is still to post, closes must post in month order (close-rules.ts checkCloseOrder: no earlier close that
 *   can still post, none posted after this version was proposed, no later close posted), and the lock dates and
 *   accounts are checked again (they may have moved since the proposal). Any of these makes the close Refused with a
 *   message that says what is in Xero, and it is proposed again the next morning (not when a later close carried
 *   it). A version wholly in Xero is finished whatever changed since: only the bookkeeping was left;
 * - each journal posted is stored, then its lines are written Posted with its ManualJournalID at once (a first
 *   close's Opening lines with the first), so a close refused or failing half way never posts a journal twice: the
 *   next version's history counts what is in Xero. A journal found in Xero whose lines are not Posted yet (the
 *   bridge stopped, or Salesforce refused the write) is written Posted the same way before anything is checked, so a
 *   refusal leaves it counted too; a refused close keeps the ids of its journals in Xero, and so does the next version.
 * - the entity's revenue months of that month (Revenue_Month__c) are set Closed, before the close is written Posted,
 *   so a replay after a crash closes what is left and a posted close always has its month closed. From then on the
 *   revenue side never rewrites the month (deal-plan.ts): a late change's revenue lands in the first open month, and
 *   the next close's cumulative recognition carries it (README "Changes after a close is posted").
 * Then the close is written Posted with the ManualJournal ids, the tie-out is queued, and the entity's next open
 * close (a month that waited for this one) is proposed again at once.
 */
import { entityTimeZone } from '../../domain/billing-entity';
import { closeVersionKey, JOURNAL_KIND_LABEL } from '../../domain/close-records';
import {
  checkCloseOrder,
  checkPeriodOpen,
  closeAccountProblems,
  isPostedClose,
  type CloseAccountNeed,
} from '../../domain/close-rules';
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
import {
  closeRecordUrl,
  JOURNAL_ID_FIELD,
  journalsOf,
  monthOfClose,
  oneAtATime,
  openingLineIds,
  type CloseJournal,
} from './records';
import type { CloseTriggers } from './triggers';

export interface PostCloseDeps {
  closeQueries: Pick<CloseQueries, 'closesById' | 'closesOfEntity' | 'journalLines' | 'openRevenueMonths'>;
  journals: Pick<XeroJournalClient, 'getLockDates' | 'getAccounts' | 'createManualJournal' | 'findManualJournalsByKey'>;
  xeroResults: Pick<XeroResultRepository, 'findXeroResult' | 'recordXeroResult'>;
  writeback: Pick<Writeback, 'update' | 'requireAll' | 'composite'>;
  jobs: Pick<JobRepository, 'enqueueJob'>;
  reference: Pick<ReferenceData, 'settings' | 'entity'>;
  /** A refused close is proposed again the next morning; the close after a posted one at once. */
  closeTriggers: Pick<CloseTriggers, 'recheck' | 'proposeNow'>;
  names: SalesforceNames;
  instanceUrl: () => string;
  clock: Pick<Clock, 'now'>;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  wake?: () => void;
}

const NOTHING_POSTED = 'Nothing was posted.';

/** Journals named for finance: "the Accrual and Accrual Reversal journals". */
const named = (journals: readonly CloseJournal[]): string => {
  const labels = journals.map((j) => JOURNAL_KIND_LABEL[j.kind]);
  const list = labels.length > 1 ? `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}` : labels[0];
  return `the ${list} journal${labels.length > 1 ? 's' : ''}`;
};

/** What of the version is in Xero, in words, for a refusal (what was posted is never posted again). */
function inXeroText(journals: readonly CloseJournal[], ids: ReadonlyMap<CloseJournal['kind'], string>): string {
  const done = journals.filter((j) => ids.has(j.kind));
  if (done.length === 0) return NOTHING_POSTED;
  const pending = journals.filter((j) => !ids.has(j.kind));
  const what = done.map((j) => ids.get(j.kind)).join(', ');
  return (
    `Already in Xero: ${named(done)} (ManualJournalID ${what}). Not posted: ${named(pending)}; the close's next ` +
    'version holds only what is not in Xero.'
  );
}

/**
 * The close's ManualJournalID fields: each journal of this version in Xero (`ids`), else the one an earlier version of
 * the month put there (a version partly posted, then refused: the next holds only what is missing).
 */
function journalIdFields(close: CloseRecordRow, ids: ReadonlyMap<CloseJournal['kind'], string>) {
  return Object.fromEntries(
    Object.entries(JOURNAL_ID_FIELD).map(([kind, field]) => [
      field,
      ids.get(kind as CloseJournal['kind']) ?? close[field] ?? null,
    ]),
  );
}

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
  /**
   * The close Refused with the message and the ids of its journals in Xero (`ids`), and (unless a later close carried
   * it) proposed again the next morning.
   */
  const refuse = async (
    close: CloseRecordRow,
    message: string,
    again: boolean,
    ids: ReadonlyMap<CloseJournal['kind'], string>,
  ): Promise<JobOutcome> => {
    deps.writeback.requireAll(
      MonthEndClose,
      [close.Id],
      await deps.writeback.update(MonthEndClose, [
        {
          Id: close.Id,
          ...journalIdFields(close, ids),
          Status__c: 'Refused',
          Sync_Status__c: 'Error',
          Sync_Message__c: message.slice(0, 32_000),
          Last_Synced__c: new Date(deps.clock.now()).toISOString(),
        },
      ]),
    );
    if (again) {
      const entity = String(close.Billing_Entity__c);
      const zone = entityTimeZone(await deps.reference.entity(entity));
      await deps.closeTriggers.recheck(entity, monthOfClose(close), zone);
    }
    deps.log.warn({ closeId: close.Id, message }, 'month-end close refused');
    return { kind: 'done', result: { refused: message } };
  };

  /** The journal's ManualJournalID if it is in Xero: its lines written Posted, the store, else Xero by its key. */
  async function inXero(tenantId: string, journal: CloseJournal): Promise<string | undefined> {
    if (journal.postedAs) return journal.postedAs;
    const stored = await deps.xeroResults.findXeroResult(journal.key, tenantId, 'manual_journal');
    if (stored) return stored.xeroId;
    const found = (await deps.journals.findManualJournalsByKey(tenantId, journal.key)).find(
      (j) => j.status !== 'VOIDED' && j.status !== 'DELETED',
    );
    if (!found) return undefined;
    await deps.xeroResults.recordXeroResult({
      requestKey: journal.key,
      tenantId,
      kind: 'manual_journal',
      xeroId: found.manualJournalId,
    });
    return found.manualJournalId;
  }

  /** Posts the journal with its key as the Idempotency-Key; stored before Salesforce is told. */
  async function post(tenantId: string, journal: CloseJournal): Promise<string> {
    const id = (await deps.journals.createManualJournal(tenantId, journal)).manualJournalId;
    await deps.xeroResults.recordXeroResult({ requestKey: journal.key, tenantId, kind: 'manual_journal', xeroId: id });
    return id;
  }

  /** A journal's lines written Posted with its ManualJournalID, in one call with `opening` lines (which have none). */
  async function markPosted(lineIds: readonly string[], manualJournalId: string | undefined, opening: string[]) {
    const updates = [
      ...lineIds.map((Id) => ({ Id, Status__c: 'Posted', Manual_Journal_Id__c: manualJournalId })),
      ...opening.map((Id) => ({ Id, Status__c: 'Posted' })),
    ];
    if (updates.length === 0) return;
    deps.writeback.requireAll(
      MonthEndJournalLine,
      updates.map((u) => u.Id),
      await deps.writeback.update(MonthEndJournalLine, updates),
    );
  }

  /**
   * Why what is left of the version may not post (month order, lock dates, accounts), with what is in Xero; or
   * undefined. `again`: whether the close is proposed again (not when a later close carried it).
   */
  async function refusal(
    close: CloseRecordRow,
    journals: readonly CloseJournal[],
    ids: ReadonlyMap<CloseJournal['kind'], string>,
  ): Promise<{ message: string; again: boolean } | undefined> {
    const tenantId = String(close.Xero_Tenant_Id__c);
    const entity = String(close.Billing_Entity__c);
    const month = monthOfClose(close);
    const pending = journals.filter((j) => !ids.has(j.kind));
    const inXeroNow = inXeroText(journals, ids);
    const lock = await deps.journals.getLockDates(tenantId);
    const others = (await deps.closeQueries.closesOfEntity(entity)).filter((c) => c.Id !== close.Id);
    const order = checkCloseOrder(
      entity,
      month,
      others.map((c) => ({
        month: monthOfClose(c),
        status: String(c.Status__c),
        ...(c.Posted_At__c ? { postedAt: String(c.Posted_At__c) } : {}),
      })),
      lock,
      { proposedAt: close.Proposed_At__c ?? undefined, inXero: inXeroNow },
    );
    if (!order.ok)
      return {
        message: order.kind === 'carried' ? `${order.message} ${inXeroNow}` : order.message,
        again: order.kind !== 'carried',
      };
    // Nothing to send (a close of balances only): no lock date or account applies.
    if (pending.length === 0) return undefined;
    const period = checkPeriodOpen(
      entity,
      month,
      lock,
      pending.map((j) => j.date),
      inXeroNow,
    );
    if (!period.open) return { message: period.message, again: true };
    const problems = closeAccountProblems(
      entity,
      accountNeeds(close, pending),
      await deps.journals.getAccounts(tenantId),
    );
    if (problems.length === 0) return undefined;
    const message =
      inXeroNow === NOTHING_POSTED
        ? `Nothing was posted: ${problems.join('; ')}`
        : `${inXeroNow} What stopped the rest: ${problems.join('; ')}`;
    return { message, again: true };
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
    if (isPostedClose(close.Status__c)) return { kind: 'done', result: { alreadyPosted: true } };
    if (close.Status__c !== 'Approved')
      return {
        kind: 'failed',
        error: `${close.Name} is ${close.Status__c ?? 'without a status'}, not Approved: nothing was posted`,
      };
    const tenantId = String(close.Xero_Tenant_Id__c);
    const entity = String(close.Billing_Entity__c);
    const month = monthOfClose(close);
    const url = closeRecordUrl(deps.instanceUrl(), deps.names, close.Id);
    const rows = await deps.closeQueries.journalLines(close.Id, version);
    const journals = journalsOf(close, version, rows, url);

    const ids = new Map<CloseJournal['kind'], string>();
    for (const journal of journals) {
      const id = await inXero(tenantId, journal);
      if (id) ids.set(journal.kind, id);
    }
    // What is in Xero is written Posted before anything else, a refusal included: the next version's history must
    // count it. A first close's opening lines are written Posted with its first journal's lines (or alone, with none).
    const opening = openingLineIds(rows);
    for (const journal of journals) {
      const id = ids.get(journal.kind);
      if (id && !journal.postedAs) await markPosted(journal.lineIds, id, opening.splice(0));
    }
    if (ids.size > 0) await markPosted([], undefined, opening.splice(0));
    // A version wholly in Xero only has its bookkeeping left, whatever changed since; anything else is checked first.
    if (ids.size < journals.length || journals.length === 0) {
      const refused = await refusal(close, journals, ids);
      if (refused) return refuse(close, refused.message, refused.again, ids);
    }

    for (const journal of journals) {
      if (ids.has(journal.kind)) continue;
      const id = await post(tenantId, journal);
      ids.set(journal.kind, id);
      await markPosted(journal.lineIds, id, opening.splice(0));
    }
    await markPosted([], undefined, opening);
    const monthsClosed = await closeRevenueMonths(entity, month);

    const now = new Date(deps.clock.now()).toISOString();
    deps.writeback.requireAll(
      MonthEndClose,
      [close.Id],
      await deps.writeback.update(MonthEndClose, [
        {
          Id: close.Id,
          ...journalIdFields(close, ids),
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
    // The entity's next close, open, counted without this one (it waited, or was proposed while this one was
    // refused): proposed again now, so finance need not wait for the morning.
    const next = (await deps.closeQueries.closesOfEntity(entity))
      .filter((c) => monthOfClose(c) > month && (c.Status__c === 'Proposed' || c.Status__c === 'Refused'))
      .sort((a, b) => monthOfClose(a).localeCompare(monthOfClose(b)))[0];
    if (next) await deps.closeTriggers.proposeNow(entity, monthOfClose(next), closeVersionKey(close.Id, version));
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
