import type { LeaseFence } from '../leases';
import type { ReplayCursorRepository } from '../replay-cursors';
import type { SqliteDatabase } from './database';

export class SqliteReplayCursors implements ReplayCursorRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly orgId: string,
  ) {}

  async getReplayId(channel: string): Promise<number | null> {
    const row = this.db.get(
      'SELECT replay_id FROM replay_cursors WHERE org_id = ? AND channel = ?',
      this.orgId,
      channel,
    );
    return row ? Number(row.replay_id) : null;
  }

  async savedAt(channel: string): Promise<number | null> {
    const row = this.db.get(
      'SELECT updated_at FROM replay_cursors WHERE org_id = ? AND channel = ?',
      this.orgId,
      channel,
    );
    return row ? Number(row.updated_at) : null;
  }

  async saveReplayId(channel: string, replayId: number): Promise<void> {
    await this.save(channel, replayId);
  }

  async saveFencedReplayId(channel: string, replayId: number, fence: LeaseFence): Promise<boolean> {
    return this.save(channel, replayId, fence);
  }

  private async save(channel: string, replayId: number, fence?: LeaseFence): Promise<boolean> {
    const now = this.db.clock.now();
    const held = fence
      ? ([
          `EXISTS (SELECT 1 FROM leases WHERE org_id = ? AND name = ? AND owner = ? AND token = ? AND expires_at > ?)`,
          [this.orgId, fence.name, fence.owner, fence.token, now],
        ] as const)
      : (['1', []] as const);
    return (
      this.db.run(
        `INSERT INTO replay_cursors (org_id, channel, replay_id, updated_at) SELECT ?, ?, ?, ? WHERE ${held[0]}
         ON CONFLICT (org_id, channel) DO UPDATE SET replay_id = excluded.replay_id, updated_at = excluded.updated_at`,
        this.orgId,
        channel,
        replayId,
        now,
        ...held[1],
      ).changes > 0
    );
  }
}
