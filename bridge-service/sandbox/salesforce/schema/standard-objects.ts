/** Built-in schema for the standard objects the bridge touches; the package's custom fields are merged in later. */
import type { FieldDef, FieldType, ObjectDef, PicklistDef } from './types';

type Opts = Partial<Omit<FieldDef, 'name' | 'type'>>;

export function field(name: string, type: FieldType, opts: Opts = {}): FieldDef {
  return {
    name,
    label: opts.label ?? name.replace(/Id$/, ' ID').replace(/([a-z])([A-Z])/g, '$1 $2'),
    type,
    required: false,
    unique: false,
    caseSensitive: false,
    externalId: false,
    createable: true,
    updateable: true,
    custom: false,
    ...opts,
  };
}

const text = (name: string, length: number, opts: Opts = {}): FieldDef => field(name, 'string', { length, ...opts });
const readOnly: Opts = { createable: false, updateable: false };
const ref = (name: string, to: string, relationshipName: string, opts: Opts = {}): FieldDef =>
  field(name, 'reference', { referenceTo: [to], relationshipName, length: 18, ...opts });
const money = (name: string, opts: Opts = {}): FieldDef =>
  field(name, 'currency', { precision: 18, scale: 2, ...opts });
const pick = (name: string, values: string[], opts: Opts & { restricted?: boolean; dflt?: string } = {}): FieldDef => {
  const picklist: PicklistDef = { values, restricted: opts.restricted ?? false };
  if (opts.dflt) picklist.defaultValue = opts.dflt;
  return field(name, 'picklist', { length: 255, picklist, ...opts });
};

/** Stage -> [isClosed, isWon, probability], as in a default org's OpportunityStage table. */
export const OPPORTUNITY_STAGES: Record<string, [boolean, boolean, number]> = {
  Prospecting: [false, false, 10],
  Qualification: [false, false, 10],
  'Needs Analysis': [false, false, 20],
  'Value Proposition': [false, false, 50],
  'Id. Decision Makers': [false, false, 60],
  'Perception Analysis': [false, false, 70],
  'Proposal/Price Quote': [false, false, 75],
  'Negotiation/Review': [false, false, 90],
  'Closed Won': [true, true, 100],
  'Closed Lost': [true, false, 0],
};

export const DEFAULT_CURRENCIES = ['GBP', 'USD', 'EUR', 'AUD', 'NZD', 'CAD'];

function systemFields(owned: boolean): FieldDef[] {
  const fields = [
    field('Id', 'id', { ...readOnly, length: 18, label: 'Record ID' }),
    field('IsDeleted', 'boolean', { ...readOnly, label: 'Deleted' }),
    field('CreatedDate', 'datetime', readOnly),
    ref('CreatedById', 'User', 'CreatedBy', readOnly),
    field('LastModifiedDate', 'datetime', readOnly),
    ref('LastModifiedById', 'User', 'LastModifiedBy', readOnly),
    field('SystemModstamp', 'datetime', readOnly),
    // multi-currency org: every object carries its currency as a restricted picklist
    pick('CurrencyIsoCode', DEFAULT_CURRENCIES, { restricted: true, label: 'Currency ISO Code', length: 3 }),
  ];
  if (owned) fields.push(ref('OwnerId', 'User', 'Owner', { label: 'Owner ID' }));
  return fields;
}

const address = (prefix: string): FieldDef[] => [
  field(`${prefix}Street`, 'textarea', { length: 255 }),
  text(`${prefix}City`, 40),
  text(`${prefix}State`, 80),
  text(`${prefix}PostalCode`, 20),
  text(`${prefix}Country`, 80),
];

interface StandardSpec {
  name: string;
  label: string;
  keyPrefix: string;
  owned: boolean;
  fields: FieldDef[];
}

const SPECS: StandardSpec[] = [
  {
    name: 'User',
    label: 'User',
    keyPrefix: '005',
    owned: false,
    fields: [
      text('Username', 80, { required: true, unique: true }),
      text('FirstName', 40),
      text('LastName', 80, { required: true }),
      text('Name', 121, readOnly),
      field('Email', 'email', { length: 128, required: true }),
      text('Alias', 8),
      field('IsActive', 'boolean', { defaultValue: true }),
      text('TimeZoneSidKey', 40),
      text('Title', 80),
      text('Department', 80),
    ],
  },
  {
    name: 'Account',
    label: 'Account',
    keyPrefix: '001',
    owned: true,
    fields: [
      text('Name', 255, { required: true, label: 'Account Name' }),
      text('AccountNumber', 40),
      pick('Type', ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Partner', 'Other']),
      pick('Industry', [
        'Agriculture',
        'Banking',
        'Consulting',
        'Education',
        'Energy',
        'Finance',
        'Manufacturing',
        'Retail',
        'Technology',
        'Other',
      ]),
      field('Phone', 'phone', { length: 40 }),
      field('Website', 'url', { length: 255 }),
      field('Description', 'textarea', { length: 32000 }),
      ref('ParentId', 'Account', 'Parent'),
      ...address('Billing'),
      ...address('Shipping'),
    ],
  },
  {
    name: 'Contact',
    label: 'Contact',
    keyPrefix: '003',
    owned: true,
    fields: [
      ref('AccountId', 'Account', 'Account'),
      text('FirstName', 40),
      text('LastName', 80, { required: true }),
      text('Name', 121, readOnly),
      field('Email', 'email', { length: 80 }),
      field('Phone', 'phone', { length: 40 }),
      text('Title', 128),
      ...address('Mailing'),
    ],
  },
  {
    name: 'Pricebook2',
    label: 'Price Book',
    keyPrefix: '01s',
    owned: false,
    fields: [
      text('Name', 255, { required: true }),
      field('IsActive', 'boolean'),
      field('IsStandard', 'boolean', readOnly),
      text('Description', 255),
    ],
  },
  {
    name: 'Product2',
    label: 'Product',
    keyPrefix: '01t',
    owned: false,
    fields: [
      text('Name', 255, { required: true, label: 'Product Name' }),
      text('ProductCode', 255),
      field('Description', 'textarea', { length: 4000 }),
      field('IsActive', 'boolean'),
      pick('Family', ['Subscription', 'Services', 'Hardware', 'None']),
      text('QuantityUnitOfMeasure', 255),
      // Product schedules (Setup → Product Schedules Settings): a line item may have a schedule of this kind only
      // when its product allows it.
      field('CanUseRevenueSchedule', 'boolean', { defaultValue: false, label: 'Revenue Scheduling Enabled' }),
      field('CanUseQuantitySchedule', 'boolean', { defaultValue: false, label: 'Quantity Scheduling Enabled' }),
    ],
  },
  {
    name: 'PricebookEntry',
    label: 'Price Book Entry',
    keyPrefix: '01u',
    owned: false,
    fields: [
      ref('Pricebook2Id', 'Pricebook2', 'Pricebook2', { required: true, updateable: false }),
      ref('Product2Id', 'Product2', 'Product2', { required: true, updateable: false }),
      money('UnitPrice', { required: true, label: 'List Price' }),
      field('IsActive', 'boolean'),
      field('UseStandardPrice', 'boolean'),
      text('Name', 255, readOnly),
      text('ProductCode', 255, readOnly),
    ],
  },
  {
    name: 'Opportunity',
    label: 'Opportunity',
    keyPrefix: '006',
    owned: true,
    fields: [
      text('Name', 120, { required: true, label: 'Name' }),
      ref('AccountId', 'Account', 'Account', { label: 'Account ID' }),
      pick('StageName', Object.keys(OPPORTUNITY_STAGES), { required: true, restricted: true, label: 'Stage' }),
      field('CloseDate', 'date', { required: true, label: 'Close Date' }),
      money('Amount'),
      field('Probability', 'percent', { precision: 3, scale: 0 }),
      money('ExpectedRevenue', { ...readOnly, label: 'Expected Amount' }),
      field('IsClosed', 'boolean', { ...readOnly, label: 'Closed' }),
      field('IsWon', 'boolean', { ...readOnly, label: 'Won' }),
      field('HasOpportunityLineItem', 'boolean', { ...readOnly, label: 'Has Line Item' }),
      ref('Pricebook2Id', 'Pricebook2', 'Pricebook2'),
      pick('Type', ['New Business', 'Existing Business', 'Renewal']),
      pick('ForecastCategoryName', ['Omitted', 'Pipeline', 'Best Case', 'Commit', 'Closed']),
      field('Description', 'textarea', { length: 32000 }),
      text('NextStep', 255),
    ],
  },
  {
    name: 'OpportunityLineItem',
    label: 'Opportunity Product',
    keyPrefix: '00k',
    owned: false,
    fields: [
      ref('OpportunityId', 'Opportunity', 'Opportunity', { required: true, updateable: false, masterDetail: true }),
      ref('PricebookEntryId', 'PricebookEntry', 'PricebookEntry', { updateable: false }),
      ref('Product2Id', 'Product2', 'Product2', { updateable: false }),
      text('Name', 376, readOnly),
      text('ProductCode', 255, readOnly),
      field('Quantity', 'double', { precision: 12, scale: 2, required: true }),
      money('UnitPrice', { label: 'Sales Price' }),
      money('ListPrice', readOnly),
      money('TotalPrice', { label: 'Total Price' }),
      field('Discount', 'percent', { precision: 18, scale: 2 }),
      field('ServiceDate', 'date'),
      text('Description', 255, { label: 'Line Description' }),
      field('SortOrder', 'int', { precision: 9, scale: 0 }),
      // Read-only: from the product, and from the line's OpportunityLineItemSchedule rows.
      field('CanUseRevenueSchedule', 'boolean', readOnly),
      field('CanUseQuantitySchedule', 'boolean', readOnly),
      field('HasRevenueSchedule', 'boolean', readOnly),
      field('HasQuantitySchedule', 'boolean', readOnly),
      field('HasSchedule', 'boolean', readOnly),
    ],
  },
  {
    // Opportunity Product schedules: revenue and/or quantity installments of a line item (Object Reference,
    // OpportunityLineItemSchedule). The line's TotalPrice follows its revenue installments and its Quantity its
    // quantity installments (org/product-schedules.ts).
    name: 'OpportunityLineItemSchedule',
    label: 'Opportunity Product Schedule',
    keyPrefix: '00o',
    owned: false,
    fields: [
      ref('OpportunityLineItemId', 'OpportunityLineItem', 'OpportunityLineItem', {
        required: true,
        updateable: false,
        masterDetail: true,
        label: 'Line Item',
      }),
      field('ScheduleDate', 'date', { required: true, label: 'Schedule Date' }),
      pick('Type', ['Quantity', 'Revenue', 'Both'], {
        required: true,
        restricted: true,
        updateable: false,
        length: 40,
      }),
      money('Revenue'),
      field('Quantity', 'double', { precision: 18, scale: 2 }),
      text('Description', 80, { label: 'Comments' }),
    ],
  },
  {
    name: 'CurrencyType',
    label: 'Currency',
    keyPrefix: '02c',
    owned: false,
    fields: [
      text('IsoCode', 3, { required: true, unique: true }),
      field('ConversionRate', 'double', { precision: 18, scale: 6, required: true }),
      field('DecimalPlaces', 'int', { precision: 1, scale: 0 }),
      field('IsActive', 'boolean'),
      field('IsCorporate', 'boolean'),
    ],
  },
  {
    name: 'DatedConversionRate',
    label: 'Dated Exchange Rate',
    keyPrefix: '04w',
    owned: false,
    fields: [
      text('IsoCode', 3, { required: true }),
      field('ConversionRate', 'double', { precision: 18, scale: 6, required: true }),
      field('StartDate', 'date', { required: true }),
      field('NextStartDate', 'date', readOnly),
    ],
  },
  // the org itself: one read-only row whose Id is the org id (the Salesforce CLI reads it after logging in)
  {
    name: 'Organization',
    label: 'Organization',
    keyPrefix: '00D',
    owned: false,
    fields: [
      text('Name', 80, readOnly),
      text('InstanceName', 5, readOnly),
      field('IsSandbox', 'boolean', readOnly),
      field('TrialExpirationDate', 'datetime', readOnly),
      text('NamespacePrefix', 15, readOnly),
      pick(
        'OrganizationType',
        ['Developer Edition', 'Enterprise Edition', 'Unlimited Edition', 'Professional Edition', 'Base Edition'],
        readOnly,
      ),
      text('Country', 80, readOnly),
      text('DefaultLocaleSidKey', 40, readOnly),
      text('LanguageLocaleKey', 40, readOnly),
      text('TimeZoneSidKey', 40, readOnly),
    ],
  },
  // approval history, written by the approval engine (read-only over the API)
  {
    name: 'ProcessInstance',
    label: 'Process Instance',
    keyPrefix: '04g',
    owned: false,
    fields: [
      field('TargetObjectId', 'reference', { ...readOnly, referenceTo: [], length: 18 }),
      pick('Status', ['Pending', 'Approved', 'Rejected', 'Removed'], readOnly),
      ref('SubmittedById', 'User', 'SubmittedBy', readOnly),
      field('CompletedDate', 'datetime', readOnly),
    ],
  },
  {
    name: 'ProcessInstanceStep',
    label: 'Approval History Step',
    keyPrefix: '04h',
    owned: false,
    fields: [
      ref('ProcessInstanceId', 'ProcessInstance', 'ProcessInstance', readOnly),
      pick('StepStatus', ['Started', 'Approved', 'Rejected', 'Removed', 'Pending'], readOnly),
      field('Comments', 'textarea', { ...readOnly, length: 4000 }),
      ref('ActorId', 'User', 'Actor', readOnly),
      ref('OriginalActorId', 'User', 'OriginalActor', readOnly),
    ],
  },
  {
    name: 'ProcessInstanceWorkitem',
    label: 'Approval Request',
    keyPrefix: '04i',
    owned: false,
    fields: [
      ref('ProcessInstanceId', 'ProcessInstance', 'ProcessInstance', readOnly),
      ref('ActorId', 'User', 'Actor', readOnly),
    ],
  },
];

export function standardObjects(): ObjectDef[] {
  return SPECS.map((spec) => {
    const fields = new Map<string, FieldDef>();
    for (const f of [...systemFields(spec.owned), ...spec.fields]) fields.set(f.name.toLowerCase(), { ...f });
    const currency = fields.get('currencyisocode');
    if (spec.name === 'Organization') fields.delete('currencyisocode');
    if (spec.name === 'User' && currency) {
      // users have a default currency, not a record currency
      fields.delete('currencyisocode');
      fields.set('defaultcurrencyisocode', { ...currency, name: 'DefaultCurrencyIsoCode' });
    }
    return {
      name: spec.name,
      label: spec.label,
      keyPrefix: spec.keyPrefix,
      kind: 'standard',
      custom: false,
      fields,
      childRelationships: [],
    };
  });
}

/** Standard child relationships that cannot be derived from a relationshipName on the child alone. */
export const STANDARD_CHILD_RELATIONSHIPS: Record<string, Record<string, string>> = {
  // child object -> reference field -> relationship name on the parent
  Contact: { AccountId: 'Contacts' },
  Opportunity: { AccountId: 'Opportunities' },
  OpportunityLineItem: { OpportunityId: 'OpportunityLineItems' },
  OpportunityLineItemSchedule: { OpportunityLineItemId: 'OpportunityLineItemSchedules' },
  PricebookEntry: { Product2Id: 'PricebookEntries', Pricebook2Id: 'PricebookEntries' },
  Account: { ParentId: 'ChildAccounts' },
  ProcessInstanceStep: { ProcessInstanceId: 'Steps' },
  ProcessInstanceWorkitem: { ProcessInstanceId: 'Workitems' },
};
