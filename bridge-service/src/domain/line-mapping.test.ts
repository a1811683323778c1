import { parseBillingEntities } from './billing-entity';
import { DomainError } from './errors';
import { mapDocument } from './invoice-mapping';
import { mapOpportunityToInvoice } from './opportunity-invoice';
import {
  assertLineMappings,
  checkLineMappings,
  entityLineDefaults,
  resolveLineMapping,
  type LineMapping,
  type TenantReference,
} from './line-mapping';

const {
  entities: [uk],
} = parseBillingEntities([
  {
    developerName: 'UK_Ltd',
    xeroTenantId: 'tenant-uk',
    baseCurrency: 'GBP',
    countries: 'GB',
    currencies: 'GBP',
    accountCode: '200',
    taxType: 'OUTPUT2',
    lineAmountType: 'Exclusive',
    paymentTermsDays: 30,
    isDefault: true,
    autoEmail: false,
  },
]);
if (!uk) throw new Error('fixture entity missing');

const defaults = entityLineDefaults(uk, {
  Default_Tracking_1_Category__c: 'Region',
  Default_Tracking_1_Option__c: 'UK',
  Default_Tracking_2_Category__c: 'Department',
  Default_Tracking_2_Option__c: 'Sales',
});

const reference: TenantReference = {
  accounts: [
    { code: '200', name: 'Sales', status: 'ACTIVE', type: 'REVENUE' },
    { code: '260', name: 'Other Revenue', status: 'ACTIVE', type: 'OTHERINCOME' },
    { code: '270', name: 'Old Revenue', status: 'ARCHIVED', type: 'REVENUE' },
    { code: '090', name: 'Business Bank', status: 'ACTIVE', type: 'BANK' },
    { code: '610', name: 'Accounts Receivable', status: 'ACTIVE', type: 'CURRENT', systemAccount: 'DEBTORS' },
  ],
  taxRates: [
    { taxType: 'OUTPUT2', effectiveRate: '20', status: 'ACTIVE', canApplyToRevenue: true },
    { taxType: 'ZERORATEDOUTPUT', effectiveRate: '0', status: 'ACTIVE', canApplyToRevenue: true },
    { taxType: 'INPUT2', effectiveRate: '20', status: 'ACTIVE', canApplyToRevenue: false },
    { taxType: 'OUTPUT', effectiveRate: '17.5', status: 'DELETED' },
  ],
  trackingCategories: [
    {
      name: 'Region',
      status: 'ACTIVE',
      options: [
        { name: 'UK', status: 'ACTIVE' },
        { name: 'EMEA', status: 'ACTIVE' },
        { name: 'Legacy', status: 'ARCHIVED' },
      ],
    },
    { name: 'Department', status: 'ACTIVE', options: [{ name: 'Sales', status: 'ACTIVE' }] },
    { name: 'Project', status: 'ARCHIVED', options: [{ name: 'X', status: 'ACTIVE' }] },
  ],
  items: [{ code: 'SEATS', name: 'Platform seats', isSold: true }],
};

type Product = { Name: string; ProductCode?: string };

/** Acme's won Opportunity with two products, through the Opportunity mapper with each line's mapping. */
function acmeInvoice(products: [Product, Product], mappings: [LineMapping, LineMapping]) {
  return mapOpportunityToInvoice({
    opportunity: {
      Id: '006000000000001AAA',
      Name: 'Acme 2027',
      CloseDate: '2027-01-15',
      AccountId: '001000000000001AAA',
      CurrencyIsoCode: 'GBP',
    },
    lineItems: [
      { Id: '00k000000000001AAA', Quantity: 10, UnitPrice: 100, Product2: products[0] },
      { Id: '00k000000000002AAA', Quantity: 1, UnitPrice: 500, Product2: products[1] },
    ],
    account: { Id: '001000000000001AAA', Name: 'Acme' },
    entity: uk!,
    taxRates: reference.taxRates,
    corporateCurrency: 'GBP',
    today: '2027-01-15',
    lineMappings: new Map([
      ['00k000000000001AAA', mappings[0]],
      ['00k000000000002AAA', mappings[1]],
    ]),
  });
}

describe('resolveLineMapping: line → product → entity', () => {
  it('uses the entity defaults for a product without Xero fields', () => {
    expect(resolveLineMapping({ Name: 'Seats' }, defaults)).toEqual({
      accountCode: '200',
      revenueAccountCode: '200',
      posting: 'revenue',
      taxType: 'OUTPUT2',
      tracking: [
        { name: 'Region', option: 'UK' },
        { name: 'Department', option: 'Sales' },
      ],
      source: {
        accountCode: 'entity',
        revenueAccountCode: 'entity',
        taxType: 'entity',
        tracking: ['entity', 'entity'],
      },
    });
  });

  it('the product wins field by field, and per tracking category', () => {
    const mapping = resolveLineMapping(
      {
        Name: 'Training',
        ProductCode: 'TRN',
        Xero_Account_Code__c: '260',
        Xero_Tax_Type__c: ' ',
        Xero_Item_Code__c: 'TRAINING-DAY',
        Xero_Tracking_1_Category__c: 'region',
        Xero_Tracking_1_Option__c: 'EMEA',
      },
      defaults,
    );
    expect(mapping).toEqual({
      accountCode: '260',
      revenueAccountCode: '260',
      posting: 'revenue',
      taxType: 'OUTPUT2',
      itemCode: 'TRAINING-DAY',
      tracking: [
        { name: 'region', option: 'EMEA' },
        { name: 'Department', option: 'Sales' },
      ],
      source: {
        accountCode: 'product',
        revenueAccountCode: 'product',
        taxType: 'entity',
        tracking: ['product', 'entity'],
        itemCode: 'xero-item-code',
      },
    });
  });

  it('a line’s own account code and tax type win over the product (a credit-note line finance typed)', () => {
    const mapping = resolveLineMapping({ Xero_Account_Code__c: '260' }, defaults, {
      accountCode: '270',
      taxType: 'ZERORATEDOUTPUT',
    });
    expect([mapping.accountCode, mapping.source.accountCode, mapping.taxType, mapping.source.taxType]).toEqual([
      '270',
      'line',
      'ZERORATEDOUTPUT',
      'line',
    ]);
  });

  it('falls back to the ProductCode as the item code', () => {
    expect(resolveLineMapping({ ProductCode: 'SEATS' }, defaults)).toMatchObject({
      itemCode: 'SEATS',
      source: { itemCode: 'product-code' },
    });
  });
});

describe('deferral at invoicing: ratable items post to deferred revenue', () => {
  const deferring = entityLineDefaults(uk, {
    Deferred_Revenue_Account_Code__c: '835',
    Accrued_Revenue_Account_Code__c: '630',
  });
  const withDeferral: TenantReference = {
    ...reference,
    accounts: [
      ...reference.accounts,
      { code: '835', name: 'Deferred Revenue', status: 'ACTIVE', type: 'CURRLIAB' },
      { code: '836', name: 'Deferred Services', status: 'ACTIVE', type: 'CURRLIAB' },
    ],
  };

  it("posts a ratable line to the entity's deferred revenue and keeps its revenue account for the close", () => {
    expect(deferring).toMatchObject({ deferredRevenueAccountCode: '835', accruedRevenueAccountCode: '630' });
    const seats = resolveLineMapping({ Name: 'Seats', Revenue_Recognition__c: 'Ratable' }, deferring);
    expect(seats).toMatchObject({
      accountCode: '835',
      revenueAccountCode: '200',
      deferredAccountCode: '835',
      posting: 'deferred',
      source: { accountCode: 'entity', revenueAccountCode: 'entity', deferredAccountCode: 'entity' },
    });
    // A blank recognition is a subscription: ratable.
    expect(resolveLineMapping({ Name: 'Support' }, deferring).accountCode).toBe('835');
  });

  it('posts a point-in-time line to revenue; the product overrides both accounts', () => {
    const setup = resolveLineMapping(
      { Name: 'Setup', Revenue_Recognition__c: 'Point in Time', Xero_Account_Code__c: '260' },
      deferring,
    );
    expect(setup).toMatchObject({ accountCode: '260', revenueAccountCode: '260', posting: 'revenue' });
    const services = resolveLineMapping(
      { Name: 'Services', Xero_Account_Code__c: '260', Xero_Deferred_Account_Code__c: '836' },
      deferring,
    );
    expect(services).toMatchObject({
      accountCode: '836',
      revenueAccountCode: '260',
      deferredAccountCode: '836',
      posting: 'deferred',
      source: { accountCode: 'product', deferredAccountCode: 'product' },
    });
  });

  it('keeps posting to revenue where no deferred account is set (wave 1), and keeps a line finance typed', () => {
    expect(resolveLineMapping({ Name: 'Seats' }, defaults)).toMatchObject({ accountCode: '200', posting: 'revenue' });
    expect(resolveLineMapping({ Name: 'Seats' }, deferring, { accountCode: '835' })).toMatchObject({
      accountCode: '835',
      revenueAccountCode: '200',
      posting: 'deferred',
      source: { accountCode: 'line' },
    });
    expect(resolveLineMapping({ Name: 'Seats' }, deferring, { accountCode: '260' })).toMatchObject({
      accountCode: '260',
      revenueAccountCode: '260',
      posting: 'revenue',
      source: { accountCode: 'line', revenueAccountCode: 'line' },
    });
  });

  it('refuses a deferred-revenue account that is not a liability, saying where it was set', () => {
    const wrong = entityLineDefaults(uk, { Deferred_Revenue_Account_Code__c: '260' });
    const check = checkLineMappings(
      [
        { label: 'Seats', mapping: resolveLineMapping({ Name: 'Seats' }, wrong) },
        {
          label: 'Training',
          mapping: resolveLineMapping({ Name: 'Training', Xero_Deferred_Account_Code__c: '200' }, wrong),
        },
      ],
      withDeferral,
      wrong,
    );
    expect(check.problems).toEqual([
      "account code 260 (Other Revenue) is OTHERINCOME in UK_Ltd's Xero organisation, not a liability: deferred revenue must be held in a liability account (Seats): set the entity's deferred revenue account code (Billing Entity UK_Ltd)",
      "account code 200 (Sales) is REVENUE in UK_Ltd's Xero organisation, not a liability: deferred revenue must be held in a liability account (Training): set the product's Xero deferred account code",
    ]);
    expect(
      checkLineMappings(
        [{ label: 'Seats', mapping: resolveLineMapping({ Name: 'Seats' }, deferring) }],
        withDeferral,
        deferring,
      ).problems,
    ).toEqual([]);
  });

  it('an invoice for a ratable line carries the deferred-revenue account to Xero, a setup fee its revenue account', () => {
    const invoice = acmeInvoice(
      [{ Name: 'Seats' }, { Name: 'Setup' }],
      [
        resolveLineMapping({ Name: 'Seats' }, deferring),
        resolveLineMapping({ Name: 'Setup', Revenue_Recognition__c: 'Point in Time' }, deferring),
      ],
    );
    expect(invoice.lineItems.map((l) => [l.accountCode, l.taxType])).toEqual([
      ['835', 'OUTPUT2'],
      ['200', 'OUTPUT2'],
    ]);
  });
});

describe('checkLineMappings: before anything is sent', () => {
  const line = (label: string, product: Parameters<typeof resolveLineMapping>[0]) => ({
    label,
    mapping: resolveLineMapping(product, defaults),
  });

  it('passes a valid invoice and links the item by Xero’s spelling of the code', () => {
    const check = checkLineMappings([line('Seats', { Xero_Item_Code__c: 'seats' })], reference, defaults);
    expect(check).toMatchObject({ problems: [], warnings: [], itemsToCreate: [] });
    expect(check.mappings[0]!.itemCode).toBe('SEATS');
  });

  it('lists every problem at once, grouped by cause, naming each product and where to fix it', () => {
    const check = checkLineMappings(
      [
        line('Seats', { Xero_Account_Code__c: '4000' }),
        line('Support', { Xero_Account_Code__c: '4000', Xero_Tax_Type__c: 'INPUT2' }),
        line('Setup', { Xero_Account_Code__c: '270', Xero_Tax_Type__c: 'OUTPUT' }),
        line('Hardware', { Xero_Account_Code__c: '090' }),
        line('Fees', {
          Xero_Account_Code__c: '610',
          Xero_Tracking_1_Category__c: 'Project',
          Xero_Tracking_1_Option__c: 'X',
        }),
        line('Legacy', { Xero_Tracking_1_Category__c: 'Region', Xero_Tracking_1_Option__c: 'Legacy' }),
        line('Odd', { Xero_Tracking_1_Category__c: 'Region' }),
        line('Three', { Xero_Tracking_1_Category__c: 'Cost Centre', Xero_Tracking_1_Option__c: 'A' }),
        line('Item', { Xero_Item_Code__c: 'NOT-THERE' }),
      ],
      reference,
      defaults,
    );
    expect(check.problems).toEqual([
      "account code 4000 is not in UK_Ltd's Xero organisation (Seats, Support): set the product's Xero account code",
      "tax type INPUT2 does not apply to sales in UK_Ltd's Xero organisation (Support): set the product's Xero tax type",
      "account code 270 is archived in UK_Ltd's Xero organisation (Setup): set the product's Xero account code",
      "tax type OUTPUT is not an active tax rate in UK_Ltd's Xero organisation (Setup): set the product's Xero tax type",
      "account code 090 (Business Bank) is a bank account in UK_Ltd's Xero organisation, not one sales can post to (Hardware): set the product's Xero account code",
      "account code 610 (Accounts Receivable) is a system account in UK_Ltd's Xero organisation, not one sales can post to (Fees): set the product's Xero account code",
      'a line can carry at most two tracking categories in Xero, this one has 3 (Fees, Three): clear a tracking category on the product or the entity',
      "tracking category Project is archived in UK_Ltd's Xero organisation (Fees): set the product's Xero tracking",
      "tracking option Legacy of Region is archived in UK_Ltd's Xero organisation (Legacy): set the product's Xero tracking",
      "tracking needs both a category and an option (Region: ?) (Odd): set the product's Xero tracking",
      "tracking category Cost Centre is not set up in UK_Ltd's Xero organisation (Three): set the product's Xero tracking",
      "item NOT-THERE is not in UK_Ltd's Xero organisation (Item): create it in Xero, or tick Create Items When Missing on Billing Entity UK_Ltd",
    ]);
  });

  it('blames the entity when the entity default is wrong', () => {
    const broken = { ...defaults, tracking: [{ name: 'Region', option: 'Mars' }] };
    const check = checkLineMappings([{ label: 'Seats', mapping: resolveLineMapping({}, broken) }], reference, broken);
    expect(check.problems).toEqual([
      "tracking option Mars of Region is not an option in UK_Ltd's Xero organisation (Seats): set the entity's tracking (Billing Entity UK_Ltd)",
    ]);
  });

  it('creates missing items when the entity says so, once per code', () => {
    const creating = { ...defaults, createItemsWhenMissing: true };
    const check = checkLineMappings(
      [
        {
          label: 'Training',
          itemName: 'Training day',
          mapping: resolveLineMapping({ Xero_Item_Code__c: 'TRN' }, creating),
        },
        { label: 'Training (2)', mapping: resolveLineMapping({ ProductCode: 'trn' }, creating) },
      ],
      reference,
      creating,
    );
    expect(check.problems).toEqual([]);
    expect(check.itemsToCreate).toEqual([
      { code: 'TRN', name: 'Training day', accountCode: '200', taxType: 'OUTPUT2' },
    ]);
    expect(check.mappings.map((m) => m.itemCode)).toEqual(['TRN', 'trn']);
  });

  it('leaves a ProductCode that is not an item off the line, with a warning', () => {
    const check = checkLineMappings([line('Widget', { ProductCode: 'WID-1' })], reference, defaults);
    expect(check.problems).toEqual([]);
    expect(check.mappings[0]!.itemCode).toBeUndefined();
    expect(check.mappings[0]!.source.itemCode).toBeUndefined();
    expect(check.warnings).toEqual([
      "Widget: product code WID-1 is not an item in UK_Ltd's Xero organisation; the line is sent without an item",
    ]);
  });

  it('refuses an item code longer than Xero allows', () => {
    const check = checkLineMappings([line('Long', { Xero_Item_Code__c: 'X'.repeat(31) })], reference, defaults);
    expect(check.problems).toEqual([
      `item code ${'X'.repeat(31)} is longer than Xero's 30 characters (Long): shorten the product's Xero Item Code`,
    ]);
  });

  it('assertLineMappings throws one DomainError with every problem', () => {
    expect.assertions(3);
    try {
      assertLineMappings(
        [line('Seats', { Xero_Account_Code__c: '4000', Xero_Tax_Type__c: 'NOPE' })],
        reference,
        defaults,
      );
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('INVALID_INVOICE');
      expect((error as DomainError).problems).toHaveLength(2);
    }
  });
});

describe('mapped lines on the Xero draft', () => {
  it('each line carries its own account code, tax type, tracking and item', () => {
    const seats = resolveLineMapping({ Xero_Item_Code__c: 'SEATS' }, defaults);
    const training: LineMapping = resolveLineMapping(
      {
        Xero_Account_Code__c: '260',
        Xero_Tax_Type__c: 'ZERORATEDOUTPUT',
        Xero_Tracking_1_Category__c: 'Region',
        Xero_Tracking_1_Option__c: 'EMEA',
      },
      defaults,
    );
    const invoice = acmeInvoice(
      [
        { Name: 'Seats', ProductCode: 'IGNORED' },
        { Name: 'Training', ProductCode: 'TRN' },
      ],
      [seats, training],
    );
    expect(
      invoice.lineItems.map(({ accountCode, taxType, itemCode, tracking, taxAmount }) => ({
        accountCode,
        taxType,
        itemCode,
        tracking,
        taxAmount,
      })),
    ).toEqual([
      {
        accountCode: '200',
        taxType: 'OUTPUT2',
        itemCode: 'SEATS',
        tracking: [
          { name: 'Region', option: 'UK' },
          { name: 'Department', option: 'Sales' },
        ],
        taxAmount: '200.00',
      },
      {
        accountCode: '260',
        taxType: 'ZERORATEDOUTPUT',
        itemCode: undefined,
        tracking: [
          { name: 'Region', option: 'EMEA' },
          { name: 'Department', option: 'Sales' },
        ],
        taxAmount: '0.00',
      },
    ]);
    expect(invoice).toMatchObject({ subTotal: '1500.00', totalTax: '200.00', total: '1700.00' });
  });

  it('refuses three tracking categories on one line', () => {
    expect(() =>
      mapDocument({
        type: 'ACCREC',
        entity: uk,
        contact: { contactId: 'c1' },
        currencyCode: 'GBP',
        date: '2027-01-15',
        reference: 'x',
        taxRates: reference.taxRates,
        lines: [
          {
            description: 'Seats',
            quantity: '1',
            unitPrice: '10',
            tracking: [
              { name: 'A', option: '1' },
              { name: 'B', option: '2' },
              { name: 'C', option: '3' },
            ],
          },
        ],
      }),
    ).toThrow('Cannot create the Xero invoice: line 1 (Seats): Xero allows at most two tracking categories per line');
  });
});
