/**
 * Xero's state written back to Salesforce, newer version wins: the webhook handler and the poller both end here.
 * Invoices (apply-invoices.ts), credit notes with their allocations (apply-credit-notes.ts), payments
 * (apply-payments.ts), overpayments and prepayments (apply-customer-credits.ts) each go to their mirrors; what they
 * share is in apply-context.ts.
 */
import { applyCreditNotes } from './apply-credit-notes';
import { applyCustomerCredits, type XeroCustomerCredit } from './apply-customer-credits';
import { createApplyContext, type ApplyDeps, type ApplyMode, type ApplyScope } from './apply-context';
import { applyInvoiceEvents, applyInvoiceSummaries, applyInvoices, type InvoiceEvent } from './apply-invoices';
import { applyPayments } from './apply-payments';
import type { XeroCreditNote, XeroInvoice, XeroPayment } from '../../xero/types';

export type { ApplyDeps, ApplyMode, ApplyResult, ApplyScope, ChangedInvoice } from './apply-context';
export { latestEvents, type InvoiceEvent } from './apply-invoices';
export { planInvoice, type ChangeKind, type InvoicePlan } from './invoice-plan';
export { isNewer, latestOf, xeroVersion } from './versions';
export type { XeroCustomerCredit } from './apply-customer-credits';

export function createInboundApply(deps: ApplyDeps) {
  const ctx = createApplyContext(deps);
  return {
    applyInvoices: (tenantId: string, invoices: readonly XeroInvoice[], mode?: ApplyMode, scope?: ApplyScope) =>
      applyInvoices(deps, ctx, tenantId, invoices, mode, undefined, scope),
    applyInvoiceEvents: (
      tenantId: string,
      events: readonly InvoiceEvent[],
      readFull: (invoiceIds: string[]) => Promise<XeroInvoice[]>,
      madeByBridge?: ReadonlySet<string>,
    ) => applyInvoiceEvents(deps, ctx, tenantId, events, readFull, madeByBridge),
    applyInvoiceSummaries: (
      tenantId: string,
      summaries: readonly XeroInvoice[],
      readFull: (invoiceIds: string[]) => Promise<XeroInvoice[]>,
    ) => applyInvoiceSummaries(deps, ctx, tenantId, summaries, readFull),
    applyCreditNotes: (tenantId: string, notes: readonly XeroCreditNote[], scope?: ApplyScope) =>
      applyCreditNotes(deps, ctx, tenantId, notes, scope),
    applyPayments: (tenantId: string, payments: readonly XeroPayment[]) => applyPayments(deps, ctx, tenantId, payments),
    applyCustomerCredits: (tenantId: string, credits: readonly XeroCustomerCredit[], scope?: ApplyScope) =>
      applyCustomerCredits(deps, ctx, tenantId, credits, scope),
  };
}

export type InboundApply = ReturnType<typeof createInboundApply>;
