import { sobject } from '../sobject';

/**
 * Xero_Contact_Link__c: The Xero contact an Account is invoiced through in one billing entity (Xero organisation):
 * one per Account per entity, and one Account per Xero contact.
 */
export const XeroContactLink = sobject('Xero_Contact_Link__c', {
  Id: 'id',
  Name: 'text',
  Account__c: 'reference',
  Billing_Entity__c: 'text',
  Confirmed_By__c: 'reference',
  Contact_Name__c: 'text',
  Contact_Status__c: 'picklist',
  Last_Checked__c: 'datetime',
  Link_Key__c: 'text',
  Linked_At__c: 'datetime',
  Match_Method__c: 'picklist',
  Xero_Contact_Id__c: 'text',
  Xero_Tenant_Id__c: 'text',
});

/**
 * Contact_Match_Review__c: An Account the bridge could not match to one Xero contact with certainty in a billing
 * entity: the candidates, why it needs a person, and finance's decision (confirm a candidate, pick another, create a
 * new contact, or reject).
 */
export const ContactMatchReview = sobject('Contact_Match_Review__c', {
  Id: 'id',
  Name: 'text',
  Account__c: 'reference',
  Billing_Entity__c: 'text',
  Candidate_Count__c: 'number',
  Candidates__c: 'text',
  Chosen_Contact_Id__c: 'text',
  Chosen_Contact_Name__c: 'text',
  Decided_At__c: 'datetime',
  Decided_By__c: 'reference',
  Decision_Note__c: 'text',
  Last_Synced__c: 'datetime',
  Message__c: 'text',
  Reason__c: 'picklist',
  Request_Key__c: 'text',
  Review_Key__c: 'text',
  Status__c: 'picklist',
  Sync_Message__c: 'text',
  Sync_Status__c: 'picklist',
  Top_Candidate_Contact_Id__c: 'text',
  Top_Candidate_Match__c: 'text',
  Top_Candidate_Name__c: 'text',
  Xero_Tenant_Id__c: 'text',
});

/**
 * Import_Run__c: One historical import from a Xero organisation (go-live on existing data): contacts, invoices,
 * credit notes, payments, overpayments, prepayments and allocations since a date the operator chose.
 */
export const ImportRun = sobject('Import_Run__c', {
  Id: 'id',
  Name: 'text',
  Allocations_Imported__c: 'number',
  Billing_Entity__c: 'text',
  Contacts_For_Review__c: 'number',
  Contacts_Linked__c: 'number',
  Contacts_Read__c: 'number',
  Contacts_Unmatched__c: 'number',
  Credit_Notes_Imported__c: 'number',
  Documents_Skipped__c: 'number',
  Error_Count__c: 'number',
  Errors__c: 'text',
  Finished_At__c: 'datetime',
  Invoices_Imported__c: 'number',
  Last_Cursor__c: 'text',
  Last_Progress_At__c: 'datetime',
  Overpayments_Imported__c: 'number',
  Payments_Imported__c: 'number',
  Phase__c: 'picklist',
  Prepayments_Imported__c: 'number',
  Run_Key__c: 'text',
  Since_Date__c: 'date',
  Started_At__c: 'datetime',
  Status__c: 'picklist',
  Xero_Tenant_Id__c: 'text',
});

/**
 * Reconciliation_Result__c: One difference between Salesforce and Xero found by the drift check (a mirror against
 * its Xero document) or the reconciliation (booked, billed, collected): the field, both values, the likely cause and
 * the fix to offer.
 */
export const ReconciliationResult = sobject('Reconciliation_Result__c', {
  Id: 'id',
  Name: 'text',
  Account__c: 'reference',
  Amount_Difference__c: 'number',
  Billing_Entity__c: 'text',
  Cause_Detail__c: 'text',
  Cause__c: 'picklist',
  Check_Type__c: 'picklist',
  Credit_Note__c: 'reference',
  Currency_Code__c: 'text',
  Customer_Credit__c: 'reference',
  Detected_At__c: 'datetime',
  Document_Number__c: 'text',
  Document_Type__c: 'picklist',
  Document_Xero_Id__c: 'text',
  Field__c: 'text',
  Invoice__c: 'reference',
  Last_Seen_At__c: 'datetime',
  Opportunity__c: 'reference',
  Resolved_At__c: 'datetime',
  Result_Key__c: 'text',
  Salesforce_Value__c: 'text',
  Status__c: 'picklist',
  Suggested_Fix__c: 'picklist',
  Xero_Tenant_Id__c: 'text',
  Xero_Value__c: 'text',
});

/**
 * Customer_Credit__c: An overpayment or prepayment in Xero: money the customer paid that is not (yet) applied to an
 * invoice, how much of it remains, and how it was allocated or refunded (its Customer Credit Allocations).
 */
export const CustomerCredit = sobject(
  'Customer_Credit__c',
  {
    Id: 'id',
    Name: 'text',
    Account__c: 'reference',
    Allocated__c: 'number',
    Billing_Entity__c: 'text',
    Credit_Date__c: 'date',
    Credit_Type__c: 'picklist',
    Currency_Code__c: 'text',
    Currency_Rate__c: 'number',
    Last_Synced__c: 'datetime',
    Reference__c: 'text',
    Refunded__c: 'number',
    Remaining_Credit__c: 'number',
    Status__c: 'picklist',
    Sub_Total__c: 'number',
    Total_Tax__c: 'number',
    Total__c: 'number',
    Xero_Credit_Id__c: 'text',
    Xero_Tenant_Id__c: 'text',
    Xero_Updated__c: 'datetime',
  },
  { children: { Allocations__r: { object: 'Customer_Credit_Allocation__c', field: 'Customer_Credit__c' } } },
);

/**
 * Customer_Credit_Allocation__c: How part of an overpayment or prepayment was used: allocated to an invoice, or
 * refunded to the customer.
 */
export const CustomerCreditAllocation = sobject('Customer_Credit_Allocation__c', {
  Id: 'id',
  Name: 'text',
  Allocation_Date__c: 'date',
  Amount__c: 'number',
  Currency_Code__c: 'text',
  Customer_Credit__c: 'reference',
  Invoice__c: 'reference',
  Kind__c: 'picklist',
  Status__c: 'picklist',
  Xero_Allocation_Id__c: 'text',
  Xero_Payment_Id__c: 'text',
});
