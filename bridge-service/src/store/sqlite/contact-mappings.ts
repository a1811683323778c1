import type { ContactMappingRepository } from '../contact-mappings';
import type { SqliteDatabase } from './database';

export class SqliteContactMappings implements ContactMappingRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly orgId: string,
  ) {}

  async getContactMapping(tenantId: string, accountId: string): Promise<string | null> {
    const row = this.db.get(
      'SELECT contact_id FROM contact_mappings WHERE org_id = ? AND tenant_id = ? AND account_id = ?',
      this.orgId,
      tenantId,
      accountId,
    );
    return row ? String(row.contact_id) : null;
  }

  async saveContactMapping(tenantId: string, accountId: string, contactId: string): Promise<void> {
    this.db.run(
      `INSERT INTO contact_mappings (org_id, tenant_id, account_id, contact_id, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (org_id, tenant_id, account_id) DO UPDATE SET contact_id = excluded.contact_id,
         updated_at = excluded.updated_at`,
      this.orgId,
      tenantId,
      accountId,
      contactId,
      this.db.clock.now(),
    );
  }
}
