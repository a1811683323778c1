/**
 * The inbound half of the bridge (Xero → Salesforce): webhook intake, the XERO_CHANGE job handler and the
 * polling fallback. bridge.ts wires them: `acceptWebhook` → intake.accept, the handler into the worker, the
 * poller started with the worker and stopped with the other intakes.
 */
import type { Action } from '../../salesforce/invoice-request';
import type { ActionHandler } from '../handler';
import type { SyncDeps } from '../sync-deps';
import { XERO_CHANGE } from './webhook-intake';
import { xeroChangeHandler } from './xero-change-handler';

export { createWebhookIntake, webhookJobKey, XERO_CHANGE } from './webhook-intake';
export { xeroChangeHandler } from './xero-change-handler';
export { createXeroPoller, type XeroPoller } from './poller';
export { createInboundApply, isNewer, planInvoice } from './apply';

/**
 * The worker's handler for XERO_CHANGE jobs. The worker's map is typed by Salesforce's actions; XERO_CHANGE is
 * the bridge's own job kind, stored and claimed the same way.
 */
export function inboundHandlers(deps: SyncDeps): Partial<Record<Action, ActionHandler>> {
  return { [XERO_CHANGE]: xeroChangeHandler(deps) } as Partial<Record<Action, ActionHandler>>;
}
