import type { Lease, LeaseRepository } from '../leases';
import { toLease } from '../rows';
import type { PgDatabase } from './database';

export class PgLeases implements LeaseRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly orgId: string,
  ) {}

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null> {
    const now = this.db.clock.now();
    // One statement: the upsert locks the row, so of several replicas acquiring at once exactly one wins.
    const row = await this.db.row(
      `INSERT INTO leases (org_id, name, owner, token, expires_at) VALUES ($1, $2, $3, 1, $4)
       ON CONFLICT (org_id, name) DO UPDATE SET
         token = CASE WHEN leases.owner IS NOT DISTINCT FROM excluded.owner THEN leases.token ELSE leases.token + 1 END,
         owner = excluded.owner, expires_at = excluded.expires_at
        WHERE leases.owner IS NOT DISTINCT FROM excluded.owner OR leases.owner IS NULL OR leases.expires_at <= $5
       RETURNING name, owner, token, expires_at`,
      [this.orgId, name, owner, now + ttlMs, now],
    );
    return row ? toLease(row) : null;
  }

  async tryAcquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.acquireLease(name, owner, ttlMs)) !== null;
  }

  async renewLease(name: string, owner: string, token: number, ttlMs: number): Promise<Lease | null> {
    const row = await this.db.row(
      `UPDATE leases SET expires_at = $1 WHERE org_id = $2 AND name = $3 AND owner = $4 AND token = $5
       RETURNING name, owner, token, expires_at`,
      [this.db.clock.now() + ttlMs, this.orgId, name, owner, token],
    );
    return row ? toLease(row) : null;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.db.run('UPDATE leases SET owner = NULL, expires_at = 0 WHERE org_id = $1 AND name = $2 AND owner = $3', [
      this.orgId,
      name,
      owner,
    ]);
  }

  async getLease(name: string): Promise<Lease | null> {
    const row = await this.db.row(
      `SELECT name, owner, token, expires_at FROM leases
        WHERE org_id = $1 AND name = $2 AND owner IS NOT NULL AND expires_at > $3`,
      [this.orgId, name, this.db.clock.now()],
    );
    return row ? toLease(row) : null;
  }
}
