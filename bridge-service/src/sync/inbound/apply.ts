/**
 * Xero's state written back to Salesforce, newer version wins: the webhook handler and the poller both end here.
 * Invoices (apply-invoices.ts), credit notes with their allocations (apply-credit-notes.ts) and payments
 * (apply-payments.ts) each go to their mirrors; what they share is in apply-context.ts.
 */
import { applyCreditNotes } from './apply-credit-notes';
import { createApplyContext, type ApplyDeps } from './apply-context';
import { applyInvoiceEvents, applyInvoiceSummaries, applyInvoices, type InvoiceEvent } from './apply-invoices';
import { applyPayments } from './apply-payments';
import type { XeroCreditNote, XeroInvoice, XeroPayment } from '../../xero/types';

export type { ApplyDeps, ApplyResult, ChangedInvoice } from './apply-context';
export { latestEvents, type InvoiceEvent } from './apply-invoices';
export { planInvoice, type ChangeKind, type InvoicePlan } from './invoice-plan';
export { isNewer, latestOf, xeroVersion } from './versions';

export function createInboundApply(deps: ApplyDeps) {
  const ctx = createApplyContext(deps);
  return {
    applyInvoices: (tenantId: string, invoices: readonly XeroInvoice[]) => applyInvoices(deps, ctx, tenantId, invoices),
    applyInvoiceEvents: (
      tenantId: string,
      events: readonly InvoiceEvent[],
      readFull: (invoiceIds: string[]) => Promise<XeroInvoice[]>,
    ) => applyInvoiceEvents(deps, ctx, tenantId, events, readFull),
    applyInvoiceSummaries: (
      tenantId: string,
      summaries: readonly XeroInvoice[],
      readFull: (invoiceIds: string[]) => Promise<XeroInvoice[]>,
    ) => applyInvoiceSummaries(deps, ctx, tenantId, summaries, readFull),
    applyCreditNotes: (tenantId: string, notes: readonly XeroCreditNote[]) =>
      applyCreditNotes(deps, ctx, tenantId, notes),
    applyPayments: (tenantId: string, payments: readonly XeroPayment[]) => applyPayments(deps, ctx, tenantId, payments),
  };
}

export type InboundApply = ReturnType<typeof createInboundApply>;
