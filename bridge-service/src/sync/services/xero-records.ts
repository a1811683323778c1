/**
 * Xero documents as the package's Salesforce records (names without namespace). Amounts travel as JSON numbers
 * made from Xero's own 2-dp values; nothing is computed here but the display status.
 */
import { creditDisplayStatus, isCreditStatus } from '../../domain/drift';
import { invoiceDisplayStatus, type XeroInvoiceStatus } from '../../domain/receivables';
import { fromApiNumber, toWire } from '../../domain/money';
import type {
  XeroAllocation,
  XeroCreditNote,
  XeroDate,
  XeroInvoice,
  XeroLineItem,
  XeroPayment,
  XeroPaymentSummary,
} from '../../xero/types';
import { CreditAllocation, CreditNote, Invoice, InvoiceLine, Payment } from '../../salesforce/objects';
import type { SObjectWrite } from '../../salesforce/sobject';

export type InvoiceWrite = SObjectWrite<typeof Invoice>;
export type InvoiceLineWrite = SObjectWrite<typeof InvoiceLine>;
export type PaymentWrite = SObjectWrite<typeof Payment>;
export type CreditNoteWrite = SObjectWrite<typeof CreditNote>;
export type CreditAllocationWrite = SObjectWrite<typeof CreditAllocation>;

/** A Xero timestamp (xero-node turns `/Date(ms)/` into a Date) as ISO-8601, or null. */
export function isoDateTime(value: XeroDate | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** A Xero date as YYYY-MM-DD, or null. */
export function isoDate(value: XeroDate | undefined): string | null {
  return isoDateTime(value)?.slice(0, 10) ?? null;
}

/** A Xero amount for a Salesforce Number(16,2) field. */
export function amount(value: number | string | undefined, dp = 2): number {
  return Number(toWire(fromApiNumber(value ?? 0), dp));
}

export interface InvoiceContext {
  requestKey: string;
  opportunityId: string | null;
  accountId: string | null;
  billingEntity: string;
  tenantId: string;
  approved?: boolean;
  /** Approval_Status__c Pending: submitted, finance not yet decided. */
  awaitingApproval?: boolean;
  invoiceType?: string;
  servicePeriod?: { start: string; end: string };
  onlineInvoiceUrl?: string | null;
  now: number;
}

/** Invoice__c from a Xero invoice. */
export function invoiceRecord(invoice: XeroInvoice, ctx: InvoiceContext): InvoiceWrite {
  const status = (invoice.status ?? 'DRAFT') as XeroInvoiceStatus;
  const record: InvoiceWrite = {
    Request_Key__c: ctx.requestKey,
    Xero_Invoice_Id__c: invoice.invoiceID,
    Invoice_Number__c: invoice.invoiceNumber ?? null,
    Billing_Entity__c: ctx.billingEntity,
    Xero_Tenant_Id__c: ctx.tenantId,
    Currency_Code__c: invoice.currencyCode ?? null,
    Currency_Rate__c: invoice.currencyRate === undefined ? null : amount(invoice.currencyRate, 6),
    Sub_Total__c: amount(invoice.subTotal),
    Total_Tax__c: amount(invoice.totalTax),
    Total__c: amount(invoice.total),
    Amount_Paid__c: amount(invoice.amountPaid),
    Amount_Credited__c: amount(invoice.amountCredited),
    Amount_Due__c: amount(invoice.amountDue),
    Issue_Date__c: isoDate(invoice.date),
    Due_Date__c: isoDate(invoice.dueDate),
    Status__c: invoiceDisplayStatus({
      status,
      amountPaid: String(invoice.amountPaid ?? 0),
      amountCredited: String(invoice.amountCredited ?? 0),
      amountDue: String(invoice.amountDue ?? 0),
      approved: ctx.approved ?? false,
      awaitingApproval: ctx.awaitingApproval ?? false,
    }),
    Line_Amount_Type__c: invoice.lineAmountTypes ?? 'Exclusive',
    Reference__c: invoice.reference ?? null,
    Sync_Status__c: 'Synced',
    Sync_Message__c: null,
    Last_Synced__c: new Date(ctx.now).toISOString(),
    Xero_Updated__c: isoDateTime(invoice.updatedDateUTC),
  };
  if (ctx.opportunityId) record.Opportunity__c = ctx.opportunityId;
  if (ctx.accountId) record.Account__c = ctx.accountId;
  if (ctx.invoiceType) record.Invoice_Type__c = ctx.invoiceType;
  if (ctx.servicePeriod) {
    record.Service_Start_Date__c = ctx.servicePeriod.start;
    record.Service_End_Date__c = ctx.servicePeriod.end;
  }
  if (ctx.onlineInvoiceUrl !== undefined) record.Online_Invoice_URL__c = ctx.onlineInvoiceUrl;
  return record;
}

/** The Invoice__c fields an online-invoice link read on request (ONLINE_LINK) writes: the link alone. */
export function onlineLinkRecord(onlineInvoiceUrl: string): Pick<InvoiceWrite, 'Online_Invoice_URL__c'> {
  return { Online_Invoice_URL__c: onlineInvoiceUrl };
}

/** Invoice_Line__c rows for a Xero invoice, keyed by Xero's LineItemID. */
export function invoiceLineRecords(invoice: XeroInvoice, invoiceRecordId: string): InvoiceLineWrite[] {
  return (invoice.lineItems ?? [])
    .filter((line): line is XeroLineItem & { lineItemID: string } => Boolean(line.lineItemID))
    .map((line, index) => ({
      Xero_Line_Item_Id__c: line.lineItemID,
      Invoice__c: invoiceRecordId,
      Description__c: line.description ?? null,
      Quantity__c: amount(line.quantity, 4),
      Unit_Amount__c: amount(line.unitAmount, 4),
      Discount_Rate__c: line.discountRate === undefined ? null : amount(line.discountRate),
      Line_Amount__c: amount(line.lineAmount),
      Tax_Amount__c: amount(line.taxAmount),
      Tax_Type__c: line.taxType ?? null,
      Account_Code__c: line.accountCode ?? null,
      Item_Code__c: line.itemCode ?? null,
      Currency_Code__c: invoice.currencyCode ?? null,
      Sort_Order__c: index + 1,
    }));
}

/** Payment__c from a Xero payment (deleted payments keep their row, with status Deleted). */
export function paymentRecord(
  payment: XeroPayment,
  invoiceRecordId: string,
  currencyCode: string | null,
): PaymentWrite {
  return {
    Xero_Payment_Id__c: payment.paymentID,
    Invoice__c: invoiceRecordId,
    Amount__c: amount(payment.amount),
    Currency_Code__c: currencyCode,
    Currency_Rate__c: payment.currencyRate === undefined ? null : amount(payment.currencyRate, 6),
    Payment_Date__c: isoDate(payment.date),
    Reference__c: payment.reference ?? null,
    Status__c: payment.status === 'DELETED' ? 'Deleted' : 'Authorised',
    Xero_Updated__c: isoDateTime(payment.updatedDateUTC),
  };
}

/** A credit note's Status__c, as the drift check expects it (one mapping: domain/drift.ts); unknown reads as Draft. */
function creditNoteStatus(status: string | undefined): string {
  const value = status ?? 'DRAFT';
  return creditDisplayStatus(isCreditStatus(value) ? value : 'DRAFT');
}

/** Credit_Note__c from a Xero credit note. */
export function creditNoteRecord(
  note: XeroCreditNote,
  ctx: { invoiceRecordId: string | null; accountId: string | null; requestKey?: string; now: number },
): CreditNoteWrite {
  const record: CreditNoteWrite = {
    Xero_Credit_Note_Id__c: note.creditNoteID,
    Credit_Note_Number__c: note.creditNoteNumber ?? null,
    Currency_Code__c: note.currencyCode ?? null,
    Sub_Total__c: amount(note.subTotal),
    Total_Tax__c: amount(note.totalTax),
    Total__c: amount(note.total),
    Remaining_Credit__c: amount(note.remainingCredit),
    Status__c: creditNoteStatus(note.status),
    Issue_Date__c: isoDate(note.date),
    Sync_Status__c: 'Synced',
    Sync_Message__c: null,
    Last_Synced__c: new Date(ctx.now).toISOString(),
    Xero_Updated__c: isoDateTime(note.updatedDateUTC),
  };
  if (ctx.invoiceRecordId) record.Invoice__c = ctx.invoiceRecordId;
  if (ctx.accountId) record.Account__c = ctx.accountId;
  if (ctx.requestKey) record.Request_Key__c = ctx.requestKey;
  return record;
}

/** Credit_Allocation__c from one allocation of a Xero credit note (a removed allocation keeps its row, Deleted). */
export function allocationRecord(
  allocation: XeroAllocation,
  ctx: { creditNoteRecordId: string; invoiceRecordId: string | null; currencyCode: string | null },
): CreditAllocationWrite {
  const record: CreditAllocationWrite = {
    Xero_Allocation_Id__c: allocation.allocationID,
    Credit_Note__c: ctx.creditNoteRecordId,
    Amount__c: amount(allocation.amount),
    Currency_Code__c: ctx.currencyCode,
    Allocation_Date__c: isoDate(allocation.date),
    Status__c: allocation.isDeleted ? 'Deleted' : 'Active',
  };
  if (ctx.invoiceRecordId) record.Invoice__c = ctx.invoiceRecordId;
  return record;
}

/** Payment__c from a payment as an invoice lists it (Xero lists only payments that stand). */
export function invoicePaymentRecord(
  payment: XeroPaymentSummary,
  invoice: XeroInvoice,
  invoiceRecordId: string,
): PaymentWrite {
  return {
    Xero_Payment_Id__c: payment.paymentID,
    Invoice__c: invoiceRecordId,
    Amount__c: amount(payment.amount),
    Currency_Code__c: invoice.currencyCode ?? null,
    Currency_Rate__c: payment.currencyRate === undefined ? null : amount(payment.currencyRate, 6),
    Payment_Date__c: isoDate(payment.date),
    Reference__c: payment.reference ?? null,
    Status__c: 'Authorised',
    Xero_Updated__c: isoDateTime(invoice.updatedDateUTC),
  };
}
