/**
 * What PUT …/Allocations asks of an element for any credit (a credit note, an overpayment, a prepayment): an invoice
 * that exists (by InvoiceID or InvoiceNumber), an Amount above zero and a Date. What the credit itself allows (its
 * status, currency, contact, remaining credit) is checked by its own writer, after these (payments.ts, credits.ts).
 */
import type Big from 'big.js';
import { findDocument, type ElementResult } from './documents';
import { allocationInput, zodMessage } from './inputs';
import type { StoredDocument, Tenant } from './store';
import { parseDay } from './wire';

/** An element read so far: what it names (undefined where it failed) and the messages of what failed. */
export interface AllocationElement {
  invoice: StoredDocument | undefined;
  value: Big | undefined;
  date: string | undefined;
  errors: string[];
}

/** The element, or a refusal when it is not an allocation at all (its first zod issue, as Xero words one). */
export function readAllocation(tenant: Tenant, raw: unknown): AllocationElement | { refused: ElementResult } {
  const parsed = allocationInput.safeParse(raw);
  if (!parsed.success) return { refused: { ok: false, errors: [zodMessage(parsed.error)] } };
  const input = parsed.data;
  const errors: string[] = [];
  const key = input.Invoice?.InvoiceID ?? input.Invoice?.InvoiceNumber;
  const invoice = key !== undefined ? findDocument(tenant, 'invoice', key) : undefined;
  if (!invoice) errors.push('Invoice could not be found.');
  const value = input.Amount;
  if (value === undefined || value.lte(0)) errors.push('Allocation Amount must be greater than zero.');
  const date = input.Date !== undefined ? parseDay(input.Date) : undefined;
  if (date === undefined) errors.push('Allocation Date is required (YYYY-MM-DD).');
  return { invoice, value, date, errors };
}
