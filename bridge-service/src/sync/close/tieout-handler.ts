/**
 * CLOSE_TIEOUT: after a close is posted, Xero's Trial Balance at the month end against what the schedules say its
 * deferred and accrued revenue accounts hold (the close's Closing Deferred and Closing Accrued). The close becomes Tied
 * or Difference, with the likely causes from what the bridge finds in Xero: a close journal missing or voided there, a
 * manual journal someone else made in the month on one of the accounts.
 *
 * Several deferred revenue accounts (a product with its own) are compared together: the close holds their total.
 */
import Big from 'big.js';
import { type CloseProposal } from '../../domain/close-journals';
import { tieOutFields } from '../../domain/close-records';
import { journalCandidates, tieOut, type TieOutCandidate } from '../../domain/close-tieout';
import { formatDisplayDate } from '../../domain/dates';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { CloseQueries, CloseRecordRow } from '../../salesforce/close-queries';
import { MonthEndClose } from '../../salesforce/objects';
import type { Writeback } from '../../salesforce/writeback';
import { xeroIsoDate, type XeroJournalClient } from '../../xero/journal-client';
import type { JobHandler, JobOf, JobOutcome } from '../handler';
import { JOURNAL_ID_FIELD, journalsOf, monthOfClose, oneAtATime, type CloseJournal } from './records';

export interface TieOutDeps {
  closeQueries: Pick<CloseQueries, 'closesById' | 'journalLines'>;
  journals: Pick<XeroJournalClient, 'getTrialBalance' | 'findManualJournalsByKey' | 'manualJournalsBetween'>;
  writeback: Pick<Writeback, 'update' | 'requireAll'>;
  clock: Pick<Clock, 'now'>;
  log: Pick<Logger, 'info'>;
}

const codesOf = (close: CloseRecordRow) =>
  String(close.Deferred_Account_Codes__c ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');

const asProposalJournals = (journals: readonly CloseJournal[]): Pick<CloseProposal, 'journals'> => ({
  journals: journals.map((j) => ({
    kind: j.kind,
    key: j.key,
    date: j.date,
    narration: j.narration,
    lines: j.lines.map((l) => ({ ...l, amount: new Big(l.amount) })),
    total: new Big(0),
  })),
});

export function closeTieOutHandler(deps: TieOutDeps): JobHandler<'CLOSE_TIEOUT'> {
  async function run(job: JobOf<'CLOSE_TIEOUT'>): Promise<JobOutcome> {
    const { closeId, version } = job.payload;
    const [close] = await deps.closeQueries.closesById([closeId]);
    if (!close) return { kind: 'failed', error: `Month_End_Close__c ${closeId} does not exist` };
    if (close.Version__c !== version) return { kind: 'done', result: { skipped: 'a newer version of the close' } };
    const tenantId = String(close.Xero_Tenant_Id__c);
    const month = monthOfClose(close);
    const monthEnd = String(close.Period_End__c);
    const deferredCodes = codesOf(close);
    const accrued = String(close.Accrued_Account_Code__c ?? '');
    const raw = await deps.journals.getTrialBalance(tenantId, monthEnd);
    // The deferred revenue accounts as one row (the close holds their total), the accrued revenue account on its own.
    const deferredRow = deferredCodes.join(', ');
    const deferredBalance = raw
      .filter((b) => deferredCodes.includes(b.accountCode))
      .reduce((t, b) => t.plus(b.balance), new Big(0));
    const trialBalance = [
      { accountCode: deferredRow, balance: deferredBalance.toFixed(2) },
      ...raw.filter((b) => b.accountCode === accrued),
    ];

    const journals = journalsOf(close, version, await deps.closeQueries.journalLines(close.Id, version));
    const onRow = (code: string) => (deferredCodes.includes(code) ? deferredRow : code);
    const candidates: TieOutCandidate[] = [];
    for (const journal of journals) {
      const inXero = await deps.journals.findManualJournalsByKey(tenantId, journal.key);
      const posted = inXero.some((j) => j.status === 'POSTED');
      const field = JOURNAL_ID_FIELD[journal.kind as keyof typeof JOURNAL_ID_FIELD];
      if (!posted && (field === undefined || close[field])) {
        const kind = inXero.some((j) => j.status === 'VOIDED') ? 'voided-journal' : 'unposted-journal';
        for (const c of journalCandidates(asProposalJournals([journal]), kind)) {
          // journalCandidates gives what is missing from Xero; the account shows the opposite of the journal line.
          candidates.push({ ...c, accountCode: onRow(c.accountCode) });
        }
      }
    }
    const others = await deps.journals.manualJournalsBetween(tenantId, String(close.Period_Start__c), monthEnd);
    for (const j of others) {
      if (String(j.status) !== 'POSTED' || (j.narration ?? '').includes('[POST_CLOSE:')) continue;
      for (const line of j.journalLines ?? []) {
        const code = line.accountCode ?? '';
        if (!deferredCodes.includes(code) && code !== accrued) continue;
        candidates.push({
          kind: 'manual-journal',
          accountCode: onRow(code),
          amount: Number(line.lineAmount ?? 0).toFixed(2),
          reference: `manual journal '${j.narration ?? ''}' of ${formatDisplayDate(xeroIsoDate(j.date) ?? monthEnd)}`,
        });
      }
    }
    const result = tieOut({
      entity: String(close.Billing_Entity__c),
      month,
      baseCurrency: String(close.Currency_Code__c),
      expected: {
        deferred: [{ accountCode: deferredRow, balance: new Big(close.Closing_Deferred__c ?? 0) }],
        accrued: { accountCode: accrued, balance: new Big(close.Closing_Accrued__c ?? 0) },
      },
      trialBalance,
      candidates,
    });
    const now = new Date(deps.clock.now()).toISOString();
    deps.writeback.requireAll(
      MonthEndClose,
      [close.Id],
      await deps.writeback.update(MonthEndClose, [
        { Id: close.Id, ...tieOutFields(result, now), Sync_Status__c: 'Synced', Last_Synced__c: now },
      ]),
    );
    deps.log.info({ closeId, status: result.status, difference: result.difference.toFixed(2) }, 'month-end tie-out');
    return { kind: 'done', result: { status: result.status, difference: result.difference.toFixed(2) } };
  }

  return oneAtATime<'CLOSE_TIEOUT'>(5, run);
}
