import type { SecretBox } from '../crypto';
import {
  checkOrgId,
  orgProfileSchema,
  type Org,
  type OrgProfile,
  type OrgRepository,
  type OrgSecrets,
  type OrgSummary,
} from '../orgs';
import { encodeOrg, toOrg, toOrgSummary } from '../rows';
import type { PgDatabase } from './database';

/** The profile is JSONB (ops can query it); it is read back as text, parsed and checked like SQLite's. */
const COLUMNS = 'org_id, profile::text AS profile, created_at, updated_at';

export class PgOrgs implements OrgRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly box: SecretBox,
  ) {}

  async saveOrg(orgId: string, profile: OrgProfile, secrets: OrgSecrets): Promise<void> {
    const { profileJson, secretsSealed } = encodeOrg(checkOrgId(orgId), profile, secrets, this.box);
    await this.db.run(
      `INSERT INTO orgs (org_id, profile, secrets_sealed, created_at, updated_at) VALUES ($1, $2::jsonb, $3, $4, $4)
       ON CONFLICT (org_id) DO UPDATE SET profile = excluded.profile, secrets_sealed = excluded.secrets_sealed,
         updated_at = excluded.updated_at`,
      [orgId, profileJson, secretsSealed, this.db.clock.now()],
    );
  }

  async getOrg(orgId: string): Promise<Org | null> {
    const row = await this.db.row(`SELECT ${COLUMNS}, secrets_sealed FROM orgs WHERE org_id = $1`, [orgId]);
    return row ? toOrg(row, this.box) : null;
  }

  async listOrgs(): Promise<OrgSummary[]> {
    return (await this.db.rows(`SELECT ${COLUMNS} FROM orgs ORDER BY org_id COLLATE "C"`)).map(toOrgSummary);
  }

  async setOrgStatus(orgId: string, status: OrgProfile['status']): Promise<boolean> {
    return (
      (await this.db.run(
        `UPDATE orgs SET profile = jsonb_set(profile, '{status}', to_jsonb($1::text)), updated_at = $2
          WHERE org_id = $3`,
        [orgProfileSchema.shape.status.parse(status), this.db.clock.now(), orgId],
      )) > 0
    );
  }
}
