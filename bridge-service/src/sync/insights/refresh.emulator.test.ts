/**
 * The KPI refresh against the Salesforce emulator, with the real queries and the billing plans' loader: deals are
 * read 1,000 a slice, and a contract whose won renewal is planned in another slice is renewed all the same. Read per
 * slice, the renewal forecast still counted it: 12,600.00 forecast to renew in June 2026 on top of the renewal's own
 * 12,600.00 billed that month (25,200.00 for one contract), and a Due renewal record for a renewed contract.
 */
import type { Connection } from 'jsforce';
import pino from 'pino';
import type { SalesforceEmulator } from '../../../sandbox/salesforce/server';
import { SALES, connect, frozenClock, startTestEmulator } from '../../../sandbox/salesforce/test-helpers';
import { createKpiQueries } from '../../salesforce/kpi-queries';
import { createRevenueQueries } from '../../salesforce/revenue-queries';
import { salesforceNames } from '../../salesforce/schema';
import { createWriteback } from '../../salesforce/writeback';
import { UK } from '../billing/__fixtures__/deals';
import { createDealPlans, DEALS_PER_WRITE } from '../billing/deal-plans';
import { createKpiRefresh } from './refresh';

type Row = Record<string, unknown> & { Id: string };

/** 10 Feb 2026, 09:00 in London: the as-of day is 2026-02-10, the forecast runs to January 2027. */
const NOW = Date.UTC(2026, 1, 10, 9);

let em: SalesforceEmulator;
let integration: Connection;
beforeEach(async () => {
  em = await startTestEmulator({ clock: frozenClock(NOW) });
  integration = connect(em);
});
afterEach(() => em.close());

/** A GBP deal for Acme, 10 seats at `unitPrice`, won unless said otherwise. */
async function deal(fields: Record<string, unknown>, unitPrice: number, won = true): Promise<string> {
  const sales = connect(em, SALES);
  const acme = (
    await sales.query<Row>("SELECT Id, AccountId, Pricebook2Id FROM Opportunity WHERE Name = 'Acme - Platform 2026'")
  ).records[0]!;
  const entry = (
    await sales.query<Row>(`SELECT PricebookEntryId FROM OpportunityLineItem WHERE OpportunityId = '${acme.Id}'`)
  ).records[0]!;
  const { id } = (await sales.sobject('Opportunity').create({
    AccountId: acme.AccountId,
    StageName: 'Negotiation/Review',
    CurrencyIsoCode: 'GBP',
    ...(acme.Pricebook2Id ? { Pricebook2Id: acme.Pricebook2Id } : {}),
    ...fields,
  })) as unknown as { id: string };
  await sales
    .sobject('OpportunityLineItem')
    .create({ OpportunityId: id, PricebookEntryId: entry.PricebookEntryId, Quantity: 10, UnitPrice: unitPrice });
  if (won) await sales.sobject('Opportunity').update({ Id: id, StageName: 'Closed Won' });
  return id;
}

it('renews a contract whose won renewal is planned in another slice of deals: its renewal is not forecast again', async () => {
  // 12,000.00 a year to 31 May 2026, renewing at 5 %: 12,600.00 from 1 June. Its renewal is won, priced by its own
  // lines at the same 12,600.00, billed when it starts.
  const original = await deal(
    {
      Name: 'Acme - Platform 2025',
      CloseDate: '2025-05-20',
      Service_Start_Date__c: '2025-06-01',
      Service_End_Date__c: '2026-05-31',
      Renewal_Uplift_Percent__c: 5,
    },
    1200,
  );
  const renewal = await deal(
    {
      Name: 'Acme - Platform Renewal 2026',
      CloseDate: '2026-02-02',
      Service_Start_Date__c: '2026-06-01',
      Service_End_Date__c: '2027-05-31',
      First_Invoice_Date__c: '2026-06-01',
      Invoice_Type__c: 'Renewal',
      Amended_Opportunity__c: original,
    },
    1260,
  );
  // 3,000.00 a year to 31 August 2026, its renewal still open: it is still forecast to renew.
  const support = await deal(
    {
      Name: 'Acme - Support 2025',
      CloseDate: '2025-08-20',
      Service_Start_Date__c: '2025-09-01',
      Service_End_Date__c: '2026-08-31',
    },
    300,
  );
  await deal(
    {
      Name: 'Acme - Support Renewal 2026',
      CloseDate: '2026-08-15',
      Service_Start_Date__c: '2026-09-01',
      Service_End_Date__c: '2027-08-31',
      Invoice_Type__c: 'Renewal',
      Amended_Opportunity__c: support,
    },
    300,
    false,
  );
  // The won deals' plans, 998 others between the original and its renewal (deals not found: they fill the slice).
  const { org } = em;
  const ctx = { userId: org.resolveUser('integration@ledgerline.example').Id };
  const others = Array.from({ length: DEALS_PER_WRITE - 2 }, (_, i) => `006000000${String(i).padStart(6, '0')}ZZZ`);
  org.transaction(() => {
    for (const key of [original, support, ...others, renewal]) {
      org.insert(org.n('Billing_Plan__c'), { [org.n('Plan_Key__c')]: key, [org.n('Currency_Code__c')]: 'GBP' }, ctx);
    }
  });

  const names = salesforceNames('');
  const log = pino({ level: 'silent' });
  const writeback = createWriteback({ conn: integration, names, log });
  const kpiQueries = createKpiQueries({ names, multiCurrency: true });
  const clock = { now: () => NOW };
  const reference = {
    billingEntities: () => Promise.resolve([UK]),
    taxRates: () => Promise.resolve([{ taxType: UK.taxType, effectiveRate: '20' }]),
  };
  const dealPlans = createDealPlans({
    writeback,
    revenueQueries: createRevenueQueries({ names, multiCurrency: true }),
    reference,
    corporateCurrency: 'GBP',
    prorationMethod: 'daily',
    clock,
    triggers: { raise: () => Promise.resolve(0) },
    log,
  });
  const refresh = createKpiRefresh({
    writeback,
    kpiQueries,
    dealPlans,
    reference,
    corporateCurrency: 'GBP',
    clock,
    log,
  });

  // The original and its renewal are read in different slices.
  const reads = writeback.composite();
  const planKeys = kpiQueries.planDeals(reads);
  await reads.run();
  const keys = await planKeys;
  const sliceOf = (id: string) => Math.floor(keys.indexOf(id) / DEALS_PER_WRITE);
  expect([sliceOf(original), sliceOf(renewal)]).toEqual([0, 1]);

  const result = await refresh.refresh();
  expect(result.problems.filter((p) => p.includes(original) || p.includes(renewal))).toEqual([]);
  const june = (
    await integration.query<Row>(
      "SELECT Future_Billings__c, Renewals__c FROM KPI_Forecast__c WHERE Forecast_Key__c = 'GROUP:2026-02:2026-06'",
    )
  ).records[0];
  // The renewal's 12,600.00 is billed in June, once: the contract it renews is not forecast to renew as well.
  expect(june).toMatchObject({ Future_Billings__c: 12600, Renewals__c: 0 });
  const due = await integration.query<Row>(
    `SELECT Renewal_Key__c, Renewal_Value__c FROM KPI_Renewal__c WHERE Renewal_Key__c = '${original}'`,
  );
  expect(due.records).toEqual([]);
  const september = (
    await integration.query<Row>(
      "SELECT Renewals__c FROM KPI_Forecast__c WHERE Forecast_Key__c = 'GROUP:2026-02:2026-09'",
    )
  ).records[0];
  expect(september).toMatchObject({ Renewals__c: 3000 });
}, 60_000);
