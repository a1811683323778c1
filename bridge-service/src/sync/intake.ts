/**
 * From platform event to stored job. A valid request becomes a job keyed by its Request_Key__c (a replayed event
 * finds its job already there and adds nothing); an invalid one is logged with its reason and stored nowhere.
 * Only after this resolves does the subscriber save the event's replay id.
 */
import type { Logger } from '../lib/logger';
import type { StreamedEvent } from '../salesforce/event-subscriber';
import { parseInvoiceRequest } from '../salesforce/invoice-request';
import type { SalesforceNames } from '../salesforce/schema';
import type { Store } from '../store/types';

export interface IntakeStats {
  accepted: number;
  duplicates: number;
  rejected: number;
}

export function createIntake(deps: {
  store: Pick<Store, 'enqueueJob'>;
  names: SalesforceNames;
  log: Logger;
  onAccepted?: () => void;
  observeLag?: (seconds: number) => void;
  now?: () => number;
}) {
  const stats: IntakeStats = { accepted: 0, duplicates: 0, rejected: 0 };
  const now = deps.now ?? Date.now;

  async function handle(message: StreamedEvent): Promise<void> {
    const replayId = message.event?.replayId;
    const parsed = parseInvoiceRequest(message.payload, deps.names);
    if (!parsed.ok) {
      stats.rejected += 1;
      deps.log.warn({ replayId, reason: parsed.reason }, 'invoice request refused');
      return;
    }
    const { request } = parsed;
    const created = String(message.payload?.CreatedDate ?? '');
    if (created && deps.observeLag) deps.observeLag(Math.max(0, (now() - Date.parse(created)) / 1000));
    const { created: isNew } = await deps.store.enqueueJob({
      key: request.requestKey,
      action: request.action,
      payload: request,
    });
    if (isNew) {
      stats.accepted += 1;
      deps.log.info({ requestKey: request.requestKey, replayId }, 'invoice request queued');
      deps.onAccepted?.();
    } else {
      stats.duplicates += 1;
      deps.log.debug({ requestKey: request.requestKey, replayId }, 'invoice request already queued');
    }
  }

  return { handle, stats };
}
