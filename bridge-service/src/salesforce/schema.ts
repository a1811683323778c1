/**
 * The one place that names Salesforce API names the bridge reads or writes (architecture invariant 5).
 * Names are declared without the package namespace; `salesforceNames(prefix)` adds it. A unit test checks every
 * custom name here against force-app metadata, with a compatible type.
 */

/** The kinds of value the bridge reads or writes; the schema test maps metadata field types onto these. */
export type FieldKind = 'id' | 'text' | 'number' | 'date' | 'datetime' | 'boolean' | 'picklist' | 'reference';

type FieldMap = Readonly<Record<string, FieldKind>>;

/** Standard objects: fields the bridge reads (not in force-app; checked against a built-in list). */
export const STANDARD_FIELDS = {
  Opportunity: {
    Id: 'id',
    Name: 'text',
    AccountId: 'reference',
    CloseDate: 'date',
    Amount: 'number',
    IsWon: 'boolean',
    StageName: 'picklist',
    CurrencyIsoCode: 'picklist',
    LastModifiedDate: 'datetime',
  },
  OpportunityLineItem: {
    Id: 'id',
    OpportunityId: 'reference',
    Description: 'text',
    Quantity: 'number',
    UnitPrice: 'number',
    Discount: 'number',
    TotalPrice: 'number',
    ServiceDate: 'date',
    SortOrder: 'number',
  },
  Product2: { Name: 'text', ProductCode: 'text' },
  Contact: { AccountId: 'reference', Email: 'text' },
  Account: { Id: 'id', Name: 'text', BillingCountry: 'text', BillingCountryCode: 'picklist' },
} as const satisfies Readonly<Record<string, FieldMap>>;

/** Package objects and the package's fields on standard objects. */
export const PACKAGE_FIELDS = {
  Invoice__c: {
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
  },
  Invoice_Line__c: {
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
  Payment__c: {
    Invoice__c: 'reference',
    Xero_Payment_Id__c: 'text',
    Amount__c: 'number',
    Currency_Code__c: 'text',
    Currency_Rate__c: 'number',
    Payment_Date__c: 'date',
    Reference__c: 'text',
    Status__c: 'picklist',
    Xero_Updated__c: 'datetime',
  },
  Credit_Note__c: {
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
    Sync_Status__c: 'picklist',
    Sync_Message__c: 'text',
    Last_Synced__c: 'datetime',
    Xero_Updated__c: 'datetime',
  },
  Credit_Allocation__c: {
    Credit_Note__c: 'reference',
    Invoice__c: 'reference',
    Xero_Allocation_Id__c: 'text',
    Amount__c: 'number',
    Currency_Code__c: 'text',
    Allocation_Date__c: 'date',
    Status__c: 'picklist',
  },
  Opportunity: {
    Billing_Entity__c: 'text',
    Amended_Opportunity__c: 'reference',
    Invoice_Type__c: 'picklist',
    Service_Start_Date__c: 'date',
    Service_End_Date__c: 'date',
    Renewal_Uplift_Percent__c: 'number',
    Invoiced_Amount__c: 'number',
    Amount_Paid__c: 'number',
    Amount_Due__c: 'number',
    Amount_Overdue__c: 'number',
    Invoice_Currency__c: 'text',
    Invoice_Status__c: 'text',
    Last_Payment_Date__c: 'date',
  },
  Account: {
    Billing_Entity__c: 'text',
    Invoiced_Amount__c: 'number',
    Amount_Due__c: 'number',
    Amount_Overdue__c: 'number',
    Receivables_Currency__c: 'text',
    Receivables_Summary__c: 'text',
    Last_Payment_Date__c: 'date',
  },
  Invoice_Request__e: {
    Action__c: 'text',
    Opportunity_Id__c: 'text',
    Invoice_Id__c: 'text',
    Request_Key__c: 'text',
    Requested_By__c: 'text',
    Payload__c: 'text',
  },
  Sync_Update__e: {
    Record_Ids__c: 'text',
    Invoice_Id__c: 'text',
    Opportunity_Id__c: 'text',
    Account_Id__c: 'text',
    Change__c: 'text',
  },
  Billing_Entity__mdt: {
    Xero_Tenant_Id__c: 'text',
    Base_Currency__c: 'text',
    Countries__c: 'text',
    Regions__c: 'text',
    Currencies__c: 'text',
    Account_Code__c: 'text',
    Tax_Type__c: 'text',
    Line_Amount_Type__c: 'text',
    Payment_Terms_Days__c: 'number',
    Branding_Theme_Id__c: 'text',
    Is_Default__c: 'boolean',
    Auto_Email__c: 'boolean',
  },
  Ledgerline_Settings__c: {
    Auto_Draft_On_Close__c: 'boolean',
    Read_Only_Mode__c: 'boolean',
  },
} as const satisfies Readonly<Record<string, FieldMap>>;

/** Child relationship names the bridge queries through (child object → relationship on the parent). */
export const PACKAGE_RELATIONSHIPS = {
  Invoice_Line__c: { field: 'Invoice__c', parent: 'Invoice__c', name: 'Invoice_Lines' },
  Payment__c: { field: 'Invoice__c', parent: 'Invoice__c', name: 'Payments' },
  Credit_Note__c: { field: 'Invoice__c', parent: 'Invoice__c', name: 'Credit_Notes' },
  Credit_Allocation__c: { field: 'Credit_Note__c', parent: 'Credit_Note__c', name: 'Allocations' },
} as const;

export type NamespacePrefix = '' | `${string}__`;

const CUSTOM_SUFFIX = /__(c|e|mdt|r|x)$/;

/**
 * Adds the namespace prefix to custom API names; standard names and already-prefixed names pass through.
 * Dotted paths (`Opportunity__r.Account.Name`) are prefixed part by part.
 */
export function salesforceNames(prefix: NamespacePrefix) {
  const one = (name: string): string => {
    if (prefix === '' || !CUSTOM_SUFFIX.test(name) || /^[A-Za-z0-9]+__[A-Za-z]/.test(name.replace(CUSTOM_SUFFIX, ''))) {
      return name;
    }
    return `${prefix}${name}`;
  };
  const api = (name: string): string => name.split('.').map(one).join('.');
  return {
    prefix,
    /** API name of an object, field or dotted path, with the namespace applied. */
    api,
    /** CometD channel of a platform event. */
    channel: (eventName: string): string => `/event/${api(eventName)}`,
    /** Removes the namespace from every key of a record read from Salesforce, nested relationships included. */
    strip: (record: unknown): unknown => stripPrefix(record, prefix),
  };
}

export type SalesforceNames = ReturnType<typeof salesforceNames>;

function stripPrefix(value: unknown, prefix: NamespacePrefix): unknown {
  if (prefix === '' || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => stripPrefix(item, prefix));
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key.startsWith(prefix) ? key.slice(prefix.length) : key,
      stripPrefix(inner, prefix),
    ]),
  );
}
