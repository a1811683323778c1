import type { Lease, LeaseRepository } from '../leases';
import { toLease } from '../rows';
import type { SqliteDatabase } from './database';

export class SqliteLeases implements LeaseRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly orgId: string,
  ) {}

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null> {
    const now = this.db.clock.now();
    // One statement: SQLite takes the write lock for it, so two processes cannot both win.
    const row = this.db.get(
      `INSERT INTO leases (org_id, name, owner, token, expires_at) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (org_id, name) DO UPDATE SET
         token = CASE WHEN leases.owner IS excluded.owner THEN leases.token ELSE leases.token + 1 END,
         owner = excluded.owner, expires_at = excluded.expires_at
        WHERE leases.owner IS excluded.owner OR leases.owner IS NULL OR leases.expires_at <= ?
       RETURNING name, owner, token, expires_at`,
      this.orgId,
      name,
      owner,
      now + ttlMs,
      now,
    );
    return row ? toLease(row) : null;
  }

  async tryAcquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.acquireLease(name, owner, ttlMs)) !== null;
  }

  async renewLease(name: string, owner: string, token: number, ttlMs: number): Promise<Lease | null> {
    const row = this.db.get(
      `UPDATE leases SET expires_at = ? WHERE org_id = ? AND name = ? AND owner = ? AND token = ?
       RETURNING name, owner, token, expires_at`,
      this.db.clock.now() + ttlMs,
      this.orgId,
      name,
      owner,
      token,
    );
    return row ? toLease(row) : null;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    this.db.run(
      'UPDATE leases SET owner = NULL, expires_at = 0 WHERE org_id = ? AND name = ? AND owner = ?',
      this.orgId,
      name,
      owner,
    );
  }

  async getLease(name: string): Promise<Lease | null> {
    const row = this.db.get(
      `SELECT name, owner, token, expires_at FROM leases
        WHERE org_id = ? AND name = ? AND owner IS NOT NULL AND expires_at > ?`,
      this.orgId,
      name,
      this.db.clock.now(),
    );
    return row ? toLease(row) : null;
  }
}
