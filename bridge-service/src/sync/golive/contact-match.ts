/**
 * CONTACT_MATCH: finance's decision on a contact match review (ContactMatchController.decide), applied.
 * - CONFIRM: the chosen contact (a candidate, or any ContactID of the tenant) is linked, if it exists, is not archived
 *   and no other Account's link holds it (one contact, one Account);
 * - CREATE_NEW: a new contact is created and linked; if its name is taken in Xero, finance asked for a second contact
 *   knowingly, so it carries the Account Id in its name (the only place that naming survives);
 * - REJECT: nothing is linked; the Account's drafts in the entity are refused until the review is reopened.
 * The review shows the outcome (Sync_Status__c, Sync_Message__c), and the drafts that waited for it run again. A contact
 * made is recorded under the decision's request key (xero_results) before anything else: a retry (the review's write
 * refused) or the same decision queued again at start, its job pruned, links that contact and makes none. Its
 * ContactNumber is recorded before Xero is asked, so a contact made but not recorded (a crash, a store error) is found
 * again by that number and linked.
 */
import { buildXeroContact, contactNameFor, toEighteenCharId } from '../../domain/contact';
import type { ContactMatchPayload } from '../../domain/golive-records';
import { DomainError } from '../../domain/errors';
import { accountRowSchema } from '../../domain/records';
import { isTransient } from '../../lib/errors';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { GoLiveQueries } from '../../salesforce/golive-queries';
import { ContactMatchReview } from '../../salesforce/objects';
import type { SObjectUpdate } from '../../salesforce/sobject';
import type { Writeback } from '../../salesforce/writeback';
import { isStopped, type JobRepository, type XeroResultRepository } from '../../store/types';
import type { XeroClient } from '../../xero/client';
import { describeError } from '../describe-error';
import type { JobHandler, JobOutcome } from '../handler';
import type { ContactDirectory } from '../services/contact-directory';
import type { ContactLinks, EntityRef } from '../services/contact-links';
import type { ReferenceData } from '../services/reference-data';
import { batchKey } from '../create-draft/draft';
import { activeByNumber } from '../create-draft/contacts';

export interface ContactMatchDeps {
  reference: Pick<ReferenceData, 'entity'>;
  goLive: Pick<GoLiveQueries, 'accountsToMatch' | 'linksOfContacts' | 'waitingDrafts'>;
  directory: Pick<ContactDirectory, 'find' | 'contacts' | 'add'>;
  contactLinks: Pick<ContactLinks, 'writeLinks'>;
  xero: Pick<XeroClient, 'createContacts' | 'findContactByNumber'>;
  xeroResults: Pick<XeroResultRepository, 'findXeroResult' | 'recordXeroResult'>;
  writeback: Pick<Writeback, 'update' | 'requireAll'>;
  jobs: Pick<JobRepository, 'getJobByKey' | 'retryJob'>;
  clock: Pick<Clock, 'now'>;
  log: Pick<Logger, 'info' | 'warn'>;
}

/** Queues again the drafts of the Account in the entity that waited for this review; returns how many. */
export async function releaseWaitingDrafts(
  deps: Pick<ContactMatchDeps, 'goLive' | 'jobs'>,
  entity: string,
  accountId: string,
): Promise<number> {
  let released = 0;
  for (const draft of await deps.goLive.waitingDrafts(entity, [accountId])) {
    const job = draft.Request_Key__c ? await deps.jobs.getJobByKey(draft.Request_Key__c) : null;
    if (isStopped(job) && (await deps.jobs.retryJob(job.id))) released += 1;
  }
  return released;
}

/**
 * The Account's ContactNumber (its Id), or the next free `<Id>-2`, `-3`…: Xero keeps ContactNumber unique across
 * archived contacts too, and the contact finance asked to replace (archived, or merged away) may still hold it.
 */
function freeContactNumber(base: string, known: readonly { contactNumber?: string | null }[]): string {
  const taken = new Set(known.flatMap((c) => (c.contactNumber ? [c.contactNumber.toLowerCase()] : [])));
  let number = base;
  for (let n = 2; taken.has(number.toLowerCase()); n += 1) number = `${base}-${n}`;
  return number;
}

/**
 * Where a Create new records the ContactNumber it gives its contact, before Xero is asked (kind 'contact': Xero takes a
 * ContactNumber wherever it takes a ContactID). Not the decision's own key, which holds the ContactID Xero answered.
 */
const plannedNumberKey = (requestKey: string) => `${requestKey}:contact-number`;

export function contactMatchHandler(deps: ContactMatchDeps): JobHandler<'CONTACT_MATCH'> {
  async function apply(decision: ContactMatchPayload, requestKey: string, requestedBy?: string): Promise<string> {
    const entity: EntityRef = await deps.reference.entity(decision.billingEntity);
    const [row] = await deps.goLive.accountsToMatch([decision.accountId]);
    if (!row) throw new DomainError('INVALID_INPUT', `Account ${decision.accountId} was not found`);
    const account = accountRowSchema.parse(row);
    const tenantId = entity.xeroTenantId;

    if (decision.decision === 'REJECT') {
      return (
        `No Xero contact linked: nothing is invoiced for ${account.Name} in ${entity.developerName} until this ` +
        'review is reopened (set its Status to Open), then Retry the waiting invoices'
      );
    }
    if (decision.decision === 'CONFIRM') {
      const contactId = String(decision.contactId).toLowerCase();
      const contact = await deps.directory.find(tenantId, contactId);
      if (!contact) {
        throw new DomainError(
          'INVALID_INPUT',
          `Xero contact ${contactId} is not in ${entity.developerName}'s Xero organisation`,
        );
      }
      if (contact.status !== 'ACTIVE') {
        throw new DomainError(
          'INVALID_INPUT',
          `Xero contact "${contact.name}" is ${contact.status.toLowerCase()} in Xero: restore it there, then decide again`,
        );
      }
      const held = (await deps.goLive.linksOfContacts(entity.developerName, [contactId])).filter(
        (l) => l.Account__c && l.Account__c.slice(0, 15) !== account.Id.slice(0, 15),
      );
      if (held.length > 0) {
        throw new DomainError(
          'INVALID_INPUT',
          `Xero contact "${contact.name}" is already linked to another Account (${held[0]!.Account__c}): one contact belongs to one Account`,
        );
      }
      await deps.contactLinks.writeLinks(entity, [
        {
          accountId: account.Id,
          contactId: contact.contactId,
          contactName: contact.name,
          method: 'review',
          ...(requestedBy ? { confirmedBy: requestedBy } : {}),
        },
      ]);
      return `Linked to Xero contact "${contact.name}"`;
    }
    // CREATE_NEW: finance has seen the candidates and asked for a new contact.
    const created = (name: string) =>
      name.endsWith(` (${toEighteenCharId(account.Id)})`)
        ? `Created Xero contact "${name}" and linked it (Xero holds another contact named ${account.Name}, so the new one carries the Account Id)`
        : `Created Xero contact "${name}" and linked it`;
    const link = (contactId: string, contactName: string) =>
      deps.contactLinks.writeLinks(entity, [
        {
          accountId: account.Id,
          contactId,
          contactName,
          method: 'created',
          ...(requestedBy ? { confirmedBy: requestedBy } : {}),
        },
      ]);
    /** Links the contact an earlier attempt of this decision made: another would be a second contact. */
    const linkMade = async (contactId: string) => {
      const made = await deps.directory.find(tenantId, contactId);
      if (!made)
        throw new DomainError(
          'INVALID_INPUT',
          `Xero contact ${contactId}, made for this decision, is not in ${entity.developerName}'s Xero organisation`,
        );
      await link(made.contactId, made.name);
      return created(made.name);
    };
    const recorded = await deps.xeroResults.findXeroResult(requestKey, tenantId, 'contact');
    if (recorded) return linkMade(recorded.xeroId);
    // Made, but its ContactID not recorded: found by the number this decision recorded before asking Xero. Xero keeps
    // a ContactNumber unique across all contacts and the number was free when recorded, so the contact holding it was
    // made with it, by this decision. (A search by name and the Account's numbers could take a contact made before.)
    const planned = await deps.xeroResults.findXeroResult(plannedNumberKey(requestKey), tenantId, 'contact');
    const madeBefore = planned ? await activeByNumber(deps.xero, tenantId, planned.xeroId) : undefined;
    if (madeBefore) {
      await deps.xeroResults.recordXeroResult({ requestKey, tenantId, kind: 'contact', xeroId: madeBefore });
      return linkMade(madeBefore);
    }
    // Read afresh: the number must be free in Xero now, not in a directory up to a minute old.
    const known = await deps.directory.contacts(tenantId, true);
    const existing = known.filter((c) => c.status === 'ACTIVE');
    const model = buildXeroContact(account, [], null);
    model.name = contactNameFor(
      account,
      existing.map((c) => ({ contactId: c.contactId, name: c.name, contactNumber: c.contactNumber ?? null })),
    );
    model.contactNumber = (
      planned ??
      (await deps.xeroResults.recordXeroResult({
        requestKey: plannedNumberKey(requestKey),
        tenantId,
        kind: 'contact',
        xeroId: freeContactNumber(model.contactNumber, known),
      }))
    ).xeroId;
    const [result] = await deps.xero.createContacts(
      tenantId,
      [model],
      batchKey(`${requestKey}:contact`, [JSON.stringify(model)]),
    );
    const contactId =
      (result?.ok ? result.id : undefined) ?? (await activeByNumber(deps.xero, tenantId, model.contactNumber));
    if (!contactId) {
      throw new DomainError(
        'INVALID_INPUT',
        `Xero refused the new contact for ${account.Name}: ${result?.errors.join('; ') ?? 'no answer'}`,
      );
    }
    await deps.xeroResults.recordXeroResult({ requestKey, tenantId, kind: 'contact', xeroId: contactId });
    deps.directory.add(tenantId, { contactId, name: model.name, status: 'ACTIVE', contactNumber: model.contactNumber });
    await link(contactId, model.name);
    return created(model.name);
  }

  /** Writes the outcome on the review; throws when Salesforce refused it (SalesforceWriteError, transient or not). */
  async function recordOnReview(reviewId: string, status: 'Synced' | 'Error', message: string): Promise<void> {
    const outcomes = await deps.writeback.update(ContactMatchReview, [
      {
        Id: reviewId,
        // A decision the bridge could not apply (a mistyped ContactID, a contact archived meanwhile) opens the review
        // again, so finance can decide again; field history keeps the decision that failed.
        ...(status === 'Error' ? { Status__c: 'Open' } : {}),
        Sync_Status__c: status,
        Sync_Message__c: message.slice(0, 32000),
        Last_Synced__c: new Date(deps.clock.now()).toISOString(),
      },
    ]);
    deps.writeback.requireAll(ContactMatchReview, [reviewId], outcomes);
  }

  return {
    batchSize: 10,
    async run(jobs) {
      const outcomes = new Map<number, JobOutcome>();
      for (const job of jobs) {
        const decision = job.payload.payload;
        let applied = false;
        try {
          const message = await apply(decision, job.payload.requestKey, job.payload.requestedBy);
          applied = true;
          const released = await releaseWaitingDrafts(deps, decision.billingEntity, decision.accountId);
          await recordOnReview(
            decision.reviewId,
            'Synced',
            released > 0 ? `${message}; ${released} waiting invoice(s) sent again` : message,
          );
          deps.log.info(
            { reviewId: decision.reviewId, decision: decision.decision, released },
            'contact match applied',
          );
          outcomes.set(job.id, { kind: 'done', result: { message, released } });
        } catch (err) {
          const message = describeError(err);
          if (isTransient(err)) {
            outcomes.set(job.id, { kind: 'retry', error: message });
            continue;
          }
          if (applied) {
            // Carried out, only not recorded: reopening the review would ask finance to decide again. It stays
            // Pending; a retry of the job (POST /admin/jobs/:id/retry) records it and makes no second contact.
            deps.log.warn({ reviewId: decision.reviewId, err }, 'contact match applied but not recorded on the review');
            outcomes.set(job.id, { kind: 'failed', error: message });
            continue;
          }
          await recordOnReview(decision.reviewId, 'Error', `${message}. The review is open again: decide again.`).catch(
            (writeErr: unknown) =>
              deps.log.warn(
                { reviewId: decision.reviewId, err: writeErr },
                'could not record the refusal on the review',
              ),
          );
          outcomes.set(job.id, { kind: 'failed', error: message });
        }
      }
      return outcomes;
    },
  };
}

const DECISION: Record<string, ContactMatchPayload['decision']> = {
  Confirmed: 'CONFIRM',
  'Created New': 'CREATE_NEW',
  Rejected: 'REJECT',
};

/**
 * Reviews finance decided that no bridge applied (an older bridge refused the CONTACT_MATCH request, or its event was
 * lost): queued again under the review's own request key, so each is applied once. Called at start. A review whose job
 * is done but still Pending (its Synced write failed on a bridge that did not retry it) gets the job's outcome now:
 * that job predates the contact's record under its key, and re-running it once it is pruned would make a second one.
 */
export async function requeueDecidedReviews(deps: {
  goLive: Pick<GoLiveQueries, 'reviewsAwaitingBridge'>;
  jobs: Pick<JobRepository, 'enqueueJob' | 'getJobByKey'>;
  writeback: Pick<Writeback, 'update'>;
  log: Pick<Logger, 'warn'>;
}): Promise<number> {
  let queued = 0;
  const carriedOut: SObjectUpdate<typeof ContactMatchReview>[] = [];
  for (const review of await deps.goLive.reviewsAwaitingBridge()) {
    const decision = DECISION[review.Status__c ?? ''];
    if (!decision || !review.Request_Key__c || !review.Account__c || !review.Billing_Entity__c) continue;
    const { created } = await deps.jobs.enqueueJob({
      key: review.Request_Key__c,
      action: 'CONTACT_MATCH',
      payload: {
        action: 'CONTACT_MATCH',
        requestKey: review.Request_Key__c,
        payload: {
          reviewId: review.Id,
          accountId: review.Account__c,
          billingEntity: review.Billing_Entity__c,
          decision,
          contactId: review.Chosen_Contact_Id__c,
          note: review.Decision_Note__c,
        },
      },
    });
    if (created) {
      queued += 1;
      continue;
    }
    const job = await deps.jobs.getJobByKey(review.Request_Key__c);
    const message = job?.state === 'done' ? (job.result as { message?: unknown } | null)?.message : undefined;
    if (job && typeof message === 'string') {
      carriedOut.push({
        Id: review.Id,
        Sync_Status__c: 'Synced',
        Sync_Message__c: message.slice(0, 32000),
        Last_Synced__c: new Date(job.updatedAt).toISOString(),
      });
    }
  }
  if (carriedOut.length > 0) {
    const outcomes = await deps.writeback.update(ContactMatchReview, carriedOut);
    outcomes.forEach((outcome, i) => {
      if (!outcome.ok)
        deps.log.warn({ reviewId: carriedOut[i]!.Id, errors: outcome.errors }, 'could not record a done decision');
    });
  }
  return queued;
}
