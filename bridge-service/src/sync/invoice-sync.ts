/**
 * What the per-invoice actions share: read the Invoice__c mirror, read its Xero invoice, and write Xero's state
 * back (invoice, lines, the rep's summary fields, a Sync_Update__e) or an error a person can act on.
 */
import { DomainError } from '../domain/errors';
import { Invoice, SyncUpdateEvent } from '../salesforce/objects';
import type { InvoiceMirror } from '../salesforce/selections';
import type { XeroInvoice } from '../xero/types';
import type { SyncDeps } from './sync-deps';
import { writeInvoiceLines } from './lines';
import { invoiceLineRecords, invoiceRecord } from './xero-records';

export type { InvoiceMirror } from '../salesforce/selections';

export function createInvoiceSync(deps: SyncDeps) {
  const { queries, writeback, xero } = deps;

  async function load(invoiceId: string): Promise<InvoiceMirror> {
    const [row] = await queries.invoices([invoiceId]);
    if (!row) throw new DomainError('INVALID_INPUT', `Invoice ${invoiceId} was not found`);
    return row;
  }

  function requireXero(mirror: InvoiceMirror): { tenantId: string; xeroId: string } {
    if (!mirror.Xero_Invoice_Id__c || !mirror.Xero_Tenant_Id__c) {
      throw new DomainError(
        'INVALID_INPUT',
        `${mirror.Name ?? mirror.Id} has no Xero invoice yet: use Retry to create it`,
      );
    }
    return { tenantId: mirror.Xero_Tenant_Id__c, xeroId: mirror.Xero_Invoice_Id__c };
  }

  async function fetch(mirror: InvoiceMirror): Promise<XeroInvoice> {
    const { tenantId, xeroId } = requireXero(mirror);
    const [invoice] = await xero.getInvoicesByIds(tenantId, [xeroId]);
    if (!invoice) throw new DomainError('INVALID_INPUT', `Xero has no invoice ${xeroId} in tenant ${tenantId}`);
    return invoice;
  }

  /** Writes Xero's state of the invoice back to its mirror, lines, the rep's summaries, and tells open pages. */
  async function writeInvoice(
    mirror: InvoiceMirror,
    invoice: XeroInvoice,
    extra: { onlineInvoiceUrl?: string | null; message?: string; change?: string } = {},
  ): Promise<void> {
    const record = invoiceRecord(invoice, {
      requestKey: mirror.Request_Key__c ?? `XERO:${invoice.invoiceID}`,
      opportunityId: mirror.Opportunity__c,
      accountId: mirror.Account__c,
      billingEntity: mirror.Billing_Entity__c ?? '',
      tenantId: mirror.Xero_Tenant_Id__c ?? '',
      approved: mirror.Approval_Status__c === 'Approved',
      ...(extra.onlineInvoiceUrl !== undefined ? { onlineInvoiceUrl: extra.onlineInvoiceUrl } : {}),
      now: deps.clock.now(),
    });
    if (extra.message) record.Sync_Message__c = extra.message;
    const ids = writeback.requireAll(
      Invoice,
      [mirror.Id],
      await writeback.update(Invoice, [{ ...record, Id: mirror.Id }]),
    );
    await writeInvoiceLines(deps, invoiceLineRecords(invoice, ids[0]!), [mirror.Id]);
    if (mirror.Opportunity__c) await deps.summaries.refreshOpportunities([mirror.Opportunity__c]);
    if (mirror.Account__c) await deps.summaries.refreshAccounts([mirror.Account__c]);
    await notify(mirror, extra.change ?? 'STATUS');
  }

  async function notify(mirror: InvoiceMirror, change: string): Promise<void> {
    await writeback.create(SyncUpdateEvent, [
      {
        Record_Ids__c: [mirror.Id, mirror.Opportunity__c, mirror.Account__c].filter(Boolean).join(','),
        Invoice_Id__c: mirror.Id,
        Opportunity_Id__c: mirror.Opportunity__c,
        Account_Id__c: mirror.Account__c,
        Change__c: change,
      },
    ]);
  }

  /** Puts a failure on the record, where the rep and finance see it and can press Retry. */
  async function markError(invoiceId: string, message: string): Promise<void> {
    await writeback.update(Invoice, [
      {
        Id: invoiceId,
        Sync_Status__c: 'Error',
        Sync_Message__c: message,
        Last_Synced__c: new Date(deps.clock.now()).toISOString(),
      },
    ]);
    await writeback.create(SyncUpdateEvent, [
      { Record_Ids__c: invoiceId, Invoice_Id__c: invoiceId, Change__c: 'ERROR' },
    ]);
  }

  return { load, fetch, requireXero, writeInvoice, markError, notify };
}

export type InvoiceSync = ReturnType<typeof createInvoiceSync>;
