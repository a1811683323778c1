import type { LeaseRepository } from '../leases';
import type { SqliteDatabase } from './database';

export class SqliteLeases implements LeaseRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async tryAcquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.db.transaction(() => {
      const now = this.db.clock.now();
      const changed = this.db.run(
        `INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
          WHERE leases.owner = excluded.owner OR leases.expires_at <= ?`,
        name,
        owner,
        now + ttlMs,
        now,
      ).changes;
      return changed > 0;
    });
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    this.db.run('DELETE FROM leases WHERE name = ? AND owner = ?', name, owner);
  }
}
