import { parseBillingEntities, type BillingEntity } from '../../domain/billing-entity';
import { planDeal, planOpportunitySchema, type OpportunityWithItems } from '../../domain/deal-plan';
import type { KpiQueries, LedgerInvoiceRow, PostedClose, StoredRenewal } from '../../salesforce/kpi-queries';
import { fakeComposite } from '../create-draft/__fixtures__/drafts';
import { DEAL, UK, loadedDeal } from '../billing/__fixtures__/deals';
import type { DealPlans } from '../billing/deal-plans';
import { createKpiRefresh } from './refresh';
import { createKpiTriggers, KPI_SETTLE_MS } from './triggers';

const US: BillingEntity = parseBillingEntities([
  {
    developerName: 'US_Inc',
    xeroTenantId: '22222222-2222-4222-8222-222222222222',
    baseCurrency: 'USD',
    countries: 'US',
    currencies: 'USD',
    accountCode: '200',
    taxType: 'OUTPUT',
    paymentTermsDays: 30,
    timeZone: 'America/New_York',
  },
]).entities[0]!;

/** 10 Feb 2026, 09:00 in London: the as-of day is 2026-02-10. */
const NOW = Date.UTC(2026, 1, 10, 9);

/** The first quarter's invoice of the fixture deal: 3,000.00 + 20 % VAT, unpaid. */
const invoice = {
  Id: 'a0a000000000001AAA',
  Invoice_Number__c: 'INV-0001',
  Account__c: '001000000000501AAA',
  Opportunity__c: DEAL,
  Billing_Entity__c: 'UK_Ltd',
  Currency_Code__c: 'GBP',
  Currency_Rate__c: 1,
  Sub_Total__c: 3000,
  Total_Tax__c: 600,
  Total__c: 3600,
  Amount_Paid__c: 0,
  Amount_Credited__c: 0,
  Amount_Due__c: 3600,
  Issue_Date__c: '2026-01-01',
  Due_Date__c: '2026-01-31',
  Status__c: 'Authorised',
  Payments__r: null,
} as LedgerInvoiceRow;

function setup(
  stored: {
    snapshots?: [string, string][];
    closes?: PostedClose[];
    renewals?: StoredRenewal[];
    reportingCurrency?: string;
    /**
     * A won renewal of the fixture deal, with a billing plan of its own read in the same slice of deals as the fixture
     * deal, or in the next (999 other deals' plans between them: slices are 1,000 deals).
     */
    renewal?: { id: string; slice: 'same' | 'next'; withoutPlan?: true };
    /** Won amendments of the fixture deal. */
    amendments?: OpportunityWithItems[];
  } = {},
) {
  const { writeback, runs } = fakeComposite();
  const none = Promise.resolve([]);
  const fixture = loadedDeal({}, '2026-02-10');
  const input = { ...fixture.loaded.input, ...(stored.amendments ? { amendments: stored.amendments } : {}) };
  const planned = {
    ...fixture,
    loaded: { ...fixture.loaded, input },
    plan: planDeal({ ...input, today: '2026-02-10' }),
  };
  // Won on 5 Feb, renewing the 12,000.00 at 5 % from 1 Jan 2027, billed quarterly: 3,150.00 on 1 Jan 2027.
  const renewal = stored.renewal && {
    ...planned.loaded.row,
    Id: stored.renewal.id,
    CloseDate: '2026-02-05',
    Invoice_Type__c: 'Renewal',
    Amended_Opportunity__c: DEAL,
    Renewal_Uplift_Percent__c: 5,
    OpportunityLineItems: { records: [] },
  };
  const renewalInput = renewal && {
    ...planned.loaded.input,
    root: { opportunity: planOpportunitySchema.parse(renewal), lineItems: [] },
    renewalOf: planned.loaded.input.root,
  };
  const plannedRenewal = renewal &&
    renewalInput && {
      ...planned,
      loaded: { ...planned.loaded, dealId: renewal.Id, row: renewal, input: renewalInput },
      plan: planDeal({ ...renewalInput, today: '2026-02-10' }),
    };
  // A won renewal has no plan until PLAN_BILLING has run for it (or when its plan is refused).
  const renewalPlanned = stored.renewal !== undefined && !stored.renewal.withoutPlan;
  // Other deals' plans, none of them found when read (they play no part here but to fill a slice).
  const otherDeals =
    stored.renewal?.slice === 'next'
      ? Array.from({ length: 999 }, (_, i) => `006000000${String(i).padStart(6, '0')}ZZZ`)
      : [];
  const kpiQueries: KpiQueries = {
    rates: () => ({
      currencies: Promise.resolve([
        { IsoCode: 'GBP', IsCorporate: true, IsActive: true, ConversionRate: 1 },
        { IsoCode: 'USD', IsCorporate: false, IsActive: true, ConversionRate: 1.25 },
      ]),
      dated: none,
      table: none,
    }),
    reportingCurrency: () => Promise.resolve(stored.reportingCurrency ?? null),
    snapshots: () =>
      Promise.resolve(
        (stored.snapshots ?? []).map(([key, status], i) => ({
          Id: `a0d00000000000${i}AAA`,
          Snapshot_Key__c: key,
          Status__c: status,
          Month__c: `${key.slice(-7)}-01`,
        })),
      ),
    renewals: () => Promise.resolve(stored.renewals ?? []),
    postedCloses: () => Promise.resolve(stored.closes ?? []),
    invoices: () => Promise.resolve([invoice]),
    creditNotes: () => none,
    customerCredits: () => ({ credits: none, uses: none }),
    openOpportunities: () => none,
    planDeals: () => Promise.resolve([DEAL, ...otherDeals, ...(renewal && renewalPlanned ? [renewal.Id] : [])]),
    // what Salesforce answers: every won renewal, with the deal it names
    wonRenewals: () =>
      Promise.resolve(renewal ? [{ Id: renewal.Id, Amended_Opportunity__c: renewal.Amended_Opportunity__c }] : []),
  };
  // The slice's deals as the loader reads them and plans them: the fixture deal, and the renewal.
  const dealPlans: Pick<DealPlans, 'compute'> = {
    compute: (ids) => {
      const inSlice = new Set(ids);
      const slice = [
        ...(inSlice.has(DEAL) ? [planned] : []),
        ...(plannedRenewal && inSlice.has(plannedRenewal.loaded.dealId) ? [plannedRenewal] : []),
      ];
      const deals = new Map(slice.map((p) => [p.loaded.dealId, p.loaded]));
      return Promise.resolve({
        loaded: { deals, dealOf: new Map([...deals.keys()].map((id) => [id, id])), problems: new Map() },
        planned: slice,
        unplanned: [],
      });
    },
  };
  const refresh = createKpiRefresh({
    writeback,
    kpiQueries,
    dealPlans,
    reference: {
      billingEntities: () => Promise.resolve([UK, US]),
      taxRates: (tenant) =>
        Promise.resolve(tenant === UK.xeroTenantId ? [{ taxType: 'OUTPUT2', effectiveRate: '20' }] : []),
    },
    corporateCurrency: 'GBP',
    clock: { now: () => NOW },
    log: { info: () => undefined, warn: () => undefined },
  });
  const written = (object: string) => runs.flat().filter((c) => c.object === object);
  const upserted = (object: string) => written(object).flatMap((c) => (c.method === 'upsert' ? c.records : []));
  return { refresh, upserted, written };
}

const posted = (entity: string, month: string): PostedClose => ({
  Billing_Entity__c: entity,
  Period_Start__c: `${month}-01`,
  Status__c: 'Posted',
});

describe('the KPI refresh', () => {
  it('writes every month from the first with anything in it to today, per entity and the group, the forecast on today’s', async () => {
    const { refresh, upserted } = setup();
    const result = await refresh.refresh();
    expect(result).toMatchObject({ asOf: '2026-02-10', reportingCurrency: 'GBP', frozen: 0, problems: [] });
    const snapshots = upserted('KPI_Snapshot__c');
    expect(snapshots.map((s) => s.Snapshot_Key__c)).toEqual([
      'UK_Ltd:2026-01',
      'UK_Ltd:2026-02',
      'US_Inc:2026-01',
      'US_Inc:2026-02',
      'GROUP:2026-01',
      'GROUP:2026-02',
    ]);
    expect(snapshots.every((s) => s.Status__c === 'Open')).toBe(true);
    const group = snapshots.find((s) => s.Snapshot_Key__c === 'GROUP:2026-02')!;
    // 12,000.00 a year: 1,000.00 MRR; the January invoice still due (3,600.00 with VAT) and overdue.
    expect(group).toMatchObject({
      MRR__c: 1000,
      ARR__c: 12000,
      AR_Total__c: 3600,
      AR_Overdue__c: 3600,
      As_Of__c: '2026-02-10',
    });
    expect(snapshots.find((s) => s.Snapshot_Key__c === 'GROUP:2026-01')).toMatchObject({
      New_MRR__c: 1000,
      Billings__c: 3000,
      As_Of__c: '2026-01-31',
    });
    // Only the as-of month's snapshots carry a forecast: the quarters still to raise. The fixture's plan records
    // January's quarter as not raised yet, so it counts in the as-of month (due and not raised).
    const forecasts = upserted('KPI_Forecast__c');
    expect(new Set(forecasts.map((f) => (f.KPI_Snapshot__r as { Snapshot_Key__c: string }).Snapshot_Key__c))).toEqual(
      new Set(['UK_Ltd:2026-02', 'US_Inc:2026-02', 'GROUP:2026-02']),
    );
    const groupForecast = forecasts.filter((f) => String(f.Forecast_Key__c).startsWith('GROUP:2026-02:'));
    // The whole horizon, February 2026 to January 2027, months with nothing in them as zeros (an earlier run's row for
    // such a month is overwritten, never left standing).
    expect(groupForecast.map((f) => f.Forecast_Month__c)).toHaveLength(12);
    expect(groupForecast.at(-1)).toMatchObject({
      Forecast_Month__c: '2027-01-01',
      Future_Billings__c: 0,
      Weighted_Pipeline__c: 0,
    });
    expect(
      groupForecast
        .filter((f) => Number(f.Future_Billings__c) !== 0)
        .map((f) => [f.Forecast_Month__c, f.Future_Billings__c]),
    ).toEqual([
      ['2026-02-01', 3000],
      ['2026-04-01', 3000],
      ['2026-07-01', 3000],
      ['2026-10-01', 3000],
    ]);
  });

  it('hands the event loop back between the snapshots it computes, so other work runs meanwhile', async () => {
    const { refresh, upserted } = setup();
    let turns = 0;
    let refreshing = true;
    const other = (async () => {
      while (refreshing) {
        await new Promise((resolve) => setImmediate(resolve));
        turns += 1;
      }
    })();
    await refresh.refresh();
    refreshing = false;
    await other;
    expect(turns).toBeGreaterThanOrEqual(upserted('KPI_Snapshot__c').length);
  });

  it('reports in the configured currency at the documented rate, naming its source', async () => {
    const { refresh, upserted } = setup({ reportingCurrency: 'USD' });
    expect((await refresh.refresh()).reportingCurrency).toBe('USD');
    const group = upserted('KPI_Snapshot__c').find((s) => s.Snapshot_Key__c === 'GROUP:2026-02')!;
    // CurrencyType: 1.25 USD per GBP (a static rate, dated the day it was read): 3,600.00 GBP is 4,500.00 USD.
    expect(group).toMatchObject({
      Reporting_Currency__c: 'USD',
      AR_Total__c: 4500,
      MRR__c: 1250,
      Rate_Source__c: 'Static',
      Rate_Date__c: '2026-02-10',
      Missing_Rates__c: null,
    });
  });

  it('never writes a Closed snapshot again, whoever closed it', async () => {
    const { refresh, upserted } = setup({
      snapshots: [
        ['UK_Ltd:2026-01', 'Closed'],
        ['GROUP:2026-02', 'Open'],
      ],
    });
    const result = await refresh.refresh();
    expect(result.frozen).toBe(1);
    const keys = upserted('KPI_Snapshot__c').map((s) => s.Snapshot_Key__c);
    expect(keys).not.toContain('UK_Ltd:2026-01');
    expect(keys).toContain('GROUP:2026-02');
  });

  it("writes a month its close was posted for one last time as Closed; the group's when every entity's is", async () => {
    const one = setup({ closes: [posted('UK_Ltd', '2026-01')] });
    const first = await one.refresh.refresh();
    expect(first.closed).toEqual(['UK_Ltd:2026-01']);
    const ukJan = one.upserted('KPI_Snapshot__c').find((s) => s.Snapshot_Key__c === 'UK_Ltd:2026-01')!;
    expect(ukJan).toMatchObject({
      Status__c: 'Closed',
      Closed_At__c: new Date(NOW).toISOString(),
      As_Of__c: '2026-01-31',
    });
    expect(one.upserted('KPI_Snapshot__c').find((s) => s.Snapshot_Key__c === 'GROUP:2026-01')).toMatchObject({
      Status__c: 'Open',
    });

    const both = setup({ closes: [posted('UK_Ltd', '2026-01'), posted('US_Inc', '2026-01')] });
    expect((await both.refresh.refresh()).closed).toEqual(['UK_Ltd:2026-01', 'US_Inc:2026-01', 'GROUP:2026-01']);

    // The next run finds them Closed and leaves them alone.
    const later = setup({
      snapshots: [
        ['UK_Ltd:2026-01', 'Closed'],
        ['US_Inc:2026-01', 'Closed'],
        ['GROUP:2026-01', 'Closed'],
      ],
      closes: [posted('UK_Ltd', '2026-01'), posted('US_Inc', '2026-01')],
    });
    const again = await later.refresh.refresh();
    expect(again).toMatchObject({ closed: [], frozen: 3 });
    expect(later.upserted('KPI_Snapshot__c').map((s) => s.Snapshot_Key__c)).toEqual([
      'UK_Ltd:2026-02',
      'US_Inc:2026-02',
      'GROUP:2026-02',
    ]);
  });

  it('marks a renewal Renewed once a won renewal replaces the contract, and writes it no more as due', async () => {
    const { refresh, written } = setup({
      renewal: { id: '006000000000502AAA', slice: 'same' },
      renewals: [
        { Id: 'a0r000000000003AAA', Renewal_Key__c: DEAL, Status__c: 'Due', Contract_End_Date__c: '2026-12-31' },
      ],
    });
    await refresh.refresh();
    const calls = written('KPI_Renewal__c');
    expect(calls.filter((c) => c.method === 'update').flatMap((c) => c.records)).toEqual([
      { Id: 'a0r000000000003AAA', Status__c: 'Renewed' },
    ]);
    expect(calls.filter((c) => c.method === 'upsert').flatMap((c) => c.records)).toEqual([]);
  });

  it('knows a contract renewed when its won renewal is read in another slice of 1,000 deals', async () => {
    const { refresh, written, upserted } = setup({
      renewal: { id: '006000000000502AAA', slice: 'next' },
      renewals: [
        { Id: 'a0r000000000005AAA', Renewal_Key__c: DEAL, Status__c: 'Due', Contract_End_Date__c: '2026-12-31' },
      ],
    });
    const result = await refresh.refresh();
    expect(result.problems).toEqual([]);
    // The 12,000.00 contract renewing on 1 Jan 2027 is not forecast to renew again: its renewal is won (read per
    // slice it was still forecast, 12,000.00 in January 2027, and left Due).
    const january = upserted('KPI_Forecast__c').find((f) => f.Forecast_Key__c === 'GROUP:2026-02:2027-01');
    expect(january).toMatchObject({ Renewals__c: 0 });
    const calls = written('KPI_Renewal__c');
    expect(calls.filter((c) => c.method === 'update').flatMap((c) => c.records)).toEqual([
      { Id: 'a0r000000000005AAA', Status__c: 'Renewed' },
    ]);
    expect(calls.filter((c) => c.method === 'upsert').flatMap((c) => c.records)).toEqual([]);
  });

  it('keeps forecasting a contract’s renewal until its won renewal’s own plan counts, so the revenue never vanishes', async () => {
    const renewals: StoredRenewal[] = [
      { Id: 'a0r000000000006AAA', Renewal_Key__c: DEAL, Status__c: 'Due', Contract_End_Date__c: '2026-12-31' },
    ];
    const january = (run: ReturnType<typeof setup>) =>
      run.upserted('KPI_Forecast__c').find((f) => f.Forecast_Key__c === 'GROUP:2026-02:2027-01');
    // Won, no plan yet: the expected 12,000.00 renewal stays in January 2027 and Due (it showed neither it nor the
    // renewal's billings: 0.00 and 0.00).
    const waiting = setup({ renewal: { id: '006000000000502AAA', slice: 'same', withoutPlan: true }, renewals });
    expect((await waiting.refresh.refresh()).problems).toEqual([]);
    expect(january(waiting)).toMatchObject({ Renewals__c: 12000, Future_Billings__c: 0 });
    expect(
      waiting
        .written('KPI_Renewal__c')
        .filter((c) => c.method === 'update')
        .flatMap((c) => c.records),
    ).toEqual([]);
    // Planned: its first quarter, 3,150.00, is a future billing of January 2027 and the expected renewal is gone.
    const planned = setup({ renewal: { id: '006000000000502AAA', slice: 'same' }, renewals });
    expect((await planned.refresh.refresh()).problems).toEqual([]);
    expect(january(planned)).toMatchObject({ Renewals__c: 0, Future_Billings__c: 3150 });
    expect(
      planned
        .written('KPI_Renewal__c')
        .filter((c) => c.method === 'update')
        .flatMap((c) => c.records),
    ).toEqual([{ Id: 'a0r000000000006AAA', Status__c: 'Renewed' }]);
  });

  it('marks a renewal that is no longer due Lapsed once its contract has ended', async () => {
    const { refresh, written } = setup({
      renewals: [
        {
          Id: 'a0r000000000001AAA',
          Renewal_Key__c: '006000000000999AAA',
          Status__c: 'Due',
          Contract_End_Date__c: '2026-01-31',
        },
        {
          Id: 'a0r000000000002AAA',
          Renewal_Key__c: '006000000000998AAA',
          Status__c: 'Due',
          Contract_End_Date__c: '2026-06-30',
        },
      ],
    });
    await refresh.refresh();
    const updates = written('KPI_Renewal__c')
      .filter((c) => c.method === 'update')
      .flatMap((c) => c.records);
    expect(updates).toEqual([{ Id: 'a0r000000000001AAA', Status__c: 'Lapsed' }]);
    // The fixture deal renews on 1 Jan 2027: due within twelve months, written by its key.
    const upserts = written('KPI_Renewal__c')
      .filter((c) => c.method === 'upsert')
      .flatMap((c) => c.records);
    expect(upserts).toEqual([
      expect.objectContaining({
        Renewal_Key__c: DEAL,
        Renewal_Date__c: '2027-01-01',
        Renewal_Value__c: 12000,
        Status__c: 'Due',
      }),
    ]);
  });

  it('marks a renewal Lapsed when an amendment ends the contract early, and writes it no more as due', async () => {
    const root = loadedDeal({}, '2026-02-10').loaded.input.root;
    // Signed 5 Feb: the subscription ends on 31 Mar 2026 instead of 31 Dec (a cancellation).
    const cancel: OpportunityWithItems = {
      opportunity: {
        ...root.opportunity,
        Id: '006000000000997AAA',
        Name: 'Cancel',
        CloseDate: '2026-02-05',
        Service_Start_Date__c: '2026-04-01',
        Service_End_Date__c: '2026-03-31',
        Amended_Opportunity__c: DEAL,
        Invoice_Type__c: 'Amendment',
      },
      lineItems: root.lineItems.map((l) => ({ ...l, Id: `${l.Id.slice(0, 15)}X` })),
    };
    const { refresh, written } = setup({
      amendments: [cancel],
      renewals: [
        { Id: 'a0r000000000004AAA', Renewal_Key__c: DEAL, Status__c: 'Due', Contract_End_Date__c: '2026-12-31' },
      ],
    });
    await refresh.refresh();
    const calls = written('KPI_Renewal__c');
    expect(calls.filter((c) => c.method === 'update').flatMap((c) => c.records)).toEqual([
      { Id: 'a0r000000000004AAA', Status__c: 'Lapsed' },
    ]);
    expect(calls.filter((c) => c.method === 'upsert').flatMap((c) => c.records)).toEqual([]);
  });
});

describe('KPI refresh triggers', () => {
  function store() {
    const jobs = new Map<string, { runAt?: number }>();
    return {
      jobs,
      repo: {
        enqueueJob: (job: { key: string; runAt?: number }) => {
          const created = !jobs.has(job.key);
          if (created) jobs.set(job.key, { runAt: job.runAt });
          return Promise.resolve({ job: job as never, created });
        },
      },
    };
  }

  it('refreshes once at the end of the window a burst of changes falls in', async () => {
    const { jobs, repo } = store();
    let now = 10 * KPI_SETTLE_MS + 1_000;
    const triggers = createKpiTriggers({ jobs: repo, clock: { now: () => now } });
    await triggers.refreshSoon();
    now += 60_000;
    await triggers.refreshSoon();
    expect([...jobs]).toEqual([['KPI_REFRESH:changed:10', { runAt: 11 * KPI_SETTLE_MS }]]);
    now = 11 * KPI_SETTLE_MS;
    await triggers.refreshSoon();
    expect(jobs.size).toBe(2);
  });

  it('runs daily at 02:00 in the time zone, and once after downtime', async () => {
    const { jobs, repo } = store();
    let now = Date.parse('2026-07-01T12:00:00Z');
    const triggers = createKpiTriggers({ jobs: repo, clock: { now: () => now } });
    await triggers.ensureDaily('Europe/London');
    // 02:00 BST is 01:00 UTC
    expect(jobs.get('KPI_REFRESH:daily:2026-07-01')).toEqual({ runAt: Date.parse('2026-07-01T01:00:00Z') });
    await triggers.nextDaily('Europe/London', '2026-07-01');
    expect(jobs.has('KPI_REFRESH:daily:2026-07-02')).toBe(true);
    // Back after a month away: the late run asks for tomorrow's, not each missed day's.
    now = Date.parse('2026-08-05T12:00:00Z');
    await triggers.nextDaily('Europe/London', '2026-07-02');
    expect([...jobs.keys()].filter((k) => k.startsWith('KPI_REFRESH:daily:'))).toEqual([
      'KPI_REFRESH:daily:2026-07-01',
      'KPI_REFRESH:daily:2026-07-02',
      'KPI_REFRESH:daily:2026-08-06',
    ]);
  });
});
