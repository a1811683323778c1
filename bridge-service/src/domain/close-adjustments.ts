/**
 * A change after a month's close was posted (a late credit note, a backdated amendment, a corrected rate): what to
 * post so Xero matches the schedules again, never a second copy of what is already there.
 *
 * Decisions (see README.md in this folder):
 * - Compare the close recomputed today (its history: every other month's posted journals) with what the close posted
 *   (its journals and earlier adjustments), per account and tracking. No difference: nothing to do.
 * - Void and repost when the month is still open in Xero and nothing has relied on its journals yet: not tied out, and
 *   no later month's close posted on top of them. The posted journals are voided first (so Xero never holds two sets
 *   for one month, even for a moment), then the recomputed ones are posted under the new version's keys.
 * - Otherwise a delta: one adjustment journal with the recognition difference, dated the month end, or the last day of
 *   the first open month when the month is locked. It belongs to the month it corrects (the next closes count it), so
 *   it is posted once. An accrual difference is posted (with its reversal) only while the month is open; in a locked
 *   month the accrual has already reversed and the next close accrues afresh, so the difference lands there by itself.
 */
import Big from 'big.js';

import { addDays, formatDisplayDate, type IsoDate } from './dates';
import { money, sum, type Money } from './money';
import type { TrackingSelection } from './invoice-mapping';
import {
  monthLabel,
  type CloseProposal,
  type JournalKind,
  type JournalLine,
  type ProposedJournal,
} from './close-journals';
import { checkPeriodOpen, firstOpenMonth, type LockDates } from './close-rules';
import { lastDayOf, type MonthKey } from './revenue';
import type { Decimal } from './xero-invoice-math';

export interface PostedJournal {
  kind: JournalKind;
  key: string;
  xeroId: string;
  date: IsoDate;
  lines: readonly { accountCode: string; tracking: readonly TrackingSelection[]; amount: Decimal }[];
}

export interface PostedClose {
  entity: string;
  month: MonthKey;
  /** Every journal posted for the month: its close's and any adjustments since. */
  journals: readonly PostedJournal[];
  /** The tie-out after posting was recorded: finance has relied on the month. */
  tiedOut: boolean;
  /** A later month's close has been posted on top of this one. */
  laterClosePosted: boolean;
}

export type AdjustmentPlan =
  | { action: 'none'; reason: string }
  | { action: 'void-and-repost'; reason: string; void: PostedJournal[]; post: ProposedJournal[] }
  | { action: 'delta'; reason: string; post: ProposedJournal[] };

const RECOGNITION_SIDE: readonly JournalKind[] = ['recognition', 'adjustment'];
const keyOf = (accountCode: string, tracking: readonly TrackingSelection[]) =>
  `${accountCode}#${tracking.map((t) => `${t.name.trim().toLowerCase()}=${t.option.trim().toLowerCase()}`).join('|')}`;

/** `proposed − posted` per account and tracking, for the journals of the given kinds (zero lines dropped). */
function difference(
  proposed: readonly ProposedJournal[],
  posted: readonly PostedJournal[],
  kinds: readonly JournalKind[],
): { accountCode: string; tracking: TrackingSelection[]; amount: Money }[] {
  const groups = new Map<string, { accountCode: string; tracking: TrackingSelection[]; amount: Money }>();
  const add = (accountCode: string, tracking: readonly TrackingSelection[], amount: Money) => {
    const key = keyOf(accountCode, tracking);
    const g = groups.get(key) ?? { accountCode, tracking: tracking.map((t) => ({ ...t })), amount: new Big(0) };
    g.amount = g.amount.plus(amount);
    groups.set(key, g);
  };
  for (const j of proposed.filter((j) => kinds.includes(j.kind)))
    for (const l of j.lines) add(l.accountCode, l.tracking, l.amount);
  for (const j of posted.filter((j) => kinds.includes(j.kind)))
    for (const l of j.lines) add(l.accountCode, l.tracking, money(l.amount).times(-1));
  return [...groups.values()]
    .filter((g) => !g.amount.eq(0))
    .sort((a, b) => b.amount.cmp(a.amount) || a.accountCode.localeCompare(b.accountCode));
}

export interface AdjustmentInput {
  posted: PostedClose;
  /** The month's close recomputed now, under the new version's key (its journals are what a repost sends). */
  recomputed: CloseProposal;
  lock: LockDates;
  /** The adjustment's key (derived from the Salesforce request); each journal's is this + its kind. */
  adjustmentKey: string;
  recordUrl?: string;
}

/** What to post after a change to a month already posted. */
export function planAdjustment(input: AdjustmentInput): AdjustmentPlan {
  const { posted, recomputed, lock } = input;
  const month = posted.month;
  const label = monthLabel(month);
  const recognition = difference(recomputed.journals, posted.journals, RECOGNITION_SIDE);
  const accrual = difference(recomputed.journals, posted.journals, ['accrual']);
  if (recognition.length === 0 && accrual.length === 0) {
    return { action: 'none', reason: `The journals posted for ${label} still match the schedules: nothing to post.` };
  }
  const open = checkPeriodOpen(posted.entity, month, lock).open;
  const relied = posted.tiedOut || posted.laterClosePosted;
  if (open && !relied) {
    return {
      action: 'void-and-repost',
      reason:
        `${label} is still open and nothing has relied on its journals yet: they are voided and posted again from the ` +
        `schedules, so Xero holds one set of journals for the month.`,
      void: [...posted.journals],
      post: recomputed.journals,
    };
  }
  const openMonth = open ? month : (firstOpenMonth(lock) as MonthKey);
  const date = lastDayOf(openMonth > month ? openMonth : month);
  const why = open
    ? `${label} has been relied on (${posted.tiedOut ? 'tied out' : 'a later month is closed on top of it'})`
    : `${label} is locked in Xero`;
  const journal = (kind: JournalKind, on: IsoDate, what: string, lines: JournalLine[]): ProposedJournal => {
    const key = `${input.adjustmentKey}:${kind.toUpperCase()}`;
    const j: ProposedJournal = {
      kind,
      key,
      date: on,
      narration: `Ledgerline month-end close, ${posted.entity}, ${label}: ${what} [${key}]`,
      lines,
      total: sum(lines.filter((l) => l.amount.gt(0)).map((l) => l.amount)),
    };
    if (input.recordUrl) j.url = input.recordUrl;
    return j;
  };
  const describe = (text: string) => (g: { accountCode: string; tracking: TrackingSelection[]; amount: Money }) => ({
    ...g,
    description: text,
  });
  const post = [
    journal(
      'adjustment',
      date,
      `adjustment to the ${label} revenue recognition`,
      recognition.map(describe(`Adjustment to ${label} revenue recognition (change after the close was posted)`)),
    ),
  ];
  if (open && accrual.length > 0) {
    const monthEnd = lastDayOf(month);
    const lines = accrual.map(describe(`Adjustment to the unbilled revenue accrued at ${formatDisplayDate(monthEnd)}`));
    post.push(journal('accrual', monthEnd, 'adjustment to the unbilled revenue accrual', lines));
    post.push(
      journal(
        'accrual-reversal',
        addDays(monthEnd, 1),
        'reversal of the accrual adjustment',
        lines.map((l) => ({ ...l, amount: l.amount.times(-1), description: `Reversal: ${l.description}` })),
      ),
    );
  }
  const kept = post.filter((j) => j.lines.length > 0);
  const where =
    date === lastDayOf(month)
      ? `dated ${formatDisplayDate(date)}`
      : `dated ${formatDisplayDate(date)}, the first open month`;
  return {
    action: 'delta',
    reason:
      `${why}: the journals posted for ${label} stay as they are, and the difference is posted as an adjustment ` +
      `${where}.` +
      (!open && accrual.length > 0 ? ' The accrual difference needs no journal: the next close accrues afresh.' : ''),
    post: kept,
  };
}
