import { randomUUID } from 'node:crypto';
import Big from 'big.js';
import type { Clock } from '../shared/clock';
import type { LineAmountTypes, MidpointRounding } from './arithmetic';
import { round2, toBase } from './arithmetic';
import type { StoredCredit, StoredCreditAllocation } from './credits';
import type { StoredItem } from './items';
import type { OrganisationSeed, Seed } from './seed';
import { amount, dayPair, fixed, msDate, WireNumber } from './wire';

export type DocStatus = 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'PAID' | 'VOIDED' | 'DELETED';
export type EventCategory = 'INVOICE' | 'CONTACT' | 'CREDITNOTE';
export type EventType = 'CREATE' | 'UPDATE';

export interface TrackingRef {
  TrackingCategoryID: string;
  TrackingOptionID: string;
  Name: string;
  Option: string;
}

export interface StoredLine {
  LineItemID: string;
  Description?: string;
  Quantity: Big;
  UnitAmount: Big;
  LineAmount: Big;
  TaxAmount: Big;
  TaxType: string;
  AccountCode?: string;
  ItemCode?: string;
  DiscountRate?: Big;
  DiscountAmount?: Big;
  grossAmount: Big;
  Tracking: TrackingRef[];
}

export interface StoredDocument {
  kind: 'invoice' | 'creditnote';
  id: string;
  type: string;
  number: string;
  reference?: string;
  contactId: string;
  date: string;
  dueDate?: string;
  expectedPaymentDate?: string;
  status: DocStatus;
  lineAmountTypes: LineAmountTypes;
  currencyCode: string;
  currencyRate: Big;
  brandingThemeId?: string;
  lines: StoredLine[];
  subTotal: Big;
  totalTax: Big;
  total: Big;
  totalDiscount: Big;
  /** Invoices: payments received. Credit notes: cash refunded. */
  amountPaid: Big;
  /** Invoices: credit allocated to them. Credit notes: credit allocated to invoices. */
  amountCredited: Big;
  sentToContact: boolean;
  fullyPaidOn?: string;
  url?: string;
  createdAt: number;
  updatedAt: number;
  paymentIds: string[];
  allocationIds: string[];
  /** Overpayment and prepayment allocations to this invoice (credits.ts). */
  creditAllocationIds: string[];
}

export interface StoredContact {
  id: string;
  name: string;
  contactNumber?: string;
  accountNumber?: string;
  firstName?: string;
  lastName?: string;
  emailAddress?: string;
  taxNumber?: string;
  defaultCurrency?: string;
  status: 'ACTIVE' | 'ARCHIVED' | 'GDPRREQUEST';
  addresses: unknown[];
  phones: unknown[];
  createdAt: number;
  updatedAt: number;
}

export interface StoredPayment {
  id: string;
  /** What the payment settles: an invoice; or a refund out of a credit note, overpayment or prepayment. */
  target: 'invoice' | 'creditnote' | 'overpayment' | 'prepayment';
  documentId: string;
  accountId: string;
  date: string;
  amount: Big;
  currencyRate: Big;
  reference?: string;
  status: 'AUTHORISED' | 'DELETED';
  isReconciled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface StoredAllocation {
  id: string;
  creditNoteId: string;
  invoiceId: string;
  amount: Big;
  date: string;
  deleted: boolean;
  createdAt: number;
}

/** A manual journal (accounting/manual-journals.ts): lines in the base currency, debits positive, credits negative. */
export interface StoredJournalLine {
  LineAmount: Big;
  AccountCode?: string;
  AccountID?: string;
  Description?: string;
  TaxType: string;
  Tracking: TrackingRef[];
}

export interface StoredManualJournal {
  id: string;
  narration: string;
  date: string;
  status: 'DRAFT' | 'POSTED' | 'VOIDED' | 'DELETED';
  lineAmountTypes: LineAmountTypes;
  url?: string;
  showOnCashBasisReports: boolean;
  lines: StoredJournalLine[];
  createdAt: number;
  updatedAt: number;
}

export interface Organisation extends OrganisationSeed {
  organisationId: string;
  createdAt: number;
}

export interface Tenant {
  org: Organisation;
  contacts: Map<string, StoredContact>;
  invoices: Map<string, StoredDocument>;
  creditNotes: Map<string, StoredDocument>;
  payments: Map<string, StoredPayment>;
  allocations: Map<string, StoredAllocation>;
  /** Customer overpayments and prepayments (credits.ts), by their OverpaymentID / PrepaymentID. */
  overpayments: Map<string, StoredCredit>;
  prepayments: Map<string, StoredCredit>;
  creditAllocations: Map<string, StoredCreditAllocation>;
  items: Map<string, StoredItem>;
  manualJournals: Map<string, StoredManualJournal>;
  nextInvoiceNumber: number;
  nextCreditNoteNumber: number;
  emailsSent: { invoiceId: string; to: string; at: number }[];
}

export type ChangeListener = (tenantId: string, category: EventCategory, type: EventType, doc: ChangeSubject) => void;
export interface ChangeSubject {
  id: string;
  data?: Record<string, string>;
}

export interface StoreOptions {
  clock: Clock;
  rounding: MidpointRounding;
  onChange?: ChangeListener;
  /** Base of online invoice links. */
  onlineInvoiceBase: string;
  /** Refuse a line whose ItemCode is not one of the organisation's items, as Xero does (default true). */
  validateItemCodes?: boolean;
  /** Hold invoices, credit notes, payments and allocations to the lock dates, as Xero does (default true). */
  enforceLockDates?: boolean;
}

/** All emulated organisations and their documents; pure in-memory state. */
export class XeroStore {
  readonly tenants = new Map<string, Tenant>();
  readonly clock: Clock;
  readonly rounding: MidpointRounding;
  readonly onlineInvoiceBase: string;
  validateItemCodes: boolean;
  enforceLockDates: boolean;
  private listeners: ChangeListener[] = [];

  constructor(seed: Seed, options: StoreOptions) {
    this.clock = options.clock;
    this.rounding = options.rounding;
    this.onlineInvoiceBase = options.onlineInvoiceBase;
    this.validateItemCodes = options.validateItemCodes ?? true;
    this.enforceLockDates = options.enforceLockDates ?? true;
    if (options.onChange) this.listeners.push(options.onChange);
    const now = this.clock.now();
    for (const org of seed.organisations) {
      const tenant: Tenant = {
        org: { ...org, organisationId: org.tenantId, createdAt: now },
        contacts: new Map(),
        invoices: new Map(),
        creditNotes: new Map(),
        payments: new Map(),
        allocations: new Map(),
        overpayments: new Map(),
        prepayments: new Map(),
        creditAllocations: new Map(),
        items: new Map(),
        manualJournals: new Map(),
        nextInvoiceNumber: 1,
        nextCreditNoteNumber: 1,
        emailsSent: [],
      };
      for (const contact of org.contacts) {
        tenant.contacts.set(contact.ContactID, {
          id: contact.ContactID,
          name: contact.Name,
          contactNumber: contact.ContactNumber,
          accountNumber: contact.AccountNumber,
          emailAddress: contact.EmailAddress,
          taxNumber: contact.TaxNumber,
          status: contact.ContactStatus,
          addresses: [],
          phones: [],
          createdAt: now,
          updatedAt: now,
        });
      }
      for (const item of org.items) {
        tenant.items.set(item.ItemID, {
          id: item.ItemID,
          code: item.Code,
          name: item.Name,
          description: item.Description,
          isSold: item.IsSold,
          isPurchased: false,
          salesDetails: item.SalesDetails,
          createdAt: now,
          updatedAt: now,
        });
      }
      this.tenants.set(org.tenantId, tenant);
    }
  }

  addListener(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /** Runs `fn` without telling listeners (webhooks): for history seeded before the app was connected. */
  quietly<T>(fn: () => T): T {
    const listeners = this.listeners;
    this.listeners = [];
    try {
      return fn();
    } finally {
      this.listeners = listeners;
    }
  }

  tenant(tenantId: string): Tenant | undefined {
    return this.tenants.get(tenantId);
  }

  /** Every mutation goes through here so UpdatedDateUTC and webhooks never drift apart. */
  touch(
    tenantId: string,
    category: EventCategory,
    type: EventType,
    record: { id: string; updatedAt: number },
    data?: Record<string, string>,
  ): void {
    record.updatedAt = this.clock.now();
    for (const listener of this.listeners) listener(tenantId, category, type, { id: record.id, data });
  }

  newId(): string {
    return randomUUID();
  }

  today(): string {
    return new Date(this.clock.now()).toISOString().slice(0, 10);
  }
}

/** AmountDue of an invoice / RemainingCredit of a credit note. */
export function outstanding(doc: StoredDocument): Big {
  return doc.total.minus(doc.amountPaid).minus(doc.amountCredited);
}

export function isForeign(tenant: Tenant, doc: StoredDocument): boolean {
  return doc.currencyCode !== tenant.org.baseCurrency;
}

/** Base-currency figures, kept for the control API (Xero exposes them only through journals). */
export function baseAmounts(tenant: Tenant, doc: StoredDocument, rounding: MidpointRounding): Record<string, string> {
  const rate = isForeign(tenant, doc) ? doc.currencyRate : new Big(1);
  return {
    BaseCurrency: tenant.org.baseCurrency,
    SubTotal: toBase(doc.subTotal, rate, rounding).toFixed(2),
    TotalTax: toBase(doc.totalTax, rate, rounding).toFixed(2),
    Total: toBase(doc.total, rate, rounding).toFixed(2),
    AmountDue: toBase(outstanding(doc), rate, rounding).toFixed(2),
  };
}

// ---------------------------------------------------------------------------------------------------
// Views: the PascalCase wire shape. Amounts stay exact (WireNumber) until serialised.

export interface ViewOptions {
  unitdp: 2 | 4;
  /** Paged and single-record reads carry line items; plain list reads do not (reference §6). */
  withLines: boolean;
  rounding: MidpointRounding;
}

export function contactSummary(contact: StoredContact | undefined, id: string): Record<string, unknown> {
  if (!contact) return { ContactID: id };
  const view: Record<string, unknown> = { ContactID: contact.id, Name: contact.name };
  if (contact.contactNumber !== undefined) view.ContactNumber = contact.contactNumber;
  if (contact.accountNumber !== undefined) view.AccountNumber = contact.accountNumber;
  if (contact.emailAddress !== undefined) view.EmailAddress = contact.emailAddress;
  view.ContactStatus = contact.status;
  view.HasValidationErrors = false;
  return view;
}

export function contactView(tenant: Tenant, contact: StoredContact, summaryOnly = false): Record<string, unknown> {
  let isCustomer = false;
  let isSupplier = false;
  for (const doc of tenant.invoices.values()) {
    if (doc.contactId !== contact.id || doc.status === 'DELETED') continue;
    if (doc.type === 'ACCREC') isCustomer = true;
    if (doc.type === 'ACCPAY') isSupplier = true;
  }
  const view: Record<string, unknown> = {
    ContactID: contact.id,
    ContactStatus: contact.status,
    Name: contact.name,
  };
  if (contact.contactNumber !== undefined) view.ContactNumber = contact.contactNumber;
  if (contact.accountNumber !== undefined) view.AccountNumber = contact.accountNumber;
  if (contact.firstName !== undefined) view.FirstName = contact.firstName;
  if (contact.lastName !== undefined) view.LastName = contact.lastName;
  if (contact.emailAddress !== undefined) view.EmailAddress = contact.emailAddress;
  if (contact.taxNumber !== undefined) view.TaxNumber = contact.taxNumber;
  if (contact.defaultCurrency !== undefined) view.DefaultCurrency = contact.defaultCurrency;
  if (!summaryOnly) {
    view.Addresses = contact.addresses;
    view.Phones = contact.phones;
    view.ContactGroups = [];
    view.ContactPersons = [];
  }
  view.UpdatedDateUTC = msDate(contact.updatedAt);
  view.IsSupplier = isSupplier;
  view.IsCustomer = isCustomer;
  view.HasAttachments = false;
  view.HasValidationErrors = false;
  return view;
}

function lineView(line: StoredLine, options: ViewOptions): Record<string, unknown> {
  const view: Record<string, unknown> = { LineItemID: line.LineItemID };
  if (line.Description !== undefined) view.Description = line.Description;
  view.Quantity = fixed(line.Quantity, 4);
  view.UnitAmount = fixed(
    line.UnitAmount.round(options.unitdp, options.rounding === 'half-even' ? 2 : 1),
    options.unitdp,
  );
  if (line.ItemCode !== undefined) view.ItemCode = line.ItemCode;
  if (line.AccountCode !== undefined) view.AccountCode = line.AccountCode;
  view.TaxType = line.TaxType;
  view.TaxAmount = amount(line.TaxAmount);
  view.LineAmount = amount(line.LineAmount);
  if (line.DiscountRate !== undefined) view.DiscountRate = fixed(line.DiscountRate, 2);
  if (line.DiscountAmount !== undefined) view.DiscountAmount = amount(line.DiscountAmount);
  view.Tracking = line.Tracking.map((t) => ({ ...t }));
  return view;
}

export function paymentSummary(payment: StoredPayment): Record<string, unknown> {
  return {
    PaymentID: payment.id,
    Date: msDate(Date.parse(`${payment.date}T00:00:00Z`)),
    Amount: amount(payment.amount),
    CurrencyRate: fixed(payment.currencyRate, 6),
    Reference: payment.reference ?? '',
    HasAccount: true,
    HasValidationErrors: false,
  };
}

export function invoiceView(tenant: Tenant, doc: StoredDocument, options: ViewOptions): Record<string, unknown> {
  const payments = doc.paymentIds
    .map((id) => tenant.payments.get(id))
    .filter((p): p is StoredPayment => p !== undefined && p.status === 'AUTHORISED')
    .map(paymentSummary);
  const credits = doc.allocationIds
    .map((id) => tenant.allocations.get(id))
    .filter((a): a is StoredAllocation => a !== undefined && !a.deleted)
    .map((allocation) => {
      const note = tenant.creditNotes.get(allocation.creditNoteId);
      return {
        CreditNoteID: allocation.creditNoteId,
        CreditNoteNumber: note?.number ?? '',
        AppliedAmount: amount(allocation.amount),
        ...dayPair(allocation.date, 'Date'),
        Total: amount(note?.total ?? new Big(0)),
        HasErrors: false,
      };
    });
  const view: Record<string, unknown> = {
    Type: doc.type,
    InvoiceID: doc.id,
    InvoiceNumber: doc.number,
    Reference: doc.reference ?? '',
    Payments: payments,
    CreditNotes: credits,
    Prepayments: appliedCredits(tenant, doc, 'prepayment'),
    Overpayments: appliedCredits(tenant, doc, 'overpayment'),
    AmountDue: amount(outstanding(doc)),
    AmountPaid: amount(doc.amountPaid),
    AmountCredited: amount(doc.amountCredited),
    CurrencyRate: fixed(doc.currencyRate, 6),
    IsDiscounted: doc.totalDiscount.gt(0),
    HasAttachments: false,
    HasErrors: false,
    Contact: contactSummary(tenant.contacts.get(doc.contactId), doc.contactId),
    ...dayPair(doc.date, 'Date'),
    ...dayPair(doc.dueDate, 'DueDate'),
    ...dayPair(doc.expectedPaymentDate, 'ExpectedPaymentDate'),
    Status: doc.status,
    LineAmountTypes: doc.lineAmountTypes,
    SubTotal: amount(doc.subTotal),
    TotalTax: amount(doc.totalTax),
    Total: amount(doc.total),
    UpdatedDateUTC: msDate(doc.updatedAt),
    CurrencyCode: doc.currencyCode,
    SentToContact: doc.sentToContact,
  };
  if (doc.totalDiscount.gt(0)) view.TotalDiscount = amount(doc.totalDiscount);
  if (doc.fullyPaidOn !== undefined) Object.assign(view, dayPair(doc.fullyPaidOn, 'FullyPaidOnDate'));
  if (doc.brandingThemeId !== undefined) view.BrandingThemeID = doc.brandingThemeId;
  if (doc.url !== undefined) view.Url = doc.url;
  if (options.withLines) view.LineItems = doc.lines.map((line) => lineView(line, options));
  return view;
}

/** What overpayments or prepayments applied to an invoice, as the invoice lists them (AppliedAmount). */
function appliedCredits(
  tenant: Tenant,
  doc: StoredDocument,
  kind: 'overpayment' | 'prepayment',
): Record<string, unknown>[] {
  const credits = kind === 'overpayment' ? tenant.overpayments : tenant.prepayments;
  return doc.creditAllocationIds
    .map((id) => tenant.creditAllocations.get(id))
    .filter((a): a is StoredCreditAllocation => a !== undefined && !a.deleted && a.creditKind === kind)
    .map((allocation) => {
      const credit = credits.get(allocation.creditId);
      return {
        [kind === 'overpayment' ? 'OverpaymentID' : 'PrepaymentID']: allocation.creditId,
        AppliedAmount: amount(allocation.amount),
        ...dayPair(allocation.date, 'Date'),
        Total: amount(credit?.total ?? new Big(0)),
        Reference: credit?.reference ?? '',
      };
    });
}

export function creditNoteView(tenant: Tenant, doc: StoredDocument, options: ViewOptions): Record<string, unknown> {
  const allocations = doc.allocationIds
    .map((id) => tenant.allocations.get(id))
    .filter((a): a is StoredAllocation => a !== undefined && !a.deleted)
    .map((allocation) => allocationView(tenant, allocation));
  const payments = doc.paymentIds
    .map((id) => tenant.payments.get(id))
    .filter((p): p is StoredPayment => p !== undefined && p.status === 'AUTHORISED')
    .map(paymentSummary);
  const view: Record<string, unknown> = {
    Type: doc.type,
    CreditNoteID: doc.id,
    CreditNoteNumber: doc.number,
    Reference: doc.reference ?? '',
    Contact: contactSummary(tenant.contacts.get(doc.contactId), doc.contactId),
    ...dayPair(doc.date, 'Date'),
    ...dayPair(doc.dueDate, 'DueDate'),
    Status: doc.status,
    LineAmountTypes: doc.lineAmountTypes,
    SubTotal: amount(doc.subTotal),
    TotalTax: amount(doc.totalTax),
    Total: amount(doc.total),
    UpdatedDateUTC: msDate(doc.updatedAt),
    CurrencyCode: doc.currencyCode,
    CurrencyRate: fixed(doc.currencyRate, 6),
    RemainingCredit: amount(outstanding(doc)),
    Allocations: allocations,
    Payments: payments,
    SentToContact: doc.sentToContact,
    HasAttachments: false,
    HasErrors: false,
  };
  if (doc.fullyPaidOn !== undefined) Object.assign(view, dayPair(doc.fullyPaidOn, 'FullyPaidOnDate'));
  if (doc.brandingThemeId !== undefined) view.BrandingThemeID = doc.brandingThemeId;
  if (options.withLines) view.LineItems = doc.lines.map((line) => lineView(line, options));
  return view;
}

export function allocationView(tenant: Tenant, allocation: StoredAllocation): Record<string, unknown> {
  const invoice = tenant.invoices.get(allocation.invoiceId);
  const note = tenant.creditNotes.get(allocation.creditNoteId);
  return {
    AllocationID: allocation.id,
    Amount: amount(allocation.amount),
    ...dayPair(allocation.date, 'Date'),
    Invoice: { InvoiceID: allocation.invoiceId, InvoiceNumber: invoice?.number ?? '' },
    CreditNote: { CreditNoteID: allocation.creditNoteId, CreditNoteNumber: note?.number ?? '' },
    IsDeleted: allocation.deleted,
  };
}

export function paymentView(
  tenant: Tenant,
  payment: StoredPayment,
  rounding: MidpointRounding,
): Record<string, unknown> {
  const credit =
    payment.target === 'overpayment'
      ? tenant.overpayments.get(payment.documentId)
      : payment.target === 'prepayment'
        ? tenant.prepayments.get(payment.documentId)
        : undefined;
  const doc =
    payment.target === 'invoice'
      ? tenant.invoices.get(payment.documentId)
      : payment.target === 'creditnote'
        ? tenant.creditNotes.get(payment.documentId)
        : undefined;
  const account = tenant.org.accounts.find((a) => a.AccountID === payment.accountId);
  const currencyCode = doc?.currencyCode ?? credit?.currencyCode;
  const foreign = currencyCode !== undefined && currencyCode !== tenant.org.baseCurrency;
  const bankAmount = foreign
    ? toBase(payment.amount, payment.currencyRate, rounding)
    : round2(payment.amount, rounding);
  const view: Record<string, unknown> = {
    PaymentID: payment.id,
    ...dayPair(payment.date, 'Date'),
    BankAmount: amount(bankAmount),
    Amount: amount(payment.amount),
    Reference: payment.reference ?? '',
    CurrencyRate: fixed(payment.currencyRate, 6),
    PaymentType:
      payment.target === 'overpayment'
        ? 'AROVERPAYMENTPAYMENT'
        : payment.target === 'prepayment'
          ? 'ARPREPAYMENTPAYMENT'
          : payment.target === 'invoice'
            ? doc?.type === 'ACCPAY'
              ? 'ACCPAYPAYMENT'
              : 'ACCRECPAYMENT'
            : doc?.type === 'ACCPAYCREDIT'
              ? 'APCREDITPAYMENT'
              : 'ARCREDITPAYMENT',
    Status: payment.status,
    UpdatedDateUTC: msDate(payment.updatedAt),
    HasAccount: true,
    IsReconciled: payment.isReconciled,
    Account: { AccountID: payment.accountId, Code: account?.Code ?? '' },
    HasValidationErrors: false,
  };
  if (doc) {
    // A credit note's refund names the note under Invoice too, its Type ACCRECCREDIT / ACCPAYCREDIT (the spec's
    // GET /Payments and payment-delete examples). The spec has no example of an overpayment's or prepayment's refund.
    view.Invoice = {
      Type: doc.type,
      InvoiceID: doc.id,
      InvoiceNumber: doc.number,
      CurrencyCode: doc.currencyCode,
      Contact: contactSummary(tenant.contacts.get(doc.contactId), doc.contactId),
    };
  }
  if (credit) {
    const contact = contactSummary(tenant.contacts.get(credit.contactId), credit.contactId);
    if (credit.kind === 'overpayment') view.Overpayment = { OverpaymentID: credit.id, Contact: contact };
    else view.Prepayment = { PrepaymentID: credit.id, Contact: contact };
  }
  return view;
}

export function isWireNumber(value: unknown): value is WireNumber {
  return value instanceof WireNumber;
}
