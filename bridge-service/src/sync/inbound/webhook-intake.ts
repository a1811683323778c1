/**
 * From verified Xero webhook to stored jobs, fast: each event becomes one XERO_CHANGE job keyed by what it says
 * (tenant, category, resource, event time), so a delivery Xero repeats, or the same event inside a duplicated
 * batch, collapses onto the job already stored. Fetching the changed documents happens later, in the worker.
 */
import type { Logger } from '../../lib/logger';
import type { XeroWebhookEvent, XeroWebhookPayload } from '../../server/deps';
import type { JobRepository, XeroConnectionRepository } from '../../store/types';

export const XERO_CHANGE = 'XERO_CHANGE';

/** The categories whose documents the bridge mirrors (CONTACT and SUBSCRIPTION events are acknowledged only). */
export const MIRRORED_CATEGORIES = ['INVOICE', 'CREDITNOTE'] as const;

export interface WebhookIntakeStats {
  accepted: number;
  duplicates: number;
  /** Acknowledged, not stored: categories the bridge does not mirror, and tenants no connection reaches. */
  ignored: number;
}

/** `XERO:<tenantId>:<eventCategory>:<resourceId>:<eventDateUtc>`: the same event always gets the same key. */
export function webhookJobKey(event: XeroWebhookEvent, receivedAt: number): string {
  // An event without a time cannot be told from a later change of the same document: key it by arrival.
  const when = typeof event.eventDateUtc === 'string' && event.eventDateUtc ? event.eventDateUtc : `rx${receivedAt}`;
  return `XERO:${event.tenantId.toLowerCase()}:${event.eventCategory.toUpperCase()}:${event.resourceId.toLowerCase()}:${when}`;
}

export function createWebhookIntake(deps: {
  jobs: Pick<JobRepository, 'enqueueJob'>;
  /** With it, events for tenants no connection reaches are dropped (the bridge always passes it). */
  xeroConnections?: Pick<XeroConnectionRepository, 'listXeroTenants'>;
  log: Logger;
  /** New work stored: wake the worker. */
  onAccepted?: () => void;
  /**
   * A webhook of the tenant was heard (once per connected tenant in a delivery, any category, repeats included): its
   * webhooks are on, which the poller goes by. Nothing is woken here: the event may be the echo of the bridge's own
   * approval or email; the XERO_CHANGE job wakes the poller when it writes a change (xero-change-handler.ts).
   */
  onHeard?: (tenantId: string) => void;
  now?: () => number;
}) {
  const stats: WebhookIntakeStats = { accepted: 0, duplicates: 0, ignored: 0 };
  const now = deps.now ?? Date.now;

  async function accept(payload: XeroWebhookPayload): Promise<void> {
    const receivedAt = now();
    let accepted = 0;
    const heard = new Set<string>();
    // A signed event for a tenant we hold no connection for (disconnected, or never connected) cannot be fetched:
    // storing it would only make a job that fails. Acknowledge it (Xero disables a webhook that keeps failing) and
    // say so in the log.
    const connected =
      payload.events.length > 0 && deps.xeroConnections
        ? new Set((await deps.xeroConnections.listXeroTenants()).map((t) => t.tenantId.toLowerCase()))
        : undefined;
    for (const event of payload.events) {
      const category = event.eventCategory.toUpperCase();
      const reached = !connected || connected.has(event.tenantId.toLowerCase());
      if (reached && event.tenantType !== 'APPLICATION') heard.add(event.tenantId);
      if (!(MIRRORED_CATEGORIES as readonly string[]).includes(category)) {
        stats.ignored += 1;
        continue;
      }
      if (!reached) {
        stats.ignored += 1;
        deps.log.warn(
          {
            tenantId: event.tenantId.slice(0, 64),
            eventCategory: category,
            resourceId: event.resourceId,
            eventType: event.eventType.slice(0, 64),
          },
          'Xero webhook event ignored: its tenant is not connected to the bridge',
        );
        continue;
      }
      const { created } = await deps.jobs.enqueueJob({
        key: webhookJobKey(event, receivedAt),
        action: XERO_CHANGE,
        tenantId: event.tenantId,
        payload: {
          resourceId: event.resourceId,
          eventCategory: category,
          eventType: event.eventType,
          eventDateUtc: event.eventDateUtc ?? null,
          tenantId: event.tenantId,
        },
      });
      if (created) accepted += 1;
      else stats.duplicates += 1;
    }
    stats.accepted += accepted;
    if (payload.events.length > 0) {
      deps.log.info(
        { events: payload.events.length, accepted, lastEventSequence: payload.lastEventSequence },
        'Xero webhook stored',
      );
    }
    if (accepted > 0) deps.onAccepted?.();
    for (const tenantId of heard) deps.onHeard?.(tenantId);
  }

  return { accept, stats };
}

export type WebhookIntake = ReturnType<typeof createWebhookIntake>;
