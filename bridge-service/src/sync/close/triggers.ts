/**
 * When closes are proposed: each entity's close of a month is a stored job, due at 07:00 on the first day after the
 * month in the entity's time zone (after that morning's instalments at 06:00), keyed by entity and month, so it runs
 * once, and a bridge that was down runs it when it is back. Each proposal stores the next month's, and, while the
 * close is still Proposed or Refused and the month ended at most CLOSE_RECHECK_DAYS ago, its own re-proposal at 07:00
 * the next day (keyed by that day).
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
/** Days after the month end during which an open (Proposed or Refused) close is proposed again each morning. */
export const CLOSE_RECHECK_DAYS = 10;

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

    /**
     * The close of `month` proposed again at 07:00 tomorrow in the zone, while it is open and for the first
     * CLOSE_RECHECK_DAYS days after the month (a close's working week); after that a later month's close catches up.
     */
    async recheck(entity: string, month: string, timeZone: string): Promise<void> {
      const tomorrow = addDays(dateInZone(deps.clock.now(), timeZone), 1);
      if (tomorrow > addDays(lastDayOf(month), CLOSE_RECHECK_DAYS)) return;
      await deps.jobs.enqueueJob<JobPayload<'CLOSE_PROPOSE'>>({
        key: `${closeProposeKey(entity, month)}:${tomorrow}`,
        action: 'CLOSE_PROPOSE',
        payload: { entity, month },
        runAt: instantInZone(tomorrow, CLOSE_PROPOSE_HOUR, timeZone),
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
