import { toXeroResult } from '../rows';
import type { XeroObjectKind, XeroResult, XeroResultRepository } from '../xero-results';
import type { SqliteDatabase } from './database';

export class SqliteXeroResults implements XeroResultRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly orgId: string,
  ) {}

  async recordXeroResult(result: Omit<XeroResult, 'createdAt'>): Promise<XeroResult> {
    this.db.run(
      `INSERT INTO xero_results (org_id, request_key, tenant_id, kind, xero_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (org_id, request_key, tenant_id, kind) DO NOTHING`,
      this.orgId,
      result.requestKey,
      result.tenantId,
      result.kind,
      result.xeroId,
      this.db.clock.now(),
    );
    const stored = await this.findXeroResult(result.requestKey, result.tenantId, result.kind);
    if (!stored) throw new Error(`recordXeroResult: ${result.requestKey} vanished`);
    return stored;
  }

  async getXeroResults(requestKey: string): Promise<XeroResult[]> {
    return this.db
      .all(
        'SELECT * FROM xero_results WHERE org_id = ? AND request_key = ? ORDER BY created_at',
        this.orgId,
        requestKey,
      )
      .map(toXeroResult);
  }

  async findXeroResult(requestKey: string, tenantId: string, kind: XeroObjectKind): Promise<XeroResult | null> {
    const row = this.db.get(
      'SELECT * FROM xero_results WHERE org_id = ? AND request_key = ? AND tenant_id = ? AND kind = ?',
      this.orgId,
      requestKey,
      tenantId,
      kind,
    );
    return row ? toXeroResult(row) : null;
  }
}
