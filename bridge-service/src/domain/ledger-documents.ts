/**
 * The receivables documents of one Xero tenant as the finance domain reads them for reconciliation, the drift check
 * and customer credit: invoices, credit notes, overpayments and prepayments, with their payments, refunds and
 * allocations. Plain data (amounts as decimal strings or big.js, dates as ISO days), filled by the xero/ layer from
 * Xero's responses and, for the Salesforce side, from the mirrors (Invoice__c, Payment__c, Credit_Note__c,
 * Credit_Allocation__c, Customer_Credit__c, Customer_Credit_Allocation__c).
 */
import type { IsoDate } from './dates';
import type { XeroInvoiceStatus } from './receivables';
import type { Decimal } from './xero-invoice-math';

/** A cash payment on an invoice, or a refund paid out of a credit note, overpayment or prepayment. */
export interface PaymentState {
  paymentId: string;
  amount: Decimal;
  date: IsoDate;
  status: 'AUTHORISED' | 'DELETED';
  reference?: string;
}

export type CreditKind = 'credit-note' | 'overpayment' | 'prepayment';

/** Part of a credit note, overpayment or prepayment applied to an invoice. */
export interface AllocationState {
  /** Xero's AllocationID, when it gives one. */
  allocationId?: string;
  creditKind: CreditKind;
  creditId: string;
  invoiceId: string;
  amount: Decimal;
  date: IsoDate;
  /** Deleted allocations (DELETE …/Allocations/{id}) no longer count. */
  status?: 'ACTIVE' | 'DELETED';
}

export interface InvoiceState {
  kind: 'invoice';
  invoiceId: string;
  invoiceNumber?: string;
  contactId: string;
  status: XeroInvoiceStatus;
  currencyCode: string;
  date: IsoDate;
  dueDate?: IsoDate;
  subTotal: Decimal;
  totalTax: Decimal;
  total: Decimal;
  amountPaid: Decimal;
  amountCredited: Decimal;
  amountDue: Decimal;
  /** Xero's UpdatedDateUTC (`/Date(ms)/`, ISO or epoch ms). */
  updatedAt?: string | number;
  payments: PaymentState[];
}

export type CreditStatus = 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'PAID' | 'VOIDED' | 'DELETED';

/** A credit note, or a customer's overpayment or prepayment (RECEIVE-* or AR*: xero/ledger-states.ts creditSide). */
export interface CreditState {
  kind: CreditKind;
  creditId: string;
  number?: string;
  contactId: string;
  status: CreditStatus;
  currencyCode: string;
  date: IsoDate;
  /** Credit notes and prepayments carry tax; an overpayment is all total. */
  subTotal?: Decimal;
  totalTax?: Decimal;
  total: Decimal;
  /** Xero's RemainingCredit. */
  remainingCredit: Decimal;
  updatedAt?: string | number;
  allocations: AllocationState[];
  refunds: PaymentState[];
  /** A credit note raised against one invoice (Credit_Note__c.Invoice__c). */
  invoiceId?: string;
}

/** Posted documents: what the ledger holds. Drafts and submitted ones are not yet, voided and deleted no longer. */
export const isPosted = (status: XeroInvoiceStatus | CreditStatus) => status === 'AUTHORISED' || status === 'PAID';

export const isActivePayment = (payment: PaymentState) => payment.status === 'AUTHORISED';
export const isActiveAllocation = (allocation: AllocationState) => (allocation.status ?? 'ACTIVE') === 'ACTIVE';

export const CREDIT_WORDS: Readonly<Record<CreditKind, string>> = {
  'credit-note': 'credit note',
  overpayment: 'overpayment',
  prepayment: 'prepayment',
};
