/**
 * The drift check: a Salesforce mirror (Invoice__c with its payments; Credit_Note__c or Customer_Credit__c with its
 * allocations and refunds) compared with the Xero document, field by field, each difference with its likely cause and
 * the fix to offer. Pure: both sides in, typed findings out (drift-findings.ts holds the causes and comparers);
 * tenantDrift pairs a tenant's documents, settleFindings turns a run into opened, still open and resolved results.
 *
 * Decisions (see README.md in this folder):
 * - Xero holds the ledger, so the usual fix is RESYNC (the mirror follows Xero). A change finance must judge first
 *   (authorised in Xero without the Salesforce approval, amounts edited in Xero after approval) is REVIEW; a contact
 *   that moved is RELINK, or REVIEW when another Account holds the new contact; a document Xero does not have is
 *   VOID_LOCALLY (the mirror is marked deleted, nothing is sent to Xero).
 * - Cause from the versions: Xero's UpdatedDateUTC later than the mirror's Xero_Updated__c means Xero changed and the
 *   change never reached Salesforce (webhook or poll lost); not later means the mirror itself is wrong (a lost or
 *   hand-edited write-back). Compared to the second, as Salesforce stores Xero_Updated__c. Missing versions count as
 *   "changed in Xero".
 * - Keys are stable (`Xero id:field`, `Xero id:payment:id`), so a run updates the same Reconciliation_Result__c.
 */
import { DomainError } from './errors';
import { money } from './money';
import { CREDIT_WORDS, type CreditState, type CreditStatus, type InvoiceState } from './ledger-documents';
import { invoiceDisplayStatus, type InvoiceDisplayStatus } from './receivables';
import {
  allocationCause,
  amountFindings,
  changedSince,
  contactFinding,
  editedCause,
  existence,
  finding,
  paidCause,
  paymentFindings,
  allocationFindings,
  statusFinding,
  PENDING,
  type AmountPair,
  type Context,
  type DriftFinding,
} from './drift-findings';

export { DRIFT_CAUSES, type DriftCause, type DriftFinding, type DriftFix } from './drift-findings';

/** What the mirror of an invoice holds (Invoice__c and its Payment__c records). */
export interface MirrorInvoice extends Omit<InvoiceState, 'kind' | 'status' | 'contactId' | 'updatedAt' | 'date'> {
  salesforceId: string;
  displayStatus: InvoiceDisplayStatus;
  /** Approval_Status__c = Approved. */
  approved?: boolean;
  /** Approval_Status__c = Pending. */
  awaitingApproval?: boolean;
  /** The Account's linked Xero contact for the entity (Xero_Contact_Link__c), when it has one. */
  contactId?: string;
  /** Xero_Updated__c: the Xero version the mirror was written from. */
  xeroUpdated?: string | number;
}

/** What the mirror of a credit holds (Credit_Note__c or Customer_Credit__c, and their allocations and refunds). */
export interface MirrorCredit extends Omit<CreditState, 'status' | 'contactId' | 'updatedAt' | 'date'> {
  salesforceId: string;
  displayStatus: string;
  approved?: boolean;
  contactId?: string;
  xeroUpdated?: string | number;
}

const GONE = new Set(['VOIDED', 'DELETED']);

const CREDIT_STATUS: Record<CreditStatus, string> = {
  DRAFT: 'Draft',
  SUBMITTED: 'Awaiting Approval',
  AUTHORISED: 'Authorised',
  PAID: 'Paid',
  VOIDED: 'Voided',
  DELETED: 'Deleted',
};

/** Whether a status Xero sent is one a credit note, overpayment or prepayment has. */
export const isCreditStatus = (status: string): status is CreditStatus => Object.hasOwn(CREDIT_STATUS, status);

/** Status__c of a credit mirror for Xero's status: the credit counterpart of invoiceDisplayStatus. */
export function creditDisplayStatus(status: CreditStatus, approved = false): string {
  return approved && (status === 'DRAFT' || status === 'SUBMITTED') ? 'Approved' : CREDIT_STATUS[status];
}

/** Every difference between an invoice's mirror and Xero's invoice (either may be missing, not both). */
export function invoiceDrift(
  mirror: MirrorInvoice | undefined,
  xero: InvoiceState | undefined,
  contactHolders?: ReadonlyMap<string, string>,
): DriftFinding[] {
  if (!mirror && !xero) throw new DomainError('INVALID_INPUT', 'The drift check needs the mirror or the Xero invoice');
  if (!xero) return [existence('invoice', mirror!.invoiceId, mirror!.salesforceId)];
  if (!mirror) return [existence('invoice', xero.invoiceId)];
  const ctx: Context = {
    document: 'invoice',
    xeroId: xero.invoiceId,
    salesforceId: mirror.salesforceId,
    currencyCode: xero.currencyCode,
    changedInXero: changedSince(xero.updatedAt, mirror.xeroUpdated),
    approvedOrPosted: Boolean(mirror.approved) || !PENDING.has(mirror.displayStatus),
  };
  const expected = invoiceDisplayStatus({
    ...xero,
    approved: mirror.approved ?? false,
    awaitingApproval: mirror.awaitingApproval ?? false,
  });
  const findings = [statusFinding(ctx, expected, mirror.displayStatus, xero.status)].filter((f) => f !== undefined);
  // A document voided or deleted in Xero: its amounts follow from that, and RESYNC brings them all.
  if (findings.length > 0 && GONE.has(xero.status)) return findings;
  if (mirror.currencyCode.toUpperCase() !== xero.currencyCode.toUpperCase()) {
    findings.push(
      finding(ctx, 'Currency', ctx.changedInXero ? 'EDITED_IN_XERO' : 'MIRROR_STALE', 'RESYNC', {
        salesforceValue: mirror.currencyCode,
        xeroValue: xero.currencyCode,
      }),
    );
  }
  const totals: AmountPair[] = [
    ['Sub Total', mirror.subTotal, xero.subTotal],
    ['Total Tax', mirror.totalTax, xero.totalTax],
    ['Total', mirror.total, xero.total],
  ];
  const totalChanged = !money(mirror.total).eq(money(xero.total));
  findings.push(
    ...amountFindings(ctx, totals, editedCause(ctx)),
    ...amountFindings(ctx, [['Amount Paid', mirror.amountPaid, xero.amountPaid]], paidCause),
    ...amountFindings(ctx, [['Amount Credited', mirror.amountCredited, xero.amountCredited]], allocationCause),
    // Less due in Xero: something was paid or applied there; more: removed there (or the total changed).
    ...amountFindings(ctx, [['Amount Due', mirror.amountDue, xero.amountDue]], (d) =>
      totalChanged ? editedCause(ctx)() : paidCause(d.neg()),
    ),
    ...paymentFindings(ctx, 'Payment', mirror.payments, xero.payments),
    ...contactFinding(ctx, mirror.contactId, xero.contactId, contactHolders),
  );
  return findings;
}

/** Every difference between a credit's mirror and Xero's credit note, overpayment or prepayment. */
export function creditDrift(
  mirror: MirrorCredit | undefined,
  xero: CreditState | undefined,
  contactHolders?: ReadonlyMap<string, string>,
): DriftFinding[] {
  if (!mirror && !xero) throw new DomainError('INVALID_INPUT', 'The drift check needs the mirror or the Xero credit');
  if (!xero) return [existence(mirror!.kind, mirror!.creditId, mirror!.salesforceId)];
  if (!mirror) return [existence(xero.kind, xero.creditId)];
  if (mirror.kind !== xero.kind) {
    throw new DomainError(
      'INVALID_INPUT',
      `${xero.creditId} is a ${CREDIT_WORDS[xero.kind]} in Xero, not a ${CREDIT_WORDS[mirror.kind]}`,
    );
  }
  const ctx: Context = {
    document: xero.kind,
    xeroId: xero.creditId,
    salesforceId: mirror.salesforceId,
    currencyCode: xero.currencyCode,
    changedInXero: changedSince(xero.updatedAt, mirror.xeroUpdated),
    approvedOrPosted: Boolean(mirror.approved) || !PENDING.has(mirror.displayStatus),
  };
  const expected = creditDisplayStatus(xero.status, mirror.approved);
  const status = statusFinding(ctx, expected, mirror.displayStatus, xero.status);
  if (status && GONE.has(xero.status)) return [status];
  return [
    ...(status ? [status] : []),
    ...amountFindings(
      ctx,
      [
        ['Sub Total', mirror.subTotal, xero.subTotal],
        ['Total Tax', mirror.totalTax, xero.totalTax],
        ['Total', mirror.total, xero.total],
      ],
      editedCause(ctx),
    ),
    ...amountFindings(ctx, [['Remaining Credit', mirror.remainingCredit, xero.remainingCredit]], allocationCause),
    ...allocationFindings(ctx, mirror.allocations, xero.allocations),
    ...paymentFindings(ctx, 'Refund', mirror.refunds, xero.refunds),
    ...contactFinding(ctx, mirror.contactId, xero.contactId, contactHolders),
  ];
}

/** One tenant's documents on both sides. Pass the Xero documents of linked contacts since the import date. */
export interface TenantDriftInput {
  mirrors: { invoices: readonly MirrorInvoice[]; credits: readonly MirrorCredit[] };
  xero: { invoices: readonly InvoiceState[]; credits: readonly CreditState[] };
  /** Xero ContactID → the Account whose link holds it, in this entity. */
  contactHolders?: ReadonlyMap<string, string>;
}

/** Every difference in one tenant, documents paired by their Xero id; findings in a stable order. */
export function tenantDrift(input: TenantDriftInput): DriftFinding[] {
  const pair = <M, X>(
    mirrors: readonly M[],
    xero: readonly X[],
    mirrorId: (m: M) => string,
    xeroId: (x: X) => string,
  ) => {
    const byId = new Map(xero.map((x) => [xeroId(x), x]));
    const mirrored = new Set(mirrors.map(mirrorId));
    return [
      ...mirrors.map((m): [M | undefined, X | undefined] => [m, byId.get(mirrorId(m))]),
      ...xero.filter((x) => !mirrored.has(xeroId(x))).map((x): [M | undefined, X | undefined] => [undefined, x]),
    ];
  };
  const holders = input.contactHolders;
  return [
    ...pair(
      input.mirrors.invoices,
      input.xero.invoices,
      (m) => m.invoiceId,
      (x) => x.invoiceId,
    ).flatMap(([m, x]) => invoiceDrift(m, x, holders)),
    ...pair(
      input.mirrors.credits,
      input.xero.credits,
      (m) => m.creditId,
      (x) => x.creditId,
    ).flatMap(([m, x]) => creditDrift(m, x, holders)),
  ].sort((a, b) => a.key.localeCompare(b.key));
}

export type ResultStatus = 'Open' | 'Resolved' | 'Dismissed';

export interface SettledRun<T extends { key: string } = DriftFinding> {
  /** Findings to write as Open: new ones, ones found again after they were resolved, and ones still open. */
  open: T[];
  /** Keys of Open results this run no longer finds: now Resolved. */
  resolved: string[];
  /** Findings finance dismissed that are still there: left Dismissed, values refreshed. */
  dismissed: T[];
}

/**
 * A run against the stored results: what opens, what stays, what resolves. Finance's dismissals are kept. Works for
 * any keyed result (drift findings, reconciliation differences).
 */
export function settleFindings<T extends { key: string } = DriftFinding>(
  previous: readonly { key: string; status: ResultStatus }[],
  findings: readonly T[],
): SettledRun<T> {
  const before = new Map(previous.map((p) => [p.key, p.status]));
  const found = new Set(findings.map((f) => f.key));
  return {
    open: findings.filter((f) => before.get(f.key) !== 'Dismissed'),
    resolved: previous.filter((p) => p.status === 'Open' && !found.has(p.key)).map((p) => p.key),
    dismissed: findings.filter((f) => before.get(f.key) === 'Dismissed'),
  };
}
