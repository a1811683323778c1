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
  'encryptionkey',
  'tokenencryptionkey',
  'codeverifier',
]);

const normaliseKey = (key: string) => key.replace(/[-_]/g, '').toLowerCase();

/** True if a property with this name holds a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(normaliseKey(key));
}

// Secrets that show up inside strings: auth headers, form bodies / JSON fragments, PEM blocks.
const STRING_PATTERNS: [RegExp, string][] = [
  [/\b(Bearer|Basic|OAuth)\s+[A-Za-z0-9._~+/=-]{6,}/g, `$1 ${REDACTED}`],
  [
    /("?\b(?:access_token|refresh_token|id_token|client_secret|assertion|code_verifier)\\?"?\s*[:=]\s*\\?"?)[^"&\s,}\\]+/gi,
    `$1${REDACTED}`,
  ],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
  // a password inside a URL (STORE_URL=postgres://user:password@host/db)
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@/?#\s]+@/gi, `$1${REDACTED}@`],
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
 * Deep copy of `value` with secret keys replaced and secret fragments scrubbed from strings. Errors become
 * plain objects (type, message, stack and their own properties) so nothing inside them escapes.
 */
export function redactDeep(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 8) return '[Truncated]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Date) return value;
  if (Buffer.isBuffer(value)) return `[Buffer ${value.length}]`;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  if (value instanceof Error) {
    out.type = value.name;
    out.message = scrubString(value.message);
    if (value.stack) out.stack = scrubString(value.stack);
    if (value.cause !== undefined) out.cause = redactDeep(value.cause, depth + 1, seen);
  }
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isSecretKey(key) ? REDACTED : redactDeep(inner, depth + 1, seen);
  }
  return out;
}

export interface CreateLoggerOptions {
  level?: string;
  /** Bindings on every line, e.g. `{ service: 'bridge' }`. */
  base?: Record<string, unknown>;
  /** Where lines go; defaults to stdout. Tests pass a stream to read the output. */
  destination?: DestinationStream;
}

/**
 * The bridge's pino logger. Secrets are removed three ways: pino `redact` paths for the usual header
 * locations, a deep pass over every logged argument that blanks secret-named keys at any depth, and a
 * scrub of secret fragments (`Bearer …`, `refresh_token=…`, PEM keys) in every string, message included.
 * Child-logger bindings get the same treatment.
 */
export function createLogger(opts: CreateLoggerOptions = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    base: opts.base ?? null,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-xero-signature"]',
        'res.headers["set-cookie"]',
        'headers.authorization',
        'headers.Authorization',
      ],
      censor: REDACTED,
    },
    // redactDeep below already turns errors into plain, scrubbed objects
    serializers: { err: (value: unknown) => value, error: (value: unknown) => value },
    formatters: {
      bindings: (bindings) => redactDeep(bindings) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const cleaned: unknown[] = args.map((arg) => redactDeep(arg));
        const [first] = args;
        if (first instanceof Error) {
          // log.error(err) / log.error(err, 'msg'): keep pino's shape, { err } plus the message
          cleaned[0] = { err: cleaned[0] };
          if (typeof cleaned[1] !== 'string') cleaned.splice(1, 0, scrubString(first.message));
        } else if (
          typeof first === 'object' &&
          first !== null &&
          typeof cleaned[1] !== 'string' &&
          (first as { err?: unknown }).err instanceof Error
        ) {
          // log.error({ err }) without a message: pino would use the raw err.message
          cleaned.splice(1, 0, scrubString((first as { err: Error }).err.message));
        }
        return method.apply(this, cleaned as Parameters<typeof method>);
      },
      // last line of defence, on the finished JSON line (child bindings reach the stream this way)
      streamWrite: scrubJsonLine,
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
