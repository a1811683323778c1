/**
 * AUTHORISE: finance approved invoices; authorise them in Xero, up to 50 of one tenant in one call (Xero's batch
 * limit, summarizeErrors=false so each invoice keeps its own result), email each where its entity says so (one call
 * per email is Xero's design), and write each back. A refusal stays with its invoice: the others go on. The customer's
 * online-invoice link is not read here (it would cost a call per invoice): a rep asks for it (ONLINE_LINK), and a link
 * already on the mirror stays.
 *
 * Only what finance approved is authorised. The request carries the approved total and the Xero version the record
 * held (InvoiceTriggerHandler.cls). An invoice whose mirror shows another version or total (a correction or a hand
 * edit in Xero that reached Salesforce after the approval) is not authorised: it goes back to Draft, saying so, to be
 * approved again. This costs no Xero call (the mirror is read anyway). A change in Xero the bridge has not seen yet
 * shows in the total Xero answers with: the invoice is then authorised already, so it is flagged on the record (Sync
 * Error, in words) and not emailed to the customer. A request queued before the approved figures were sent is
 * authorised as before, with a warning in the log.
 *
 * Xero refuses to authorise an invoice dated on or before a lock date. The way out is to change its date in Xero (or
 * have the lock date moved back), and a change of date is a new Xero version that no longer matches the approval: so
 * a refused invoice goes back to Draft at once, the same way, saying what to do and to submit it again for approval.
 * Pressing Retry on the approval would have authorised it or sent it back depending on whether the new version had
 * reached Salesforce yet.
 */
import { createHash } from 'node:crypto';
import { money } from '../../domain/money';
import { isTransient } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { approvedInvoiceSchema, type ApprovedInvoice } from '../../salesforce/invoice-request';
import { MAX_BATCH, type XeroClient } from '../../xero/client';
import type { XeroInvoice } from '../../xero/types';
import { describeError } from '../describe-error';
import { isLockRefusal } from '../../xero/errors';
import { READ_ONLY_HOLD, retryOutcome, type JobHandler, type JobOf, type JobOutcome } from '../handler';
import type { InvoiceMirror, InvoiceMirrors } from '../services/invoice-mirror';
import type { ReferenceData } from '../services/reference-data';
import type { PerInvoiceDeps } from './per-invoice';
import { pushTo } from '../../lib/collections';
import { asStored, xeroVersion } from '../inbound/versions';
import type { OwnWrites } from '../inbound/own-writes';

export interface AuthoriseDeps extends PerInvoiceDeps {
  log: Pick<Logger, 'error' | 'warn'>;
  invoices: Pick<InvoiceMirrors, 'loadMany' | 'requireXero' | 'writeInvoice' | 'sendBack'>;
  xero: Pick<XeroClient, 'updateInvoiceStatuses' | 'getInvoicesByIds' | 'emailInvoice'>;
  reference: Pick<ReferenceData, 'settings' | 'entity'>;
  /**
   * Where the approvals and emails sent are recorded, so that their webhooks and listings are known as echoes and
   * not read back (inbound/own-writes.ts). Without it, inbound reads them as any change.
   */
  ownWrites?: Pick<OwnWrites, 'now' | 'answered' | 'follow' | 'forget'>;
}

type Job = JobOf<'AUTHORISE'>;
interface Approval {
  job: Job;
  mirror: InvoiceMirror;
  tenantId: string;
  xeroId: string;
  /** What finance approved; undefined for a request queued before it was sent. */
  approved: ApprovedInvoice | undefined;
}

/** Why Xero did not authorise an invoice; `backToDraft` (the words for it) when it refused for a lock date. */
interface Refused {
  refused: string;
  backToDraft?: string;
}
const isRefused = (result: XeroInvoice | Refused): result is Refused => 'refused' in result;

/** The approved figures a request carries: undefined when it has none (queued before they were sent), or why not. */
export function approvedOf(job: Job): ApprovedInvoice | undefined | { invalid: string } {
  const payload = job.payload.payload;
  const carries = (key: string) => typeof payload === 'object' && payload !== null && key in payload;
  if (!carries('approvedTotal') && !carries('xeroUpdated')) return undefined;
  const parsed = approvedInvoiceSchema.safeParse(payload);
  if (parsed.success) return parsed.data;
  return { invalid: parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'} ${i.message}`).join('; ') };
}

const text = (amount: string | number | null | undefined) =>
  amount === null || amount === undefined ? 'none' : money(String(amount)).toFixed(2);
const sameAmount = (a: string | number | null | undefined, b: string | number | null | undefined) =>
  a === null || a === undefined || b === null || b === undefined
    ? (a ?? null) === (b ?? null)
    : money(String(a)).eq(money(String(b)));
/** Two Xero versions as Salesforce stores them (to the second); blank is a version of its own. */
const stored = (version: string | null | undefined) => {
  const ms = xeroVersion(version);
  return ms === undefined ? null : asStored(ms);
};

/** Display statuses of an invoice Xero holds as a draft (DRAFT or SUBMITTED): the ones an approval is checked against. */
const STILL_A_DRAFT: ReadonlySet<string> = new Set(['Draft', 'Awaiting Approval', 'Approved']);

/**
 * How the invoice changed since finance approved it, in words, from its mirror (what Salesforce last heard from
 * Xero); undefined when it holds what was approved. A version is compared only when the approval recorded one.
 */
export function changedSinceApproval(mirror: InvoiceMirror, approved: ApprovedInvoice): string | undefined {
  // A mirror past the draft (Authorised, Paid…) was authorised already, by this approval's earlier attempt (its answer
  // lost, the poller or the write-back brought the AUTHORISED version in) or in Xero: Xero's answer decides that one.
  if (mirror.Status__c && !STILL_A_DRAFT.has(mirror.Status__c)) return undefined;
  const changes: string[] = [];
  if (!sameAmount(approved.approvedTotal, mirror.Total__c)) {
    changes.push(`total approved ${text(approved.approvedTotal)}, now ${text(mirror.Total__c)}`);
  }
  if (approved.xeroUpdated && stored(approved.xeroUpdated) !== stored(mirror.Xero_Updated__c)) {
    changes.push(`changed in Xero at ${mirror.Xero_Updated__c ?? 'an unknown time'}`);
  }
  return changes.length > 0 ? changes.join('; ') : undefined;
}

/**
 * One Idempotency-Key per set of requests: a retried batch of the same approvals is the same request. The key hashes
 * the sorted request keys, so the batch must be SENT in that order too (byRequestKey): jobs come back from a retry in
 * another order (their next_run_at is jittered), and the same key with another body is a 400 from Xero. An approval
 * is hashed with what it approved (version and total): approved again after a change (a draft re-dated past a lock
 * date, sent back), the same request key is a new request, which Xero would otherwise answer, for 6 minutes, with the
 * refusal it stored for the first.
 */
export function batchKey(jobs: readonly Job[]): string {
  const keys = jobs
    .map((j) => {
      const approved = approvedOf(j);
      return approved && !('invalid' in approved)
        ? `${j.payload.requestKey}@${approved.xeroUpdated ?? ''}/${approved.approvedTotal ?? ''}`
        : j.payload.requestKey;
    })
    .sort();
  return `AUTHORISE:${createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 48)}`;
}

/** The order a tenant's approvals are batched and sent in: by request key, whatever order they were claimed in. */
const byRequestKey = (a: Approval, b: Approval): number =>
  a.job.payload.requestKey < b.job.payload.requestKey
    ? -1
    : a.job.payload.requestKey > b.job.payload.requestKey
      ? 1
      : 0;

const nameOf = (mirror: InvoiceMirror) => mirror.Invoice_Number__c ?? mirror.Name ?? mirror.Id;

export function authoriseHandler(deps: AuthoriseDeps): JobHandler<'AUTHORISE'> {
  const { invoices, xero } = deps;

  /** A failure a person must act on: on the job and on the invoice record, where the rep and finance see it. */
  async function failed(job: Job, error: string): Promise<JobOutcome> {
    await deps.syncErrors
      .onInvoice(job.payload.invoiceId, error)
      .catch((err: unknown) => deps.log.error({ err, jobId: job.id }, 'could not record the failure on the invoice'));
    return { kind: 'failed', error };
  }

  /** Not authorised: it changed since finance approved it. Back to Draft, saying so, to be approved again. */
  async function changedBack(job: Job, mirror: InvoiceMirror, changed: string): Promise<JobOutcome> {
    const error =
      `Not authorised in Xero: ${nameOf(mirror)} changed since finance approved it (${changed}). ` +
      'Check it and submit it again for approval.';
    return sentBack(job, mirror, error);
  }

  /**
   * Back to Draft with `error` (the trigger makes its approval Not Submitted), to be approved again; when Salesforce
   * refuses that, `otherwise` is said on the invoice instead.
   */
  async function sentBack(job: Job, mirror: InvoiceMirror, error: string, otherwise = error): Promise<JobOutcome> {
    try {
      await invoices.sendBack(mirror, error);
    } catch (err) {
      if (isTransient(err)) return retryOutcome(err, describeError(err));
      return failed(job, otherwise);
    }
    return { kind: 'failed', error };
  }

  async function outcomeOfError(job: Job, err: unknown): Promise<JobOutcome> {
    const error = describeError(err);
    return isTransient(err) ? retryOutcome(err, error) : failed(job, error);
  }

  /** Authorises one tenant's approvals (at most 50) in one call; the invoices as Xero now holds them, or why not. */
  async function authorise(tenantId: string, batch: readonly Approval[]): Promise<(XeroInvoice | Refused)[]> {
    const sentAt = deps.ownWrites?.now();
    const results = await xero.updateInvoiceStatuses(
      tenantId,
      batch.map((a) => a.xeroId),
      'AUTHORISED',
      batchKey(batch.map((a) => a.job)),
    );
    // Xero's answer is the version this flow writes to each mirror: its webhooks are echoes, not changes.
    for (const r of results) {
      const version = r.ok ? xeroVersion(r.record.updatedDateUTC) : undefined;
      if (sentAt !== undefined && version !== undefined)
        deps.ownWrites?.answered(tenantId, batch[r.index]!.xeroId, version, sentAt);
    }
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
        return { refused: `Xero invoice ${name} is ${now.status}: it cannot be authorised` };
      const why = r.errors.join('; ') || 'no reason given';
      const refused = `Xero refused to authorise ${name}: ${why}`;
      // Dated in a locked period: the way out (a new date in Xero) is a change finance approves again.
      if (r.errors.some(isLockRefusal))
        return { refused, backToDraft: `Xero refused to authorise ${name}, so it is back in Draft: ${why}` };
      return { refused };
    });
  }

  /** Emails where the entity says so and writes the invoice back; the invoice is authorised either way. */
  async function finish(approval: Approval, authorised: XeroInvoice): Promise<JobOutcome> {
    const { job, mirror, tenantId, xeroId, approved } = approval;
    let invoice = authorised;
    let message: string | undefined;
    // Changed in Xero after the approval and before the bridge heard of it: authorised all the same (one call did
    // both), so it is said loudly on the record, and the customer is not sent a total finance did not approve.
    if (approved && invoice.total !== undefined && !sameAmount(approved.approvedTotal, invoice.total)) {
      const error =
        `Authorised in Xero with total ${text(invoice.total)} ${invoice.currencyCode ?? ''}`.trimEnd() +
        `, but finance approved ${text(approved.approvedTotal)}: it was changed in Xero after the approval and ` +
        'was not emailed. Check it with finance (void it and raise it again if it is wrong).';
      deps.log.error(
        { jobId: job.id, invoiceId: mirror.Id, xeroInvoiceId: xeroId, approvedTotal: approved.approvedTotal },
        'authorised in Xero with a total finance did not approve',
      );
      await invoices.writeInvoice(mirror, invoice, { message: error, syncStatus: 'Error' });
      return { kind: 'done', result: { status: invoice.status, invoiceNumber: invoice.invoiceNumber, error } };
    }
    const entity = mirror.Billing_Entity__c ? await deps.reference.entity(mirror.Billing_Entity__c) : undefined;
    if (entity?.autoEmail && !invoice.sentToContact) {
      const emailed = deps.ownWrites?.follow(tenantId, xeroId);
      try {
        await xero.emailInvoice(tenantId, xeroId, `${job.payload.requestKey}:EMAIL`);
        // Xero answers 204 and sets SentToContact; no need to spend a rate-limited call reading it back. That bumps
        // the invoice's version past the one written below, and nothing the mirror holds changes: recorded, so its
        // webhook and the next listing are known as this email (no read, no change written: own-writes.ts).
        invoice = { ...invoice, sentToContact: true };
      } catch (err) {
        // The rep learns the email did not go.
        message = `Authorised in Xero, but not emailed: ${describeError(err)}`;
      } finally {
        // An email that failed may have gone all the same (an answer lost): its window is recorded either way.
        emailed?.();
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
        const approved = approvedOf(job);
        if (approved && 'invalid' in approved) {
          outcomes.set(
            job.id,
            await failed(job, `The approval of ${nameOf(mirror)} cannot be read: ${approved.invalid}`),
          );
          continue;
        }
        if (!approved) {
          deps.log.warn(
            { jobId: job.id, requestKey: job.payload.requestKey, invoiceId: job.payload.invoiceId },
            'AUTHORISE without the approved figures (queued before they were sent): authorised as Xero holds it',
          );
        }
        const changed = approved && changedSinceApproval(mirror, approved);
        if (changed) {
          outcomes.set(job.id, await changedBack(job, mirror, changed));
          continue;
        }
        try {
          const { tenantId, xeroId } = invoices.requireXero(mirror);
          pushTo(byTenant, tenantId, { job, mirror, tenantId, xeroId, approved });
        } catch (err) {
          outcomes.set(job.id, await outcomeOfError(job, err));
        }
      }
      // Tenants side by side: one that Xero paces, pauses or answers slowly holds up only its own approvals.
      const byTenantDone = [...byTenant].map(async ([tenantId, claimed]) => {
        // Sorted before batching: the same approvals make the same batches and bodies, so a retry replays them.
        const approvals = [...claimed].sort(byRequestKey);
        for (let i = 0; i < approvals.length; i += MAX_BATCH) {
          const batch = approvals.slice(i, i + MAX_BATCH);
          let results: (XeroInvoice | Refused)[];
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
                !isRefused(result)
                  ? await finish(approval, result)
                  : result.backToDraft
                    ? await sentBack(approval.job, approval.mirror, result.backToDraft, result.refused)
                    : await failed(approval.job, result.refused),
              );
            } catch (err) {
              const outcome = await outcomeOfError(approval.job, err);
              // The mirror was not written and no retry will write it: what Xero holds is read as any change.
              if (outcome.kind === 'failed') deps.ownWrites?.forget(tenantId, approval.xeroId);
              outcomes.set(approval.job.id, outcome);
            }
          }
        }
      });
      await Promise.all(byTenantDone);
      return outcomes;
    },
  };
}
