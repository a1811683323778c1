/**
 * What a close is proposed from, gathered from the bridge's own records: each deal's plan (its contract lines and
 * revenue, concessions included, and what its posted documents billed line by line) and the Invoice__c and
 * Credit_Note__c mirrors (the rate each document carried and the account each line posted to).
 *
 * Decisions (README "Month-end close"):
 * - A line's billing posted to the account its Invoice_Line__c records (matched by the deal line, else the invoice's
 *   one account). A credit note's account is read from Xero (Salesforce keeps no credit-note lines): its one account
 *   (a plan's downgrade credit note reaches Xero with the lines it was recorded with, mapped as its invoice's were:
 *   deferred revenue for a ratable line), else the account of the line it credits; it takes the rate of the invoice it credits (Salesforce keeps no rate on a credit note).
 * - A line's revenue account is the entity's (Account_Code__c), or the account its billing posted to when that is not
 *   the deferred revenue account (a product with its own revenue account); its deferred revenue account is the
 *   entity's Deferred_Revenue_Account_Code__c.
 * - The month-end rate of a currency with unbilled revenue is the rate of the latest invoice in that currency dated on
 *   or before the month end (Xero has no rates endpoint); it is shown on the close, and finance rejects a close whose
 *   rate it does not accept.
 */
import type { CloseLine, PostedBilling } from '../../domain/close-ledger';
import type { PostedJournalLine } from '../../domain/close-journals';
import type { CloseHistory } from '../../domain/close-journals';
import type { DealPlan } from '../../domain/deal-plan';
import type { LoadedDeal } from '../billing/deals';
import type { CloseCreditNoteRow, CloseInvoiceRow, PostedLineRow } from '../../salesforce/close-queries';
import { childRecords } from '../../salesforce/soql';
import { journalLineKind } from '../../domain/close-records';

export interface EntityAccounts {
  revenue: string;
  deferred: string;
  accrued: string;
}

export interface CloseInputs {
  lines: CloseLine[];
  billing: PostedBilling[];
  monthEndRates: Record<string, string>;
}

/** The document ids a deal's posted billing came from, to load their mirrors. */
export function documentIds(plans: readonly DealPlan[]): string[] {
  return [...new Set(plans.flatMap((p) => p.posted.flatMap((e) => (e.documentId ? [e.documentId] : []))))];
}

const accountOfLine = (invoice: CloseInvoiceRow, lineKey: string): string | undefined => {
  const lines = childRecords(invoice.Invoice_Lines__r);
  const own = lines.find((l) => l.Opportunity_Line_Item_Id__c === lineKey)?.Account_Code__c;
  if (own) return own;
  const accounts = new Set(lines.map((l) => l.Account_Code__c).filter((a): a is string => !!a));
  return accounts.size === 1 ? [...accounts][0] : undefined;
};

/** A credit note's one account in Xero, if its lines post to one. */
const creditNoteAccount = (accounts: readonly string[] | undefined): string | undefined =>
  accounts && new Set(accounts).size === 1 ? accounts[0] : undefined;

/** The close's lines and billing for one entity and month, from its deals' plans and the document mirrors. */
export function closeInputs(input: {
  deals: readonly { loaded: Pick<LoadedDeal, 'input' | 'row'>; plan: DealPlan }[];
  invoices: readonly CloseInvoiceRow[];
  creditNotes: readonly CloseCreditNoteRow[];
  /** Each credit note's accounts in Xero, by Credit_Note__c id. */
  creditNoteAccounts?: ReadonlyMap<string, readonly string[]>;
  accounts: EntityAccounts;
  baseCurrency: string;
  monthEnd: string;
}): CloseInputs {
  const invoices = new Map(input.invoices.map((i) => [i.Id, i]));
  const creditNotes = new Map(input.creditNotes.map((c) => [c.Id, c]));
  const billing: PostedBilling[] = [];
  const lines: CloseLine[] = [];
  for (const { loaded, plan } of input.deals) {
    const items = [
      loaded.input.root,
      ...(loaded.input.amendments ?? []),
      ...(loaded.input.renewalOf ? [loaded.input.renewalOf] : []),
    ].flatMap((o) => o.lineItems);
    const dealBilling: PostedBilling[] = [];
    for (const entry of plan.posted) {
      if (entry.date > input.monthEnd) continue;
      const credit = entry.documentId ? creditNotes.get(entry.documentId) : undefined;
      const invoice = entry.documentId
        ? (invoices.get(entry.documentId) ?? (credit?.Invoice__c ? invoices.get(credit.Invoice__c) : undefined))
        : undefined;
      const foreign = invoice && invoice.Currency_Code__c && invoice.Currency_Code__c !== input.baseCurrency;
      dealBilling.push({
        ...entry,
        document: credit?.Credit_Note_Number__c ?? invoice?.Invoice_Number__c ?? entry.documentId ?? 'a document',
        accountCode:
          creditNoteAccount(credit && input.creditNoteAccounts?.get(credit.Id)) ??
          (invoice && accountOfLine(invoice, entry.lineKey)) ??
          input.accounts.revenue,
        ...(foreign && invoice.Currency_Rate__c ? { currencyRate: String(invoice.Currency_Rate__c) } : {}),
      });
    }
    billing.push(...dealBilling);
    for (const line of plan.ledger) {
      const postedTo = dealBilling.find(
        (b) => b.lineKey === line.lineKey && b.accountCode !== input.accounts.deferred,
      )?.accountCode;
      const item = items.find((i) => i.Id === line.lineKey);
      lines.push({
        lineKey: line.lineKey,
        contractKey: line.contractKey,
        currency: line.currency,
        revenue: line.revenue,
        revenueAccount: postedTo ?? input.accounts.revenue,
        deferredAccount: input.accounts.deferred,
        tracking: [],
        label: `${loaded.row.Name}: ${item?.Product2?.Name ?? item?.Description ?? line.lineKey}`,
      });
    }
  }
  const monthEndRates: Record<string, string> = {};
  const latest = [...input.invoices]
    .filter((i) => i.Currency_Code__c && i.Currency_Code__c !== input.baseCurrency && i.Currency_Rate__c)
    .filter((i) => (i.Issue_Date__c ?? '') <= input.monthEnd)
    .sort((a, b) => String(a.Issue_Date__c).localeCompare(String(b.Issue_Date__c)));
  for (const i of latest) monthEndRates[String(i.Currency_Code__c)] = String(i.Currency_Rate__c);
  return { lines, billing, monthEndRates };
}

/**
 * What the entity's closes posted (every Posted line, a first close's opening lines included), or its first close:
 * nothing posted and no close of the entity posted (a posted close with no lines still ends the first close).
 */
export function closeHistory(rows: readonly PostedLineRow[], anyClosePosted: boolean): CloseHistory {
  const lines: PostedJournalLine[] = rows.flatMap((r) => {
    const kind = journalLineKind(r.Journal_Kind__c);
    const start = r.Month_End_Close__r?.Period_Start__c;
    if (!kind || !start) return [];
    return [
      {
        forMonth: String(start).slice(0, 7),
        kind,
        accountCode: String(r.Account_Code__c),
        tracking: [
          [r.Tracking_1_Category__c, r.Tracking_1_Option__c],
          [r.Tracking_2_Category__c, r.Tracking_2_Option__c],
        ]
          .filter(([n, o]) => n && o)
          .map(([n, o]) => ({ name: String(n), option: String(o) })),
        amount: Number(r.Amount__c ?? 0).toFixed(2),
      },
    ];
  });
  return lines.length === 0 && !anyClosePosted ? { kind: 'first-close' } : { kind: 'posted', lines };
}
