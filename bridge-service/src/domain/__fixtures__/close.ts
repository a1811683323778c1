/** Builders for the month-end close tests (close-*.test.ts): a UK_Ltd (GBP) entity with the seed's accounts. */
import type { CloseLine, PostedBilling } from '../close-ledger';
import type { CloseInput, JournalLine, PostedJournalLine, ProposedJournal } from '../close-journals';
import type { RevenueSegment } from '../revenue';

export const YEAR_2026 = { start: '2026-01-01', end: '2026-12-31' };
export const NORTH = [{ name: 'Region', option: 'North' }];

export function line(lineKey: string, contractKey: string, extra: Partial<CloseLine> = {}): CloseLine {
  return {
    lineKey,
    contractKey,
    currency: 'GBP',
    revenue: [{ method: 'monthly', ...YEAR_2026, amount: '1200.00' }],
    revenueAccount: '200',
    deferredAccount: '835',
    tracking: [],
    label: `Seats (${lineKey})`,
    ...extra,
  };
}

export const segment = (amount: string, start: string, end = start, method: RevenueSegment['method'] = 'monthly') =>
  ({ method, start, end, amount }) as RevenueSegment;

export function billed(
  lineKey: string,
  date: string,
  amount: string,
  extra: Partial<PostedBilling> = {},
): PostedBilling {
  return { lineKey, date, amount, kind: 'invoice', document: `INV-${date}`, accountCode: '835', ...extra };
}

export function closeInput(month: string, extra: Partial<CloseInput> = {}): CloseInput {
  return {
    entity: 'UK_Ltd',
    baseCurrency: 'GBP',
    month,
    closeKey: `CLOSE:UK_Ltd:${month}:v1`,
    accruedAccount: '630',
    lines: [],
    billing: [],
    history: { kind: 'posted', lines: [] },
    ...extra,
  };
}

/** A journal as `account amount` strings (debits positive), for readable assertions. */
export const view = (journal: ProposedJournal | undefined) =>
  journal?.lines.map((l) => `${l.accountCode} ${l.amount.toFixed(2)}`) ?? [];

/** What a close posted, as the history the next close reads: its journals, and a first close's opening lines. */
export function postedOf(
  month: string,
  journals: readonly ProposedJournal[],
  opening: readonly JournalLine[] = [],
): PostedJournalLine[] {
  return [
    ...journals.map((j) => ({ kind: j.kind, lines: j.lines })),
    { kind: 'opening' as const, lines: opening },
  ].flatMap((j) =>
    j.lines.map((l) => ({
      forMonth: month,
      kind: j.kind,
      accountCode: l.accountCode,
      tracking: l.tracking,
      amount: l.amount.toFixed(2),
    })),
  );
}
