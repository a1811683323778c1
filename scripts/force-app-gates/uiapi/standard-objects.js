'use strict';
// The standard objects the components' GraphQL queries can reach, with the fields copied from Salesforce's field
// reference (https://developer.salesforce.com/docs/atlas.en-us.sfFieldRef.meta/sfFieldRef/). Only what the package
// queries or relates to is here: a query that needs more fails the gate ("Cannot query field …"), and the fix is a
// row in this table, checked against the field reference. Custom fields on these objects come from force-app.
//
// Field types are UI API value types (the `<Type>Value` each field returns). `reference` fields get a parent
// relationship named after the field without `Id` (AccountId → Account). System fields (Id, CreatedDate, CreatedBy,
// LastModifiedDate, LastModifiedBy, SystemModstamp) are added to every object by the schema builder; `owner: true`
// adds OwnerId/Owner. CurrencyIsoCode exists only in multi-currency orgs, so it is left out.

const STANDARD_OBJECTS = {
  Account: {
    owner: true,
    nameField: true,
    fields: {
      AccountNumber: 'String',
      AnnualRevenue: 'Currency',
      BillingCity: 'String',
      BillingCountry: 'String',
      BillingPostalCode: 'String',
      BillingState: 'String',
      BillingStreet: 'TextArea',
      Description: 'LongTextArea',
      Industry: 'Picklist',
      NumberOfEmployees: 'Int',
      ParentId: { reference: 'Account', relationship: 'Parent' },
      Phone: 'PhoneNumber',
      Type: 'Picklist',
      Website: 'Url',
    },
    // standard child relationships: name → [child object, field on the child]
    children: {
      ChildAccounts: ['Account', 'ParentId'],
      Opportunities: ['Opportunity', 'AccountId'],
    },
  },
  Opportunity: {
    owner: true,
    nameField: true,
    fields: {
      AccountId: { reference: 'Account', relationship: 'Account' },
      Amount: 'Currency',
      CloseDate: 'Date',
      Description: 'LongTextArea',
      IsClosed: 'Boolean',
      IsWon: 'Boolean',
      Probability: 'Percent',
      StageName: 'Picklist',
      Type: 'Picklist',
    },
    children: {},
  },
  User: {
    owner: false,
    nameField: true,
    fields: {
      Email: 'Email',
      IsActive: 'Boolean',
      TimeZoneSidKey: 'Picklist',
      Username: 'String',
    },
    children: {},
  },
};

module.exports = { STANDARD_OBJECTS };
