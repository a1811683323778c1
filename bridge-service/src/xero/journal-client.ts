/**
 * The month-end close's Xero calls (issue 16): the chart of accounts and the lock dates a close is checked against,
 * its ManualJournals (posted with an Idempotency-Key, found again by the key its narration ends with), and the Trial
 * Balance the tie-out reads (`accounting.reports.trialbalance.read`; /Journals is premium-only). Same call path as
 * XeroClient (xeroCallOf: scheduler, tokens, deadline, retries).
 */
import {
  LineAmountTypes,
  ManualJournal,
  RowType,
  type Account,
  type ManualJournal as SdkManualJournal,
} from 'xero-node';
import type { LockDates } from '../domain/close-rules';
import type { TrialBalanceBalance } from '../domain/close-tieout';
import { checkKey, type XeroCall } from './calls';
import { xeroCallOf, type XeroClientOptions } from './client';
import { XeroApiError } from './errors';

/** A journal to post: base-currency lines, debits positive, summing to zero. */
export interface ManualJournalToPost {
  /** Its Idempotency-Key; the narration ends with `[key]`. */
  key: string;
  date: string;
  narration: string;
  url?: string;
  lines: { accountCode: string; description: string; amount: string; tracking: { name: string; option: string }[] }[];
}

/** A ManualJournal as the close reads it back. */
export interface PostedManualJournal {
  manualJournalId: string;
  status: string;
  narration: string;
  date?: string;
}

export interface CloseAccount {
  code: string;
  name?: string;
  type?: string;
  status: string;
  systemAccount: string | null;
}

/** A Xero date as YYYY-MM-DD: xero-node gives a Date, an ISO text or Xero's `/Date(ms+0000)/`. */
export function xeroIsoDate(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  const text = String(value);
  const ms = /\/Date\((-?\d+)/.exec(text);
  if (ms) return new Date(Number(ms[1])).toISOString().slice(0, 10);
  return /^\d{4}-\d{2}-\d{2}/.test(text) ? text.slice(0, 10) : new Date(text).toISOString().slice(0, 10);
}

const readJournal = (j: SdkManualJournal): PostedManualJournal => ({
  manualJournalId: String(j.manualJournalID ?? ''),
  status: String(j.status ?? ''),
  narration: j.narration ?? '',
  ...(xeroIsoDate(j.date) ? { date: xeroIsoDate(j.date) } : {}),
});

/** Trial Balance rows: the account's code from "Name (code)", the YTD debit less the YTD credit. */
export function trialBalanceBalances(
  rows: readonly { rowType?: unknown; rows?: { rowType?: unknown; cells?: { value?: string }[] }[] }[],
): TrialBalanceBalance[] {
  return rows
    .flatMap((section) => section.rows ?? [])
    .filter((row) => String(row.rowType) === String(RowType.Row))
    .flatMap((row) => {
      const [account, , , ytdDebit, ytdCredit] = (row.cells ?? []).map((c) => c.value ?? '');
      const code = /\(([^()]+)\)\s*$/.exec(account ?? '')?.[1];
      if (!code) return [];
      const cents = Math.round(Number(ytdDebit || 0) * 100) - Math.round(Number(ytdCredit || 0) * 100);
      return [{ accountCode: code, balance: (cents / 100).toFixed(2) }];
    });
}

export class XeroJournalClient {
  private readonly call: XeroCall;

  constructor(opts: XeroClientOptions) {
    this.call = xeroCallOf(opts);
  }

  /** GET /Accounts: the chart of accounts (every status: an archived account is a problem to name). */
  async getAccounts(tenantId: string): Promise<CloseAccount[]> {
    const body = await this.call(tenantId, 'getAccounts', (api) => api.getAccounts(tenantId));
    return (body.accounts ?? []).flatMap((a: Account) =>
      a.code
        ? [
            {
              code: a.code,
              ...(a.name ? { name: a.name } : {}),
              ...(a.type !== undefined ? { type: String(a.type) } : {}),
              status: a.status === undefined ? 'ACTIVE' : String(a.status),
              systemAccount: a.systemAccount === undefined || a.systemAccount === null ? null : String(a.systemAccount),
            },
          ]
        : [],
    );
  }

  /** The organisation's period and end-of-year lock dates (GET /Organisation). */
  async getLockDates(tenantId: string): Promise<LockDates> {
    const body = await this.call(tenantId, 'getOrganisation', (api) => api.getOrganisations(tenantId));
    const org = body.organisations?.[0];
    if (!org) throw new XeroApiError({ status: 502, body, operation: 'getOrganisation', tenantId });
    const period = xeroIsoDate(org.periodLockDate);
    const endOfYear = xeroIsoDate(org.endOfYearLockDate);
    return { ...(period ? { periodLockDate: period } : {}), ...(endOfYear ? { endOfYearLockDate: endOfYear } : {}) };
  }

  /**
   * PUT /ManualJournals: one journal, POSTED, with its key as the Idempotency-Key. Stated rather than left to Xero's
   * defaults: NoTax (the lines move net amounts between revenue, deferred and accrued revenue; tax was on the
   * invoices), and off cash-basis reports (deferral and accrual exist only on an accrual basis; Xero's default, true,
   * would show them in cash-basis revenue).
   */
  async createManualJournal(tenantId: string, journal: ManualJournalToPost): Promise<PostedManualJournal> {
    checkKey('createManualJournal', journal.key);
    const body = await this.call(tenantId, 'createManualJournals', (api) =>
      api.createManualJournals(
        tenantId,
        {
          manualJournals: [
            {
              narration: journal.narration,
              date: journal.date,
              status: ManualJournal.StatusEnum.POSTED,
              lineAmountTypes: LineAmountTypes.NoTax,
              showOnCashBasisReports: false,
              ...(journal.url ? { url: journal.url } : {}),
              journalLines: journal.lines.map((l) => ({
                lineAmount: Number(l.amount),
                accountCode: l.accountCode,
                description: l.description,
                tracking: l.tracking.map((t) => ({ name: t.name, option: t.option })),
              })),
            },
          ],
        },
        false,
        journal.key,
      ),
    );
    const created = body.manualJournals?.[0];
    const errors = (created?.validationErrors ?? []).map((e) => e.message ?? '').filter((m) => m !== '');
    if (!created?.manualJournalID || errors.length > 0) {
      throw new XeroApiError({
        status: 400,
        body: { Message: errors.join('; ') || 'Xero returned no ManualJournalID' },
        operation: 'createManualJournals',
        tenantId,
      });
    }
    return readJournal(created);
  }

  /** Journals whose narration carries `[key]` (every close journal's narration ends with its key). */
  async findManualJournalsByKey(tenantId: string, key: string): Promise<PostedManualJournal[]> {
    const where = `Narration.Contains("[${key.replace(/"/g, '')}]")`;
    const body = await this.call(tenantId, 'getManualJournals', (api) =>
      api.getManualJournals(tenantId, undefined, where),
    );
    return (body.manualJournals ?? []).map(readJournal).filter((j) => j.narration.includes(`[${key}]`));
  }

  /** ManualJournals dated in [from, to] (the tie-out's candidates: journals someone made in Xero). */
  async manualJournalsBetween(tenantId: string, from: string, to: string): Promise<SdkManualJournal[]> {
    const at = (iso: string) => `DateTime(${iso.replace(/-/g, ', ')})`;
    const where = `Date >= ${at(from)} AND Date <= ${at(to)}`;
    // Xero gives a list's journal lines only when it is paged (100 a page).
    const journals: SdkManualJournal[] = [];
    for (let page = 1; ; page += 1) {
      const body = await this.call(tenantId, 'getManualJournals', (api) =>
        api.getManualJournals(tenantId, undefined, where, 'Date ASC', page),
      );
      journals.push(...(body.manualJournals ?? []));
      if ((body.manualJournals ?? []).length < 100) return journals;
    }
  }

  /** GET /Reports/TrialBalance?date=: each account's year-to-date balance at `date`, debit positive. */
  async getTrialBalance(tenantId: string, date: string): Promise<TrialBalanceBalance[]> {
    const body = await this.call(tenantId, 'getReportTrialBalance', (api) => api.getReportTrialBalance(tenantId, date));
    return trialBalanceBalances(body.reports?.[0]?.rows ?? []);
  }
}
