/**
 * Salesforce API calls for billing plans in bulk (issue 15): 600 deals billed quarterly, won together while the
 * bridge is down, are planned (plan, instalments, revenue months) in a handful of Composite calls, none per deal, and
 * read together (up to 1,000 deals a slice: deal-plans.ts DEALS_PER_WRITE).
 * Test data is written in process (like a data load), so the org's API usage counts only the bridge.
 */
import pino from 'pino';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { describeApiRequest } from '../sandbox/salesforce/api-requests';
import { waitFor, waitForNoJobDue } from './wait-for';

const SALES = 'sam.seller@ledgerline.example';
const DEALS = 600;

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }) });
});

afterAll(async () => {
  await sandbox.close();
});

it(`plans ${DEALS} deals billed by their periods in a few Composite calls`, async () => {
  const { org } = sandbox.sf;
  const ctx = { userId: org.resolveUser('integration@ledgerline.example').Id };
  const next = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1)).toISOString().slice(0, 10);
  const end = `${next.slice(0, 4)}-12-31`;
  const entry = org
    .records(org.object('PricebookEntry'))
    .find((e) => e.CurrencyIsoCode === 'GBP' && e.IsActive === true)!;
  const deals: string[] = [];
  org.transaction(() => {
    const account = org.insert(
      'Account',
      { Name: 'Budget Plans Ltd', BillingCountry: 'GB', CurrencyIsoCode: 'GBP' },
      ctx,
    );
    for (let i = 0; i < DEALS; i += 1) {
      const id = org.insert(
        'Opportunity',
        {
          Name: `Plan Deal ${String(i + 1).padStart(4, '0')}`,
          AccountId: account,
          StageName: 'Negotiation/Review',
          CloseDate: new Date().toISOString().slice(0, 10),
          CurrencyIsoCode: 'GBP',
          [org.n('Service_Start_Date__c')]: next,
          [org.n('Service_End_Date__c')]: end,
          [org.n('Billing_Frequency__c')]: 'Quarterly',
        },
        ctx,
      );
      org.insert(
        'OpportunityLineItem',
        { OpportunityId: id, PricebookEntryId: entry.Id, Quantity: 1 + (i % 5), UnitPrice: 1200 },
        ctx,
      );
      deals.push(id);
    }
  });
  // The bridge's start-up jobs due now (last month's closes, the KPI refresh) run before the measurement, not in it.
  await waitForNoJobDue(sandbox.store.jobs);
  await sandbox.stopBridge();
  const sales = { userId: org.resolveUser(SALES).Id };
  org.transaction(() => {
    for (const id of deals) org.update('Opportunity', id, { StageName: 'Closed Won' }, sales);
  });
  const before = sandbox.sf.control.apiUsage().used;
  const logged = sandbox.sf.control.apiRequests().length;
  await sandbox.startBridge();

  const wanted = new Set(deals);
  const months = org.object(org.n('Revenue_Month__c'));
  const plans = org.object(org.n('Billing_Plan__c'));
  await waitFor(
    'every deal planned, its months written',
    async () => {
      const planned = org.records(plans).filter((p) => wanted.has(p[org.n('Plan_Key__c')] as string));
      const written = org.records(months).length;
      return planned.length === DEALS && written >= DEALS * 12 ? true : undefined;
    },
    60_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const used = sandbox.sf.control.apiUsage().used - before;
  const requests = sandbox.sf.control.apiRequests().slice(logged);
  const shape = requests.map(describeApiRequest);
  // eslint-disable-next-line no-console
  console.log(
    `Salesforce API calls to plan ${DEALS} deals (4 instalments, 12 months each): ${used}\n${shape.join('\n')}`,
  );
  const instalments = org.object(org.n('Billing_Instalment__c'));
  expect(org.records(instalments).filter((i) => i[org.n('Status__c')] === 'Planned').length).toBe(DEALS * 4);
  // Nothing per deal: the reads the bridge caches, and Composite calls of at most 5 Collections or queries.
  expect(
    requests
      .filter((r) => !r.subrequests)
      .map((r) => r.path.replace(/^\/services\/data\/v[^/]+/, ''))
      .every((path) => path.startsWith('/query')),
  ).toBe(true);
  expect(requests.filter((r) => r.subrequests).every((r) => r.subrequests!.length <= 5)).toBe(true);
  // Per batch the backlog is claimed in: closing is one load; planning two reads for up to 1,000 deals, then the
  // plans, instalments, months and events in Collections of 200, five to a Composite call (600 deals: 10,200 records,
  // 52 Collections). Slices of 200 deals would read the plans three times.
  const planReads = requests.filter((r) => describeApiRequest(r).includes('query Billing_Plan__c'));
  // eslint-disable-next-line no-console
  console.log(`plan reads: ${planReads.length}`);
  expect(planReads.length).toBeLessThanOrEqual(2);
  // The same bar per deal as the invoice drain (sf-call-budget): under 0.075 calls, besides the one read a start makes
  // of contact match decisions no bridge applied (go-live), which does not grow with the deals.
  const startUpReads = requests.filter((r) => !r.subrequests && /FROM \w*Contact_Match_Review__c/.test(r.soql ?? ''));
  expect(startUpReads).toHaveLength(1);
  expect((used - startUpReads.length) / DEALS).toBeLessThan(0.075);
}, 120_000);
