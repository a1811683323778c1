import {
  deliveryDateOf,
  entityBillingRowSchema,
  lineItemScheduleRowSchema,
  opportunityBillingRowSchema,
  productBillingRowSchema,
  productScheduleOf,
  recognitionMethodFor,
  resolveBillingTerms,
  upliftRuleOf,
} from './revenue-records';

describe('revenue records', () => {
  describe('billing terms, field by field: line → product → opportunity → entity → package', () => {
    it('takes the package default (one invoice upfront, in advance, on the anniversary) when nothing is set', () => {
      expect(resolveBillingTerms({})).toEqual({
        terms: { frequency: 'upfront', timing: 'advance', alignment: 'anniversary' },
        source: { frequency: 'package', timing: 'package', alignment: 'package' },
      });
    });

    it('lets the entity default what the rep leaves blank, and the rep override the entity', () => {
      const entity = entityBillingRowSchema.parse({
        Default_Billing_Frequency__c: 'Annual',
        Default_Billing_Timing__c: 'In Arrears',
        Default_Billing_Alignment__c: 'Calendar',
      });
      const opportunity = opportunityBillingRowSchema.parse({
        Billing_Frequency__c: 'Quarterly',
        Billing_Timing__c: null,
      });
      expect(resolveBillingTerms({ opportunity, entity })).toEqual({
        terms: { frequency: 'quarterly', timing: 'arrears', alignment: 'calendar' },
        source: { frequency: 'opportunity', timing: 'entity', alignment: 'entity' },
      });
    });

    it('lets a product that always bills one way win over the deal, and the line over the product', () => {
      const product = productBillingRowSchema.parse({ Billing_Frequency__c: 'Upfront' });
      const opportunity = opportunityBillingRowSchema.parse({
        Billing_Frequency__c: 'Monthly',
        Billing_Alignment__c: 'Calendar',
      });
      expect(resolveBillingTerms({ product, opportunity }).source).toEqual({
        frequency: 'product',
        timing: 'package',
        alignment: 'opportunity',
      });
      expect(resolveBillingTerms({ line: { frequency: 'annual' }, product, opportunity }).terms.frequency).toBe(
        'annual',
      );
    });

    it('refuses a picklist value the package does not define', () => {
      expect(() => opportunityBillingRowSchema.parse({ Billing_Frequency__c: 'Weekly' })).toThrow();
    });
  });

  it('recognises ratably by the entity convention unless the product is point in time', () => {
    expect(recognitionMethodFor(null, null)).toBe('daily');
    expect(recognitionMethodFor({ Revenue_Recognition__c: 'Ratable' }, { Revenue_Convention__c: 'Monthly' })).toBe(
      'monthly',
    );
    expect(
      recognitionMethodFor({ Revenue_Recognition__c: 'Point in Time' }, { Revenue_Convention__c: 'Monthly' }),
    ).toBe('point-in-time');
    expect(deliveryDateOf(null, '2026-01-01')).toBe('2026-01-01');
    expect(deliveryDateOf('2026-02-15', '2026-01-01')).toBe('2026-02-15');
  });

  it('reads OpportunityLineItemSchedule rows as SOQL returns them', () => {
    const rows = [
      {
        Id: '00o000000000001AAA',
        OpportunityLineItemId: '00k000000000001AAA',
        ScheduleDate: '2026-01-01',
        Type: 'Revenue',
        Revenue: 1200.5,
        Quantity: null,
      },
      {
        Id: '00o000000000002AAA',
        OpportunityLineItemId: '00k000000000001AAA',
        ScheduleDate: '2026-04-01',
        Type: 'Both',
        Revenue: 100,
        Quantity: 2,
      },
    ].map((row) => lineItemScheduleRowSchema.parse(row));
    expect(productScheduleOf(rows)).toEqual([
      { date: '2026-01-01', type: 'Revenue', revenue: '1200.5', quantity: null },
      { date: '2026-04-01', type: 'Both', revenue: '100', quantity: '2' },
    ]);
    expect(() => lineItemScheduleRowSchema.parse({ ...rows[0], Type: 'Weekly' })).toThrow();
  });

  it('reads the renewal rule from the renewing Opportunity', () => {
    expect(upliftRuleOf(opportunityBillingRowSchema.parse({ Renewal_Uplift_Percent__c: 5 }))).toEqual({ percent: '5' });
    expect(
      upliftRuleOf(
        opportunityBillingRowSchema.parse({
          Renewal_Uplift_Percent__c: 5,
          Renewal_Index_Name__c: 'UK CPI',
          Renewal_Index_Percent__c: 3.2,
          Renewal_Index_Date__c: '2026-10-15',
          Renewal_Index_Margin_Percent__c: 2,
        }),
      ),
    ).toEqual({
      percent: '5',
      index: { name: 'UK CPI', percent: '3.2', publishedOn: '2026-10-15' },
      indexMarginPercent: '2',
    });
    expect(() => upliftRuleOf({ Renewal_Index_Percent__c: 3 })).toThrow(
      'The renewal index needs the date it was published (Renewal Index Date)',
    );
  });
});
