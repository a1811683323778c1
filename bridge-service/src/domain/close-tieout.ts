/**
 * The tie-out after a close: Xero's deferred and accrued revenue balances at the month end (its Trial Balance, which
 * the granular scope `accounting.reports.trialbalance.read` allows; /Journals is premium-only) against the balances the
 * schedules say those accounts hold (close-journals.ts `expected`).
 *
 * Decisions (see README.md in this folder):
 * - Each account ties when Xero's balance equals the expected one to the cent. Deferred revenue is compared as a credit
 *   balance, accrued revenue as a debit balance, each account on its own (they are never netted).
 * - A difference is explained from what the bridge found in Xero that Ledgerline did not post (candidates): a manual
 *   journal someone made in Xero, an invoice line coded to the wrong account, a document raised in Xero outside
 *   Ledgerline, a close journal not posted yet or voided in Xero. One candidate that equals the difference is named as
 *   the likely cause; otherwise, if all the candidates together equal it, all are; otherwise they are listed as
 *   possible causes with what remains unexplained.
 * - Foreign-currency lines: Ledgerline converts each line as amount ÷ CurrencyRate to 2 dp, as Xero is taken to do
 *   (finance.md §6.1–6.2). A residue of at most a cent per foreign line on the account is reported as that: FX
 *   conversion, not an error in the close.
 */
import Big from 'big.js';

import { formatAmount, money, sum, type Money } from './money';
import { monthLabel, type CloseProposal } from './close-journals';
import type { Decimal } from './xero-invoice-math';
import { lastDayOf, type MonthKey } from './revenue';
import { formatDisplayDate } from './dates';

/** An account's balance on Xero's Trial Balance at the month end (YTD columns), debit positive. */
export interface TrialBalanceBalance {
  accountCode: string;
  balance: Decimal;
}

export type CandidateKind =
  'manual-journal' | 'miscoded-line' | 'other-document' | 'unposted-journal' | 'voided-journal';

/** Something in Xero, or missing from it, that moves one of the accounts: what the bridge found. */
export interface TieOutCandidate {
  kind: CandidateKind;
  accountCode: string;
  /** Its effect on the account in base currency, debit positive. */
  amount: Decimal;
  /** How finance finds it: "manual journal 'Year-end adjustment' of 31 Mar 2026", "INV-0042 (Seats)". */
  reference: string;
}

export interface TieOutInput {
  entity: string;
  month: MonthKey;
  baseCurrency: string;
  expected: CloseProposal['expected'];
  trialBalance: readonly TrialBalanceBalance[];
  candidates?: readonly TieOutCandidate[];
  /** Foreign-currency invoice and credit-note lines on each account (the cent-per-line FX allowance). */
  foreignLines?: Readonly<Record<string, number>>;
}

export interface AccountTieOut {
  accountCode: string;
  role: 'deferred' | 'accrued';
  /** Natural balances: a credit for deferred revenue, a debit for accrued revenue. */
  expected: Money;
  actual: Money;
  /** actual − expected. */
  difference: Money;
  ties: boolean;
  causes: string[];
}

export interface TieOut {
  status: 'Tied' | 'Difference';
  accounts: AccountTieOut[];
  /** Sum of the accounts' absolute differences. */
  difference: Money;
  summary: string;
}

const WHAT: Record<CandidateKind, string> = {
  'manual-journal': 'a manual journal made in Xero',
  'miscoded-line': 'an invoice line coded to the wrong account',
  'other-document': 'a document raised in Xero outside Ledgerline',
  'unposted-journal': 'a close journal not posted yet',
  'voided-journal': 'a close journal voided in Xero',
};

function explain(
  account: Omit<AccountTieOut, 'causes' | 'ties'>,
  candidates: readonly TieOutCandidate[],
  foreignLines: number,
  currency: string,
  monthEnd: string,
): string[] {
  const natural = (c: TieOutCandidate) => (account.role === 'deferred' ? money(c.amount).times(-1) : money(c.amount));
  const mine = candidates.filter((c) => c.accountCode === account.accountCode);
  const say = (c: TieOutCandidate) =>
    `${WHAT[c.kind]}: ${c.reference} (${formatAmount(natural(c))} ${currency} on ${account.accountCode})`;
  const single = mine.find((c) => natural(c).eq(account.difference));
  if (single) return [`Likely cause: ${say(single)}`];
  if (mine.length > 1 && sum(mine.map(natural)).eq(account.difference))
    return mine.map((c) => `Likely cause, with the others listed: ${say(c)}`);
  const causes = mine.map((c) => `Possible cause: ${say(c)}`);
  const rest = account.difference.minus(sum(mine.map(natural)));
  if (foreignLines > 0 && rest.abs().lte(new Big('0.01').times(foreignLines))) {
    causes.push(
      `Foreign-currency conversion: ${formatAmount(rest)} ${currency} across ${foreignLines} foreign-currency line(s) on ` +
        `${account.accountCode} is within a cent a line; Xero converted those lines on its own`,
    );
  } else if (!rest.eq(0)) {
    causes.push(
      `Unexplained: ${formatAmount(rest)} ${currency}. Open Xero's Account Transactions report for ${account.accountCode} ` +
        `up to ${monthEnd} and look for entries Ledgerline did not make`,
    );
  }
  return causes;
}

/** Compares Xero's balances with the schedules' for each deferred revenue account and the accrued revenue account. */
export function tieOut(input: TieOutInput): TieOut {
  const balanceOf = (code: string) => money(input.trialBalance.find((b) => b.accountCode === code)?.balance ?? '0');
  const rows = [
    ...input.expected.deferred.map((d) => ({
      accountCode: d.accountCode,
      role: 'deferred' as const,
      expected: d.balance,
    })),
    {
      accountCode: input.expected.accrued.accountCode,
      role: 'accrued' as const,
      expected: input.expected.accrued.balance,
    },
  ];
  const accounts = rows.map((row) => {
    const actual = row.role === 'deferred' ? balanceOf(row.accountCode).times(-1) : balanceOf(row.accountCode);
    const base = { ...row, actual, difference: actual.minus(row.expected) };
    const ties = base.difference.eq(0);
    return {
      ...base,
      ties,
      causes: ties
        ? []
        : explain(
            base,
            input.candidates ?? [],
            input.foreignLines?.[row.accountCode] ?? 0,
            input.baseCurrency,
            formatDisplayDate(lastDayOf(input.month)),
          ),
    };
  });
  const difference = sum(accounts.map((a) => a.difference.abs()));
  const tied = accounts.every((a) => a.ties);
  const label = monthLabel(input.month);
  const summary = tied
    ? `${input.entity} ${label} ties: Xero's deferred and accrued revenue equal the schedules to the cent`
    : `${input.entity} ${label} does not tie: ` +
      accounts
        .filter((a) => !a.ties)
        .map(
          (a) =>
            `${a.role === 'deferred' ? 'deferred' : 'accrued'} revenue ${a.accountCode} is ${formatAmount(a.actual)} in Xero, ` +
            `${formatAmount(a.expected)} by the schedules (${formatAmount(a.difference)} ${input.baseCurrency})`,
        )
        .join('; ');
  return { status: tied ? 'Tied' : 'Difference', accounts, difference, summary };
}

/** A close's journals not in Xero (not posted yet, or voided there) as candidates for its tie-out. */
export function journalCandidates(
  proposal: Pick<CloseProposal, 'journals'>,
  kind: Extract<CandidateKind, 'unposted-journal' | 'voided-journal'>,
): TieOutCandidate[] {
  return proposal.journals.flatMap((j) => {
    const byAccount = new Map<string, Money>();
    for (const l of j.lines) byAccount.set(l.accountCode, (byAccount.get(l.accountCode) ?? new Big(0)).plus(l.amount));
    // Missing from Xero: the account lacks the journal's effect.
    return [...byAccount].map(([accountCode, amount]) => ({
      kind,
      accountCode,
      amount: amount.times(-1).toFixed(2),
      reference: `the ${j.kind} journal of ${formatDisplayDate(j.date)} (${j.key})`,
    }));
  });
}
