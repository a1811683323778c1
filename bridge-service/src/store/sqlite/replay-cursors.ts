import type { ReplayCursorRepository } from '../replay-cursors';
import type { SqliteDatabase } from './database';

export class SqliteReplayCursors implements ReplayCursorRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async getReplayId(channel: string): Promise<number | null> {
    const row = this.db.get('SELECT replay_id FROM replay_cursors WHERE channel = ?', channel);
    return row ? Number(row.replay_id) : null;
  }

  async saveReplayId(channel: string, replayId: number): Promise<void> {
    this.db.run(
      `INSERT INTO replay_cursors (channel, replay_id, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (channel) DO UPDATE SET replay_id = excluded.replay_id, updated_at = excluded.updated_at`,
      channel,
      replayId,
      this.db.clock.now(),
    );
  }
}
