/**
 * The month-end close in the bridge (issue 16): its kinds of job, assembled by sync/index.ts. CLOSE_PROPOSE writes
 * each entity's close once its month has ended; POST_CLOSE posts what finance approved; CLOSE_TIEOUT compares Xero's
 * Trial Balance with the schedules afterwards.
 */
import { entityTimeZone } from '../../domain/billing-entity';
import { isCarriedClose, isPostedClose } from '../../domain/close-rules';
import type { CloseQueries } from '../../salesforce/close-queries';
import { nextMonth } from '../../domain/revenue';
import { handles, type KindHandler } from '../handler';
import type { ReferenceData } from '../services/reference-data';
import { postCloseHandler, type PostCloseDeps } from './post-handler';
import { closeProposeHandler, type ProposeDeps } from './propose-handler';
import { closeTieOutHandler, type TieOutDeps } from './tieout-handler';
import { monthOfClose } from './records';
import { createCloseTriggers } from './triggers';

export type CloseDeps = Omit<PostCloseDeps, 'closeTriggers'> &
  TieOutDeps &
  Omit<ProposeDeps, 'closeTriggers' | 'reference'> & {
    reference: Pick<ReferenceData, 'settings' | 'entity' | 'entityLineRow' | 'billingEntities'>;
    closeQueries: Pick<CloseQueries, 'openAndPostedCloses'>;
  };

export function createClose(deps: CloseDeps): { handlers: KindHandler[]; start(): Promise<void> } {
  const closeTriggers = createCloseTriggers(deps);
  return {
    handlers: [
      handles('CLOSE_PROPOSE', closeProposeHandler({ ...deps, closeTriggers })),
      handles('POST_CLOSE', postCloseHandler({ ...deps, closeTriggers })),
      handles('CLOSE_TIEOUT', closeTieOutHandler(deps)),
    ],
    /**
     * Asks for each entity's close of last month and of this month (idempotent: a month is proposed once; asking for
     * this month's here too means a start-up proposal adds no job when it stores the next month's), and for tomorrow
     * morning's re-proposal of each close still Proposed or Refused (a bridge that stopped between refusing a close
     * and storing its re-proposal would otherwise leave it Refused for good), except one a later posted close carried:
     * it never posts (close-rules.ts isCarriedClose).
     */
    async start(): Promise<void> {
      const closes = Map.groupBy(await deps.closeQueries.openAndPostedCloses(), (close) =>
        String(close.Billing_Entity__c),
      );
      for (const entity of await deps.reference.billingEntities()) {
        const zone = entityTimeZone(entity);
        const previous = closeTriggers.previousMonth(zone);
        await closeTriggers.ensure(entity.developerName, previous, zone);
        await closeTriggers.ensure(entity.developerName, nextMonth(previous), zone);
        const ofEntity = (closes.get(entity.developerName) ?? []).map((c) => ({
          month: monthOfClose(c),
          status: String(c.Status__c),
        }));
        for (const close of ofEntity) {
          if (isPostedClose(close.status) || isCarriedClose(close.month, ofEntity)) continue;
          await closeTriggers.recheck(entity.developerName, close.month, zone);
        }
      }
    },
  };
}
