/**
 * The documents a deal's plan has raised, as the plan counts them: what a raised record is, what counts as raised
 * once partial invoices replace a voided invoice (`forPlanning`), and whether a credit-note instalment has anything in
 * Xero to take back (`heldCredits`). Pure; deal-plan.ts puts them together.
 */
import { compareDates, type IsoDate } from './dates';
import { money, sum, type Money } from './money';
import { absorbed } from './billing-entries';
import type { BillingPlan, RaisedInstalment } from './billing-plan';
import type { Decimal } from './xero-invoice-math';

/** What became of a document: posted (billed), not yet posted (a draft or awaiting approval), or void. */
export type DocumentState = 'unposted' | 'posted' | 'void';

/** A raised instalment (Billing_Instalment__c Status Raised) and the document it became. */
export interface RaisedRecord extends RaisedInstalment {
  kind: 'invoice' | 'credit-note';
  /** The Invoice__c or Credit_Note__c it became. */
  documentId?: string;
  state: DocumentState;
  /** The document's date (its issue date). */
  documentDate?: IsoDate | null;
}

/** A credit note on one of the plan's invoices that the plan did not raise. */
export interface ConcessionCredit {
  documentId: string;
  /** The Invoice__c it credits. */
  invoiceId: string;
  date: IsoDate;
  /** Net of tax, positive. */
  amount: Decimal;
  state: DocumentState;
}

const toRaised = (r: RaisedRecord): RaisedInstalment => ({
  key: r.key,
  issueDate: r.issueDate,
  lines: r.lines,
  ...(r.onAccount ? { onAccount: true } : {}),
});

/**
 * What the billing plan counts as raised: each raised record as it is, except that the partial invoices replace,
 * line by line and in date order, what voided invoices the plan raised billed (so a voided signature invoice whose
 * amount the partials bill instead is not planned again, and is not billed twice in the plan's eyes either).
 */
export function forPlanning(raised: readonly RaisedRecord[]): RaisedInstalment[] {
  const replacing = new Map<string, Money>();
  for (const r of raised)
    if (r.onAccount)
      for (const l of r.lines) replacing.set(l.lineKey, (replacing.get(l.lineKey) ?? money(0)).plus(money(l.amount)));
  if (replacing.size === 0) return raised.map(toRaised);
  const replaced = new Map<RaisedRecord, RaisedInstalment>();
  const voided = raised
    .filter((r) => r.state === 'void' && r.kind === 'invoice' && !r.onAccount)
    .sort((a, b) => compareDates(a.documentDate ?? a.issueDate, b.documentDate ?? b.issueDate));
  for (const r of voided) {
    const lines = r.lines.map((l) => {
      const amount = money(l.amount);
      const left = replacing.get(l.lineKey) ?? money(0);
      const taken = absorbed(amount, left);
      if (taken.eq(0)) return l;
      replacing.set(l.lineKey, left.minus(taken));
      return { ...l, amount: amount.minus(taken).toFixed(2) };
    });
    replaced.set(r, { key: r.key, issueDate: r.issueDate, lines });
  }
  return raised.map((r) => replaced.get(r) ?? toRaised(r));
}

const linesTotal = (r: Pick<RaisedInstalment, 'lines'>) => sum(r.lines.map((l) => money(l.amount)));

/**
 * Credit-note instalments the deal cannot take back in Xero (key → why, in words), in date order: the one rule for
 * whether a plan's credit note is sent. One is sent only against what the deal has posted in Xero and not credited
 * yet: its invoices Authorised, Partially Paid or Paid, less its credit notes that are not void (raised, awaiting
 * approval, or conceded), less the credit notes before it. A draft invoice does not count (Xero allocates a credit
 * note only to an authorised invoice, and a draft can be deleted without a trace), nor does a void one: a credit note
 * with nothing to credit is customer credit for money never billed. What a voided invoice of the plan billed and no
 * partial replaced is still raised in the plan's eyes, so a credit of those same pieces (line and period) takes it
 * off that first: it is the reduction of the replacement finance raises by hand, not a credit note. A credit of other
 * pieces (a later quarter a posted invoice billed) is checked against what is posted, as any other.
 */
export function heldCredits(
  plan: BillingPlan,
  raised: readonly RaisedRecord[],
  concessions: readonly ConcessionCredit[],
  currency: string,
): Map<string, string> {
  const held = new Map<string, string>();
  if (!plan.instalments.some((i) => i.kind === 'credit-note')) return held;
  const planning = forPlanning(raised);
  const piece = (l: { lineKey: string; periodKey: IsoDate }) => `${l.lineKey}|${l.periodKey}`;
  // What each (line, period) piece's voided invoices billed that no partial replaced.
  const unreplaced = new Map<string, Money>();
  for (const [k, r] of raised.entries()) {
    if (r.kind !== 'invoice' || r.state !== 'void') continue;
    for (const l of planning[k]!.lines)
      unreplaced.set(piece(l), (unreplaced.get(piece(l)) ?? money(0)).plus(money(l.amount)));
  }
  const voided = sum([...unreplaced.values()]);
  let voidedLeft = voided;
  let creditable = sum(
    raised.filter((r) => (r.kind === 'invoice' ? r.state === 'posted' : r.state !== 'void')).map((r) => linesTotal(r)),
  ).minus(sum(concessions.filter((c) => c.state !== 'void').map((c) => money(c.amount))));
  const awaitingApproval = raised.some((r) => r.kind === 'invoice' && r.state === 'unposted');
  const shown = (value: Money) => `${value.toFixed(2)} ${currency}`;
  for (const instalment of plan.instalments) {
    if (instalment.kind !== 'credit-note') continue;
    const credit = instalment.amount.abs();
    let reduction = money(0);
    for (const l of instalment.lines) {
      const open = unreplaced.get(piece(l)) ?? money(0);
      const taken = absorbed(l.amount.abs(), open);
      if (taken.eq(0)) continue;
      unreplaced.set(piece(l), open.minus(taken));
      reduction = reduction.plus(taken);
    }
    if (reduction.gt(0)) {
      voidedLeft = voidedLeft.minus(reduction);
      const beyond = credit.minus(reduction);
      held.set(
        instalment.key,
        `Held, not sent to Xero: ${creditable.gt(0) ? 'it takes back what a void invoice billed' : 'nothing of this deal is invoiced in Xero to credit'} (${shown(voided)} void, not replaced). ` +
          `The ${shown(reduction)} reduction belongs in the replacement finance raises by hand: ${shown(voidedLeft)} for what was voided` +
          (beyond.gt(0) ? `; credit the other ${shown(beyond)} by hand if owed` : ''),
      );
      continue;
    }
    if (creditable.gte(credit)) {
      creditable = creditable.minus(credit);
      continue;
    }
    held.set(
      instalment.key,
      `Held, not sent to Xero: the deal has ${shown(creditable.gt(0) ? creditable : money(0))} posted in Xero and not credited, less than the ${shown(credit)} it takes back. ` +
        (awaitingApproval
          ? 'It is raised once its invoice awaiting approval is approved: by its dated job, or by Retry on the amendment whose closing request raises it'
          : 'Raise a credit by hand if one is owed'),
    );
  }
  return held;
}
