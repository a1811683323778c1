import { replayDeal, billingEntriesOf, dealPlanInput } from './contract-history';
import {
  dealFromRecords,
  dealServicePeriod,
  modificationFromRecords,
  ratableContractLines,
  renewalDealFromRecords,
  termMonthsOf,
  type LineItemRecord,
} from './deal-records';
import { buildBillingPlan } from './billing-plan';
import { subscriptionMrr, subscriptionOf } from './kpi-mrr';

const entity = { developerName: 'UK_Ltd', Revenue_Convention__c: 'Daily' as const };
const seatProduct = { Name: 'Seats', ProductCode: 'SEAT', Standalone_Selling_Price__c: 360 };
const setupProduct = {
  Name: 'Setup',
  ProductCode: 'SETUP',
  Revenue_Recognition__c: 'Point in Time' as const,
  Billing_Frequency__c: 'Upfront' as const,
};
const opportunity = {
  Id: '006000000000001AAA',
  CloseDate: '2025-12-15',
  CurrencyIsoCode: null,
  Service_Start_Date__c: '2026-01-01',
  Service_End_Date__c: '2026-12-31',
  Billing_Frequency__c: 'Quarterly' as const,
};
const seats = (id: string, quantity: number): LineItemRecord => ({
  Id: id,
  Quantity: quantity,
  UnitPrice: 360,
  TotalPrice: null,
  Product2: seatProduct,
});

describe('deals from Salesforce records', () => {
  it('reads prices, recognition, SSP, a product that pins its billing, and product schedules', () => {
    const deal = dealFromRecords({
      opportunity,
      entity,
      corporateCurrency: 'gbp',
      lineItems: [
        { ...seats('00k000000000001AAA', 10), Discount: 10 },
        {
          Id: '00k000000000002AAA',
          Quantity: 1,
          UnitPrice: 500,
          TotalPrice: 500,
          ServiceDate: '2026-02-10',
          Product2: setupProduct,
        },
      ],
      schedules: [
        {
          Id: '00o000000000001AAA',
          OpportunityLineItemId: '00k000000000001AAA',
          ScheduleDate: '2026-01-01',
          Type: 'Revenue',
          Revenue: 3240,
        },
      ],
    });
    expect(deal).toMatchObject({ dealId: '006000000000001AAA', currency: 'GBP', terms: { frequency: 'quarterly' } });
    expect(deal.lines).toEqual([
      {
        lineKey: '00k000000000001AAA',
        productKey: 'SEAT',
        description: 'Seats',
        quantity: '10',
        amount: '3240.00', // 10 × 360 less 10 %
        service: { start: '2026-01-01', end: '2026-12-31' },
        method: 'daily',
        itemCode: 'SEAT',
        ssp: { amount: '360', currency: 'gbp' },
        productSchedule: [{ date: '2026-01-01', type: 'Revenue', revenue: '3240', quantity: null }],
      },
      {
        lineKey: '00k000000000002AAA',
        productKey: 'SETUP',
        description: 'Setup',
        quantity: '1',
        amount: '500.00',
        service: { start: '2026-01-01', end: '2026-12-31' },
        method: 'point-in-time',
        deliveryDate: '2026-02-10',
        itemCode: 'SETUP',
        billingTerms: { frequency: 'upfront', timing: 'advance', alignment: 'anniversary' },
      },
    ]);
    // The plan bills the scheduled line on its schedule and the setup upfront.
    const plan = buildBillingPlan(dealPlanInput(deal, replayDeal({ deal, modifications: [] }).contracts));
    expect(plan.instalments.map((i) => `${i.issueDate} ${i.amount.toFixed(2)}`)).toEqual(['2026-01-01 3740.00']);
  });

  it('defaults the service period to CloseDate and 12 months, and prices amendments per whole months only', () => {
    expect(dealServicePeriod({ Id: 'x', CloseDate: '2026-03-15' })).toEqual({ start: '2026-03-15', end: '2027-03-14' });
    expect(termMonthsOf({ start: '2025-01-01', end: '2027-12-31' })).toBe(36);
    expect(() => termMonthsOf({ start: '2026-01-01', end: '2026-12-30' })).toThrow(/not a whole number of months/);
  });

  it('reads an amending Opportunity: ratable lines priced against the previous subscription, new one-off items added', () => {
    const original = [seats('00k000000000001AAA', 10)];
    const deal = dealFromRecords({ opportunity, entity, corporateCurrency: 'GBP', lineItems: original });
    const contract = replayDeal({ deal, modifications: [] }).contracts[0]!;
    const mod = modificationFromRecords({
      deal,
      contract,
      entity,
      corporateCurrency: 'GBP',
      previousLineItems: original,
      amending: {
        opportunity: {
          ...opportunity,
          Id: '006000000000002AAA',
          Service_Start_Date__c: '2026-07-01',
          First_Invoice_Date__c: '2026-07-15',
        },
        lineItems: [
          seats('00k000000000011AAA', 15),
          { Id: '00k000000000012AAA', Quantity: 1, UnitPrice: 250, TotalPrice: 250, Product2: setupProduct },
        ],
      },
    });
    // +5 seats × 360 × 184/365 = 907.40 on the seats line; a new setup of 250.00 delivered on the effective date.
    expect(mod).toEqual({
      key: '006000000000002AAA',
      effectiveDate: '2026-07-01',
      billFrom: '2026-07-15',
      changes: [
        { lineKey: '00k000000000001AAA', quantityDelta: '5', amountDelta: '907.40' },
        {
          lineKey: '00k000000000012AAA',
          productKey: 'SETUP',
          description: 'Setup',
          method: 'point-in-time',
          itemCode: 'SETUP',
          deliveryDate: '2026-07-01',
          quantityDelta: '1',
          amountDelta: '250.00',
        },
      ],
    });
    const replayed = replayDeal({ deal, modifications: [mod] });
    expect(replayed.steps[0]?.treatment).toBe('prospective'); // a one-off without SSP cannot be shown to be at SSP
    const plan = buildBillingPlan(dealPlanInput(deal, replayed.contracts));
    // Quarterly: the +907.40 falls on Q3 and Q4 (453.70 each); Q3 fell due on 1 Jul, before billing of the change
    // starts, so it goes on 15 Jul with the setup; Q4 carries its part on 1 Oct.
    expect(plan.instalments.map((i) => `${i.issueDate} ${i.amount.toFixed(2)}`)).toEqual([
      '2026-01-01 900.00',
      '2026-04-01 900.00',
      '2026-07-01 900.00',
      '2026-07-15 703.70',
      '2026-10-01 1353.70',
    ]);
    expect(billingEntriesOf(plan.instalments).every((e) => e.kind === 'invoice')).toBe(true);
  });

  it('renews a deal as a new plan at the uplift its rule gives: the greater of 5 % and CPI 3.2 % + 2 %', () => {
    const original = [
      seats('00k000000000001AAA', 10),
      { Id: '00k000000000002AAA', Quantity: 1, UnitPrice: 500, TotalPrice: 500, Product2: setupProduct },
    ];
    const deal = dealFromRecords({ opportunity, entity, corporateCurrency: 'GBP', lineItems: original });
    const renewal = renewalDealFromRecords({
      original: deal,
      originalLineItems: original,
      entity,
      corporateCurrency: 'GBP',
      renewal: {
        Id: '006000000000009AAA',
        CloseDate: '2026-11-20',
        Billing_Frequency__c: 'Monthly',
        Renewal_Uplift_Percent__c: 5,
        Renewal_Index_Name__c: 'UK CPI',
        Renewal_Index_Percent__c: 3.2,
        Renewal_Index_Date__c: '2026-10-15',
        Renewal_Index_Margin_Percent__c: 2,
      },
    });
    // Seats only (the setup was a one-off): 360.00 × 1.052 = 378.72 a seat, 10 seats = 3,787.20 for 2027.
    expect(renewal).toMatchObject({
      dealId: '006000000000009AAA',
      service: { start: '2027-01-01', end: '2027-12-31' },
      terms: { frequency: 'monthly' },
      lines: [
        {
          lineKey: '006000000000009AAA:00k000000000001AAA',
          productKey: 'SEAT',
          description: 'Seats (renewal, 5.2% uplift)',
          amount: '3787.20',
          method: 'daily',
        },
      ],
    });
    const plan = buildBillingPlan(dealPlanInput(renewal, replayDeal({ deal: renewal, modifications: [] }).contracts));
    expect(plan.instalments.map((i) => i.amount.toFixed(2))).toEqual(Array(12).fill('315.60'));
  });
  describe('a line priced by its Total Price (300 seats for 10,000.00: Sales Price 33.33, 300 × 33.33 = 9,999.00)', () => {
    const priced = (id: string, quantity: number, total: number): LineItemRecord => ({
      Id: id,
      Quantity: quantity,
      UnitPrice: 33.33,
      TotalPrice: total,
      Product2: seatProduct,
    });
    const original = [priced('00k000000000001AAA', 300, 10000)];
    const deal = dealFromRecords({ opportunity, entity, corporateCurrency: 'GBP', lineItems: original });
    const contract = replayDeal({ deal, modifications: [] }).contracts[0]!;
    const amending = (lineItems: LineItemRecord[]) =>
      modificationFromRecords({
        deal,
        contract,
        entity,
        corporateCurrency: 'GBP',
        previousLineItems: original,
        amending: { opportunity: { ...opportunity, Id: '006000000000002AAA' }, lineItems },
      });

    it('prices an amendment from the TotalPrice: all seats removed is 10,000.00, 100 of 300 is 3,333.33', () => {
      expect(amending([]).changes).toEqual([
        { lineKey: '00k000000000001AAA', quantityDelta: '-300', amountDelta: '-10000.00' },
      ]);
      // The rep lowers the quantity: Salesforce keeps the Sales Price, 200 × 33.33 = 6,666.00.
      const fewer = amending([priced('00k000000000011AAA', 200, 6666)]);
      expect(fewer.changes).toEqual([
        { lineKey: '00k000000000001AAA', quantityDelta: '-100', amountDelta: '-3333.33' },
      ]);
      // The contract keeps 6,666.67 of its 10,000.00, and the plan bills exactly that.
      const after = replayDeal({ deal, modifications: [fewer] }).contracts[0]!;
      const plan = buildBillingPlan(dealPlanInput(deal, [after]));
      expect(plan.contractValue.toFixed(2)).toBe('6666.67');
    });

    it('counts its MRR from the TotalPrice: 10,000.00 ÷ 12 = 833.33 (not 9,999.00 ÷ 12)', () => {
      const subscription = subscriptionOf({
        contractKey: deal.dealId,
        customerId: '001000000000001AAA',
        entity: 'UK_Ltd',
        currency: 'GBP',
        contract: { startDate: '2026-01-01', endDate: '2026-12-31', lines: ratableContractLines(original, entity) },
      });
      expect(subscriptionMrr(subscription, '2026-01-31').toFixed(2)).toBe('833.33');
    });

    it('renews from the TotalPrice: 10,000.00 at 3 % is 10,300.00 (not 300 × 34.33 = 10,299.00)', () => {
      const renewal = renewalDealFromRecords({
        original: deal,
        originalLineItems: original,
        entity,
        corporateCurrency: 'GBP',
        renewal: { Id: '006000000000009AAA', CloseDate: '2026-11-20', Renewal_Uplift_Percent__c: 3 },
      });
      expect(renewal.lines.map((l) => [l.quantity, l.amount])).toEqual([['300', '10300.00']]);
    });
  });
});
