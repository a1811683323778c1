/**
 * A failure as the rep and finance see it on an Invoice__c: Sync_Status__c Error with the reason, and a
 * Sync_Update__e so open pages show it. Every flow that records a failure builds it here.
 */
import type { Invoice, SyncUpdateEvent } from '../salesforce/objects';
import type { SObjectWrite } from '../salesforce/sobject';

/** The sync fields of a failed invoice. */
export function syncError(
  message: string,
  now: number,
): Required<Pick<SObjectWrite<typeof Invoice>, 'Sync_Status__c' | 'Sync_Message__c' | 'Last_Synced__c'>> {
  return { Sync_Status__c: 'Error', Sync_Message__c: message, Last_Synced__c: new Date(now).toISOString() };
}

/** The event that refreshes the pages showing a failed invoice. */
export function syncErrorEvent(invoiceId: string, opportunityId?: string | null): SObjectWrite<typeof SyncUpdateEvent> {
  return {
    Record_Ids__c: invoiceId,
    Invoice_Id__c: invoiceId,
    ...(opportunityId === undefined ? {} : { Opportunity_Id__c: opportunityId }),
    Change__c: 'ERROR',
  };
}
