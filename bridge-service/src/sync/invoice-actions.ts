/**
 * The per-invoice actions: AUTHORISE after finance approval (and email, where the entity says so), VOID, and
 * RESYNC (read Xero again, or re-run a draft that never reached Xero). Each handles its jobs one at a time.
 */
import { isTransient } from '../lib/errors';
import type { ActionHandler, JobOutcome, RequestJob } from './handler';
import { describeError } from './describe-error';
import { createCreditFlow } from './credit';
import { createInvoiceSync } from './invoice-sync';
import type { SyncDeps } from './sync-deps';

type Step = (job: RequestJob) => Promise<JobOutcome>;

function single(deps: SyncDeps, step: Step, opts: { writesToXero: boolean }): ActionHandler {
  const sync = createInvoiceSync(deps);
  return {
    // Handled one at a time, but up to 10 a turn: the worker gives every action a turn, so a month-end queue of
    // approvals is not held to one invoice per round of the other actions.
    batchSize: 10,
    async run(jobs) {
      const outcomes = new Map<number, JobOutcome>();
      for (const job of jobs) {
        if (opts.writesToXero && (await deps.reference.settings()).readOnly) {
          outcomes.set(job.id, {
            kind: 'retry',
            error: 'Read-only mode is on: nothing is sent to Xero',
            delayMs: 5 * 60_000,
          });
          continue;
        }
        try {
          outcomes.set(job.id, await step(job));
        } catch (err) {
          const message = describeError(err);
          if (isTransient(err)) {
            outcomes.set(job.id, { kind: 'retry', error: message });
            continue;
          }
          outcomes.set(job.id, { kind: 'failed', error: message });
          if (job.payload.invoiceId) {
            await sync
              .markError(job.payload.invoiceId, message)
              .catch((writeErr: unknown) =>
                deps.log.error({ err: writeErr, jobId: job.id }, 'could not record the failure on the invoice'),
              );
          }
        }
      }
      return outcomes;
    },
  };
}

export function authoriseHandler(deps: SyncDeps): ActionHandler {
  const sync = createInvoiceSync(deps);
  const credit = createCreditFlow(deps);
  return single(
    deps,
    async (job) => {
      // Finance approved a credit note (CreditNoteTriggerHandler names it in the payload).
      const creditNoteId = (job.payload.payload as { creditNoteId?: unknown } | undefined)?.creditNoteId;
      if (typeof creditNoteId === 'string') return credit.authorise(job, creditNoteId);
      const mirror = await sync.load(job.payload.invoiceId!);
      const { tenantId, xeroId } = sync.requireXero(mirror);
      let invoice = await sync.fetch(mirror);
      if (invoice.status === 'DRAFT' || invoice.status === 'SUBMITTED') {
        invoice = await deps.xero.updateInvoiceStatus(tenantId, xeroId, 'AUTHORISED', job.payload.requestKey);
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
          await deps.xero.emailInvoice(tenantId, xeroId, `${job.payload.requestKey}:EMAIL`);
          // Xero answers 204 and sets SentToContact; no need to spend a rate-limited call reading it back.
          invoice = { ...invoice, sentToContact: true };
        } catch (err) {
          // The invoice is authorised either way; the rep learns the email did not go.
          message = `Authorised in Xero, but not emailed: ${describeError(err)}`;
        }
      }
      const onlineInvoiceUrl = await deps.xero.getOnlineInvoiceUrl(tenantId, xeroId);
      await sync.writeInvoice(mirror, invoice, { onlineInvoiceUrl, ...(message ? { message } : {}) });
      return { kind: 'done', result: { status: invoice.status, invoiceNumber: invoice.invoiceNumber } };
    },
    { writesToXero: true },
  );
}

export function creditHandler(deps: SyncDeps): ActionHandler {
  const credit = createCreditFlow(deps);
  return single(deps, (job) => credit.request(job), { writesToXero: false });
}

export function voidHandler(deps: SyncDeps): ActionHandler {
  const sync = createInvoiceSync(deps);
  return single(
    deps,
    async (job) => {
      const mirror = await sync.load(job.payload.invoiceId!);
      const { tenantId, xeroId } = sync.requireXero(mirror);
      let invoice = await sync.fetch(mirror);
      const name = invoice.invoiceNumber ?? xeroId;
      if (invoice.status === 'DRAFT' || invoice.status === 'SUBMITTED') {
        invoice = await deps.xero.updateInvoiceStatus(tenantId, xeroId, 'DELETED', job.payload.requestKey);
      } else if (invoice.status === 'AUTHORISED') {
        if ((invoice.amountPaid ?? 0) !== 0 || (invoice.amountCredited ?? 0) !== 0) {
          return {
            kind: 'failed',
            error: `${name} has payments or credit notes applied; remove them in Xero before voiding, or raise a credit note`,
          };
        }
        invoice = await deps.xero.updateInvoiceStatus(tenantId, xeroId, 'VOIDED', job.payload.requestKey);
      } else if (invoice.status === 'PAID') {
        return { kind: 'failed', error: `${name} is paid; raise a credit note instead of voiding it` };
      }
      await sync.writeInvoice(mirror, invoice);
      return { kind: 'done', result: { status: invoice.status } };
    },
    { writesToXero: true },
  );
}

export function resyncHandler(deps: SyncDeps): ActionHandler {
  const sync = createInvoiceSync(deps);
  return single(
    deps,
    async (job) => {
      const mirror = await sync.load(job.payload.invoiceId!);
      if (!mirror.Xero_Invoice_Id__c) {
        // The draft never reached Xero: run its CREATE_DRAFT again, under the same key, so it still happens once.
        if (!mirror.Request_Key__c || !mirror.Opportunity__c) {
          return { kind: 'failed', error: `${mirror.Name ?? mirror.Id} has no Xero invoice and no request to repeat` };
        }
        const existing = await deps.jobs.getJobByKey(mirror.Request_Key__c);
        if (existing && (existing.state === 'failed' || existing.state === 'dead'))
          await deps.jobs.retryJob(existing.id);
        else if (!existing) {
          await deps.jobs.enqueueJob({
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
      const invoice = await sync.fetch(mirror);
      const onlineInvoiceUrl =
        invoice.status === 'AUTHORISED' || invoice.status === 'PAID'
          ? await deps.xero.getOnlineInvoiceUrl(mirror.Xero_Tenant_Id__c!, mirror.Xero_Invoice_Id__c)
          : undefined;
      await sync.writeInvoice(mirror, invoice, onlineInvoiceUrl === undefined ? {} : { onlineInvoiceUrl });
      return { kind: 'done', result: { status: invoice.status } };
    },
    { writesToXero: false },
  );
}
