/**
 * When the worker gives up on a job after repeated transient failures (Salesforce or Xero down for longer than
 * the retries last), the rep and finance must see it where they look, not only in the admin API: the invoice
 * record says Error with the reason, and a Sync_Update__e refreshes open pages. A draft that never reached
 * Salesforce gets its Invoice__c now, keyed by the request, so RESYNC can run it again from the record.
 */
import { Invoice, SyncUpdateEvent } from '../salesforce/objects';
import type { RequestJob } from './handler';
import { createInvoiceSync } from './invoice-sync';
import type { SyncDeps } from './sync-deps';

export function createGiveUpRecorder(deps: SyncDeps) {
  const sync = createInvoiceSync(deps);
  return async (job: RequestJob, error: string): Promise<void> => {
    const { action, requestKey, opportunityId, invoiceId } = job.payload;
    if (invoiceId) return sync.markError(invoiceId, error);
    if (action !== 'CREATE_DRAFT' || !opportunityId) return; // nothing in Salesforce to show it on
    const [result] = await deps.writeback.upsert(Invoice, 'Request_Key__c', [
      {
        Request_Key__c: requestKey,
        Opportunity__c: opportunityId,
        Sync_Status__c: 'Error',
        Sync_Message__c: error,
        Last_Synced__c: new Date(deps.clock.now()).toISOString(),
      },
    ]);
    const [id] = deps.writeback.requireAll(Invoice, [requestKey], result ? [result] : []);
    if (!id) return;
    await deps.writeback.create(SyncUpdateEvent, [
      { Record_Ids__c: id, Invoice_Id__c: id, Opportunity_Id__c: opportunityId, Change__c: 'ERROR' },
    ]);
  };
}
