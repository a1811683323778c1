/**
 * The month-end close's contract with Salesforce: what a POST_CLOSE request carries (MonthEndCloseTriggerHandler's
 * Payload__c, validated with zod at intake), the keys, and the field values of the records the bridge writes from the
 * domain's results (Month_End_Close__c and its Month_End_Journal_Line__c children). API names without the package
 * prefix, as in records.ts; the salesforce/ layer's schema module adds it.
 */
import { z } from 'zod';

import { formatAmount, sum } from './money';
import type { CloseProposal, JournalKind, JournalLine, JournalLineKind, ProposedJournal } from './close-journals';
import type { TieOut } from './close-tieout';
import { addDays } from './dates';
import { firstDayOf, lastDayOf, type MonthKey } from './revenue';

/** Payload__c of a POST_CLOSE request: the close finance approved, and the version it approved. */
export const postClosePayloadSchema = z.object({
  closeId: z.string().min(15).max(18),
  version: z.number().int().positive(),
});
export type PostClosePayload = z.infer<typeof postClosePayloadSchema>;

/** Month_End_Close__c.Close_Key__c: one close per entity and month. */
export const closeRecordKey = (entity: string, month: MonthKey): string => `${entity}:${month}`;

/**
 * The key of a version of a close: the POST_CLOSE request key Salesforce sends when it is approved
 * (`POST_CLOSE:<close id>:<version>`). Each journal's Idempotency-Key is this + `:` + its kind, so a version is posted
 * once however often the request is replayed, and the record id keeps keys unique across orgs.
 */
export const closeVersionKey = (closeId: string, version: number): string => `POST_CLOSE:${closeId}:${version}`;

/** Month_End_Journal_Line__c.Journal_Kind__c of each kind of line (Opening: a first close's, never posted). */
export const JOURNAL_KIND_LABEL: Readonly<Record<JournalLineKind, string>> = {
  recognition: 'Recognition',
  accrual: 'Accrual',
  'accrual-reversal': 'Accrual Reversal',
  adjustment: 'Adjustment',
  opening: 'Opening',
};

const KIND_OF_LABEL = new Map(
  Object.entries(JOURNAL_KIND_LABEL).map(([kind, label]) => [label, kind as JournalLineKind]),
);
/** The kind of a line from its Journal_Kind__c, or undefined for a value the bridge does not know. */
export const journalLineKind = (label: unknown): JournalLineKind | undefined => KIND_OF_LABEL.get(String(label));

export type CloseStatus = 'Proposed' | 'Pending Approval' | 'Approved' | 'Posted' | 'Tied' | 'Difference' | 'Refused';

/** An amount as a Salesforce Number(16, 2) takes it: 2 dp, through its decimal text. */
const amount = (value: { toFixed(dp: number): string }) => Number(value.toFixed(2));
const journalTotal = (proposal: CloseProposal, kind: JournalKind) =>
  Number(proposal.journals.find((j) => j.kind === kind)?.total.toFixed(2) ?? '0');

/** The close header as proposed: version, totals, the schedule balances and where they come from. */
export function closeRecord(
  proposal: CloseProposal,
  context: { xeroTenantId: string; version: number; name?: string },
) {
  const rates = proposal.currencies
    .filter((c) => c.rate !== undefined)
    .map((c) => `${c.currency} ${c.rate} per ${proposal.baseCurrency}`)
    .join('; ');
  return {
    Name: context.name ?? `${proposal.entity} ${proposal.month}`,
    Close_Key__c: closeRecordKey(proposal.entity, proposal.month),
    Billing_Entity__c: proposal.entity,
    Xero_Tenant_Id__c: context.xeroTenantId,
    Period_Start__c: firstDayOf(proposal.month),
    Period_End__c: lastDayOf(proposal.month),
    Currency_Code__c: proposal.baseCurrency,
    Status__c: 'Proposed' satisfies CloseStatus,
    Version__c: context.version,
    Recognition_Total__c: journalTotal(proposal, 'recognition'),
    Accrual_Total__c: journalTotal(proposal, 'accrual'),
    Catch_Up__c: amount(proposal.catchUp),
    Opening_Deferred__c: amount(proposal.rollForward.opening),
    Billed_To_Deferred__c: amount(proposal.rollForward.billedToDeferred),
    Released__c: amount(proposal.rollForward.released),
    Closing_Deferred__c: amount(proposal.rollForward.closing),
    Closing_Accrued__c: amount(proposal.rollForward.accrued),
    Contracts__c: proposal.currencies.reduce((n, c) => n + c.contracts, 0),
    Deferred_Account_Codes__c: proposal.expected.deferred.map((d) => d.accountCode).join(', '),
    Accrued_Account_Code__c: proposal.expected.accrued.accountCode,
    Month_End_Rates__c: rates === '' ? null : rates,
    Currency_Balances__c: JSON.stringify(
      proposal.currencies.map((c) => ({
        currency: c.currency,
        contracts: c.contracts,
        deferredForeign: c.deferredForeign.toFixed(2),
        unbilledForeign: c.unbilledForeign.toFixed(2),
        deferred: c.deferred.toFixed(2),
        unbilled: c.unbilled.toFixed(2),
        ...(c.rate !== undefined ? { rate: c.rate } : {}),
      })),
    ),
    Warnings__c: proposal.warnings.length === 0 ? null : proposal.warnings.join('\n'),
    Sync_Status__c: 'Synced',
  };
}

/**
 * Each proposed journal line as a child record, keyed `<close key>:v<version>:<kind>:<n>`, then a first close's
 * opening lines (kind Opening, dated the day before its month: what was booked by then).
 */
export function journalLineRecords(
  proposal: Pick<CloseProposal, 'entity' | 'month' | 'baseCurrency' | 'journals'> & {
    opening?: readonly JournalLine[];
  },
  version: number,
  journals: readonly Pick<ProposedJournal, 'kind' | 'date' | 'lines'>[] = proposal.journals,
) {
  const opening = {
    kind: 'opening' as const,
    date: addDays(firstDayOf(proposal.month), -1),
    lines: proposal.opening ?? [],
  };
  return [...journals, opening].flatMap((j: { kind: JournalLineKind; date: string; lines: readonly JournalLine[] }) =>
    j.lines.map((line, i) => ({
      Line_Key__c: `${closeRecordKey(proposal.entity, proposal.month)}:v${version}:${j.kind}:${i + 1}`,
      Version__c: version,
      Journal_Kind__c: JOURNAL_KIND_LABEL[j.kind],
      Journal_Date__c: j.date,
      Account_Code__c: line.accountCode,
      Description__c: line.description.slice(0, 255),
      Amount__c: amount(line.amount),
      Tracking_1_Category__c: line.tracking[0]?.name ?? null,
      Tracking_1_Option__c: line.tracking[0]?.option ?? null,
      Tracking_2_Category__c: line.tracking[1]?.name ?? null,
      Tracking_2_Option__c: line.tracking[1]?.option ?? null,
      Currency_Code__c: proposal.baseCurrency,
      Status__c: 'Proposed',
    })),
  );
}

/** The tie-out's fields on the close: Tied or Difference, Xero's balances, the difference and the causes in words. */
export function tieOutFields(result: TieOut, checkedAt: string): Record<string, string | number> {
  const xero = (role: 'deferred' | 'accrued') =>
    amount(sum(result.accounts.filter((a) => a.role === role).map((a) => a.actual)));
  const lines = result.accounts.map(
    (a) =>
      `${a.role === 'deferred' ? 'Deferred' : 'Accrued'} revenue ${a.accountCode}: Xero ${formatAmount(a.actual)}, ` +
      `schedules ${formatAmount(a.expected)}${a.ties ? ', ties' : `, difference ${formatAmount(a.difference)}`}` +
      a.causes.map((c) => `\n  ${c}`).join(''),
  );
  return {
    Status__c: result.status satisfies CloseStatus,
    Xero_Deferred_Balance__c: xero('deferred'),
    Xero_Accrued_Balance__c: xero('accrued'),
    Tie_Out_Difference__c: amount(result.difference),
    Tie_Out_Result__c: [result.summary, ...lines].join('\n'),
    Tied_Out_At__c: checkedAt,
  };
}
