import Big from 'big.js';
import type { ElementResult } from './documents';
import { findDocument, settle } from './documents';
import { readAllocation } from './allocations';
import { ledgerLockRefusal } from './lock-dates';
import { paymentInput, zodMessage, type PaymentInput } from './inputs';
import type { StoredAllocation, StoredDocument, StoredPayment, Tenant, XeroStore } from './store';
import { outstanding } from './store';
import { credits, findCredit, refundCredit, remainingCredit, undoRefund, type StoredCredit } from './credits';
import { parseDay } from './wire';

/**
 * Applies a payment to an AUTHORISED invoice (or refunds credit from a credit note). The amount may not
 * exceed what is outstanding, as Xero enforces.
 */
export function writePayment(store: XeroStore, tenantId: string, raw: unknown): ElementResult {
  const tenant = store.tenant(tenantId);
  if (!tenant) return { ok: false, errors: ['Unknown organisation.'] };
  const parsed = paymentInput.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: [zodMessage(parsed.error)] };
  const input = parsed.data;
  if (input.PaymentID !== undefined) {
    if (input.Status === 'DELETED') return deletePayment(store, tenantId, input.PaymentID);
    return { ok: false, errors: ['Payments cannot be edited; delete the payment and create a new one.'] };
  }
  const errors: string[] = [];

  let doc: StoredDocument | undefined;
  let credit: StoredCredit | undefined;
  if (input.Overpayment || input.Prepayment) {
    const kind = input.Overpayment ? 'overpayment' : 'prepayment';
    const id = input.Overpayment?.OverpaymentID ?? input.Prepayment?.PrepaymentID;
    credit = id !== undefined ? findCredit(tenant, kind, id) : undefined;
    if (!credit) errors.push(`${kind === 'overpayment' ? 'Overpayment' : 'Prepayment'} could not be found.`);
  } else if (input.Invoice) {
    const key = input.Invoice.InvoiceID ?? input.Invoice.InvoiceNumber;
    doc = key !== undefined ? findDocument(tenant, 'invoice', key) : undefined;
    if (!doc) errors.push('Invoice could not be found.');
  } else if (input.CreditNote) {
    const key = input.CreditNote.CreditNoteID ?? input.CreditNote.CreditNoteNumber;
    doc = key !== undefined ? findDocument(tenant, 'creditnote', key) : undefined;
    if (!doc) errors.push('Credit note could not be found.');
  } else {
    errors.push('A payment must reference an Invoice, a CreditNote, an Overpayment or a Prepayment.');
  }

  const accountKey = input.Account;
  const account = accountKey
    ? tenant.org.accounts.find(
        (a) =>
          (accountKey.AccountID !== undefined && a.AccountID === accountKey.AccountID) ||
          (accountKey.AccountID === undefined && a.Code === accountKey.Code),
      )
    : undefined;
  if (!account) errors.push('Account could not be found.');
  else if (account.Type !== 'BANK' && !account.EnablePaymentsToAccount)
    errors.push('Account type is invalid for making a payment to/from.');

  const date = input.Date !== undefined ? parseDay(input.Date) : store.today();
  if (date === undefined) errors.push(`Date '${input.Date}' is not a valid date.`);
  const lock = ledgerLockRefusal(store, tenant.org, [date]);
  if (lock) errors.push(lock);
  const paid = input.Amount;
  if (paid === undefined || paid.lte(0)) errors.push('Payment Amount must be greater than zero.');

  if (credit) {
    if (credit.status !== 'AUTHORISED')
      errors.push(`Only AUTHORISED credit can be refunded; this is ${credit.status}.`);
    else if (paid && paid.round(2, Big.roundHalfUp).gt(remainingCredit(credit)))
      errors.push('The refund exceeds the remaining credit.');
    if (account?.CurrencyCode !== undefined && account.CurrencyCode !== credit.currencyCode)
      errors.push('The bank account currency does not match the credit currency.');
  }
  if (doc) {
    if (doc.status !== 'AUTHORISED') {
      errors.push(`Payments can only be made against AUTHORISED documents; this one is ${doc.status}.`);
    } else if (paid && paid.round(2, Big.roundHalfUp).gt(outstanding(doc))) {
      errors.push('Payment amount exceeds the amount outstanding on this document.');
    }
    if (
      account?.CurrencyCode !== undefined &&
      account.CurrencyCode !== tenant.org.baseCurrency &&
      account.CurrencyCode !== doc.currencyCode
    ) {
      errors.push('The bank account currency does not match the document currency.');
    }
  }
  if (errors.length > 0 || !account || !paid || !date) return { ok: false, errors };
  if (credit) {
    const refund = newPayment(store, credit.kind, credit.id, account.AccountID, date, paid, input);
    refund.currencyRate =
      credit.currencyCode !== tenant.org.baseCurrency ? (input.CurrencyRate ?? credit.currencyRate) : new Big(1);
    tenant.payments.set(refund.id, refund);
    refundCredit(store, credit, refund);
    return { ok: true, id: refund.id, warnings: [] };
  }
  if (!doc) return { ok: false, errors };

  const foreign = doc.currencyCode !== tenant.org.baseCurrency;
  const now = store.clock.now();
  const payment: StoredPayment = {
    id: store.newId(),
    target: doc.kind,
    documentId: doc.id,
    accountId: account.AccountID,
    date,
    amount: paid.round(2, Big.roundHalfUp),
    currencyRate: foreign ? (input.CurrencyRate ?? doc.currencyRate) : new Big(1),
    reference: input.Reference,
    status: 'AUTHORISED',
    isReconciled: input.IsReconciled ?? false,
    createdAt: now,
    updatedAt: now,
  };
  tenant.payments.set(payment.id, payment);
  doc.paymentIds.push(payment.id);
  doc.amountPaid = doc.amountPaid.plus(payment.amount);
  settle(store, tenant, doc, date);
  return { ok: true, id: payment.id, warnings: [] };
}

/** Deleting a payment reverses it: AmountDue is restored and PAID falls back to AUTHORISED. */
export function deletePayment(store: XeroStore, tenantId: string, paymentId: string): ElementResult {
  const tenant = store.tenant(tenantId) as Tenant;
  const payment = tenant.payments.get(paymentId.toLowerCase()) ?? tenant.payments.get(paymentId);
  if (!payment) return { ok: false, errors: ['Payment could not be found.'] };
  if (payment.status === 'DELETED') return { ok: false, errors: ['This payment has already been deleted.'] };
  const lock = ledgerLockRefusal(store, tenant.org, [payment.date]);
  if (lock) return { ok: false, errors: [lock] };
  const doc =
    payment.target === 'invoice'
      ? tenant.invoices.get(payment.documentId)
      : payment.target === 'creditnote'
        ? tenant.creditNotes.get(payment.documentId)
        : undefined;
  payment.status = 'DELETED';
  payment.updatedAt = store.clock.now();
  if (payment.target === 'overpayment' || payment.target === 'prepayment') {
    const credit = credits(tenant, payment.target).get(payment.documentId);
    if (credit) undoRefund(store, credit, payment);
    return { ok: true, id: payment.id, warnings: [] };
  }
  if (doc) {
    doc.amountPaid = doc.amountPaid.minus(payment.amount);
    settle(store, tenant, doc, payment.date);
  }
  return { ok: true, id: payment.id, warnings: [] };
}

/**
 * Allocates credit to an invoice: both AUTHORISED, same currency, amount within RemainingCredit and
 * within the invoice's AmountDue. A fully used credit note becomes PAID.
 */
export function writeAllocation(
  store: XeroStore,
  tenantId: string,
  creditNote: StoredDocument,
  raw: unknown,
): ElementResult {
  const tenant = store.tenant(tenantId) as Tenant;
  const element = readAllocation(tenant, raw);
  if ('refused' in element) return element.refused;
  const { invoice, value, date, errors } = element;
  if (creditNote.status !== 'AUTHORISED')
    errors.push(`Credit can only be allocated from an AUTHORISED credit note; this one is ${creditNote.status}.`);
  if (invoice) {
    if (invoice.status !== 'AUTHORISED')
      errors.push(`Credit can only be allocated to an AUTHORISED invoice; this one is ${invoice.status}.`);
    if (invoice.currencyCode !== creditNote.currencyCode)
      errors.push('The credit note and invoice must be in the same currency.');
    const salesPair = (creditNote.type === 'ACCRECCREDIT') === (invoice.type === 'ACCREC');
    if (!salesPair) errors.push('A sales credit note can only be allocated to a sales invoice.');
  }
  if (value && value.gt(outstanding(creditNote)))
    errors.push('The amount allocated exceeds the remaining credit on this credit note.');
  if (value && invoice && value.gt(outstanding(invoice)))
    errors.push('The amount allocated exceeds the amount due on the invoice.');
  const lock = ledgerLockRefusal(store, tenant.org, [date]);
  if (lock) errors.push(lock);
  if (errors.length > 0 || !invoice || !value || !date) return { ok: false, errors };

  const allocation: StoredAllocation = {
    id: store.newId(),
    creditNoteId: creditNote.id,
    invoiceId: invoice.id,
    amount: value.round(2, Big.roundHalfUp),
    date,
    deleted: false,
    createdAt: store.clock.now(),
  };
  tenant.allocations.set(allocation.id, allocation);
  creditNote.allocationIds.push(allocation.id);
  invoice.allocationIds.push(allocation.id);
  creditNote.amountCredited = creditNote.amountCredited.plus(allocation.amount);
  invoice.amountCredited = invoice.amountCredited.plus(allocation.amount);
  settle(store, tenant, invoice, date);
  settle(store, tenant, creditNote, date);
  return { ok: true, id: allocation.id, warnings: [] };
}

/**
 * Removes an allocation and puts the money back on both documents; refused when the allocation is dated on or before
 * a lock date (lock-dates.ts).
 */
export function deleteAllocation(store: XeroStore, tenant: Tenant, allocation: StoredAllocation): ElementResult {
  const lock = ledgerLockRefusal(store, tenant.org, [allocation.date]);
  if (lock) return { ok: false, errors: [lock] };
  allocation.deleted = true;
  const invoice = tenant.invoices.get(allocation.invoiceId);
  const note = tenant.creditNotes.get(allocation.creditNoteId);
  if (invoice) {
    invoice.amountCredited = invoice.amountCredited.minus(allocation.amount);
    settle(store, tenant, invoice, allocation.date);
  }
  if (note) {
    note.amountCredited = note.amountCredited.minus(allocation.amount);
    settle(store, tenant, note, allocation.date);
  }
  return { ok: true, id: allocation.id, warnings: [] };
}

function newPayment(
  store: XeroStore,
  target: StoredPayment['target'],
  documentId: string,
  accountId: string,
  date: string,
  paid: Big,
  input: PaymentInput,
): StoredPayment {
  const now = store.clock.now();
  return {
    id: store.newId(),
    target,
    documentId,
    accountId,
    date,
    amount: paid.round(2, Big.roundHalfUp),
    currencyRate: new Big(1),
    reference: input.Reference,
    status: 'AUTHORISED',
    isReconciled: input.IsReconciled ?? false,
    createdAt: now,
    updatedAt: now,
  };
}
