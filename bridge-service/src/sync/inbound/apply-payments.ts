/** Polled Xero payments written back to Payment__c (deleted ones too), newer version wins. */
import { Payment } from '../../salesforce/objects';
import type { InvoiceForInbound } from '../../salesforce/selections';
import type { SObjectUpdate } from '../../salesforce/sobject';
import type { XeroPayment } from '../../xero/types';
import { paymentRecord, type PaymentWrite } from '../services/xero-records';
import { emptyResult, type ApplyContext, type ApplyDeps, type ApplyResult } from './apply-context';
import { isNewer, latestOf } from './versions';

type PaymentOnInvoice = XeroPayment & { paymentID: string; invoice: { invoiceID: string; type?: string } };

export async function applyPayments(
  deps: ApplyDeps,
  ctx: ApplyContext,
  tenantId: string,
  payments: readonly XeroPayment[],
): Promise<ApplyResult> {
  const result = emptyResult();
  const onInvoices = payments.filter((p): p is PaymentOnInvoice =>
    Boolean(p.paymentID && p.invoice?.invoiceID && p.invoice.type !== 'ACCPAY'),
  );
  if (onInvoices.length === 0) return result;
  const rows = await deps.queries.paymentsByXeroIds([...new Set(onInvoices.map((p) => p.paymentID))]);
  const stored = new Map(rows.map((row) => [String(row.Xero_Payment_Id__c).toLowerCase(), row]));
  const invoiceRows = await deps.queries.invoicesByXeroIds([...new Set(onInvoices.map((p) => p.invoice.invoiceID))]);
  const invoices = new Map(invoiceRows.map((row) => [String(row.Xero_Invoice_Id__c).toLowerCase(), row]));

  const updates: SObjectUpdate<typeof Payment>[] = [];
  const inserts: PaymentWrite[] = [];
  const touched = new Map<string, InvoiceForInbound>();
  for (const payment of latestOf(onInvoices, (p) => p.paymentID)) {
    const invoice = invoices.get(payment.invoice.invoiceID.toLowerCase());
    if (!invoice) {
      deps.log.debug(
        { tenantId, paymentId: payment.paymentID, invoiceId: payment.invoice.invoiceID },
        'payment on an invoice Salesforce does not mirror: skipped',
      );
      continue; // an invoice Salesforce does not mirror
    }
    const existing = stored.get(payment.paymentID.toLowerCase());
    const record = paymentRecord(payment, invoice.Id, invoice.Currency_Code__c);
    if (existing) {
      if (!isNewer(payment.updatedDateUTC, existing.Xero_Updated__c)) {
        result.stale += 1;
        continue;
      }
      const { Invoice__c: _parent, ...fields } = record;
      updates.push({ ...fields, Id: existing.Id });
    } else inserts.push(record);
    touched.set(invoice.Id, invoice);
  }
  await ctx.updateAll(Payment, updates, (r) => r.Xero_Payment_Id__c ?? r.Id, result.errors);
  await ctx.createAll(Payment, inserts, (r) => r.Xero_Payment_Id__c, result.errors);
  result.changed = [...touched.values()].map((invoice) => ({
    id: invoice.Id,
    opportunityId: invoice.Opportunity__c,
    accountId: invoice.Account__c,
    change: 'PAYMENT' as const,
  }));
  await ctx.announce(result.changed);
  deps.log.debug({ tenantId, updated: updates.length, inserted: inserts.length }, 'payments written back');
  return result;
}
