import { LightningElement, api } from 'lwc';
import LOCALE from '@salesforce/i18n/locale';
import { formatLabel, unwrapNode } from 'c/ledgerlineUtils';
import { creditHeld, fromCents, toCents } from 'c/receivablesCalc';
import { LABELS } from './labels';

const KIND_OF_TYPE = { Overpayment: 'overpayment', Prepayment: 'prepayment' };

/** How many credits of each kind the Account card's query reads (its `first: 50`); a full page may not be all. */
const CREDIT_PAGE_SIZE = 50;

/**
 * The credit a customer holds, inside the Account receivables card (which reads it in its own GraphQL query): per
 * currency, never added across currencies, what credit notes, overpayments and prepayments still hold (c/receivablesCalc
 * creditHeld, in integer cents, held to the domain by receivables.cases.json), and each credit with its type, date,
 * original amount, what was allocated to invoices, refunded, and what remains. Credit is shown apart from what is
 * due, never taken off it: it stays the customer's until finance allocates or refunds it in Xero.
 *
 * Figures are the bridge's mirrors, as Xero holds them. Overpayments and prepayments (Customer_Credit__c) carry their
 * allocated and refunded amounts; a credit note (Credit_Note__c) carries its remaining credit and its allocations, so
 * what it refunded is what neither allocations nor the remaining credit account for (total − allocated − remaining,
 * Xero's own definition of remaining credit).
 */
export default class AccountCredit extends LightningElement {
  labels = LABELS;
  customerCredits = [];
  creditNotes = [];
  dueByCurrency = new Map();

  /** Customer_Credit__c nodes (overpayments and prepayments with credit remaining), as the UI API returns them. */
  @api
  get customerCreditNodes() {
    return this.rawCustomerCredits;
  }
  set customerCreditNodes(nodes) {
    this.rawCustomerCredits = nodes ?? [];
    this.customerCredits = this.rawCustomerCredits.map(unwrapNode);
  }

  /** Credit_Note__c nodes with credit remaining, each with its Allocations__r, as the UI API returns them. */
  @api
  get creditNoteNodes() {
    return this.rawCreditNotes;
  }
  set creditNoteNodes(nodes) {
    this.rawCreditNotes = nodes ?? [];
    this.creditNotes = this.rawCreditNotes.map(unwrapNode);
  }

  /** What is due per currency, in cents ({ currencyCode, cents }), so the wording can say where the credit could go. */
  @api
  get outstanding() {
    return this.rawOutstanding;
  }
  set outstanding(rows) {
    this.rawOutstanding = rows ?? [];
    this.dueByCurrency = new Map(this.rawOutstanding.map((row) => [row.currencyCode, row.cents]));
  }

  rawCustomerCredits = [];
  rawCreditNotes = [];
  rawOutstanding = [];

  /** Every credit as one plain shape, in cents, oldest first. */
  get credits() {
    const fromCustomerCredits = this.customerCredits.map((credit) => ({
      id: credit.Id,
      kind: KIND_OF_TYPE[credit.Credit_Type__c] ?? 'overpayment',
      reference: credit.Reference__c || credit.Name,
      date: credit.Credit_Date__c,
      currencyCode: String(credit.Currency_Code__c ?? '').toUpperCase(),
      totalCents: toCents(credit.Total__c),
      allocatedCents: toCents(credit.Allocated__c),
      refundedCents: toCents(credit.Refunded__c),
      remainingCents: toCents(credit.Remaining_Credit__c),
    }));
    const fromCreditNotes = this.creditNotes.map((note) => {
      const totalCents = toCents(note.Total__c);
      const remainingCents = toCents(note.Remaining_Credit__c);
      const allocatedCents = (note.Allocations__r ?? []).reduce((sum, a) => sum + toCents(a.Amount__c), 0);
      return {
        id: note.Id,
        kind: 'credit-note',
        reference: note.Credit_Note_Number__c || note.Name,
        date: note.Issue_Date__c,
        currencyCode: String(note.Currency_Code__c ?? '').toUpperCase(),
        totalCents,
        allocatedCents,
        refundedCents: Math.max(0, totalCents - allocatedCents - remainingCents),
        remainingCents,
      };
    });
    return [...fromCustomerCredits, ...fromCreditNotes]
      .filter((credit) => credit.remainingCents > 0)
      .sort((a, b) => String(a.date ?? '').localeCompare(String(b.date ?? '')) || a.id.localeCompare(b.id));
  }

  get currencies() {
    const credits = this.credits;
    return creditHeld(
      credits.map((c) => ({
        kind: c.kind,
        currencyCode: c.currencyCode,
        remainingCredit: fromCents(c.remainingCents),
      })),
    ).map((entry) => {
      const rows = credits.filter((c) => c.currencyCode === entry.currencyCode);
      const dueCents = this.dueByCurrency.get(entry.currencyCode) ?? 0;
      const money = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: entry.currencyCode || 'XXX' });
      return {
        currencyCode: entry.currencyCode,
        headingId: `credit-${entry.currencyCode}`,
        held: fromCents(entry.heldCents),
        countText: rows.length === 1 ? LABELS.countOne : formatLabel(LABELS.count, rows.length),
        wording:
          dueCents > 0
            ? formatLabel(LABELS.withDue, money.format(fromCents(dueCents)))
            : formatLabel(LABELS.nothingDue, entry.currencyCode),
        credits: rows.map((c) => ({
          id: c.id,
          kindLabel: LABELS.kinds[c.kind],
          kindClass: `kind kind-${c.kind} slds-text-title_bold`,
          reference: c.reference,
          date: c.date,
          figures: [
            { key: 'original', label: LABELS.original, value: fromCents(c.totalCents) },
            { key: 'allocated', label: LABELS.allocated, value: fromCents(c.allocatedCents) },
            { key: 'refunded', label: LABELS.refunded, value: fromCents(c.refundedCents) },
            { key: 'remaining', label: LABELS.remaining, value: fromCents(c.remainingCents) },
          ],
        })),
      };
    });
  }

  /** A full page of either kind: there may be more credit than the card read, and it says so rather than undercount. */
  get truncatedText() {
    const full = this.rawCustomerCredits.length >= CREDIT_PAGE_SIZE || this.rawCreditNotes.length >= CREDIT_PAGE_SIZE;
    return full ? formatLabel(LABELS.truncated, CREDIT_PAGE_SIZE) : null;
  }

  get hasCredit() {
    return this.currencies.length > 0;
  }
}
