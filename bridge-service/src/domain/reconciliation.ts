/**
 * Booked, billed and collected, per deal, Account and billing entity, in each currency (never summed across
 * currencies), from the receivables documents of a tenant (ledger-documents.ts) and the won deals.
 *
 * Definitions (see README.md in this folder):
 * - Booked: the won Opportunity's Amount, in its currency, tax-exclusive (as Salesforce holds it).
 * - Billed (net) = invoiced net − credited net: SubTotal of posted (AUTHORISED or PAID) invoices less SubTotal of
 *   posted credit notes. Net, because booked is net; the gross figures (Total, tax included) are kept beside it.
 *   Drafts, submitted, voided and deleted documents are not billed.
 * - Unbilled = booked − billed net (a deal not yet fully invoiced; negative when billed above the booking).
 * - Collected = cash payments on invoices + overpayment and prepayment allocations to them (cash the customer paid
 *   earlier, now applied). Credit-note allocations settle invoices without cash: listed separately, never collected.
 * - Amount due = Σ AmountDue of posted invoices; credit held = what credits in scope still hold.
 * - Ties: invoiced gross − paid − credit-note, overpayment and prepayment allocations = amount due. Anything else is
 *   `unexplained` and means a payment or allocation the documents do not show (a drift to look into).
 * Deals take the documents whose Opportunity is known (bridge-made, or matched on import); Accounts those whose contact
 * is linked; entities every document of the tenant.
 */
import Big from 'big.js';

import { creditPosition } from './customer-credit';
import { fromApiNumber, money, sum, type Money } from './money';
import {
  isActiveAllocation,
  isActivePayment,
  isPosted,
  type CreditKind,
  type CreditState,
  type InvoiceState,
} from './ledger-documents';

/** Where a document belongs: its entity always, its Account and deal when known. */
export interface Attribution {
  entity: string;
  accountId?: string;
  opportunityId?: string;
}

export interface WonDeal {
  opportunityId: string;
  accountId: string;
  entity: string;
  currencyCode: string;
  /** Opportunity.Amount as SOQL returns it (a JSON number) or a decimal string. */
  amount: number | string;
}

export type ReconciliationLevel = 'deal' | 'account' | 'entity';

export interface ReconciliationLine {
  level: ReconciliationLevel;
  /** Opportunity Id, Account Id or entity DeveloperName. */
  key: string;
  /** The entity (for an entity line, itself). Accounts and deals billed by two entities get a line per entity. */
  entity: string;
  currencyCode: string;
  booked: Money;
  invoicedNet: Money;
  creditedNet: Money;
  billedNet: Money;
  invoicedGross: Money;
  creditedGross: Money;
  billedGross: Money;
  unbilled: Money;
  paid: Money;
  creditNoteAllocated: Money;
  overpaymentAllocated: Money;
  prepaymentAllocated: Money;
  collected: Money;
  amountDue: Money;
  creditHeld: Money;
  unexplained: Money;
  ties: boolean;
}

type Figures = Omit<
  ReconciliationLine,
  | 'level'
  | 'key'
  | 'entity'
  | 'currencyCode'
  | 'billedNet'
  | 'billedGross'
  | 'unbilled'
  | 'collected'
  | 'unexplained'
  | 'ties'
>;
const FIGURES: readonly (keyof Figures)[] = [
  'booked',
  'invoicedNet',
  'creditedNet',
  'invoicedGross',
  'creditedGross',
  'paid',
  'creditNoteAllocated',
  'overpaymentAllocated',
  'prepaymentAllocated',
  'amountDue',
  'creditHeld',
];
const ALLOCATED: Record<CreditKind, keyof Figures> = {
  'credit-note': 'creditNoteAllocated',
  overpayment: 'overpaymentAllocated',
  prepayment: 'prepaymentAllocated',
};

class Ledger {
  private readonly lines = new Map<
    string,
    { level: ReconciliationLevel; key: string; entity: string; currencyCode: string; figures: Figures }
  >();

  add(where: Attribution, currencyCode: string, figure: keyof Figures, amount: Money): void {
    const targets: [ReconciliationLevel, string | undefined][] = [
      ['deal', where.opportunityId],
      ['account', where.accountId],
      ['entity', where.entity],
    ];
    for (const [level, key] of targets) {
      if (!key) continue;
      const code = currencyCode.toUpperCase();
      const id = `${level}|${key}|${where.entity}|${code}`;
      const line = this.lines.get(id) ?? {
        level,
        key,
        entity: where.entity,
        currencyCode: code,
        figures: Object.fromEntries(FIGURES.map((f) => [f, new Big(0)])) as Figures,
      };
      line.figures[figure] = line.figures[figure].plus(amount);
      this.lines.set(id, line);
    }
  }

  result(): ReconciliationLine[] {
    const order: ReconciliationLevel[] = ['deal', 'account', 'entity'];
    return [...this.lines.values()]
      .map(({ figures: f, ...where }): ReconciliationLine => {
        const billedNet = f.invoicedNet.minus(f.creditedNet);
        const unexplained = f.invoicedGross
          .minus(f.paid)
          .minus(f.creditNoteAllocated)
          .minus(f.overpaymentAllocated)
          .minus(f.prepaymentAllocated)
          .minus(f.amountDue);
        return {
          ...where,
          ...f,
          billedNet,
          billedGross: f.invoicedGross.minus(f.creditedGross),
          unbilled: f.booked.minus(billedNet),
          collected: sum([f.paid, f.overpaymentAllocated, f.prepaymentAllocated]),
          unexplained,
          ties: unexplained.eq(0),
        };
      })
      .sort(
        (a, b) =>
          order.indexOf(a.level) - order.indexOf(b.level) ||
          a.key.localeCompare(b.key) ||
          a.entity.localeCompare(b.entity) ||
          a.currencyCode.localeCompare(b.currencyCode),
      );
  }
}

/**
 * Reconciles won deals with the tenant's documents. Allocations are counted on the invoice they settle (so on its
 * deal and Account), credit held on the credit's own Account.
 */
export function reconcile(
  deals: readonly WonDeal[],
  invoices: readonly (InvoiceState & Attribution)[],
  credits: readonly (CreditState & Attribution)[],
): ReconciliationLine[] {
  const ledger = new Ledger();
  for (const deal of deals) {
    ledger.add(
      { entity: deal.entity, accountId: deal.accountId, opportunityId: deal.opportunityId },
      deal.currencyCode,
      'booked',
      fromApiNumber(deal.amount, 'Amount'),
    );
  }
  const posted = new Map(invoices.filter((i) => isPosted(i.status)).map((i) => [i.invoiceId, i]));
  for (const invoice of posted.values()) {
    const add = (figure: keyof Figures, amount: Money) => ledger.add(invoice, invoice.currencyCode, figure, amount);
    add('invoicedNet', money(invoice.subTotal));
    add('invoicedGross', money(invoice.total));
    add('amountDue', money(invoice.amountDue));
    add('paid', sum(invoice.payments.filter(isActivePayment).map((p) => money(p.amount))));
  }
  for (const credit of credits) {
    if (!isPosted(credit.status)) continue;
    const add = (where: Attribution, figure: keyof Figures, amount: Money) =>
      ledger.add(where, credit.currencyCode, figure, amount);
    if (credit.kind === 'credit-note') {
      // A credit note raised against an invoice belongs to that invoice's deal.
      const against = credit.invoiceId ? posted.get(credit.invoiceId) : undefined;
      const where = { ...credit, opportunityId: credit.opportunityId ?? against?.opportunityId };
      add(where, 'creditedNet', money(credit.subTotal ?? credit.total));
      add(where, 'creditedGross', money(credit.total));
    }
    for (const allocation of credit.allocations.filter(isActiveAllocation)) {
      const invoice = posted.get(allocation.invoiceId);
      if (invoice) add(invoice, ALLOCATED[credit.kind], money(allocation.amount));
    }
    const { remaining } = creditPosition(credit);
    if (remaining.gt(0)) add(credit, 'creditHeld', remaining);
  }
  return ledger.result();
}

export interface ReconciliationDifference {
  level: ReconciliationLevel;
  key: string;
  entity: string;
  currencyCode: string;
  figure: string;
  salesforce: Money;
  xero: Money;
}

/**
 * Where two reconciliations of the same scope disagree, figure by figure: one worked from the Salesforce mirrors,
 * one from Xero. Equal books give an empty list.
 */
export function compareReconciliations(
  salesforce: readonly ReconciliationLine[],
  xero: readonly ReconciliationLine[],
): ReconciliationDifference[] {
  const id = (l: ReconciliationLine) => `${l.level}|${l.key}|${l.entity}|${l.currencyCode}`;
  const ours = new Map(salesforce.map((l) => [id(l), l]));
  const theirs = new Map(xero.map((l) => [id(l), l]));
  const zero = new Big(0);
  const compared: (keyof ReconciliationLine)[] = [...FIGURES, 'billedNet', 'billedGross', 'collected'];
  const differences: ReconciliationDifference[] = [];
  for (const key of [...new Set([...ours.keys(), ...theirs.keys()])].sort()) {
    const a = ours.get(key);
    const b = theirs.get(key);
    const where = (a ?? b)!;
    for (const figure of compared) {
      const left = (a?.[figure] as Money | undefined) ?? zero;
      const right = (b?.[figure] as Money | undefined) ?? zero;
      if (!left.eq(right)) {
        differences.push({
          level: where.level,
          key: where.key,
          entity: where.entity,
          currencyCode: where.currencyCode,
          figure,
          salesforce: left,
          xero: right,
        });
      }
    }
  }
  return differences;
}
