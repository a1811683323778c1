/**
 * What one Xero invoice changes on its Invoice__c mirror: pure, so the newer-wins rules and the master-detail
 * rule are tested without Salesforce. Master-detail parents (Invoice_Line__c.Invoice__c, Payment__c.Invoice__c) are
 * only set when a child row is inserted: Salesforce refuses to write them on update.
 */
import type { InvoiceLine, Payment } from '../../salesforce/objects';
import { INVOICE_HEADER_FIELDS, type InvoiceForInbound } from '../../salesforce/selections';
import { childRecords } from '../../salesforce/soql';
import type { SObjectUpdate } from '../../salesforce/sobject';
import type { XeroInvoice } from '../../xero/types';
import {
  invoiceLineRecords,
  invoicePaymentRecord,
  invoiceRecord,
  isoDateTime,
  type InvoiceLineWrite,
  type InvoiceWrite,
  type PaymentWrite,
} from '../services/xero-records';
import { asStored, isNewer, xeroVersion } from './versions';

/** Change__c values of Sync_Update__e. */
export type ChangeKind = 'STATUS' | 'PAYMENT' | 'CREDIT_NOTE';

/** What one Xero invoice changes on its mirror. */
export interface InvoicePlan {
  update: InvoiceWrite & { Id: string };
  lineUpdates: SObjectUpdate<typeof InvoiceLine>[];
  lineInserts: InvoiceLineWrite[];
  paymentUpdates: SObjectUpdate<typeof Payment>[];
  paymentInserts: PaymentWrite[];
  change: ChangeKind;
  /** The mirror already holds this version, header, lines and payments: nothing to write. */
  unchanged: boolean;
  /**
   * A newer version with nothing the mirror holds changed: the header fields, no line or payment to add, no payment
   * gone, on an invoice past the draft (Xero edits its lines and amounts only on drafts, xero-api.md section 7). The
   * bump of an email (SentToContact) or a note. Written (the version, and the rest as read), not a change.
   */
  restamp: boolean;
}

/**
 * The mirror's fields held against a Xero invoice of the version it already holds. Xero bumps UpdatedDateUTC on
 * nearly every change, but not all (xero-api.md section 6: DueDate on part-paid documents): an equal version whose
 * fields differ is still written.
 */
const HEADER_FIELDS = INVOICE_HEADER_FIELDS satisfies readonly (keyof InvoiceForInbound & keyof InvoiceWrite)[];

/** Equal as Salesforce stores them: blanks alike, numbers by value (a Number field may come back as 1200 or "1200"). */
function same(a: unknown, b: unknown): boolean {
  const x = a ?? null;
  const y = b ?? null;
  if (x === null || y === null) return x === y;
  if (typeof x === 'number' || typeof y === 'number') return Number(x) === Number(y);
  return String(x) === String(y);
}

/**
 * True when the mirror already holds this invoice as Xero has it: the same version (to the second, as Salesforce
 * stores it), the same header fields. Reading
 * it in full or writing it again would change nothing (the bridge's own writes come back this way).
 */
export function mirrorHolds(mirror: InvoiceForInbound, invoice: XeroInvoice, record: InvoiceWrite): boolean {
  const version = xeroVersion(invoice.updatedDateUTC);
  if (version === undefined || asStored(version) !== xeroVersion(mirror.Xero_Updated__c)) return false;
  return sameHeader(mirror, record);
}

/** The mirror's header fields hold what this record (of any version) says. */
export function sameHeader(
  mirror: InvoiceForInbound,
  record: Pick<InvoiceWrite, (typeof HEADER_FIELDS)[number]>,
): boolean {
  return HEADER_FIELDS.every((field) => same(mirror[field], record[field]));
}

/** Xero statuses whose lines and amounts may be edited (xero-api.md section 7): a draft's bump may be an edit. */
const EDITABLE: ReadonlySet<string> = new Set(['DRAFT', 'SUBMITTED']);

/**
 * The writes that bring an Invoice__c mirror (queried with its lines' and payments' Xero ids) to a Xero invoice's
 * state, or undefined when the mirror already holds a newer version.
 */
export function planInvoice(
  mirror: InvoiceForInbound,
  invoice: XeroInvoice,
  ctx: { tenantId: string; now: number },
): InvoicePlan | undefined {
  if (!isNewer(invoice.updatedDateUTC, mirror.Xero_Updated__c)) return undefined;
  const record = invoiceRecord(invoice, {
    requestKey: mirror.Request_Key__c ?? `XERO:${invoice.invoiceID}`,
    opportunityId: mirror.Opportunity__c,
    accountId: mirror.Account__c,
    billingEntity: mirror.Billing_Entity__c ?? '',
    tenantId: mirror.Xero_Tenant_Id__c ?? ctx.tenantId,
    approved: mirror.Approval_Status__c === 'Approved',
    awaitingApproval: mirror.Approval_Status__c === 'Pending',
    now: ctx.now,
  });
  // Inbound reads never settle an outbound failure the record shows: leave sync status and message alone.
  const { Sync_Status__c: _status, Sync_Message__c: _message, ...fields } = record;
  const update = { ...fields, Id: mirror.Id };

  const lineIds = new Map(childRecords(mirror.Invoice_Lines__r).map((line) => [line.Xero_Line_Item_Id__c, line.Id]));
  const lineUpdates: SObjectUpdate<typeof InvoiceLine>[] = [];
  const lineInserts: InvoiceLineWrite[] = [];
  for (const line of invoiceLineRecords(invoice, mirror.Id)) {
    const existing = lineIds.get(line.Xero_Line_Item_Id__c ?? null);
    if (existing) {
      const { Invoice__c: _parent, ...lineFields } = line;
      lineUpdates.push({ ...lineFields, Id: existing });
    } else lineInserts.push(line);
  }

  const stored = childRecords(mirror.Payments__r);
  const storedIds = new Set(stored.map((p) => p.Xero_Payment_Id__c));
  const standing = (invoice.payments ?? []).filter((p): p is typeof p & { paymentID: string } => Boolean(p.paymentID));
  const paymentInserts = standing
    .filter((p) => !storedIds.has(p.paymentID))
    .map((p) => invoicePaymentRecord(p, invoice, mirror.Id));
  // Xero lists only the payments that stand; one the mirror holds that a newer invoice no longer lists was
  // deleted. Without a list at all (a summary read) nothing can be concluded unless nothing is paid.
  const listKnown = invoice.payments !== undefined || Number(invoice.amountPaid ?? 0) === 0;
  const standingIds = new Set(standing.map((p) => p.paymentID));
  const paymentUpdates: SObjectUpdate<typeof Payment>[] = listKnown
    ? stored
        .filter((p) => p.Status__c !== 'Deleted' && !standingIds.has(String(p.Xero_Payment_Id__c)))
        .map((p) => ({ Id: p.Id, Status__c: 'Deleted', Xero_Updated__c: isoDateTime(invoice.updatedDateUTC) }))
    : [];
  const paidChanged = Number(mirror.Amount_Paid__c ?? 0) !== Number(update.Amount_Paid__c ?? 0);
  const change: ChangeKind =
    paymentInserts.length > 0 || paymentUpdates.length > 0 || paidChanged ? 'PAYMENT' : 'STATUS';
  const nothingAdded = lineInserts.length === 0 && paymentInserts.length === 0 && paymentUpdates.length === 0;
  // lines are only edited on drafts, and an edit bumps the version
  const unchanged = nothingAdded && mirrorHolds(mirror, invoice, record);
  const restamp = !unchanged && nothingAdded && !EDITABLE.has(invoice.status ?? 'DRAFT') && sameHeader(mirror, record);
  return { update, lineUpdates, lineInserts, paymentUpdates, paymentInserts, change, unchanged, restamp };
}
