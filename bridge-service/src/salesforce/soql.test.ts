import { accountRowSchema, opportunityLineItemRowSchema, opportunityRowSchema } from '../domain/records';
import platformRow from './__fixtures__/opportunity-for-invoicing.ldgr.json';
import { Invoice } from './objects';
import { salesforceNames } from './schema';
import { invoiceMirror, opportunityForInvoicing, type InvoiceMirror } from './selections';
import { childRecords, select } from './soql';

const ns = salesforceNames('ldgr__');

describe('typed selections', () => {
  it('render SOQL with the namespace on custom names, parents as paths and children as subqueries', () => {
    expect(opportunityForInvoicing(true).soql(ns, { where: (q) => `${q.field('Id')} IN ('006000000000001AAA')` })).toBe(
      'SELECT Id, Name, AccountId, CloseDate, Amount, CurrencyIsoCode, ldgr__Billing_Entity__c, ' +
        'ldgr__Amended_Opportunity__c, ldgr__Invoice_Type__c, ldgr__Service_Start_Date__c, ldgr__Service_End_Date__c, ' +
        'ldgr__Renewal_Uplift_Percent__c, ldgr__PO_Number__c, Account.Id, Account.Name, Account.BillingStreet, ' +
        'Account.BillingCity, Account.BillingState, Account.BillingPostalCode, Account.BillingCountry, ' +
        'Account.ldgr__Billing_Entity__c, Account.ldgr__Billing_Email__c, Account.AccountNumber, ' +
        'Account.ldgr__Tax_Number__c, (SELECT Id, Description, Quantity, UnitPrice, Discount, TotalPrice, ServiceDate, ' +
        'Product2.Name, Product2.ProductCode, Product2.ldgr__Xero_Account_Code__c, Product2.ldgr__Xero_Tax_Type__c, ' +
        'Product2.ldgr__Xero_Item_Code__c, Product2.ldgr__Xero_Tracking_1_Category__c, ' +
        'Product2.ldgr__Xero_Tracking_1_Option__c, Product2.ldgr__Xero_Tracking_2_Category__c, ' +
        'Product2.ldgr__Xero_Tracking_2_Option__c, Product2.ldgr__Revenue_Recognition__c, ' +
        'Product2.ldgr__Xero_Deferred_Account_Code__c FROM OpportunityLineItems ' +
        "ORDER BY SortOrder, Id) FROM Opportunity WHERE Id IN ('006000000000001AAA')",
    );
  });

  it('read what a namespaced org returns into rows the domain accepts', () => {
    const row = opportunityForInvoicing(true).parse(ns, platformRow);
    expect(row.PO_Number__c).toBe('PO-4711');
    expect(row.Account?.BillingStreet).toBe('1 Fleet Street');
    expect(row.Account?.Billing_Email__c).toBe('accounts@acme.example.co.uk');
    expect(childRecords(row.OpportunityLineItems).map((line) => line.Product2?.ProductCode ?? null)).toEqual([
      'LL-PLAT',
      null,
    ]);
    expect(row).not.toHaveProperty('attributes');
    expect(opportunityRowSchema.parse(row)).toMatchObject({ Name: 'Acme - Platform 2026', PO_Number__c: 'PO-4711' });
    expect(accountRowSchema.parse(row.Account)).toMatchObject({ BillingPostalCode: 'EC4Y 1AA' });
    expect(
      childRecords(row.OpportunityLineItems).map((line) => opportunityLineItemRowSchema.parse(line).Quantity),
    ).toEqual([120, 1]);
  });

  it('leave out a field the org does not have, and read it as null', () => {
    const single = opportunityForInvoicing(false);
    expect(single.soql(ns)).not.toContain('CurrencyIsoCode');
    const { CurrencyIsoCode: _absent, ...row } = platformRow;
    expect(single.parse(ns, row).CurrencyIsoCode).toBeNull();
  });

  it('refuse a row whose values are not of the declared kind', () => {
    expect(() => opportunityForInvoicing(true).parse(ns, { ...platformRow, Amount: '7600' })).toThrow(/Amount/);
    expect(() => opportunityForInvoicing(true).parse(ns, { ...platformRow, ldgr__PO_Number__c: undefined })).toThrow(
      /PO_Number__c/,
    );
  });

  it('type every row: a field not selected, or not in the schema, does not compile', () => {
    const mirror: InvoiceMirror = invoiceMirror.parse(ns, {
      Id: 'a00000000000001AAA',
      ldgr__Approval_Status__c: null,
      ...Object.fromEntries(
        [
          'Name',
          'ldgr__Opportunity__c',
          'ldgr__Account__c',
          'ldgr__Request_Key__c',
          'ldgr__Xero_Invoice_Id__c',
          'ldgr__Xero_Tenant_Id__c',
          'ldgr__Billing_Entity__c',
          'ldgr__Invoice_Number__c',
          'ldgr__Invoice_Type__c',
          'ldgr__Currency_Code__c',
          'ldgr__Status__c',
          'ldgr__Online_Invoice_URL__c',
          'ldgr__Xero_Updated__c',
          'ldgr__Total__c',
          'ldgr__Sync_Status__c',
          'ldgr__Sync_Message__c',
        ].map((name) => [name, null]),
      ),
    });
    expect(mirror.Id).toBe('a00000000000001AAA');
    // @ts-expect-error Amount_Due__c is an Invoice__c field, but invoiceMirror does not select it
    expect(mirror.Amount_Due__c).toBeUndefined();
    // @ts-expect-error Totl__c is no Invoice__c field
    expect(() => select(Invoice, ['Totl__c'])).not.toThrow();
  });
});
