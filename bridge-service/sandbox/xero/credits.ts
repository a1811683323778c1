/**
 * Overpayments and prepayments: money a customer paid that no invoice took (yet). Xero creates them as bank
 * transactions (PUT /BankTransactions, Type RECEIVE-OVERPAYMENT or RECEIVE-PREPAYMENT) and shows them under
 * /Overpayments and /Prepayments, where credit is allocated to invoices (PUT …/Allocations, DELETE one) or refunded
 * (a Payment naming the Overpayment or Prepayment). RemainingCredit = Total − allocations − refunds; PAID once nothing
 * remains. Allocations follow the credit-note rules: both AUTHORISED, same currency, same contact, within the credit
 * and the invoice's AmountDue; they raise the invoice's AmountCredited (xero-api.md §8).
 *
 * Decisions where Xero is not documented here: an overpayment has one or more lines and no tax (LineAmountTypes is
 * NoTax, no account code needed: Xero posts it to accounts receivable); a prepayment is coded like an invoice (account
 * code and tax per line). Only the customer side is modelled (SPEND-* and AP* are a supplier's). The spec's
 * Overpayment.Type and Prepayment.Type also list AROVERPAYMENT / ARPREPAYMENT, which no API call makes
 * (BankTransaction.Type has no AR value) and whose origin is not documented here: the go-live control can list a
 * credit with its AR type (`recordCredit({arType: true})`); its bank transaction still reads RECEIVE-*.
 */
import Big from 'big.js';
import { z } from 'zod';
import type { LineAmountTypes } from './arithmetic';
import { computeTotals } from './arithmetic';
import { readAllocation } from './allocations';
import { resolveContactForDocument } from './contacts';
import { buildLines, settle, type ElementResult } from './documents';
import { contactRefInput, decimal, lineItemInput, text, zodMessage } from './inputs';
import { ledgerLockRefusal } from './lock-dates';
import type { StoredDocument, StoredLine, StoredPayment, Tenant, XeroStore } from './store';
import { contactSummary, outstanding, paymentSummary } from './store';
import { amount, dayPair, fixed, msDate, parseDay } from './wire';

export type CreditKind = 'overpayment' | 'prepayment';

export interface StoredCredit {
  kind: CreditKind;
  id: string;
  /** The bank transaction that created it (GET /BankTransactions/{id}). */
  bankTransactionId: string;
  type: 'RECEIVE-OVERPAYMENT' | 'RECEIVE-PREPAYMENT' | 'AROVERPAYMENT' | 'ARPREPAYMENT';
  contactId: string;
  bankAccountId: string;
  date: string;
  reference?: string;
  status: 'AUTHORISED' | 'PAID' | 'VOIDED';
  lineAmountTypes: LineAmountTypes;
  lines: StoredLine[];
  subTotal: Big;
  totalTax: Big;
  total: Big;
  currencyCode: string;
  currencyRate: Big;
  allocated: Big;
  refunded: Big;
  allocationIds: string[];
  paymentIds: string[];
  createdAt: number;
  updatedAt: number;
}

export interface StoredCreditAllocation {
  id: string;
  creditKind: CreditKind;
  creditId: string;
  invoiceId: string;
  amount: Big;
  date: string;
  deleted: boolean;
  createdAt: number;
}

export const TYPE_OF = {
  overpayment: 'RECEIVE-OVERPAYMENT',
  prepayment: 'RECEIVE-PREPAYMENT',
} as const satisfies Record<CreditKind, StoredCredit['type']>;

export const AR_TYPE_OF = {
  overpayment: 'AROVERPAYMENT',
  prepayment: 'ARPREPAYMENT',
} as const satisfies Record<CreditKind, StoredCredit['type']>;

export function credits(tenant: Tenant, kind: CreditKind): Map<string, StoredCredit> {
  return kind === 'overpayment' ? tenant.overpayments : tenant.prepayments;
}

/** A credit by its OverpaymentID / PrepaymentID, or by the id of the bank transaction that made it. */
export function findCredit(tenant: Tenant, kind: CreditKind, id: string): StoredCredit | undefined {
  const map = credits(tenant, kind);
  const lower = id.toLowerCase();
  return map.get(lower) ?? [...map.values()].find((c) => c.bankTransactionId === lower);
}

export function remainingCredit(credit: StoredCredit): Big {
  return credit.status === 'VOIDED' ? new Big(0) : credit.total.minus(credit.allocated).minus(credit.refunded);
}

/** PAID once nothing remains, AUTHORISED while something does; bumps UpdatedDateUTC. */
function resettle(store: XeroStore, credit: StoredCredit): void {
  if (credit.status !== 'VOIDED') credit.status = remainingCredit(credit).lte(0) ? 'PAID' : 'AUTHORISED';
  credit.updatedAt = store.clock.now();
}

export const bankTransactionInput = z.looseObject({
  Type: text,
  Contact: contactRefInput.nullish(),
  BankAccount: z.looseObject({ AccountID: text, Code: text }).nullish(),
  LineItems: z.array(lineItemInput).nullish(),
  LineAmountTypes: text,
  Date: text,
  Reference: text,
  CurrencyCode: text,
  CurrencyRate: decimal.nullish().transform((value) => value ?? undefined),
  Status: text,
  BankTransactionID: text,
});

/** PUT /BankTransactions for a RECEIVE-OVERPAYMENT or RECEIVE-PREPAYMENT: the credit it creates. */
export function writeCreditTransaction(store: XeroStore, tenant: Tenant, raw: unknown, unitdp: 2 | 4): ElementResult {
  const parsed = bankTransactionInput.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: [zodMessage(parsed.error)] };
  const input = parsed.data;
  const kind: CreditKind | undefined =
    input.Type === 'RECEIVE-OVERPAYMENT'
      ? 'overpayment'
      : input.Type === 'RECEIVE-PREPAYMENT'
        ? 'prepayment'
        : undefined;
  if (input.BankTransactionID !== undefined)
    return { ok: false, errors: ['Bank transactions cannot be changed through the emulator.'] };
  if (!kind) {
    return {
      ok: false,
      errors: [
        `Bank transaction Type '${input.Type ?? ''}' is not modelled by the emulator; use RECEIVE-OVERPAYMENT or RECEIVE-PREPAYMENT.`,
      ],
    };
  }
  const errors: string[] = [];
  const org = tenant.org;
  const bank = org.accounts.find(
    (a) =>
      (input.BankAccount?.AccountID !== undefined && a.AccountID === input.BankAccount.AccountID) ||
      (input.BankAccount?.AccountID === undefined && a.Code === input.BankAccount?.Code),
  );
  if (!bank || bank.Type !== 'BANK') errors.push('BankAccount must be a bank account of the organisation.');
  if (input.Status !== undefined && input.Status !== 'AUTHORISED')
    errors.push('A bank transaction is created AUTHORISED.');
  const date = input.Date !== undefined ? parseDay(input.Date) : store.today();
  if (date === undefined) errors.push(`Date '${input.Date}' is not a valid date.`);
  const lock = ledgerLockRefusal(store, org, [date]);
  if (lock) errors.push(lock);
  const currencyCode = input.CurrencyCode ?? bank?.CurrencyCode ?? org.baseCurrency;
  if (!org.currencies.some((c) => c.Code === currencyCode))
    errors.push(`The currency '${currencyCode}' has not been added to this organisation.`);
  if (bank?.CurrencyCode && bank.CurrencyCode !== currencyCode)
    errors.push('The bank account currency does not match the transaction currency.');
  const rate =
    currencyCode === org.baseCurrency
      ? new Big(1)
      : (input.CurrencyRate ?? (org.dayRates[currencyCode] ? new Big(org.dayRates[currencyCode]!) : undefined));
  if (!rate) errors.push(`No exchange rate is available for ${currencyCode}; supply CurrencyRate.`);
  const lineAmountTypes: LineAmountTypes =
    kind === 'overpayment' ? 'NoTax' : ((input.LineAmountTypes ?? 'Exclusive') as LineAmountTypes);
  if (kind === 'overpayment' && input.LineAmountTypes !== undefined && input.LineAmountTypes !== 'NoTax')
    errors.push('An overpayment carries no tax: LineAmountTypes must be NoTax.');
  const items = input.LineItems ?? [];
  if (items.length === 0) errors.push('A bank transaction must have at least one line item.');
  const built = buildLines(
    tenant,
    'invoice',
    input.Type ?? '',
    'AUTHORISED',
    items,
    lineAmountTypes,
    store,
    unitdp,
    [],
    errors,
    {
      accountCodeRequired: kind === 'prepayment',
    },
  );
  if (!input.Contact) errors.push('A Contact must be specified for this type of transaction.');
  if (errors.length > 0 || !bank || !date || !rate) return { ok: false, errors };
  const contact = resolveContactForDocument(store, tenant, input.Contact ?? {}, errors);
  if (!contact) return { ok: false, errors };
  const totals = computeTotals(built.results, lineAmountTypes);
  if (totals.total.lte(0)) return { ok: false, errors: ['A receipt must be for more than zero.'] };
  const now = store.clock.now();
  const credit: StoredCredit = {
    kind,
    id: store.newId(),
    bankTransactionId: store.newId(),
    type: TYPE_OF[kind],
    contactId: contact.id,
    bankAccountId: bank.AccountID,
    date,
    reference: input.Reference,
    status: 'AUTHORISED',
    lineAmountTypes,
    lines: built.lines,
    subTotal: totals.subTotal,
    totalTax: totals.totalTax,
    total: totals.total,
    currencyCode,
    currencyRate: rate,
    allocated: new Big(0),
    refunded: new Big(0),
    allocationIds: [],
    paymentIds: [],
    createdAt: now,
    updatedAt: now,
  };
  credits(tenant, kind).set(credit.id, credit);
  return { ok: true, id: credit.bankTransactionId, warnings: [] };
}

/** PUT /Overpayments|Prepayments/{id}/Allocations: applies credit to one invoice of the same contact. */
export function allocateCredit(store: XeroStore, tenant: Tenant, credit: StoredCredit, raw: unknown): ElementResult {
  const element = readAllocation(tenant, raw);
  if ('refused' in element) return element.refused;
  const { invoice, value, date, errors } = element;
  const word = credit.kind === 'overpayment' ? 'overpayment' : 'prepayment';
  if (credit.status !== 'AUTHORISED')
    errors.push(`Credit can only be allocated from an AUTHORISED ${word}; this one is ${credit.status}.`);
  if (invoice) {
    if (invoice.status !== 'AUTHORISED')
      errors.push(`Credit can only be allocated to an AUTHORISED invoice; this one is ${invoice.status}.`);
    if (invoice.type !== 'ACCREC') errors.push(`A received ${word} can only be allocated to a sales invoice.`);
    if (invoice.currencyCode !== credit.currencyCode)
      errors.push(`The ${word} and invoice must be in the same currency.`);
    if (invoice.contactId !== credit.contactId) errors.push(`The ${word} and invoice must be for the same contact.`);
    if (value && value.gt(outstanding(invoice)))
      errors.push('The amount allocated exceeds the amount due on the invoice.');
  }
  if (value && value.gt(remainingCredit(credit)))
    errors.push(`The amount allocated exceeds the remaining credit on this ${word}.`);
  const lock = ledgerLockRefusal(store, tenant.org, [date]);
  if (lock) errors.push(lock);
  if (errors.length > 0 || !invoice || !value || !date) return { ok: false, errors };

  const allocation: StoredCreditAllocation = {
    id: store.newId(),
    creditKind: credit.kind,
    creditId: credit.id,
    invoiceId: invoice.id,
    amount: value.round(2, Big.roundHalfUp),
    date,
    deleted: false,
    createdAt: store.clock.now(),
  };
  tenant.creditAllocations.set(allocation.id, allocation);
  credit.allocationIds.push(allocation.id);
  invoice.creditAllocationIds.push(allocation.id);
  credit.allocated = credit.allocated.plus(allocation.amount);
  invoice.amountCredited = invoice.amountCredited.plus(allocation.amount);
  resettle(store, credit);
  settle(store, tenant, invoice, date);
  return { ok: true, id: allocation.id, warnings: [] };
}

/**
 * DELETE …/Allocations/{id}: the money goes back on both sides; refused when the allocation is dated on or before a
 * lock date (lock-dates.ts).
 */
export function deleteCreditAllocation(
  store: XeroStore,
  tenant: Tenant,
  allocation: StoredCreditAllocation,
): ElementResult {
  const lock = ledgerLockRefusal(store, tenant.org, [allocation.date]);
  if (lock) return { ok: false, errors: [lock] };
  allocation.deleted = true;
  const credit = credits(tenant, allocation.creditKind).get(allocation.creditId);
  const invoice = tenant.invoices.get(allocation.invoiceId);
  if (credit) {
    credit.allocated = credit.allocated.minus(allocation.amount);
    resettle(store, credit);
  }
  if (invoice) {
    invoice.amountCredited = invoice.amountCredited.minus(allocation.amount);
    settle(store, tenant, invoice, allocation.date);
  }
  return { ok: true, id: allocation.id, warnings: [] };
}

/** A refund paid out of a credit (payments.ts checks it first): RemainingCredit falls. */
export function refundCredit(store: XeroStore, credit: StoredCredit, payment: StoredPayment): void {
  credit.paymentIds.push(payment.id);
  credit.refunded = credit.refunded.plus(payment.amount);
  resettle(store, credit);
}

/** A deleted refund: the credit holds the money again. */
export function undoRefund(store: XeroStore, credit: StoredCredit, payment: StoredPayment): void {
  credit.refunded = credit.refunded.minus(payment.amount);
  resettle(store, credit);
}

/** The invoice an allocation settles, for views. */
function invoiceRef(tenant: Tenant, invoiceId: string): Record<string, unknown> {
  const invoice: StoredDocument | undefined = tenant.invoices.get(invoiceId);
  return { InvoiceID: invoiceId, InvoiceNumber: invoice?.number ?? '' };
}

export function creditAllocationView(tenant: Tenant, allocation: StoredCreditAllocation): Record<string, unknown> {
  const idKey = allocation.creditKind === 'overpayment' ? 'Overpayment' : 'Prepayment';
  return {
    AllocationID: allocation.id,
    Amount: amount(allocation.amount),
    ...dayPair(allocation.date, 'Date'),
    Invoice: invoiceRef(tenant, allocation.invoiceId),
    [idKey]: { [`${idKey}ID`]: allocation.creditId },
    IsDeleted: allocation.deleted,
  };
}

function lineView(line: StoredLine, unitdp: 2 | 4): Record<string, unknown> {
  return {
    LineItemID: line.LineItemID,
    ...(line.Description !== undefined ? { Description: line.Description } : {}),
    Quantity: fixed(line.Quantity, 4),
    UnitAmount: fixed(line.UnitAmount, unitdp),
    ...(line.AccountCode !== undefined ? { AccountCode: line.AccountCode } : {}),
    ...(line.ItemCode !== undefined ? { ItemCode: line.ItemCode } : {}),
    TaxType: line.TaxType,
    TaxAmount: amount(line.TaxAmount),
    LineAmount: amount(line.LineAmount),
    Tracking: line.Tracking.map((t) => ({ ...t })),
  };
}

/** GET /Overpayments and /Prepayments: the credit, its allocations and refunds. */
export function creditView(
  tenant: Tenant,
  credit: StoredCredit,
  options: { withLines: boolean; unitdp: 2 | 4 },
): Record<string, unknown> {
  const idKey = credit.kind === 'overpayment' ? 'OverpaymentID' : 'PrepaymentID';
  const refunds = credit.paymentIds
    .map((id) => tenant.payments.get(id))
    .filter((p): p is StoredPayment => p !== undefined && p.status === 'AUTHORISED')
    .map(paymentSummary);
  const view: Record<string, unknown> = {
    [idKey]: credit.id,
    Type: credit.type,
    Reference: credit.reference ?? '',
    Contact: contactSummary(tenant.contacts.get(credit.contactId), credit.contactId),
    ...dayPair(credit.date, 'Date'),
    Status: credit.status,
    LineAmountTypes: credit.lineAmountTypes,
    SubTotal: amount(credit.subTotal),
    TotalTax: amount(credit.totalTax),
    Total: amount(credit.total),
    UpdatedDateUTC: msDate(credit.updatedAt),
    UpdatedDateUTCString: new Date(credit.updatedAt).toISOString().slice(0, 19) + 'Z',
    CurrencyCode: credit.currencyCode,
    CurrencyRate: fixed(credit.currencyRate, 6),
    RemainingCredit: amount(remainingCredit(credit)),
    Allocations: credit.allocationIds
      .map((id) => tenant.creditAllocations.get(id))
      .filter((a): a is StoredCreditAllocation => a !== undefined && !a.deleted)
      .map((a) => creditAllocationView(tenant, a)),
    Payments: refunds,
    HasAttachments: false,
  };
  if (options.withLines) view.LineItems = credit.lines.map((line) => lineView(line, options.unitdp));
  return view;
}

/** GET /BankTransactions: the transaction behind a credit. */
export function bankTransactionView(
  tenant: Tenant,
  credit: StoredCredit,
  options: { withLines: boolean; unitdp: 2 | 4 },
): Record<string, unknown> {
  const bank = tenant.org.accounts.find((a) => a.AccountID === credit.bankAccountId);
  return {
    BankTransactionID: credit.bankTransactionId,
    [credit.kind === 'overpayment' ? 'OverpaymentID' : 'PrepaymentID']: credit.id,
    Type: TYPE_OF[credit.kind],
    Contact: contactSummary(tenant.contacts.get(credit.contactId), credit.contactId),
    BankAccount: { AccountID: credit.bankAccountId, Code: bank?.Code ?? '', Name: bank?.Name ?? '' },
    IsReconciled: false,
    ...dayPair(credit.date, 'Date'),
    Reference: credit.reference ?? '',
    CurrencyCode: credit.currencyCode,
    CurrencyRate: fixed(credit.currencyRate, 6),
    Status: credit.status === 'VOIDED' ? 'VOIDED' : 'AUTHORISED',
    LineAmountTypes: credit.lineAmountTypes,
    SubTotal: amount(credit.subTotal),
    TotalTax: amount(credit.totalTax),
    Total: amount(credit.total),
    UpdatedDateUTC: msDate(credit.updatedAt),
    HasAttachments: false,
    // The spec requires LineItems on a BankTransaction (xero_accounting.yaml, BankTransaction `required`) and gives
    // line details only to a paged list (getBankTransactions `page`): an unpaged list carries it empty, as its example.
    LineItems: options.withLines ? credit.lines.map((line) => lineView(line, options.unitdp)) : [],
  };
}
