import { mapAmendingOpportunity, mapOpportunityToInvoice } from './opportunity-invoice';
import type { OpportunityRow } from './records';
import { input, item, opportunity, uk } from './__fixtures__/opportunities';

describe('opportunity-invoice: amending and renewing Opportunities', () => {
  const seatItem = (quantity: number) =>
    item(1, 600, { Quantity: quantity, TotalPrice: null, Product2: { Name: 'Platform seats', ProductCode: 'SEAT' } });
  const original = {
    opportunity: {
      ...opportunity,
      Id: '006000000000009AAA',
      CurrencyIsoCode: 'GBP',
      Service_Start_Date__c: '2026-01-01',
      Service_End_Date__c: '2026-12-31',
    },
    lineItems: [seatItem(25)],
  };
  const amending = (quantity: number, extra: Partial<OpportunityRow> = {}) =>
    input({
      entity: uk,
      taxRates: [{ taxType: 'OUTPUT2', effectiveRate: 20 }],
      opportunity: {
        ...opportunity,
        Name: 'Acme seats change',
        CurrencyIsoCode: 'GBP',
        CloseDate: '2026-06-28',
        Service_Start_Date__c: '2026-07-01',
        Service_End_Date__c: null,
        Amended_Opportunity__c: '006000000000009AAA',
        Invoice_Type__c: 'Amendment',
        PO_Number__c: null,
        ...extra,
      },
      lineItems: [seatItem(quantity)],
    });

  it('refuses to bill an amending Opportunity in full', () => {
    expect(() => mapOpportunityToInvoice(amending(35))).toThrow(
      'Acme seats change amends or renews opportunity 006000000000009AAA: bill it as an amendment or renewal',
    );
  });

  it('invoices a mid-term upsell for the prorated difference to the cent (3,024.66 + 604.93 VAT = 3,629.59)', () => {
    const invoice = mapAmendingOpportunity({ ...amending(35), original });
    expect(invoice).toMatchObject({
      type: 'ACCREC',
      invoiceType: 'Amendment',
      servicePeriod: { start: '2026-07-01', end: '2026-12-31' },
      date: '2026-06-28',
      dueDate: '2026-07-28',
      reference: 'Acme seats change',
      subTotal: '3024.66',
      totalTax: '604.93',
      total: '3629.59',
    });
  });

  it('sends a downgrade as a DRAFT credit note (756.16 + 151.23 VAT = 907.39) for the approval gate', () => {
    const credit = mapAmendingOpportunity({ ...amending(20, { Service_Start_Date__c: '2026-10-01' }), original });
    expect(credit).toMatchObject({
      type: 'ACCRECCREDIT',
      status: 'DRAFT',
      subTotal: '756.16',
      totalTax: '151.23',
      total: '907.39',
    });
    expect(credit?.dueDate).toBeUndefined();
  });

  it('has nothing to bill when the amendment changes nothing', () => {
    expect(mapAmendingOpportunity({ ...amending(25), original })).toBeNull();
  });

  it('invoices a renewal for the next term with the uplift (25 × 630.00 = 15,750.00 + 3,150.00 VAT)', () => {
    const renewal = mapAmendingOpportunity({
      ...amending(25, { Invoice_Type__c: 'Renewal', Renewal_Uplift_Percent__c: 5, CloseDate: '2026-12-10' }),
      original,
    });
    expect(renewal).toMatchObject({
      type: 'ACCREC',
      invoiceType: 'Renewal',
      servicePeriod: { start: '2027-01-01', end: '2027-12-31' },
      subTotal: '15750.00',
      total: '18900.00',
    });
    expect(renewal?.lineItems[0]).toMatchObject({ quantity: '25', unitAmount: '630.00', itemCode: 'SEAT' });
  });

  it('refuses an amendment or renewal in another currency than the contract it prices from', () => {
    const inNzd = { ...original, opportunity: { ...original.opportunity, CurrencyIsoCode: 'NZD' } };
    expect(() => mapAmendingOpportunity({ ...amending(35), original: inNzd })).toThrow(
      'Acme seats change is in GBP, the contract it amends is in NZD: amend it in NZD',
    );
    expect(() =>
      mapAmendingOpportunity({
        ...amending(25, { Invoice_Type__c: 'Renewal', Renewal_Uplift_Percent__c: 5 }),
        original: inNzd,
      }),
    ).toThrow('Acme seats change is in GBP, the contract it renews is in NZD: renew in NZD');
  });
});
