import { salesforceNames } from '../../salesforce/schema';
import { opportunityForInvoicing, type OpportunityForInvoicing } from '../../salesforce/selections';
import { job, sfId, UK_LTD, US_INC } from './__fixtures__/drafts';
import { routeDrafts, type RouteDeps } from './route';

/** An Opportunity as the invoicing query returns it (no namespace), checked by its selection. */
function row(n: number, overrides: Record<string, unknown> = {}, account: Record<string, unknown> = {}) {
  return opportunityForInvoicing(true).parse(salesforceNames(''), {
    attributes: { type: 'Opportunity' },
    Id: sfId('006', n),
    Name: `Deal ${n}`,
    AccountId: sfId('001', n),
    CloseDate: '2026-03-01',
    Amount: 1000,
    CurrencyIsoCode: 'GBP',
    Billing_Entity__c: null,
    Amended_Opportunity__c: null,
    Invoice_Type__c: null,
    Service_Start_Date__c: null,
    Service_End_Date__c: null,
    Renewal_Uplift_Percent__c: null,
    PO_Number__c: null,
    Account: {
      attributes: { type: 'Account' },
      Id: sfId('001', n),
      Name: `Customer ${n}`,
      BillingStreet: null,
      BillingCity: null,
      BillingState: null,
      BillingPostalCode: null,
      BillingCountry: 'GB',
      Billing_Entity__c: null,
      Billing_Email__c: null,
      AccountNumber: null,
      Tax_Number__c: null,
      ...account,
    },
    OpportunityLineItems: {
      totalSize: 1,
      done: true,
      records: [
        {
          Id: sfId('00k', n),
          Description: 'Seats',
          Quantity: 10,
          UnitPrice: 100,
          Discount: null,
          TotalPrice: 1000,
          ServiceDate: null,
          Product2: null,
        },
      ],
    },
    ...overrides,
  });
}

function deps(originals: OpportunityForInvoicing[] = []) {
  const queries = { opportunitiesForInvoicing: jest.fn(async () => originals) };
  const routeDeps: RouteDeps = {
    queries,
    reference: { billingEntities: async () => [UK_LTD, US_INC] },
    corporateCurrency: 'GBP',
  };
  return { routeDeps, queries };
}

describe('CREATE_DRAFT: route', () => {
  it('routes each deal to its billing entity, with its account and lines as the domain reads them', async () => {
    const { routeDeps, queries } = deps();
    const us = row(2, { CurrencyIsoCode: 'USD' }, { BillingCountry: 'US' });
    const { drafts, outcomes } = await routeDrafts(routeDeps, [job(1), job(2)], [row(1), us]);
    expect(outcomes).toEqual([]);
    expect(drafts.map((d) => [d.requestKey, d.entity.developerName])).toEqual([
      [`CREATE_DRAFT:${sfId('006', 1)}:1`, 'UK_Ltd'],
      [`CREATE_DRAFT:${sfId('006', 2)}:1`, 'US_Inc'],
    ]);
    expect(drafts[0]).toMatchObject({ account: { Name: 'Customer 1' }, lineItems: [{ Quantity: 10 }] });
    expect(queries.opportunitiesForInvoicing).not.toHaveBeenCalled(); // no amendments, nothing more to read
  });

  it('fails the job of a deal that is gone, without a record to show it on', async () => {
    const { drafts, outcomes } = await routeDrafts(deps().routeDeps, [job(1)], []);
    expect(drafts).toEqual([]);
    expect(outcomes).toEqual([
      {
        kind: 'settled',
        job: job(1),
        outcome: { kind: 'failed', error: `Opportunity ${sfId('006', 1)} was not found` },
      },
    ]);
  });

  it('refuses, with the reason, a deal that cannot be billed as it stands', async () => {
    const amendment = row(1, { Amended_Opportunity__c: sfId('006', 9) });
    const noAccount = row(2, { Account: null });
    const { drafts, outcomes } = await routeDrafts(deps().routeDeps, [job(1), job(2)], [amendment, noAccount]);
    expect(drafts).toEqual([]);
    expect(outcomes).toEqual([
      { kind: 'refused', job: job(1), message: `Deal 1 amends ${sfId('006', 9)}, which was not found` },
      { kind: 'refused', job: job(2), message: expect.stringMatching(/^Salesforce data is incomplete/) },
    ]);
  });

  it('reads the deal an amendment changes, with its lines, in one query', async () => {
    const { routeDeps, queries } = deps([row(9)]);
    const { drafts } = await routeDrafts(routeDeps, [job(1)], [row(1, { Amended_Opportunity__c: sfId('006', 9) })]);
    expect(queries.opportunitiesForInvoicing).toHaveBeenCalledWith([sfId('006', 9)]);
    expect(drafts[0]?.original).toMatchObject({ opportunity: { Id: sfId('006', 9) }, lineItems: [{ Quantity: 10 }] });
  });
});
