/**
 * CREATE_PARTIAL: a partial or milestone invoice a rep asked for on a won deal (PartialInvoiceController.raise). Only a
 * deal billed on signature takes one: an amendment or renewal, a deal without products, and a deal billed by its
 * periods (by its terms now, or by a billing plan already written) are refused before anything is sent, with the
 * reason on the request's Invoice__c (partialInvoiceRefusal: its plan would bill the deal again). The
 * amount the rep confirmed is checked again against what remains (the deal's lines less its invoices that are not
 * voided or deleted), spread over the lines by what each still has to invoice, each line coded as the full invoice
 * would be (line mapping), and raised as a DRAFT that goes through the same finance approval. Exactly once: the request
 * key is the Idempotency-Key and is remembered with what it made; a retried job first looks for what an earlier attempt
 * made (by its own link back to the deal). One request per deal at a time, across every bridge on the store: each
 * holds the deal's lease (store/leases.ts) from its read of what remains to its mirror in Salesforce, so two
 * milestones asked at once on two replicas never both take the same remainder (12,000.00 left, two of 8,000.00: the
 * second waits, then is refused for more than remains). A request that finds the lease taken waits, uncounted, and
 * looks again in a few seconds; the lease lapses on its own if its holder stops (DEAL_LEASE_TTL_MS). The lease is
 * given up whatever the outcome, so one whose mirror failed after Xero made its draft (Salesforce down) is in Xero and
 * not yet in what remains: before it reads what remains, a request also waits, uncounted, while another partial of the
 * deal is on its way (running, or tried and not finished: create-draft/partials.ts, one job-store query). One waiting
 * so (PARTIAL_WAITS.partialOnItsWay) looked in Xero first and found nothing of its own, so it is not waited for in
 * turn, nor is one never run: two never wait for each other. A request whose draft is in Xero without its mirror says
 * so in its error. Once it gives up (dead) it is not waited for but refuses every further request of the deal, this
 * one and its closing request alike (partialsGivenUp), until Retry on it mirrors its draft. So does one given up not
 * knowing whether Xero made its draft (its create call unanswered, or its retries run out): its error says so first
 * (XeroOutcome), and Retry on it looks in Xero by its link before it makes one.
 */
import { routeOpportunity } from '../../domain/billing-entity';
import { DomainError } from '../../domain/errors';
import { mapDocument } from '../../domain/invoice-mapping';
import { invoiceReference } from '../../domain/opportunity-invoice';
import { PARTIAL_WAITS, partialInvoiceRefusal, planPartialInvoice, type DealLine } from '../../domain/partial-invoice';
import { accountRowSchema, opportunityCurrency } from '../../domain/records';
import { opportunityBillingRowSchema, productBillingRowSchema } from '../../domain/revenue-records';
import { isTransient } from '../../lib/errors';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { GoLiveQueries } from '../../salesforce/golive-queries';
import { Invoice } from '../../salesforce/objects';
import type { Queries } from '../../salesforce/queries';
import { childRecords } from '../../salesforce/soql';
import type { Writeback } from '../../salesforce/writeback';
import { isStopped, type JobRepository } from '../../store/jobs';
import type { LeaseRepository } from '../../store/leases';
import type { XeroResultRepository } from '../../store/types';
import { onceKey } from '../../salesforce/invoice-request';
import type { XeroClient } from '../../xero/client';
import { XeroApiError } from '../../xero/errors';
import type { XeroInvoice } from '../../xero/types';
import { contactsFor, type ContactDeps } from '../create-draft/contacts';
import { sourceUrl } from '../create-draft/draft';
import {
  dealKey,
  PARTIAL_WAIT_MS,
  partialsGivenUp,
  partialsOnTheirWay,
  XERO_OUTCOME_UNKNOWN,
} from '../create-draft/partials';
import { withLines } from '../create-draft/route';
import { describeError } from '../describe-error';
import { READ_ONLY_HOLD, type JobHandler, type JobOf, type JobOutcome } from '../handler';
import { noWrites, type ContactLinks } from '../services/contact-links';
import type { InvoiceMirrors } from '../services/invoice-mirror';
import type { LineMappings } from '../services/line-mappings';
import type { ReferenceData } from '../services/reference-data';
import { failedDraftRecord } from '../services/sync-errors';
import { invoiceRecord } from '../services/xero-records';

export interface PartialInvoiceDeps extends ContactDeps {
  jobs: Pick<JobRepository, 'getJobByKey' | 'unfinishedJobs' | 'givenUpByKeyPrefix'>;
  queries: Pick<Queries, 'opportunitiesForInvoicing'>;
  goLive: Pick<GoLiveQueries, 'invoicedLinesOfDeal' | 'partialInvoiceBasis'>;
  reference: Pick<ReferenceData, 'billingEntities' | 'taxRates' | 'settings'>;
  lineMappings: Pick<LineMappings, 'forDeal'>;
  contactLinks: Pick<ContactLinks, 'resolve' | 'addLinks' | 'flush'>;
  xero: ContactDeps['xero'] & Pick<XeroClient, 'createInvoices' | 'getInvoicesModifiedSince' | 'getInvoicesByIds'>;
  xeroResults: Pick<XeroResultRepository, 'findXeroResult' | 'recordXeroResult'>;
  invoices: Pick<InvoiceMirrors, 'load' | 'writeInvoice'>;
  writeback: Pick<Writeback, 'upsert' | 'requireAll'>;
  corporateCurrency: string;
  instanceUrl: () => string;
  clock: Pick<Clock, 'now'>;
  log: Pick<Logger, 'info' | 'warn'>;
  /** The store's named leases, shared by every bridge on it: a deal's partial requests one at a time. */
  leases: Pick<LeaseRepository, 'acquireLease' | 'renewLease' | 'releaseLease'>;
  /** This bridge process (BRIDGE_INSTANCE_ID): with the job's id, who holds a deal's lease. */
  instanceId: string;
}

/**
 * How long a deal's lease lasts unrenewed: its holder renews it every third of that while it works (a wait for a Xero
 * rate-limit permit included), so this is how long a crashed bridge holds the deal up.
 */
export const DEAL_LEASE_TTL_MS = 2 * 60_000;

/** A request that finds its deal's lease taken looks again this soon (the other takes seconds). */
export const DEAL_LEASE_WAIT_MS = 5_000;

export const PARTIAL_LEASE_WAIT =
  'Waiting for another partial invoice of this deal to reach Salesforce: each is checked against what remains after the one before it.';

/** The lease a deal's partial requests share (its 15-character id: the same deal however its id was written). */
export const dealLeaseName = (opportunityId: string) => `partial-invoice:${dealKey(opportunityId)}`;

/** The link back from a partial invoice: the deal's page, marked so it is never taken for the deal's first draft. */
export function partialSourceUrl(instanceUrl: string, opportunityId: string, requestKey: string): string {
  return `${sourceUrl(instanceUrl, opportunityId)}?ledgerline=${encodeURIComponent(requestKey)}`;
}

/** What a request whose mirror failed says: its draft is in Xero, so another is not raised for the same amount. */
export function draftInXero(invoice: Pick<XeroInvoice, 'invoiceID' | 'invoiceNumber'>): string {
  const which = [invoice.invoiceNumber, invoice.invoiceID && `(${invoice.invoiceID})`].filter(Boolean).join(' ');
  return `The partial invoice's draft ${which} is in Xero but not yet in Salesforce; it is mirrored when this request runs again. If it has given up, press Retry on this invoice: until it is mirrored, the deal takes no other partial invoice nor its closing invoice`;
}

/** A request run for the first time: nothing of it can be in Xero yet. */
const firstRun = (job: JobOf<'CREATE_PARTIAL'>) => job.attempts <= 1 && job.lastError === null;

/**
 * Whether Xero may hold this request's draft with nothing recorded of it, as the run goes: from its start when it ran
 * before, until its look in Xero settles it; from its create call until Xero answers. A failure while so says so
 * (XERO_OUTCOME_UNKNOWN), and a give-up then refuses the deal's further requests (create-draft/partials.ts).
 */
interface XeroOutcome {
  unknown: boolean;
}

/** The outcome as the job store keeps it: one that fails while Xero may hold the draft says so first. */
function saying(outcome: JobOutcome, xero: XeroOutcome): JobOutcome {
  if (!xero.unknown || (outcome.kind !== 'failed' && outcome.kind !== 'retry')) return outcome;
  return { ...outcome, error: `${XERO_OUTCOME_UNKNOWN}${outcome.error}` };
}

export function createPartialHandler(deps: PartialInvoiceDeps): JobHandler<'CREATE_PARTIAL'> {
  /** What an earlier attempt made in Xero, if this job ran before; one found by its link is recorded as made. */
  async function earlier(
    job: JobOf<'CREATE_PARTIAL'>,
    tenantId: string,
    url: string,
  ): Promise<XeroInvoice | undefined> {
    const { requestKey } = job.payload;
    const recorded = await deps.xeroResults.findXeroResult(requestKey, tenantId, 'invoice');
    if (recorded) return (await deps.xero.getInvoicesByIds(tenantId, [recorded.xeroId]))[0];
    if (firstRun(job)) return undefined;
    for (let page = 1; ; page += 1) {
      const found = await deps.xero.getInvoicesModifiedSince(tenantId, {
        modifiedSince: new Date(job.createdAt - 10 * 60_000),
        page,
        pageSize: 100,
        where: 'Type=="ACCREC"',
      });
      const match = found.items.find((i) => i.url === url && i.status !== 'DELETED' && i.status !== 'VOIDED');
      if (match) {
        // Recorded: should its mirror be refused now, the give-up is known to have its draft in Xero (partialsGivenUp).
        if (match.invoiceID)
          await deps.xeroResults.recordXeroResult({ requestKey, tenantId, kind: 'invoice', xeroId: match.invoiceID });
        return match;
      }
      if (!found.hasMore) return undefined;
    }
  }

  /** One request with its deal's lease held: taken first, given up last (whatever the outcome). */
  async function raiseHoldingDeal(job: JobOf<'CREATE_PARTIAL'>, xero: XeroOutcome): Promise<JobOutcome> {
    const name = dealLeaseName(job.payload.opportunityId);
    // The job's own id too: a second request for the deal on this same bridge waits as one on another bridge does.
    const owner = `${deps.instanceId}:job-${job.id}`;
    let lease;
    try {
      lease = await deps.leases.acquireLease(name, owner, DEAL_LEASE_TTL_MS);
    } catch (err) {
      // The store did not answer: try again later, as for any store error (never a refusal on the record).
      return { kind: 'retry', error: `Could not take the deal's lease: ${describeError(err)}` };
    }
    if (!lease) return { kind: 'hold', reason: PARTIAL_LEASE_WAIT, delayMs: DEAL_LEASE_WAIT_MS };
    const { token } = lease;
    // False when the lease changed hands, or the store did not answer: either way, not known to be ours.
    const stillHeld = () =>
      deps.leases.renewLease(name, owner, token, DEAL_LEASE_TTL_MS).then(
        (renewed) => renewed !== null,
        () => false,
      );
    const renewing = setInterval(() => void stillHeld(), DEAL_LEASE_TTL_MS / 3);
    renewing.unref();
    try {
      return await raise(job, stillHeld, xero);
    } finally {
      clearInterval(renewing);
      await deps.leases
        .releaseLease(name, owner)
        .catch((err: unknown) =>
          deps.log.warn({ err, requestKey: job.payload.requestKey }, 'could not give up the deal lease: it lapses'),
        );
    }
  }

  async function raise(
    job: JobOf<'CREATE_PARTIAL'>,
    stillHeld: () => Promise<boolean>,
    xero: XeroOutcome,
  ): Promise<JobOutcome> {
    const { opportunityId, requestKey, payload } = job.payload;
    const [row] = await deps.queries.opportunitiesForInvoicing([opportunityId]);
    if (!row) return { kind: 'failed', error: `Opportunity ${opportunityId} was not found` };
    const { opportunity, lineItems } = withLines(row);
    const account = accountRowSchema.parse(row.Account);
    const { entity } = routeOpportunity(
      await deps.reference.billingEntities(),
      opportunity,
      account,
      deps.corporateCurrency,
    );
    const tenantId = entity.xeroTenantId;
    const url = partialSourceUrl(deps.instanceUrl(), opportunityId, requestKey);
    let invoice = await earlier(job, tenantId, url);
    // Settled: found (and recorded), or looked for and not there, or never sent.
    xero.unknown = false;
    if (!invoice) {
      // What an earlier attempt made is mirrored whatever; a new document only on a deal that takes one.
      const basis = await deps.goLive.partialInvoiceBasis(opportunityId);
      if (!basis.terms) return { kind: 'failed', error: `Opportunity ${opportunityId} was not found` };
      const refusal = partialInvoiceRefusal({
        amends: opportunity.Amended_Opportunity__c,
        opportunity: opportunityBillingRowSchema.parse(basis.terms),
        lines: childRecords(basis.terms.OpportunityLineItems).map((line) => ({
          product: line.Product2 ? productBillingRowSchema.parse(line.Product2) : null,
          hasSchedule: line.HasSchedule,
        })),
        entity: entity.billing,
        plans: basis.plans.map((plan) => plan.Terms_Source__c),
      });
      if (refusal) throw new DomainError('INVALID_INPUT', refusal);
      // Before the closing request's state: one refused for this same reason would only say "retry it".
      const givenUp = (await partialsGivenUp(deps, [opportunityId])).get(dealKey(opportunityId));
      if (givenUp) throw new DomainError('INVALID_INPUT', givenUp);
      const closing = await deps.jobs.getJobByKey(onceKey('CREATE_DRAFT', opportunityId));
      if (closing?.state === 'queued' || closing?.state === 'running') {
        return { kind: 'hold', reason: PARTIAL_WAITS.closingOnItsWay, delayMs: 60_000 };
      }
      if (isStopped(closing)) throw new DomainError('INVALID_INPUT', PARTIAL_WAITS.closingStopped);
      // Another partial of the deal may be in Xero without its mirror (its lease given up when the mirror failed):
      // what remains does not show it yet, so wait for it rather than bill that remainder again.
      if ((await partialsOnTheirWay(deps, [opportunityId], job.id)).size > 0) {
        return { kind: 'hold', reason: PARTIAL_WAITS.partialOnItsWay, delayMs: PARTIAL_WAIT_MS };
      }
      const writes = noWrites();
      const contacts = await contactsFor(deps, entity, [account], new Map(), writes);
      const problems = await deps.contactLinks.flush(writes);
      if (problems.length > 0) throw new Error(problems.join('; '));
      const waiting = contacts.waiting.get(account.Id) ?? contacts.refused.get(account.Id);
      if (waiting) throw new DomainError('INVALID_INPUT', waiting);
      const mapped = await deps.lineMappings.forDeal(entity, lineItems);
      if (mapped.problems.length > 0) {
        throw new DomainError('INVALID_INVOICE', `Cannot send the invoice to Xero: ${mapped.problems.join('; ')}`);
      }
      const dealLines: DealLine[] = lineItems.map((item) => {
        const mapping = mapped.mappings.get(item.Id);
        return {
          lineItemId: item.Id,
          description: item.Description?.trim() || item.Product2?.Name || 'Product',
          lineAmount: item.TotalPrice ?? 0,
          ...(mapping
            ? { accountCode: mapping.accountCode, taxType: mapping.taxType, tracking: mapping.tracking }
            : {}),
          ...(mapping?.itemCode ? { itemCode: mapping.itemCode } : {}),
        };
      });
      const invoiced = (await deps.goLive.invoicedLinesOfDeal(opportunityId)).map((l) => ({
        lineItemId: l.Opportunity_Line_Item_Id__c,
        lineAmount: l.Line_Amount__c ?? 0,
      }));
      const label = payload.label?.trim() || 'Partial invoice';
      const plan = planPartialInvoice(dealLines, invoiced, { kind: 'amount', amount: payload.amount }, label);
      const document = mapDocument({
        type: 'ACCREC',
        entity,
        contact: { contactId: contacts.ids.get(account.Id)! },
        currencyCode: opportunityCurrency(opportunity, deps.corporateCurrency),
        date: new Date(deps.clock.now()).toISOString().slice(0, 10),
        reference: `${label} · ${invoiceReference(opportunity)}`.slice(0, 255),
        lines: plan.lines,
        taxRates: await deps.reference.taxRates(tenantId),
        invoiceType: 'New',
      });
      // Checked (and renewed) last thing before Xero: a holder paused past its lease, which another may hold now,
      // sends nothing and waits its turn.
      if (!(await stillHeld())) return { kind: 'hold', reason: PARTIAL_LEASE_WAIT, delayMs: DEAL_LEASE_WAIT_MS };
      xero.unknown = true;
      const [result] = await deps.xero
        .createInvoices(tenantId, [{ document, url }], requestKey)
        .catch((err: unknown) => {
          // Xero's refusal (a 4xx answer, 429 too) made nothing; no answer, a 5xx, or one not read may have made it.
          if (err instanceof XeroApiError && err.status >= 400 && err.status < 500) xero.unknown = false;
          throw err;
        });
      // Xero's answer for the element: a refusal (its validation) made nothing.
      if (result && !result.ok) xero.unknown = false;
      if (!result?.ok || !result.id) {
        throw new DomainError(
          'INVALID_INVOICE',
          `Xero rejected the partial invoice: ${result?.errors.join('; ') ?? 'no answer'}`,
        );
      }
      await deps.xeroResults.recordXeroResult({ requestKey, tenantId, kind: 'invoice', xeroId: result.id });
      xero.unknown = false;
      invoice = result.record;
      deps.log.info(
        { requestKey, opportunityId, amount: plan.amount.toFixed(2), remainingAfter: plan.remainingAfter.toFixed(2) },
        'partial invoice raised',
      );
    }
    const record = invoiceRecord(invoice, {
      requestKey,
      opportunityId,
      accountId: account.Id,
      billingEntity: entity.developerName,
      tenantId,
      invoiceType: 'New',
      now: deps.clock.now(),
    });
    try {
      const [id] = deps.writeback.requireAll(
        Invoice,
        [requestKey],
        await deps.writeback.upsert(Invoice, 'Request_Key__c', [record]),
      );
      // Lines, the deal's and Account's summaries (the remainder the card shows), and open pages.
      await deps.invoices.writeInvoice(await deps.invoices.load(id!), invoice);
      return { kind: 'done', result: { invoiceRecordId: id, xeroInvoiceId: invoice.invoiceID } };
    } catch (err) {
      // The draft is in Xero and not (wholly) in Salesforce: the error says so, and so does a give-up.
      const message = `${draftInXero(invoice)}: ${describeError(err)}`;
      if (isTransient(err)) return { kind: 'retry', error: message };
      throw new Error(message, { cause: err });
    }
  }

  return {
    batchSize: 1,
    async run(jobs) {
      const outcomes = new Map<number, JobOutcome>();
      for (const job of jobs) {
        if ((await deps.reference.settings()).readOnly) {
          outcomes.set(job.id, READ_ONLY_HOLD);
          continue;
        }
        const xero: XeroOutcome = { unknown: !firstRun(job) };
        try {
          outcomes.set(job.id, saying(await raiseHoldingDeal(job, xero), xero));
        } catch (err) {
          const message = xero.unknown ? `${XERO_OUTCOME_UNKNOWN}${describeError(err)}` : describeError(err);
          if (isTransient(err)) {
            outcomes.set(job.id, { kind: 'retry', error: message });
            continue;
          }
          outcomes.set(job.id, { kind: 'failed', error: message });
          // The rep sees why on the deal's invoices: an Invoice__c for the request, Error with the reason.
          await deps.writeback
            .upsert(Invoice, 'Request_Key__c', [failedDraftRecord(job.payload, message, deps.clock.now())])
            .catch((writeErr: unknown) =>
              deps.log.warn({ err: writeErr, requestKey: job.payload.requestKey }, 'could not record the failure'),
            );
        }
      }
      return outcomes;
    },
  };
}
