/** The small org-scoped repositories on PostgreSQL: results, cursors, mappings, watermarks, webhook events. */
import type { ContactMappingRepository } from '../contact-mappings';
import type { LeaseFence } from '../leases';
import type { ReplayCursorRepository } from '../replay-cursors';
import { toXeroResult } from '../rows';
import type { Watermark, WatermarkRepository } from '../watermarks';
import type { WebhookEventRepository } from '../webhook-events';
import {
  idsOfTenant,
  xeroIdForms,
  type XeroObjectKind,
  type XeroResult,
  type XeroResultRepository,
} from '../xero-results';
import type { PgDatabase } from './database';

export class PgXeroResults implements XeroResultRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly orgId: string,
  ) {}

  async recordXeroResult(result: Omit<XeroResult, 'createdAt'>): Promise<XeroResult> {
    const inserted = await this.db.row(
      `INSERT INTO xero_results (org_id, request_key, tenant_id, kind, xero_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (org_id, request_key, tenant_id, kind) DO NOTHING
       RETURNING *`,
      [this.orgId, result.requestKey, result.tenantId, result.kind, result.xeroId, this.db.clock.now()],
    );
    const stored = inserted
      ? toXeroResult(inserted)
      : await this.findXeroResult(result.requestKey, result.tenantId, result.kind);
    if (!stored) throw new Error(`recordXeroResult: ${result.requestKey} vanished`);
    return stored;
  }

  async getXeroResults(requestKey: string): Promise<XeroResult[]> {
    const rows = await this.db.rows(
      'SELECT * FROM xero_results WHERE org_id = $1 AND request_key = $2 ORDER BY created_at',
      [this.orgId, requestKey],
    );
    return rows.map(toXeroResult);
  }

  async findXeroResult(requestKey: string, tenantId: string, kind: XeroObjectKind): Promise<XeroResult | null> {
    const row = await this.db.row(
      'SELECT * FROM xero_results WHERE org_id = $1 AND request_key = $2 AND tenant_id = $3 AND kind = $4',
      [this.orgId, requestKey, tenantId, kind],
    );
    return row ? toXeroResult(row) : null;
  }

  async madeByBridge(tenantId: string, kind: XeroObjectKind, xeroIds: readonly string[]): Promise<Set<string>> {
    if (xeroIds.length === 0) return new Set();
    const rows = await this.db.rows(
      'SELECT tenant_id, xero_id FROM xero_results WHERE org_id = $1 AND kind = $2 AND xero_id = ANY($3::text[])',
      [this.orgId, kind, xeroIdForms(xeroIds)],
    );
    return idsOfTenant(rows, tenantId);
  }
}

export class PgReplayCursors implements ReplayCursorRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly orgId: string,
  ) {}

  async getReplayId(channel: string): Promise<number | null> {
    const row = await this.db.row('SELECT replay_id FROM replay_cursors WHERE org_id = $1 AND channel = $2', [
      this.orgId,
      channel,
    ]);
    return row ? Number(row.replay_id) : null;
  }

  async savedAt(channel: string): Promise<number | null> {
    const row = await this.db.row('SELECT updated_at FROM replay_cursors WHERE org_id = $1 AND channel = $2', [
      this.orgId,
      channel,
    ]);
    return row ? Number(row.updated_at) : null;
  }

  async saveReplayId(channel: string, replayId: number): Promise<void> {
    await this.db.run(
      `INSERT INTO replay_cursors (org_id, channel, replay_id, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id, channel) DO UPDATE SET replay_id = excluded.replay_id, updated_at = excluded.updated_at`,
      [this.orgId, channel, replayId, this.db.clock.now()],
    );
  }

  async saveFencedReplayId(channel: string, replayId: number, fence: LeaseFence): Promise<boolean> {
    // One statement: the lease row is read in the same snapshot the cursor is written in.
    return (
      (await this.db.run(
        `INSERT INTO replay_cursors (org_id, channel, replay_id, updated_at)
         SELECT $1, $2, $3, $4
          WHERE EXISTS (SELECT 1 FROM leases WHERE org_id = $1 AND name = $5 AND owner = $6 AND token = $7
                           AND expires_at > $4)
         ON CONFLICT (org_id, channel) DO UPDATE SET replay_id = excluded.replay_id, updated_at = excluded.updated_at`,
        [this.orgId, channel, replayId, this.db.clock.now(), fence.name, fence.owner, fence.token],
      )) > 0
    );
  }
}

export class PgContactMappings implements ContactMappingRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly orgId: string,
  ) {}

  async getContactMapping(tenantId: string, accountId: string): Promise<string | null> {
    const row = await this.db.row(
      'SELECT contact_id FROM contact_mappings WHERE org_id = $1 AND tenant_id = $2 AND account_id = $3',
      [this.orgId, tenantId, accountId],
    );
    return row ? String(row.contact_id) : null;
  }

  async saveContactMapping(tenantId: string, accountId: string, contactId: string): Promise<void> {
    await this.db.run(
      `INSERT INTO contact_mappings (org_id, tenant_id, account_id, contact_id, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (org_id, tenant_id, account_id) DO UPDATE SET contact_id = excluded.contact_id,
         updated_at = excluded.updated_at`,
      [this.orgId, tenantId, accountId, contactId, this.db.clock.now()],
    );
  }
}

export class PgWatermarks implements WatermarkRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly orgId: string,
  ) {}

  async getWatermark(tenantId: string, resource: string): Promise<Watermark | null> {
    const row = await this.db.row(
      `SELECT watermark_at, ids_at_watermark FROM sync_watermarks
        WHERE org_id = $1 AND tenant_id = $2 AND resource = $3`,
      [this.orgId, tenantId, resource],
    );
    if (!row) return null;
    const ids: unknown = JSON.parse(String(row.ids_at_watermark));
    return { at: Number(row.watermark_at), idsAtTimestamp: Array.isArray(ids) ? ids.map(String) : [] };
  }

  async saveWatermark(tenantId: string, resource: string, watermark: Watermark): Promise<void> {
    await this.db.run(
      `INSERT INTO sync_watermarks (org_id, tenant_id, resource, watermark_at, ids_at_watermark, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (org_id, tenant_id, resource) DO UPDATE SET watermark_at = excluded.watermark_at,
         ids_at_watermark = excluded.ids_at_watermark, updated_at = excluded.updated_at`,
      [this.orgId, tenantId, resource, watermark.at, JSON.stringify(watermark.idsAtTimestamp), this.db.clock.now()],
    );
  }

  async saveFencedWatermark(
    tenantId: string,
    resource: string,
    watermark: Watermark,
    fence: LeaseFence,
  ): Promise<boolean> {
    // One statement: the lease row is read in the same snapshot the watermark is written in.
    const now = this.db.clock.now();
    return (
      (await this.db.run(
        `INSERT INTO sync_watermarks (org_id, tenant_id, resource, watermark_at, ids_at_watermark, updated_at)
         SELECT $1, $2, $3, $4, $5, $6
          WHERE EXISTS (SELECT 1 FROM leases WHERE org_id = $1 AND name = $7 AND owner = $8 AND token = $9
                           AND expires_at > $6)
         ON CONFLICT (org_id, tenant_id, resource) DO UPDATE SET watermark_at = excluded.watermark_at,
           ids_at_watermark = excluded.ids_at_watermark, updated_at = excluded.updated_at`,
        [
          this.orgId,
          tenantId,
          resource,
          watermark.at,
          JSON.stringify(watermark.idsAtTimestamp),
          now,
          fence.name,
          fence.owner,
          fence.token,
        ],
      )) > 0
    );
  }
}

export class PgWebhookEvents implements WebhookEventRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly orgId: string,
  ) {}

  async markWebhookEventProcessed(eventKey: string): Promise<boolean> {
    return (
      (await this.db.run(
        `INSERT INTO webhook_events (org_id, event_key, received_at) VALUES ($1, $2, $3)
         ON CONFLICT (org_id, event_key) DO NOTHING`,
        [this.orgId, eventKey, this.db.clock.now()],
      )) > 0
    );
  }

  async pruneWebhookEvents(before: number): Promise<number> {
    return this.db.run('DELETE FROM webhook_events WHERE org_id = $1 AND received_at < $2', [this.orgId, before]);
  }
}
