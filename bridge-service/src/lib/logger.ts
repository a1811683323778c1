import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export const REDACTED = '[Redacted]';

/** Keys whose values are never logged, compared without case, `_` or `-` (so `access_token` = `accessToken`). */
const SECRET_KEYS = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'tokenset',
  'clientsecret',
  'privatekey',
  'privatekeypem',
  'webhookkey',
  'assertion',
  'password',
  'secret',
  'apikey',
  'admintoken',
  'admintokenprevious',
  'encryptionkey',
  'tokenencryptionkey',
  'tokenencryptionkeyprevious',
  'previousencryptionkeys',
  'codeverifier',
  // an org's secrets as the admin API and the store hold them (orgSecretsSchema), and their environment variables
  'salesforceprivatekey',
  'sfprivatekey',
  'xeroclientsecret',
  'xerowebhookkey',
  'xerowebhookkeyprevious',
  'webhookkeyprevious',
  // a Salesforce session id (jsforce's Connection and SOAP login results)
  'sessionid',
  'sid',
]);

const normaliseKey = (key: string) => key.replace(/[-_]/g, '').toLowerCase();

/** True if a property with this name holds a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(normaliseKey(key));
}

// Secrets that show up inside strings: auth headers, form bodies / JSON fragments, PEM blocks. They run on every
// string of every log line, client-sent paths included, so each must stay linear: each starts at a fixed word or a
// bounded prefix, and no two neighbouring unbounded quantifiers may match the same run of characters.
const STRING_PATTERNS: [RegExp, string][] = [
  // '!' too: a Salesforce session id is `<org id>!<secret>`
  [/\b(Bearer|Basic|OAuth)\s+[A-Za-z0-9._~+/=!-]{6,}/g, `$1 ${REDACTED}`],
  [
    /("?\b(?:access_token|refresh_token|id_token|client_secret|assertion|code_verifier|sessionId|sid)\\?"?\s*[:=]\s*\\?"?)[^"&\s,}\\]+/gi,
    `$1${REDACTED}`,
  ],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
  // a password inside a URL (STORE_URL=postgres://user:password@host/db). The scheme is bounded (RFC 3986 sets no
  // limit; real ones are short): unbounded, every start in a long run of scheme characters ('a.a.a.…', in a path a
  // client sends) rescanned the rest of the run, quadratic time on the request path (2 s for 64 KB).
  [/\b([a-z][a-z0-9+.-]{0,31}:\/\/[^:/?#@\s]*:)[^@/?#\s]+@/gi, `$1${REDACTED}@`],
];

/** Removes secret-looking fragments from free text (error messages, response bodies). */
export function scrubString(text: string): string {
  let out = text;
  for (const [pattern, replacement] of STRING_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

const JSON_STRING_FIELD = /"([A-Za-z0-9_-]+)":"((?:[^"\\]|\\.)*)"/g;

/** Blanks string fields with secret names and scrubs every other string field of a serialized log line. */
export function scrubJsonLine(line: string): string {
  return line.replace(JSON_STRING_FIELD, (whole, key: string, value: string) => {
    if (isSecretKey(key)) return `"${key}":"${REDACTED}"`;
    const scrubbed = scrubString(value);
    return scrubbed === value ? whole : `"${key}":"${scrubbed}"`;
  });
}

/**
 * Where secrets sit in what the bridge logs, for pino's `redact`: secret-named fields at the top level, headers,
 * and the configuration's secrets. Exact paths only: wildcards make pino copy each object it walks, and anything
 * deeper is caught by the line scrub below.
 */
const REDACT_PATHS = [
  ...[
    'accessToken',
    'access_token',
    'refreshToken',
    'refresh_token',
    'idToken',
    'id_token',
    'tokenSet',
    'clientSecret',
    'client_secret',
    'privateKey',
    'privateKeyPem',
    'webhookKey',
    'assertion',
    'password',
    'secret',
    'apiKey',
    'adminToken',
    'adminTokenPrevious',
    'encryptionKey',
    'codeVerifier',
    'code_verifier',
    // an org's secrets (orgSecretsSchema), one by one or as the object the store and the admin API hold
    'secrets',
    'salesforcePrivateKey',
    'xeroClientSecret',
    'xeroWebhookKey',
    'xeroWebhookKeyPrevious',
    'webhookKeyPrevious',
  ],
  ...['req', 'request', 'res', 'response', ''].flatMap((at) =>
    ['authorization', 'Authorization', 'cookie', '"set-cookie"', '"x-xero-signature"'].map(
      (header) => `${at ? `${at}.` : ''}headers${header.startsWith('"') ? `[${header}]` : `.${header}`}`,
    ),
  ),
  'config.adminToken',
  'config.adminTokenPrevious',
  // Buffers: logged as byte arrays, which the line scrub (strings only) would not catch
  'config.store.encryptionKey',
  'config.store.previousEncryptionKeys',
  'config.salesforce.privateKey',
  'config.xero.clientSecret',
  'config.xero.webhookKey',
  'config.xero.webhookKeyPrevious',
];

export interface CreateLoggerOptions {
  level?: string;
  /** Bindings on every line, e.g. `{ service: 'bridge' }`. */
  base?: Record<string, unknown>;
  /** Where lines go; defaults to stdout. Tests pass a stream to read the output. */
  destination?: DestinationStream;
}

/**
 * The bridge's pino logger. Secrets are kept out twice over: pino's `redact` censors secret-named fields where they
 * usually sit (a token set, a config, headers), and the finished line is scrubbed (`streamWrite`): any string field
 * with a secret name, at any depth, is blanked, and secret fragments in any string (`Bearer …`, `refresh_token=…`, a
 * PEM key) are cut, which covers error messages, child bindings and text bodies. Nothing is copied to log it.
 */
export function createLogger(opts: CreateLoggerOptions = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    base: opts.base ?? null,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    hooks: { streamWrite: scrubJsonLine },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
