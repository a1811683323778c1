/**
 * What the rest of the bridge sees of Xero: xero-node's own models, with what the SDK lacks. The SDK declares its
 * enums as numbers but Xero sends their names (and the SDK passes them through), so the models the client returns
 * carry the names as string unions the sync layer can read; the rest is the SDK's. Only xero/ imports xero-node.
 */
import type {
  Account,
  Allocation,
  Contact,
  CreditNote,
  Invoice,
  Item,
  LineItem,
  Organisation,
  Overpayment,
  Payment,
  Prepayment,
  TaxRate,
  TrackingCategory,
} from 'xero-node';

/** A Xero date: xero-node turns `/Date(ms)/` into a Date; dates without time come as 'YYYY-MM-DD'. */
export type XeroDate = string | Date;

export const INVOICE_TYPES = ['ACCREC', 'ACCPAY'] as const;
export const CREDIT_NOTE_TYPES = ['ACCRECCREDIT', 'ACCPAYCREDIT'] as const;
export const DOCUMENT_STATUSES = ['DRAFT', 'SUBMITTED', 'AUTHORISED', 'PAID', 'VOIDED', 'DELETED'] as const;
export const PAYMENT_STATUSES = ['AUTHORISED', 'DELETED'] as const;
export const LINE_AMOUNT_TYPES = ['Exclusive', 'Inclusive', 'NoTax'] as const;

export type XeroInvoiceType = (typeof INVOICE_TYPES)[number];
export type XeroCreditNoteType = (typeof CREDIT_NOTE_TYPES)[number];
export type XeroDocumentStatus = (typeof DOCUMENT_STATUSES)[number];
export type XeroPaymentStatus = (typeof PAYMENT_STATUSES)[number];
export type XeroLineAmountTypes = (typeof LINE_AMOUNT_TYPES)[number];
export type XeroElementStatus = 'OK' | 'WARNING' | 'ERROR';

/** A model with some of its SDK enum fields as the names Xero sends. */
type Named<T, Names> = Omit<T, keyof Names> & { [K in keyof Names]?: Names[K] };

export type XeroInvoice = Named<
  Invoice,
  { type: XeroInvoiceType; status: XeroDocumentStatus; lineAmountTypes: XeroLineAmountTypes; currencyCode: string }
>;

export type XeroCreditNote = Named<
  CreditNote,
  { type: XeroCreditNoteType; status: XeroDocumentStatus; lineAmountTypes: XeroLineAmountTypes; currencyCode: string }
>;

/** The invoice a payment is on, as a payment lists it. */
export interface XeroInvoiceRef {
  invoiceID?: string;
  invoiceNumber?: string;
  type?: XeroInvoiceType;
}

export type XeroPayment = Named<Payment, { status: XeroPaymentStatus; paymentType: string; invoice: XeroInvoiceRef }>;

/** A payment as an invoice lists it. */
export type XeroPaymentSummary = Pick<Payment, 'paymentID' | 'date' | 'amount' | 'currencyRate' | 'reference'>;

export type XeroTaxRate = Named<TaxRate, { status: string }>;
export type XeroOrganisation = Named<Organisation, { baseCurrency: string }>;
export type XeroContact = Contact;
export type XeroContactRef = Pick<Contact, 'contactID' | 'contactNumber' | 'name'>;
export type XeroLineItem = LineItem;
export type XeroAllocation = Allocation;

/** An allocation of credit to one invoice. */
export interface XeroAllocationInput {
  invoiceId: string;
  /** A decimal string or number. */
  amount: string | number;
  /** 'YYYY-MM-DD' */
  date: string;
}

/** One element of a batch create, in request order. */
export interface BatchElementResult<T> {
  index: number;
  /** True when Xero created the element (a real id, no errors). */
  ok: boolean;
  status: XeroElementStatus;
  /** The Xero id, or null when the element failed (Xero echoes the all-zero GUID). */
  id: string | null;
  errors: string[];
  warnings: string[];
  record: T;
}

/** One page of a paged read. */
export interface XeroPage<T> {
  items: T[];
  page: number;
  pageSize: number;
  /** True if another page may follow (this page was full). */
  hasMore: boolean;
}

export interface PagedQuery {
  /** Only records changed since (If-Modified-Since, second-accurate). */
  modifiedSince?: Date;
  where?: string;
  order?: string;
  /** 1-based; default 1. */
  page?: number;
  /** 1-1000; default 100. */
  pageSize?: number;
}

// ── go-live: the ledger's other documents, items and the chart of accounts ─────────────────────────────────────────

export const CREDIT_STATUSES = ['AUTHORISED', 'PAID', 'VOIDED'] as const;
export type XeroCreditStatus = (typeof CREDIT_STATUSES)[number];

/** An overpayment (a customer's or a supplier's: ledger-states.ts creditSide) with its allocations and refunds. */
export type XeroOverpayment = Named<
  Overpayment,
  { type: string; status: XeroCreditStatus; lineAmountTypes: XeroLineAmountTypes; currencyCode: string }
>;
/** A prepayment (a customer's or a supplier's: ledger-states.ts creditSide) with its allocations and refunds. */
export type XeroPrepayment = Named<
  Prepayment,
  { type: string; status: XeroCreditStatus; lineAmountTypes: XeroLineAmountTypes; currencyCode: string }
>;
export type XeroItem = Item;
export type XeroAccount = Named<Account, { type: string; status: string; systemAccount: string; _class: string }>;
export type XeroTrackingCategory = Omit<Named<TrackingCategory, { status: string }>, 'options'> & {
  options?: { trackingOptionID?: string; name?: string; status?: string }[];
};

/** A page read with the paging Xero reports: the page, and how many there are. */
export interface PagedRead {
  /** Only records changed since (If-Modified-Since, second-accurate). */
  modifiedSince?: Date;
  where?: string;
  order?: string;
  page: number;
  pageSize: number;
}
