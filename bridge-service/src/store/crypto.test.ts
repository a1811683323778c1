import { randomBytes } from 'node:crypto';
import { SecretBox, SecretDecryptionError } from './crypto';

describe('SecretBox key rotation (docs/operations.md, "Rotating secrets")', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  it('the documented two rolling restarts: at every step each replica opens what any other seals', () => {
    const steps: SecretBox[][] = [
      [new SecretBox(oldKey), new SecretBox(oldKey)],
      // first pass: the new key added as a previous key, one replica at a time
      [new SecretBox(oldKey, [newKey]), new SecretBox(oldKey)],
      [new SecretBox(oldKey, [newKey]), new SecretBox(oldKey, [newKey])],
      // second pass: the keys swapped, one replica at a time
      [new SecretBox(newKey, [oldKey]), new SecretBox(oldKey, [newKey])],
      [new SecretBox(newKey, [oldKey]), new SecretBox(newKey, [oldKey])],
    ];
    for (const replicas of steps) {
      for (const sealer of replicas) {
        const sealed = sealer.seal('refresh-token', 'conn-1');
        for (const opener of replicas) expect(opener.open(sealed, 'conn-1')).toBe('refresh-token');
      }
    }
  });

  it('swapping the keys in one pass leaves a replica on the old key unable to open the new values', () => {
    const restarted = new SecretBox(newKey, [oldKey]);
    const notYet = new SecretBox(oldKey);
    expect(() => notYet.open(restarted.seal('refresh-token', 'conn-1'), 'conn-1')).toThrow(SecretDecryptionError);
  });

  it('binds a value to its row: opened under another context it is refused', () => {
    const box = new SecretBox(oldKey);
    expect(() => box.open(box.seal('refresh-token', 'conn-1'), 'conn-2')).toThrow(SecretDecryptionError);
  });

  it('refuses a value whose auth tag was cut short, or whose IV is not 12 bytes', () => {
    const box = new SecretBox(oldKey);
    const [version, iv, tag, ciphertext] = box.seal('refresh-token', 'conn-1').split('.') as [
      string,
      string,
      string,
      string,
    ];
    const bytes = (part: string) => Buffer.from(part, 'base64url');
    const cut = (part: string, length: number) => bytes(part).subarray(0, length).toString('base64url');
    expect(bytes(tag)).toHaveLength(16);
    expect(bytes(iv)).toHaveLength(12);
    for (const length of [4, 8, 12, 15]) {
      expect(() => box.open([version, iv, cut(tag, length), ciphertext].join('.'), 'conn-1')).toThrow(
        SecretDecryptionError,
      );
    }
    expect(() => box.open([version, cut(iv, 8), tag, ciphertext].join('.'), 'conn-1')).toThrow(SecretDecryptionError);
    expect(() => box.resealed([version, iv, cut(tag, 4), ciphertext].join('.'), 'conn-1')).toThrow(
      SecretDecryptionError,
    );
    expect(box.open([version, iv, tag, ciphertext].join('.'), 'conn-1')).toBe('refresh-token');
  });
});
