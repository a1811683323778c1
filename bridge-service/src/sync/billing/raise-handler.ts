/**
 * RAISE_INSTALMENT: an instalment falls due (06:00 on its issue date in its entity's time zone) and becomes a Xero
 * DRAFT through the draft path every invoice takes (contacts, routing, crash recovery, Idempotency-Key from its key,
 * the Invoice__c mirror), then waits for the same finance approval; a negative one becomes a credit note awaiting
 * approval. Exactly once: the job and the document are keyed by the instalment key, and a job that finds its
 * instalment already raised, or replaced by a re-plan, does nothing. The plan is read again from the records first,
 * so what is raised is what the plan says today, never what it said when the job was stored.
 */
import { creditedInvoiceOf } from '../../domain/deal-plan';
import { accountRowSchema, opportunityLineItemRowSchema, opportunityRowSchema } from '../../domain/records';
import { instalmentDueAt } from '../../domain/zoned-time';
import type { Clock } from '../../lib/clock';
import type { GoLiveQueries } from '../../salesforce/golive-queries';
import { BillingInstalment } from '../../salesforce/objects';
import type { Queries } from '../../salesforce/queries';
import type { SalesforceNames } from '../../salesforce/schema';
import type { SObjectUpdate } from '../../salesforce/sobject';
import { childRecords } from '../../salesforce/soql';
import type { Writeback } from '../../salesforce/writeback';
import { raiseDrafts, type RaiseDraftsDeps } from '../create-draft';
import type { ReferenceData } from '../services/reference-data';
import { refused, settled, type Draft, type DraftOutcome } from '../create-draft/draft';
import type { JobHandler, JobOutcome } from '../handler';
import type { DealPlans } from './deal-plans';
import { linesJson, type PlannedDeal } from './plan-writer';
import type { BillingTriggers } from './triggers';

export type RaiseDeps = RaiseDraftsDeps & {
  dealPlans: Pick<DealPlans, 'compute'>;
  billingTriggers: Pick<BillingTriggers, 'planNow'>;
  queries: RaiseDraftsDeps['queries'] & Pick<Queries, 'billingEmailsOfOpportunities' | 'invoiceLinesOfRequests'>;
  writeback: RaiseDraftsDeps['writeback'] & Pick<Writeback, 'composite'>;
  reference: RaiseDraftsDeps['reference'] & Pick<ReferenceData, 'settings'>;
  goLive: Pick<GoLiveQueries, 'knownOfOpportunityAccounts'>;
  names: SalesforceNames;
  clock: Pick<Clock, 'now'>;
};

/** What the draft path says a document became, read from a job's outcome. */
function documentOf(outcome: JobOutcome | undefined): { invoice?: string; creditNote?: string } | undefined {
  if (outcome?.kind !== 'done' || typeof outcome.result !== 'object' || outcome.result === null) return undefined;
  const result = outcome.result as Record<string, unknown>;
  if (typeof result.invoiceRecordId === 'string') return { invoice: result.invoiceRecordId };
  if (typeof result.creditNoteRecordId === 'string') return { creditNote: result.creditNoteRecordId };
  return undefined;
}

export function raiseInstalmentHandler(deps: RaiseDeps): JobHandler<'RAISE_INSTALMENT'> {
  return {
    batchSize: 50,
    async run(jobs) {
      if ((await deps.reference.settings()).readOnly) {
        const paused: JobOutcome = {
          kind: 'retry',
          error: 'Read-only mode is on: nothing is sent to Xero',
          delayMs: 5 * 60_000,
        };
        return new Map(jobs.map((job) => [job.id, paused]));
      }
      const { loaded, planned, unplanned } = await deps.dealPlans.compute(jobs.map((j) => j.payload.opportunityId));
      const byDeal = new Map(planned.map((p) => [p.loaded.dealId, p]));
      const now = deps.clock.now();
      const drafts: Draft[] = [];
      const records = new Map<number, { planned: PlannedDeal; recordId: string | undefined }>();
      const outcomes: DraftOutcome[] = [];
      for (const job of jobs) {
        const dealId = loaded.dealOf.get(job.payload.opportunityId) ?? job.payload.opportunityId;
        const p = byDeal.get(dealId);
        if (!p) {
          const why = unplanned.find((u) => u.dealId === dealId)?.message ?? `Opportunity ${dealId} was not found`;
          outcomes.push(refused(job, `Cannot raise the instalment: ${why}`));
          continue;
        }
        const key = job.payload.requestKey;
        const instalment = p.plan.plan.instalments.find((i) => i.key === key);
        if (!instalment) {
          const raised = p.plan.raised.some((r) => r.key === key);
          outcomes.push(
            settled(job, {
              kind: 'done',
              result: raised ? { alreadyRaised: key } : { replacedBy: p.plan.plan.version },
            }),
          );
          continue;
        }
        if (p.plan.requestOwned.has(instalment.issueDate)) {
          outcomes.push(
            settled(job, { kind: 'done', result: { raisedAtClose: p.plan.requestOwned.get(instalment.issueDate) } }),
          );
          continue;
        }
        const dueAt = instalmentDueAt(instalment.issueDate, p.timeZone);
        if (dueAt > now) {
          // Stored for a date the plan has since moved: wait for it (a re-plan gives a moved date a new key).
          outcomes.push(
            settled(job, {
              kind: 'retry',
              error: `Not due until ${new Date(dueAt).toISOString()}`,
              delayMs: dueAt - now,
            }),
          );
          continue;
        }
        const row = p.loaded.row;
        const record = p.loaded.instalments.get(key);
        const draft: Draft = {
          job,
          requestKey: key,
          opportunity: opportunityRowSchema.parse(row),
          account: accountRowSchema.parse(row.Account),
          lineItems: childRecords(row.OpportunityLineItems).map((item) => opportunityLineItemRowSchema.parse(item)),
          entity: p.loaded.entity,
          billing: {
            instalment,
            invoiceType: row.Invoice_Type__c === 'Renewal' ? 'Renewal' : 'New',
            ...(record
              ? { sourcePath: `/lightning/r/${deps.names.api('Billing_Instalment__c')}/${record.Id}/view` }
              : {}),
            ...(instalment.kind === 'credit-note' ? { creditsInvoiceId: creditedInvoiceOf(p.plan, instalment) } : {}),
          },
        };
        drafts.push(draft);
        records.set(job.id, { planned: p, recordId: record?.Id });
      }
      const dealIds = [...new Set(drafts.map((d) => d.opportunity.Id))];
      const reads = deps.writeback.composite();
      const emails = deps.queries.billingEmailsOfOpportunities(dealIds, reads);
      const lines = deps.queries.invoiceLinesOfRequests(
        drafts.map((d) => d.requestKey),
        reads,
      );
      const known = deps.goLive.knownOfOpportunityAccounts(dealIds, reads);
      await reads.run();
      const results = await raiseDrafts(deps, drafts, outcomes, {
        emails: await emails,
        existingLines: await lines,
        known: await known,
      });

      // The instalment is Raised with its document in the same job: a job cut short here is run again, finds its
      // document by its key (recovery), and gets here again.
      const marks: { jobId: number; update: SObjectUpdate<typeof BillingInstalment> }[] = [];
      for (const draft of drafts) {
        const document = documentOf(results.get(draft.job.id));
        const recordId = records.get(draft.job.id)?.recordId;
        if (!document || !recordId) continue;
        marks.push({
          jobId: draft.job.id,
          update: {
            Id: recordId,
            Status__c: 'Raised',
            Status_Message__c: null,
            Issue_Date__c: draft.billing!.instalment.issueDate,
            Lines__c: linesJson(draft.billing!.instalment),
            ...(document.invoice ? { Invoice__c: document.invoice } : { Credit_Note__c: document.creditNote! }),
            Raised_At__c: new Date(now).toISOString(),
          },
        });
      }
      if (marks.length > 0) {
        const writes = deps.writeback.composite();
        const marked = writes.update(
          BillingInstalment,
          marks.map((m) => m.update),
        );
        await writes.run();
        (await marked).forEach((outcome, index) => {
          if (outcome.ok) return;
          const reason = outcome.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ');
          results.set(marks[index]!.jobId, {
            kind: 'retry',
            error: `Salesforce refused Billing_Instalment__c: ${reason}`,
          });
        });
        await deps.billingTriggers.planNow(
          [...new Set(marks.map((m) => records.get(m.jobId)!.planned.loaded.dealId))],
          'raised',
          marks.map((m) => m.update.Id).join(','),
        );
      }
      return results;
    },
  };
}
