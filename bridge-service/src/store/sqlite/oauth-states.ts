import { hashState, sealedFor, type SecretBox } from '../crypto';
import type { OAuthStateRepository, PendingAuthorization } from '../oauth-states';
import type { SqliteDatabase } from './database';

export class SqliteOAuthStates implements OAuthStateRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly box: SecretBox,
  ) {}

  async putOAuthState(state: string, pending: PendingAuthorization): Promise<void> {
    const hash = hashState(state);
    this.db.transaction(() => {
      this.db.run('DELETE FROM oauth_states WHERE expires_at <= ?', this.db.clock.now());
      this.db.run(
        'INSERT INTO oauth_states (state_hash, org_id, verifier_sealed, expires_at) VALUES (?, ?, ?, ?)',
        hash,
        pending.orgId,
        this.box.seal(pending.codeVerifier, sealedFor.oauthState(hash)),
        pending.expiresAt,
      );
    });
  }

  async takeOAuthState(state: string, now: number): Promise<PendingAuthorization | null> {
    const hash = hashState(state);
    const row = this.db.get(
      'DELETE FROM oauth_states WHERE state_hash = ? RETURNING org_id, verifier_sealed, expires_at',
      hash,
    );
    if (!row || Number(row.expires_at) <= now) return null;
    return {
      orgId: String(row.org_id),
      codeVerifier: this.box.open(String(row.verifier_sealed), sealedFor.oauthState(hash)),
      expiresAt: Number(row.expires_at),
    };
  }
}
