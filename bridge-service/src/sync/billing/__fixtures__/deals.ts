/** Typed builders for the billing-plan tests: a deal's Opportunity as the planning query returns it, and the deal. */
import { parseBillingEntities, type BillingEntity } from '../../../domain/billing-entity';
import { planDeal, planLineItemSchema, planOpportunitySchema, type RaisedRecord } from '../../../domain/deal-plan';
import { salesforceNames } from '../../../salesforce/schema';
import {
  opportunityForPlanning,
  type InstalmentRecord,
  type OpportunityForPlanning,
  type PlanRecord,
} from '../../../salesforce/selections';
import type { LoadedDeal } from '../deals';
import type { PlannedDeal } from '../plan-writer';

export const DEAL = '006000000000501AAA';
/** The amendment of `downgradedDeal`. */
export const DOWNGRADE = '006000000000521AAA';
export const ACCOUNT = '001000000000501AAA';
export const TENANT = '11111111-1111-4111-8111-111111111111';

export const UK: BillingEntity = parseBillingEntities([
  {
    developerName: 'UK_Ltd',
    xeroTenantId: TENANT,
    baseCurrency: 'GBP',
    countries: 'GB',
    currencies: 'GBP',
    accountCode: '200',
    taxType: 'OUTPUT2',
    paymentTermsDays: 30,
    isDefault: true,
    timeZone: 'Europe/London',
  },
]).entities[0]!;

const nulls = (fields: string[]) => Object.fromEntries(fields.map((f) => [f, null]));

/** 12,000.00 a year from 1 Jan 2026, billed quarterly in advance, as SOQL returns it. */
export function quarterlyDeal(overrides: Record<string, unknown> = {}): OpportunityForPlanning {
  return opportunityForPlanning(true).parse(salesforceNames(''), {
    ...nulls([
      'Billing_Entity__c',
      'Amended_Opportunity__c',
      'Invoice_Type__c',
      'Renewal_Uplift_Percent__c',
      'PO_Number__c',
      'Billing_Timing__c',
      'Billing_Alignment__c',
      'First_Invoice_Date__c',
      'Renewal_Index_Name__c',
      'Renewal_Index_Percent__c',
      'Renewal_Index_Date__c',
      'Renewal_Index_Margin_Percent__c',
    ]),
    Id: DEAL,
    Name: 'Globex 2026',
    AccountId: ACCOUNT,
    CloseDate: '2025-12-20',
    Amount: 12000,
    CurrencyIsoCode: 'GBP',
    IsWon: true,
    Service_Start_Date__c: '2026-01-01',
    Service_End_Date__c: '2026-12-31',
    Billing_Frequency__c: 'Quarterly',
    Account: {
      Id: ACCOUNT,
      Name: 'Globex Ltd',
      BillingCountry: 'GB',
      ...nulls([
        'BillingStreet',
        'BillingCity',
        'BillingState',
        'BillingPostalCode',
        'Billing_Entity__c',
        'Billing_Email__c',
        'AccountNumber',
        'Tax_Number__c',
      ]),
    },
    OpportunityLineItems: {
      records: [
        {
          Id: '00k000000000501AAA',
          Description: null,
          Quantity: 100,
          UnitPrice: 120,
          Discount: null,
          TotalPrice: 12000,
          ServiceDate: null,
          Product2: {
            Name: 'Seats',
            ProductCode: 'SEAT',
            ...nulls([
              'Billing_Frequency__c',
              'Billing_Timing__c',
              'Revenue_Recognition__c',
              'Standalone_Selling_Price__c',
              'Xero_Account_Code__c',
              'Xero_Tax_Type__c',
              'Xero_Item_Code__c',
              'Xero_Tracking_1_Category__c',
              'Xero_Tracking_1_Option__c',
              'Xero_Tracking_2_Category__c',
              'Xero_Tracking_2_Option__c',
            ]),
          },
        },
      ],
    },
    ...overrides,
  });
}

export function instalmentRecord(
  overrides: Partial<InstalmentRecord> & Pick<InstalmentRecord, 'Id'>,
): InstalmentRecord {
  return {
    ...(nulls([
      'Instalment_Key__c',
      'Plan_Version__c',
      'Sequence__c',
      'Issue_Date__c',
      'Service_Start_Date__c',
      'Service_End_Date__c',
      'Amount__c',
      'Currency_Code__c',
      'Document_Type__c',
      'Status__c',
      'Status_Message__c',
      'Lines__c',
      'Invoice__c',
      'Credit_Note__c',
      'Raised_At__c',
    ]) as Omit<InstalmentRecord, 'Id'>),
    ...overrides,
  };
}

/** The deal loaded, with an existing plan record holding these instalments and months. */
export function loadedDeal(
  plan: { instalments?: InstalmentRecord[]; months?: { Id: string; Month_Key__c: string; Status__c: string }[] } = {},
  today = '2026-02-10',
): PlannedDeal {
  const row = quarterlyDeal();
  const record: PlanRecord | undefined =
    plan.instalments || plan.months
      ? {
          Id: 'a0P000000000501AAA',
          Plan_Key__c: DEAL,
          Version__c: null,
          Status__c: 'Active',
          Instalments__r: { records: plan.instalments ?? [] },
          Revenue_Months__r: { records: plan.months ?? [] },
        }
      : undefined;
  const root = {
    opportunity: planOpportunitySchema.parse(row),
    lineItems: (row.OpportunityLineItems?.records ?? []).map((item) => planLineItemSchema.parse(item)),
  };
  const loaded: LoadedDeal = {
    dealId: DEAL,
    row,
    entity: UK,
    input: {
      root,
      entity: { developerName: 'UK_Ltd' },
      corporateCurrency: 'GBP',
      ...(plan.months?.some((m) => m.Status__c === 'Closed')
        ? {
            closedThrough: plan.months
              .filter((m) => m.Status__c === 'Closed')
              .map((m) => m.Month_Key__c.slice(-7))
              .sort()
              .at(-1)!,
          }
        : {}),
    },
    plan: record,
    instalments: new Map((plan.instalments ?? []).map((i) => [i.Instalment_Key__c ?? '', i])),
    recovered: new Map(),
  };
  return { loaded, plan: planDeal({ ...loaded.input, today }), timeZone: 'Europe/London' };
}

/**
 * The quarterly deal planned on `today` with its Q1 and Q2 invoices raised in these states, and an amendment won that
 * cuts its 100 seats to 70 from 5 April: its plan credits 864.46 of Q2.
 */
export function downgradedDeal(
  states: readonly [RaisedRecord['state'], RaisedRecord['state']],
  today = '2026-04-10',
): PlannedDeal {
  const base = loadedDeal({}, today);
  const raised: RaisedRecord[] = base.plan.plan.instalments.slice(0, 2).map((i, k) => ({
    key: i.key,
    issueDate: i.issueDate,
    lines: i.lines.map((l) => ({ ...l, amount: l.amount.toFixed(2) })),
    kind: 'invoice',
    documentId: `a0I00000000070${k}AAA`,
    state: states[k]!,
    documentDate: i.issueDate,
  }));
  const fewer = quarterlyDeal({
    Id: DOWNGRADE,
    Name: 'Globex 70 seats',
    CloseDate: '2026-04-05',
    Service_Start_Date__c: '2026-04-05',
    Service_End_Date__c: null,
    Amended_Opportunity__c: DEAL,
    Invoice_Type__c: 'Amendment',
    Amount: 8400,
    OpportunityLineItems: {
      records: quarterlyDeal().OpportunityLineItems!.records.map((l) => ({ ...l, Quantity: 70, TotalPrice: 8400 })),
    },
  });
  const amendment = {
    opportunity: planOpportunitySchema.parse(fewer),
    lineItems: fewer.OpportunityLineItems!.records.map((item) => planLineItemSchema.parse(item)),
  };
  const input = { ...base.loaded.input, amendments: [amendment], raised };
  return { ...base, loaded: { ...base.loaded, input }, plan: planDeal({ ...input, today }) };
}
