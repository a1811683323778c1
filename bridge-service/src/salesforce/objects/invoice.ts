import { sobject } from '../sobject';

/** Invoice__c: the mirror of one Xero invoice (or a draft that has not reached Xero yet). */
export const Invoice = sobject(
  'Invoice__c',
  {
    Id: 'id',
    Name: 'text',
    Opportunity__c: 'reference',
    Account__c: 'reference',
    Xero_Invoice_Id__c: 'text',
    Request_Key__c: 'text',
    Invoice_Number__c: 'text',
    Billing_Entity__c: 'text',
    Xero_Tenant_Id__c: 'text',
    Currency_Code__c: 'text',
    Currency_Rate__c: 'number',
    Sub_Total__c: 'number',
    Total_Tax__c: 'number',
    Total__c: 'number',
    Amount_Paid__c: 'number',
    Amount_Credited__c: 'number',
    Amount_Due__c: 'number',
    Issue_Date__c: 'date',
    Due_Date__c: 'date',
    Status__c: 'picklist',
    Approval_Status__c: 'picklist',
    Online_Invoice_URL__c: 'text',
    Service_Start_Date__c: 'date',
    Service_End_Date__c: 'date',
    Invoice_Type__c: 'picklist',
    Line_Amount_Type__c: 'picklist',
    Reference__c: 'text',
    Sync_Status__c: 'picklist',
    Sync_Message__c: 'text',
    Last_Synced__c: 'datetime',
    Xero_Updated__c: 'datetime',
    /** Read only by the reconcile after an event gap (sync/reconcile.ts). */
    LastModifiedDate: 'datetime',
  },
  {
    parents: { Opportunity__r: { field: 'Opportunity__c', object: 'Opportunity' } },
    children: {
      Invoice_Lines__r: { object: 'Invoice_Line__c', field: 'Invoice__c' },
      Payments__r: { object: 'Payment__c', field: 'Invoice__c' },
      Credit_Notes__r: { object: 'Credit_Note__c', field: 'Invoice__c' },
    },
  },
);

/** Invoice_Line__c (master-detail Invoice__c), keyed by Xero's LineItemID. */
export const InvoiceLine = sobject(
  'Invoice_Line__c',
  {
    Id: 'id',
    Invoice__c: 'reference',
    Xero_Line_Item_Id__c: 'text',
    Description__c: 'text',
    Quantity__c: 'number',
    Unit_Amount__c: 'number',
    Discount_Rate__c: 'number',
    Line_Amount__c: 'number',
    Tax_Amount__c: 'number',
    Tax_Type__c: 'text',
    Account_Code__c: 'text',
    Item_Code__c: 'text',
    Currency_Code__c: 'text',
    Opportunity_Line_Item_Id__c: 'text',
    Sort_Order__c: 'number',
  },
  { parents: { Invoice__r: { field: 'Invoice__c', object: 'Invoice__c' } } },
);

/** Payment__c (master-detail Invoice__c), keyed by Xero's PaymentID. */
export const Payment = sobject('Payment__c', {
  Id: 'id',
  Invoice__c: 'reference',
  Xero_Payment_Id__c: 'text',
  Amount__c: 'number',
  Currency_Code__c: 'text',
  Currency_Rate__c: 'number',
  Payment_Date__c: 'date',
  Reference__c: 'text',
  Status__c: 'picklist',
  Xero_Updated__c: 'datetime',
});
