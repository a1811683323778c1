/**
 * A failure as the rep and finance see it on an Invoice__c (or a Credit_Note__c): Sync_Status__c Error with the reason, and a
 * Sync_Update__e so open pages show it at once; Retry (RESYNC) runs the request again from there. Every flow that
 * records a failure does it through here: CREATE_DRAFT's write-back, the per-invoice actions, and the worker when
 * it gives up on a job.
 */
import type { Clock } from '../../lib/clock';
import { CreditNote, Invoice } from '../../salesforce/objects';
import type { SObjectWrite } from '../../salesforce/sobject';
import { publishSyncUpdates, type SyncChange } from './sync-updates';
import type { Writeback } from '../../salesforce/writeback';

/** The sync fields of a failed invoice. */
export function syncError(
  message: string,
  now: number,
): Required<Pick<SObjectWrite<typeof Invoice>, 'Sync_Status__c' | 'Sync_Message__c' | 'Last_Synced__c'>> {
  return { Sync_Status__c: 'Error', Sync_Message__c: message, Last_Synced__c: new Date(now).toISOString() };
}

/** The Invoice__c of a draft that never reached Xero, keyed by its request so RESYNC can run it again. */
export function failedDraftRecord(
  request: { requestKey: string; opportunityId?: string | undefined },
  message: string,
  now: number,
): SObjectWrite<typeof Invoice> {
  return {
    Request_Key__c: request.requestKey,
    Opportunity__c: request.opportunityId ?? null,
    ...syncError(message, now),
  };
}

/**
 * The Invoice__c of a draft waiting for a person (a contact match review): Sync_Status__c Pending with what it waits
 * for, and its Account and entity, by which the decision finds it.
 */
export function waitingDraftRecord(
  request: { requestKey: string; opportunityId?: string | undefined },
  message: string,
  now: number,
  where: { accountId: string; billingEntity: string },
): SObjectWrite<typeof Invoice> {
  return {
    Request_Key__c: request.requestKey,
    Opportunity__c: request.opportunityId ?? null,
    Account__c: where.accountId,
    Billing_Entity__c: where.billingEntity,
    Sync_Status__c: 'Pending',
    Sync_Message__c: message.slice(0, 32000),
    Last_Synced__c: new Date(now).toISOString(),
  };
}

/** What refreshes the pages showing a failed invoice (sync-updates.ts makes the event). */
export function syncErrorChange(invoiceId: string, opportunityId?: string | null): SyncChange {
  return { change: 'ERROR', invoiceId, ...(opportunityId ? { opportunityId } : {}) };
}

export function createSyncErrors(deps: {
  writeback: Pick<Writeback, 'update' | 'upsert' | 'create' | 'requireAll'>;
  clock: Pick<Clock, 'now'>;
}) {
  return {
    /** Puts a failure on an existing invoice record. */
    async onInvoice(invoiceId: string, message: string): Promise<void> {
      await deps.writeback.update(Invoice, [{ Id: invoiceId, ...syncError(message, deps.clock.now()) }]);
      await publishSyncUpdates(deps.writeback, [syncErrorChange(invoiceId)]);
    },

    /**
     * Puts a failure on a credit note finance approved that could not be made in Xero (Xero refused it, or the bridge
     * gave up): finance sees why on the credit note, and it no longer counts as on its way to Xero.
     */
    async onCreditNote(note: { creditNoteId: string; invoiceId: string }, message: string): Promise<void> {
      await deps.writeback.update(CreditNote, [{ Id: note.creditNoteId, ...syncError(message, deps.clock.now()) }]);
      await publishSyncUpdates(deps.writeback, [
        { change: 'ERROR', invoiceId: note.invoiceId, otherIds: [note.creditNoteId] },
      ]);
    },

    /** Puts a failure on the invoice record of a draft request, creating it if the draft never got one. */
    async onDraftRequest(request: { requestKey: string; opportunityId: string }, message: string): Promise<void> {
      const outcomes = await deps.writeback.upsert(Invoice, 'Request_Key__c', [
        failedDraftRecord(request, message, deps.clock.now()),
      ]);
      const [id] = deps.writeback.requireAll(Invoice, [request.requestKey], outcomes);
      if (!id) return;
      await publishSyncUpdates(deps.writeback, [syncErrorChange(id, request.opportunityId)]);
    },
  };
}

export type SyncErrors = ReturnType<typeof createSyncErrors>;
