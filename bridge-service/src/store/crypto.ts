import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { LedgerlineError } from '../lib/errors';
import { DEFAULT_ORG_ID } from './orgs';

/** A stored secret could not be decrypted: wrong TOKEN_ENCRYPTION_KEY, or the row was tampered with. */
export class SecretDecryptionError extends LedgerlineError {
  constructor(what: string, options?: { cause?: unknown }) {
    super(
      'SECRET_DECRYPTION_FAILED',
      `Cannot decrypt ${what}: TOKEN_ENCRYPTION_KEY differs from the key it was stored with, or the data was altered. ` +
        'Restore the original key, or reconnect Xero to store a new token set.',
      options,
    );
  }
}

const VERSION = 'v1';
/** GCM's recommended IV length, and its full tag: a shorter tag is easier to forge (2^32 tries for 4 bytes). */
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for secrets at rest. Each write uses a fresh random 12-byte IV; the full 16-byte auth tag is verified
 * on read (a value with a shorter tag or another IV length is refused); `context` is bound as additional authenticated data so a value copied to another row fails.
 * Output: `v1.<iv>.<tag>.<ciphertext>` (base64url parts).
 *
 * Key rotation: values are sealed with the current key; `previousKeys` (TOKEN_ENCRYPTION_KEY_PREVIOUS) still
 * open what older keys sealed, until the store re-seals them (Store.resealSecrets) and the old key is retired.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly previousKeys: readonly Buffer[];

  constructor(key: Buffer, previousKeys: readonly Buffer[] = []) {
    if (key.length !== 32 || previousKeys.some((k) => k.length !== 32)) {
      throw new RangeError('SecretBox needs 32-byte keys');
    }
    this.key = Buffer.from(key);
    this.previousKeys = previousKeys.map((k) => Buffer.from(k));
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv, tag, ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** Opens with the current key, else with each previous key in turn; throws SecretDecryptionError if none fits. */
  open(sealed: string, context: string): string {
    return this.openWith(sealed, context).plaintext;
  }

  /**
   * What a re-seal does with one stored value: null if the current key already opens it, else the value sealed
   * again with the current key. Throws SecretDecryptionError if no key opens it.
   */
  resealed(sealed: string, context: string): string | null {
    const { plaintext, current } = this.openWith(sealed, context);
    return current ? null : this.seal(plaintext, context);
  }

  private openWith(sealed: string, context: string): { plaintext: string; current: boolean } {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretDecryptionError(context);
    const [, iv, tag, ciphertext] = parts.map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer, Buffer];
    // Only what seal writes: GCM would otherwise verify a truncated tag, down to 4 bytes.
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptionError(context);
    let failure: unknown;
    for (const [i, key] of [this.key, ...this.previousKeys].entries()) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(tag);
        const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
        return { plaintext, current: i === 0 };
      } catch (err) {
        failure ??= err;
      }
    }
    throw new SecretDecryptionError(context, { cause: failure });
  }
}

/** What Store.resealSecrets did, per kind of sealed value. */
export interface ResealCounts {
  /** Sealed again with the current key (they were sealed with a previous one). */
  resealed: number;
  /** Already sealed with the current key. */
  current: number;
  /** Opened by no configured key (wrong key, or altered): left as they are, and listed. */
  unreadable: string[];
}

export interface ResealReport {
  xeroTokenSets: ResealCounts;
  orgSecrets: ResealCounts;
}

/** A stored Xero token set as resealRows takes it (from a row of org_id, connection_id, token_sealed). */
export function sealedTokenSetRow(row: Record<string, unknown>) {
  const orgId = String(row.org_id);
  const connectionId = String(row.connection_id);
  return {
    label: `${orgId}/${connectionId}`,
    context: sealedFor.xeroTokenSet(orgId, connectionId),
    sealed: String(row.token_sealed),
    orgId,
    connectionId,
  };
}

/** An org's sealed secrets as resealRows takes them (from a row of org_id, secrets_sealed). */
export function sealedOrgSecretsRow(row: Record<string, unknown>) {
  const orgId = String(row.org_id);
  return { label: orgId, context: sealedFor.orgSecrets(orgId), sealed: String(row.secrets_sealed), orgId };
}

/**
 * Re-seals stored values with the current key: `rows` are (label, context, sealed) and `write` replaces one
 * value if it is still the one read (a token refresh in between wins; its value is sealed with the current key).
 */
export async function resealRows<T extends { label: string; context: string; sealed: string }>(
  box: SecretBox,
  rows: readonly T[],
  write: (row: T, next: string) => Promise<boolean>,
): Promise<ResealCounts> {
  const counts: ResealCounts = { resealed: 0, current: 0, unreadable: [] };
  for (const row of rows) {
    let next: string | null;
    try {
      next = box.resealed(row.sealed, row.context);
    } catch (err) {
      if (!(err instanceof SecretDecryptionError)) throw err;
      counts.unreadable.push(row.label);
      continue;
    }
    if (next === null) counts.current += 1;
    else if (await write(row, next)) counts.resealed += 1;
    else counts.current += 1; // rewritten meanwhile, with the current key
  }
  return counts;
}

/**
 * What each sealed value is bound to (AES-GCM additional data): a value copied to another row, connection or org
 * fails to open. The default org keeps the context stores had before orgs existed, so their token sets still open.
 */
export const sealedFor = {
  xeroTokenSet: (orgId: string, connectionId: string): string =>
    orgId === DEFAULT_ORG_ID ? `xero-token-set:${connectionId}` : `org:${orgId}:xero-token-set:${connectionId}`,
  orgSecrets: (orgId: string): string => `org:${orgId}:secrets`,
  oauthState: (stateHash: string): string => `oauth-state:${stateHash}`,
};

/** How an OAuth state is kept: its SHA-256, so the table alone cannot complete a flow. */
export const hashState = (state: string): string => createHash('sha256').update(state, 'utf8').digest('hex');
