/**
 * A self-signed X.509 certificate for a key pair, as `openssl req -x509 -newkey rsa:2048 -sha256 -nodes` makes
 * the one ops upload to the bridge's External Client App (README, install step 6). Node can read certificates but
 * not write them; this writes the DER by hand (RFC 5280: version 3, SHA-256 with RSA, CN only, no extensions), so
 * the sandbox and the tests need no openssl binary.
 */
import { randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';

function der(tag: number, content: Buffer): Buffer {
  const length =
    content.length < 0x80
      ? Buffer.from([content.length])
      : (() => {
          const bytes: number[] = [];
          for (let n = content.length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
          return Buffer.from([0x80 | bytes.length, ...bytes]);
        })();
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const sequence = (...items: Buffer[]) => der(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => der(0x31, Buffer.concat(items));
const utf8 = (text: string) => der(0x0c, Buffer.from(text, 'utf8'));
const nul = () => der(0x05, Buffer.alloc(0));
const bitString = (bytes: Buffer) => der(0x03, Buffer.concat([Buffer.from([0]), bytes]));

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

/** DER INTEGER, minimally encoded: leading zero bytes dropped (a random serial may start with one), then one put
 * back where the high bit would otherwise make the number negative. */
function positiveInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const value = bytes.subarray(start);
  return der(0x02, value[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
}

/** UTCTime (YYMMDDHHMMSSZ) before 2050, GeneralizedTime after, as RFC 5280 §4.1.2.5 requires. */
function time(ms: number): Buffer {
  const iso = new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return new Date(ms).getUTCFullYear() < 2050
    ? der(0x17, Buffer.from(`${iso.slice(2)}Z`))
    : der(0x18, Buffer.from(`${iso}Z`));
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), nul());

/** A PEM certificate for `publicKey`, signed by `privateKey`, valid from `now` for `days`. */
export function selfSignedCertificate(
  keys: { publicKey: KeyObject; privateKey: KeyObject },
  options: { commonName?: string; now?: number; days?: number; serial?: Buffer } = {},
): string {
  const now = options.now ?? Date.now();
  const name = sequence(set(sequence(oid('2.5.4.3'), utf8(options.commonName ?? 'ledgerline-bridge'))));
  const tbs = sequence(
    der(0xa0, positiveInteger(Buffer.from([2]))), // [0] EXPLICIT version v3
    positiveInteger(options.serial ?? randomBytes(16)),
    SHA256_WITH_RSA,
    name,
    sequence(time(now - 60_000), time(now + (options.days ?? 730) * 86_400_000)),
    name,
    keys.publicKey.export({ type: 'spki', format: 'der' }),
  );
  const certificate = sequence(tbs, SHA256_WITH_RSA, bitString(sign('sha256', tbs, keys.privateKey)));
  const pem = `-----BEGIN CERTIFICATE-----\n${certificate
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trim()}\n-----END CERTIFICATE-----\n`;
  // what Salesforce would do with the upload: parse it and check it is signed by its own key
  if (!new X509Certificate(pem).verify(keys.publicKey)) throw new Error('self-signed certificate does not verify');
  return pem;
}
