/** Salesforce record ids: 15-character case-sensitive ids plus the 3-character checksum that makes them 18. */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function checksum(id15: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') flags |= 1 << i;
    }
    out += SUFFIX_ALPHABET.charAt(flags);
  }
  return out;
}

/** Builds an 18-character id from a key prefix and a sequence number (pod "0" keeps ids recognisable). */
export function makeId(prefix: string, seq: number): string {
  let body = '';
  let n = seq;
  for (let i = 0; i < 9; i++) {
    body = BASE62.charAt(n % 62) + body;
    n = Math.floor(n / 62);
  }
  const id15 = `${prefix}000${body}`;
  return id15 + checksum(id15);
}

const ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** The 18-character form of a 15- or 18-character id, or undefined when the text is not an id. */
export function normalizeId(value: unknown): string | undefined {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) return undefined;
  const id15 = value.slice(0, 15);
  const full = id15 + checksum(id15);
  if (value.length === 18 && value.slice(15).toUpperCase() !== full.slice(15)) return undefined;
  return full;
}
