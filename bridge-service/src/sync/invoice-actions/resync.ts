/**
 * RESYNC (Retry on the record): read Xero again and write it back, or re-run a draft that never reached Xero. An
 * approval (AUTHORISE) or a void (VOID) that failed or gave up is run again unless Xero already shows it done: those
 * keys are one per invoice, so asking again is dropped at intake and Retry is how they run again; the mirror is then
 * left to that run, which writes the outcome (a Synced written now would hide a request still undone). It does not
 * read the customer's online-invoice link (one more call per invoice, ONLINE_LINK's alone; a link already on the
 * mirror stays), but a link the rep asked for whose request failed or gave up is asked for again, once the invoice is
 * one Xero has a link for, the same way. An approval is run again only while the invoice is still approved: one the
 * bridge sent back to Draft (changed since, or dated in a locked period) is Not Submitted, and Retry then only reads
 * Xero, saying on the record that it waits for a new approval (which runs the same key with the new figures).
 * While a correction of the invoice (UPDATE_DRAFT) is unfinished in the job store, Retry does nothing: Xero still holds
 * the uncorrected draft, and writing it back would clear the Pending that keeps the invoice out of approval and put
 * Xero's lines over the rep's corrected ones (which the correction then reads as nothing changed).
 */
import { onceKey } from '../../salesforce/invoice-request';
import { isStopped, type JobRepository } from '../../store/types';
import type { JobHandler } from '../handler';
import { JOB_PAYLOADS, type JobPayload } from '../job-kinds';
import type { InvoiceMirror, InvoiceMirrors } from '../services/invoice-mirror';
import type { XeroDocumentStatus, XeroInvoice } from '../../xero/types';
import type { CreditNotes } from '../services/credit-notes';
import { onlineLinkKey, WITH_ONLINE_INVOICE } from './online-link';
import { perInvoice, type PerInvoiceDeps } from './per-invoice';

export interface ResyncDeps extends PerInvoiceDeps {
  invoices: Pick<InvoiceMirrors, 'load' | 'fetch' | 'writeInvoice'>;
  jobs: Pick<JobRepository, 'getJobByKey' | 'retryJob' | 'enqueueJob' | 'unfinishedJobs'>;
  creditNotes: Pick<CreditNotes, 'retryRefused'>;
}

/** The keys Salesforce gives an invoice's approval (InvoiceTriggerHandler.cls) and void (InvoiceActions.cls): one each. */
export const authoriseKey = (invoiceId: string): string => onceKey('AUTHORISE', invoiceId);
export const voidKey = (invoiceId: string): string => onceKey('VOID', invoiceId);

/** Xero states an approval can still be carried out from; any other is done (authorised, paid) or moot (voided). */
const AUTHORISABLE: ReadonlySet<XeroDocumentStatus> = new Set(['DRAFT', 'SUBMITTED']);
/** Xero states a void is done in: a draft is deleted, an authorised invoice voided. */
const VOIDED: ReadonlySet<XeroDocumentStatus> = new Set(['VOIDED', 'DELETED']);

/** Salesforce ids compared as their 15-character form (a request may carry either). */
const id15 = (id: string) => id.slice(0, 15);

export function resyncHandler(deps: ResyncDeps): JobHandler<'RESYNC'> {
  const { invoices } = deps;

  /**
   * The key of this invoice's correction still on its way (queued, running, or failed and waiting to retry; not given
   * up), or undefined. Asked of the store, which every replica shares: the correction may be another bridge's.
   */
  async function correctionOnItsWay(invoiceId: string): Promise<string | undefined> {
    const corrections = await deps.jobs.unfinishedJobs('UPDATE_DRAFT');
    return corrections.find((job) => {
      const payload = JOB_PAYLOADS.UPDATE_DRAFT.safeParse(job.payload);
      return payload.success && id15(payload.data.invoiceId) === id15(invoiceId);
    })?.key;
  }

  /** The key of a failed or given-up ONLINE_LINK of this invoice, queued again; undefined when there is none to run. */
  async function askForLinkAgain(mirror: InvoiceMirror, invoice: XeroInvoice): Promise<string | undefined> {
    if (mirror.Online_Invoice_URL__c || !invoice.status || !WITH_ONLINE_INVOICE.has(invoice.status)) return undefined;
    const asked = await deps.jobs.getJobByKey(onlineLinkKey(mirror.Id));
    if (!isStopped(asked)) return undefined;
    await deps.jobs.retryJob(asked.id);
    return asked.key;
  }

  /**
   * This invoice's void or approval that failed or gave up and that Xero does not show done: `requeued` (its key) when
   * it was queued again, `withdrawn` when it is an approval finance no longer holds (sent back to Draft, rejected or
   * submitted again: its approval is not Approved), which is not run; undefined when there is none. A void asked for
   * wins over the approval: authorising first would only spend an invoice number on an invoice finance wants gone.
   */
  async function runStoppedRequestAgain(
    mirror: InvoiceMirror,
    invoice: XeroInvoice,
  ): Promise<{ requeued: string } | { withdrawn: string } | undefined> {
    const status = invoice.status ?? 'DRAFT';
    const voiding = await deps.jobs.getJobByKey(voidKey(mirror.Id));
    if (voiding) {
      if (!isStopped(voiding) || VOIDED.has(status)) return undefined;
      await deps.jobs.retryJob(voiding.id);
      return { requeued: voiding.key };
    }
    if (!AUTHORISABLE.has(status)) return undefined;
    const approving = await deps.jobs.getJobByKey(authoriseKey(mirror.Id));
    if (!isStopped(approving)) return undefined;
    // Its payload is what finance approved then; a new approval brings the figures it runs with.
    if (mirror.Approval_Status__c !== 'Approved') return { withdrawn: approving.key };
    await deps.jobs.retryJob(approving.id);
    return { requeued: approving.key };
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
        if (isStopped(existing)) {
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
      // Left to the correction, which writes its outcome (Synced with what changed, or Error): the record already
      // says it is on its way, and a message written now could land over that outcome.
      const correction = await correctionOnItsWay(mirror.Id);
      if (correction) return { kind: 'done', result: { correctionOnItsWay: correction } };
      const invoice = await invoices.fetch(mirror);
      // Credit notes on it whose approval Xero refused go again too (a lock date lifted, an account fixed).
      const creditNotesRequeued = await deps.creditNotes.retryRefused(mirror.Id);
      const stopped = await runStoppedRequestAgain(mirror, invoice);
      const again = creditNotesRequeued.length > 0 ? { creditNotesRequeued } : {};
      if (stopped && 'requeued' in stopped) {
        return { kind: 'done', result: { status: invoice.status, requeued: stopped.requeued, ...again } };
      }
      // Said on the record rather than a bare Synced: the approval that stopped is not what will authorise it.
      if (stopped) {
        const approval = mirror.Approval_Status__c ?? 'Not Submitted';
        await invoices.writeInvoice(mirror, invoice, {
          message:
            `${mirror.Name ?? mirror.Id} is not approved now (Approval Status ${approval}), so its earlier approval ` +
            'was not run again: it is authorised in Xero once finance approves it again.',
        });
      } else {
        await invoices.writeInvoice(mirror, invoice);
      }
      const linkRequeued = await askForLinkAgain(mirror, invoice);
      return {
        kind: 'done',
        result: {
          status: invoice.status,
          ...(stopped ? { approvalNotRun: stopped.withdrawn } : {}),
          ...(linkRequeued ? { linkRequeued } : {}),
          ...again,
        },
      };
    },
    { writesToXero: false },
  );
}
