/**
 * The month-end close of one billing entity and month: the journals to post to its Xero organisation, the balances
 * they come from, and what its deferred and accrued revenue accounts must hold once they are posted (month-end.md §4).
 *
 * Journals, all in the entity's base currency, lines grouped by account and tracking (close-ledger.ts has the
 * arithmetic and its decisions):
 * - Recognition, dated the month end: Dr deferred revenue, Cr revenue, what the schedules earned out of billing. It is
 *   cumulative: what must have been released by the month end less what earlier closes posted (their recognition and
 *   adjustment journals), so a change that reached a closed month (a late credit note, a backdated amendment) is
 *   caught up here, once, in the open month, and shown as a catch-up.
 * - Accrual, dated the month end: Dr accrued revenue, Cr revenue, the unbilled balance; and its reversal, dated the
 *   first day of the next month, so the invoice that follows is not counted twice.
 * A first close (no earlier close posted) takes earlier months as booked: its recognition is the month's movement
 * only, and its starting point (what the schedules had released before the month) is recorded with it as opening
 * lines, never posted, which later closes count as posted; without them the close after the first would release
 * every earlier month again. A month partly posted (a journal reached Xero, the close was then refused) counts what it
 * posted too: a new version proposes only what is missing.
 * Narrations name the entity, the month and the close's key (the bridge finds a journal by it after a crash); each
 * journal links back to the Salesforce close record (Url).
 */
import Big from 'big.js';

import { formatDisplayDate } from './dates';
import { DomainError } from './errors';
import type { TrackingSelection } from './invoice-mapping';
import { money, sum, type Money } from './money';
import { baseOf, firstDayAfter, ledgerAtMonth, signed, type CloseLine, type PostedBilling } from './close-ledger';
import { lastDayOf, type MonthKey } from './revenue';
import type { Decimal } from './xero-invoice-math';

export type JournalKind = 'recognition' | 'accrual' | 'accrual-reversal' | 'adjustment';
/** A close's line: a journal's, or a first close's opening line (what it took as booked; never sent to Xero). */
export type JournalLineKind = JournalKind | 'opening';

/**
 * A line a close posted (from the close records): recognition, adjustment and opening lines count towards what was
 * released; accrual lines only for their own month (a month partly posted is not accrued twice).
 */
export interface PostedJournalLine {
  /** The month whose close the journal belongs to (not its date: an adjustment may be dated later). */
  forMonth: MonthKey;
  kind: JournalLineKind;
  accountCode: string;
  tracking: readonly TrackingSelection[];
  /** Base currency, debit positive. */
  amount: Decimal;
}

/**
 * What earlier closes posted. `first-close`: the entity's first close in Ledgerline; months before it are taken as
 * booked (the journal is this month's movement only, the starting point is recorded as opening lines, and the
 * tie-out shows any opening difference).
 */
export type CloseHistory = { kind: 'first-close' } | { kind: 'posted'; lines: readonly PostedJournalLine[] };

export interface CloseInput {
  entity: string;
  baseCurrency: string;
  month: MonthKey;
  /** Derived from the Salesforce request; each journal's key (its Idempotency-Key) is this + its kind. */
  closeKey: string;
  accruedAccount: string;
  lines: readonly CloseLine[];
  billing: readonly PostedBilling[];
  /** Month-end rates, foreign units per base unit, for currencies with unbilled revenue. */
  monthEndRates?: Readonly<Record<string, Decimal>>;
  history: CloseHistory;
  /** The Salesforce close record, shown in Xero as "Go to Ledgerline". */
  recordUrl?: string;
}

export interface JournalLine {
  accountCode: string;
  description: string;
  /** Base currency, 2 dp, debit positive. */
  amount: Money;
  tracking: TrackingSelection[];
}

export interface ProposedJournal {
  kind: JournalKind;
  key: string;
  date: string;
  narration: string;
  url?: string;
  lines: JournalLine[];
  /** The journal's debits (= its credits). */
  total: Money;
}

export interface CurrencyBalance {
  currency: string;
  /** Month-end rate used for the accrual (foreign per base), when one was needed. */
  rate?: string;
  contracts: number;
  deferredForeign: Money;
  unbilledForeign: Money;
  deferred: Money;
  unbilled: Money;
}

export interface CloseProposal {
  entity: string;
  month: MonthKey;
  baseCurrency: string;
  closeKey: string;
  /** Journals with something to post, in posting order. */
  journals: ProposedJournal[];
  /**
   * A first close's starting point: what the schedules had released before the month, taken as booked. Recorded with
   * the close and never posted; later closes count it as posted (empty after the first close).
   */
  opening: JournalLine[];
  /** Base currency, credit balance positive for deferred revenue, debit for accrued, once the journals are posted. */
  expected: { deferred: { accountCode: string; balance: Money }[]; accrued: { accountCode: string; balance: Money } };
  /** The deferred-revenue roll-forward in base currency: opening + billed to deferred − released = closing. */
  rollForward: { opening: Money; billedToDeferred: Money; released: Money; closing: Money; accrued: Money };
  /** Of `released`, what corrects months already closed. */
  catchUp: Money;
  currencies: CurrencyBalance[];
  warnings: string[];
}

const MONTH_NAMES = 'January February March April May June July August September October November December'.split(' ');
export const monthLabel = (month: MonthKey): string =>
  `${MONTH_NAMES[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;

const trackingKey = (tracking: readonly TrackingSelection[]) =>
  tracking.map((t) => `${t.name.trim().toLowerCase()}=${t.option.trim().toLowerCase()}`).join('|');

/** Journal lines keyed by account and tracking, summed. */
class Groups {
  readonly map = new Map<string, { accountCode: string; tracking: TrackingSelection[]; amount: Money }>();
  add(accountCode: string, tracking: readonly TrackingSelection[], amount: Money): void {
    const key = `${accountCode}#${trackingKey(tracking)}`;
    const group = this.map.get(key) ?? { accountCode, tracking: tracking.map((t) => ({ ...t })), amount: new Big(0) };
    group.amount = group.amount.plus(amount);
    this.map.set(key, group);
  }
  minus(other: Groups): Groups {
    const out = new Groups();
    for (const g of this.map.values()) out.add(g.accountCode, g.tracking, g.amount);
    for (const g of other.map.values()) out.add(g.accountCode, g.tracking, g.amount.times(-1));
    return out;
  }
  /** Debits first; `mirror` puts credits first (a reversal lists its lines as the journal it reverses). */
  lines(describe: (accountCode: string, amount: Money) => string, mirror = false): JournalLine[] {
    return [...this.map.values()]
      .filter((g) => !g.amount.eq(0))
      .sort(
        (a, b) => (mirror ? a : b).amount.cmp((mirror ? b : a).amount) || a.accountCode.localeCompare(b.accountCode),
      )
      .map((g) => ({ ...g, description: describe(g.accountCode, g.amount) }));
  }
}

/** A journal's key (its Idempotency-Key, the end of its narration): the close version's key and its kind. */
export const journalKey = (closeKey: string, kind: JournalKind): string => `${closeKey}:${kind.toUpperCase()}`;

/** A journal's date: the month end, or for the accrual's reversal the first day of the next month. */
export const journalDate = (month: MonthKey, kind: JournalKind): string =>
  kind === 'accrual-reversal' ? firstDayAfter(month) : lastDayOf(month);

const NARRATED: Record<JournalKind, (monthEnd: string) => string> = {
  recognition: () => 'revenue recognised from deferred revenue',
  accrual: () => 'unbilled revenue accrued',
  'accrual-reversal': (monthEnd) => `reversal of the ${formatDisplayDate(monthEnd)} accrual`,
  adjustment: () => 'adjustment to the posted close',
};

/** What Xero shows for the journal; it ends with `[key]`, by which the bridge finds it again after a crash. */
export function journalNarration(entity: string, month: MonthKey, kind: JournalKind, key: string): string {
  return `Ledgerline month-end close, ${entity}, ${monthLabel(month)}: ${NARRATED[kind](lastDayOf(month))} [${key}]`;
}

const debits = (lines: readonly JournalLine[]) => sum(lines.filter((l) => l.amount.gt(0)).map((l) => l.amount));

/** Proposes the close of `input.month` for one entity. */
export function proposeClose(input: CloseInput): CloseProposal {
  const { month, entity, baseCurrency } = input;
  const revenueAccounts = new Set(input.lines.map((l) => l.revenueAccount));
  const clash = input.lines.find(
    (l) => revenueAccounts.has(l.deferredAccount) || l.deferredAccount === input.accruedAccount,
  );
  if (clash || revenueAccounts.has(input.accruedAccount)) {
    throw new DomainError(
      'INVALID_CLOSE',
      clash
        ? `${clash.label}: its deferred revenue account ${clash.deferredAccount} is also a revenue account or the accrued revenue account; each must be its own account`
        : `The accrued revenue account ${input.accruedAccount} is also a revenue account; each must be its own account`,
    );
  }
  const rates = input.monthEndRates ?? {};
  const ledger = ledgerAtMonth(input.lines, input.billing, month, baseCurrency, (c) => rates[c]);
  const lineStates = ledger.contracts.flatMap((c) => c.lines);

  const target = (released: (lineKey: string, fallback: Money) => Money) => {
    const groups = new Groups();
    for (const s of lineStates) {
      const amount = released(s.line.lineKey, s.released);
      groups.add(s.line.revenueAccount, s.line.tracking, amount.times(-1));
      groups.add(s.line.deferredAccount, s.line.tracking, amount);
    }
    return groups;
  };
  const now = target((_k, released) => released);
  const before = target((key) => ledger.releasedBefore.get(key) ?? new Big(0));
  let posted: Groups;
  let postedBeforeMonth: Groups;
  // This month's accrual and reversal already in Xero (a version partly posted before it was refused).
  const accrualPosted = new Groups();
  const reversalPosted = new Groups();
  if (input.history.kind === 'first-close') {
    posted = before;
    postedBeforeMonth = before;
  } else {
    posted = new Groups();
    postedBeforeMonth = new Groups();
    for (const l of input.history.lines) {
      if (l.forMonth > month) continue;
      if (l.kind === 'accrual' || l.kind === 'accrual-reversal') {
        if (l.forMonth === month)
          (l.kind === 'accrual' ? accrualPosted : reversalPosted).add(l.accountCode, l.tracking, money(l.amount));
        continue;
      }
      posted.add(l.accountCode, l.tracking, money(l.amount));
      // The opening is what the first close took as booked before its own month.
      if (l.forMonth < month || l.kind === 'opening') postedBeforeMonth.add(l.accountCode, l.tracking, money(l.amount));
    }
  }
  const label = monthLabel(month);
  const monthEnd = lastDayOf(month);
  const creditsToRevenue = (groups: Groups) =>
    sum([...groups.map.values()].filter((g) => revenueAccounts.has(g.accountCode)).map((g) => g.amount.times(-1)));
  const recognitionLines = now
    .minus(posted)
    .lines((account, amount) =>
      revenueAccounts.has(account)
        ? amount.lt(0)
          ? `Revenue recognised in ${label}, released from deferred revenue`
          : `Billed ahead of delivery, moved to deferred revenue in ${label}`
        : amount.gt(0)
          ? `Deferred revenue released in ${label}`
          : `Deferred revenue for what is billed but not yet earned, ${label}`,
    );
  const released = creditsToRevenue(now.minus(posted));
  const catchUp = creditsToRevenue(before.minus(postedBeforeMonth));

  const accrual = new Groups();
  const reversal = new Groups();
  for (const s of lineStates) {
    if (s.accrual.eq(0)) continue;
    accrual.add(input.accruedAccount, s.line.tracking, s.accrual);
    accrual.add(s.line.revenueAccount, s.line.tracking, s.accrual.times(-1));
    reversal.add(input.accruedAccount, s.line.tracking, s.accrual.times(-1));
    reversal.add(s.line.revenueAccount, s.line.tracking, s.accrual);
  }
  const accrualLines = accrual
    .minus(accrualPosted)
    .lines((account) =>
      account === input.accruedAccount
        ? `Unbilled revenue accrued at ${formatDisplayDate(monthEnd)}`
        : `Revenue earned in ${label}, not yet invoiced`,
    );
  const reversalLines = reversal
    .minus(reversalPosted)
    .lines(() => `Reversal of the unbilled revenue accrued at ${formatDisplayDate(monthEnd)}`, true);
  const opening =
    input.history.kind === 'first-close'
      ? before.lines((account) =>
          revenueAccounts.has(account)
            ? `Revenue released before ${label}, taken as booked at ${entity}'s first close (not posted)`
            : `Deferred revenue released before ${label}, taken as booked at ${entity}'s first close (not posted)`,
        )
      : [];

  const journal = (kind: JournalKind, lines: JournalLine[]): ProposedJournal => {
    const key = journalKey(input.closeKey, kind);
    const j: ProposedJournal = {
      kind,
      key,
      date: journalDate(month, kind),
      narration: journalNarration(entity, month, kind, key),
      lines,
      total: debits(lines),
    };
    if (input.recordUrl) j.url = input.recordUrl;
    return j;
  };
  const journals = [
    journal('recognition', recognitionLines),
    journal('accrual', accrualLines),
    journal('accrual-reversal', reversalLines),
  ].filter((j) => j.lines.length > 0);

  const deferredByAccount = new Map<string, Money>();
  for (const s of lineStates) {
    const held = s.billedToDeferred.minus(s.released);
    deferredByAccount.set(
      s.line.deferredAccount,
      (deferredByAccount.get(s.line.deferredAccount) ?? new Big(0)).plus(held),
    );
  }
  const closing = sum([...deferredByAccount.values()]);
  const billedToDeferred = sum(
    input.billing
      .filter((b) => b.date.slice(0, 7) === month)
      .filter((b) => input.lines.find((l) => l.lineKey === b.lineKey)?.deferredAccount === b.accountCode)
      .map((b) => signed(b, baseOf(b))),
  );
  const accrued = sum(ledger.contracts.map((c) => c.unbilled));

  const currencies = new Map<string, CurrencyBalance>();
  for (const c of ledger.contracts) {
    const row = currencies.get(c.currency) ?? {
      currency: c.currency,
      contracts: 0,
      deferredForeign: new Big(0),
      unbilledForeign: new Big(0),
      deferred: new Big(0),
      unbilled: new Big(0),
    };
    row.contracts += 1;
    row.deferredForeign = row.deferredForeign.plus(c.deferredForeign);
    row.unbilledForeign = row.unbilledForeign.plus(c.unbilledForeign);
    row.deferred = row.deferred.plus(c.deferred);
    row.unbilled = row.unbilled.plus(c.unbilled);
    if (c.currency !== baseCurrency && c.unbilledForeign.gt(0)) row.rate = String(rates[c.currency]);
    currencies.set(c.currency, row);
  }

  const warnings = input.billing
    .filter((b) => {
      const line = input.lines.find((l) => l.lineKey === b.lineKey);
      return line && b.accountCode !== line.deferredAccount && b.accountCode !== line.revenueAccount;
    })
    .map((b) => {
      const line = input.lines.find((l) => l.lineKey === b.lineKey)!;
      return `${b.document} (${line.label}) posted to ${b.accountCode}, which is neither its revenue account (${line.revenueAccount}) nor its deferred revenue account (${line.deferredAccount}): correct the line's account in Xero`;
    });

  return {
    entity,
    month,
    baseCurrency,
    closeKey: input.closeKey,
    journals,
    opening,
    expected: {
      deferred: [...deferredByAccount].map(([accountCode, balance]) => ({ accountCode, balance })),
      accrued: { accountCode: input.accruedAccount, balance: accrued },
    },
    rollForward: {
      opening: closing.minus(billedToDeferred).plus(released),
      billedToDeferred,
      released,
      closing,
      accrued,
    },
    catchUp,
    currencies: [...currencies.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    warnings,
  };
}
