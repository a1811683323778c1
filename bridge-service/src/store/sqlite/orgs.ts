import type { SecretBox } from '../crypto';
import type { Org, OrgProfile, OrgRepository, OrgSecrets, OrgSummary } from '../orgs';
import { checkOrgId, orgProfileSchema } from '../orgs';
import { encodeOrg, toOrg, toOrgSummary } from '../rows';
import type { SqliteDatabase } from './database';

export class SqliteOrgs implements OrgRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly box: SecretBox,
  ) {}

  async saveOrg(orgId: string, profile: OrgProfile, secrets: OrgSecrets): Promise<void> {
    const { profileJson, secretsSealed } = encodeOrg(checkOrgId(orgId), profile, secrets, this.box);
    const now = this.db.clock.now();
    this.db.run(
      `INSERT INTO orgs (org_id, profile, secrets_sealed, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (org_id) DO UPDATE SET profile = excluded.profile, secrets_sealed = excluded.secrets_sealed,
         updated_at = excluded.updated_at`,
      orgId,
      profileJson,
      secretsSealed,
      now,
      now,
    );
  }

  async getOrg(orgId: string): Promise<Org | null> {
    const row = this.db.get('SELECT * FROM orgs WHERE org_id = ?', orgId);
    return row ? toOrg(row, this.box) : null;
  }

  async listOrgs(): Promise<OrgSummary[]> {
    return this.db.all('SELECT org_id, profile, created_at, updated_at FROM orgs ORDER BY org_id').map(toOrgSummary);
  }

  async setOrgStatus(orgId: string, status: OrgProfile['status']): Promise<boolean> {
    return (
      this.db.run(
        `UPDATE orgs SET profile = json_set(profile, '$.status', ?), updated_at = ? WHERE org_id = ?`,
        orgProfileSchema.shape.status.parse(status),
        this.db.clock.now(),
        orgId,
      ).changes > 0
    );
  }
}
