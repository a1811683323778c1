/**
 * The one billing-plan service: read deals (deals.ts), plan them with the domain (deal-plan.ts) on their entity's
 * today, write what they hold (plan-writer.ts) and ask for each instalment still to raise on its date
 * (triggers.ts). PLAN_BILLING, RAISE_INSTALMENT and CREATE_DRAFT (what a closing request bills) all plan through here,
 * so a deal is planned one way wherever the work comes from.
 */
import { entityTimeZone } from '../../domain/billing-entity';
import { billedAtClose, planDeal, type DealPlan } from '../../domain/deal-plan';
import type { Instalment } from '../../domain/billing-plan';
import { dateInZone } from '../../domain/zoned-time';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import { createYielder } from '../../lib/yielder';
import { describeError } from '../describe-error';
import { loadDeals, type DealLoaderDeps, type LoadedDeal, type LoadedDeals } from './deals';
import { writePlans, type PlannedDeal, type PlanWriterDeps, type UnplannedDeal } from './plan-writer';
import type { BillingTriggers } from './triggers';

/**
 * Deals read and written together. Reads are two Composite calls whatever the slice holds (a query per 1,000 ids), so
 * larger slices mean fewer of them: a backlog of 10,000 deals is 10 slices, not 50. Planning a slice is CPU alone,
 * done in turns (lib/yielder.ts) so nothing else waits on it for long.
 */
export const DEALS_PER_WRITE = 1_000;

export interface DealPlansDeps extends DealLoaderDeps, PlanWriterDeps {
  clock: Pick<Clock, 'now'>;
  triggers: Pick<BillingTriggers, 'raise'>;
  log: Pick<Logger, 'info' | 'warn'>;
}

/** What a closing request bills (CREATE_DRAFT). */
export type ClosingBill =
  { kind: 'signature'; instalment?: Instalment } | { kind: 'periodic' } | { kind: 'error'; message: string };

export interface ComputedDeals {
  loaded: LoadedDeals;
  planned: PlannedDeal[];
  unplanned: UnplannedDeal[];
}

export interface ReplanResult {
  planned: number;
  unplanned: number;
  /** Instalment jobs newly due now. */
  due: number;
  /** Salesforce's refusals by deal. */
  refused: Map<string, string[]>;
  /** Deals a revenue month of was closed after they were read (plan-writer.ts `frozen`). */
  frozen: Set<string>;
}

export function createDealPlans(deps: DealPlansDeps) {
  const today = (deal: LoadedDeal) => dateInZone(deps.clock.now(), entityTimeZone(deal.entity));

  async function compute(opportunityIds: readonly string[]): Promise<ComputedDeals> {
    const loaded = await loadDeals(deps, opportunityIds);
    const planned: PlannedDeal[] = [];
    const unplanned: UnplannedDeal[] = [...loaded.problems].map(([dealId, problem]) => ({
      dealId,
      accountId: problem.row?.AccountId ?? null,
      message: problem.message,
    }));
    const yielder = createYielder();
    for (const deal of loaded.deals.values()) {
      await yielder.pause();
      try {
        const plan: DealPlan = planDeal({ ...deal.input, today: today(deal) });
        planned.push({ loaded: deal, plan, timeZone: entityTimeZone(deal.entity) });
      } catch (err) {
        unplanned.push({ dealId: deal.dealId, accountId: deal.row.AccountId, message: describeError(err) });
      }
    }
    return { loaded, planned, unplanned };
  }

  async function replanSlice(opportunityIds: readonly string[]): Promise<ReplanResult> {
    const { planned, unplanned } = await compute(opportunityIds);
    const { refused, frozen } = await writePlans(deps, planned, unplanned);
    for (const u of unplanned) deps.log.warn({ dealId: u.dealId, message: u.message }, 'deal not planned');
    // An instalment is asked for only once its plan is in Salesforce: the plan is seen before its invoice.
    const due = await deps.triggers.raise(
      planned
        .filter((p) => !refused.has(p.loaded.dealId))
        .flatMap((p) =>
          p.plan.plan.instalments
            // A held credit note is asked for when a re-plan finds it no longer held.
            .filter((i) => !p.plan.requestOwned.has(i.issueDate) && !p.plan.held.has(i.key))
            .map((i) => ({ key: i.key, dealId: p.loaded.dealId, issueDate: i.issueDate, timeZone: p.timeZone })),
        ),
    );
    return { planned: planned.length, unplanned: unplanned.length, due, refused, frozen };
  }

  return {
    compute,

    /**
     * Re-plans the deals of these Opportunities, writes them, and asks for each instalment still to raise, in
     * slices of DEALS_PER_WRITE (a backlog of thousands is read and written a slice at a time).
     */
    async replan(opportunityIds: readonly string[]): Promise<ReplanResult> {
      const total: ReplanResult = { planned: 0, unplanned: 0, due: 0, refused: new Map(), frozen: new Set() };
      const ids = [...new Set(opportunityIds)];
      for (let i = 0; i < ids.length; i += DEALS_PER_WRITE) {
        const part = await replanSlice(ids.slice(i, i + DEALS_PER_WRITE));
        total.planned += part.planned;
        total.unplanned += part.unplanned;
        total.due += part.due;
        for (const [deal, reasons] of part.refused) total.refused.set(deal, reasons);
        for (const deal of part.frozen) total.frozen.add(deal);
      }
      return total;
    },

    /** What each of these closing Opportunities bills now (CREATE_DRAFT of an amendment or a renewal). */
    async billedAtClose(opportunityIds: readonly string[]): Promise<Map<string, ClosingBill>> {
      const loaded = await loadDeals(deps, opportunityIds);
      const bills = new Map<string, ClosingBill>();
      for (const id of opportunityIds) {
        const dealId = loaded.dealOf.get(id);
        const deal = dealId ? loaded.deals.get(dealId) : undefined;
        if (!deal) {
          const problem = dealId ? loaded.problems.get(dealId) : undefined;
          bills.set(id, { kind: 'error', message: problem?.message ?? `Opportunity ${id} was not found` });
          continue;
        }
        try {
          const bill = billedAtClose({ ...deal.input, today: today(deal) }, id);
          bills.set(
            id,
            !bill.signature
              ? { kind: 'periodic' }
              : bill.held
                ? // Refused in words on the record: retried from Salesforce once the deal can take the credit back.
                  { kind: 'error', message: `${bill.held}. Retry this request then.` }
                : bill.instalment
                  ? { kind: 'signature', instalment: bill.instalment }
                  : { kind: 'signature' },
          );
        } catch (err) {
          bills.set(id, { kind: 'error', message: describeError(err) });
        }
      }
      return bills;
    },
  };
}

export type DealPlans = ReturnType<typeof createDealPlans>;
