/**
 * The inbound half of the bridge (Xero → Salesforce): webhook intake, the XERO_CHANGE job handler and the
 * polling fallback. bridge.ts wires them: `acceptWebhook` → intake.accept, the handler into the worker, the
 * poller started with the worker and stopped with the other intakes.
 */
export { createWebhookIntake, webhookJobKey, XERO_CHANGE } from './webhook-intake';
export { xeroChangeHandler, type XeroChangeDeps } from './xero-change-handler';
export { createXeroPoller, type XeroPoller } from './poller';
export { createInboundApply, isNewer, planInvoice, type InboundApply } from './apply';
