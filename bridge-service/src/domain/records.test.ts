import { accountRowSchema, opportunityCurrency, opportunityLineItemRowSchema, opportunityRowSchema } from './records';

describe('records', () => {
  it('accepts SOQL rows with nulls for empty fields and JSON numbers for amounts', () => {
    const row = opportunityRowSchema.parse({
      Id: '006000000000001AAA',
      Name: 'Acme 2027',
      CloseDate: '2026-12-15',
      CurrencyIsoCode: null,
      Amount: 1200.5,
      AccountId: '001000000000001AAA',
      Billing_Entity__c: null,
      Renewal_Uplift_Percent__c: '5',
    });
    expect(opportunityCurrency(row, 'gbp')).toBe('GBP');
    expect(opportunityCurrency({ CurrencyIsoCode: 'EUR' }, 'GBP')).toBe('EUR');
    expect(
      opportunityLineItemRowSchema.parse({ Id: '00k000000000001AAA', Quantity: 2, UnitPrice: 99.99, Product2: null })
        .Product2,
    ).toBeNull();
    expect(
      accountRowSchema.parse({ Id: '001000000000001AAA', Name: 'Acme', BillingCountryCode: 'GB' }).BillingCountryCode,
    ).toBe('GB');
  });

  it('says which field is wrong', () => {
    const result = opportunityRowSchema.safeParse({
      Id: '006000000000001AAA',
      Name: 'Acme',
      CloseDate: '15/12/2026',
      AccountId: '001000000000001AAA',
      Amount: 'lots',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual(
      expect.arrayContaining(['CloseDate: must be an ISO date (YYYY-MM-DD)']),
    );
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain('Amount');
  });
});
