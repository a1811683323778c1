/**
 * The general ledger the emulator's reports read: every posting the organisation's documents make, in its base
 * currency, debits positive and credits negative (so every document's postings sum to zero).
 *
 * What posts, on its own date (Xero posts a document when it is approved; drafts, voided and deleted documents are
 * not in the ledger):
 * - a sales invoice (AUTHORISED or PAID): each line's net amount to its account (credit), each line's tax to the tax
 *   system account (credit), their sum to accounts receivable (debit); a bill the other way round with payables;
 * - a credit note: the reverse of an invoice;
 * - a payment: the bank account at the payment's rate, receivables (or payables) at the document's rate, the
 *   difference to realised currency gains;
 * - a credit note allocated to an invoice: receivables relieved on both documents at their own rates, the difference
 *   to realised currency gains;
 * - a POSTED manual journal: its lines as they are.
 *
 * Foreign amounts (emulator decision; Xero does not document its method): each line's net and tax are converted
 * separately, amount ÷ CurrencyRate rounded to 2 dp, and receivables carry their sum. A payment or allocation relieves
 * receivables by its amount ÷ the document's rate, except the one that settles the document, which relieves what is
 * left in base currency (finance.md §6.12), so a settled document leaves nothing behind in receivables.
 * Not modelled: currency revaluation (unrealised gains), cash-basis reports.
 */
import Big from 'big.js';
import { toBase, type MidpointRounding } from './arithmetic';
import type { StoredDocument, Tenant } from './store';

export interface Posting {
  date: string;
  accountCode: string;
  /** Base currency, 2 dp: debit positive, credit negative. */
  amount: Big;
  source: 'invoice' | 'credit-note' | 'payment' | 'allocation' | 'manual-journal';
  sourceId: string;
}

const POSTED_DOCUMENT = new Set(['AUTHORISED', 'PAID']);

function systemAccount(tenant: Tenant, kind: string): string {
  const account = tenant.org.accounts.find((a) => a.SystemAccount === kind);
  if (!account) throw new Error(`organisation ${tenant.org.name} has no ${kind} system account in its seed`);
  return account.Code;
}

const rateOf = (tenant: Tenant, doc: StoredDocument): Big =>
  doc.currencyCode === tenant.org.baseCurrency ? new Big(1) : doc.currencyRate;

/** A document's own postings; `sign` is +1 when its lines are credits (sales invoices, supplier credit notes). */
function documentPostings(tenant: Tenant, doc: StoredDocument, rounding: MidpointRounding): Posting[] {
  const sales = doc.type === 'ACCREC' || doc.type === 'ACCRECCREDIT';
  const linesAreCredits = doc.type === 'ACCREC' || doc.type === 'ACCPAYCREDIT';
  const sign = linesAreCredits ? -1 : 1;
  const rate = rateOf(tenant, doc);
  const source = doc.kind === 'invoice' ? 'invoice' : 'credit-note';
  const base = { date: doc.date, source, sourceId: doc.id } as const;
  const postings: Posting[] = [];
  let control = new Big(0);
  for (const line of doc.lines) {
    const net = doc.lineAmountTypes === 'Inclusive' ? line.LineAmount.minus(line.TaxAmount) : line.LineAmount;
    const netBase = toBase(net, rate, rounding);
    const taxBase = toBase(line.TaxAmount, rate, rounding);
    postings.push({ ...base, accountCode: line.AccountCode ?? '', amount: netBase.times(sign) });
    if (!taxBase.eq(0))
      postings.push({ ...base, accountCode: systemAccount(tenant, 'GST'), amount: taxBase.times(sign) });
    control = control.plus(netBase).plus(taxBase);
  }
  const controlAccount = systemAccount(tenant, sales ? 'DEBTORS' : 'CREDITORS');
  postings.push({ ...base, accountCode: controlAccount, amount: control.times(-sign) });
  return postings;
}

/** Base-currency receivable (or payable) each posted document carries, relieved as payments and credits settle it. */
class ControlBalances {
  private readonly relieved = new Map<string, { foreign: Big; base: Big }>();
  constructor(
    private readonly tenant: Tenant,
    private readonly rounding: MidpointRounding,
  ) {}

  /** Base amount `foreign` relieves on `doc`: its share at the document's rate, or all that is left when it settles. */
  relieve(doc: StoredDocument, foreign: Big): Big {
    const done = this.relieved.get(doc.id) ?? { foreign: new Big(0), base: new Big(0) };
    const rate = rateOf(this.tenant, doc);
    const carried = documentPostings(this.tenant, doc, this.rounding)
      .filter(
        (p) => p.accountCode === systemAccount(this.tenant, doc.type.startsWith('ACCREC') ? 'DEBTORS' : 'CREDITORS'),
      )
      .reduce((sum, p) => sum.plus(p.amount.abs()), new Big(0));
    const foreignAfter = done.foreign.plus(foreign);
    const base = foreignAfter.eq(doc.total) ? carried.minus(done.base) : toBase(foreign, rate, this.rounding);
    this.relieved.set(doc.id, { foreign: foreignAfter, base: done.base.plus(base) });
    return base;
  }
}

/** Every posting of the organisation, in date order (then creation order within a day). */
export function ledgerPostings(tenant: Tenant, rounding: MidpointRounding): Posting[] {
  const postings: Posting[] = [];
  const documents = [...tenant.invoices.values(), ...tenant.creditNotes.values()].filter((d) =>
    POSTED_DOCUMENT.has(d.status),
  );
  for (const doc of documents) postings.push(...documentPostings(tenant, doc, rounding));

  const controls = new ControlBalances(tenant, rounding);
  const gains = () => systemAccount(tenant, 'REALISEDCURRENCYGAIN');
  type Settlement = { date: string; at: number; post: () => void };
  const settlements: Settlement[] = [];
  for (const payment of tenant.payments.values()) {
    if (payment.status !== 'AUTHORISED') continue;
    const doc =
      payment.target === 'invoice'
        ? tenant.invoices.get(payment.documentId)
        : tenant.creditNotes.get(payment.documentId);
    if (!doc || !POSTED_DOCUMENT.has(doc.status)) continue;
    settlements.push({
      date: payment.date,
      at: payment.createdAt,
      post: () => {
        const bankCode = tenant.org.accounts.find((a) => a.AccountID === payment.accountId)?.Code ?? '';
        const foreign = doc.currencyCode !== tenant.org.baseCurrency;
        const bank = foreign ? toBase(payment.amount, payment.currencyRate, rounding) : payment.amount;
        const relief = controls.relieve(doc, payment.amount);
        // Cash in for a sales invoice or a supplier credit note; cash out otherwise.
        const cashIn = doc.type === 'ACCREC' || doc.type === 'ACCPAYCREDIT' ? 1 : -1;
        const controlCode = systemAccount(tenant, doc.type.startsWith('ACCREC') ? 'DEBTORS' : 'CREDITORS');
        const base = { date: payment.date, source: 'payment', sourceId: payment.id } as const;
        postings.push({ ...base, accountCode: bankCode, amount: bank.times(cashIn) });
        postings.push({ ...base, accountCode: controlCode, amount: relief.times(-cashIn) });
        if (!bank.eq(relief))
          postings.push({ ...base, accountCode: gains(), amount: relief.minus(bank).times(cashIn) });
      },
    });
  }
  for (const allocation of tenant.allocations.values()) {
    if (allocation.deleted) continue;
    const invoice = tenant.invoices.get(allocation.invoiceId);
    const note = tenant.creditNotes.get(allocation.creditNoteId);
    if (!invoice || !note || !POSTED_DOCUMENT.has(invoice.status) || !POSTED_DOCUMENT.has(note.status)) continue;
    settlements.push({
      date: allocation.date,
      at: allocation.createdAt,
      post: () => {
        const onInvoice = controls.relieve(invoice, allocation.amount);
        const onNote = controls.relieve(note, allocation.amount);
        const sales = invoice.type === 'ACCREC' ? 1 : -1;
        const controlCode = systemAccount(tenant, sales === 1 ? 'DEBTORS' : 'CREDITORS');
        const base = { date: allocation.date, source: 'allocation', sourceId: allocation.id } as const;
        postings.push({ ...base, accountCode: controlCode, amount: onInvoice.times(-sales) });
        postings.push({ ...base, accountCode: controlCode, amount: onNote.times(sales) });
        if (!onInvoice.eq(onNote))
          postings.push({ ...base, accountCode: gains(), amount: onInvoice.minus(onNote).times(sales) });
      },
    });
  }
  settlements.sort((a, b) => a.date.localeCompare(b.date) || a.at - b.at).forEach((s) => s.post());

  for (const journal of tenant.manualJournals.values()) {
    if (journal.status !== 'POSTED') continue;
    for (const line of journal.lines) {
      postings.push({
        date: journal.date,
        accountCode: line.AccountCode ?? '',
        amount: line.LineAmount,
        source: 'manual-journal',
        sourceId: journal.id,
      });
    }
  }
  return postings.sort((a, b) => a.date.localeCompare(b.date));
}
