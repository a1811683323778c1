import { sobject } from '../sobject';

/** The customer: its Xero contact (name, billing address), routing country, and the receivables summary fields. */
export const Account = sobject(
  'Account',
  {
    Id: 'id',
    Name: 'text',
    BillingStreet: 'text',
    BillingCity: 'text',
    BillingState: 'text',
    BillingPostalCode: 'text',
    BillingCountry: 'text',
    // the package's inputs
    Billing_Entity__c: 'text',
    Billing_Email__c: 'text',
    // what contact matching compares with Xero's AccountNumber and TaxNumber (go-live)
    AccountNumber: 'text',
    Tax_Number__c: 'text',
    // receivables summary (written by the bridge)
    Invoiced_Amount__c: 'number',
    Amount_Due__c: 'number',
    Amount_Overdue__c: 'number',
    Receivables_Currency__c: 'text',
    Receivables_Summary__c: 'text',
    Last_Payment_Date__c: 'date',
  },
  {
    // what the draft path reads of an Account in one query (go-live): its contact links and match reviews
    children: {
      Xero_Contact_Links__r: { object: 'Xero_Contact_Link__c', field: 'Account__c' },
      Contact_Match_Reviews__r: { object: 'Contact_Match_Review__c', field: 'Account__c' },
    },
  },
);

/** Contacts: the first one with an email is where Xero sends invoices when the Account names no billing email. */
export const Contact = sobject('Contact', {
  Id: 'id',
  AccountId: 'reference',
  Email: 'text',
  CreatedDate: 'datetime',
});
