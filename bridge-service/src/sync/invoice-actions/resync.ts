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
 * Xero's lines over the rep's corrected ones (which the correction then reads as nothing changed). A correction given
 * up, whose failure the record still shows (Sync Status Error with its message), is not read over either: one whose
 * retries ran out (Xero down or busy for long) is run again like a stopped approval, its attempts starting over and the
 * invoice Pending until its outcome; one refused for good (a check it failed, Xero's validation) would be refused the
 * same way, so it is not, and the record says so and what to do. A partial invoice whose request (CREATE_PARTIAL)
 * stopped after its Invoice__c got the Xero id is not read either: that request is run again, its attempts starting
 * over, as it refuses the deal's further requests while stopped; it mirrors its recorded draft and makes none.
 */
import { onceKey, recordKey15 } from '../../salesforce/invoice-request';
import { isStopped, type Job, type JobRepository } from '../../store/types';
import type { JobHandler, JobOutcome } from '../handler';
import { JOB_PAYLOADS, type JobPayload } from '../job-kinds';
import type { InvoiceMirror, InvoiceMirrors } from '../services/invoice-mirror';
import type { XeroDocumentStatus, XeroInvoice } from '../../xero/types';
import type { CreditNotes } from '../services/credit-notes';
import { onlineLinkKey, WITH_ONLINE_INVOICE } from './online-link';
import { ranOutOfRetries } from '../worker';
import { perInvoice, type PerInvoiceDeps } from './per-invoice';

export interface ResyncDeps extends PerInvoiceDeps {
  invoices: Pick<InvoiceMirrors, 'load' | 'fetch' | 'writeInvoice' | 'markPending'>;
  jobs: Pick<JobRepository, 'getJobByKey' | 'retryJob' | 'enqueueJob' | 'unfinishedJobs' | 'listJobs'>;
  creditNotes: Pick<CreditNotes, 'retryRefused'>;
}

/** The keys Salesforce gives an invoice's approval (InvoiceTriggerHandler.cls) and void (InvoiceActions.cls): one each. */
export const authoriseKey = (invoiceId: string): string => onceKey('AUTHORISE', invoiceId);
export const voidKey = (invoiceId: string): string => onceKey('VOID', invoiceId);

/** Xero states an approval can still be carried out from; any other is done (authorised, paid) or moot (voided). */
const AUTHORISABLE: ReadonlySet<XeroDocumentStatus> = new Set(['DRAFT', 'SUBMITTED']);
/** Xero states a void is done in: a draft is deleted, an authorised invoice voided. */
const VOIDED: ReadonlySet<XeroDocumentStatus> = new Set(['VOIDED', 'DELETED']);

/** Whether a job is a correction (UPDATE_DRAFT) of this invoice. */
function correctsInvoice(job: Job, invoiceId: string): boolean {
  const payload = JOB_PAYLOADS.UPDATE_DRAFT.safeParse(job.payload);
  return payload.success && recordKey15(payload.data.invoiceId) === recordKey15(invoiceId);
}

/** The most jobs one listJobs page holds. */
const JOB_PAGE = 500;

/** Sync_Message__c while a given-up correction Retry sent again is on its way (as InvoiceActions says for the first). */
export const CORRECTION_SENT_AGAIN =
  'Correction sent to Xero again (Retry): submit the invoice for approval once it shows Synced.';

/** Added to a refused correction's failure on the record when Retry is pressed: what to do instead. */
export const CORRECTION_NOT_SENT_AGAIN =
  ' — Retry does not send this correction again: it was refused, not held up, and would be refused the same way. ' +
  'The corrected lines are kept: change what is refused, then send the correction again.';

export function resyncHandler(deps: ResyncDeps): JobHandler<'RESYNC'> {
  const { invoices } = deps;

  /**
   * The key of this invoice's correction still on its way (queued, running, or failed and waiting to retry; not given
   * up), or undefined. Asked of the store, which every replica shares: the correction may be another bridge's.
   */
  async function correctionOnItsWay(invoiceId: string): Promise<string | undefined> {
    const corrections = await deps.jobs.unfinishedJobs('UPDATE_DRAFT');
    return corrections.find((job) => correctsInvoice(job, invoiceId))?.key;
  }

  /**
   * This invoice's correction given up (dead) whose failure the record still shows: Sync Status Error with its message
   * (or with that message and CORRECTION_NOT_SENT_AGAIN). Anything written since (a newer correction's outcome, Xero's
   * invoice read back) means it is no longer the last word. Dead corrections are few: read by kind and state.
   */
  async function correctionGivenUp(mirror: InvoiceMirror): Promise<Job | undefined> {
    const shown = mirror.Sync_Message__c;
    if (mirror.Sync_Status__c !== 'Error' || !shown) return undefined;
    for (let beforeId: number | undefined; ;) {
      const page = await deps.jobs.listJobs({
        states: ['dead'],
        action: 'UPDATE_DRAFT',
        limit: JOB_PAGE,
        ...(beforeId === undefined ? {} : { beforeId }),
      });
      const found = page.find(
        (job) => correctsInvoice(job, mirror.Id) && Boolean(job.lastError) && shown.startsWith(job.lastError!),
      );
      if (found || page.length < JOB_PAGE) return found;
      beforeId = page.at(-1)!.id;
    }
  }

  /**
   * A given-up correction, decided by how it failed. Its retries ran out (Xero down or busy for long; nothing wrong
   * with it): queued again, its attempts starting over, the invoice Pending until its outcome (Synced with what
   * changed, or Error), as InvoiceActions marks a correction sent. Refused for good (a check it failed, Xero's
   * validation): not sent again blindly, and the record says so, keeping the refusal in front.
   */
  async function correctAgain(mirror: InvoiceMirror, correction: Job): Promise<JobOutcome> {
    if (ranOutOfRetries(correction.lastError)) {
      // Pending before it is queued: its outcome, whichever bridge runs it, comes after.
      await invoices.markPending(mirror, CORRECTION_SENT_AGAIN);
      await deps.jobs.retryJob(correction.id);
      return { kind: 'done', result: { correctionRequeued: correction.key } };
    }
    await deps.syncErrors.onInvoice(mirror.Id, `${correction.lastError ?? ''}${CORRECTION_NOT_SENT_AGAIN}`);
    return { kind: 'done', result: { correctionRefused: correction.key } };
  }

  /** The partial invoice request (CREATE_PARTIAL) that made this invoice, when it failed or gave up. */
  async function partialStopped(mirror: InvoiceMirror): Promise<Job | undefined> {
    if (!mirror.Request_Key__c) return undefined;
    const request = await deps.jobs.getJobByKey(mirror.Request_Key__c);
    return isStopped(request) && request.action === 'CREATE_PARTIAL' ? request : undefined;
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
      // Reading Xero now would put its uncorrected lines over the rep's and end the Error as Synced.
      const givenUp = await correctionGivenUp(mirror);
      if (givenUp) return correctAgain(mirror, givenUp);
      // Stopped after its Invoice__c got the Xero id (its lines or summaries refused): while stopped it refuses the
      // deal's other requests, so it is run again; it finds its recorded draft, mirrors it, and writes the outcome.
      const partial = await partialStopped(mirror);
      if (partial) {
        await deps.jobs.retryJob(partial.id);
        return { kind: 'done', result: { requeued: partial.key } };
      }
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
