/**
 * AUTHORISE: finance approved invoices; authorise them in Xero, up to 50 of one tenant in one call (Xero's batch
 * limit, summarizeErrors=false so each invoice keeps its own result), email each where its entity says so (one call
 * per email is Xero's design), and write each back. A refusal stays with its invoice: the others go on. The customer's
 * online-invoice link is not read here (it would cost a call per invoice): a rep asks for it (ONLINE_LINK), and a link
 * already on the mirror stays.
 */
import { createHash } from 'node:crypto';
import { isTransient } from '../../lib/errors';
import { MAX_BATCH, type XeroClient } from '../../xero/client';
import type { XeroInvoice } from '../../xero/types';
import { describeError } from '../describe-error';
import { READ_ONLY_HOLD, retryOutcome, type JobHandler, type JobOf, type JobOutcome } from '../handler';
import type { InvoiceMirror, InvoiceMirrors } from '../services/invoice-mirror';
import type { ReferenceData } from '../services/reference-data';
import type { PerInvoiceDeps } from './per-invoice';
import { pushTo } from '../../lib/collections';

export interface AuthoriseDeps extends PerInvoiceDeps {
  invoices: Pick<InvoiceMirrors, 'loadMany' | 'requireXero' | 'writeInvoice'>;
  xero: Pick<XeroClient, 'updateInvoiceStatuses' | 'getInvoicesByIds' | 'emailInvoice'>;
  reference: Pick<ReferenceData, 'settings' | 'entity'>;
}

type Job = JobOf<'AUTHORISE'>;
interface Approval {
  job: Job;
  mirror: InvoiceMirror;
  tenantId: string;
  xeroId: string;
}

/** One Idempotency-Key per set of requests: a retried batch of the same approvals is the same request. */
export function batchKey(jobs: readonly Job[]): string {
  const keys = jobs.map((j) => j.payload.requestKey).sort();
  return `AUTHORISE:${createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 48)}`;
}

export function authoriseHandler(deps: AuthoriseDeps): JobHandler<'AUTHORISE'> {
  const { invoices, xero } = deps;

  /** A failure a person must act on: on the job and on the invoice record, where the rep and finance see it. */
  async function failed(job: Job, error: string): Promise<JobOutcome> {
    await deps.syncErrors
      .onInvoice(job.payload.invoiceId, error)
      .catch((err: unknown) => deps.log.error({ err, jobId: job.id }, 'could not record the failure on the invoice'));
    return { kind: 'failed', error };
  }

  async function outcomeOfError(job: Job, err: unknown): Promise<JobOutcome> {
    const error = describeError(err);
    return isTransient(err) ? retryOutcome(err, error) : failed(job, error);
  }

  /** Authorises one tenant's approvals (at most 50) in one call; the invoices as Xero now holds them, or why not. */
  async function authorise(tenantId: string, batch: readonly Approval[]): Promise<(XeroInvoice | string)[]> {
    const results = await xero.updateInvoiceStatuses(
      tenantId,
      batch.map((a) => a.xeroId),
      'AUTHORISED',
      batchKey(batch.map((a) => a.job)),
    );
    const refused = results.filter((r) => !r.ok).map((r) => batch[r.index]!.xeroId);
    // Refused: an invoice already paid (or voided) cannot take the status again; read those to tell which.
    const current = refused.length > 0 ? await xero.getInvoicesByIds(tenantId, refused) : [];
    const byId = new Map(current.map((inv) => [String(inv.invoiceID).toLowerCase(), inv]));
    return results.map((r) => {
      if (r.ok) return r.record;
      const approval = batch[r.index]!;
      const now = byId.get(approval.xeroId.toLowerCase());
      if (now && (now.status === 'AUTHORISED' || now.status === 'PAID')) return now;
      const name = now?.invoiceNumber ?? approval.xeroId;
      if (now && now.status !== 'DRAFT' && now.status !== 'SUBMITTED')
        return `Xero invoice ${name} is ${now.status}: it cannot be authorised`;
      return `Xero refused to authorise ${name}: ${r.errors.join('; ') || 'no reason given'}`;
    });
  }

  /** Emails where the entity says so and writes the invoice back; the invoice is authorised either way. */
  async function finish(approval: Approval, authorised: XeroInvoice): Promise<JobOutcome> {
    const { job, mirror, tenantId, xeroId } = approval;
    let invoice = authorised;
    let message: string | undefined;
    const entity = mirror.Billing_Entity__c ? await deps.reference.entity(mirror.Billing_Entity__c) : undefined;
    if (entity?.autoEmail && !invoice.sentToContact) {
      try {
        await xero.emailInvoice(tenantId, xeroId, `${job.payload.requestKey}:EMAIL`);
        // Xero answers 204 and sets SentToContact; no need to spend a rate-limited call reading it back.
        invoice = { ...invoice, sentToContact: true };
      } catch (err) {
        // The rep learns the email did not go.
        message = `Authorised in Xero, but not emailed: ${describeError(err)}`;
      }
    }
    await invoices.writeInvoice(mirror, invoice, message ? { message } : {});
    return { kind: 'done', result: { status: invoice.status, invoiceNumber: invoice.invoiceNumber } };
  }

  return {
    batchSize: MAX_BATCH,
    async run(jobs) {
      const outcomes = new Map<number, JobOutcome>();
      if ((await deps.reference.settings()).readOnly) {
        for (const job of jobs) outcomes.set(job.id, READ_ONLY_HOLD);
        return outcomes;
      }
      let mirrors: Map<string, InvoiceMirror>;
      try {
        mirrors = await invoices.loadMany(jobs.map((j) => j.payload.invoiceId));
      } catch (err) {
        for (const job of jobs) outcomes.set(job.id, await outcomeOfError(job, err));
        return outcomes;
      }
      const byTenant = new Map<string, Approval[]>();
      for (const job of jobs) {
        const mirror = mirrors.get(job.payload.invoiceId);
        if (!mirror) {
          outcomes.set(job.id, await failed(job, `Invoice ${job.payload.invoiceId} was not found`));
          continue;
        }
        try {
          const { tenantId, xeroId } = invoices.requireXero(mirror);
          pushTo(byTenant, tenantId, { job, mirror, tenantId, xeroId });
        } catch (err) {
          outcomes.set(job.id, await outcomeOfError(job, err));
        }
      }
      // Tenants side by side: one that Xero paces, pauses or answers slowly holds up only its own approvals.
      const byTenantDone = [...byTenant].map(async ([tenantId, approvals]) => {
        for (let i = 0; i < approvals.length; i += MAX_BATCH) {
          const batch = approvals.slice(i, i + MAX_BATCH);
          let results: (XeroInvoice | string)[];
          try {
            results = await authorise(tenantId, batch);
          } catch (err) {
            for (const a of batch) outcomes.set(a.job.id, await outcomeOfError(a.job, err));
            continue;
          }
          for (const [index, approval] of batch.entries()) {
            const result = results[index]!;
            try {
              outcomes.set(
                approval.job.id,
                typeof result === 'string' ? await failed(approval.job, result) : await finish(approval, result),
              );
            } catch (err) {
              outcomes.set(approval.job.id, await outcomeOfError(approval.job, err));
            }
          }
        }
      });
      await Promise.all(byTenantDone);
      return outcomes;
    },
  };
}
