/** Xero invoices of one tenant written back to their Invoice__c mirrors, newer version wins. */
import { Invoice, InvoiceLine, Payment } from '../../salesforce/objects';
import type { InvoiceForInbound } from '../../salesforce/selections';
import type { SObjectUpdate } from '../../salesforce/sobject';
import type { XeroInvoice } from '../../xero/types';
import {
  invoiceLineRecords,
  invoicePaymentRecord,
  invoiceRecord,
  type InvoiceLineWrite,
  type InvoiceWrite,
  type PaymentWrite,
} from '../services/xero-records';
import { emptyResult, type ApplyContext, type ApplyDeps, type ApplyMode, type ApplyResult } from './apply-context';
import { planInvoice, type ChangeKind } from './invoice-plan';
import { latestOf } from './versions';

/**
 * Invoices the bridge created carry their Opportunity's URL (CREATE_DRAFT, CREATE_PARTIAL with its request after) or
 * their billing-plan instalment's (RAISE_INSTALMENT): live, those flows write their mirrors (a webhook may arrive
 * first); an import writes them.
 */
const BRIDGE_MADE =
  /\/lightning\/r\/(?:Opportunity|(?:\w+__)?Billing_Instalment__c)\/[a-zA-Z0-9]{15,18}\/view(?:\?ledgerline=[^&]*)?$/;

/**
 * Writes these Xero invoices of one tenant back to their mirrors, creating mirrors for the customers Salesforce has
 * (a linked contact), linked to the deal they came from (OPPORTUNITY_URL, or the reference).
 */
export async function applyInvoices(
  deps: ApplyDeps,
  ctx: ApplyContext,
  tenantId: string,
  invoices: readonly XeroInvoice[],
  mode: ApplyMode = 'live',
): Promise<ApplyResult> {
  const result = { ...emptyResult(), skipped: [] as string[] };
  const sales = invoices.filter((inv): inv is XeroInvoice & { invoiceID: string } =>
    Boolean(inv.invoiceID && inv.type !== 'ACCPAY'),
  );
  if (sales.length === 0) return result;
  const now = deps.clock.now();
  const rows = await deps.queries.invoicesByXeroIds([...new Set(sales.map((inv) => inv.invoiceID))]);
  const mirrors = new Map(rows.map((row) => [String(row.Xero_Invoice_Id__c).toLowerCase(), row]));

  const updates: (InvoiceWrite & { Id: string })[] = [];
  const lineUpdates: SObjectUpdate<typeof InvoiceLine>[] = [];
  const lineInserts: InvoiceLineWrite[] = [];
  const paymentUpdates: SObjectUpdate<typeof Payment>[] = [];
  const paymentInserts: PaymentWrite[] = [];
  const planned: { mirror: InvoiceForInbound; change: ChangeKind }[] = [];
  const created: { invoice: XeroInvoice; record: InvoiceWrite; accountId: string }[] = [];
  const latest = latestOf(sales, (inv) => inv.invoiceID);
  const unmirrored = latest.filter((inv) => !mirrors.has(inv.invoiceID.toLowerCase()));
  const accounts = await ctx.accountsOf(
    tenantId,
    unmirrored.map((inv) => inv.contact),
  );
  const deals = await ctx.dealsOf(
    unmirrored.flatMap((inv) => {
      const accountId = accounts.get(String(inv.contact?.contactID).toLowerCase());
      return accountId ? [{ invoiceId: inv.invoiceID, url: inv.url, reference: inv.reference, accountId }] : [];
    }),
  );

  for (const invoice of latest) {
    const mirror = mirrors.get(invoice.invoiceID.toLowerCase());
    if (mirror) {
      const plan = planInvoice(mirror, invoice, { tenantId, now });
      if (!plan) {
        result.stale += 1;
        continue;
      }
      updates.push(plan.update);
      lineUpdates.push(...plan.lineUpdates);
      lineInserts.push(...plan.lineInserts);
      paymentUpdates.push(...plan.paymentUpdates);
      paymentInserts.push(...plan.paymentInserts);
      planned.push({ mirror, change: plan.change });
      continue;
    }
    if (mode === 'live' && invoice.url && BRIDGE_MADE.test(invoice.url)) {
      result.awaitingMirror.push(invoice.invoiceID);
      continue;
    }
    const accountId = accounts.get(String(invoice.contact?.contactID).toLowerCase());
    if (!accountId) {
      result.skipped.push(invoice.invoiceID); // not a customer Salesforce knows: not ours to mirror
      continue;
    }
    const record = invoiceRecord(invoice, {
      requestKey: `XERO:${invoice.invoiceID}`,
      opportunityId: deals.get(invoice.invoiceID) ?? null,
      accountId,
      billingEntity: await ctx.entityName(tenantId),
      tenantId,
      now,
    });
    created.push({ invoice, record, accountId });
  }

  const updated = await ctx.updateAll(Invoice, updates, (r) => r.Xero_Invoice_Id__c ?? r.Id, result.errors);
  updated.forEach((outcome, index) => {
    if (!outcome.ok) return;
    const { mirror, change } = planned[index]!;
    result.changed.push({ id: mirror.Id, opportunityId: mirror.Opportunity__c, accountId: mirror.Account__c, change });
  });

  if (created.length > 0) {
    const outcomes = await deps.writeback.upsert(
      Invoice,
      'Request_Key__c',
      created.map((c) => c.record),
    );
    ctx.refused(
      Invoice,
      outcomes,
      created.map((c) => c.record.Request_Key__c),
      result.errors,
    );
    outcomes.forEach((outcome, index) => {
      if (!outcome.ok) return;
      const { invoice, accountId } = created[index]!;
      lineInserts.push(...invoiceLineRecords(invoice, outcome.id));
      paymentInserts.push(
        ...(invoice.payments ?? []).filter((p) => p.paymentID).map((p) => invoicePaymentRecord(p, invoice, outcome.id)),
      );
      const opportunityId = invoice.invoiceID ? (deals.get(invoice.invoiceID) ?? null) : null;
      result.changed.push({ id: outcome.id, opportunityId, accountId, change: 'STATUS' });
      deps.log.info({ tenantId, xeroInvoiceId: invoice.invoiceID, accountId }, 'invoice made in Xero mirrored');
    });
  }

  await ctx.updateAll(InvoiceLine, lineUpdates, (r) => r.Xero_Line_Item_Id__c ?? r.Id, result.errors);
  await ctx.createAll(InvoiceLine, lineInserts, (r) => r.Xero_Line_Item_Id__c, result.errors);
  await ctx.updateAll(Payment, paymentUpdates, (r) => r.Id, result.errors);
  await ctx.createAll(Payment, paymentInserts, (r) => r.Xero_Payment_Id__c, result.errors);
  await ctx.announce(result.changed);
  return result;
}
