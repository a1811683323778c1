/**
 * Xero's documents as the finance domain reads them (domain/ledger-documents.ts, domain/contact-matching.ts): plain
 * data, amounts as decimal strings from Xero's own 2-dp values, dates as ISO days. The one place the go-live flows turn
 * xero-node's models into the domain's.
 */
import type { XeroContactStatus, XeroContactSummary } from '../domain/contact-matching';
import type {
  AllocationState,
  CreditKind,
  CreditState,
  CreditStatus,
  InvoiceState,
  PaymentState,
} from '../domain/ledger-documents';
import { fromApiNumber, toWire } from '../domain/money';
import type { Allocation, Payment } from 'xero-node';
import type {
  XeroContact,
  XeroCreditNote,
  XeroDate,
  XeroInvoice,
  XeroOverpayment,
  XeroPaymentSummary,
  XeroPrepayment,
} from './types';

const CONTACT_STATUSES: readonly XeroContactStatus[] = ['ACTIVE', 'ARCHIVED', 'GDPRREQUEST'];

/** A Xero amount as a 2-dp decimal string. */
export const decimalOf = (value: number | string | undefined | null): string => toWire(fromApiNumber(value ?? 0));

/** A Xero date (a Date from `/Date(ms)/`, or 'YYYY-MM-DD…') as an ISO day. */
export function isoDayOf(value: XeroDate | undefined | null): string {
  if (value === undefined || value === null || value === '') return '';
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value).slice(0, 10) : date.toISOString().slice(0, 10);
}

/** A Xero timestamp as epoch ms (UpdatedDateUTC), or undefined. */
export function epochOf(value: XeroDate | undefined | null): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = (value instanceof Date ? value : new Date(value)).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

export function contactSummaryOf(contact: XeroContact): XeroContactSummary | undefined {
  if (!contact.contactID || !contact.name) return undefined;
  const status = CONTACT_STATUSES.find((s) => s === String(contact.contactStatus ?? 'ACTIVE')) ?? 'ACTIVE';
  return {
    contactId: contact.contactID.toLowerCase(),
    name: contact.name,
    status,
    contactNumber: contact.contactNumber ?? null,
    accountNumber: contact.accountNumber ?? null,
    taxNumber: contact.taxNumber ?? null,
    emailAddress: contact.emailAddress ?? null,
  };
}

function paymentStateOf(payment: XeroPaymentSummary | Payment): PaymentState | undefined {
  if (!payment.paymentID) return undefined;
  const status = 'status' in payment && String(payment.status) === 'DELETED' ? 'DELETED' : 'AUTHORISED';
  return {
    paymentId: payment.paymentID.toLowerCase(),
    amount: decimalOf(payment.amount),
    date: isoDayOf(payment.date),
    status,
    ...(payment.reference ? { reference: payment.reference } : {}),
  };
}

export function invoiceStateOf(invoice: XeroInvoice): InvoiceState {
  return {
    kind: 'invoice',
    invoiceId: String(invoice.invoiceID).toLowerCase(),
    ...(invoice.invoiceNumber ? { invoiceNumber: invoice.invoiceNumber } : {}),
    contactId: String(invoice.contact?.contactID ?? '').toLowerCase(),
    status: invoice.status ?? 'DRAFT',
    currencyCode: invoice.currencyCode ?? '',
    date: isoDayOf(invoice.date),
    ...(invoice.dueDate ? { dueDate: isoDayOf(invoice.dueDate) } : {}),
    subTotal: decimalOf(invoice.subTotal),
    totalTax: decimalOf(invoice.totalTax),
    total: decimalOf(invoice.total),
    amountPaid: decimalOf(invoice.amountPaid),
    amountCredited: decimalOf(invoice.amountCredited),
    amountDue: decimalOf(invoice.amountDue),
    ...(epochOf(invoice.updatedDateUTC) !== undefined ? { updatedAt: epochOf(invoice.updatedDateUTC) } : {}),
    payments: (invoice.payments ?? []).flatMap((p) => paymentStateOf(p) ?? []),
  };
}

function allocationStateOf(allocation: Allocation, kind: CreditKind, creditId: string): AllocationState | undefined {
  const invoiceId = allocation.invoice?.invoiceID;
  if (!invoiceId) return undefined;
  return {
    ...(allocation.allocationID ? { allocationId: allocation.allocationID.toLowerCase() } : {}),
    creditKind: kind,
    creditId,
    invoiceId: invoiceId.toLowerCase(),
    amount: decimalOf(allocation.amount),
    date: isoDayOf(allocation.date),
    status: allocation.isDeleted ? 'DELETED' : 'ACTIVE',
  };
}

type AnyCredit = XeroCreditNote | XeroOverpayment | XeroPrepayment;

/**
 * Whose an overpayment or prepayment is, by its Type (Overpayment.Type and Prepayment.Type in xero_accounting.yaml): a
 * customer's (accounts receivable: RECEIVE-*, made by a bank receipt, or AROVERPAYMENT / ARPREPAYMENT) or a
 * supplier's (SPEND-*, APOVERPAYMENT, APPREPAYMENT). Only a customer's is mirrored and reconciled.
 */
export function creditSide(type: string | undefined | null): 'customer' | 'supplier' | 'unknown' {
  const t = String(type ?? '');
  if (CUSTOMER_CREDIT_TYPES.has(t)) return 'customer';
  return SUPPLIER_CREDIT_TYPES.has(t) ? 'supplier' : 'unknown';
}
const CUSTOMER_CREDIT_TYPES = new Set(['RECEIVE-OVERPAYMENT', 'AROVERPAYMENT', 'RECEIVE-PREPAYMENT', 'ARPREPAYMENT']);
const SUPPLIER_CREDIT_TYPES = new Set(['SPEND-OVERPAYMENT', 'SPEND-PREPAYMENT', 'APOVERPAYMENT', 'APPREPAYMENT']);

function creditStateOf(credit: AnyCredit, kind: CreditKind, id: string, number?: string): CreditState {
  const creditId = id.toLowerCase();
  return {
    kind,
    creditId,
    ...(number ? { number } : {}),
    contactId: String(credit.contact?.contactID ?? '').toLowerCase(),
    status: (credit.status ?? 'AUTHORISED') as CreditStatus,
    currencyCode: credit.currencyCode ?? '',
    date: isoDayOf(credit.date),
    subTotal: decimalOf(credit.subTotal),
    totalTax: decimalOf(credit.totalTax),
    total: decimalOf(credit.total),
    remainingCredit: decimalOf(credit.remainingCredit),
    ...(epochOf(credit.updatedDateUTC) !== undefined ? { updatedAt: epochOf(credit.updatedDateUTC) } : {}),
    allocations: (credit.allocations ?? []).flatMap((a) => allocationStateOf(a, kind, creditId) ?? []),
    refunds: (credit.payments ?? []).flatMap((p) => paymentStateOf(p) ?? []),
  };
}

export const creditNoteStateOf = (note: XeroCreditNote): CreditState =>
  creditStateOf(note, 'credit-note', String(note.creditNoteID), note.creditNoteNumber);
export const overpaymentStateOf = (overpayment: XeroOverpayment): CreditState =>
  creditStateOf(overpayment, 'overpayment', String(overpayment.overpaymentID), overpayment.reference);
export const prepaymentStateOf = (prepayment: XeroPrepayment): CreditState =>
  creditStateOf(prepayment, 'prepayment', String(prepayment.prepaymentID), prepayment.reference);
