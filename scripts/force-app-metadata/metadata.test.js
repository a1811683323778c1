'use strict';
// Reads the package metadata in force-app (and the approval folder) and checks it against the contract in
// ARCHITECTURE.md: the platform events, the Xero ids, the data model, and what each permission set grants.
// Each check is a function returning problems, so the tests can also prove that a bad change would be caught.
const fs = require('node:fs');
const path = require('node:path');
const { XMLParser } = require('fast-xml-parser');

const ROOT = path.resolve(__dirname, '..', '..');
const APP = path.join(ROOT, 'force-app', 'main', 'default');
const APPROVAL = path.join(ROOT, 'force-app-unpackaged', 'main', 'default');

const ARRAYS = new Set([
  'applicationVisibilities',
  'classAccesses',
  'customMetadataTypeAccesses',
  'customPermissions',
  'customSettingAccesses',
  'fieldPermissions',
  'flowAccesses',
  'labels',
  'objectPermissions',
  'pageAccesses',
  'recordTypeVisibilities',
  'tabSettings',
  'userPermissions',
  'value',
  'values',
  'criteriaItems',
  'action',
  'approvalPageFields.field',
  'fieldUpdates',
  'layoutSections',
  'layoutColumns',
  'layoutItems',
  'relatedLists',
  'relatedLists.fields',
  'platformActionListItems',
  'inputParameters',
  'outputParameters',
  'queueSobject',
]);
// Tags that may repeat are always arrays; `field` only where it repeats (approval page fields).
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  isArray: (name, jpath) => ARRAYS.has(name) || ARRAYS.has(jpath.split('.').slice(-2).join('.')),
});
const parse = (file) => parser.parse(fs.readFileSync(file, 'utf8'));
const clone = (value) => JSON.parse(JSON.stringify(value));
const isTrue = (value) => value === 'true';

// ── Loading ─────────────────────────────────────────────────────────────────────────────────────────────────────────

function loadObjects() {
  const objects = {};
  for (const name of fs.readdirSync(path.join(APP, 'objects'))) {
    const dir = path.join(APP, 'objects', name);
    const metaFile = path.join(dir, `${name}.object-meta.xml`);
    const fieldsDir = path.join(dir, 'fields');
    const fields = {};
    if (fs.existsSync(fieldsDir)) {
      for (const file of fs.readdirSync(fieldsDir)) {
        fields[file.replace('.field-meta.xml', '')] = parse(path.join(fieldsDir, file)).CustomField;
      }
    }
    objects[name] = { meta: fs.existsSync(metaFile) ? parse(metaFile).CustomObject : null, fields };
  }
  return objects;
}

function loadPermissionSets() {
  const sets = {};
  const dir = path.join(APP, 'permissionsets');
  for (const file of fs.readdirSync(dir)) {
    sets[file.replace('.permissionset-meta.xml', '')] = parse(path.join(dir, file)).PermissionSet;
  }
  return sets;
}

const objects = loadObjects();
const permissionSets = loadPermissionSets();
// The bridge's standard-object access: a packaged set cannot grant it (the install drops standard-object and
// standard-field permissions), so it is an org-owned set in the approval folder, assigned beside Ledgerline_Integration.
const STANDARD_ACCESS = 'Ledgerline_Integration_Standard_Access';
const standardAccess = parse(
  path.join(APPROVAL, 'permissionsets', `${STANDARD_ACCESS}.permissionset-meta.xml`),
).PermissionSet;
/** What the bridge's user holds: the packaged set plus the org-owned standard-access set. */
const bridgeUser = (packaged, standard = standardAccess) => ({
  ...packaged,
  objectPermissions: [...(packaged.objectPermissions ?? []), ...(standard.objectPermissions ?? [])],
  fieldPermissions: [...(packaged.fieldPermissions ?? []), ...(standard.fieldPermissions ?? [])],
});

// ── The contract ────────────────────────────────────────────────────────────────────────────────────────────────────

const PACKAGE_OBJECTS = [
  'Invoice__c',
  'Invoice_Line__c',
  'Payment__c',
  'Credit_Note__c',
  'Credit_Allocation__c',
  'Credit_Note_Refund__c',
];
// Billing plans and revenue schedules (issue 15): finance reads them all, sales the plan and its instalments.
const REVENUE_OBJECTS = ['Billing_Plan__c', 'Billing_Instalment__c', 'Revenue_Month__c'];
const SALES_REVENUE_OBJECTS = ['Billing_Plan__c', 'Billing_Instalment__c'];
// Product2 fields the bridge reads to plan billing and revenue; admins set them, finance reads them.
const PRODUCT_BILLING_FIELDS = [
  'Billing_Frequency__c',
  'Billing_Timing__c',
  'Revenue_Recognition__c',
  'Standalone_Selling_Price__c',
];
// Go-live on existing data (issue 18): contact links and match reviews, import runs, reconciliation results, and the
// mirrors of overpayments and prepayments. What each persona may do with them:
const GOLIVE_GRANTS = {
  Ledgerline_Admin: {
    Xero_Contact_Link__c: 'CREDVM',
    Contact_Match_Review__c: 'CREDVM',
    Import_Run__c: 'CREDVM',
    Reconciliation_Result__c: 'CREDVM',
    Customer_Credit__c: 'CREDVM',
    Customer_Credit_Allocation__c: 'CREDVM',
  },
  // Finance decides match reviews and dismisses reconciliation results; everything else the bridge writes.
  Ledgerline_Finance: {
    Xero_Contact_Link__c: 'R',
    Contact_Match_Review__c: 'RE',
    Import_Run__c: 'R',
    Reconciliation_Result__c: 'RE',
    Customer_Credit__c: 'R',
    Customer_Credit_Allocation__c: 'R',
  },
  // Sales sees the credit a customer holds, nothing of the go-live machinery.
  Ledgerline_Sales: { Customer_Credit__c: 'R', Customer_Credit_Allocation__c: 'R' },
  Ledgerline_Integration: {
    Xero_Contact_Link__c: 'CRE',
    Contact_Match_Review__c: 'CRE',
    Import_Run__c: 'CRE',
    Reconciliation_Result__c: 'CRE',
    Customer_Credit__c: 'CRE',
    Customer_Credit_Allocation__c: 'CRE',
  },
};
const GOLIVE_OBJECTS = Object.keys(GOLIVE_GRANTS.Ledgerline_Admin);
// Month-end close (issue 16): the bridge proposes and writes the close and its journal lines; finance reads them and
// approves through the approval process (whose field updates need no permission); sales sees none of it.
const CLOSE_GRANTS = {
  Ledgerline_Admin: { Month_End_Close__c: 'CREDVM', Month_End_Journal_Line__c: 'CREDVM' },
  Ledgerline_Finance: { Month_End_Close__c: 'R', Month_End_Journal_Line__c: 'R' },
  Ledgerline_Sales: {},
  Ledgerline_Integration: { Month_End_Close__c: 'CRE', Month_End_Journal_Line__c: 'CRE' },
};
const CLOSE_OBJECTS = Object.keys(CLOSE_GRANTS.Ledgerline_Admin);
const CLOSE_TAB = 'Month_End_Close__c';
// The only go-live fields a person (not the bridge, not an admin) edits: finance's decision on a review (through
// ContactMatchController, in user mode) and dismissing a result.
const FINANCE_DECISIONS = [
  'Contact_Match_Review__c.Status__c',
  'Contact_Match_Review__c.Chosen_Contact_Id__c',
  'Contact_Match_Review__c.Chosen_Contact_Name__c',
  'Contact_Match_Review__c.Decision_Note__c',
  'Contact_Match_Review__c.Decided_By__c',
  'Contact_Match_Review__c.Decided_At__c',
  'Contact_Match_Review__c.Request_Key__c',
  'Contact_Match_Review__c.Sync_Status__c',
  'Reconciliation_Result__c.Status__c',
  'Account.Tax_Number__c',
];
// Where each product's lines post in Xero: admins set them, finance and the bridge read them.
const PRODUCT_XERO_FIELDS = [
  'Xero_Account_Code__c',
  'Xero_Deferred_Account_Code__c',
  'Xero_Tax_Type__c',
  'Xero_Item_Code__c',
  'Xero_Tracking_1_Category__c',
  'Xero_Tracking_1_Option__c',
  'Xero_Tracking_2_Category__c',
  'Xero_Tracking_2_Option__c',
];
const GOLIVE_CLASSES = {
  Ledgerline_Admin: ['ContactMatchController', 'PartialInvoiceController'],
  Ledgerline_Finance: ['ContactMatchController', 'PartialInvoiceController'],
  Ledgerline_Sales: ['PartialInvoiceController'],
  Ledgerline_Integration: [],
};
// KPIs and forecasts (issue 17): the bridge writes the snapshots, forecasts and renewals due; finance reads them and
// keeps the rate table; sales reads the renewals of its customers. What each persona may do with them:
const INSIGHTS_GRANTS = {
  Ledgerline_Admin: {
    KPI_Snapshot__c: 'CREDVM',
    KPI_Forecast__c: 'CREDVM',
    KPI_Renewal__c: 'CREDVM',
    Exchange_Rate__c: 'CREDVM',
  },
  Ledgerline_Finance: { KPI_Snapshot__c: 'R', KPI_Forecast__c: 'R', KPI_Renewal__c: 'R', Exchange_Rate__c: 'CRED' },
  Ledgerline_Sales: { KPI_Renewal__c: 'R' },
  Ledgerline_Integration: {
    KPI_Snapshot__c: 'CRE',
    KPI_Forecast__c: 'CRE',
    KPI_Renewal__c: 'CRE',
    Exchange_Rate__c: 'R',
  },
};
const INSIGHTS_OBJECTS = Object.keys(INSIGHTS_GRANTS.Ledgerline_Admin);
// Finance keeps the rate table; the bridge writes the KPI records; nobody else edits a KPI field.
const INSIGHTS_EDITS = {
  Ledgerline_Admin: INSIGHTS_OBJECTS,
  Ledgerline_Finance: ['Exchange_Rate__c'],
  Ledgerline_Sales: [],
  Ledgerline_Integration: ['KPI_Snapshot__c', 'KPI_Forecast__c', 'KPI_Renewal__c'],
};
const INSIGHTS_TABS = {
  Ledgerline_Admin: ['Exchange_Rate__c', 'KPI_Renewal__c', 'KPI_Snapshot__c', 'Ledgerline_Finance_Cockpit'],
  Ledgerline_Finance: ['Exchange_Rate__c', 'KPI_Renewal__c', 'KPI_Snapshot__c', 'Ledgerline_Finance_Cockpit'],
  Ledgerline_Sales: ['KPI_Renewal__c'],
  Ledgerline_Integration: [],
};
const text = (min) => ({ type: 'Text', min });
const longText = { type: 'LongTextArea' };

const EVENTS = {
  Invoice_Request__e: {
    Action__c: text(12),
    Opportunity_Id__c: text(18),
    Invoice_Id__c: text(18),
    Request_Key__c: text(255),
    Requested_By__c: text(18),
    Payload__c: longText,
    Requests__c: longText,
  },
  Sync_Update__e: {
    Record_Ids__c: longText,
    Invoice_Id__c: text(18),
    Opportunity_Id__c: text(18),
    Account_Id__c: text(18),
    Change__c: text(40),
  },
};

const XERO_IDS = {
  Invoice__c: ['Xero_Invoice_Id__c', 'Request_Key__c'],
  Invoice_Line__c: ['Xero_Line_Item_Id__c'],
  Payment__c: ['Xero_Payment_Id__c'],
  Credit_Note__c: ['Xero_Credit_Note_Id__c', 'Request_Key__c'],
  Credit_Allocation__c: ['Xero_Allocation_Id__c'],
  Credit_Note_Refund__c: ['Xero_Payment_Id__c'],
  // and the keys the bridge upserts plans, instalments and revenue months by
  Billing_Plan__c: ['Plan_Key__c'],
  Billing_Instalment__c: ['Instalment_Key__c'],
  Revenue_Month__c: ['Month_Key__c'],
  // go-live: one link per Account and entity, one Account per Xero contact; the keys the bridge upserts by
  Xero_Contact_Link__c: ['Xero_Contact_Id__c', 'Link_Key__c'],
  Contact_Match_Review__c: ['Review_Key__c'],
  Import_Run__c: ['Run_Key__c'],
  Reconciliation_Result__c: ['Result_Key__c'],
  Customer_Credit__c: ['Xero_Credit_Id__c'],
  Customer_Credit_Allocation__c: ['Xero_Allocation_Id__c', 'Xero_Payment_Id__c'],
  // KPIs: the keys the bridge upserts snapshots, forecasts and renewals by
  KPI_Snapshot__c: ['Snapshot_Key__c'],
  KPI_Forecast__c: ['Forecast_Key__c'],
  KPI_Renewal__c: ['Renewal_Key__c'],
  // month-end close: one close per entity and month, its journal lines; the ManualJournal ids are Xero ids too
  Month_End_Close__c: ['Close_Key__c', 'Xero_Recognition_Journal_Id__c', 'Xero_Accrual_Journal_Id__c'],
  Month_End_Journal_Line__c: ['Line_Key__c'],
};

const money = { type: 'Number', precision: '16', scale: '2' };
const picklist = (...values) => ({ type: 'Picklist', values });
const STATUS = ['Draft', 'Awaiting Approval', 'Approved', 'Authorised', 'Partially Paid', 'Paid', 'Voided', 'Deleted'];
const APPROVAL_STATUS = ['Not Submitted', 'Pending', 'Approved', 'Rejected'];
const SYNC = ['Pending', 'Synced', 'Error'];
const TYPES = ['New', 'Renewal', 'Amendment'];
const FREQUENCY = ['Upfront', 'Annual', 'Quarterly', 'Monthly'];
const TIMING = ['In Advance', 'In Arrears'];
const ALIGNMENT = ['Anniversary', 'Calendar'];
const date = { type: 'Date' };
const percent = { type: 'Number', precision: '5', scale: '2' };

// Field API names other engineers build against (the bridge's schema module, the Salesforce emulator).
const DATA_MODEL = {
  Invoice__c: {
    Opportunity__c: { type: 'Lookup', referenceTo: 'Opportunity' },
    Account__c: { type: 'Lookup', referenceTo: 'Account' },
    Xero_Invoice_Id__c: text(36),
    Request_Key__c: text(255),
    Invoice_Number__c: text(255),
    Billing_Entity__c: text(40),
    Xero_Tenant_Id__c: text(36),
    Currency_Code__c: text(3),
    Currency_Rate__c: { type: 'Number', precision: '18', scale: '6' },
    Sub_Total__c: money,
    Total_Tax__c: money,
    Total__c: money,
    Amount_Paid__c: money,
    Amount_Credited__c: money,
    Amount_Due__c: money,
    Issue_Date__c: { type: 'Date' },
    Due_Date__c: { type: 'Date' },
    Status__c: picklist(...STATUS),
    Approval_Status__c: picklist(...APPROVAL_STATUS),
    Approval_Comment__c: text(255),
    Online_Invoice_URL__c: { type: 'Url' },
    Service_Start_Date__c: { type: 'Date' },
    Service_End_Date__c: { type: 'Date' },
    Invoice_Type__c: picklist(...TYPES),
    Sync_Status__c: picklist(...SYNC),
    Sync_Message__c: longText,
    Last_Synced__c: { type: 'DateTime' },
    Xero_Updated__c: { type: 'DateTime' },
    Line_Amount_Type__c: picklist('Exclusive', 'Inclusive', 'NoTax'),
    Reference__c: text(255),
    Days_Overdue__c: { type: 'Number' },
  },
  Invoice_Line__c: {
    Invoice__c: { type: 'MasterDetail', referenceTo: 'Invoice__c', relationshipName: 'Invoice_Lines' },
    Xero_Line_Item_Id__c: text(36),
    Description__c: longText,
    Quantity__c: { type: 'Number', precision: '14', scale: '4' },
    Unit_Amount__c: { type: 'Number', precision: '14', scale: '4' },
    Discount_Rate__c: { type: 'Number', precision: '5', scale: '2' },
    Line_Amount__c: money,
    Tax_Amount__c: money,
    Tax_Type__c: text(50),
    Account_Code__c: text(10),
    Item_Code__c: text(30),
    Currency_Code__c: text(3),
    Opportunity_Line_Item_Id__c: text(18),
    Sort_Order__c: { type: 'Number', precision: '4', scale: '0' },
  },
  Payment__c: {
    Invoice__c: { type: 'MasterDetail', referenceTo: 'Invoice__c', relationshipName: 'Payments' },
    Xero_Payment_Id__c: text(36),
    Amount__c: money,
    Currency_Code__c: text(3),
    Currency_Rate__c: { type: 'Number', precision: '18', scale: '6' },
    Payment_Date__c: { type: 'Date' },
    Reference__c: text(255),
    Status__c: picklist('Authorised', 'Deleted'),
    Xero_Updated__c: { type: 'DateTime' },
  },
  Credit_Note__c: {
    Invoice__c: { type: 'Lookup', referenceTo: 'Invoice__c', relationshipName: 'Credit_Notes' },
    Account__c: { type: 'Lookup', referenceTo: 'Account' },
    Xero_Credit_Note_Id__c: text(36),
    Request_Key__c: text(255),
    Credit_Note_Number__c: text(255),
    Currency_Code__c: text(3),
    Sub_Total__c: money,
    Total_Tax__c: money,
    Total__c: money,
    Remaining_Credit__c: money,
    Status__c: picklist('Draft', 'Awaiting Approval', 'Approved', 'Authorised', 'Paid', 'Voided', 'Deleted'),
    Approval_Status__c: picklist(...APPROVAL_STATUS),
    Approval_Comment__c: text(255),
    Issue_Date__c: { type: 'Date' },
    Reason__c: text(255),
    Billing_Entity__c: text(40),
    Sync_Status__c: picklist(...SYNC),
    Sync_Message__c: longText,
    Last_Synced__c: { type: 'DateTime' },
    Xero_Updated__c: { type: 'DateTime' },
    Lines__c: longText,
  },
  Credit_Allocation__c: {
    Credit_Note__c: { type: 'MasterDetail', referenceTo: 'Credit_Note__c', relationshipName: 'Allocations' },
    Invoice__c: { type: 'Lookup', referenceTo: 'Invoice__c' },
    Xero_Allocation_Id__c: text(36),
    Amount__c: money,
    Currency_Code__c: text(3),
    Allocation_Date__c: { type: 'Date' },
    Status__c: picklist('Active', 'Deleted'),
  },
  // A refund of a credit note's remaining credit (a Payment on the credit note in Xero).
  Credit_Note_Refund__c: {
    Credit_Note__c: { type: 'MasterDetail', referenceTo: 'Credit_Note__c', relationshipName: 'Refunds' },
    Xero_Payment_Id__c: text(36),
    Amount__c: money,
    Currency_Code__c: text(3),
    Refund_Date__c: { type: 'Date' },
    Status__c: picklist('Active', 'Deleted'),
  },
  Opportunity: {
    Invoiced_Amount__c: money,
    Amount_Paid__c: money,
    Amount_Due__c: money,
    Amount_Overdue__c: money,
    Invoice_Currency__c: text(3),
    Invoice_Status__c: text(255),
    Last_Payment_Date__c: { type: 'Date' },
    Billing_Entity__c: text(40),
    Amended_Opportunity__c: { type: 'Lookup', referenceTo: 'Opportunity' },
    Invoice_Type__c: picklist(...TYPES),
    Service_Start_Date__c: { type: 'Date' },
    Service_End_Date__c: { type: 'Date' },
    Renewal_Uplift_Percent__c: { type: 'Number', precision: '5', scale: '2' },
    PO_Number__c: text(80),
    Billing_Frequency__c: picklist(...FREQUENCY),
    Billing_Timing__c: picklist(...TIMING),
    Billing_Alignment__c: picklist(...ALIGNMENT),
    First_Invoice_Date__c: date,
    Renewal_Index_Name__c: text(40),
    Renewal_Index_Percent__c: percent,
    Renewal_Index_Date__c: date,
    Renewal_Index_Margin_Percent__c: percent,
  },
  Product2: {
    Billing_Frequency__c: picklist(...FREQUENCY),
    Billing_Timing__c: picklist(...TIMING),
    Revenue_Recognition__c: picklist('Ratable', 'Point in Time'),
    Standalone_Selling_Price__c: money,
    Xero_Account_Code__c: text(10),
    Xero_Tax_Type__c: text(50),
    Xero_Item_Code__c: text(30),
    Xero_Tracking_1_Category__c: text(100),
    Xero_Tracking_1_Option__c: text(100),
    Xero_Tracking_2_Category__c: text(100),
    Xero_Tracking_2_Option__c: text(100),
  },
  Xero_Contact_Link__c: {
    Account__c: { type: 'Lookup', referenceTo: 'Account', relationshipName: 'Xero_Contact_Links' },
    Billing_Entity__c: text(40),
    Xero_Tenant_Id__c: text(36),
    Xero_Contact_Id__c: text(36),
    Link_Key__c: text(60),
    Contact_Name__c: text(255),
    Match_Method__c: picklist(
      'Contact Number',
      'Account Number',
      'Tax Number',
      'Email',
      'Name',
      'Finance Review',
      'Created',
    ),
    Contact_Status__c: picklist('Active', 'Archived'),
    Linked_At__c: { type: 'DateTime' },
    Confirmed_By__c: { type: 'Lookup', referenceTo: 'User' },
    Last_Checked__c: { type: 'DateTime' },
  },
  Contact_Match_Review__c: {
    Account__c: { type: 'Lookup', referenceTo: 'Account', relationshipName: 'Contact_Match_Reviews' },
    Billing_Entity__c: text(40),
    Xero_Tenant_Id__c: text(36),
    Review_Key__c: text(60),
    Status__c: picklist('Open', 'Confirmed', 'Created New', 'Rejected'),
    Reason__c: picklist(
      'AMBIGUOUS',
      'COMPANY_FORM_DIFFERS',
      'NAME_DIFFERS',
      'IDENTIFIER_CONFLICT',
      'ARCHIVED',
      'LINK_MISSING',
      'CLAIMED_TWICE',
    ),
    Message__c: text(255),
    Candidates__c: longText,
    Candidate_Count__c: { type: 'Number', precision: '4', scale: '0' },
    Top_Candidate_Contact_Id__c: text(36),
    Top_Candidate_Name__c: text(255),
    Top_Candidate_Match__c: text(100),
    Chosen_Contact_Id__c: text(36),
    Chosen_Contact_Name__c: text(255),
    Decision_Note__c: text(255),
    Decided_By__c: { type: 'Lookup', referenceTo: 'User' },
    Decided_At__c: { type: 'DateTime' },
    Request_Key__c: text(255),
    Sync_Status__c: picklist(...SYNC),
    Sync_Message__c: longText,
  },
  Import_Run__c: {
    Run_Key__c: text(120),
    Billing_Entity__c: text(40),
    Xero_Tenant_Id__c: text(36),
    Since_Date__c: date,
    Status__c: picklist('Queued', 'Running', 'Waiting', 'Completed', 'Failed', 'Cancelled'),
    Phase__c: picklist(
      'Contacts',
      'Matching',
      'Invoices',
      'Credit Notes',
      'Payments',
      'Overpayments',
      'Prepayments',
      'Summaries',
      'Done',
    ),
    Contacts_Read__c: { type: 'Number', precision: '9', scale: '0' },
    Contacts_Linked__c: { type: 'Number', precision: '9', scale: '0' },
    Contacts_For_Review__c: { type: 'Number', precision: '9', scale: '0' },
    Invoices_Imported__c: { type: 'Number', precision: '9', scale: '0' },
    Credit_Notes_Imported__c: { type: 'Number', precision: '9', scale: '0' },
    Payments_Imported__c: { type: 'Number', precision: '9', scale: '0' },
    Overpayments_Imported__c: { type: 'Number', precision: '9', scale: '0' },
    Prepayments_Imported__c: { type: 'Number', precision: '9', scale: '0' },
    Allocations_Imported__c: { type: 'Number', precision: '9', scale: '0' },
    Error_Count__c: { type: 'Number', precision: '9', scale: '0' },
    Last_Cursor__c: text(255),
    Errors__c: longText,
  },
  Reconciliation_Result__c: {
    Result_Key__c: text(255),
    Check_Type__c: picklist('Drift', 'Reconciliation'),
    Invoice__c: { type: 'Lookup', referenceTo: 'Invoice__c' },
    Credit_Note__c: { type: 'Lookup', referenceTo: 'Credit_Note__c' },
    Customer_Credit__c: { type: 'Lookup', referenceTo: 'Customer_Credit__c' },
    Account__c: { type: 'Lookup', referenceTo: 'Account' },
    Opportunity__c: { type: 'Lookup', referenceTo: 'Opportunity' },
    Billing_Entity__c: text(40),
    Document_Type__c: picklist('Invoice', 'Credit Note', 'Overpayment', 'Prepayment'),
    Document_Xero_Id__c: text(36),
    Field__c: text(80),
    Salesforce_Value__c: text(255),
    Xero_Value__c: text(255),
    Currency_Code__c: text(3),
    Amount_Difference__c: money,
    Cause__c: picklist(
      'MIRROR_MISSING',
      'NOT_IN_XERO',
      'VOIDED_IN_XERO',
      'DELETED_IN_XERO',
      'AUTHORISED_IN_XERO',
      'EDITED_IN_XERO',
      'EDITED_AFTER_APPROVAL',
      'PAYMENT_RECORDED_IN_XERO',
      'PAYMENT_DELETED_IN_XERO',
      'ALLOCATION_CHANGED_IN_XERO',
      'CONTACT_RELINKED',
      'MIRROR_STALE',
      'DOES_NOT_TIE',
    ),
    Cause_Detail__c: text(255),
    Suggested_Fix__c: picklist('RESYNC', 'RELINK', 'VOID_LOCALLY', 'REVIEW'),
    Status__c: picklist('Open', 'Resolved', 'Dismissed'),
  },
  Customer_Credit__c: {
    Xero_Credit_Id__c: text(36),
    Credit_Type__c: picklist('Overpayment', 'Prepayment'),
    Account__c: { type: 'Lookup', referenceTo: 'Account', relationshipName: 'Customer_Credits' },
    Billing_Entity__c: text(40),
    Currency_Code__c: text(3),
    Credit_Date__c: date,
    Total__c: money,
    Allocated__c: money,
    Refunded__c: money,
    Remaining_Credit__c: money,
    Status__c: picklist('Authorised', 'Paid', 'Voided'),
    Xero_Updated__c: { type: 'DateTime' },
  },
  Customer_Credit_Allocation__c: {
    Customer_Credit__c: { type: 'MasterDetail', referenceTo: 'Customer_Credit__c', relationshipName: 'Allocations' },
    Kind__c: picklist('Allocation', 'Refund'),
    Invoice__c: { type: 'Lookup', referenceTo: 'Invoice__c' },
    Amount__c: money,
    Currency_Code__c: text(3),
    Allocation_Date__c: date,
    Status__c: picklist('Active', 'Deleted'),
  },
  Billing_Plan__c: {
    Opportunity__c: { type: 'Lookup', referenceTo: 'Opportunity', relationshipName: 'Billing_Plans' },
    Account__c: { type: 'Lookup', referenceTo: 'Account', relationshipName: 'Billing_Plans' },
    Plan_Key__c: text(18),
    Version__c: text(12),
    Status__c: picklist('Planned', 'Active', 'Completed', 'Cancelled'),
    Billing_Entity__c: text(40),
    Currency_Code__c: text(3),
    Billing_Frequency__c: picklist(...FREQUENCY),
    Billing_Timing__c: picklist(...TIMING),
    Billing_Alignment__c: picklist(...ALIGNMENT),
    Terms_Source__c: text(255),
    First_Invoice_Date__c: date,
    Service_Start_Date__c: date,
    Service_End_Date__c: date,
    Contract_Value__c: money,
    Invoiced_Amount__c: money,
    Remaining_To_Bill__c: money,
    Next_Instalment_Date__c: date,
    Next_Instalment_Amount__c: money,
    Recognised_To_Date__c: money,
    Deferred_Revenue__c: money,
    Unbilled_Revenue__c: money,
    Balances_As_Of__c: date,
    Revenue_Treatment__c: longText,
    Flags__c: longText,
    Sync_Status__c: picklist(...SYNC),
    Sync_Message__c: longText,
    Last_Synced__c: { type: 'DateTime' },
  },
  Billing_Instalment__c: {
    Billing_Plan__c: { type: 'MasterDetail', referenceTo: 'Billing_Plan__c', relationshipName: 'Instalments' },
    Instalment_Key__c: text(80),
    Plan_Version__c: text(12),
    Sequence__c: { type: 'Number', precision: '4', scale: '0' },
    Issue_Date__c: date,
    Service_Start_Date__c: date,
    Service_End_Date__c: date,
    Amount__c: money,
    Currency_Code__c: text(3),
    Document_Type__c: picklist('Invoice', 'Credit Note'),
    Status__c: picklist('Planned', 'Raised', 'Cancelled'),
    Invoice__c: { type: 'Lookup', referenceTo: 'Invoice__c', relationshipName: 'Billing_Instalments' },
    Credit_Note__c: { type: 'Lookup', referenceTo: 'Credit_Note__c', relationshipName: 'Billing_Instalments' },
    Lines__c: longText,
    Status_Message__c: text(255),
    Raised_At__c: { type: 'DateTime' },
  },
  Revenue_Month__c: {
    Billing_Plan__c: { type: 'MasterDetail', referenceTo: 'Billing_Plan__c', relationshipName: 'Revenue_Months' },
    Month_Key__c: text(40),
    Contract_Key__c: text(18),
    Month__c: date,
    Billing_Entity__c: text(40),
    Currency_Code__c: text(3),
    Opening_Deferred__c: money,
    Opening_Unbilled__c: money,
    Billed__c: money,
    Credited__c: money,
    Recognised__c: money,
    Released_From_Deferred__c: money,
    Closing_Deferred__c: money,
    Closing_Unbilled__c: money,
    Status__c: picklist('Forecast', 'Actual', 'Closed'),
    Lines__c: longText,
  },
  KPI_Snapshot__c: {
    Snapshot_Key__c: text(80),
    Scope__c: picklist('Group', 'Entity'),
    Billing_Entity__c: text(40),
    Month__c: date,
    As_Of__c: date,
    Status__c: picklist('Open', 'Closed'),
    Reporting_Currency__c: text(3),
    Opening_MRR__c: money,
    FX_MRR__c: money,
    New_MRR__c: money,
    Expansion_MRR__c: money,
    Reactivation_MRR__c: money,
    Contraction_MRR__c: money,
    Churn_MRR__c: money,
    MRR__c: money,
    ARR__c: money,
    NRR_Percent__c: { type: 'Number', precision: '7', scale: '2' },
    GRR_Percent__c: { type: 'Number', precision: '7', scale: '2' },
    Billings__c: money,
    Recognised_Revenue__c: money,
    Cash_Collected__c: money,
    Deferred_Revenue__c: money,
    Unbilled_Revenue__c: money,
    AR_Total__c: money,
    AR_Current__c: money,
    AR_1_30__c: money,
    AR_31_60__c: money,
    AR_61_90__c: money,
    AR_90_Plus__c: money,
    DSO_Days__c: { type: 'Number', precision: '6', scale: '1' },
    RPO_Total__c: money,
    RPO_Next_12_Months__c: money,
    Unrealised_FX__c: money,
    Realised_FX__c: money,
    Rate_Source__c: picklist('Corporate', 'Dated', 'Static', 'Package'),
    Rate_Date__c: date,
    Missing_Rates__c: text(255),
    Rates__c: longText,
    Details__c: longText,
  },
  KPI_Forecast__c: {
    KPI_Snapshot__c: { type: 'MasterDetail', referenceTo: 'KPI_Snapshot__c', relationshipName: 'Forecasts' },
    Forecast_Key__c: text(100),
    Forecast_Month__c: date,
    Future_Billings__c: money,
    Weighted_Pipeline__c: money,
    Renewals__c: money,
    Cash_From_Receivables__c: money,
    Cash_From_Billings__c: money,
    Cash_Forecast__c: money,
  },
  KPI_Renewal__c: {
    Renewal_Key__c: text(80),
    Account__c: { type: 'Lookup', referenceTo: 'Account', relationshipName: 'KPI_Renewals' },
    Opportunity__c: { type: 'Lookup', referenceTo: 'Opportunity', relationshipName: 'KPI_Renewals' },
    Billing_Entity__c: text(40),
    Currency_Code__c: text(3),
    Renewal_Date__c: date,
    Renewal_Value__c: money,
    Uplift_Percent__c: percent,
    Renewal_Value_Reporting__c: money,
    Status__c: picklist('Due', 'Renewed', 'Lapsed'),
  },
  Exchange_Rate__c: {
    Currency_Code__c: text(3),
    Start_Date__c: date,
    Rate__c: { type: 'Number', precision: '18', scale: '6' },
    Source__c: text(255),
  },
  Month_End_Close__c: {
    Close_Key__c: text(80),
    Billing_Entity__c: text(40),
    Xero_Tenant_Id__c: text(36),
    Period_Start__c: date,
    Period_End__c: date,
    Currency_Code__c: text(3),
    Status__c: picklist('Proposed', 'Pending Approval', 'Approved', 'Posted', 'Tied', 'Difference', 'Refused'),
    Approval_Status__c: picklist(...APPROVAL_STATUS),
    Approval_Comment__c: text(255),
    Version__c: { type: 'Number', precision: '4', scale: '0' },
    Recognition_Total__c: money,
    Accrual_Total__c: money,
    Catch_Up__c: money,
    Opening_Deferred__c: money,
    Billed_To_Deferred__c: money,
    Released__c: money,
    Closing_Deferred__c: money,
    Closing_Accrued__c: money,
    Deferred_Account_Codes__c: longText,
    Accrued_Account_Code__c: text(10),
    Month_End_Rates__c: longText,
    Currency_Balances__c: longText,
    Warnings__c: longText,
    Xero_Recognition_Journal_Id__c: text(36),
    Xero_Accrual_Journal_Id__c: text(36),
    Xero_Reversal_Journal_Id__c: text(36),
    Proposed_At__c: { type: 'DateTime' },
    Posted_At__c: { type: 'DateTime' },
    Xero_Deferred_Balance__c: money,
    Xero_Accrued_Balance__c: money,
    Tie_Out_Difference__c: money,
    Tie_Out_Result__c: longText,
    Tied_Out_At__c: { type: 'DateTime' },
    Sync_Status__c: picklist(...SYNC),
    Sync_Message__c: longText,
    Last_Synced__c: { type: 'DateTime' },
  },
  Month_End_Journal_Line__c: {
    Month_End_Close__c: { type: 'MasterDetail', referenceTo: 'Month_End_Close__c', relationshipName: 'Journal_Lines' },
    Line_Key__c: text(120),
    Version__c: { type: 'Number', precision: '4', scale: '0' },
    Journal_Kind__c: picklist('Recognition', 'Accrual', 'Accrual Reversal', 'Adjustment', 'Opening'),
    Journal_Date__c: date,
    Account_Code__c: text(10),
    Description__c: text(255),
    Amount__c: money,
    Debit__c: money,
    Credit__c: money,
    Tracking_1_Category__c: text(100),
    Tracking_1_Option__c: text(100),
    Tracking_2_Category__c: text(100),
    Tracking_2_Option__c: text(100),
    Currency_Code__c: text(3),
    Status__c: picklist('Proposed', 'Posted', 'Voided', 'Superseded'),
    Manual_Journal_Id__c: text(36),
  },
  Account: {
    Billing_Entity__c: text(40),
    Billing_Email__c: { type: 'Email' },
    Tax_Number__c: text(50),
    Invoiced_Amount__c: money,
    Amount_Due__c: money,
    Amount_Overdue__c: money,
    Receivables_Currency__c: text(3),
    Receivables_Summary__c: longText,
    Last_Payment_Date__c: { type: 'Date' },
  },
  Billing_Entity__mdt: {
    Xero_Tenant_Id__c: text(36),
    Base_Currency__c: text(3),
    Countries__c: text(255),
    Regions__c: text(255),
    Currencies__c: text(255),
    Account_Code__c: text(10),
    Tax_Type__c: text(50),
    Line_Amount_Type__c: text(8),
    Payment_Terms_Days__c: { type: 'Number' },
    Branding_Theme_Id__c: text(36),
    Is_Default__c: { type: 'Checkbox' },
    Auto_Email__c: { type: 'Checkbox' },
    Default_Billing_Frequency__c: picklist(...FREQUENCY),
    Default_Billing_Timing__c: picklist(...TIMING),
    Default_Billing_Alignment__c: picklist(...ALIGNMENT),
    Revenue_Convention__c: picklist('Daily', 'Monthly'),
    SSP_Tolerance_Percent__c: percent,
    Create_Items_When_Missing__c: { type: 'Checkbox' },
    Default_Tracking_1_Category__c: text(100),
    Default_Tracking_1_Option__c: text(100),
    Default_Tracking_2_Category__c: text(100),
    Default_Tracking_2_Option__c: text(100),
    Deferred_Revenue_Account_Code__c: text(10),
    Accrued_Revenue_Account_Code__c: text(10),
    Time_Zone__c: text(40),
  },
  Ledgerline_Settings__c: {
    Auto_Draft_On_Close__c: { type: 'Checkbox', defaultValue: 'true' },
    Read_Only_Mode__c: { type: 'Checkbox', defaultValue: 'false' },
    Live_Refresh__c: { type: 'Checkbox', defaultValue: 'true' },
    Reporting_Currency__c: text(3),
  },
};

// What the bridge user may touch, and how (ARCHITECTURE.md: "exactly what the bridge reads and writes"). On the invoice
// objects it holds Modify All: the one permission that lets a user write a record locked by a pending approval
// (Salesforce Help, "Specify Who Can Edit Locked Records in a Classic Approval Process"), and it carries Delete and
// View All with it. The bridge deletes nothing.
const LOCK_OVERRIDE = 'CREDVM';
const INTEGRATION_OBJECTS = {
  Invoice__c: LOCK_OVERRIDE,
  Invoice_Line__c: LOCK_OVERRIDE,
  Payment__c: LOCK_OVERRIDE,
  Credit_Note__c: LOCK_OVERRIDE,
  Credit_Allocation__c: LOCK_OVERRIDE,
  Credit_Note_Refund__c: LOCK_OVERRIDE,
  Opportunity: 'RE',
  Account: 'RE',
  Contact: 'R',
  Product2: 'R',
  Pricebook2: 'R',
  Invoice_Request__e: 'R',
  Sync_Update__e: 'CR',
  Billing_Plan__c: 'CRE',
  Billing_Instalment__c: 'CRE',
  Revenue_Month__c: 'CRE',
  ...GOLIVE_GRANTS.Ledgerline_Integration,
  ...INSIGHTS_GRANTS.Ledgerline_Integration,
  ...CLOSE_GRANTS.Ledgerline_Integration,
};
const INTEGRATION_WRITES = {
  Opportunity: [
    'Invoiced_Amount__c',
    'Amount_Paid__c',
    'Amount_Due__c',
    'Amount_Overdue__c',
    'Invoice_Currency__c',
    'Invoice_Status__c',
    'Last_Payment_Date__c',
  ],
  Account: [
    'Invoiced_Amount__c',
    'Amount_Due__c',
    'Amount_Overdue__c',
    'Receivables_Currency__c',
    'Receivables_Summary__c',
    'Last_Payment_Date__c',
  ],
};
const OPPORTUNITY_INPUTS = [
  'Billing_Entity__c',
  'Amended_Opportunity__c',
  'Invoice_Type__c',
  'Service_Start_Date__c',
  'Service_End_Date__c',
  'Renewal_Uplift_Percent__c',
  'PO_Number__c',
  'Billing_Frequency__c',
  'Billing_Timing__c',
  'Billing_Alignment__c',
  'First_Invoice_Date__c',
  'Renewal_Index_Name__c',
  'Renewal_Index_Percent__c',
  'Renewal_Index_Date__c',
  'Renewal_Index_Margin_Percent__c',
];
// Set only by the finance approval process's field updates, which need no field permission. Approved sends AUTHORISE
// to Xero, so no user may edit it (the triggers also refuse an Approved that no approval process step gave).
const APPROVAL_OWNED = [
  'Invoice__c.Approval_Status__c',
  'Credit_Note__c.Approval_Status__c',
  'Month_End_Close__c.Approval_Status__c',
];
// Apex the users' actions and pages call: the invoice actions (flows, quick actions) and the LWC controller.
const USER_CLASSES = ['InvoiceActions', 'LiveRefreshController', 'ReceivablesController'];
const VOID_CREDIT = 'Ledgerline_Request_Void_Credit';
const RESYNC = 'Ledgerline_Request_Resync';
// Shows the Contact Match Review card on the Account page (its visibility rule): a permission of its own, held by the
// sets that decide reviews (ContactMatchController), so the card is not tied to voiding and crediting invoices.
const REVIEW_MATCHES = 'Ledgerline_Review_Contact_Matches';

// ── Checks: each returns a list of problems ─────────────────────────────────────────────────────────────────────────

function fieldTypeProblems(where, field, spec) {
  if (!field) return [`${where} is missing`];
  const problems = [];
  if (field.type !== spec.type) problems.push(`${where} is ${field.type}, expected ${spec.type}`);
  if (spec.min && Number(field.length) < spec.min) problems.push(`${where} length ${field.length} < ${spec.min}`);
  for (const key of ['precision', 'scale', 'referenceTo', 'relationshipName', 'defaultValue']) {
    if (spec[key] !== undefined && field[key] !== spec[key]) {
      problems.push(`${where} ${key} is ${field[key]}, expected ${spec[key]}`);
    }
  }
  if (spec.values) {
    const valueSet = field.valueSet ?? {};
    const values = (valueSet.valueSetDefinition?.value ?? []).map((v) => v.fullName);
    if (JSON.stringify(values) !== JSON.stringify(spec.values)) {
      problems.push(`${where} values are [${values}], expected [${spec.values}]`);
    }
    if (!isTrue(valueSet.restricted)) problems.push(`${where} should be a restricted picklist`);
  }
  return problems;
}

function eventProblems(objs) {
  const problems = [];
  for (const [event, fields] of Object.entries(EVENTS)) {
    const meta = objs[event]?.meta;
    if (!meta) {
      problems.push(`${event} is missing`);
      continue;
    }
    if (meta.eventType !== 'HighVolume') problems.push(`${event} should be HighVolume`);
    if (meta.publishBehavior !== 'PublishAfterCommit') problems.push(`${event} should be PublishAfterCommit`);
    for (const [name, spec] of Object.entries(fields)) {
      problems.push(...fieldTypeProblems(`${event}.${name}`, objs[event].fields[name], spec));
    }
  }
  return problems;
}

function externalIdProblems(objs) {
  const problems = [];
  for (const [object, names] of Object.entries(XERO_IDS)) {
    const xeroIds = Object.keys(objs[object]?.fields ?? {}).filter(
      (n) => /^Xero_\w+_Id__c$/.test(n) && n !== 'Xero_Tenant_Id__c',
    );
    for (const name of new Set([...names, ...xeroIds])) {
      const field = objs[object]?.fields[name];
      if (!field) problems.push(`${object}.${name} is missing`);
      else if (!isTrue(field.externalId) || !isTrue(field.unique)) {
        problems.push(`${object}.${name} should be a unique external id`);
      }
    }
  }
  return problems;
}

function dataModelProblems(objs) {
  return Object.entries(DATA_MODEL).flatMap(([object, fields]) =>
    Object.entries(fields).flatMap(([name, spec]) =>
      fieldTypeProblems(`${object}.${name}`, objs[object]?.fields[name], spec),
    ),
  );
}

const objectPermission = (ps, object) => (ps.objectPermissions ?? []).find((o) => o.object === object);
const fieldPermission = (ps, field) => (ps.fieldPermissions ?? []).find((f) => f.field === field);
const enabledNames = (entries, key = 'name') =>
  (entries ?? []).filter((e) => isTrue(e.enabled)).map((e) => e[key] ?? e.apexClass);
const grants = (o) =>
  o
    ? `${isTrue(o.allowCreate) ? 'C' : ''}${isTrue(o.allowRead) ? 'R' : ''}${isTrue(o.allowEdit) ? 'E' : ''}${
        isTrue(o.allowDelete) ? 'D' : ''
      }${isTrue(o.viewAllRecords) ? 'V' : ''}${isTrue(o.modifyAllRecords) ? 'M' : ''}`
    : '';
const fieldInfo = (objs, qualified) => {
  const [object, name] = qualified.split('.');
  return objs[object]?.fields[name];
};
const isFormula = (field) => field?.formula !== undefined;

/** The go-live objects, fields and classes: each persona's grants, as GOLIVE_GRANTS and FINANCE_DECISIONS say. */
function goLiveProblems(name, ps, objs) {
  const problems = [];
  const expected = GOLIVE_GRANTS[name];
  for (const object of GOLIVE_OBJECTS) {
    const actual = grants(objectPermission(ps, object));
    if (actual !== (expected[object] ?? '')) {
      problems.push(`${name}: ${object} grants "${actual}", expected "${expected[object] ?? ''}"`);
    }
    if (!expected[object]) continue;
    for (const [field, info] of Object.entries(objs[object].fields)) {
      if (isTrue(info.required) || info.type === 'MasterDetail') continue;
      const grant = fieldPermission(ps, `${object}.${field}`);
      const qualified = `${object}.${field}`;
      const mayEdit =
        expected[object].includes('M') ||
        name === 'Ledgerline_Integration' ||
        (name === 'Ledgerline_Finance' && FINANCE_DECISIONS.includes(qualified));
      if (!isTrue(grant?.readable)) problems.push(`${name}: cannot read ${qualified}`);
      if (isTrue(grant?.editable) !== mayEdit) {
        problems.push(`${name}: ${mayEdit ? 'cannot edit' : 'may edit'} ${qualified}`);
      }
    }
  }
  const productGrant = name === 'Ledgerline_Sales' ? undefined : name === 'Ledgerline_Admin' ? 'edit' : 'read';
  for (const field of PRODUCT_XERO_FIELDS.map((f) => `Product2.${f}`)) {
    const grant = fieldPermission(ps, field);
    if (productGrant && !isTrue(grant?.readable)) problems.push(`${name}: cannot read ${field}`);
    if (isTrue(grant?.editable) !== (productGrant === 'edit')) problems.push(`${name}: edit on ${field} is wrong`);
  }
  const taxNumber = fieldPermission(ps, 'Account.Tax_Number__c');
  if (!isTrue(taxNumber?.readable)) problems.push(`${name}: cannot read Account.Tax_Number__c`);
  const editsTaxNumber = name === 'Ledgerline_Admin' || name === 'Ledgerline_Finance';
  if (isTrue(taxNumber?.editable) !== editsTaxNumber) problems.push(`${name}: edit on Account.Tax_Number__c is wrong`);
  for (const apexClass of GOLIVE_CLASSES[name]) {
    if (!enabledNames(ps.classAccesses, 'apexClass').includes(apexClass)) problems.push(`${name}: needs ${apexClass}`);
  }
  const decidesReviews = GOLIVE_CLASSES[name].includes('ContactMatchController');
  if (enabledNames(ps.customPermissions).includes(REVIEW_MATCHES) !== decidesReviews) {
    problems.push(`${name}: ${decidesReviews ? 'lacks' : 'must not hold'} ${REVIEW_MATCHES}`);
  }
  return problems;
}

/** The KPI objects, their tabs, the Ledgerline app and the cockpit's Apex: each persona's grants (INSIGHTS_*). */
function insightsProblems(name, ps, objs) {
  const problems = [];
  for (const object of INSIGHTS_OBJECTS) {
    const expected = INSIGHTS_GRANTS[name][object] ?? '';
    const actual = grants(objectPermission(ps, object));
    if (actual !== expected) problems.push(`${name}: ${object} grants "${actual}", expected "${expected}"`);
    if (!expected) continue;
    const mayEdit = INSIGHTS_EDITS[name].includes(object);
    for (const [field, info] of Object.entries(objs[object].fields)) {
      if (isTrue(info.required) || info.type === 'MasterDetail') continue;
      const grant = fieldPermission(ps, `${object}.${field}`);
      if (!isTrue(grant?.readable)) problems.push(`${name}: cannot read ${object}.${field}`);
      if (isTrue(grant?.editable) !== mayEdit)
        problems.push(`${name}: ${mayEdit ? 'cannot edit' : 'may edit'} ${object}.${field}`);
    }
  }
  const tabs = (ps.tabSettings ?? []).filter((t) => t.visibility === 'Visible').map((t) => t.tab);
  for (const tab of INSIGHTS_TABS[name]) if (!tabs.includes(tab)) problems.push(`${name}: cannot see the ${tab} tab`);
  const cockpit = INSIGHTS_TABS[name].includes('Ledgerline_Finance_Cockpit');
  if (enabledNames(ps.classAccesses, 'apexClass').includes('FinanceCockpitController') !== cockpit) {
    problems.push(`${name}: ${cockpit ? 'needs' : 'must not have'} FinanceCockpitController`);
  }
  const app = (ps.applicationVisibilities ?? []).some((a) => a.application === 'Ledgerline' && isTrue(a.visible));
  if (app !== cockpit) problems.push(`${name}: ${cockpit ? 'cannot see' : 'should not see'} the Ledgerline app`);
  return problems;
}

/** The month-end close objects: each persona's grants as CLOSE_GRANTS says, every field read where the object is
 * granted, edited only by the bridge and admins (never Approval Status, never a formula), the tab for admin and finance. */
function closeProblems(name, ps, objs) {
  const problems = [];
  const expected = CLOSE_GRANTS[name];
  for (const object of CLOSE_OBJECTS) {
    const actual = grants(objectPermission(ps, object));
    if (actual !== (expected[object] ?? '')) {
      problems.push(`${name}: ${object} grants "${actual}", expected "${expected[object] ?? ''}"`);
    }
    if (!expected[object]) continue;
    for (const [field, info] of Object.entries(objs[object].fields)) {
      if (isTrue(info.required) || info.type === 'MasterDetail') continue;
      const qualified = `${object}.${field}`;
      const grant = fieldPermission(ps, qualified);
      const mayEdit = expected[object].includes('E') && !isFormula(info) && !APPROVAL_OWNED.includes(qualified);
      if (!isTrue(grant?.readable)) problems.push(`${name}: cannot read ${qualified}`);
      if (isTrue(grant?.editable) !== mayEdit)
        problems.push(`${name}: ${mayEdit ? 'cannot edit' : 'may edit'} ${qualified}`);
    }
  }
  const tab = (ps.tabSettings ?? []).find((t) => t.tab === CLOSE_TAB);
  const wantsTab = name === 'Ledgerline_Admin' || name === 'Ledgerline_Finance';
  if (wantsTab !== (tab?.visibility === 'Visible'))
    problems.push(`${name}: ${CLOSE_TAB} tab ${wantsTab ? 'missing' : 'granted'}`);
  return problems;
}

/** Rules every permission set follows. */
function commonPermissionSetProblems(name, ps, objs) {
  const problems = [];
  if ((ps.description ?? '').length > 255) problems.push(`${name}: description longer than 255 characters`);
  for (const f of ps.fieldPermissions ?? []) {
    const [object, field] = f.field.split('.');
    const info = fieldInfo(objs, f.field);
    if (field.endsWith('__c') && !info) problems.push(`${name}: ${f.field} does not exist`);
    if (info && (isTrue(info.required) || info.type === 'MasterDetail')) {
      problems.push(`${name}: ${f.field} is required or master-detail and must not be listed`);
    }
    if (info && isFormula(info) && isTrue(f.editable)) problems.push(`${name}: ${f.field} is a formula, not editable`);
    if (isTrue(f.editable) && !isTrue(f.readable)) problems.push(`${name}: ${f.field} editable but not readable`);
    if (object.endsWith('__e')) problems.push(`${name}: ${f.field} event fields need no field permission`);
  }
  for (const o of ps.objectPermissions ?? []) {
    if (o.object.endsWith('__e') && (isTrue(o.allowEdit) || isTrue(o.allowDelete))) {
      problems.push(`${name}: ${o.object} events can only be created and read`);
    }
  }
  for (const field of APPROVAL_OWNED) {
    if (isTrue(fieldPermission(ps, field)?.editable))
      problems.push(`${name}: may edit ${field} (the approval process sets it)`);
  }
  // The package Apex publishes requests in system mode and needs no permission. A user who could create the event could
  // publish it through the API: an AUTHORISE with no approval behind it.
  if (isTrue(objectPermission(ps, 'Invoice_Request__e')?.allowCreate)) {
    problems.push(`${name}: must not create Invoice_Request__e (only the package Apex publishes requests)`);
  }
  // Only the bridge subscribes. A subscription ignores record sharing (a rep would receive every request, with its
  // payload), and each subscriber spends the org's daily event deliveries the bridge needs.
  if (name !== 'Ledgerline_Integration' && isTrue(objectPermission(ps, 'Invoice_Request__e')?.allowRead)) {
    problems.push(`${name}: must not read Invoice_Request__e (only the bridge subscribes)`);
  }
  return problems;
}

function readsEveryPackageField(name, ps, objs, objects = [...PACKAGE_OBJECTS, ...REVENUE_OBJECTS]) {
  const problems = [];
  for (const object of objects) {
    for (const [field, info] of Object.entries(objs[object].fields)) {
      if (isTrue(info.required) || info.type === 'MasterDetail') continue;
      if (!isTrue(fieldPermission(ps, `${object}.${field}`)?.readable)) {
        problems.push(`${name}: cannot read ${object}.${field}`);
      }
    }
  }
  return problems;
}

/** The Opportunity billing inputs and the Product2 billing fields, read (or, for `editable`, edited) by a persona. */
function billingFieldProblems(name, ps, { products = true, editable = false } = {}) {
  const problems = [];
  const fields = [
    ...OPPORTUNITY_INPUTS.map((f) => `Opportunity.${f}`),
    ...(products ? PRODUCT_BILLING_FIELDS.map((f) => `Product2.${f}`) : []),
  ];
  for (const field of fields) {
    const grant = fieldPermission(ps, field);
    if (!isTrue(grant?.readable)) problems.push(`${name}: cannot read ${field}`);
    if (editable && !isTrue(grant?.editable)) problems.push(`${name}: cannot set ${field}`);
  }
  return problems;
}

function integrationProblems(ps, objs) {
  const name = 'Ledgerline_Integration';
  const problems = [
    ...commonPermissionSetProblems(name, ps, objs),
    ...readsEveryPackageField(name, ps, objs),
    ...goLiveProblems(name, ps, objs),
    ...insightsProblems(name, ps, objs),
    ...closeProblems(name, ps, objs),
  ];
  for (const o of ps.objectPermissions ?? []) {
    if (!(o.object in INTEGRATION_OBJECTS)) problems.push(`${name}: grants ${o.object}, which the bridge does not use`);
    const overridesLocks = INTEGRATION_OBJECTS[o.object] === LOCK_OVERRIDE;
    if (isTrue(o.allowDelete) && !overridesLocks) problems.push(`${name}: allowDelete on ${o.object}`);
    if ((isTrue(o.viewAllRecords) || isTrue(o.modifyAllRecords)) && !overridesLocks)
      problems.push(`${name}: view/modify all on ${o.object}`);
  }
  for (const [object, expected] of Object.entries(INTEGRATION_OBJECTS)) {
    const actual = grants(objectPermission(ps, object));
    if (actual !== expected) problems.push(`${name}: ${object} grants "${actual}", expected "${expected}"`);
  }
  for (const f of ps.fieldPermissions ?? []) {
    const [object, field] = f.field.split('.');
    if (!(object in INTEGRATION_OBJECTS) && object !== 'OpportunityLineItem') {
      problems.push(`${name}: field ${f.field} is outside the objects the bridge uses`);
    }
    const writable =
      PACKAGE_OBJECTS.includes(object) ||
      REVENUE_OBJECTS.includes(object) ||
      GOLIVE_OBJECTS.includes(object) ||
      INSIGHTS_EDITS.Ledgerline_Integration.includes(object) ||
      CLOSE_OBJECTS.includes(object) ||
      (INTEGRATION_WRITES[object] ?? []).includes(field);
    if (isTrue(f.editable) && !writable) problems.push(`${name}: may edit ${f.field}, which the bridge only reads`);
  }
  for (const object of [...PACKAGE_OBJECTS, ...REVENUE_OBJECTS]) {
    for (const [field, info] of Object.entries(objs[object].fields)) {
      if (isTrue(info.required) || info.type === 'MasterDetail' || isFormula(info)) continue;
      if (APPROVAL_OWNED.includes(`${object}.${field}`)) continue;
      if (!isTrue(fieldPermission(ps, `${object}.${field}`)?.editable)) {
        problems.push(`${name}: cannot write ${object}.${field}`);
      }
    }
  }
  for (const [object, fields] of Object.entries(INTEGRATION_WRITES)) {
    for (const field of fields) {
      if (!isTrue(fieldPermission(ps, `${object}.${field}`)?.editable)) {
        problems.push(`${name}: cannot write ${object}.${field}`);
      }
    }
  }
  for (const key of ['classAccesses', 'customPermissions', 'flowAccesses', 'userPermissions', 'tabSettings']) {
    if ((ps[key] ?? []).length > 0) problems.push(`${name}: grants ${key}, which the bridge does not need`);
  }
  if (!enabledNames(ps.customMetadataTypeAccesses).includes('Billing_Entity__mdt')) {
    problems.push(`${name}: cannot read Billing_Entity__mdt`);
  }
  if (!enabledNames(ps.customSettingAccesses).includes('Ledgerline_Settings__c')) {
    problems.push(`${name}: cannot read Ledgerline_Settings__c (read-only mode)`);
  }
  problems.push(...billingFieldProblems(name, ps));
  return problems;
}

function salesProblems(ps, objs) {
  const name = 'Ledgerline_Sales';
  const problems = [
    ...commonPermissionSetProblems(name, ps, objs),
    ...goLiveProblems(name, ps, objs),
    ...insightsProblems(name, ps, objs),
    ...closeProblems(name, ps, objs),
    ...readsEveryPackageField(name, ps, objs, [...PACKAGE_OBJECTS, ...SALES_REVENUE_OBJECTS]),
  ];
  for (const object of [...PACKAGE_OBJECTS, ...SALES_REVENUE_OBJECTS]) {
    const actual = grants(objectPermission(ps, object));
    if (actual !== 'R') problems.push(`${name}: ${object} grants "${actual}", expected read only`);
  }
  for (const object of REVENUE_OBJECTS.filter((o) => !SALES_REVENUE_OBJECTS.includes(o))) {
    if (objectPermission(ps, object)) problems.push(`${name}: grants ${object}, which is finance's`);
  }
  if (!grants(objectPermission(ps, 'Sync_Update__e')).includes('R'))
    problems.push(`${name}: cannot read Sync_Update__e`);
  const permissions = enabledNames(ps.customPermissions);
  if (!permissions.includes(RESYNC)) problems.push(`${name}: cannot request a resync`);
  if (permissions.includes(VOID_CREDIT)) problems.push(`${name}: must not void or credit invoices`);
  for (const apexClass of USER_CLASSES) {
    if (!enabledNames(ps.classAccesses, 'apexClass').includes(apexClass)) problems.push(`${name}: needs ${apexClass}`);
  }
  for (const field of OPPORTUNITY_INPUTS) {
    if (!isTrue(fieldPermission(ps, `Opportunity.${field}`)?.editable)) {
      problems.push(`${name}: cannot set Opportunity.${field}`);
    }
  }
  for (const f of ps.fieldPermissions ?? []) {
    const [object, field] = f.field.split('.');
    if (isTrue(f.editable) && !(object === 'Opportunity' && OPPORTUNITY_INPUTS.includes(field))) {
      problems.push(`${name}: may edit ${f.field}`);
    }
  }
  return problems;
}

/**
 * What finance may correct on a draft it rejected (rework): the lines (description, quantity, price, discount, Xero
 * coding, order), the issue and due dates and the reference. The bridge sends the correction to the same Xero draft
 * (UPDATE_DRAFT), which then goes through approval again; Xero's figures (amounts, tax, ids) stay the bridge's.
 */
const REWORK_FIELDS = [
  'Invoice_Line__c.Description__c',
  'Invoice_Line__c.Quantity__c',
  'Invoice_Line__c.Unit_Amount__c',
  'Invoice_Line__c.Discount_Rate__c',
  'Invoice_Line__c.Account_Code__c',
  'Invoice_Line__c.Tax_Type__c',
  'Invoice_Line__c.Item_Code__c',
  'Invoice_Line__c.Sort_Order__c',
  'Invoice__c.Issue_Date__c',
  'Invoice__c.Due_Date__c',
  'Invoice__c.Reference__c',
];

function financeProblems(ps, objs) {
  const name = 'Ledgerline_Finance';
  const problems = [
    ...commonPermissionSetProblems(name, ps, objs),
    ...goLiveProblems(name, ps, objs),
    ...insightsProblems(name, ps, objs),
    ...closeProblems(name, ps, objs),
    ...readsEveryPackageField(name, ps, objs),
    ...billingFieldProblems(name, ps),
  ];
  for (const object of REVENUE_OBJECTS) {
    const actual = grants(objectPermission(ps, object));
    if (actual !== 'R') problems.push(`${name}: ${object} grants "${actual}", expected read only`);
  }
  for (const object of PACKAGE_OBJECTS) {
    const actual = grants(objectPermission(ps, object));
    // Finance corrects a draft it rejected (rework): it edits, adds and removes that draft's lines.
    const expected =
      object === 'Invoice__c' || object === 'Credit_Note__c' ? 'RE' : object === 'Invoice_Line__c' ? 'CRED' : 'R';
    if (actual !== expected) problems.push(`${name}: ${object} grants "${actual}", expected "${expected}"`);
  }
  for (const object of PACKAGE_OBJECTS) {
    for (const field of Object.keys(objs[object].fields)) {
      const qualified = `${object}.${field}`;
      if (isTrue(fieldPermission(ps, qualified)?.editable) !== REWORK_FIELDS.includes(qualified)) {
        problems.push(`${name}: ${REWORK_FIELDS.includes(qualified) ? 'cannot correct' : 'may edit'} ${qualified}`);
      }
    }
  }
  const permissions = enabledNames(ps.customPermissions);
  for (const needed of [VOID_CREDIT, RESYNC]) {
    if (!permissions.includes(needed)) problems.push(`${name}: lacks ${needed}`);
  }
  for (const apexClass of USER_CLASSES) {
    if (!enabledNames(ps.classAccesses, 'apexClass').includes(apexClass)) problems.push(`${name}: needs ${apexClass}`);
  }
  return problems;
}

function adminProblems(ps, objs) {
  const name = 'Ledgerline_Admin';
  const problems = [
    ...commonPermissionSetProblems(name, ps, objs),
    ...goLiveProblems(name, ps, objs),
    ...insightsProblems(name, ps, objs),
    ...closeProblems(name, ps, objs),
    ...readsEveryPackageField(name, ps, objs),
    ...billingFieldProblems(name, ps, { editable: true }),
  ];
  for (const object of [...PACKAGE_OBJECTS, ...REVENUE_OBJECTS]) {
    const actual = grants(objectPermission(ps, object));
    if (actual !== 'CREDVM') problems.push(`${name}: ${object} grants "${actual}", expected full access`);
  }
  const permissions = enabledNames(ps.customPermissions);
  for (const needed of [VOID_CREDIT, RESYNC]) {
    if (!permissions.includes(needed)) problems.push(`${name}: lacks ${needed}`);
  }
  if (!enabledNames(ps.customSettingAccesses).includes('Ledgerline_Settings__c')) {
    problems.push(`${name}: cannot manage Ledgerline_Settings__c`);
  }
  if (!enabledNames(ps.customMetadataTypeAccesses).includes('Billing_Entity__mdt')) {
    problems.push(`${name}: cannot read Billing_Entity__mdt`);
  }
  return problems;
}

const PERSONAS = {
  Ledgerline_Admin: adminProblems,
  Ledgerline_Finance: financeProblems,
  Ledgerline_Sales: salesProblems,
  Ledgerline_Integration: (ps, objs) => integrationProblems(bridgeUser(ps), objs),
};

// ── Tests ───────────────────────────────────────────────────────────────────────────────────────────────────────────

// ── The approval folder (force-app-unpackaged): approval processes, their field updates, the queue ───────────────

const APPROVAL_OBJECTS = ['Invoice__c', 'Credit_Note__c', 'Month_End_Close__c'];

function loadApprovalFolder() {
  const approvals = {};
  const workflows = {};
  for (const object of APPROVAL_OBJECTS) {
    approvals[object] = parse(
      path.join(APPROVAL, 'approvalProcesses', `${object}.Finance_Approval.approvalProcess-meta.xml`),
    ).ApprovalProcess;
    workflows[object] = parse(path.join(APPROVAL, 'workflows', `${object}.workflow-meta.xml`)).Workflow;
  }
  const queues = {};
  for (const file of fs.readdirSync(path.join(APPROVAL, 'queues'))) {
    queues[file.replace('.queue-meta.xml', '')] = parse(path.join(APPROVAL, 'queues', file)).Queue;
  }
  return { approvals, workflows, queues };
}

/**
 * Each approval process: its fields exist, its actions are defined field updates setting known values, and each
 * step goes to a queue of the folder that lists the object (a queue approver must support the object, or the
 * deployment fails and no record can be assigned). A queue can hold only an object whose records have an owner:
 * not a master-detail child (its owner is the master's).
 */
function approvalProblems(objs, { approvals, workflows, queues }) {
  const problems = [];
  for (const object of APPROVAL_OBJECTS) {
    const approval = approvals[object];
    const workflow = workflows[object];
    const updates = new Set(workflow.fieldUpdates.map((u) => u.fullName));
    for (const u of workflow.fieldUpdates) {
      const field = objs[object].fields[u.field];
      const values = field?.valueSet?.valueSetDefinition?.value?.map((v) => v.fullName) ?? [];
      if (!values.includes(u.literalValue)) problems.push(`${object}: ${u.fullName} sets an unknown value`);
    }
    const fields = [
      ...approval.approvalPageFields.field,
      ...approval.entryCriteria.criteriaItems.map((c) => c.field.split('.')[1]),
    ];
    for (const f of fields) {
      if (f !== 'Name' && !objs[object].fields[f]) problems.push(`${object}: unknown field ${f}`);
    }
    for (const tag of ['initialSubmissionActions', 'finalApprovalActions', 'finalRejectionActions', 'recallActions']) {
      for (const a of approval[tag].action) {
        if (!updates.has(a.name)) problems.push(`${object}: ${tag} uses undefined ${a.name}`);
      }
    }
    for (const step of [approval.approvalStep].flat()) {
      const approver = step.assignedApprover.approver;
      if (approver.type !== 'queue') {
        problems.push(`${object}: not a queue`);
        continue;
      }
      const queue = queues[approver.name];
      if (!queue) problems.push(`${object}: its approver queue ${approver.name} is not in force-app-unpackaged/queues`);
      else if (!(queue.queueSobject ?? []).some((q) => q.sobjectType === object)) {
        problems.push(`${object}: its approver queue ${approver.name} does not list ${object} (queueSobject)`);
      }
    }
  }
  for (const [name, queue] of Object.entries(queues)) {
    for (const { sobjectType } of queue.queueSobject ?? []) {
      const object = objs[sobjectType];
      if (!object) problems.push(`queue ${name}: no object ${sobjectType}`);
      else if (
        object.meta?.sharingModel === 'ControlledByParent' ||
        Object.values(object.fields).some((f) => f.type === 'MasterDetail')
      ) {
        problems.push(`queue ${name}: ${sobjectType} is a master-detail child, which a queue cannot own`);
      }
    }
  }
  return problems;
}

const approvalFolder = loadApprovalFolder();

describe('platform events', () => {
  test('every field the architecture names exists with a suitable type', () => {
    expect(eventProblems(objects)).toEqual([]);
  });

  test('a wrong type or a missing field is caught', () => {
    const bad = clone(objects);
    bad.Invoice_Request__e.fields.Payload__c.type = 'Text';
    delete bad.Sync_Update__e.fields.Change__c;
    bad.Sync_Update__e.meta.publishBehavior = 'PublishImmediately';
    expect(eventProblems(bad)).toEqual([
      'Invoice_Request__e.Payload__c is Text, expected LongTextArea',
      'Sync_Update__e should be PublishAfterCommit',
      'Sync_Update__e.Change__c is missing',
    ]);
  });
});

describe('Xero ids', () => {
  test('each Xero id (and each request key) is a unique external id', () => {
    expect(externalIdProblems(objects)).toEqual([]);
  });

  test('a Xero id that is not unique, or a new Xero id without external id, is caught', () => {
    const bad = clone(objects);
    bad.Payment__c.fields.Xero_Payment_Id__c.unique = 'false';
    bad.Invoice__c.fields.Xero_Contact_Id__c = { type: 'Text', externalId: 'false', unique: 'false' };
    expect(externalIdProblems(bad)).toEqual([
      'Invoice__c.Xero_Contact_Id__c should be a unique external id',
      'Payment__c.Xero_Payment_Id__c should be a unique external id',
    ]);
  });
});

describe('data model', () => {
  test('every contract field exists with its type, size and picklist values', () => {
    expect(dataModelProblems(objects)).toEqual([]);
  });

  test('amounts are numbers with a text currency code beside them, never Currency fields', () => {
    const currencyFields = Object.entries(objects).flatMap(([object, { fields }]) =>
      Object.entries(fields)
        .filter(([, f]) => f.type === 'Currency')
        .map(([name]) => `${object}.${name}`),
    );
    expect(currencyFields).toEqual([]);
    for (const object of [...PACKAGE_OBJECTS, ...REVENUE_OBJECTS])
      expect(objects[object].fields.Currency_Code__c).toBeDefined();
  });

  test('a changed picklist or amount type is caught', () => {
    const bad = clone(objects);
    bad.Invoice__c.fields.Total__c.type = 'Currency';
    bad.Invoice__c.fields.Status__c.valueSet.restricted = 'false';
    expect(dataModelProblems(bad)).toEqual([
      'Invoice__c.Total__c is Currency, expected Number',
      'Invoice__c.Status__c should be a restricted picklist',
    ]);
  });

  test('three billing entities with distinct tenants and exactly one default', () => {
    const dir = path.join(APP, 'customMetadata');
    const records = fs
      .readdirSync(dir)
      .filter((f) => f.startsWith('Billing_Entity.'))
      .map((f) => {
        const values = parse(path.join(dir, f)).CustomMetadata.values;
        return {
          name: f.split('.')[1],
          ...Object.fromEntries(values.map((v) => [v.field, [v.value].flat()[0]])),
        };
      });
    expect(records.map((r) => [r.name, r.Base_Currency__c]).sort()).toEqual([
      ['EU_BV', 'EUR'],
      ['UK_Ltd', 'GBP'],
      ['US_Inc', 'USD'],
    ]);
    expect(new Set(records.map((r) => r.Xero_Tenant_Id__c)).size).toBe(3);
    expect(records.filter((r) => r.Is_Default__c === 'true').map((r) => r.name)).toEqual(['UK_Ltd']);
    const countries = records.flatMap((r) => r.Countries__c.split(','));
    expect(new Set(countries).size).toBe(countries.length);
  });
});

describe('permission sets', () => {
  test('the four personas exist', () => {
    expect(Object.keys(permissionSets).sort()).toEqual(Object.keys(PERSONAS).sort());
  });

  test.each(Object.keys(PERSONAS))('%s grants what its persona needs, and no more', (name) => {
    expect(PERSONAS[name](permissionSets[name], objects)).toEqual([]);
  });

  test('an integration user that could delete beyond the lock override, could not write a locked record, or reach beyond the bridge objects, is caught', () => {
    const bad = clone(bridgeUser(permissionSets.Ledgerline_Integration));
    objectPermission(bad, 'Opportunity').allowDelete = 'true';
    objectPermission(bad, 'Payment__c').modifyAllRecords = 'false';
    bad.objectPermissions.push({ object: 'Case', allowCreate: 'false', allowRead: 'true', allowEdit: 'false' });
    bad.fieldPermissions.push({ field: 'Opportunity.Billing_Entity__c', editable: 'true', readable: 'true' });
    bad.userPermissions = [{ enabled: 'true', name: 'ModifyAllData' }];
    expect(integrationProblems(bad, objects)).toEqual(
      expect.arrayContaining([
        'Ledgerline_Integration: allowDelete on Opportunity',
        'Ledgerline_Integration: Payment__c grants "CREDV", expected "CREDVM"',
        'Ledgerline_Integration: grants Case, which the bridge does not use',
        'Ledgerline_Integration: may edit Opportunity.Billing_Entity__c, which the bridge only reads',
        'Ledgerline_Integration: grants userPermissions, which the bridge does not need',
      ]),
    );
  });

  test('a persona that could set Approval Status by hand is caught', () => {
    for (const name of Object.keys(PERSONAS)) {
      const bad = clone(permissionSets[name]);
      fieldPermission(bad, 'Credit_Note__c.Approval_Status__c').editable = 'true';
      expect(PERSONAS[name](bad, objects)).toContain(
        `${name}: may edit Credit_Note__c.Approval_Status__c (the approval process sets it)`,
      );
    }
  });

  test('a persona other than the bridge that could subscribe to Invoice_Request__e is caught', () => {
    for (const name of ['Ledgerline_Admin', 'Ledgerline_Finance', 'Ledgerline_Sales']) {
      const bad = clone(permissionSets[name]);
      bad.objectPermissions.push({ object: 'Invoice_Request__e', allowCreate: 'false', allowRead: 'true' });
      expect(PERSONAS[name](bad, objects)).toEqual([
        `${name}: must not read Invoice_Request__e (only the bridge subscribes)`,
      ]);
    }
  });

  test("the bridge's standard-object access is the org-owned set's, and that set grants only standard access", () => {
    const packagedOnly = clone(permissionSets.Ledgerline_Integration);
    expect(integrationProblems(packagedOnly, objects)).toEqual(
      expect.arrayContaining([
        'Ledgerline_Integration: Opportunity grants "", expected "RE"',
        'Ledgerline_Integration: Account grants "", expected "RE"',
      ]),
    );
    const custom = [
      ...(standardAccess.objectPermissions ?? []).map((o) => o.object),
      ...(standardAccess.fieldPermissions ?? []).map((f) => f.field),
    ].filter((name) => /__c$/.test(name));
    expect(custom).toEqual([]); // the package's own objects and fields are granted by the packaged set
    expect(grants(objectPermission(standardAccess, 'Opportunity'))).toBe('RE');
  });

  test('a persona that could publish Invoice_Request__e through the API is caught', () => {
    for (const name of Object.keys(PERSONAS)) {
      const bad = clone(permissionSets[name]);
      const event = objectPermission(bad, 'Invoice_Request__e');
      if (event) event.allowCreate = 'true';
      else bad.objectPermissions.push({ object: 'Invoice_Request__e', allowCreate: 'true', allowRead: 'true' });
      expect(PERSONAS[name](bad, objects)).toContain(
        `${name}: must not create Invoice_Request__e (only the package Apex publishes requests)`,
      );
    }
  });

  test('sales that could void, finance that cannot credit, or a listed master-detail field is caught', () => {
    const sales = clone(permissionSets.Ledgerline_Sales);
    sales.customPermissions.push({ enabled: 'true', name: VOID_CREDIT });
    objectPermission(sales, 'Payment__c').allowEdit = 'true';
    expect(salesProblems(sales, objects)).toEqual([
      'Ledgerline_Sales: Payment__c grants "RE", expected read only',
      'Ledgerline_Sales: must not void or credit invoices',
    ]);
    const finance = clone(permissionSets.Ledgerline_Finance);
    finance.customPermissions = finance.customPermissions.filter((p) => p.name !== VOID_CREDIT);
    finance.fieldPermissions.push({ field: 'Payment__c.Invoice__c', editable: 'false', readable: 'true' });
    expect(financeProblems(finance, objects)).toEqual([
      'Ledgerline_Finance: Payment__c.Invoice__c is required or master-detail and must not be listed',
      `Ledgerline_Finance: lacks ${VOID_CREDIT}`,
    ]);
  });
});

describe('billing plans and revenue schedules', () => {
  test('sales that can read revenue months or cannot set the billing terms, finance that can edit a plan, are caught', () => {
    const sales = clone(permissionSets.Ledgerline_Sales);
    sales.objectPermissions.push({ object: 'Revenue_Month__c', allowRead: 'true' });
    fieldPermission(sales, 'Opportunity.Billing_Frequency__c').editable = 'false';
    expect(salesProblems(sales, objects)).toEqual([
      "Ledgerline_Sales: grants Revenue_Month__c, which is finance's",
      'Ledgerline_Sales: cannot set Opportunity.Billing_Frequency__c',
    ]);
    const finance = clone(permissionSets.Ledgerline_Finance);
    objectPermission(finance, 'Billing_Plan__c').allowEdit = 'true';
    finance.fieldPermissions = finance.fieldPermissions.filter(
      (f) => f.field !== 'Product2.Standalone_Selling_Price__c',
    );
    expect(financeProblems(finance, objects)).toEqual([
      'Ledgerline_Finance: cannot read Product2.Standalone_Selling_Price__c',
      'Ledgerline_Finance: Billing_Plan__c grants "RE", expected read only',
    ]);
  });

  test('an integration user that cannot write a revenue month, or cannot read the product SSP, is caught', () => {
    const bad = clone(bridgeUser(permissionSets.Ledgerline_Integration));
    fieldPermission(bad, 'Revenue_Month__c.Closing_Deferred__c').editable = 'false';
    bad.fieldPermissions = bad.fieldPermissions.filter((f) => f.field !== 'Product2.Standalone_Selling_Price__c');
    expect(integrationProblems(bad, objects)).toEqual([
      'Ledgerline_Integration: cannot write Revenue_Month__c.Closing_Deferred__c',
      'Ledgerline_Integration: cannot read Product2.Standalone_Selling_Price__c',
    ]);
  });
});

describe('go-live on existing data', () => {
  test('finance that could edit a link or an import run, sales that could see match reviews, are caught', () => {
    const finance = clone(permissionSets.Ledgerline_Finance);
    objectPermission(finance, 'Xero_Contact_Link__c').allowEdit = 'true';
    fieldPermission(finance, 'Import_Run__c.Status__c').editable = 'true';
    fieldPermission(finance, 'Contact_Match_Review__c.Status__c').editable = 'false';
    expect(financeProblems(finance, objects)).toEqual([
      'Ledgerline_Finance: Xero_Contact_Link__c grants "RE", expected "R"',
      'Ledgerline_Finance: cannot edit Contact_Match_Review__c.Status__c',
      'Ledgerline_Finance: may edit Import_Run__c.Status__c',
    ]);
    const sales = clone(permissionSets.Ledgerline_Sales);
    sales.objectPermissions.push({ object: 'Contact_Match_Review__c', allowRead: 'true' });
    sales.classAccesses = sales.classAccesses.filter((c) => c.apexClass !== 'PartialInvoiceController');
    expect(salesProblems(sales, objects)).toEqual([
      'Ledgerline_Sales: Contact_Match_Review__c grants "R", expected ""',
      'Ledgerline_Sales: needs PartialInvoiceController',
    ]);
  });

  test('the contact match card permission: finance or an admin without it, sales with it, are caught', () => {
    for (const name of ['Ledgerline_Finance', 'Ledgerline_Admin']) {
      const without = clone(permissionSets[name]);
      without.customPermissions = without.customPermissions.filter((p) => p.name !== REVIEW_MATCHES);
      expect(PERSONAS[name](without, objects)).toEqual([`${name}: lacks ${REVIEW_MATCHES}`]);
    }
    const sales = clone(permissionSets.Ledgerline_Sales);
    sales.customPermissions.push({ enabled: 'true', name: REVIEW_MATCHES });
    expect(salesProblems(sales, objects)).toEqual([`Ledgerline_Sales: must not hold ${REVIEW_MATCHES}`]);
    const bridge = clone(bridgeUser(permissionSets.Ledgerline_Integration));
    bridge.customPermissions = [{ enabled: 'true', name: REVIEW_MATCHES }];
    expect(integrationProblems(bridge, objects)).toEqual(
      expect.arrayContaining([`Ledgerline_Integration: must not hold ${REVIEW_MATCHES}`]),
    );
    expect(fs.existsSync(path.join(APP, 'customPermissions', `${REVIEW_MATCHES}.customPermission-meta.xml`))).toBe(
      true,
    );
  });

  test('a bridge that cannot write a link, or could edit a product mapping, is caught', () => {
    const bad = clone(bridgeUser(permissionSets.Ledgerline_Integration));
    fieldPermission(bad, 'Xero_Contact_Link__c.Xero_Contact_Id__c').editable = 'false';
    fieldPermission(bad, 'Product2.Xero_Account_Code__c').editable = 'true';
    expect(integrationProblems(bad, objects)).toEqual([
      'Ledgerline_Integration: cannot edit Xero_Contact_Link__c.Xero_Contact_Id__c',
      'Ledgerline_Integration: edit on Product2.Xero_Account_Code__c is wrong',
      'Ledgerline_Integration: may edit Product2.Xero_Account_Code__c, which the bridge only reads',
    ]);
  });
});

// ── Reports ─────────────────────────────────────────────────────────────────────────────────────────────────────────

const REPORTS = path.join(APP, 'reports');
const asList = (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function loadReports() {
  const reports = {};
  for (const folder of fs.readdirSync(REPORTS, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    for (const file of fs.readdirSync(path.join(REPORTS, folder.name))) {
      reports[`${folder.name}/${file.replace('.report-meta.xml', '')}`] = parse(
        path.join(REPORTS, folder.name, file),
      ).Report;
    }
  }
  return reports;
}

/** A report names a report type of the package, uses only the columns it offers, and sits in a folder declared. */
function reportProblems(reports) {
  const problems = [];
  const types = Object.fromEntries(
    fs
      .readdirSync(path.join(APP, 'reportTypes'))
      .map((file) => [
        `${file.replace('.reportType-meta.xml', '')}__c`,
        parse(path.join(APP, 'reportTypes', file)).ReportType,
      ]),
  );
  for (const [name, report] of Object.entries(reports)) {
    const folder = name.split('/')[0];
    if (!fs.existsSync(path.join(REPORTS, `${folder}.reportFolder-meta.xml`)))
      problems.push(`${name}: no folder ${folder}`);
    const type = types[report.reportType];
    if (!type) {
      problems.push(`${name}: unknown report type ${report.reportType}`);
      continue;
    }
    const offered = new Set(
      asList(type.sections).flatMap((s) => asList(s.columns).map((c) => `${c.table}$${c.field}`)),
    );
    const used = [
      ...asList(report.columns).map((c) => c.field),
      ...asList(report.groupingsDown).map((g) => g.field),
      ...asList(report.filter?.criteriaItems).map((c) => c.column),
      ...asList(report.timeFrameFilter?.dateColumn),
    ];
    for (const column of used)
      if (!offered.has(column)) problems.push(`${name}: ${column} is not in ${report.reportType}`);
    for (const item of asList(report.filter?.criteriaItems)) {
      const [object, field] = item.column.split('$');
      const values = objects[object]?.fields?.[field]?.valueSet?.valueSetDefinition?.value;
      const [wanted] = asList(item.value); // `value` parses as a list (picklist values share the tag)
      if (values && !values.some((v) => v.fullName === wanted)) {
        problems.push(`${name}: ${item.column} has no value ${wanted}`);
      }
    }
  }
  return problems;
}

describe('reports', () => {
  const reports = loadReports();

  test('the drift and reconciliation reports exist and use only what their report type offers', () => {
    expect(
      Object.keys(reports)
        .filter((name) => name.startsWith('Ledgerline_Reports/'))
        .sort(),
    ).toEqual(['Ledgerline_Reports/Ledgerline_Open_Differences', 'Ledgerline_Reports/Ledgerline_Reconciliation']);
    expect(reportProblems(reports)).toEqual([]);
  });

  test('a column the report type does not offer, or a filter on a value that does not exist, is caught', () => {
    const bad = clone(reports);
    const report = bad['Ledgerline_Reports/Ledgerline_Reconciliation'];
    report.columns.push({ field: 'Reconciliation_Result__c$No_Such__c' });
    report.filter.criteriaItems[0].value = ['Drifted'];
    expect(reportProblems(bad)).toEqual([
      'Ledgerline_Reports/Ledgerline_Reconciliation: Reconciliation_Result__c$No_Such__c is not in Reconciliation_Results__c',
      'Ledgerline_Reports/Ledgerline_Reconciliation: Reconciliation_Result__c$Check_Type__c has no value Drifted',
    ]);
  });
});

describe('month-end close', () => {
  test('finance that could edit a close, sales that could read one, a bridge that cannot write a journal line, are caught', () => {
    const finance = clone(permissionSets.Ledgerline_Finance);
    objectPermission(finance, 'Month_End_Close__c').allowEdit = 'true';
    finance.tabSettings = finance.tabSettings.filter((t) => t.tab !== 'Month_End_Close__c');
    expect(financeProblems(finance, objects)).toEqual([
      'Ledgerline_Finance: Month_End_Close__c grants "RE", expected "R"',
      'Ledgerline_Finance: Month_End_Close__c tab missing',
    ]);
    const sales = clone(permissionSets.Ledgerline_Sales);
    sales.objectPermissions.push({ object: 'Month_End_Journal_Line__c', allowRead: 'true' });
    expect(salesProblems(sales, objects)).toEqual([
      'Ledgerline_Sales: Month_End_Journal_Line__c grants "R", expected ""',
    ]);
    const bridge = clone(bridgeUser(permissionSets.Ledgerline_Integration));
    fieldPermission(bridge, 'Month_End_Journal_Line__c.Amount__c').editable = 'false';
    fieldPermission(bridge, 'Month_End_Close__c.Approval_Status__c').editable = 'true';
    expect(integrationProblems(bridge, objects)).toEqual(
      expect.arrayContaining([
        'Ledgerline_Integration: cannot edit Month_End_Journal_Line__c.Amount__c',
        'Ledgerline_Integration: may edit Month_End_Close__c.Approval_Status__c',
        'Ledgerline_Integration: may edit Month_End_Close__c.Approval_Status__c (the approval process sets it)',
      ]),
    );
  });
});

describe('Apex and the approval folder', () => {
  const classesDir = path.join(APP, 'classes');
  const classes = fs.readdirSync(classesDir).filter((f) => f.endsWith('.cls'));

  test('every Apex class has a test class, and every trigger delegates in one line', () => {
    const names = new Set(classes.map((f) => f.replace('.cls', '')));
    const untested = [...names].filter((n) => !n.endsWith('Test') && n !== 'TestDataFactory' && !names.has(`${n}Test`));
    expect(untested).toEqual([]);
    const triggersDir = path.join(APP, 'triggers');
    for (const file of fs.readdirSync(triggersDir).filter((f) => f.endsWith('.trigger'))) {
      const body = fs.readFileSync(path.join(triggersDir, file), 'utf8');
      const statements = body.slice(body.indexOf('{') + 1, body.lastIndexOf('}')).trim();
      expect(statements).toMatch(/^new \w+TriggerHandler\(\)\.run\(\);$/);
    }
  });

  test('every custom label the Apex uses exists, and the labels are sorted', () => {
    const labels = parse(path.join(APP, 'labels', 'CustomLabels.labels-meta.xml')).CustomLabels.labels.map(
      (l) => l.fullName,
    );
    const used = new Set(
      classes.flatMap((f) =>
        [...fs.readFileSync(path.join(classesDir, f), 'utf8').matchAll(/Label\.(\w+)/g)].map((m) => m[1]),
      ),
    );
    expect([...used].filter((l) => !labels.includes(l))).toEqual([]);
    expect(labels).toEqual([...labels].sort());
  });

  test('the approval processes use only fields that exist, and their field updates are defined', () => {
    expect(approvalProblems(objects, approvalFolder)).toEqual([]);
  });

  test('each approval goes to a queue that can hold its object', () => {
    const noClose = clone(approvalFolder);
    noClose.queues.Ledgerline_Finance.queueSobject = noClose.queues.Ledgerline_Finance.queueSobject.filter(
      (q) => q.sobjectType !== 'Month_End_Close__c',
    );
    expect(approvalProblems(objects, noClose)).toEqual([
      'Month_End_Close__c: its approver queue Ledgerline_Finance does not list Month_End_Close__c (queueSobject)',
    ]);
    const unknownQueue = clone(approvalFolder);
    unknownQueue.approvals.Invoice__c.approvalStep.assignedApprover.approver.name = 'Finance';
    expect(approvalProblems(objects, unknownQueue)).toEqual([
      'Invoice__c: its approver queue Finance is not in force-app-unpackaged/queues',
    ]);
    const detail = clone(objects);
    detail.Month_End_Close__c.fields.Parent__c = { type: 'MasterDetail', referenceTo: 'Account' };
    expect(approvalProblems(detail, approvalFolder)).toEqual([
      'queue Ledgerline_Finance: Month_End_Close__c is a master-detail child, which a queue cannot own',
    ]);
  });

  test('layouts, quick actions and flows reference fields, actions and Apex inputs that exist', () => {
    const problems = [];
    const quickActions = new Set(fs.readdirSync(path.join(APP, 'quickActions')).map((f) => f.split('.quickAction')[0]));
    for (const file of fs.readdirSync(path.join(APP, 'layouts'))) {
      const object = file.split('-')[0];
      const layout = parse(path.join(APP, 'layouts', file)).Layout;
      const fields = layout.layoutSections.flatMap((s) =>
        (s.layoutColumns ?? []).flatMap((c) => (c.layoutItems ?? []).map((i) => i.field)),
      );
      for (const f of fields) if (f !== 'Name' && !objects[object].fields[f]) problems.push(`${file}: no field ${f}`);
      for (const list of layout.relatedLists ?? []) {
        const [child] = list.relatedList.split('.');
        for (const f of list.fields ?? []) {
          const info = objects[child]?.fields[f];
          if (f !== 'NAME' && !info) problems.push(`${file}: no field ${child}.${f}`);
          if (info?.type === 'LongTextArea') problems.push(`${file}: long text ${child}.${f} in a related list`);
        }
      }
      for (const a of layout.platformActionList?.platformActionListItems ?? []) {
        if (a.actionType === 'QuickAction' && !quickActions.has(a.actionName))
          problems.push(`${file}: ${a.actionName}`);
      }
    }
    const apex = fs.readFileSync(path.join(APP, 'classes', 'InvoiceActions.cls'), 'utf8');
    const request = apex.slice(apex.indexOf('public class Request'), apex.indexOf('public class CreditLine'));
    const outputs = apex.slice(apex.indexOf('public class Result'));
    for (const name of quickActions) {
      const action = parse(path.join(APP, 'quickActions', `${name}.quickAction-meta.xml`)).QuickAction;
      const flowFile = path.join(APP, 'flows', `${action.flowDefinition}.flow-meta.xml`);
      if (!fs.existsSync(flowFile)) {
        problems.push(`${name}: no flow ${action.flowDefinition}`);
        continue;
      }
      const call = parse(flowFile).Flow.actionCalls;
      if (call.actionName !== 'InvoiceActions') problems.push(`${name}: calls ${call.actionName}`);
      for (const p of call.inputParameters) {
        if (!new RegExp(`public \\w+ ${p.name};`).test(request)) problems.push(`${name}: no input ${p.name}`);
      }
      for (const p of call.outputParameters) {
        if (!new RegExp(`public \\w+ ${p.name}\\b`).test(outputs)) problems.push(`${name}: no output ${p.name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("each package mirror is a related list on its parent's page layout (refunds on the credit note)", () => {
    const related = {};
    for (const file of fs.readdirSync(path.join(APP, 'layouts'))) {
      const layout = parse(path.join(APP, 'layouts', file)).Layout;
      related[file.split('-')[0]] = (layout.relatedLists ?? []).map((l) => l.relatedList);
    }
    const missing = [];
    for (const child of PACKAGE_OBJECTS) {
      for (const [field, info] of Object.entries(objects[child].fields)) {
        if (!['MasterDetail', 'Lookup'].includes(info.type) || !related[info.referenceTo]) continue;
        if (!related[info.referenceTo].includes(`${child}.${field}`))
          missing.push(`${info.referenceTo}: ${child}.${field}`);
      }
    }
    expect(missing).toEqual([]);
    expect(related.Credit_Note__c).toContain('Credit_Note_Refund__c.Credit_Note__c');
  });
});

describe('KPIs and forecasts (issue 17)', () => {
  const {
    analyticsProblems,
    schemaProblems,
    reportProblems,
    loadSchema,
    loadReportTypes,
  } = require('./analytics-checks');

  test('report types, reports, the dashboard, list views, validation rules, tabs and the app pass what an org checks', () => {
    expect(analyticsProblems()).toEqual([]);
  });

  test('an element the Metadata API does not have, a missing required one or a wrong order is caught', () => {
    const xml = fs.readFileSync(
      path.join(APP, 'reports', 'Ledgerline_Finance', 'MRR_Movements.report-meta.xml'),
      'utf8',
    );
    expect(schemaProblems(xml.replace('<format>', '<formatt>x</formatt><format>'), 'Report', 'r')).toEqual([
      'r: Report has no element <formatt> (Metadata API Report)',
    ]);
    expect(schemaProblems(xml.replace(/<name>.*<\/name>/, ''), 'Report', 'r')).toEqual([
      'r: Report lacks <name> (required by Metadata API Report)',
    ]);
    const dashboard = fs.readFileSync(
      path.join(APP, 'dashboards', 'Ledgerline_Finance_Dashboards', 'Ledgerline_Finance_Overview.dashboard-meta.xml'),
      'utf8',
    );
    expect(
      schemaProblems(
        dashboard.replace('<componentType>', '<chartType>Bar</chartType><componentType>'),
        'Dashboard',
        'd',
      ),
    ).toEqual(['d: Dashboard.leftSection.components has no element <chartType> (Metadata API DashboardComponent)']);
  });

  test('a report column its report type does not have, or a report type that does not exist, is caught', () => {
    const types = loadReportTypes(loadSchema());
    const file = path.join(APP, 'reports', 'Ledgerline_Finance', 'Billings_Forecast.report-meta.xml');
    const temp = path.join(require('node:os').tmpdir(), `ldgr-report-${process.pid}.xml`);
    const xml = fs.readFileSync(file, 'utf8');
    try {
      fs.writeFileSync(temp, xml.replace('Forecasts__r$Future_Billings__c', 'Forecasts__r$Futur_Billings__c'));
      expect(reportProblems(temp, types)).toEqual([
        expect.stringContaining(
          'column KPI_Snapshot__c.Forecasts__r$Futur_Billings__c is not a column of report type Ledgerline_KPI_Forecasts',
        ),
      ]);
      fs.writeFileSync(
        temp,
        xml.replace('<reportType>Ledgerline_KPI_Forecasts__c', '<reportType>Ledgerline_KPI_Forecasts'),
      );
      expect(reportProblems(temp, types)).toEqual([
        expect.stringContaining("report type Ledgerline_KPI_Forecasts is not one of the package's (Name__c)"),
      ]);
    } finally {
      fs.rmSync(temp, { force: true });
    }
  });

  test('finance that could edit a snapshot, sales that could see the cockpit, a bridge that cannot write a forecast, are caught', () => {
    const finance = clone(permissionSets.Ledgerline_Finance);
    fieldPermission(finance, 'KPI_Snapshot__c.MRR__c').editable = 'true';
    finance.tabSettings = finance.tabSettings.filter((t) => t.tab !== 'Ledgerline_Finance_Cockpit');
    expect(insightsProblems('Ledgerline_Finance', finance, objects)).toEqual([
      'Ledgerline_Finance: may edit KPI_Snapshot__c.MRR__c',
      'Ledgerline_Finance: cannot see the Ledgerline_Finance_Cockpit tab',
    ]);
    const sales = clone(permissionSets.Ledgerline_Sales);
    sales.classAccesses.push({ apexClass: 'FinanceCockpitController', enabled: 'true' });
    sales.objectPermissions.push({ object: 'KPI_Snapshot__c', allowRead: 'true' });
    expect(insightsProblems('Ledgerline_Sales', sales, objects)).toEqual([
      'Ledgerline_Sales: KPI_Snapshot__c grants "R", expected ""',
      'Ledgerline_Sales: must not have FinanceCockpitController',
    ]);
    const bridge = clone(bridgeUser(permissionSets.Ledgerline_Integration));
    fieldPermission(bridge, 'KPI_Forecast__c.Cash_Forecast__c').editable = 'false';
    expect(insightsProblems('Ledgerline_Integration', bridge, objects)).toEqual([
      'Ledgerline_Integration: cannot edit KPI_Forecast__c.Cash_Forecast__c',
    ]);
  });

  test('every custom label an LWC imports exists', () => {
    const labels = new Set(
      parse(path.join(APP, 'labels', 'CustomLabels.labels-meta.xml')).CustomLabels.labels.map((l) => l.fullName),
    );
    const lwc = path.join(APP, 'lwc');
    const missing = fs
      .readdirSync(lwc, { recursive: true })
      .filter((f) => f.endsWith('.js') && !f.includes('__tests__'))
      .flatMap((f) =>
        [...fs.readFileSync(path.join(lwc, f), 'utf8').matchAll(/@salesforce\/label\/c\.(\w+)/g)].map((m) => m[1]),
      )
      .filter((name) => !labels.has(name));
    expect(missing).toEqual([]);
  });
});
