/** AUTHORISE: finance approved the invoice; authorise it in Xero, email it where the entity says so, write it back. */
import type { XeroClient } from '../../xero/client';
import { describeError } from '../describe-error';
import type { JobHandler } from '../handler';
import type { InvoiceMirrors } from '../services/invoice-mirror';
import type { ReferenceData } from '../services/reference-data';
import { perInvoice, type PerInvoiceDeps } from './per-invoice';

export interface AuthoriseDeps extends PerInvoiceDeps {
  invoices: Pick<InvoiceMirrors, 'load' | 'requireXero' | 'fetch' | 'writeInvoice'>;
  xero: Pick<XeroClient, 'updateInvoiceStatus' | 'emailInvoice' | 'getOnlineInvoiceUrl'>;
  reference: Pick<ReferenceData, 'settings' | 'entity'>;
}

export function authoriseHandler(deps: AuthoriseDeps): JobHandler<'AUTHORISE'> {
  const { invoices, xero } = deps;
  return perInvoice<'AUTHORISE'>(
    deps,
    async (job) => {
      const mirror = await invoices.load(job.payload.invoiceId);
      const { tenantId, xeroId } = invoices.requireXero(mirror);
      let invoice = await invoices.fetch(mirror);
      if (invoice.status === 'DRAFT' || invoice.status === 'SUBMITTED') {
        invoice = await xero.updateInvoiceStatus(tenantId, xeroId, 'AUTHORISED', job.payload.requestKey);
      } else if (invoice.status !== 'AUTHORISED' && invoice.status !== 'PAID') {
        return {
          kind: 'failed',
          error: `Xero invoice ${invoice.invoiceNumber ?? xeroId} is ${invoice.status}: it cannot be authorised`,
        };
      }
      let message: string | undefined;
      const entity = mirror.Billing_Entity__c ? await deps.reference.entity(mirror.Billing_Entity__c) : undefined;
      if (entity?.autoEmail && !invoice.sentToContact) {
        try {
          await xero.emailInvoice(tenantId, xeroId, `${job.payload.requestKey}:EMAIL`);
          // Xero answers 204 and sets SentToContact; no need to spend a rate-limited call reading it back.
          invoice = { ...invoice, sentToContact: true };
        } catch (err) {
          // The invoice is authorised either way; the rep learns the email did not go.
          message = `Authorised in Xero, but not emailed: ${describeError(err)}`;
        }
      }
      const onlineInvoiceUrl = await xero.getOnlineInvoiceUrl(tenantId, xeroId);
      await invoices.writeInvoice(mirror, invoice, { onlineInvoiceUrl, ...(message ? { message } : {}) });
      return { kind: 'done', result: { status: invoice.status, invoiceNumber: invoice.invoiceNumber } };
    },
    { writesToXero: true },
  );
}
