/**
 * review-12 F2, kept: a line priced by its Total Price (Salesforce derives and rounds the Sales Price) is billed at
 * that total, as Opportunity.Amount, the billing plan and the revenue schedule carry it, not at Quantity × the
 * rounded Sales Price.
 */
import { mapOpportunityToInvoice } from '../../domain/opportunity-invoice';
import { SALES, connect, startTestEmulator } from '../../../sandbox/salesforce/test-helpers';
import type { SalesforceEmulator } from '../../../sandbox/salesforce/server';
import { account, opportunity, UK_LTD } from './__fixtures__/drafts';

let em: SalesforceEmulator;
beforeAll(async () => {
  em = await startTestEmulator();
});
afterAll(() => em.close());

it('bills 300 seats priced at a Total Price of 10,000.00 for 10,000.00, as Salesforce shows the deal', async () => {
  const sf = connect(em);
  const [pbe] = (await sf.query("SELECT Id FROM PricebookEntry WHERE CurrencyIsoCode = 'GBP' LIMIT 1")).records as {
    Id: string;
  }[];
  const [opp] = (await sf.query("SELECT Id FROM Opportunity WHERE Name = 'Acme - Platform 2026'")).records as {
    Id: string;
  }[];
  // the rep adds the line (the bridge's user only reads opportunity products)
  const made = (await connect(em, SALES).sobject('OpportunityLineItem').create({
    OpportunityId: opp!.Id,
    PricebookEntryId: pbe!.Id,
    Quantity: 300,
    TotalPrice: 10000,
  })) as { id: string };
  const row = (
    await sf.query(
      `SELECT Id, Quantity, UnitPrice, TotalPrice, Discount FROM OpportunityLineItem WHERE Id = '${made.id}'`,
    )
  ).records[0] as { Id: string; Quantity: number; UnitPrice: number; TotalPrice: number };
  // Salesforce keeps the Sales Price to 2 dp: 10,000.00 ÷ 300 = 33.33, and 300 × 33.33 is 9,999.00.
  expect(row).toMatchObject({ Quantity: 300, UnitPrice: 33.33, TotalPrice: 10000 });

  const doc = mapOpportunityToInvoice({
    opportunity: opportunity(1, { Amount: row.TotalPrice }),
    lineItems: [
      {
        Id: row.Id,
        Description: 'Platform',
        Quantity: row.Quantity,
        UnitPrice: row.UnitPrice,
        TotalPrice: row.TotalPrice,
      },
    ],
    account: account(1),
    entity: UK_LTD,
    contactId: 'c-1',
    taxRates: [{ taxType: 'OUTPUT2', effectiveRate: 20 }],
    corporateCurrency: 'GBP',
    today: '2026-03-01',
  });
  expect([doc.subTotal, doc.totalTax, doc.total]).toEqual(['10000.00', '2000.00', '12000.00']);
  expect(doc.lineItems[0]).toMatchObject({
    description: 'Platform\n(300 × 33.33, total price 10000.00)',
    quantity: '1',
    unitAmount: '10000.00',
  });
  expect(doc.warnings).toEqual([expect.stringContaining('its Total Price 10000.00 is not 300 × 33.33 (9999.00)')]);
});
