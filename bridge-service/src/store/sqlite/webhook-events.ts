import type { WebhookEventRepository } from '../webhook-events';
import type { SqliteDatabase } from './database';

export class SqliteWebhookEvents implements WebhookEventRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly orgId: string,
  ) {}

  async markWebhookEventProcessed(eventKey: string): Promise<boolean> {
    return (
      this.db.run(
        `INSERT INTO webhook_events (org_id, event_key, received_at) VALUES (?, ?, ?)
         ON CONFLICT (org_id, event_key) DO NOTHING`,
        this.orgId,
        eventKey,
        this.db.clock.now(),
      ).changes > 0
    );
  }

  async pruneWebhookEvents(before: number): Promise<number> {
    return Number(
      this.db.run('DELETE FROM webhook_events WHERE org_id = ? AND received_at < ?', this.orgId, before).changes,
    );
  }
}
