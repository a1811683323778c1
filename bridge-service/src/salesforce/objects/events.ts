import { sobject } from '../sobject';

/** Salesforce → bridge: what a person or a trigger asked for. */
export const InvoiceRequestEvent = sobject('Invoice_Request__e', {
  Action__c: 'text',
  Opportunity_Id__c: 'text',
  Invoice_Id__c: 'text',
  Request_Key__c: 'text',
  Requested_By__c: 'text',
  Payload__c: 'text',
  CreatedById: 'reference',
  CreatedDate: 'datetime',
  EventUuid: 'text',
});

/** Bridge → open pages: these records changed, refresh. */
export const SyncUpdateEvent = sobject('Sync_Update__e', {
  Record_Ids__c: 'text',
  Invoice_Id__c: 'text',
  Opportunity_Id__c: 'text',
  Account_Id__c: 'text',
  Change__c: 'text',
});
