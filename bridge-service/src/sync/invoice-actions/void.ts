/**
 * VOID: a draft is deleted in Xero, an authorised invoice with nothing applied voided; a paid one is refused. Xero
 * refuses to void an invoice dated on or before a lock date: that is said on the invoice with what to do (a credit
 * note, or the lock date moved back), and not retried.
 */
import type { XeroClient } from '../../xero/client';
import { XeroApiError } from '../../xero/errors';
import type { JobHandler } from '../handler';
import type { InvoiceMirrors } from '../services/invoice-mirror';
import { perInvoice, type PerInvoiceDeps } from './per-invoice';

export interface VoidDeps extends PerInvoiceDeps {
  invoices: Pick<InvoiceMirrors, 'load' | 'requireXero' | 'fetch' | 'writeInvoice'>;
  xero: Pick<XeroClient, 'updateInvoiceStatus'>;
}

export function voidHandler(deps: VoidDeps): JobHandler<'VOID'> {
  const { invoices, xero } = deps;
  return perInvoice<'VOID'>(
    deps,
    async (job) => {
      const mirror = await invoices.load(job.payload.invoiceId);
      const { tenantId, xeroId } = invoices.requireXero(mirror);
      let invoice = await invoices.fetch(mirror);
      const name = invoice.invoiceNumber ?? xeroId;
      if (invoice.status === 'DRAFT' || invoice.status === 'SUBMITTED') {
        invoice = await xero.updateInvoiceStatus(tenantId, xeroId, 'DELETED', job.payload.requestKey);
      } else if (invoice.status === 'AUTHORISED') {
        if ((invoice.amountPaid ?? 0) !== 0 || (invoice.amountCredited ?? 0) !== 0) {
          return {
            kind: 'failed',
            error: `${name} has payments or credit notes applied; remove them in Xero before voiding, or raise a credit note`,
          };
        }
        try {
          invoice = await xero.updateInvoiceStatus(tenantId, xeroId, 'VOIDED', job.payload.requestKey);
        } catch (err) {
          if (!(err instanceof XeroApiError) || !err.lockDateRefusal) throw err;
          return { kind: 'failed', error: `${name} was not voided: ${err.validationMessages.join('; ')}` };
        }
      } else if (invoice.status === 'PAID') {
        return { kind: 'failed', error: `${name} is paid; raise a credit note instead of voiding it` };
      }
      await invoices.writeInvoice(mirror, invoice);
      return { kind: 'done', result: { status: invoice.status } };
    },
    { writesToXero: true },
  );
}
