/**
 * The findings of the drift check (drift.ts): causes in words, fixes, and the field-by-field comparers shared by
 * invoices and credits. Cause from the versions: Xero's UpdatedDateUTC later than the mirror's Xero_Updated__c means
 * Xero changed and the change never reached Salesforce; not later means the mirror itself is wrong.
 */
import { money, toWire, type Money } from './money';
import {
  isActiveAllocation,
  isActivePayment,
  type AllocationState,
  type CreditKind,
  type PaymentState,
} from './ledger-documents';
import { xeroTimestamp } from './receivables';
import type { Decimal } from './xero-invoice-math';

export type DriftCause =
  | 'MIRROR_MISSING'
  | 'NOT_IN_XERO'
  | 'VOIDED_IN_XERO'
  | 'DELETED_IN_XERO'
  | 'AUTHORISED_IN_XERO'
  | 'EDITED_IN_XERO'
  | 'EDITED_AFTER_APPROVAL'
  | 'PAYMENT_RECORDED_IN_XERO'
  | 'PAYMENT_DELETED_IN_XERO'
  | 'ALLOCATION_CHANGED_IN_XERO'
  | 'CONTACT_RELINKED'
  | 'MIRROR_STALE';

export type DriftFix = 'RESYNC' | 'RELINK' | 'VOID_LOCALLY' | 'REVIEW';

export const DRIFT_CAUSES: Readonly<Record<DriftCause, string>> = {
  MIRROR_MISSING: 'in Xero but not in Salesforce: raised directly in Xero, or the webhook or poll was lost',
  NOT_IN_XERO: "not in the entity's Xero organisation: removed with the organisation's data, or the wrong tenant",
  VOIDED_IN_XERO: 'voided in Xero',
  DELETED_IN_XERO: 'deleted in Xero',
  AUTHORISED_IN_XERO: 'authorised in Xero without the Salesforce approval',
  EDITED_IN_XERO: 'edited in Xero; the change never reached Salesforce (webhook or poll lost)',
  EDITED_AFTER_APPROVAL: 'edited in Xero after approval',
  PAYMENT_RECORDED_IN_XERO: 'payment recorded in Xero; it never reached Salesforce (webhook or poll lost)',
  PAYMENT_DELETED_IN_XERO: 'payment deleted in Xero',
  ALLOCATION_CHANGED_IN_XERO: 'allocation or refund changed in Xero; it never reached Salesforce',
  CONTACT_RELINKED:
    "contact changed in Xero (edited on the document, or contacts merged): not the Account's linked contact",
  MIRROR_STALE: 'Salesforce holds something Xero never had: a write-back was lost, or the record was edited by hand',
};

export interface DriftFinding {
  /** Stable across runs: the Result_Key__c of the Reconciliation_Result__c. */
  key: string;
  document: 'invoice' | CreditKind;
  xeroId: string;
  salesforceId?: string;
  /** The field that differs (Status, Total, Amount Paid, Payment, Allocation, Contact, Document…). */
  field: string;
  salesforceValue?: string;
  xeroValue?: string;
  currencyCode?: string;
  /** Xero minus Salesforce, for amounts. */
  amountDifference?: string;
  cause: DriftCause;
  causeText: string;
  fix: DriftFix;
}

export const PENDING = new Set(['Draft', 'Awaiting Approval']);

export interface Context {
  document: DriftFinding['document'];
  xeroId: string;
  salesforceId?: string;
  currencyCode?: string;
  changedInXero: boolean;
  approvedOrPosted: boolean;
}

export function finding(
  ctx: Context,
  field: string,
  cause: DriftCause,
  fix: DriftFix,
  extra: Partial<DriftFinding> = {},
): DriftFinding {
  const { document, xeroId, salesforceId, currencyCode } = ctx;
  return {
    key: `${xeroId}:${field.toLowerCase().replace(/\s+/g, '-')}`,
    document,
    xeroId,
    ...(salesforceId ? { salesforceId } : {}),
    field,
    ...(currencyCode ? { currencyCode } : {}),
    cause,
    causeText: DRIFT_CAUSES[cause],
    fix,
    ...extra,
  };
}

/** A version to the second: Salesforce keeps Xero_Updated__c (a DateTime) in whole seconds, Xero's has milliseconds. */
const toSecond = (version: string | number) => Math.floor(xeroTimestamp(version) / 1000);

/**
 * Whether Xero changed the document after the version the mirror was written from. Compared as Salesforce stores it
 * (whole seconds, sync/inbound/versions.ts asStored): Xero's 10:00:00.790 written back reads 10:00:00.000, and is the
 * same version, so a mirror that differs from it was changed in Salesforce, not in Xero.
 */
export function changedSince(xero: string | number | undefined, mirror: string | number | undefined): boolean {
  if (xero === undefined || mirror === undefined) return true;
  return toSecond(xero) > toSecond(mirror);
}

// How far a posted document is settled, as its Salesforce status says.
const SETTLED: Readonly<Record<string, number>> = { Authorised: 0, 'Partially Paid': 1, Paid: 2 };

/**
 * Status: `expected` is Xero's status as Salesforce would show it (invoiceDisplayStatus, creditDisplayStatus), `actual`
 * the mirror's; `xeroStatus` is Xero's own word, kept for the cause.
 */
export function statusFinding(
  ctx: Context,
  expected: string,
  actual: string,
  xeroStatus: string,
): DriftFinding | undefined {
  if (expected === actual) return undefined;
  const values = { salesforceValue: actual, xeroValue: expected };
  if (xeroStatus === 'VOIDED') return finding(ctx, 'Status', 'VOIDED_IN_XERO', 'RESYNC', values);
  if (xeroStatus === 'DELETED') return finding(ctx, 'Status', 'DELETED_IN_XERO', 'RESYNC', values);
  if ((xeroStatus === 'AUTHORISED' || xeroStatus === 'PAID') && PENDING.has(actual)) {
    return finding(ctx, 'Status', 'AUTHORISED_IN_XERO', 'REVIEW', values);
  }
  const before = SETTLED[actual];
  const after = SETTLED[expected];
  if (ctx.changedInXero && before !== undefined && after !== undefined) {
    // More settled in Xero: a payment (or, on a credit, an allocation or refund) Salesforce missed; less: one removed.
    const cause: DriftCause =
      ctx.document !== 'invoice'
        ? 'ALLOCATION_CHANGED_IN_XERO'
        : after > before
          ? 'PAYMENT_RECORDED_IN_XERO'
          : 'PAYMENT_DELETED_IN_XERO';
    return finding(ctx, 'Status', cause, 'RESYNC', values);
  }
  return finding(ctx, 'Status', ctx.changedInXero ? 'EDITED_IN_XERO' : 'MIRROR_STALE', 'RESYNC', values);
}

export type AmountPair = [field: string, salesforce: Decimal | undefined, xero: Decimal | undefined];

/** Amounts: one finding per field that differs, its cause from `causeOf(Xero − Salesforce)`. */
export function amountFindings(
  ctx: Context,
  pairs: AmountPair[],
  causeOf: (difference: Money) => [DriftCause, DriftFix],
): DriftFinding[] {
  return pairs.flatMap(([field, ours, theirs]) => {
    if (ours === undefined || theirs === undefined || money(ours).eq(money(theirs))) return [];
    const difference = money(theirs).minus(money(ours));
    const [cause, fix]: [DriftCause, DriftFix] = ctx.changedInXero ? causeOf(difference) : ['MIRROR_STALE', 'RESYNC'];
    return [
      finding(ctx, field, cause, fix, {
        salesforceValue: toWire(money(ours)),
        xeroValue: toWire(money(theirs)),
        amountDifference: toWire(difference),
      }),
    ];
  });
}

/** Totals changed in Xero: a review once finance had approved (or the document is posted), else follow Xero. */
export const editedCause = (ctx: Context) => (): [DriftCause, DriftFix] =>
  ctx.approvedOrPosted ? ['EDITED_AFTER_APPROVAL', 'REVIEW'] : ['EDITED_IN_XERO', 'RESYNC'];
/** More paid in Xero: a payment Salesforce missed; less: one deleted in Xero. */
export const paidCause = (difference: Money): [DriftCause, DriftFix] =>
  difference.gt(0) ? ['PAYMENT_RECORDED_IN_XERO', 'RESYNC'] : ['PAYMENT_DELETED_IN_XERO', 'RESYNC'];
export const allocationCause = (): [DriftCause, DriftFix] => ['ALLOCATION_CHANGED_IN_XERO', 'RESYNC'];

/** Payments or refunds, one by one. */
export function paymentFindings(
  ctx: Context,
  kind: 'Payment' | 'Refund',
  ours: readonly PaymentState[],
  theirs: readonly PaymentState[],
): DriftFinding[] {
  const mirrored = new Map(ours.map((p) => [p.paymentId, p]));
  const inXero = new Map(theirs.map((p) => [p.paymentId, p]));
  const findings: DriftFinding[] = [];
  const key = (id: string) => `${ctx.xeroId}:${kind.toLowerCase()}:${id}`;
  for (const payment of theirs.filter(isActivePayment)) {
    const mirror = mirrored.get(payment.paymentId);
    const values = { xeroValue: toWire(money(payment.amount)), key: key(payment.paymentId) };
    if (!mirror || !isActivePayment(mirror)) {
      findings.push(
        finding(ctx, kind, 'PAYMENT_RECORDED_IN_XERO', 'RESYNC', { ...values, amountDifference: values.xeroValue }),
      );
    } else if (!money(mirror.amount).eq(money(payment.amount))) {
      const difference = toWire(money(payment.amount).minus(money(mirror.amount)));
      findings.push(
        finding(ctx, kind, 'MIRROR_STALE', 'RESYNC', {
          ...values,
          salesforceValue: toWire(money(mirror.amount)),
          amountDifference: difference,
        }),
      );
    }
  }
  for (const mirror of ours.filter(isActivePayment)) {
    const payment = inXero.get(mirror.paymentId);
    if (payment && isActivePayment(payment)) continue;
    const amount = toWire(money(mirror.amount));
    findings.push(
      finding(ctx, kind, 'PAYMENT_DELETED_IN_XERO', 'RESYNC', {
        key: key(mirror.paymentId),
        salesforceValue: amount,
        xeroValue: payment ? 'DELETED' : 'none',
        amountDifference: toWire(money(mirror.amount).neg()),
      }),
    );
  }
  return findings;
}

export function allocationFindings(
  ctx: Context,
  ours: readonly AllocationState[],
  theirs: readonly AllocationState[],
): DriftFinding[] {
  const id = (a: AllocationState) => a.allocationId ?? `${a.invoiceId}:${a.date}:${toWire(money(a.amount))}`;
  const total = (list: readonly AllocationState[], invoiceId: string) =>
    list
      .filter((a) => isActiveAllocation(a) && a.invoiceId === invoiceId)
      .reduce((s, a) => s.plus(money(a.amount)), money(0));
  const invoices = [...new Set([...ours, ...theirs].map((a) => a.invoiceId))].sort();
  return invoices.flatMap((invoiceId) => {
    const left = total(ours, invoiceId);
    const right = total(theirs, invoiceId);
    const sameSet =
      [...ours.filter((a) => a.invoiceId === invoiceId && isActiveAllocation(a))].map(id).sort().join() ===
      [...theirs.filter((a) => a.invoiceId === invoiceId && isActiveAllocation(a))].map(id).sort().join();
    if (left.eq(right) && sameSet) return [];
    return [
      finding(ctx, 'Allocation', 'ALLOCATION_CHANGED_IN_XERO', 'RESYNC', {
        key: `${ctx.xeroId}:allocation:${invoiceId}`,
        salesforceValue: toWire(left),
        xeroValue: toWire(right),
        amountDifference: toWire(right.minus(left)),
      }),
    ];
  });
}

export function contactFinding(
  ctx: Context,
  linked: string | undefined,
  actual: string,
  holders?: ReadonlyMap<string, string>,
): DriftFinding[] {
  if (!linked || linked === actual) return [];
  const heldByAnother = holders?.get(actual);
  return [
    finding(ctx, 'Contact', 'CONTACT_RELINKED', heldByAnother ? 'REVIEW' : 'RELINK', {
      salesforceValue: linked,
      xeroValue: actual,
    }),
  ];
}

export function existence(document: DriftFinding['document'], xeroId: string, salesforceId?: string): DriftFinding {
  const ctx: Context = {
    document,
    xeroId,
    changedInXero: true,
    approvedOrPosted: false,
    ...(salesforceId ? { salesforceId } : {}),
  };
  return salesforceId
    ? finding(ctx, 'Document', 'NOT_IN_XERO', 'VOID_LOCALLY', { salesforceValue: 'mirror', xeroValue: 'none' })
    : finding(ctx, 'Document', 'MIRROR_MISSING', 'RESYNC', { salesforceValue: 'none', xeroValue: 'document' });
}
