/**
 * Rework of a draft finance rejected: what may change, and how the corrected draft becomes an update of the same
 * Xero DRAFT (never a second invoice).
 *
 * Decisions (see README.md in this folder):
 * - Reworkable: the mirror is Draft with approval Rejected or Not Submitted (not Pending: the record is locked, nor
 *   Approved: AUTHORISE is on its way), and Xero still holds it as DRAFT or SUBMITTED (Xero edits nothing else freely).
 * - What may change: the lines (add, remove, edit: description, quantity, price, discount, account code, tax type,
 *   tracking, item), the issue date, the due date, the reference, and the contact (to the contact linked to the
 *   invoice's Account in the entity). Not the currency, the entity or the document type: those make another document
 *   (void this one, raise a new one).
 * - The update is POST /Invoices with the InvoiceID: Xero replaces the lines with the ones sent. A line sent with its
 *   LineItemID is updated in place, one without is created, and a line left out is deleted (xero-api.md §7). So every
 *   kept line carries its LineItemID, a LineItemID that is not on the draft is refused, and the removed ones are named.
 * - Totals come from invoice-mapping (Xero's arithmetic), the version from a hash of what is sent, so the request key
 *   `UPDATE_DRAFT:<Invoice__c id>:<version>` is the same for a replay and new for a new correction. Nothing changed:
 *   no update.
 */
import { createHash } from 'node:crypto';

import type { BillingEntity } from './billing-entity';
import { assertIsoDate, compareDates, type IsoDate } from './dates';
import { DomainError, throwIfProblems } from './errors';
import {
  mapDocument,
  type SourceLine,
  type TenantTaxRate,
  type XeroDraftDocument,
  type XeroDraftLine,
} from './invoice-mapping';
import { money } from './money';
import type { InvoiceDisplayStatus, XeroInvoiceStatus } from './receivables';

export type ApprovalStatus = 'Not Submitted' | 'Pending' | 'Approved' | 'Rejected';

/** A line of the draft as Xero holds it (GET /Invoices/{id}). */
export type DraftLine = Omit<XeroDraftLine, 'lineAmount' | 'taxAmount'> & { lineItemId: string };

export interface DraftState {
  invoiceId: string;
  status: XeroInvoiceStatus;
  contactId: string;
  currencyCode: string;
  date: IsoDate;
  dueDate?: IsoDate;
  reference?: string;
  lineItems: DraftLine[];
}

/** The corrected draft from Salesforce: every line it should have, kept ones with their LineItemID. */
export interface DraftCorrection {
  contactId: string;
  date: IsoDate;
  dueDate?: IsoDate;
  reference: string;
  lines: (SourceLine & { lineItemId?: string })[];
}

export interface DraftUpdate {
  invoiceId: string;
  document: XeroDraftDocument;
  /** The lines to send, in order; kept ones carry their LineItemID. */
  lineItems: (XeroDraftLine & { lineItemId?: string })[];
  removedLineItemIds: string[];
  /** What changed, in words, for the invoice's sync message and history. */
  changes: string[];
  /** 12 hex characters of a hash of what is sent. */
  version: string;
}

/** Refuses rework when Salesforce or Xero no longer allow it, saying why. */
export function checkReworkable(
  mirror: { displayStatus: InvoiceDisplayStatus; approvalStatus: ApprovalStatus },
  xeroStatus: XeroInvoiceStatus,
): void {
  const reason =
    mirror.approvalStatus === 'Pending'
      ? 'it is waiting for approval: recall it first'
      : mirror.approvalStatus === 'Approved' || mirror.displayStatus === 'Approved'
        ? 'finance approved it and it is being authorised in Xero'
        : mirror.displayStatus !== 'Draft'
          ? `it is ${mirror.displayStatus}, not a draft`
          : xeroStatus !== 'DRAFT' && xeroStatus !== 'SUBMITTED'
            ? `Xero holds it as ${xeroStatus}: only drafts can be changed (void it and raise a new one)`
            : undefined;
  if (reason) throw new DomainError('INVALID_INPUT', `This invoice cannot be corrected and sent again: ${reason}`);
}

const describeLine = (line: { description: string }, index: number) =>
  `line ${index + 1} (${line.description.split('\n')[0] || 'no description'})`;

function lineChanges(before: DraftLine, after: XeroDraftLine, label: string): string[] {
  const changes: string[] = [];
  const same = (a: string | undefined, b: string | undefined) =>
    a === undefined || b === undefined ? a === b : money(a).eq(money(b));
  if (before.description !== after.description) changes.push(`${label}: description changed`);
  if (!same(before.quantity, after.quantity)) changes.push(`${label}: quantity ${before.quantity} → ${after.quantity}`);
  if (!same(before.unitAmount, after.unitAmount))
    changes.push(`${label}: unit amount ${before.unitAmount} → ${after.unitAmount}`);
  if (!same(before.discountRate, after.discountRate)) {
    changes.push(`${label}: discount ${before.discountRate ?? '0'}% → ${after.discountRate ?? '0'}%`);
  }
  for (const key of ['accountCode', 'taxType', 'itemCode'] as const) {
    if ((before[key] ?? '') !== (after[key] ?? ''))
      changes.push(`${label}: ${key} ${before[key] ?? '—'} → ${after[key] ?? '—'}`);
  }
  const tracking = (t: readonly { name: string; option: string }[]) => t.map((s) => `${s.name}=${s.option}`).join(', ');
  if (tracking(before.tracking) !== tracking(after.tracking)) {
    changes.push(`${label}: tracking ${tracking(before.tracking) || '—'} → ${tracking(after.tracking) || '—'}`);
  }
  return changes;
}

/**
 * The update of the same Xero DRAFT, or null when nothing changed. `linkedContactIds` are the contacts the invoice's
 * Account may be billed through in this entity (its Xero_Contact_Link__c).
 */
export function planDraftUpdate(
  current: DraftState,
  correction: DraftCorrection,
  ctx: {
    entity: BillingEntity;
    taxRates: readonly TenantTaxRate[];
    linkedContactIds: readonly string[];
    unitDp?: 2 | 4;
  },
): DraftUpdate | null {
  const problems: string[] = [];
  const byId = new Map(current.lineItems.map((line) => [line.lineItemId, line]));
  const sent = new Set<string>();
  for (const [index, line] of correction.lines.entries()) {
    if (!line.lineItemId) continue;
    if (!byId.has(line.lineItemId))
      problems.push(`${describeLine(line, index)} is not on the Xero draft (LineItemID ${line.lineItemId})`);
    else if (sent.has(line.lineItemId))
      problems.push(`${describeLine(line, index)} repeats LineItemID ${line.lineItemId}`);
    sent.add(line.lineItemId);
  }
  if (!ctx.linkedContactIds.includes(correction.contactId)) {
    problems.push(
      `contact ${correction.contactId} is not linked to the invoice's Account in ${ctx.entity.developerName}`,
    );
  }
  const date = assertIsoDate(correction.date, 'issue date');
  if (correction.dueDate && compareDates(assertIsoDate(correction.dueDate, 'due date'), date) < 0) {
    problems.push(`the due date ${correction.dueDate} is before the issue date ${date}`);
  }
  throwIfProblems('INVALID_INVOICE', 'Cannot correct the Xero draft', problems);

  const document = mapDocument({
    type: 'ACCREC',
    entity: ctx.entity,
    contact: { contactId: correction.contactId },
    currencyCode: current.currencyCode,
    date,
    reference: correction.reference,
    lines: correction.lines,
    taxRates: ctx.taxRates,
    ...(ctx.unitDp ? { unitDp: ctx.unitDp } : {}),
  });
  if (correction.dueDate) document.dueDate = correction.dueDate;
  const lineItems = document.lineItems.map((line, i): XeroDraftLine & { lineItemId?: string } => {
    const lineItemId = correction.lines[i]?.lineItemId;
    return lineItemId ? { ...line, lineItemId } : line;
  });
  const removedLineItemIds = current.lineItems.map((l) => l.lineItemId).filter((id) => !sent.has(id));

  const changes: string[] = [];
  if (current.contactId !== correction.contactId)
    changes.push(`contact ${current.contactId} → ${correction.contactId}`);
  if (current.date !== document.date) changes.push(`issue date ${current.date} → ${document.date}`);
  if (current.dueDate !== document.dueDate)
    changes.push(`due date ${current.dueDate ?? '—'} → ${document.dueDate ?? '—'}`);
  if ((current.reference ?? '') !== document.reference)
    changes.push(`reference "${current.reference ?? ''}" → "${document.reference}"`);
  lineItems.forEach((line, i) => {
    const before = line.lineItemId ? byId.get(line.lineItemId) : undefined;
    if (!before) changes.push(`${describeLine(line, i)} added`);
    else changes.push(...lineChanges(before, line, describeLine(line, i)));
  });
  current.lineItems.forEach((line, i) => {
    if (!sent.has(line.lineItemId)) changes.push(`${describeLine(line, i)} removed`);
  });
  // Xero keeps lines in the order sent: a reorder is a change too.
  const order = (ids: (string | undefined)[]) => ids.filter((id) => id && byId.has(id)).join();
  if (
    changes.length === 0 &&
    order(lineItems.map((l) => l.lineItemId)) !== order(current.lineItems.map((l) => l.lineItemId))
  ) {
    changes.push('lines reordered');
  }
  if (changes.length === 0) return null;

  const version = createHash('sha256')
    .update(
      JSON.stringify({
        invoiceId: current.invoiceId,
        contact: document.contact,
        date: document.date,
        dueDate: document.dueDate,
        reference: document.reference,
        lineItems,
      }),
    )
    .digest('hex')
    .slice(0, 12);
  return { invoiceId: current.invoiceId, document, lineItems, removedLineItemIds, changes, version };
}

/** The request key of a correction: the same correction replayed is the same request. */
export function draftUpdateKey(salesforceInvoiceId: string, update: Pick<DraftUpdate, 'version'>): string {
  return `UPDATE_DRAFT:${salesforceInvoiceId}:${update.version}`;
}
