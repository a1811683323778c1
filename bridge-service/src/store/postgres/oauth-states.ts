import { hashState, sealedFor, type SecretBox } from '../crypto';
import type { OAuthStateRepository, PendingAuthorization } from '../oauth-states';
import type { PgDatabase } from './database';

export class PgOAuthStates implements OAuthStateRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly box: SecretBox,
  ) {}

  async putOAuthState(state: string, pending: PendingAuthorization): Promise<void> {
    const hash = hashState(state);
    await this.db.run('DELETE FROM oauth_states WHERE expires_at <= $1', [this.db.clock.now()]);
    await this.db.run(
      'INSERT INTO oauth_states (state_hash, org_id, verifier_sealed, expires_at) VALUES ($1, $2, $3, $4)',
      [hash, pending.orgId, this.box.seal(pending.codeVerifier, sealedFor.oauthState(hash)), pending.expiresAt],
    );
  }

  async takeOAuthState(state: string, now: number): Promise<PendingAuthorization | null> {
    const hash = hashState(state);
    // One statement: of two callbacks with the same state, one gets the row.
    const row = await this.db.row(
      'DELETE FROM oauth_states WHERE state_hash = $1 RETURNING org_id, verifier_sealed, expires_at',
      [hash],
    );
    if (!row || Number(row.expires_at) <= now) return null;
    return {
      orgId: String(row.org_id),
      codeVerifier: this.box.open(String(row.verifier_sealed), sealedFor.oauthState(hash)),
      expiresAt: Number(row.expires_at),
    };
  }
}
