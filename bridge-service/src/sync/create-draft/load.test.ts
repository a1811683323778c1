import { fakeComposite, job, sfId } from './__fixtures__/drafts';
import { loadBatch, type LoadDeps } from './load';

describe('CREATE_DRAFT: load', () => {
  it("reads a batch's deals, billing emails, lines already written, contact links and reviews in one Composite call", async () => {
    const { writeback, runs } = fakeComposite();
    const via: unknown[] = [];
    const queries: LoadDeps['queries'] = {
      opportunitiesForInvoicing: async (ids, batch) => {
        via.push(batch);
        expect(ids).toEqual([sfId('006', 1), sfId('006', 2)]);
        return [];
      },
      billingEmailsOfOpportunities: async (_ids, batch) => {
        via.push(batch);
        return new Map([[sfId('001', 1), 'ap@customer1.example']]);
      },
      invoiceLinesOfRequests: async (keys, batch) => {
        via.push(batch);
        expect(keys).toEqual([job(1).payload.requestKey, job(2).payload.requestKey, job(3).payload.requestKey]);
        return new Map();
      },
    };
    const twice = job(3, { payload: { ...job(1).payload, requestKey: job(3).payload.requestKey } });
    const goLive: LoadDeps['goLive'] = {
      knownOfOpportunityAccounts: async (_ids, batch) => {
        via.push(batch);
        return { links: [], reviews: [] };
      },
    };
    const revenueQueries: LoadDeps['revenueQueries'] = {
      billingTerms: async (_ids, batch) => {
        via.push(batch);
        return [];
      },
    };
    const loaded = await loadBatch({ queries, goLive, writeback, revenueQueries }, [job(1), job(2), twice]);
    expect(runs).toHaveLength(1);
    expect(new Set(via).size).toBe(1);
    expect(loaded.emails.get(sfId('001', 1))).toBe('ap@customer1.example');
  });
});
