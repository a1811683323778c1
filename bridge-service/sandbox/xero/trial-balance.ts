/**
 * GET /Reports/TrialBalance, computed from the ledger (ledger.ts), in the shape of Xero's ReportWithRows.
 *
 * As Xero's help describes the report: two figures per account, the balance for the month of the report date (the 1st
 * to the date) and the year-to-date balance. Revenue and expense accounts count their year to date from the start of the
 * financial year; asset, liability and equity accounts include every earlier year. Earlier years' profit is carried in
 * retained earnings. Accounts with neither figure are left out. Amounts are base currency, `1190.00` (no separators),
 * in Debit or Credit by their sign. Sections: Revenue, Expenses, Assets, Liabilities, Equity, then the totals.
 */
import Big from 'big.js';
import type { Posting } from './ledger';
import type { Tenant } from './store';
import { msDate } from './wire';

const SECTIONS: [string, string][] = [
  ['REVENUE', 'Revenue'],
  ['EXPENSE', 'Expenses'],
  ['ASSET', 'Assets'],
  ['LIABILITY', 'Liabilities'],
  ['EQUITY', 'Equity'],
];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

export interface TrialBalanceRow {
  code: string;
  name: string;
  accountId: string;
  accountClass: string;
  /** Net movement from the 1st of the month to the date (debit positive). */
  month: Big;
  /** Balance at the date: year to date for revenue and expenses, since the beginning for the rest. */
  ytd: Big;
}

const day = (y: number, m: number, d: number): string => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);

/** First day of the financial year that holds `date` (year end given as month and day, e.g. 31 December). */
export function financialYearStart(date: string, endMonth: number, endDay: number): string {
  const year = Number(date.slice(0, 4));
  const endOf = (y: number) => day(y, endMonth, Math.min(endDay, new Date(Date.UTC(y, endMonth, 0)).getUTCDate()));
  const lastEnd = endOf(year) < date ? endOf(year) : endOf(year - 1);
  return new Date(Date.parse(`${lastEnd}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** Each account's month and year-to-date balance at the end of `date`. */
export function trialBalanceRows(tenant: Tenant, postings: readonly Posting[], date: string): TrialBalanceRow[] {
  const org = tenant.org;
  const yearStart = financialYearStart(date, org.financialYearEndMonth, org.financialYearEndDay);
  const monthStart = `${date.slice(0, 7)}-01`;
  const retained = org.accounts.find((a) => a.SystemAccount === 'RETAINEDEARNINGS');
  const rows = new Map<string, TrialBalanceRow>();
  const rowOf = (code: string): TrialBalanceRow => {
    const existing = rows.get(code);
    if (existing) return existing;
    const account = org.accounts.find((a) => a.Code === code);
    if (!account) throw new Error(`a posting names account ${code}, which ${org.name} does not have`);
    const row = {
      code,
      name: account.Name,
      accountId: account.AccountID,
      accountClass: account.Class,
      month: new Big(0),
      ytd: new Big(0),
    };
    rows.set(code, row);
    return row;
  };
  for (const posting of postings) {
    if (posting.date > date) continue;
    const row = rowOf(posting.accountCode);
    const profitAndLoss = row.accountClass === 'REVENUE' || row.accountClass === 'EXPENSE';
    if (profitAndLoss && posting.date < yearStart) {
      if (!retained) throw new Error(`${org.name} has no retained earnings account for earlier years' profit`);
      rowOf(retained.Code).ytd = rowOf(retained.Code).ytd.plus(posting.amount);
      continue;
    }
    row.ytd = row.ytd.plus(posting.amount);
    if (posting.date >= monthStart) row.month = row.month.plus(posting.amount);
  }
  return [...rows.values()].filter((r) => !r.month.eq(0) || !r.ytd.eq(0)).sort((a, b) => a.code.localeCompare(b.code));
}

const debit = (v: Big) => (v.gt(0) ? v.toFixed(2) : '');
const credit = (v: Big) => (v.lt(0) ? v.abs().toFixed(2) : '');

/** `31 March 2026`. */
export function longDay(date: string): string {
  return `${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;
}

/** The report, as GET /Reports/TrialBalance returns it. */
export function trialBalanceReport(tenant: Tenant, postings: readonly Posting[], date: string, now: number) {
  const rows = trialBalanceRows(tenant, postings, date);
  const cell = (value: string, accountId?: string) =>
    accountId ? { Value: value, Attributes: [{ Value: accountId, Id: 'account' }] } : { Value: value };
  const sum = (pick: (r: TrialBalanceRow) => string) => rows.reduce((s, r) => s.plus(pick(r) || '0'), new Big(0));
  const sections = SECTIONS.map(([accountClass, title]) => ({
    RowType: 'Section',
    Title: title,
    Rows: rows
      .filter((r) => r.accountClass === accountClass)
      .map((r) => ({
        RowType: 'Row',
        Cells: [
          cell(`${r.name} (${r.code})`, r.accountId),
          cell(debit(r.month), r.accountId),
          cell(credit(r.month), r.accountId),
          cell(debit(r.ytd), r.accountId),
          cell(credit(r.ytd), r.accountId),
        ],
      })),
  })).filter((section) => section.Rows.length > 0);
  return {
    ReportID: 'TrialBalance',
    ReportName: 'Trial Balance',
    ReportType: 'TrialBalance',
    ReportTitles: ['Trial Balance', tenant.org.name, `As at ${longDay(date)}`],
    ReportDate: longDay(date),
    UpdatedDateUTC: msDate(now),
    Fields: [],
    Rows: [
      {
        RowType: 'Header',
        Cells: ['Account', 'Debit', 'Credit', 'YTD Debit', 'YTD Credit'].map((v) => cell(v)),
      },
      ...sections,
      {
        RowType: 'Section',
        Title: '',
        Rows: [
          {
            RowType: 'SummaryRow',
            Cells: [
              cell('Total'),
              cell(sum((r) => debit(r.month)).toFixed(2)),
              cell(sum((r) => credit(r.month)).toFixed(2)),
              cell(sum((r) => debit(r.ytd)).toFixed(2)),
              cell(sum((r) => credit(r.ytd)).toFixed(2)),
            ],
          },
        ],
      },
    ],
  };
}
