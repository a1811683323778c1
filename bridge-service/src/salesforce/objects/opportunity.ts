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
    IsClosed: 'boolean',
    /** 0–100 (the weighted pipeline). */
    Probability: 'number',
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
    // how the deal is billed (billing plans: the rep's terms and the renewal rule)
    Billing_Frequency__c: 'picklist',
    Billing_Timing__c: 'picklist',
    Billing_Alignment__c: 'picklist',
    First_Invoice_Date__c: 'date',
    Renewal_Index_Name__c: 'text',
    Renewal_Index_Percent__c: 'number',
    Renewal_Index_Date__c: 'date',
    Renewal_Index_Margin_Percent__c: 'number',
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
    children: {
      OpportunityLineItems: { object: 'OpportunityLineItem', field: 'OpportunityId' },
      // its invoices (Invoice__c.Opportunity__c): CREATE_DRAFT tells a deal that took partial invoices by them
      Invoices__r: { object: 'Invoice__c', field: 'Opportunity__c' },
    },
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
    /** Set by the platform when the line has OpportunityLineItemSchedule rows. */
    HasSchedule: 'boolean',
  },
  {
    parents: {
      Product2: { field: 'Product2Id', object: 'Product2' },
      Opportunity: { field: 'OpportunityId', object: 'Opportunity' },
    },
  },
);

/**
 * A product: its name and code on invoice lines, how it bills and is recognised (billing plans), and where its lines
 * post in Xero (line mapping; blank = the entity's default).
 */
export const Product2 = sobject('Product2', {
  Id: 'id',
  Name: 'text',
  ProductCode: 'text',
  Billing_Frequency__c: 'picklist',
  Billing_Timing__c: 'picklist',
  Revenue_Recognition__c: 'picklist',
  Standalone_Selling_Price__c: 'number',
  Xero_Account_Code__c: 'text',
  Xero_Tax_Type__c: 'text',
  Xero_Item_Code__c: 'text',
  Xero_Tracking_1_Category__c: 'text',
  Xero_Tracking_1_Option__c: 'text',
  Xero_Tracking_2_Category__c: 'text',
  Xero_Tracking_2_Option__c: 'text',
  /** Where the product's deferred revenue is held when it is not the billing entity's (month-end close). */
  Xero_Deferred_Account_Code__c: 'text',
});

/** Opportunity Product schedules: a line's revenue or quantity installments, which bill it where the org uses them. */
export const OpportunityLineItemSchedule = sobject(
  'OpportunityLineItemSchedule',
  {
    Id: 'id',
    OpportunityLineItemId: 'reference',
    ScheduleDate: 'date',
    Type: 'picklist',
    Revenue: 'number',
    Quantity: 'number',
    Description: 'text',
  },
  { parents: { OpportunityLineItem: { field: 'OpportunityLineItemId', object: 'OpportunityLineItem' } } },
);
