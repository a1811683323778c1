import type { WebhookEventRepository } from '../webhook-events';
import type { SqliteDatabase } from './database';

export class SqliteWebhookEvents implements WebhookEventRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async markWebhookEventProcessed(eventKey: string): Promise<boolean> {
    return (
      this.db.run(
        'INSERT INTO webhook_events (event_key, received_at) VALUES (?, ?) ON CONFLICT (event_key) DO NOTHING',
        eventKey,
        this.db.clock.now(),
      ).changes > 0
    );
  }

  async pruneWebhookEvents(before: number): Promise<number> {
    return Number(this.db.run('DELETE FROM webhook_events WHERE received_at < ?', before).changes);
  }
}
