/**
 * Billing plans and revenue schedules in the bridge (issue 15): the plan service, its three kinds of job, and the
 * daily re-plan each time zone's entities get. Assembled by sync/index.ts; the triggers are made in bridge.ts
 * (the invoice summaries ask for re-plans through them).
 */
import { entityTimeZone } from '../../domain/billing-entity';
import { handles, type KindHandler } from '../handler';
import { createDealPlans, type DealPlansDeps } from './deal-plans';
import { replanDailyHandler } from './daily-handler';
import { planBillingHandler } from './plan-handler';
import { raiseInstalmentHandler, type RaiseDeps } from './raise-handler';
import type { BillingTriggers } from './triggers';

export { createBillingTriggers, type BillingTriggers } from './triggers';

export type BillingDeps = Omit<DealPlansDeps, 'triggers'> &
  Omit<RaiseDeps, 'dealPlans' | 'billingTriggers'> & {
    billingTriggers: BillingTriggers;
    revenueQueries: DealPlansDeps['revenueQueries'] & Parameters<typeof replanDailyHandler>[0]['revenueQueries'];
  };

export function createBilling(deps: BillingDeps) {
  const dealPlans = createDealPlans({ ...deps, triggers: deps.billingTriggers });
  const handlers: KindHandler[] = [
    handles('PLAN_BILLING', planBillingHandler({ dealPlans })),
    handles('RAISE_INSTALMENT', raiseInstalmentHandler({ ...deps, dealPlans })),
    handles('REPLAN_DAILY', replanDailyHandler({ ...deps, triggers: deps.billingTriggers })),
  ];
  return {
    dealPlans,
    handlers,
    /** Asks for today's re-plan in each time zone the billing entities keep their books in (idempotent). */
    async start(): Promise<void> {
      const zones = new Set((await deps.reference.billingEntities()).map(entityTimeZone));
      for (const zone of zones) await deps.billingTriggers.ensureDaily(zone);
    },
  };
}

export type Billing = ReturnType<typeof createBilling>;
