import { sobject } from '../sobject';

/** Credit_Note__c: a credit started in Salesforce (awaiting approval) or the mirror of a Xero credit note. */
export const CreditNote = sobject(
  'Credit_Note__c',
  {
    Id: 'id',
    Name: 'text',
    Invoice__c: 'reference',
    Account__c: 'reference',
    Xero_Credit_Note_Id__c: 'text',
    Request_Key__c: 'text',
    Credit_Note_Number__c: 'text',
    Currency_Code__c: 'text',
    Sub_Total__c: 'number',
    Total_Tax__c: 'number',
    Total__c: 'number',
    Remaining_Credit__c: 'number',
    Status__c: 'picklist',
    Approval_Status__c: 'picklist',
    Issue_Date__c: 'date',
    Reason__c: 'text',
    Billing_Entity__c: 'text',
    Sync_Status__c: 'picklist',
    Sync_Message__c: 'text',
    Last_Synced__c: 'datetime',
    Xero_Updated__c: 'datetime',
    /** JSON: the lines as recorded, which approval sends to Xero (credit-notes.ts `RecordedLines`). */
    Lines__c: 'text',
  },
  {
    parents: { Invoice__r: { field: 'Invoice__c', object: 'Invoice__c' } },
    children: {
      Allocations__r: { object: 'Credit_Allocation__c', field: 'Credit_Note__c' },
      Refunds__r: { object: 'Credit_Note_Refund__c', field: 'Credit_Note__c' },
    },
  },
);

/** Credit_Allocation__c (master-detail Credit_Note__c), keyed by Xero's AllocationID. */
export const CreditAllocation = sobject('Credit_Allocation__c', {
  Id: 'id',
  Credit_Note__c: 'reference',
  Invoice__c: 'reference',
  Xero_Allocation_Id__c: 'text',
  Amount__c: 'number',
  Currency_Code__c: 'text',
  Allocation_Date__c: 'date',
  Status__c: 'picklist',
});

/** Credit_Note_Refund__c (master-detail Credit_Note__c): credit paid back (a Payment on the credit note), by PaymentID. */
export const CreditNoteRefund = sobject('Credit_Note_Refund__c', {
  Id: 'id',
  Credit_Note__c: 'reference',
  Xero_Payment_Id__c: 'text',
  Amount__c: 'number',
  Currency_Code__c: 'text',
  Refund_Date__c: 'date',
  Status__c: 'picklist',
});
