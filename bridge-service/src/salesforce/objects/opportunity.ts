import { sobject } from '../sobject';

/** Closed-won deals: what CREATE_DRAFT bills, and the rep's summary fields the bridge keeps current. */
export const Opportunity = sobject(
  'Opportunity',
  {
    Id: 'id',
    Name: 'text',
    AccountId: 'reference',
    CloseDate: 'date',
    Amount: 'number',
    IsWon: 'boolean',
    StageName: 'picklist',
    /** Only in multi-currency orgs. */
    CurrencyIsoCode: 'picklist',
    LastModifiedDate: 'datetime',
    // the package's inputs
    Billing_Entity__c: 'text',
    Amended_Opportunity__c: 'reference',
    Invoice_Type__c: 'picklist',
    Service_Start_Date__c: 'date',
    Service_End_Date__c: 'date',
    Renewal_Uplift_Percent__c: 'number',
    PO_Number__c: 'text',
    // the rep's summary fields (written by the bridge)
    Invoiced_Amount__c: 'number',
    Amount_Paid__c: 'number',
    Amount_Due__c: 'number',
    Amount_Overdue__c: 'number',
    Invoice_Currency__c: 'text',
    Invoice_Status__c: 'text',
    Last_Payment_Date__c: 'date',
  },
  {
    parents: { Account: { field: 'AccountId', object: 'Account' } },
    children: { OpportunityLineItems: { object: 'OpportunityLineItem', field: 'OpportunityId' } },
  },
);

/** The products on a deal: the invoice lines. */
export const OpportunityLineItem = sobject(
  'OpportunityLineItem',
  {
    Id: 'id',
    OpportunityId: 'reference',
    Product2Id: 'reference',
    Description: 'text',
    Quantity: 'number',
    UnitPrice: 'number',
    Discount: 'number',
    TotalPrice: 'number',
    ServiceDate: 'date',
    SortOrder: 'number',
  },
  { parents: { Product2: { field: 'Product2Id', object: 'Product2' } } },
);

/** The product: its name and code, and where its lines post in Xero (line mapping; blank = the entity's default). */
export const Product2 = sobject('Product2', {
  Id: 'id',
  Name: 'text',
  ProductCode: 'text',
  Xero_Account_Code__c: 'text',
  Xero_Tax_Type__c: 'text',
  Xero_Item_Code__c: 'text',
  Xero_Tracking_1_Category__c: 'text',
  Xero_Tracking_1_Option__c: 'text',
  Xero_Tracking_2_Category__c: 'text',
  Xero_Tracking_2_Option__c: 'text',
});
