/** Webhook event keys already seen (Xero repeats deliveries for up to 24 hours). */
export interface WebhookEventRepository {
  /** True the first time an event key is seen, false on every repeat. */
  markWebhookEventProcessed(eventKey: string): Promise<boolean>;
  /** Forgets event keys older than `before` (epoch ms). Returns how many. */
  pruneWebhookEvents(before: number): Promise<number>;
}
