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

  it('survives cycles', () => {
    const { log, output } = capture();
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    log.info({ a }, 'cyclic');
    expect((JSON.parse(output()) as { a: unknown }).a).toEqual({ name: 'a', self: '[Circular]' });
  });
});
