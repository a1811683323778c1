/** Billing entities, an Opportunity and its products shared by the invoice-mapping and opportunity-invoice tests. */
import { parseBillingEntities } from '../billing-entity';
import { DomainError } from '../errors';
import type { OpportunityInvoiceInput } from '../opportunity-invoice';
import type { OpportunityLineItemRow, OpportunityRow } from '../records';

const {
  entities: [nzEntity, ukEntity],
} = parseBillingEntities([
  {
    developerName: 'NZ_Ltd',
    xeroTenantId: 'tenant-nz',
    baseCurrency: 'NZD',
    countries: 'NZ',
    currencies: 'NZD;USD',
    accountCode: '200',
    taxType: 'OUTPUT2',
    lineAmountType: 'Exclusive',
    paymentTermsDays: 20,
    brandingThemeId: 'theme-nz',
    isDefault: false,
    autoEmail: true,
  },
  {
    developerName: 'UK_Ltd',
    xeroTenantId: 'tenant-uk',
    baseCurrency: 'GBP',
    countries: 'GB',
    currencies: 'GBP;EUR',
    accountCode: '4000',
    taxType: 'OUTPUT2',
    lineAmountType: 'Exclusive',
    paymentTermsDays: 30,
    isDefault: true,
    autoEmail: false,
  },
]);
if (!nzEntity || !ukEntity) throw new Error('fixture entities missing');
export const nz = nzEntity;
export const uk = ukEntity;

export const opportunity: OpportunityRow = {
  Id: '006000000000001AAA',
  Name: 'Acme platform 2027',
  CloseDate: '2026-12-15',
  CurrencyIsoCode: 'NZD',
  Amount: 76.3,
  AccountId: '001000000000001AAA',
  Service_Start_Date__c: '2027-01-01',
  Service_End_Date__c: '2027-12-31',
  PO_Number__c: 'PO-4711',
};

export const item = (
  id: number,
  unitPrice: number,
  extra: Partial<OpportunityLineItemRow> = {},
): OpportunityLineItemRow => ({
  Id: `00k00000000000${id}AAA`,
  Quantity: 1,
  UnitPrice: unitPrice,
  TotalPrice: unitPrice,
  Product2: { Name: `Product ${id}`, ProductCode: `SKU-${id}` },
  ...extra,
});

export const input = (overrides: Partial<OpportunityInvoiceInput> = {}): OpportunityInvoiceInput => ({
  opportunity,
  lineItems: [item(1, 25.06), item(2, 25.61), item(3, 25.63)],
  account: { Id: '001000000000001', Name: 'Acme Ltd' },
  entity: nz,
  taxRates: [
    { taxType: 'OUTPUT2', effectiveRate: 15, status: 'ACTIVE' },
    { taxType: 'OLDRATE', effectiveRate: 12.5, status: 'DELETED' },
  ],
  corporateCurrency: 'USD',
  today: '2026-12-20',
  ...overrides,
});

export const problemsOf = (run: () => unknown): readonly string[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.problems;
    throw error;
  }
  throw new Error('expected a DomainError');
};
