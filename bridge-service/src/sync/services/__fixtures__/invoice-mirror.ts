import type { InvoiceMirror } from '../../../salesforce/selections';

export const MIRROR_TENANT = '11111111-1111-4111-8111-111111111111';
export const MIRROR_XERO_ID = '9b2a1c3e-0000-4000-8000-000000000001';

/** An authorised, approved Invoice__c mirror of one UK_Ltd Xero invoice, as the per-invoice actions load it. */
export function invoiceMirrorRow(overrides: Partial<InvoiceMirror> = {}): InvoiceMirror {
  return {
    Id: 'a01000000000001AAA',
    Opportunity__c: null,
    Account__c: null,
    Request_Key__c: 'CREATE_DRAFT:006000000000001AAA:1',
    Xero_Invoice_Id__c: MIRROR_XERO_ID,
    Xero_Tenant_Id__c: MIRROR_TENANT,
    Billing_Entity__c: 'UK_Ltd',
    Name: 'INV-0001',
    Invoice_Number__c: 'INV-0001',
    Invoice_Type__c: 'Invoice',
    Currency_Code__c: 'GBP',
    Status__c: 'Authorised',
    Online_Invoice_URL__c: null,
    Approval_Status__c: 'Approved',
    Xero_Updated__c: null,
    Total__c: 1200,
    Sync_Status__c: 'Synced',
    Sync_Message__c: null,
    ...overrides,
  };
}
