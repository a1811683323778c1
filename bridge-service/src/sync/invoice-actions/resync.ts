/**
 * RESYNC (Retry on the record): read Xero again and write it back, or re-run a draft that never reached Xero. It does
 * not read the customer's online-invoice link (one more call per invoice, ONLINE_LINK's alone; a link already on the
 * mirror stays), but a link the rep asked for whose request failed or gave up is asked for again, once the invoice is
 * one Xero has a link for: that request's key is one per invoice, so Retry is how it runs again.
 */
import type { Job, JobRepository } from '../../store/types';
import type { JobHandler } from '../handler';
import type { JobPayload } from '../job-kinds';
import type { InvoiceMirror, InvoiceMirrors } from '../services/invoice-mirror';
import type { XeroInvoice } from '../../xero/types';
import { onlineLinkKey, WITH_ONLINE_INVOICE } from './online-link';
import { perInvoice, type PerInvoiceDeps } from './per-invoice';

export interface ResyncDeps extends PerInvoiceDeps {
  invoices: Pick<InvoiceMirrors, 'load' | 'fetch' | 'writeInvoice'>;
  jobs: Pick<JobRepository, 'getJobByKey' | 'retryJob' | 'enqueueJob'>;
}

const stopped = (job: Job | null): job is Job => !!job && (job.state === 'failed' || job.state === 'dead');

export function resyncHandler(deps: ResyncDeps): JobHandler<'RESYNC'> {
  const { invoices } = deps;

  /** The key of a failed or given-up ONLINE_LINK of this invoice, queued again; undefined when there is none to run. */
  async function askForLinkAgain(mirror: InvoiceMirror, invoice: XeroInvoice): Promise<string | undefined> {
    if (mirror.Online_Invoice_URL__c || !invoice.status || !WITH_ONLINE_INVOICE.has(invoice.status)) return undefined;
    const asked = await deps.jobs.getJobByKey(onlineLinkKey(mirror.Id));
    if (!stopped(asked)) return undefined;
    await deps.jobs.retryJob(asked.id);
    return asked.key;
  }

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
        if (stopped(existing)) {
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
      await invoices.writeInvoice(mirror, invoice);
      const linkRequeued = await askForLinkAgain(mirror, invoice);
      return { kind: 'done', result: { status: invoice.status, ...(linkRequeued ? { linkRequeued } : {}) } };
    },
    { writesToXero: false },
  );
}
