import type { XeroObjectKind, XeroResult, XeroResultRepository } from '../xero-results';
import type { Row, SqliteDatabase } from './database';

function toXeroResult(row: Row): XeroResult {
  return {
    requestKey: String(row.request_key),
    tenantId: String(row.tenant_id),
    kind: String(row.kind) as XeroObjectKind,
    xeroId: String(row.xero_id),
    createdAt: Number(row.created_at),
  };
}

export class SqliteXeroResults implements XeroResultRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async recordXeroResult(result: Omit<XeroResult, 'createdAt'>): Promise<XeroResult> {
    this.db.run(
      `INSERT INTO xero_results (request_key, tenant_id, kind, xero_id, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (request_key, tenant_id, kind) DO NOTHING`,
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
      .all('SELECT * FROM xero_results WHERE request_key = ? ORDER BY created_at', requestKey)
      .map(toXeroResult);
  }

  async findXeroResult(requestKey: string, tenantId: string, kind: XeroObjectKind): Promise<XeroResult | null> {
    const row = this.db.get(
      'SELECT * FROM xero_results WHERE request_key = ? AND tenant_id = ? AND kind = ?',
      requestKey,
      tenantId,
      kind,
    );
    return row ? toXeroResult(row) : null;
  }
}
