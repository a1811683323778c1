import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
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

/**
 * AES-256-GCM for secrets at rest. Each write uses a fresh random 12-byte IV; the auth tag is verified on
 * read; `context` is bound as additional authenticated data so a value copied to another row fails.
 * Output: `v1.<iv>.<tag>.<ciphertext>` (base64url parts).
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new RangeError('SecretBox needs a 32-byte key');
    this.key = Buffer.from(key);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv, tag, ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretDecryptionError(context);
    const [, iv, tag, ciphertext] = parts.map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer, Buffer];
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new SecretDecryptionError(context, { cause: err });
    }
  }
}

/**
 * What each sealed value is bound to (AES-GCM additional data): a value copied to another row, connection or org
 * fails to open. The default org keeps the context stores had before orgs existed, so their token sets still open.
 */
export const sealedFor = {
  xeroTokenSet: (orgId: string, connectionId: string): string =>
    orgId === DEFAULT_ORG_ID ? `xero-token-set:${connectionId}` : `org:${orgId}:xero-token-set:${connectionId}`,
  orgSecrets: (orgId: string): string => `org:${orgId}:secrets`,
};
