import { mapOpportunityToInvoice } from './opportunity-invoice';
import { input, item, opportunity, uk } from './__fixtures__/opportunities';

describe('opportunity-invoice: amending and renewing Opportunities', () => {
  it('refuses to bill an amending or renewing Opportunity in full (its deal plan bills it)', () => {
    const seats = item(1, 600, {
      Quantity: 35,
      TotalPrice: null,
      Product2: { Name: 'Platform seats', ProductCode: 'SEAT' },
    });
    const amending = (Invoice_Type__c: string) =>
      input({
        entity: uk,
        taxRates: [{ taxType: 'OUTPUT2', effectiveRate: 20 }],
        opportunity: {
          ...opportunity,
          Name: 'Acme seats change',
          Amended_Opportunity__c: '006000000000009AAA',
          Invoice_Type__c,
        },
        lineItems: [seats],
      });
    for (const type of ['Amendment', 'Renewal']) {
      expect(() => mapOpportunityToInvoice(amending(type))).toThrow(
        "Acme seats change amends or renews opportunity 006000000000009AAA: it is billed by its deal's plan, not in full",
      );
    }
  });
});
