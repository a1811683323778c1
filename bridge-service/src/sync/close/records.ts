/**
 * A close as Salesforce holds it, turned back into what the domain and Xero take: the approved version's journal
 * lines grouped into journals (keys, dates and narrations from close-journals.ts, so they are the ones proposed), the
 * close's link, and the write-backs. One home for reading a close record; the handlers use these.
 */
import { journalDate, journalKey, journalNarration, type JournalKind } from '../../domain/close-journals';
import { closeVersionKey, journalLineKind } from '../../domain/close-records';
import type { CloseRecordRow, JournalLineRow } from '../../salesforce/close-queries';
import type { SalesforceNames } from '../../salesforce/schema';
import type { ManualJournalToPost } from '../../xero/journal-client';
import { isTransient } from '../../lib/errors';
import { describeError } from '../describe-error';
import type { JobHandler, JobOf, JobOutcome } from '../handler';
import type { JobKind } from '../job-kinds';

/** Posting order: recognition, accrual, its reversal, then adjustments. */
const ORDER: JournalKind[] = ['recognition', 'accrual', 'accrual-reversal', 'adjustment'];

/** The Month_End_Close__c field holding each journal's ManualJournalID. */
export const JOURNAL_ID_FIELD = {
  recognition: 'Xero_Recognition_Journal_Id__c',
  accrual: 'Xero_Accrual_Journal_Id__c',
  'accrual-reversal': 'Xero_Reversal_Journal_Id__c',
} as const satisfies Partial<Record<JournalKind, keyof CloseRecordRow>>;

export interface CloseJournal extends ManualJournalToPost {
  kind: JournalKind;
  /** The Month_End_Journal_Line__c records it is made of. */
  lineIds: string[];
  /** Its ManualJournalID when its lines are already written Posted (a retry after part of the close was posted). */
  postedAs?: string;
}

/** A first close's opening lines not written Posted yet (they are written Posted with the close's first journal). */
export const openingLineIds = (lines: readonly JournalLineRow[]): string[] =>
  lines.filter((l) => journalLineKind(l.Journal_Kind__c) === 'opening' && l.Status__c !== 'Posted').map((l) => l.Id);

export const monthOfClose = (close: Pick<CloseRecordRow, 'Period_Start__c'>): string =>
  String(close.Period_Start__c).slice(0, 7);

/** The close's record page, linked from each journal in Xero. */
export function closeRecordUrl(instanceUrl: string, names: SalesforceNames, closeId: string): string {
  return `${instanceUrl.replace(/\/+$/, '')}/lightning/r/${names.api('Month_End_Close__c')}/${closeId}/view`;
}

/**
 * The approved version's lines as the journals to post, in posting order; an unknown kind is an error. A first
 * close's opening lines are no journal (never posted to Xero): see {@link openingLineIds}.
 */
export function journalsOf(
  close: CloseRecordRow,
  version: number,
  lines: readonly JournalLineRow[],
  url?: string,
): CloseJournal[] {
  const month = monthOfClose(close);
  const entity = String(close.Billing_Entity__c);
  const closeKey = closeVersionKey(close.Id, version);
  const byKind = Map.groupBy(lines, (line) => {
    const kind = journalLineKind(line.Journal_Kind__c);
    if (!kind) throw new Error(`Journal line ${line.Line_Key__c} has no known journal kind (${line.Journal_Kind__c})`);
    return kind;
  });
  return ORDER.filter((kind) => byKind.has(kind)).map((kind) => {
    const rows = byKind.get(kind)!;
    const key = journalKey(closeKey, kind);
    return {
      kind,
      key,
      date: rows[0]!.Journal_Date__c ?? journalDate(month, kind),
      narration: journalNarration(entity, month, kind, key),
      ...(url ? { url } : {}),
      lineIds: rows.map((r) => r.Id),
      postedAs: rows.every((r) => r.Status__c === 'Posted') ? (rows[0]!.Manual_Journal_Id__c ?? undefined) : undefined,
      lines: rows.map((r) => ({
        accountCode: String(r.Account_Code__c),
        description: r.Description__c ?? '',
        amount: Number(r.Amount__c ?? 0).toFixed(2),
        tracking: [
          [r.Tracking_1_Category__c, r.Tracking_1_Option__c],
          [r.Tracking_2_Category__c, r.Tracking_2_Option__c],
        ]
          .filter(([name, option]) => name && option)
          .map(([name, option]) => ({ name: String(name), option: String(option) })),
      })),
    };
  });
}

/**
 * A close job handler that runs its jobs one at a time: a failure a retry can fix is retried, any other is final
 * (`onFailed` may show it where finance looks).
 */
export function oneAtATime<K extends JobKind>(
  batchSize: number,
  run: (job: JobOf<K>) => Promise<JobOutcome>,
  onFailed?: (job: JobOf<K>, error: string) => Promise<void>,
): JobHandler<K> {
  return {
    batchSize,
    async run(jobs) {
      const outcomes = new Map<number, JobOutcome>();
      for (const job of jobs) {
        try {
          outcomes.set(job.id, await run(job));
        } catch (err) {
          const error = describeError(err);
          if (isTransient(err)) {
            outcomes.set(job.id, { kind: 'retry', error });
            continue;
          }
          outcomes.set(job.id, { kind: 'failed', error });
          await onFailed?.(job, error);
        }
      }
      return outcomes;
    },
  };
}
