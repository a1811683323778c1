/**
 * The month-end close in the bridge (issue 16): its kinds of job, assembled by sync/index.ts. POST_CLOSE posts what
 * finance approved; CLOSE_TIEOUT compares Xero's Trial Balance with the schedules afterwards.
 */
import { handles, type KindHandler } from '../handler';
import { postCloseHandler, type PostCloseDeps } from './post-handler';
import { closeTieOutHandler, type TieOutDeps } from './tieout-handler';

export type CloseDeps = PostCloseDeps & TieOutDeps;

export function createClose(deps: CloseDeps): { handlers: KindHandler[] } {
  return {
    handlers: [handles('POST_CLOSE', postCloseHandler(deps)), handles('CLOSE_TIEOUT', closeTieOutHandler(deps))],
  };
}
