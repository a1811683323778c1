import { toXeroResult } from '../rows';
import {
  idsOfTenant,
  xeroIdForms,
  type XeroObjectKind,
  type XeroResult,
  type XeroResultRepository,
} from '../xero-results';
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

  async madeByBridge(tenantId: string, kind: XeroObjectKind, xeroIds: readonly string[]): Promise<Set<string>> {
    if (xeroIds.length === 0) return new Set();
    // One statement text whatever the count (json_each), still on the (org_id, xero_id) index.
    const rows = this.db.all(
      'SELECT tenant_id, xero_id FROM xero_results WHERE org_id = ? AND kind = ? AND xero_id IN (SELECT value FROM json_each(?))',
      this.orgId,
      kind,
      JSON.stringify(xeroIdForms(xeroIds)),
    );
    return idsOfTenant(rows, tenantId);
  }
}
