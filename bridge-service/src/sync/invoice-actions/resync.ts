/** RESYNC (Retry on the record): read Xero again and write it back, or re-run a draft that never reached Xero. */
import type { JobRepository } from '../../store/types';
import type { XeroClient } from '../../xero/client';
import type { JobHandler } from '../handler';
import type { JobPayload } from '../job-kinds';
import type { InvoiceMirrors } from '../services/invoice-mirror';
import { perInvoice, type PerInvoiceDeps } from './per-invoice';

export interface ResyncDeps extends PerInvoiceDeps {
  invoices: Pick<InvoiceMirrors, 'load' | 'fetch' | 'writeInvoice'>;
  xero: Pick<XeroClient, 'getOnlineInvoiceUrl'>;
  jobs: Pick<JobRepository, 'getJobByKey' | 'retryJob' | 'enqueueJob'>;
}

export function resyncHandler(deps: ResyncDeps): JobHandler<'RESYNC'> {
  const { invoices } = deps;
  return perInvoice<'RESYNC'>(
    deps,
    async (job) => {
      const mirror = await invoices.load(job.payload.invoiceId);
      if (!mirror.Xero_Invoice_Id__c) {
        // The draft never reached Xero: run its CREATE_DRAFT again, under the same key, so it still happens once.
        if (!mirror.Request_Key__c || !mirror.Opportunity__c) {
          return { kind: 'failed', error: `${mirror.Name ?? mirror.Id} has no Xero invoice and no request to repeat` };
        }
        const existing = await deps.jobs.getJobByKey(mirror.Request_Key__c);
        if (existing && (existing.state === 'failed' || existing.state === 'dead')) {
          await deps.jobs.retryJob(existing.id);
        } else if (!existing) {
          await deps.jobs.enqueueJob<JobPayload<'CREATE_DRAFT'>>({
            key: mirror.Request_Key__c,
            action: 'CREATE_DRAFT',
            payload: {
              action: 'CREATE_DRAFT',
              requestKey: mirror.Request_Key__c,
              opportunityId: mirror.Opportunity__c,
            },
          });
        }
        return { kind: 'done', result: { requeued: mirror.Request_Key__c } };
      }
      const invoice = await invoices.fetch(mirror);
      const onlineInvoiceUrl =
        invoice.status === 'AUTHORISED' || invoice.status === 'PAID'
          ? await deps.xero.getOnlineInvoiceUrl(mirror.Xero_Tenant_Id__c!, mirror.Xero_Invoice_Id__c)
          : undefined;
      await invoices.writeInvoice(mirror, invoice, onlineInvoiceUrl === undefined ? {} : { onlineInvoiceUrl });
      return { kind: 'done', result: { status: invoice.status } };
    },
    { writesToXero: false },
  );
}
