/**
 * ManualJournals (month-end.md §3): create, update, post, void, and their views.
 *
 * Rules, as Xero states them or as the emulator decides where Xero does not say (README "Decisions"):
 * - A journal is created DRAFT (the default) or POSTED. DRAFT → POSTED or DELETED; POSTED → VOIDED (or edited and
 *   re-posted); VOIDED and DELETED are final. Only POSTED journals reach the ledger (reports).
 * - Lines are in the organisation's base currency (a journal has no currency): LineAmount debits positive, credits
 *   negative, at most 2 decimal places. A POSTED journal's lines each name an account and sum to zero, else Xero's
 *   "The total debits (100.00) must equal total credits (-10.00)". A DRAFT may be unbalanced.
 * - An account code the organisation does not have is removed from the line with Xero's warning ("has been removed
 *   as it does not match a recognised account"), which then stops a post. Archived accounts, and the system accounts
 *   Xero keeps out of manual journals (receivables, payables, wages payable, unrealised currency gains), are refused.
 * - Nothing is posted, edited or voided on or before a lock date (lock-dates.ts). Drafts may be dated anywhere.
 * - Tax on journal lines is not modelled: LineAmountTypes other than NoTax are accepted only with no tax on any line.
 */
import Big from 'big.js';
import { z } from 'zod';
import { resolveTracking, type ElementResult } from './documents';
import { decimal, trackingInput, zodMessage } from './inputs';
import { lockedReason } from './lock-dates';
import type { StoredJournalLine, StoredManualJournal, Tenant, XeroStore } from './store';
import { amount, msDate, parseDay } from './wire';

const text = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);

const journalLineInput = z.looseObject({
  LineAmount: decimal.nullish(),
  AccountCode: text,
  AccountID: text,
  Description: text,
  TaxType: text,
  Tracking: z.array(trackingInput).nullish(),
});

export const manualJournalInput = z.looseObject({
  ManualJournalID: text,
  Narration: text,
  Date: text,
  Status: text,
  LineAmountTypes: text,
  Url: text,
  ShowOnCashBasisReports: z.boolean().nullish(),
  JournalLines: z.array(journalLineInput).nullish(),
});

type Status = StoredManualJournal['status'];
const STATUSES: readonly Status[] = ['DRAFT', 'POSTED', 'VOIDED', 'DELETED'];
const TRANSITIONS: Record<Status, readonly Status[]> = {
  DRAFT: ['DRAFT', 'POSTED', 'DELETED'],
  POSTED: ['POSTED', 'VOIDED'],
  VOIDED: [],
  DELETED: [],
};
/** System accounts Xero keeps out of manual journals ("journal to a secondary account instead"). */
const NOT_JOURNALABLE = new Set(['DEBTORS', 'CREDITORS', 'WAGEPAYABLES', 'UNREALISEDCURRENCYGAIN']);

export interface JournalWrite {
  /** PUT creates only; POST creates or updates. */
  mode: 'create' | 'upsert';
  /** The id from `POST /ManualJournals/{id}`. */
  pathId?: string;
}

function buildLines(
  tenant: Tenant,
  items: z.infer<typeof journalLineInput>[],
  errors: string[],
  warnings: string[],
): StoredJournalLine[] {
  return items.map((item, i) => {
    if (item.LineAmount === undefined || item.LineAmount === null)
      errors.push(`Journal line ${i + 1}: LineAmount is required.`);
    const lineAmount = item.LineAmount ?? new Big(0);
    if (lineAmount.round(2).cmp(lineAmount) !== 0)
      errors.push(`Journal line ${i + 1}: LineAmount ${lineAmount.toString()} has more than 2 decimal places.`);
    const taxType = item.TaxType ?? 'NONE';
    if (taxType !== 'NONE')
      errors.push(`Journal line ${i + 1}: tax on manual journals is not modelled by the emulator.`);
    const account = tenant.org.accounts.find((a) =>
      item.AccountID !== undefined ? a.AccountID === item.AccountID.toLowerCase() : a.Code === item.AccountCode,
    );
    const line: StoredJournalLine = {
      LineAmount: lineAmount,
      TaxType: taxType,
      Tracking: resolveTracking(tenant, item.Tracking ?? [], errors),
    };
    if (item.Description !== undefined) line.Description = item.Description;
    const given = item.AccountCode ?? item.AccountID;
    if (!account) {
      if (given !== undefined)
        warnings.push(`Account code '${given}' has been removed as it does not match a recognised account.`);
      return line;
    }
    if (account.Status !== 'ACTIVE') {
      errors.push(
        `Account code '${account.Code}' has been archived, or deleted. Each line must use an active account.`,
      );
    } else if (account.SystemAccount !== undefined && NOT_JOURNALABLE.has(account.SystemAccount)) {
      errors.push(
        `Account code '${account.Code}' (${account.Name}) is a system account that manual journals cannot use; journal to a secondary account.`,
      );
    }
    line.AccountCode = account.Code;
    line.AccountID = account.AccountID;
    return line;
  });
}

/** Xero's balance rule for a posted journal: every line has an account, debits equal credits. */
function postingErrors(lines: readonly StoredJournalLine[]): string[] {
  const errors: string[] = [];
  if (lines.length < 2) errors.push('A posted journal needs at least two journal lines.');
  if (lines.some((line) => line.AccountCode === undefined)) errors.push('Each journal line must have an account code.');
  const debits = lines.filter((l) => l.LineAmount.gt(0)).reduce((s, l) => s.plus(l.LineAmount), new Big(0));
  const credits = lines.filter((l) => l.LineAmount.lt(0)).reduce((s, l) => s.plus(l.LineAmount), new Big(0));
  if (!debits.plus(credits).eq(0))
    errors.push(`The total debits (${debits.toFixed(2)}) must equal total credits (${credits.toFixed(2)})`);
  return errors;
}

/** Creates or updates one journal; its result is one element of a batch answer. */
export function writeManualJournal(
  store: XeroStore,
  tenantId: string,
  raw: unknown,
  write: JournalWrite,
): ElementResult {
  const tenant = store.tenant(tenantId) as Tenant;
  const parsed = manualJournalInput.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: [zodMessage(parsed.error)] };
  const input = parsed.data;
  const id = (write.pathId ?? input.ManualJournalID)?.toLowerCase();
  const existing = id !== undefined ? tenant.manualJournals.get(id) : undefined;
  if (id !== undefined && !existing) {
    return { ok: false, errors: [`ManualJournalID ${id} does not match a manual journal in this organisation.`] };
  }
  if (existing && write.mode === 'create')
    return { ok: false, errors: ['This manual journal already exists: update it with POST.'] };

  const errors: string[] = [];
  const warnings: string[] = [];
  const status = (input.Status ?? existing?.status ?? 'DRAFT') as Status;
  if (!STATUSES.includes(status))
    return { ok: false, errors: [`Status ${input.Status} is not a manual journal status.`] };
  if (!existing && status !== 'DRAFT' && status !== 'POSTED')
    errors.push('A manual journal is created as DRAFT or POSTED.');
  if (existing && !TRANSITIONS[existing.status].includes(status))
    errors.push(`A ${existing.status} manual journal cannot become ${status}.`);

  const narration = input.Narration ?? existing?.narration;
  if (narration === undefined || narration.trim() === '') errors.push('Narration is mandatory for a manual journal.');
  const date = input.Date !== undefined ? parseDay(input.Date) : (existing?.date ?? store.today());
  if (date === undefined) errors.push(`Date '${input.Date}' is not a date.`);
  const lineAmountTypes = (input.LineAmountTypes ??
    existing?.lineAmountTypes ??
    'NoTax') as StoredManualJournal['lineAmountTypes'];
  if (!['NoTax', 'Exclusive', 'Inclusive'].includes(lineAmountTypes))
    errors.push(`LineAmountTypes ${lineAmountTypes} is not NoTax, Exclusive or Inclusive.`);
  const lines = input.JournalLines ? buildLines(tenant, input.JournalLines, errors, warnings) : (existing?.lines ?? []);
  if (status === 'VOIDED' && input.JournalLines) errors.push('A journal is voided as it stands: send only the status.');

  if (status === 'POSTED') errors.push(...postingErrors(lines));
  // The ledger changes when a journal is posted, edited while posted, or voided: each date involved must be open.
  const touchesLedger = status === 'POSTED' || (existing?.status === 'POSTED' && status === 'VOIDED');
  if (touchesLedger) {
    const days = new Set([date, existing?.status === 'POSTED' ? existing.date : undefined]);
    for (const day of days) {
      const reason = day !== undefined ? lockedReason(tenant.org, day) : undefined;
      if (reason) errors.push(reason);
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const now = store.clock.now();
  const journal: StoredManualJournal = {
    id: existing?.id ?? store.newId(),
    narration: narration as string,
    date: date as string,
    status,
    lineAmountTypes,
    showOnCashBasisReports: input.ShowOnCashBasisReports ?? existing?.showOnCashBasisReports ?? true,
    lines,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  const url = input.Url ?? existing?.url;
  if (url !== undefined) journal.url = url;
  tenant.manualJournals.set(journal.id, journal);
  return { ok: true, id: journal.id, warnings };
}

/** The wire shape (ManualJournal in the spec); lines on single reads and paged lists. */
export function manualJournalView(journal: StoredManualJournal, withLines: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {
    ManualJournalID: journal.id,
    Narration: journal.narration,
    Date: msDate(Date.parse(`${journal.date}T00:00:00Z`)),
    Status: journal.status,
    LineAmountTypes: journal.lineAmountTypes,
    ShowOnCashBasisReports: journal.showOnCashBasisReports,
    HasAttachments: false,
    UpdatedDateUTC: msDate(journal.updatedAt),
  };
  if (journal.url !== undefined) view.Url = journal.url;
  if (withLines) {
    view.JournalLines = journal.lines.map((line) => ({
      LineAmount: amount(line.LineAmount),
      ...(line.AccountCode !== undefined ? { AccountCode: line.AccountCode, AccountID: line.AccountID } : {}),
      ...(line.Description !== undefined ? { Description: line.Description } : {}),
      TaxType: line.TaxType,
      TaxAmount: amount(new Big(0)),
      Tracking: line.Tracking.map((t) => ({ ...t })),
      IsBlank: false,
    }));
  }
  return view;
}
