/**
 * The one place domain objects become xero-node's models and its models become what the bridge reads: documents
 * (invoices and credit notes share one mapper), contacts and allocations out, with the SDK's enums
 * (`Invoice.TypeEnum.ACCREC`, `LineAmountTypes`, `CurrencyCode`) and decimals as the numbers the SDK sends; documents
 * back with their enums as the names Xero sent. Anything the bridge should never send (a malformed decimal, an
 * unknown currency, a document without a Xero contact) is refused here, before a call is made.
 */
import {
  Address,
  CreditNote,
  CurrencyCode,
  Invoice,
  LineAmountTypes,
  type Account,
  type Allocations,
  type Contact,
  type Contacts,
  type CreditNotes,
  type Invoices,
  type Items,
  type LineItem,
  type Organisation,
  type Overpayment,
  type Payment,
  type Prepayment,
  type TaxRate,
  type TrackingCategory,
} from 'xero-node';
import type { XeroContactModel } from '../domain/contact';
import type { XeroDraftDocument } from '../domain/invoice-mapping';
import type { ItemToCreate } from '../domain/line-mapping';
import type { DraftUpdate } from '../domain/rework';
import { LedgerlineError } from '../lib/errors';
import {
  CREDIT_STATUSES,
  CREDIT_NOTE_TYPES,
  DOCUMENT_STATUSES,
  INVOICE_TYPES,
  LINE_AMOUNT_TYPES,
  PAYMENT_STATUSES,
  type XeroAccount,
  type XeroAllocationInput,
  type XeroCreditNote,
  type XeroInvoice,
  type XeroOrganisation,
  type XeroOverpayment,
  type XeroPayment,
  type XeroPrepayment,
  type XeroTaxRate,
  type XeroTrackingCategory,
} from './types';

/** A request the bridge refuses to send (bad batch size, missing key, malformed amount). A bug, not a Xero error. */
export class XeroRequestInvalid extends LedgerlineError {
  constructor(message: string) {
    super('XERO_REQUEST_INVALID', message);
  }
}

/** An invoice to create: the domain's draft, the status to create it in, and the record it links back to. */
export interface NewInvoice {
  document: XeroDraftDocument;
  status?: 'DRAFT' | 'AUTHORISED';
  /** "Go to …" in Xero: the Opportunity's page. */
  url?: string;
}

/** A credit note to create (the bridge creates them AUTHORISED, after finance approval in Salesforce). */
export interface NewCreditNote {
  document: XeroDraftDocument;
  status: 'DRAFT' | 'AUTHORISED';
}

/** A decimal string or number as the JSON number Xero expects; refuses anything that is not a plain decimal. */
export function decimal(value: string | number, what: string): number {
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!/^-?\d+(\.\d+)?$/.test(text) || !Number.isFinite(Number(text))) {
    throw new XeroRequestInvalid(`${what} ${JSON.stringify(value)} is not a decimal number`);
  }
  return Number(text);
}

function currency(code: string, what: string): CurrencyCode {
  const upper = code.toUpperCase();
  if (!isCurrencyCode(upper))
    throw new XeroRequestInvalid(`${what}: ${JSON.stringify(code)} is not a currency Xero knows`);
  return CurrencyCode[upper];
}

const isCurrencyCode = (code: string): code is keyof typeof CurrencyCode => Object.hasOwn(CurrencyCode, code);

function contactId(document: XeroDraftDocument, what: string): string {
  if (!('contactId' in document.contact)) throw new XeroRequestInvalid(`${what} has no Xero contact`);
  return document.contact.contactId;
}

/** What invoices and credit notes share: contact, date, amounts basis, currency, reference and lines. */
function documentFields(document: XeroDraftDocument, what: string) {
  return {
    contact: { contactID: contactId(document, what) },
    date: document.date,
    lineAmountTypes: LineAmountTypes[document.lineAmountTypes],
    currencyCode: currency(document.currencyCode, what),
    reference: document.reference,
  };
}

function lineItems(document: XeroDraftDocument, what: string, withDiscounts: boolean): LineItem[] {
  return document.lineItems.map((line, i) => ({
    description: line.description,
    quantity: decimal(line.quantity, `${what} line ${i} quantity`),
    unitAmount: decimal(line.unitAmount, `${what} line ${i} unitAmount`),
    accountCode: line.accountCode,
    taxType: line.taxType,
    // Credit notes take no discounts (they carry the net unit price: finance.md §1.1, xero-api.md §8); their lines
    // keep their item and tracking like an invoice's.
    ...(withDiscounts && line.discountRate
      ? { discountRate: decimal(line.discountRate, `${what} line ${i} discountRate`) }
      : {}),
    ...(line.itemCode ? { itemCode: line.itemCode } : {}),
    ...(line.tracking.length > 0 ? { tracking: line.tracking.map((t) => ({ name: t.name, option: t.option })) } : {}),
  }));
}

export function toInvoices(invoices: readonly NewInvoice[]): Invoices {
  return {
    invoices: invoices.map(({ document, status, url }, i): Invoice => {
      const what = `invoice ${i}`;
      if (document.lineItems.length === 0) throw new XeroRequestInvalid(`${what} has no line items`);
      return {
        type: Invoice.TypeEnum.ACCREC,
        status: Invoice.StatusEnum[status ?? 'DRAFT'],
        ...documentFields(document, what),
        ...(document.dueDate ? { dueDate: document.dueDate } : {}),
        ...(document.currencyRate ? { currencyRate: decimal(document.currencyRate, `${what} currencyRate`) } : {}),
        ...(document.brandingThemeId ? { brandingThemeID: document.brandingThemeId } : {}),
        ...(url ? { url } : {}),
        lineItems: lineItems(document, what, true),
      };
    }),
  };
}

export function toCreditNotes(notes: readonly NewCreditNote[]): CreditNotes {
  return {
    creditNotes: notes.map(({ document, status }, i): CreditNote => {
      const what = `credit note ${i}`;
      return {
        type: CreditNote.TypeEnum.ACCRECCREDIT,
        status: CreditNote.StatusEnum[status],
        ...documentFields(document, what),
        lineItems: lineItems(document, what, false),
      };
    }),
  };
}

/** The status change of one invoice (POST /Invoices/{id}). */
export function toStatusChange(invoiceId: string, status: 'SUBMITTED' | 'AUTHORISED' | 'VOIDED' | 'DELETED'): Invoices {
  return { invoices: [{ invoiceID: invoiceId, status: Invoice.StatusEnum[status] }] };
}

export function toContacts(contacts: readonly XeroContactModel[]): Contacts {
  return {
    contacts: contacts.map((contact, i): Contact => {
      if (!contact.name) throw new XeroRequestInvalid(`contact ${i} has no name`);
      return {
        name: contact.name,
        contactNumber: contact.contactNumber,
        ...(contact.emailAddress ? { emailAddress: contact.emailAddress } : {}),
        addresses: contact.addresses.map(({ addressType, ...lines }) => ({
          ...lines,
          addressType: Address.AddressTypeEnum[addressType],
        })),
      };
    }),
  };
}

/** Items to create (line mapping: the entity creates the items its products name when Xero lacks them). */
export function toItems(items: readonly ItemToCreate[]): Items {
  return {
    items: items.map((item) => ({
      code: item.code,
      name: item.name,
      isSold: true,
      salesDetails: { accountCode: item.accountCode, taxType: item.taxType },
    })),
  };
}

/**
 * A corrected draft as the update of the same Xero DRAFT (POST /Invoices/{id}): every line it should have, kept ones
 * with their LineItemID (Xero deletes the lines left out), and the contact, dates and reference.
 */
export function toDraftUpdate(update: DraftUpdate): Invoices {
  const what = `draft ${update.invoiceId}`;
  const lines = lineItems({ ...update.document, lineItems: update.lineItems }, what, true);
  return {
    invoices: [
      {
        invoiceID: update.invoiceId,
        contact: { contactID: contactId(update.document, what) },
        date: update.document.date,
        ...(update.document.dueDate ? { dueDate: update.document.dueDate } : {}),
        reference: update.document.reference,
        lineAmountTypes: LineAmountTypes[update.document.lineAmountTypes],
        lineItems: lines.map((line, i) => {
          const lineItemId = update.lineItems[i]?.lineItemId;
          return lineItemId ? { ...line, lineItemID: lineItemId } : line;
        }),
      },
    ],
  };
}

export function toAllocations(allocation: XeroAllocationInput): Allocations {
  return {
    allocations: [
      {
        invoice: { invoiceID: allocation.invoiceId },
        amount: decimal(allocation.amount, 'allocation amount'),
        date: allocation.date,
      },
    ],
  };
}

// ── what Xero sent back ─────────────────────────────────────────────────────────────────────────────────────────

/** The name Xero sent for an SDK enum field (the SDK types it as a number; it holds the name). */
const named =
  <T extends string>(names: readonly T[]) =>
  (value: unknown): T | undefined =>
    value === undefined || value === null ? undefined : names.find((name) => name === String(value));

const invoiceType = named(INVOICE_TYPES);
const creditNoteType = named(CREDIT_NOTE_TYPES);
const documentStatus = named(DOCUMENT_STATUSES);
const paymentStatus = named(PAYMENT_STATUSES);
const lineAmountTypes = named(LINE_AMOUNT_TYPES);
const text = (value: unknown) => (value === undefined || value === null ? undefined : String(value));

export function readInvoice(invoice: Invoice): XeroInvoice {
  return {
    ...invoice,
    type: invoiceType(invoice.type),
    status: documentStatus(invoice.status),
    lineAmountTypes: lineAmountTypes(invoice.lineAmountTypes),
    currencyCode: text(invoice.currencyCode),
  };
}

export function readCreditNote(note: CreditNote): XeroCreditNote {
  return {
    ...note,
    type: creditNoteType(note.type),
    status: documentStatus(note.status),
    lineAmountTypes: lineAmountTypes(note.lineAmountTypes),
    currencyCode: text(note.currencyCode),
  };
}

export function readPayment(payment: Payment): XeroPayment {
  const { invoice } = payment;
  return {
    ...payment,
    status: paymentStatus(payment.status),
    paymentType: text(payment.paymentType),
    invoice: invoice && {
      invoiceID: invoice.invoiceID,
      invoiceNumber: invoice.invoiceNumber,
      type: invoiceType(invoice.type),
    },
  };
}

export function readTaxRate(rate: TaxRate): XeroTaxRate {
  return { ...rate, status: text(rate.status) };
}

export function readOrganisation(organisation: Organisation): XeroOrganisation {
  return { ...organisation, baseCurrency: text(organisation.baseCurrency) };
}

const creditStatus = named(CREDIT_STATUSES);

export function readOverpayment(overpayment: Overpayment): XeroOverpayment {
  return {
    ...overpayment,
    type: text(overpayment.type),
    status: creditStatus(overpayment.status),
    lineAmountTypes: lineAmountTypes(overpayment.lineAmountTypes),
    currencyCode: text(overpayment.currencyCode),
  };
}

export function readPrepayment(prepayment: Prepayment): XeroPrepayment {
  return {
    ...prepayment,
    type: text(prepayment.type),
    status: creditStatus(prepayment.status),
    lineAmountTypes: lineAmountTypes(prepayment.lineAmountTypes),
    currencyCode: text(prepayment.currencyCode),
  };
}

export function readAccount(account: Account): XeroAccount {
  return {
    ...account,
    type: text(account.type),
    status: text(account.status),
    systemAccount: text(account.systemAccount),
    _class: text(account._class),
  };
}

export function readTrackingCategory(category: TrackingCategory): XeroTrackingCategory {
  return {
    ...category,
    status: text(category.status),
    options: (category.options ?? []).map((option) => ({
      ...(option.trackingOptionID ? { trackingOptionID: option.trackingOptionID } : {}),
      ...(option.name ? { name: option.name } : {}),
      ...(option.status !== undefined ? { status: text(option.status) } : {}),
    })),
  };
}
