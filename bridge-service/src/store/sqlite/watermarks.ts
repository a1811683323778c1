import type { LeaseFence } from '../leases';
import type { Watermark, WatermarkRepository } from '../watermarks';
import type { SqliteDatabase } from './database';

export class SqliteWatermarks implements WatermarkRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly orgId: string,
  ) {}

  async getWatermark(tenantId: string, resource: string): Promise<Watermark | null> {
    const row = this.db.get(
      `SELECT watermark_at, ids_at_watermark FROM sync_watermarks
        WHERE org_id = ? AND tenant_id = ? AND resource = ?`,
      this.orgId,
      tenantId,
      resource,
    );
    if (!row) return null;
    const ids: unknown = JSON.parse(String(row.ids_at_watermark));
    return { at: Number(row.watermark_at), idsAtTimestamp: Array.isArray(ids) ? ids.map(String) : [] };
  }

  async saveWatermark(tenantId: string, resource: string, watermark: Watermark): Promise<void> {
    this.save(tenantId, resource, watermark);
  }

  async saveFencedWatermark(
    tenantId: string,
    resource: string,
    watermark: Watermark,
    fence: LeaseFence,
  ): Promise<boolean> {
    return this.save(tenantId, resource, watermark, fence);
  }

  private save(tenantId: string, resource: string, watermark: Watermark, fence?: LeaseFence): boolean {
    const now = this.db.clock.now();
    const held = fence
      ? ([
          'EXISTS (SELECT 1 FROM leases WHERE org_id = ? AND name = ? AND owner = ? AND token = ? AND expires_at > ?)',
          [this.orgId, fence.name, fence.owner, fence.token, now],
        ] as const)
      : (['1', []] as const);
    return (
      this.db.run(
        `INSERT INTO sync_watermarks (org_id, tenant_id, resource, watermark_at, ids_at_watermark, updated_at)
         SELECT ?, ?, ?, ?, ?, ? WHERE ${held[0]}
         ON CONFLICT (org_id, tenant_id, resource) DO UPDATE SET watermark_at = excluded.watermark_at,
           ids_at_watermark = excluded.ids_at_watermark, updated_at = excluded.updated_at`,
        this.orgId,
        tenantId,
        resource,
        watermark.at,
        JSON.stringify(watermark.idsAtTimestamp),
        now,
        ...held[1],
      ).changes > 0
    );
  }
}
