/**
 * The bridge's own upkeep (jobs.ts): its one kind of job and the daily run. Assembled by sync/index.ts when the bridge
 * is given a retention (bridge.ts: JOB_RETENTION_DAYS).
 */
import { handles, type KindHandler } from '../handler';
import { createPruneTriggers, pruneJobsHandler, type PruneJobsDeps } from './prune-jobs';

export { DONE_JOBS_KEPT, PRUNE_BATCH } from './prune-jobs';

export function createHousekeeping(deps: Omit<PruneJobsDeps, 'triggers'> & Parameters<typeof createPruneTriggers>[0]): {
  handlers: KindHandler[];
  start(): Promise<void>;
} {
  const triggers = createPruneTriggers(deps);
  return {
    handlers: [handles('PRUNE_JOBS', pruneJobsHandler({ ...deps, triggers }))],
    /** Asks for today's prune (idempotent: every replica asks, one is stored). */
    start: () => triggers.ensureDaily(),
  };
}
