/**
 * The KPI refresh (issue 17): read the records, compute each month's snapshot that is not Closed for every billing
 * entity and the group (kpi-snapshot.ts), and upsert the snapshots, the as-of month's forecast and the renewals due
 * (kpi-records.ts), in Composite calls.
 *
 * Closing (README "Closing a month freezes its snapshot"):
 * - A snapshot whose Status__c is Closed is never written again (mayWriteSnapshot): finance closed it, or the
 *   bridge did on an earlier run. A validation rule refuses any change to it anyway.
 * - An entity's month is closed when its Month_End_Close__c is posted (Posted, Tied or Difference): the bridge
 *   writes that month's snapshot one last time, as of the month's last day, with Status__c Closed and Closed_At__c.
 *   The group's month closes when every billing entity's has.
 * - The as-of month's snapshot carries the forecast; an earlier month keeps the forecast it was last written with
 *   (the forecast as it stood in that month), so a forecast can be compared with what happened.
 */
import { setImmediate } from 'node:timers/promises';
import Big from 'big.js';

import { entityTimeZone, type BillingEntity } from '../../domain/billing-entity';
import { entityMonths, type ContractMonth, type LedgerLine } from '../../domain/balances';
import { addMonths, minDate, type IsoDate } from '../../domain/dates';
import { reportingCurrency as reportingCurrencyOf } from '../../domain/fx-rates';
import { forecast, type PlannedBillings, type RenewalCandidate } from '../../domain/kpi-forecast';
import { observedDaysLate } from '../../domain/kpi-ledger';
import { GROUP, type Subscription } from '../../domain/kpi-mrr';
import {
  forecastRecords,
  mayWriteSnapshot,
  renewalRecords,
  snapshotKey,
  snapshotRecord,
} from '../../domain/kpi-records';
import { kpiSnapshot, type KpiRecords, type KpiSnapshot } from '../../domain/kpi-snapshot';
import { firstDayOf, monthOf, monthsBetween, type MonthKey } from '../../domain/revenue';
import { dateInZone } from '../../domain/zoned-time';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { KpiQueries, WonRenewalRow } from '../../salesforce/kpi-queries';
import { KpiForecast, KpiRenewal, KpiSnapshot as KpiSnapshotObject } from '../../salesforce/objects';
import type { CompositeBatch, WriteOutcome, WriteRecord, Writeback } from '../../salesforce/writeback';
import { DEALS_PER_WRITE, type DealPlans } from '../billing/deal-plans';
import { describeError } from '../describe-error';
import type { ReferenceData } from '../services/reference-data';
import {
  customerCreditsOf,
  dealFigures,
  foreignInvoicesOf,
  ledgerCreditsOf,
  ledgerInvoicesOf,
  openOpportunitiesOf,
  rateBookOf,
  withRenewals,
} from './kpi-inputs';

export interface KpiRefreshDeps {
  writeback: Pick<Writeback, 'composite'>;
  kpiQueries: KpiQueries;
  dealPlans: Pick<DealPlans, 'compute'>;
  reference: Pick<ReferenceData, 'billingEntities' | 'taxRates'>;
  corporateCurrency: string;
  clock: Pick<Clock, 'now'>;
  log: Pick<Logger, 'info' | 'warn'>;
}

export interface RefreshResult {
  asOf: IsoDate;
  reportingCurrency: string;
  /** Snapshots written open, written one last time as Closed, and left alone because they were Closed. */
  written: number;
  closed: string[];
  frozen: number;
  forecasts: number;
  renewals: number;
  /** What could not be read or computed (a deal, an opportunity), in words. */
  problems: string[];
  /** Salesforce's refusals, by record key. */
  refused: Map<string, string>;
}

/** The day the figures are for: today in the default billing entity's time zone (the group's books). */
export function kpiAsOf(entities: readonly BillingEntity[], now: number): { asOf: IsoDate; timeZone: string } {
  const home = entities.find((e) => e.isDefault) ?? entities[0];
  const timeZone = home ? entityTimeZone(home) : 'UTC';
  return { asOf: dateInZone(now, timeZone), timeZone };
}

/** Forecast months shown: the as-of month and the eleven after it (kpi-forecast.ts's default horizon). */
const HORIZON_MONTHS = 12;

/**
 * The forecast over the whole horizon: a month with nothing in it is written as zeros, so a row written by an earlier
 * run (a deal since lost, an instalment since raised) never keeps a figure that is gone.
 */
function withFullHorizon(snapshot: KpiSnapshot): KpiSnapshot {
  const zero = new Big(0);
  const known = new Map(snapshot.forecast.map((f) => [f.month, f]));
  const first = monthOf(snapshot.asOf);
  const last = monthOf(addMonths(firstDayOf(first), HORIZON_MONTHS - 1));
  const months = [...new Set([...monthsBetween(first, last), ...known.keys()])].sort();
  return {
    ...snapshot,
    forecast: months.map(
      (month) =>
        known.get(month) ?? {
          month,
          futureBillings: zero,
          weightedPipeline: zero,
          renewals: zero,
          cashFromReceivables: zero,
          cashFromBillings: zero,
        },
    ),
  };
}

export function createKpiRefresh(deps: KpiRefreshDeps) {
  const q = deps.kpiQueries;

  /** Tax rate (percent) of each entity's default tax type, from its Xero organisation (cached by reference data). */
  async function taxRates(entities: readonly BillingEntity[]): Promise<Map<string, string>> {
    const rates = new Map<string, string>();
    for (const entity of entities) {
      const found = (await deps.reference.taxRates(entity.xeroTenantId)).find((t) => t.taxType === entity.taxType);
      rates.set(entity.developerName, String(found?.effectiveRate ?? 0));
    }
    return rates;
  }

  /** `wonRenewals`: read once for the whole refresh: a renewal is often in another slice than its contract. */
  async function deals(
    dealIds: readonly string[],
    wonRenewals: readonly WonRenewalRow[],
    entities: readonly BillingEntity[],
    problems: string[],
  ) {
    const tax = await taxRates(entities);
    const subscriptions: Subscription[] = [];
    const revenueLines: LedgerLine[] = [];
    const months: ContractMonth[] = [];
    const plans: PlannedBillings[] = [];
    const candidates: RenewalCandidate[] = [];
    const counted = new Set<string>();
    const accountNames = new Map<string, string>();
    for (let i = 0; i < dealIds.length; i += DEALS_PER_WRITE) {
      const { planned, unplanned } = await deps.dealPlans.compute(dealIds.slice(i, i + DEALS_PER_WRITE));
      for (const u of unplanned) problems.push(`deal ${u.dealId}: ${u.message}`);
      for (const { loaded: deal, plan } of planned) {
        if (deal.row.Account?.Name && deal.row.AccountId) accountNames.set(deal.row.AccountId, deal.row.Account.Name);
        try {
          const figures = dealFigures(deal, plan, tax.get(deal.entity.developerName) ?? '0');
          revenueLines.push(...figures.revenueLines);
          months.push(...figures.months);
          plans.push(figures.planned);
          counted.add(deal.dealId);
          if ('problem' in figures.recurring) {
            problems.push(`deal ${deal.dealId}: not in MRR or renewals: ${figures.recurring.problem}`);
          } else {
            subscriptions.push(figures.recurring.subscription);
            candidates.push(figures.recurring.renewal);
          }
        } catch (err) {
          problems.push(`deal ${deal.dealId}: ${describeError(err)}`);
        }
      }
    }
    const renewals = withRenewals(candidates, wonRenewals, counted);
    return { subscriptions, revenueLines, months, plans, renewals, accountNames };
  }

  return {
    async refresh(): Promise<RefreshResult> {
      const now = deps.clock.now();
      const entities = await deps.reference.billingEntities();
      const { asOf } = kpiAsOf(entities, now);
      const reads = deps.writeback.composite();
      const rates = q.rates(reads);
      const configured = q.reportingCurrency(reads);
      const stored = q.snapshots(reads);
      const storedRenewals = q.renewals(reads);
      const closes = q.postedCloses(reads);
      const invoiceRows = q.invoices(reads);
      const creditRows = q.creditNotes(reads);
      const customerCredit = q.customerCredits(reads);
      const opportunityRows = q.openOpportunities(reads);
      const dealIds = q.planDeals(reads);
      const wonRenewals = q.wonRenewals(reads);
      await reads.run();

      const problems: string[] = [];
      const book = rateBookOf(
        { currencies: await rates.currencies, dated: await rates.dated, table: await rates.table },
        deps.corporateCurrency,
        asOf,
      );
      const reporting = reportingCurrencyOf(await configured, deps.corporateCurrency);
      const invoices = ledgerInvoicesOf(await invoiceRows);
      const credits = [
        ...ledgerCreditsOf(await creditRows),
        ...customerCreditsOf(await customerCredit.credits, await customerCredit.uses),
      ];
      const pipeline = openOpportunitiesOf(await opportunityRows, entities, deps.corporateCurrency);
      problems.push(...pipeline.problems);
      const contracts = await deals(await dealIds, await wonRenewals, entities, problems);

      const records: KpiRecords = {
        asOf,
        reportingCurrency: reporting,
        book,
        subscriptions: contracts.subscriptions,
        invoices,
        credits,
        revenueMonths: entityMonths(contracts.months),
        revenueLines: contracts.revenueLines,
        foreignInvoices: foreignInvoicesOf(await invoiceRows, credits, entities),
      };
      const asOfMonth = monthOf(asOf);
      const forecastOfMonth = forecast({
        asOf,
        plans: contracts.plans,
        opportunities: pipeline.opportunities,
        renewals: contracts.renewals,
        invoices,
        credits,
        daysLate: observedDaysLate(invoices, asOf),
      });

      // Months from the first with anything in it to the as-of month.
      const starts = [
        ...invoices.map((i) => i.date),
        ...credits.map((c) => c.date),
        ...contracts.subscriptions.map((s) => s.start),
      ].map((d) => monthOf(minDate(d, asOf)));
      const first = starts.length > 0 ? starts.reduce((a, b) => (a < b ? a : b)) : asOfMonth;
      const months = monthsBetween(first, asOfMonth);

      const statusOf = new Map((await stored).map((s) => [s.Snapshot_Key__c ?? '', s.Status__c]));
      const posted = new Set(
        (await closes)
          .filter((c) => c.Billing_Entity__c && c.Period_Start__c)
          .map((c) => snapshotKey(c.Billing_Entity__c!, monthOf(c.Period_Start__c!))),
      );
      const closesMonth = (scope: string, month: MonthKey) =>
        scope === GROUP
          ? entities.length > 0 && entities.every((e) => posted.has(snapshotKey(e.developerName, month)))
          : posted.has(snapshotKey(scope, month));

      const refreshedAt = new Date(now).toISOString();
      const snapshots: WriteRecord<typeof KpiSnapshotObject>[] = [];
      const forecasts: WriteRecord<typeof KpiForecast>[] = [];
      const closed: string[] = [];
      let frozen = 0;
      let groupNow: KpiSnapshot | undefined;
      for (const scope of [...entities.map((e) => e.developerName), GROUP]) {
        for (const month of months) {
          const key = snapshotKey(scope, month);
          if (!mayWriteSnapshot({ Status__c: statusOf.get(key) ?? null })) {
            frozen += 1;
            continue;
          }
          // A month's snapshot is CPU alone (every deal's revenue to that month): hand the event loop back between
          // them, so webhooks, other loops and /ready are not held for the whole refresh (the bench saw 0.4-0.7 s
          // stalls at 3,000 deals, and they grow with the book).
          await setImmediate();
          const isOpenMonth = month === asOfMonth;
          const snapshot = kpiSnapshot(isOpenMonth ? { ...records, forecast: forecastOfMonth } : records, month, scope);
          const record = snapshotRecord(snapshot, refreshedAt);
          if (closesMonth(scope, month)) {
            snapshots.push({ ...record, Status__c: 'Closed', Closed_At__c: refreshedAt } as WriteRecord<
              typeof KpiSnapshotObject
            >);
            closed.push(key);
            continue;
          }
          snapshots.push(record as WriteRecord<typeof KpiSnapshotObject>);
          if (isOpenMonth) {
            forecasts.push(
              ...forecastRecords(withFullHorizon(snapshot)).map(
                (f) => ({ ...f, KPI_Snapshot__r: { Snapshot_Key__c: key } }) as WriteRecord<typeof KpiForecast>,
              ),
            );
            if (scope === GROUP) groupNow = snapshot;
          }
        }
      }

      const renewals: WriteRecord<typeof KpiRenewal>[] = groupNow
        ? (renewalRecords(groupNow, contracts.accountNames) as WriteRecord<typeof KpiRenewal>[])
        : [];
      // A renewal due before that is no longer due: renewed (a won renewal replaced it) or lapsed (its term ended, or
      // an amendment ended it early: a cancelled contract is not coming up for renewal).
      const dueNow = new Set(renewals.map((r) => String(r.Renewal_Key__c)));
      const renewedKeys = new Set(contracts.renewals.filter((r) => r.renewed).map((r) => r.contractKey));
      const cancelledKeys = new Set(contracts.renewals.filter((r) => r.cancelled).map((r) => r.contractKey));
      const settled = (await storedRenewals)
        .filter((r) => r.Renewal_Key__c && !dueNow.has(r.Renewal_Key__c))
        .flatMap((r) =>
          renewedKeys.has(r.Renewal_Key__c!)
            ? [{ Id: r.Id, Status__c: 'Renewed' }]
            : cancelledKeys.has(r.Renewal_Key__c!) || (r.Contract_End_Date__c && r.Contract_End_Date__c < asOf)
              ? [{ Id: r.Id, Status__c: 'Lapsed' }]
              : [],
        );

      const writes: CompositeBatch = deps.writeback.composite();
      const refused = new Map<string, string>();
      const track = (keys: string[], outcomes: Promise<WriteOutcome[]>) =>
        outcomes.then((list) =>
          list.forEach((o, i) => {
            if (!o.ok) refused.set(keys[i] ?? `#${i}`, o.errors.map((e) => `${e.statusCode} ${e.message}`).join('; '));
          }),
        );
      const done = [
        track(
          snapshots.map((s) => String(s.Snapshot_Key__c)),
          writes.upsert(KpiSnapshotObject, 'Snapshot_Key__c', snapshots),
        ),
        track(
          forecasts.map((f) => String(f.Forecast_Key__c)),
          writes.upsert(KpiForecast, 'Forecast_Key__c', forecasts),
        ),
        track(
          renewals.map((r) => String(r.Renewal_Key__c)),
          writes.upsert(KpiRenewal, 'Renewal_Key__c', renewals),
        ),
        track(
          settled.map((r) => r.Id),
          writes.update(KpiRenewal, settled),
        ),
      ];
      await writes.run();
      await Promise.all(done);

      const result: RefreshResult = {
        asOf,
        reportingCurrency: reporting,
        written: snapshots.length,
        closed,
        frozen,
        forecasts: forecasts.length,
        renewals: renewals.length,
        problems,
        refused,
      };
      if (problems.length > 0 || refused.size > 0) {
        deps.log.warn(
          { problems, refused: Object.fromEntries(refused) },
          'KPI refresh: some records could not be computed or written',
        );
      }
      deps.log.info(
        { asOf, written: result.written, closed, frozen, forecasts: result.forecasts, renewals: result.renewals },
        'KPI snapshots refreshed',
      );
      return result;
    },
  };
}

export type KpiRefresh = ReturnType<typeof createKpiRefresh>;
