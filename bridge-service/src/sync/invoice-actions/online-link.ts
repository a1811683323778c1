/**
 * ONLINE_LINK (issue 20): a rep asked for the customer's online-invoice link (InvoiceActions.requestOnlineLink). It is
 * read here, on request, and nowhere else: approving an invoice no longer reads it, so approving 1,000 invoices costs
 * no link reads, and an invoice emailed from Xero carries Xero's own link anyway. One Xero call per invoice, once: the
 * request key is the same for every ask, and a link already on the mirror is not read again.
 */
import type { InvoiceDisplayStatus } from '../../domain/receivables';
import { onceKey } from '../../salesforce/invoice-request';
import type { XeroClient } from '../../xero/client';
import type { XeroDocumentStatus } from '../../xero/types';
import type { JobHandler } from '../handler';
import type { InvoiceMirrors } from '../services/invoice-mirror';
import { perInvoice, type PerInvoiceDeps } from './per-invoice';

export interface OnlineLinkDeps extends PerInvoiceDeps {
  invoices: Pick<InvoiceMirrors, 'load' | 'requireXero' | 'writeOnlineLink'>;
  xero: Pick<XeroClient, 'getOnlineInvoiceUrl'>;
}

/** Xero serves an online invoice for approved sales invoices only: not a draft, a submitted, voided or deleted one. */
export const WITH_ONLINE_INVOICE: ReadonlySet<XeroDocumentStatus> = new Set(['AUTHORISED', 'PAID']);
/** The same invoices as their mirror shows them (domain/receivables invoiceDisplayStatus). */
const SHOWN_WITH_ONLINE_INVOICE: ReadonlySet<string> = new Set<InvoiceDisplayStatus>([
  'Authorised',
  'Partially Paid',
  'Paid',
]);

/** The key InvoiceActions.cls gives every request for an invoice's link: one per invoice. */
export function onlineLinkKey(invoiceId: string): string {
  return onceKey('ONLINE_LINK', invoiceId);
}

export function onlineLinkHandler(deps: OnlineLinkDeps): JobHandler<'ONLINE_LINK'> {
  const { invoices, xero } = deps;
  return perInvoice<'ONLINE_LINK'>(
    deps,
    async (job) => {
      const mirror = await invoices.load(job.payload.invoiceId);
      if (mirror.Online_Invoice_URL__c) {
        return { kind: 'done', result: { onlineInvoiceUrl: mirror.Online_Invoice_URL__c, alreadyStored: true } };
      }
      const { tenantId, xeroId } = invoices.requireXero(mirror);
      const name = mirror.Invoice_Number__c ?? mirror.Name ?? mirror.Id;
      // Refused before any call: Xero answers 400 for a draft, and a voided invoice has nothing to pay.
      if (!mirror.Status__c || !SHOWN_WITH_ONLINE_INVOICE.has(mirror.Status__c)) {
        return {
          kind: 'failed',
          error: `${name} is ${mirror.Status__c ?? 'not yet synced'}: Xero has an online invoice only for an authorised or paid invoice`,
        };
      }
      const onlineInvoiceUrl = await xero.getOnlineInvoiceUrl(tenantId, xeroId);
      if (!onlineInvoiceUrl) return { kind: 'failed', error: `Xero gave no online invoice link for ${name}` };
      await invoices.writeOnlineLink(mirror, onlineInvoiceUrl);
      return { kind: 'done', result: { onlineInvoiceUrl } };
    },
    // A read of Xero and a write to Salesforce: read-only mode does not hold it. A link that cannot be had goes on the
    // invoice like any failure: Salesforce takes the ask only for an approved invoice (checkCanRequestLink), so a
    // refusal here is never "not yet" but the invoice gone since (voided) or Xero giving none, and the rep who asked
    // would otherwise wait for nothing; Retry asks again once Xero has a link.
    { writesToXero: false, returnedFailures: 'on-invoice' },
  );
}
