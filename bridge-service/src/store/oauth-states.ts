/**
 * "Connect to Xero" in flight: the OAuth state handed to Xero, and the PKCE verifier and org it stands for, until
 * Xero redirects back to the callback. Kept in the store, so the callback works on whichever bridge process the
 * load balancer sends it to. Deployment-wide: the callback learns the org from the state. The verifier is sealed
 * (AES-256-GCM), and only a hash of the state is stored, so a copy of the table starts no flow.
 */
export interface PendingAuthorization {
  orgId: string;
  codeVerifier: string;
  /** Epoch ms after which the state is refused. */
  expiresAt: number;
}

export interface OAuthStateRepository {
  /** Remembers a new state (and drops expired ones). */
  putOAuthState(state: string, pending: PendingAuthorization): Promise<void>;
  /** Single use: removes the state whether or not it has expired. Null if unknown, already used, or expired at `now`. */
  takeOAuthState(state: string, now: number): Promise<PendingAuthorization | null>;
}
