/**
 * Plain shapes the rest of the bridge uses to talk to Xero: camelCase like xero-node's models (the client
 * passes them through its serializer unchanged), but without SDK classes or enums, which stay in xero/.
 * Amounts go in as decimal strings (big.js `toFixed`) or numbers and come back as numbers (JSON); dates go
 * in as 'YYYY-MM-DD' and come back as Date objects or strings (xero-node turns /Date(...)/ into Date).
 */

export type Decimal = string | number;
export type XeroDate = string | Date;

export type XeroInvoiceType = 'ACCREC' | 'ACCPAY';
export type XeroDocumentStatus = 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'PAID' | 'VOIDED' | 'DELETED';
export type XeroLineAmountTypes = 'Exclusive' | 'Inclusive' | 'NoTax';
export type XeroElementStatus = 'OK' | 'WARNING' | 'ERROR';

export interface XeroContactRef {
  contactID?: string;
  contactNumber?: string;
  name?: string;
}

export interface XeroTrackingInput {
  name: string;
  option: string;
}

export interface XeroLineItemInput {
  lineItemID?: string;
  description?: string;
  quantity?: Decimal;
  unitAmount?: Decimal;
  itemCode?: string;
  accountCode?: string;
  taxType?: string;
  taxAmount?: Decimal;
  lineAmount?: Decimal;
  discountRate?: Decimal;
  discountAmount?: Decimal;
  tracking?: XeroTrackingInput[];
}

export interface XeroInvoiceInput {
  type: XeroInvoiceType;
  contact: XeroContactRef;
  lineItems: XeroLineItemInput[];
  date?: string;
  dueDate?: string;
  lineAmountTypes?: XeroLineAmountTypes;
  invoiceNumber?: string;
  reference?: string;
  brandingThemeID?: string;
  url?: string;
  currencyCode?: string;
  currencyRate?: Decimal;
  status?: 'DRAFT' | 'SUBMITTED' | 'AUTHORISED';
  expectedPaymentDate?: string;
}

export interface XeroCreditNoteInput {
  type: 'ACCRECCREDIT' | 'ACCPAYCREDIT';
  contact: XeroContactRef;
  lineItems: XeroLineItemInput[];
  date?: string;
  lineAmountTypes?: XeroLineAmountTypes;
  creditNoteNumber?: string;
  reference?: string;
  brandingThemeID?: string;
  currencyCode?: string;
  currencyRate?: Decimal;
  status?: 'DRAFT' | 'SUBMITTED' | 'AUTHORISED';
}

export interface XeroAddressInput {
  addressType: 'POBOX' | 'STREET';
  addressLine1?: string;
  addressLine2?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
  attentionTo?: string;
}

export interface XeroContactInput {
  name: string;
  contactNumber?: string;
  accountNumber?: string;
  emailAddress?: string;
  firstName?: string;
  lastName?: string;
  taxNumber?: string;
  defaultCurrency?: string;
  addresses?: XeroAddressInput[];
}

export interface XeroAllocationInput {
  invoiceId: string;
  amount: Decimal;
  /** 'YYYY-MM-DD' */
  date: string;
}

export interface XeroValidationError {
  message?: string;
}

/** Fields every element of a batch response may carry (summarizeErrors=false). */
export interface XeroElementFlags {
  hasErrors?: boolean;
  statusAttributeString?: string;
  validationErrors?: XeroValidationError[];
  warnings?: XeroValidationError[];
}

export interface XeroLineItem {
  lineItemID?: string;
  description?: string;
  quantity?: number;
  unitAmount?: number;
  itemCode?: string;
  accountCode?: string;
  taxType?: string;
  taxAmount?: number;
  lineAmount?: number;
  discountRate?: number;
  discountAmount?: number;
  tracking?: { trackingCategoryID?: string; trackingOptionID?: string; name?: string; option?: string }[];
}

export interface XeroPaymentSummary {
  paymentID?: string;
  date?: XeroDate;
  amount?: number;
  currencyRate?: number;
  reference?: string;
}

export interface XeroInvoice extends XeroElementFlags {
  invoiceID?: string;
  invoiceNumber?: string;
  /** Link back to the source record ("Go to …" in Xero); the bridge sets the Opportunity's URL. */
  url?: string;
  type?: XeroInvoiceType;
  status?: XeroDocumentStatus;
  contact?: XeroContactRef;
  lineItems?: XeroLineItem[];
  lineAmountTypes?: XeroLineAmountTypes;
  date?: XeroDate;
  dueDate?: XeroDate;
  reference?: string;
  brandingThemeID?: string;
  currencyCode?: string;
  currencyRate?: number;
  subTotal?: number;
  totalTax?: number;
  total?: number;
  amountDue?: number;
  amountPaid?: number;
  amountCredited?: number;
  fullyPaidOnDate?: XeroDate;
  sentToContact?: boolean;
  updatedDateUTC?: XeroDate;
  payments?: XeroPaymentSummary[];
  creditNotes?: { creditNoteID?: string; creditNoteNumber?: string; total?: number; appliedAmount?: number }[];
}

export interface XeroCreditNote extends XeroElementFlags {
  creditNoteID?: string;
  creditNoteNumber?: string;
  type?: 'ACCRECCREDIT' | 'ACCPAYCREDIT';
  status?: XeroDocumentStatus;
  contact?: XeroContactRef;
  lineItems?: XeroLineItem[];
  date?: XeroDate;
  reference?: string;
  currencyCode?: string;
  currencyRate?: number;
  subTotal?: number;
  totalTax?: number;
  total?: number;
  remainingCredit?: number;
  updatedDateUTC?: XeroDate;
  allocations?: XeroAllocation[];
}

export interface XeroContact extends XeroElementFlags {
  contactID?: string;
  contactNumber?: string;
  accountNumber?: string;
  name?: string;
  emailAddress?: string;
  contactStatus?: string;
  updatedDateUTC?: XeroDate;
}

export interface XeroPayment extends XeroElementFlags {
  paymentID?: string;
  invoice?: { invoiceID?: string; invoiceNumber?: string; type?: string };
  creditNote?: { creditNoteID?: string; creditNoteNumber?: string };
  date?: XeroDate;
  amount?: number;
  currencyRate?: number;
  reference?: string;
  status?: 'AUTHORISED' | 'DELETED';
  paymentType?: string;
  isReconciled?: boolean;
  updatedDateUTC?: XeroDate;
}

export interface XeroAllocation extends XeroElementFlags {
  allocationID?: string;
  invoice?: { invoiceID?: string; invoiceNumber?: string };
  amount?: number;
  date?: XeroDate;
  isDeleted?: boolean;
}

export interface XeroTaxRate {
  name?: string;
  taxType?: string;
  status?: string;
  effectiveRate?: number;
  displayTaxRate?: number;
  canApplyToRevenue?: boolean;
}

export interface XeroOrganisation {
  organisationID?: string;
  name?: string;
  legalName?: string;
  baseCurrency?: string;
  countryCode?: string;
  shortCode?: string;
  isDemoCompany?: boolean;
  organisationStatus?: string;
  timezone?: string;
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
