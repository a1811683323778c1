import { randomBytes } from 'node:crypto';
import { XeroApiError } from '../../xero/errors';
import { SqliteStore } from '../../store';
import { salesforceNames } from '../../salesforce/schema';
import { opportunityBillingTerms, opportunityForInvoicing } from '../../salesforce/selections';
import type { BillingStepDeps } from './billing';
import { fakeComposite, job, newCustomers, noLinksYet, sfId, UK_LTD, US_INC } from './__fixtures__/drafts';
import { PARTIAL_WAITS } from '../../domain/partial-invoice';
import { gaveUpAfterRetries } from '../worker';
import { CLOSING_WAITS, partialGivenUp, partialMayBeInXero, XERO_OUTCOME_UNKNOWN } from './partials';
import { createDraftHandler, type CreateDraftDeps } from '.';

let store: SqliteStore;
beforeEach(() => {
  store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
});
afterEach(() => store.close());

const deal = (n: number, country: string, currency: string) =>
  opportunityForInvoicing(true).parse(salesforceNames(''), {
    Id: sfId('006', n),
    Name: `Deal ${n}`,
    AccountId: sfId('001', n),
    CloseDate: '2026-03-01',
    Amount: 1000,
    CurrencyIsoCode: currency,
    ...Object.fromEntries(
      [
        'Billing_Entity__c',
        'Amended_Opportunity__c',
        'Invoice_Type__c',
        'Service_Start_Date__c',
        'Service_End_Date__c',
        'Renewal_Uplift_Percent__c',
        'PO_Number__c',
      ].map((f) => [f, null]),
    ),
    Account: {
      Id: sfId('001', n),
      Name: `Customer ${n}`,
      BillingCountry: country,
      ...Object.fromEntries(
        [
          'BillingStreet',
          'BillingCity',
          'BillingState',
          'BillingPostalCode',
          'Billing_Entity__c',
          'Billing_Email__c',
          'AccountNumber',
          'Tax_Number__c',
        ].map((f) => [f, null]),
      ),
    },
    OpportunityLineItems: null,
  });

/** Deals on the package default (Upfront, In Advance): billed at close, as wave 1 billed them. */
const upfront = (ids: readonly string[]) =>
  ids.map((Id) =>
    opportunityBillingTerms.parse(salesforceNames(''), {
      Id,
      ...Object.fromEntries(
        [
          'Billing_Frequency__c',
          'Billing_Timing__c',
          'Billing_Alignment__c',
          'First_Invoice_Date__c',
          'Renewal_Index_Name__c',
          'Renewal_Index_Percent__c',
          'Renewal_Index_Date__c',
          'Renewal_Index_Margin_Percent__c',
        ].map((f) => [f, null]),
      ),
      OpportunityLineItems: null,
    }),
  );

function deps(
  readOnly: boolean,
  ukDown = false,
  gate?: { uk: Promise<void>; called: string[] },
): CreateDraftDeps & BillingStepDeps {
  const { writeback } = fakeComposite();
  return {
    queries: {
      opportunitiesForInvoicing: async () => [deal(1, 'GB', 'GBP'), deal(2, 'US', 'USD')],
      billingEmailsOfOpportunities: async () => new Map(),
      invoiceLinesOfRequests: async () => new Map(),
      invoicesFor: async () => [],
    },
    revenueQueries: { billingTerms: async (ids) => upfront(ids) },
    dealPlans: { billedAtClose: async () => new Map() },
    billingTriggers: { planNow: async () => undefined },
    writeback,
    reference: {
      settings: async () => ({ readOnly, autoDraftOnClose: true }),
      billingEntities: async () => [UK_LTD, US_INC],
      taxRates: async () => [],
    },
    xero: {
      createContacts: async (tenantId) => {
        gate?.called.push(tenantId);
        if (gate && tenantId === UK_LTD.xeroTenantId) await gate.uk;
        if (ukDown && tenantId === UK_LTD.xeroTenantId) {
          throw new XeroApiError({ status: 503, body: 'down', operation: 'createContacts', tenantId });
        }
        throw new XeroApiError({ status: 400, body: { Message: 'no' }, operation: 'createContacts', tenantId });
      },
      findContactByNumber: async () => null,
      getInvoicesByIds: async () => [],
      getInvoicesModifiedSince: async () => ({ items: [], page: 1, pageSize: 100, hasMore: false }),
      createInvoices: async () => [],
    },
    ...newCustomers(),
    goLive: noLinksYet,
    jobs: store.jobs,
    xeroResults: store.xeroResults,
    instanceUrl: () => 'https://acme.my.salesforce.com',
    corporateCurrency: 'GBP',
    creditNotes: { saveDraft: async () => 'a0C000000000001AAA' },
    summaries: { stage: () => ({ queueUpdates: async () => undefined }) },
    clock: { now: () => Date.UTC(2026, 2, 2) },
    log: { info: () => undefined, warn: () => undefined },
  };
}

describe('CREATE_DRAFT handler', () => {
  it('holds every job while read-only mode is on', async () => {
    const outcomes = await createDraftHandler(deps(true)).run([job(1), job(2)]);
    expect([...outcomes.values()]).toEqual([
      { kind: 'hold', reason: 'Read-only mode is on: nothing is sent to Xero', delayMs: 300_000 },
      { kind: 'hold', reason: 'Read-only mode is on: nothing is sent to Xero', delayMs: 300_000 },
    ]);
  });

  it('retries the jobs of a tenant Xero cannot serve now, and records why another refused them', async () => {
    const outcomes = await createDraftHandler(deps(false, true)).run([job(1), job(2)]);
    expect(outcomes.get(1)).toEqual({ kind: 'retry', error: expect.stringMatching(/createContacts failed \(503\)/) });
    expect(outcomes.get(2)).toEqual({
      kind: 'failed',
      error: expect.stringMatching(/createContacts failed \(400\): no/),
    });
  });

  it('drafts each tenant side by side: a tenant Xero holds up does not hold up the others', async () => {
    let release!: () => void;
    const gate = { uk: new Promise<void>((resolve) => (release = resolve)), called: [] as string[] };
    const running = createDraftHandler(deps(false, false, gate)).run([job(1), job(2)]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // UK's call is still waiting; US's has been made
    expect(gate.called).toEqual([UK_LTD.xeroTenantId, US_INC.xeroTenantId]);
    release();
    const outcomes = await running;
    expect([...outcomes.keys()].sort()).toEqual([1, 2]);
  });

  it('a tenant paused by a long 429 retries its jobs when Xero says', async () => {
    const d = deps(false);
    d.xero.createContacts = async (tenantId) => {
      throw new XeroApiError({
        status: 429,
        body: 'Rate limit exceeded',
        headers: { 'retry-after': '3600' },
        operation: 'createContacts',
        tenantId,
      });
    };
    const outcomes = await createDraftHandler(d).run([job(1)]);
    expect(outcomes.get(1)).toMatchObject({ kind: 'retry', delayMs: 3_600_000 });
  });
});

describe('CREATE_DRAFT: a deal whose partial invoice is on its way', () => {
  const WAIT = { kind: 'hold', reason: CLOSING_WAITS.partialOnItsWay, delayMs: 30_000 };
  const partial = (n: number, suffix = '0-450000') =>
    store.jobs.enqueueJob({
      key: `CREATE_PARTIAL:${sfId('006', n)}:${suffix}`,
      action: 'CREATE_PARTIAL',
      payload: { action: 'CREATE_PARTIAL', requestKey: `CREATE_PARTIAL:${sfId('006', n)}:${suffix}` },
    });
  const claimPartial = async () =>
    (await store.jobs.claimJobs({ owner: 'bridge-2', leaseMs: 60_000, limit: 1, actions: ['CREATE_PARTIAL'] }))[0]!;

  it('waits, uncounted and reading nothing, while its partial request runs (its draft may be in Xero, not in Salesforce)', async () => {
    await partial(1);
    await claimPartial(); // running on another replica
    const d = deps(false);
    const read = jest.spyOn(d.queries, 'opportunitiesForInvoicing');
    const outcomes = await createDraftHandler(d).run([job(1)]);
    expect(outcomes.get(1)).toEqual(WAIT);
    expect(read).not.toHaveBeenCalled();
    // Another deal of the batch goes on (here to Xero's refusal of its contact).
    const both = await createDraftHandler(deps(false)).run([job(1), job(2)]);
    expect(both.get(1)).toEqual(WAIT);
    expect(both.get(2)).toMatchObject({ kind: 'failed' });
  });

  it('waits for one tried and to be retried, or taken back from a stopped bridge; not for one never run or given up', async () => {
    const { job: dead } = await partial(4);
    await store.jobs.failJob((await claimPartial()).id, 'bridge-2', 'refused', null);
    expect((await store.jobs.getJob(dead.id))?.state).toBe('dead');

    const { job: tried } = await partial(1);
    expect((await claimPartial()).id).toBe(tried.id);
    await store.jobs.failJob(tried.id, 'bridge-2', 'Xero timed out', Date.UTC(2030, 0, 1));
    expect((await createDraftHandler(deps(false)).run([job(1)])).get(1)).toEqual(WAIT);

    const { job: interrupted } = await partial(2);
    expect((await claimPartial()).id).toBe(interrupted.id);
    await store.jobs.releaseJobLeases('bridge-2'); // its bridge restarted mid-run: attempts back to 0, INTERRUPTED
    expect((await store.jobs.getJob(interrupted.id))?.attempts).toBe(0);
    expect((await createDraftHandler(deps(false)).run([job(2)])).get(2)).toEqual(WAIT);

    await partial(3); // queued, never run: when it runs it sees the closing request and waits for it
    const outcomes = await createDraftHandler(deps(false)).run([job(3), job(4)]);
    expect([outcomes.get(3), outcomes.get(4)]).not.toContainEqual(WAIT);
  });

  it('refuses, on its record, a deal whose partial request gave up with its draft in Xero; after Retry on that, goes on', async () => {
    // A 4,500.00 deposit of a 12,000.00 deal reached Xero, and its mirror was refused until the request gave up: the
    // deal reads without it, so a closing draft now would be of 12,000.00 (16,500.00 in Xero).
    const { job: deposit } = await partial(1);
    await claimPartial();
    await store.xeroResults.recordXeroResult({
      requestKey: deposit.key,
      tenantId: UK_LTD.xeroTenantId,
      kind: 'invoice',
      xeroId: '9f2d6c1e-0000-4000-8000-000000000001',
    });
    await store.jobs.failJob(
      deposit.id,
      'bridge-2',
      'The partial invoice’s draft is in Xero but not yet in Salesforce',
      null,
    );
    // Another deal's partial given up before Xero was asked (refused in words) holds nothing up.
    const { job: refusedPartial } = await partial(2);
    await claimPartial();
    await store.jobs.failJob(refusedPartial.id, 'bridge-2', 'more than remains', null);

    const d = deps(false);
    const { writeback, runs } = fakeComposite();
    d.writeback = writeback;
    const read = jest.spyOn(d.queries, 'opportunitiesForInvoicing');
    const outcomes = await createDraftHandler(d).run([job(1), job(2)]);
    const why = partialGivenUp(deposit.key);
    expect(outcomes.get(1)).toEqual({ kind: 'failed', error: why });
    expect(why).toMatch(/Press Retry on that partial invoice .* then Retry this request/);
    expect(read.mock.calls[0]?.[0]).toEqual([sfId('006', 2)]); // the refused deal is not read, nor drafted
    expect(outcomes.get(2)).toMatchObject({ kind: 'failed', error: expect.stringMatching(/createContacts/) });
    expect(runs.flat().flatMap((w) => w.records)).toContainEqual(
      expect.objectContaining({ Request_Key__c: `CREATE_DRAFT:${sfId('006', 1)}:1`, Sync_Message__c: why }),
    );

    // Alone in its batch, it is refused the same, nothing read.
    read.mockClear();
    expect((await createDraftHandler(d).run([job(1)])).get(1)).toEqual({ kind: 'failed', error: why });
    expect(read).not.toHaveBeenCalled();

    // Retry on the partial: while it runs again the closing request waits; once it is mirrored, it goes on.
    await store.jobs.retryJob(deposit.id);
    expect((await createDraftHandler(deps(false)).run([job(1)])).get(1)).toEqual(WAIT);
    await store.jobs.completeJob((await claimPartial()).id, 'bridge-2');
    expect((await createDraftHandler(deps(false)).run([job(1)])).get(1)).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/createContacts/),
    });
  });

  it('refuses a deal whose partial request gave up not knowing whether Xero made its draft; one refused for good holds nothing up', async () => {
    // Deal 1's 4,500.00 deposit: its create call got no answer and its retries ran out. Nothing is recorded of a
    // draft, yet Xero may hold one: a closing draft now could be of 12,000.00 beside it.
    const { job: unanswered } = await partial(1);
    await claimPartial();
    await store.jobs.failJob(unanswered.id, 'bridge-2', gaveUpAfterRetries('Xero 503 Service Unavailable', 10), null);
    // Deal 3's partial stopped for good while it did not know (the handler says so first): refused the same.
    const { job: notKnown } = await partial(3);
    await claimPartial();
    await store.jobs.failJob(notKnown.id, 'bridge-2', `${XERO_OUTCOME_UNKNOWN}Unexpected answer`, null);
    // Deal 2's partials: one refused in words before Xero was asked, one Xero refused (a 400). Nothing held up.
    for (const [suffix, error] of [
      ['0-450000', 'The amount is more than remains to be invoiced on this deal'],
      ['1-450000', 'Xero rejected the partial invoice: Account code 999 is not valid'],
    ] as const) {
      const { job: refusedPartial } = await partial(2, suffix);
      await claimPartial();
      await store.jobs.failJob(refusedPartial.id, 'bridge-2', error, null);
    }

    const d = deps(false);
    const read = jest.spyOn(d.queries, 'opportunitiesForInvoicing');
    const outcomes = await createDraftHandler(d).run([job(1), job(2), job(3)]);
    expect(outcomes.get(1)).toEqual({ kind: 'failed', error: partialMayBeInXero(unanswered.key) });
    expect(outcomes.get(3)).toEqual({ kind: 'failed', error: partialMayBeInXero(notKnown.key) });
    expect(partialMayBeInXero(unanswered.key)).toMatch(/Press Retry on that partial invoice: .* by its link/);
    expect(read.mock.calls[0]?.[0]).toEqual([sfId('006', 2)]);
    expect(outcomes.get(2)).toMatchObject({ kind: 'failed', error: expect.stringMatching(/createContacts/) });

    // Retry on the deposit: while it runs again the closing request waits; once it is done, it goes on.
    await store.jobs.retryJob(unanswered.id);
    expect((await createDraftHandler(deps(false)).run([job(1)])).get(1)).toEqual(WAIT);
    await store.jobs.completeJob((await claimPartial()).id, 'bridge-2');
    expect((await createDraftHandler(deps(false)).run([job(1)])).get(1)).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/createContacts/),
    });
  });

  it('does not wait for a partial request waiting for it: the two never wait for each other', async () => {
    const { job: waiting } = await partial(1);
    await claimPartial();
    await store.jobs.deferJob(waiting.id, 'bridge-2', PARTIAL_WAITS.closingOnItsWay, Date.UTC(2030, 0, 1));
    const outcomes = await createDraftHandler(deps(false)).run([job(1)]);
    expect(outcomes.get(1)).not.toEqual(WAIT);
  });
});
