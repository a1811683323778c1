/**
 * RAISE_INSTALMENT: an instalment falls due (06:00 on its issue date in its entity's time zone) and becomes a Xero
 * DRAFT through the draft path every invoice takes (contacts, routing, crash recovery, Idempotency-Key from its key,
 * the Invoice__c mirror), then waits for the same finance approval; a negative one becomes a credit note awaiting
 * approval. Exactly once: the job and the document are keyed by the instalment key, and a job that finds its
 * instalment already raised, or replaced by a re-plan, does nothing. The plan is read again from the records first,
 * so what is raised is what the plan says today, never what it said when the job was stored.
 *
 * A replaced instalment may have reached Xero all the same (its Invoice__c write failed, or the bridge stopped before
 * it, and then a re-plan replaced it): its document is mirrored, never left in Xero unseen. It is found by its key in
 * the store (written the moment Xero answers), or, for a job that ran before, in Xero by its source URL, as the draft
 * path finds an earlier attempt. Mirrored, the instalment is Raised and the re-plan bills only the difference; until
 * then nothing else of that deal is raised (each of its due instalments waits a minute, the first one mirroring the
 * stranded document itself), so a period is never drafted twice.
 */
import type { Instalment } from '../../domain/billing-plan';
import { creditedInvoiceOf } from '../../domain/deal-plan';
import { money } from '../../domain/money';
import { accountRowSchema, opportunityLineItemRowSchema, opportunityRowSchema } from '../../domain/records';
import { instalmentDueAt } from '../../domain/zoned-time';
import type { Clock } from '../../lib/clock';
import { pushTo } from '../../lib/collections';
import type { GoLiveQueries } from '../../salesforce/golive-queries';
import { BillingInstalment } from '../../salesforce/objects';
import type { Queries } from '../../salesforce/queries';
import type { SalesforceNames } from '../../salesforce/schema';
import type { InstalmentRecord } from '../../salesforce/selections';
import type { SObjectUpdate } from '../../salesforce/sobject';
import { childRecords } from '../../salesforce/soql';
import type { Writeback } from '../../salesforce/writeback';
import { raiseDrafts, type RaiseDraftsDeps } from '../create-draft';
import type { ReferenceData } from '../services/reference-data';
import { refused, settled, type Draft, type DraftOutcome } from '../create-draft/draft';
import { findEarlierAttempts } from '../create-draft/recovery';
import { READ_ONLY_HOLD, type JobHandler, type JobOutcome } from '../handler';
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

/** How long a deal's due instalment waits for a stranded document of the deal to be mirrored first. */
export const STRANDED_WAIT_MS = 60_000;
/** How long a held credit note (deal-plan.ts `heldCredits`) waits before its plan is read again. */
export const HELD_CREDIT_WAIT_MS = 60 * 60_000;

/**
 * A Billing_Instalment__c as the instalment it was (for a stranded document's mirror: its dates and lines as planned).
 * Lines__c is what plan-writer.ts wrote (linesJson); amounts as 2-dp strings.
 */
function instalmentOfRecord(record: InstalmentRecord): Instalment {
  const lines = (JSON.parse(record.Lines__c ?? '[]') as Record<string, unknown>[]).map((l) => ({
    lineKey: String(l.lineKey),
    contractKey: String(l.contractKey ?? ''),
    description: String(l.description ?? ''),
    periodKey: String(l.periodKey),
    servicePeriod: (l.servicePeriod as Instalment['servicePeriod'] | undefined) ?? {
      start: record.Service_Start_Date__c ?? '',
      end: record.Service_End_Date__c ?? '',
    },
    amount: money(String(l.amount)),
  }));
  return {
    key: record.Instalment_Key__c ?? '',
    version: record.Plan_Version__c ?? '',
    sequence: record.Sequence__c ?? 0,
    issueDate: record.Issue_Date__c ?? '',
    kind: 'invoice',
    amount: money(String(record.Amount__c ?? 0)),
    servicePeriod: { start: record.Service_Start_Date__c ?? '', end: record.Service_End_Date__c ?? '' },
    lines,
  };
}

/**
 * The deal's instalments that may have a document in Xero but none in Salesforce: not Raised, not in today's plan
 * (replaced), not found raised through a document, an invoice (a credit note is recorded in Salesforce before it is
 * sent), due by today (nothing is raised before its date).
 */
function replacedRecords(p: PlannedDeal): InstalmentRecord[] {
  const current = new Set(p.plan.plan.instalments.map((i) => i.key));
  const raised = new Set(p.plan.raised.map((r) => r.key));
  return [...p.loaded.instalments.values()].filter(
    (r) =>
      r.Instalment_Key__c &&
      r.Status__c !== 'Raised' &&
      !current.has(r.Instalment_Key__c) &&
      !raised.has(r.Instalment_Key__c) &&
      r.Document_Type__c !== 'Credit Note' &&
      !r.Invoice__c &&
      r.Issue_Date__c &&
      r.Issue_Date__c <= p.plan.summary.asOf,
  );
}

export function raiseInstalmentHandler(deps: RaiseDeps): JobHandler<'RAISE_INSTALMENT'> {
  return {
    batchSize: 50,
    async run(jobs) {
      if ((await deps.reference.settings()).readOnly) return new Map(jobs.map((job) => [job.id, READ_ONLY_HOLD]));
      const { loaded, planned, unplanned } = await deps.dealPlans.compute(jobs.map((j) => j.payload.opportunityId));
      const byDeal = new Map(planned.map((p) => [p.loaded.dealId, p]));
      const now = deps.clock.now();
      const drafts: Draft[] = [];
      const records = new Map<
        number,
        { planned: PlannedDeal; recordId: string | undefined; mirrored?: InstalmentRecord; own?: boolean }
      >();
      const outcomes: DraftOutcome[] = [];
      const dealOfJob = (job: (typeof jobs)[number]) =>
        loaded.dealOf.get(job.payload.opportunityId) ?? job.payload.opportunityId;

      // Documents replaced instalments left in Xero, by deal: known to the store by their keys. One finance deleted or
      // voided in Xero bills nothing: it is not mirrored, and the plan bills its period as planned.
      const stranded = new Map<string, InstalmentRecord[]>();
      const candidates = new Map<string, { dealId: string; record: InstalmentRecord; xeroId: string }[]>();
      for (const dealId of new Set(jobs.map(dealOfJob))) {
        const p = byDeal.get(dealId);
        if (!p) continue;
        const tenantId = p.loaded.entity.xeroTenantId;
        for (const record of replacedRecords(p)) {
          const known = await deps.xeroResults.findXeroResult(record.Instalment_Key__c!, tenantId, 'invoice');
          if (known) pushTo(candidates, tenantId, { dealId, record, xeroId: known.xeroId });
        }
      }
      for (const [tenantId, found] of candidates) {
        const invoices = await deps.xero.getInvoicesByIds(
          tenantId,
          found.map((c) => c.xeroId),
        );
        const gone = new Set(
          invoices.filter((i) => i.status === 'DELETED' || i.status === 'VOIDED').map((i) => i.invoiceID),
        );
        for (const c of found) if (!gone.has(c.xeroId)) pushTo(stranded, c.dealId, c.record);
      }
      const claimed = new Set<string>();
      const mirrorDraft = (job: (typeof jobs)[number], p: PlannedDeal, record: InstalmentRecord): Draft => {
        const row = p.loaded.row;
        return {
          job,
          requestKey: record.Instalment_Key__c!,
          opportunity: opportunityRowSchema.parse(row),
          account: accountRowSchema.parse(row.Account),
          lineItems: childRecords(row.OpportunityLineItems).map((item) => opportunityLineItemRowSchema.parse(item)),
          entity: p.loaded.entity,
          billing: {
            instalment: instalmentOfRecord(record),
            invoiceType: row.Invoice_Type__c === 'Renewal' ? 'Renewal' : 'New',
            sourcePath: `/lightning/r/${deps.names.api('Billing_Instalment__c')}/${record.Id}/view`,
          },
        };
      };
      /** Replaced instalments of jobs that ran before: looked for in Xero by their source URL. */
      const earlier: { job: (typeof jobs)[number]; p: PlannedDeal; record: InstalmentRecord }[] = [];

      for (const job of jobs) {
        const dealId = dealOfJob(job);
        const p = byDeal.get(dealId);
        if (!p) {
          const why = unplanned.find((u) => u.dealId === dealId)?.message ?? `Opportunity ${dealId} was not found`;
          outcomes.push(refused(job, `Cannot raise the instalment: ${why}`));
          continue;
        }
        const key = job.payload.requestKey;
        const strandedHere = stranded.get(dealId) ?? [];
        if (strandedHere.length > 0) {
          // The job's own document first, else one no other job of this batch mirrors.
          const ownJob = (r: InstalmentRecord) => jobs.some((j) => j.payload.requestKey === r.Instalment_Key__c);
          const record =
            strandedHere.find((r) => r.Instalment_Key__c === key) ??
            strandedHere.find((r) => !claimed.has(r.Instalment_Key__c!) && !ownJob(r));
          if (record) {
            claimed.add(record.Instalment_Key__c!);
            drafts.push(mirrorDraft(job, p, record));
            records.set(job.id, {
              planned: p,
              recordId: record.Id,
              mirrored: record,
              own: record.Instalment_Key__c === key,
            });
          } else {
            outcomes.push(
              settled(job, {
                kind: 'retry',
                error: `Waiting for ${strandedHere.map((r) => r.Instalment_Key__c).join(', ')} to be mirrored: a replaced instalment reached Xero`,
                delayMs: STRANDED_WAIT_MS,
              }),
            );
          }
          continue;
        }
        const instalment = p.plan.plan.instalments.find((i) => i.key === key);
        if (!instalment) {
          const raised = p.plan.raised.some((r) => r.key === key);
          const record = p.loaded.instalments.get(key);
          const retried = job.attempts > 1 || job.lastError !== null;
          if (!raised && retried && record && replacedRecords(p).includes(record)) {
            earlier.push({ job, p, record });
            continue;
          }
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
        const held = p.plan.held.get(key);
        if (held) {
          // Uncounted: it is raised once the deal has posted enough in Xero to credit (an invoice approved, a
          // replacement raised), or replaced by a re-plan.
          outcomes.push(settled(job, { kind: 'hold', reason: held, delayMs: HELD_CREDIT_WAIT_MS }));
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
      const dealIds = [...new Set([...drafts.map((d) => d.opportunity.Id), ...earlier.map((e) => e.p.loaded.row.Id)])];
      const reads = deps.writeback.composite();
      const emails = deps.queries.billingEmailsOfOpportunities(dealIds, reads);
      const lines = deps.queries.invoiceLinesOfRequests(
        [...drafts.map((d) => d.requestKey), ...earlier.map((e) => e.record.Instalment_Key__c!)],
        reads,
      );
      const known = deps.goLive.knownOfOpportunityAccounts(dealIds, reads);
      await reads.run();
      for (const { job, p, record } of earlier) {
        // A replaced instalment whose job ran before: its earlier attempt may have reached Xero with no answer kept.
        const draft = mirrorDraft(job, p, record);
        const tenantId = p.loaded.entity.xeroTenantId;
        const contactIds = new Map(
          (await known).links
            .filter(
              (l) =>
                l.Account__c === draft.account.Id &&
                l.Billing_Entity__c === p.loaded.entity.developerName &&
                l.Xero_Contact_Id__c,
            )
            .map((l) => [draft.account.Id, l.Xero_Contact_Id__c!]),
        );
        const found = (await findEarlierAttempts(deps, tenantId, [draft], contactIds)).get(draft.requestKey);
        if (found?.invoiceID) {
          await deps.xeroResults.recordXeroResult({
            requestKey: draft.requestKey,
            tenantId,
            kind: 'invoice',
            xeroId: found.invoiceID,
          });
          drafts.push(draft);
          records.set(job.id, { planned: p, recordId: record.Id, mirrored: record, own: true });
        } else {
          outcomes.push(settled(job, { kind: 'done', result: { replacedBy: p.plan.plan.version } }));
        }
      }
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
        const record = records.get(draft.job.id);
        if (!document || !record?.recordId) continue;
        const mirrored = record.mirrored;
        marks.push({
          jobId: draft.job.id,
          update: {
            Id: record.recordId,
            Status__c: 'Raised',
            // A stranded document keeps the instalment as it was planned (its own lines), and says what happened.
            Status_Message__c: mirrored
              ? `Reached Xero before plan version ${record.planned.plan.plan.version} replaced it: mirrored, and the plan bills the difference`
              : null,
            Issue_Date__c: draft.billing!.instalment.issueDate,
            Lines__c: mirrored ? mirrored.Lines__c : linesJson(draft.billing!.instalment),
            ...(document.invoice ? { Invoice__c: document.invoice } : { Credit_Note__c: document.creditNote! }),
            Raised_At__c: new Date(now).toISOString(),
          },
        });
      }
      // A job that mirrored another instalment's document raises its own once the plan has counted it.
      for (const [jobId, record] of records) {
        if (!record.mirrored || record.own) continue;
        const outcome = results.get(jobId);
        if (outcome?.kind !== 'done') continue;
        results.set(jobId, {
          kind: 'retry',
          error: `Mirrored ${record.mirrored.Instalment_Key__c} first (a replaced instalment that reached Xero); raising this one when the plan has counted it`,
          delayMs: STRANDED_WAIT_MS,
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
