/**
 * When closes are proposed: each entity's close of a month is a stored job, due at 07:00 on the first day after the
 * month in the entity's time zone (after that morning's instalments at 06:00), keyed by entity and month, so it runs
 * once, and a bridge that was down runs it when it is back. Each proposal stores the next month's, and, while the
 * close is still Proposed or Refused, its own re-proposal at 07:00 the next day (keyed by that day); so does a close
 * refused at posting. No cut-off: closes post in month order, so a close left open holds the later months up, and a
 * refused one must come back once its cause is fixed (a lock date moved back weeks later).
 */
import { addDays } from '../../domain/dates';
import { dateInZone, instantInZone } from '../../domain/zoned-time';
import { lastDayOf, monthOf } from '../../domain/revenue';
import type { Clock } from '../../lib/clock';
import type { JobRepository } from '../../store/types';
import type { JobPayload } from '../job-kinds';
import { closeProposeKey } from './jobs';

/** Hour of the first day after a month, in the entity's time zone, at which its close is proposed. */
export const CLOSE_PROPOSE_HOUR = 7;

export function createCloseTriggers(deps: {
  jobs: Pick<JobRepository, 'enqueueJob'>;
  clock: Pick<Clock, 'now'>;
  wake?: () => void;
}) {
  return {
    /** The close of `month` for `entity`, due once the month has ended there (idempotent). */
    async ensure(entity: string, month: string, timeZone: string): Promise<void> {
      const runAt = instantInZone(addDays(lastDayOf(month), 1), CLOSE_PROPOSE_HOUR, timeZone);
      const { created } = await deps.jobs.enqueueJob<JobPayload<'CLOSE_PROPOSE'>>({
        key: closeProposeKey(entity, month),
        action: 'CLOSE_PROPOSE',
        payload: { entity, month },
        runAt,
      });
      if (created && runAt <= deps.clock.now()) deps.wake?.();
    },

    /** The close of `month` proposed again at 07:00 tomorrow in the zone (idempotent for the day). */
    async recheck(entity: string, month: string, timeZone: string): Promise<void> {
      const tomorrow = addDays(dateInZone(deps.clock.now(), timeZone), 1);
      await deps.jobs.enqueueJob<JobPayload<'CLOSE_PROPOSE'>>({
        key: `${closeProposeKey(entity, month)}:${tomorrow}`,
        action: 'CLOSE_PROPOSE',
        payload: { entity, month },
        runAt: instantInZone(tomorrow, CLOSE_PROPOSE_HOUR, timeZone),
      });
    },

    /**
     * The close of `month` proposed again now: the close before it was just posted (`after`: its version's key), so a
     * month that waited for it is proposed at once, and finance can approve both in one sitting. A second later:
     * Salesforce keeps whole seconds, and a version proposed in the second the close before it was posted would be
     * taken as older than that posting (close-rules.ts checkCloseOrder).
     */
    async proposeNow(entity: string, month: string, after: string): Promise<void> {
      await deps.jobs.enqueueJob<JobPayload<'CLOSE_PROPOSE'>>({
        key: `${closeProposeKey(entity, month)}:after:${after}`,
        action: 'CLOSE_PROPOSE',
        payload: { entity, month },
        runAt: deps.clock.now() + 1_000,
      });
    },

    /** The month before today's in the zone: the close a bridge starting now asks for first. */
    previousMonth(timeZone: string): string {
      const today = dateInZone(deps.clock.now(), timeZone);
      return monthOf(addDays(`${today.slice(0, 7)}-01`, -1));
    },
  };
}

export type CloseTriggers = ReturnType<typeof createCloseTriggers>;
