import { Writable } from 'node:stream';
import { createLogger, REDACTED, scrubJsonLine, scrubString } from './logger';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  const log = createLogger({ level: 'trace', destination });
  return { log, output: () => lines.join('') };
}

const ACCESS = 'eyJhbGciOiJSUzI1NiJ9.access-token-value-123456';
const REFRESH = 'refresh-token-value-abcdef987654';
const SECRET = 'client-secret-value-xyz000111';

describe('logger redaction', () => {
  it('never writes a token value, wherever it appears', () => {
    const { log, output } = capture();
    log.info({ tokenSet: { access_token: ACCESS, refresh_token: REFRESH } }, 'stored token set');
    log.info({ token: { accessToken: ACCESS, refreshToken: REFRESH, expires_at: 1 } }, 'camelCase too');
    log.info({ req: { headers: { authorization: `Bearer ${ACCESS}` } } }, 'incoming');
    log.info({ request: { headers: { Authorization: `Bearer ${ACCESS}` } } }, 'outgoing');
    log.warn({ body: `grant_type=refresh_token&refresh_token=${REFRESH}` }, 'form body');
    log.warn({ body: JSON.stringify({ access_token: ACCESS, refresh_token: REFRESH }) }, 'json text');
    log.error({ err: Object.assign(new Error(`refresh failed for Bearer ${ACCESS}`), { client_secret: SECRET }) });
    log.error(new Error(`raw error with Bearer ${ACCESS}`));
    log.child({ accessToken: ACCESS }).info('child bindings');
    log.info(`message with refresh_token=${REFRESH} inline`);
    log.info({ nested: { deeper: { xs: [{ client_secret: SECRET, clientSecret: SECRET }] } } }, 'deep');
    log.info({ privateKey: '-----BEGIN PRIVATE KEY-----\nMIIB...\n-----END PRIVATE KEY-----' }, 'pem');
    log.info({ config: { webhookKey: 'whk', assertion: 'jwt.jwt.jwt', adminToken: 'adm' } }, 'misc');

    const text = output();
    expect(text).not.toContain(ACCESS);
    expect(text).not.toContain('access-token-value');
    expect(text).not.toContain(REFRESH);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('MIIB');
    expect(text).not.toContain('jwt.jwt.jwt');
    expect(text).toContain(REDACTED);
    // still useful: ordinary fields and messages survive
    expect(text).toContain('stored token set');
    expect(text).toContain('"expires_at":1');
  });

  it('keeps error type and message readable', () => {
    const { log, output } = capture();
    log.error({ err: new TypeError('bad thing') }, 'failed');
    const redacted = JSON.parse(output()) as { err: { type: string; message: string } };
    expect(redacted.err.type).toBe('TypeError');
    expect(redacted.err.message).toBe('bad thing');
  });

  it("never writes a Salesforce session id (its '!' split the token before)", () => {
    const { log, output } = capture();
    const session = '00D5g000004ABCD!AQ4AQFakeSessionTokenValue1234567890abcdef';
    log.error({ err: new Error(`HTTP 400 {"authorization":"Bearer ${session}"}`) }, 'query failed');
    log.info({ sessionId: session, sid: session, conn: { accessToken: session } }, 'session');
    log.info(`sid=${session}`);
    expect(output()).not.toContain('FakeSessionToken');
  });

  it('scrubs auth headers in free text', () => {
    expect(scrubString('Authorization: Basic Y2xpZW50OnNlY3JldA==')).toBe(`Authorization: Basic ${REDACTED}`);
  });

  it('scrubs the password in a database URL', () => {
    expect(scrubString('connect failed: postgres://ledgerline:s3cr%40t@db.internal:5432/bridge?sslmode=require')).toBe(
      `connect failed: postgres://ledgerline:${REDACTED}@db.internal:5432/bridge?sslmode=require`,
    );
    expect(scrubString('see https://example.com/a:b@c')).toBe('see https://example.com/a:b@c'); // no credentials
  });

  it('scrubs a finished JSON line, escaped JSON inside strings included', () => {
    const line = JSON.stringify({ accessToken: ACCESS, body: JSON.stringify({ refresh_token: REFRESH }) });
    const scrubbed = scrubJsonLine(line);
    expect(scrubbed).not.toContain(ACCESS);
    expect(scrubbed).not.toContain(REFRESH);
    expect(() => JSON.parse(scrubbed)).not.toThrow();
  });

  it("never writes an org's secrets: the admin API's and the store's names, and their environment variables", () => {
    const { log, output } = capture();
    const secrets = {
      salesforcePrivateKey: 'SF-KEY-VALUE-1',
      xeroClientSecret: 'XERO-SECRET-VALUE-2',
      xeroWebhookKey: 'WEBHOOK-KEY-VALUE-3',
      xeroWebhookKeyPrevious: 'WEBHOOK-KEY-VALUE-4',
    };
    log.info({ secrets }, 'org secrets, as an object');
    log.info({ ...secrets }, 'org secrets, at the top');
    log.info({ input: { profile: { displayName: 'Org B' }, secrets } }, 'org secrets, deeper');
    log.info({ org: secrets }, 'org secrets, under another name');
    log.info(
      {
        config: {
          adminToken: 'ADMIN-VALUE-5',
          adminTokenPrevious: 'ADMIN-VALUE-6',
          xero: { webhookKeyPrevious: 'WEBHOOK-KEY-VALUE-7' },
          store: { encryptionKey: Buffer.from('KEY-BYTES-8'), previousEncryptionKeys: [Buffer.from('KEY-BYTES-9')] },
        },
      },
      'config',
    );
    log.info({ env: { XERO_CLIENT_SECRET: 'XERO-SECRET-VALUE-10', ADMIN_TOKEN_PREVIOUS: 'ADMIN-VALUE-11' } }, 'env');
    const text = output();
    expect(text).not.toMatch(/VALUE|KEY-BYTES|75,69,89/); // 75,69,89: 'KEY' as a logged Buffer's bytes
    expect(text).toContain('Org B');
    // store/orgs.test.ts and config/config.test.ts check every name of orgSecretsSchema and of the env's secrets
  });

  it('scrubs 64 KB of adversarial text in linear time (no regex backtracking blow-up)', () => {
    // Long runs of URL-scheme characters with no '://' made the URL-password pattern's unbounded scheme rescan the
    // rest of the run from every start. Measured in this suite on 64 KB: `[a-z0-9+.-]*` took about 2,200 ms ('a.')
    // and 2,700 ms ('a-') for one pass, so over 4 s for the two below; with the bounded `{0,31}` both passes take
    // about 10 ms. The bound, 200 ms, is twenty times that and twenty times under the quadratic pattern, so a busy
    // machine does not fail it and a quadratic pattern cannot pass it. A client sends such text in a request path,
    // which every request's log line carries (cut to 256 characters by the app, but any logged string is scrubbed).
    const adversarial = ['a.'.repeat(32_768), 'a-'.repeat(32_768), `${'a.'.repeat(20)}://`.repeat(1_524)];
    for (const text of adversarial) {
      const line = JSON.stringify({ level: 30, path: text, msg: 'request' });
      const started = performance.now();
      scrubString(text);
      scrubJsonLine(line);
      const ms = performance.now() - started;
      expect({ length: text.length, slow: ms > 200 }).toEqual({ length: text.length, slow: false });
    }
  });

  it('survives cycles', () => {
    const { log, output } = capture();
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    log.info({ a }, 'cyclic');
    expect((JSON.parse(output()) as { a: unknown }).a).toEqual({ name: 'a', self: '[Circular]' });
  });
});
