/**
 * What the per-invoice actions and the credit-note service share: read the Invoice__c mirror, read its Xero
 * invoice, and write Xero's state back (invoice, lines, the rep's summary fields, a Sync_Update__e).
 */
import { DomainError } from '../../domain/errors';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import { Invoice } from '../../salesforce/objects';
import { syncError } from './sync-errors';
import { publishSyncUpdates } from './sync-updates';
import type { Queries } from '../../salesforce/queries';
import type { InvoiceMirror } from '../../salesforce/selections';
import type { Writeback } from '../../salesforce/writeback';
import type { XeroClient } from '../../xero/client';
import type { XeroInvoice } from '../../xero/types';
import { isNewer } from '../inbound/versions';
import { writeInvoiceLines } from './lines';
import type { Summaries } from './summaries';
import { invoiceLineRecords, invoiceRecord, onlineLinkRecord } from './xero-records';

export type { InvoiceMirror } from '../../salesforce/selections';

export interface InvoiceMirrorDeps {
  queries: Pick<Queries, 'invoices' | 'invoiceLines'>;
  writeback: Pick<Writeback, 'update' | 'upsert' | 'create' | 'requireAll'>;
  xero: Pick<XeroClient, 'getInvoicesByIds'>;
  summaries: Pick<Summaries, 'refreshOpportunities' | 'refreshAccounts'>;
  clock: Pick<Clock, 'now'>;
  log: Logger;
}

export function createInvoiceMirror(deps: InvoiceMirrorDeps) {
  const { queries, writeback, xero } = deps;

  async function load(invoiceId: string): Promise<InvoiceMirror> {
    const [row] = await queries.invoices([invoiceId]);
    if (!row) throw new DomainError('INVALID_INPUT', `Invoice ${invoiceId} was not found`);
    return row;
  }

  /** The mirrors of these Invoice__c ids that exist, by id as given (one query per 200). */
  async function loadMany(invoiceIds: readonly string[]): Promise<Map<string, InvoiceMirror>> {
    const rows = await queries.invoices([...new Set(invoiceIds)]);
    const byId = new Map(rows.map((row) => [row.Id.slice(0, 15), row]));
    return new Map(
      invoiceIds.flatMap((id) => {
        const row = byId.get(id.slice(0, 15));
        return row ? [[id, row] as const] : [];
      }),
    );
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

  /**
   * Writes Xero's state of the invoice back to its mirror, lines, the rep's summaries, and tells open pages. Newer
   * wins here as inbound: if the mirror meanwhile holds a newer Xero version than `invoice` (a payment the poller
   * wrote while this job emailed the invoice), Xero is read again rather than the older state written over it, as
   * the poller's watermark has moved past that change and would never bring it back.
   */
  async function writeInvoice(
    mirror: InvoiceMirror,
    read: XeroInvoice,
    extra: { onlineInvoiceUrl?: string | null; message?: string; change?: string; syncStatus?: 'Error' } = {},
  ): Promise<void> {
    const { invoice, current } = await newest(mirror, read);
    const record = invoiceRecord(invoice, {
      requestKey: mirror.Request_Key__c ?? `XERO:${invoice.invoiceID}`,
      opportunityId: mirror.Opportunity__c,
      accountId: mirror.Account__c,
      billingEntity: mirror.Billing_Entity__c ?? '',
      tenantId: mirror.Xero_Tenant_Id__c ?? '',
      // As the record is now: an approval given (or withdrawn) while this job ran decides what Draft shows.
      approved: current.Approval_Status__c === 'Approved',
      awaitingApproval: current.Approval_Status__c === 'Pending',
      ...(extra.onlineInvoiceUrl !== undefined ? { onlineInvoiceUrl: extra.onlineInvoiceUrl } : {}),
      now: deps.clock.now(),
    });
    if (extra.message) record.Sync_Message__c = extra.message;
    // Written as Xero holds it, and still something a person must look at (an authorised total finance did not approve).
    if (extra.syncStatus) record.Sync_Status__c = extra.syncStatus;
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

  /**
   * Sends an approved invoice back to Draft, saying why: what finance approved no longer holds (the invoice changed
   * since), so it is not authorised and must be approved again. The trigger (InvoiceTriggerHandler.cls) then makes its
   * approval Not Submitted, so the rep may correct it and submit it again; the Sync Status Error is how it tells a
   * send-back from another Draft written back. Nothing of Xero's is written: the mirror already holds the newer Xero
   * version that showed the change.
   */
  async function sendBack(mirror: InvoiceMirror, message: string): Promise<void> {
    writeback.requireAll(
      Invoice,
      [mirror.Id],
      await writeback.update(Invoice, [{ Id: mirror.Id, Status__c: 'Draft', ...syncError(message, deps.clock.now()) }]),
    );
    await notify(mirror, 'ERROR');
  }

  /**
   * Marks the invoice Pending, saying what is on its way to Xero (a correction Retry sent again): the approval process
   * takes no Pending invoice, and that request's outcome (Synced or Error) ends it. Nothing of Xero's is written.
   */
  async function markPending(mirror: InvoiceMirror, message: string): Promise<void> {
    writeback.requireAll(
      Invoice,
      [mirror.Id],
      await writeback.update(Invoice, [{ Id: mirror.Id, Sync_Status__c: 'Pending', Sync_Message__c: message }]),
    );
    await notify(mirror, 'STATUS');
  }

  /**
   * Writes the customer's online-invoice link (ONLINE_LINK) and tells open pages. Only the link: nothing else of
   * Xero's was read, so nothing else is written.
   */
  async function writeOnlineLink(mirror: InvoiceMirror, onlineInvoiceUrl: string): Promise<void> {
    writeback.requireAll(
      Invoice,
      [mirror.Id],
      await writeback.update(Invoice, [{ Id: mirror.Id, ...onlineLinkRecord(onlineInvoiceUrl) }]),
    );
    await notify(mirror, 'ONLINE_LINK');
  }

  /**
   * The mirror as it is now (`mirror` if it is gone), and `invoice`, or Xero's invoice read again when the mirror now
   * holds a newer version than it.
   */
  async function newest(
    mirror: InvoiceMirror,
    invoice: XeroInvoice,
  ): Promise<{ invoice: XeroInvoice; current: InvoiceMirror }> {
    const [current] = await queries.invoices([mirror.Id]);
    if (!current) return { invoice, current: mirror };
    if (isNewer(invoice.updatedDateUTC, current.Xero_Updated__c)) return { invoice, current };
    deps.log.info(
      { invoiceId: mirror.Id, xeroInvoiceId: invoice.invoiceID, mirrorVersion: current.Xero_Updated__c },
      "the mirror moved on while this job ran: writing Xero's invoice as it is now",
    );
    return { invoice: await fetch(mirror), current };
  }

  /** Tells open pages this invoice (and its Opportunity and Account) changed. */
  async function notify(mirror: InvoiceMirror, change: string): Promise<void> {
    await publishSyncUpdates(writeback, [
      { change, invoiceId: mirror.Id, opportunityId: mirror.Opportunity__c, accountId: mirror.Account__c },
    ]);
  }

  return { load, loadMany, fetch, requireXero, writeInvoice, sendBack, markPending, writeOnlineLink, notify };
}

export type InvoiceMirrors = ReturnType<typeof createInvoiceMirror>;
