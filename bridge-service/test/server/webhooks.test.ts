import { createHmac } from 'node:crypto';
import { ADMIN_TOKEN, build, WEBHOOK_KEY } from '../helper';
import { eventTime, verifyXeroSignature, xeroSignature } from '../../src/server/routes/webhooks';

const sign = (body: string | Buffer, key = WEBHOOK_KEY) => createHmac('sha256', key).update(body).digest('base64');

const EVENT = {
  resourceUrl: 'https://api.xero.com/api.xro/2.0/Invoices/6b4c1c3e-1111-2222-3333-444455556666',
  resourceId: '6b4c1c3e-1111-2222-3333-444455556666',
  eventDateUtc: '2025-12-02T00:44:09.923',
  eventType: 'UPDATE',
  eventCategory: 'INVOICE',
  tenantId: 'tenant-uk',
  tenantType: 'ORGANISATION',
};
// Deliberately not JSON.stringify's spacing: the signature must be over these exact bytes.
const BODY = `{ "events": [ ${JSON.stringify(EVENT)} ], "firstEventSequence": 7, "lastEventSequence": 7, "entropy": "ABCDEFG" }`;
const ITR = '{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"KXQHGHKDGVVPWTYDHKDS"}';

function post(body: string | Buffer, signature?: string, contentType = 'application/json') {
  return {
    method: 'POST' as const,
    url: '/webhooks/xero',
    payload: body,
    headers: { 'content-type': contentType, ...(signature === undefined ? {} : { 'x-xero-signature': signature }) },
  };
}

describe('POST /webhooks/xero', () => {
  it('accepts a correctly signed delivery: events handed over, 200 with an empty body', async () => {
    const { app, fakes } = await build();
    const res = await app.inject(post(BODY, sign(BODY)));
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(fakes.acceptWebhook).toHaveBeenCalledTimes(1);
    expect(fakes.webhooks[0]).toEqual({
      events: [EVENT],
      firstEventSequence: 7,
      lastEventSequence: 7,
      entropy: 'ABCDEFG',
    });
  });

  it('refuses a wrong signature with 401, empty body, nothing stored', async () => {
    const { app, fakes } = await build();
    for (const signature of [
      sign(BODY, 'another-key'),
      sign(`${BODY} `), // signed a different body
      sign(BODY).slice(0, -2), // truncated
      `${sign(BODY)}xx`, // longer
      'not base64 at all',
      '',
    ]) {
      const res = await app.inject(post(BODY, signature));
      expect(res.statusCode).toBe(401);
      expect(res.body).toBe('');
    }
    expect(fakes.acceptWebhook).not.toHaveBeenCalled();
  });

  it('refuses a missing signature with 401', async () => {
    const { app, fakes } = await build();
    const res = await app.inject(post(BODY));
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe('');
    expect(fakes.acceptWebhook).not.toHaveBeenCalled();
  });

  it('answers intent-to-receive probes: 200 when signed right, 401 otherwise', async () => {
    const { app, fakes } = await build();
    const good = await app.inject(post(ITR, sign(ITR)));
    expect(good.statusCode).toBe(200);
    expect(good.body).toBe('');
    const bad = await app.inject(post(ITR, sign(ITR, 'wrong')));
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toBe('');
    expect(fakes.webhooks).toEqual([JSON.parse(ITR)]);
  });

  it('refuses an oversized body with 413 and a clear error', async () => {
    const { app, fakes } = await build(undefined, { webhookBodyLimit: 1024 });
    const big = JSON.stringify({ events: [], entropy: 'x'.repeat(2000) });
    const res = await app.inject(post(big, sign(big)));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is larger than the 1024-byte limit' },
      reqId: expect.any(String),
    });
    expect(fakes.acceptWebhook).not.toHaveBeenCalled();
  });

  it('400s a correctly signed body that is not JSON, or not a webhook payload; nothing stored', async () => {
    const { app, fakes } = await build();
    const notJson = 'events=1';
    const res = await app.inject(post(notJson, sign(notJson)));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({ code: 'INVALID_JSON', message: 'The webhook body is not valid JSON' });

    const asText = await app.inject(post(notJson, sign(notJson), 'text/plain'));
    expect(asText.statusCode).toBe(400);

    const noEvents = '{"entropy":"x"}';
    const shape = await app.inject(post(noEvents, sign(noEvents)));
    expect(shape.statusCode).toBe(400);
    expect(shape.json().error).toEqual({
      code: 'INVALID_WEBHOOK_PAYLOAD',
      message: 'Not a Xero webhook payload: the body must have an "events" array',
    });
    const badEvent = '{"events":[{"resourceId":1}]}';
    expect((await app.inject(post(badEvent, sign(badEvent)))).json().error.message).toContain('events[0].resourceId');
    expect(fakes.acceptWebhook).not.toHaveBeenCalled();
  });

  it('checks the signature before looking at the body: unsigned garbage is a 401, not a 400', async () => {
    const { app } = await build();
    expect((await app.inject(post('{not json', 'bad'))).statusCode).toBe(401);
    expect((await app.inject(post('{not json', undefined, 'text/plain'))).statusCode).toBe(401);
  });

  it('500s with the generic error when storing fails, so Xero retries', async () => {
    const { app, fakes } = await build();
    fakes.acceptWebhook.mockRejectedValueOnce(new Error('SQLITE_BUSY: database is locked'));
    const res = await app.inject(post(BODY, sign(BODY)));
    expect(res.statusCode).toBe(500);
    expect(res.json().error).toEqual({ code: 'INTERNAL_ERROR', message: 'Internal error' });
    expect(res.body).not.toContain('SQLITE');
  });

  it("answers 503 before Xero's 5 s limit when storing hangs", async () => {
    const { app, fakes } = await build(undefined, { webhookAcceptTimeoutMs: 50 });
    fakes.acceptWebhook.mockImplementationOnce(() => new Promise<void>(() => undefined));
    const res = await app.inject(post(BODY, sign(BODY)));
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toEqual({
      code: 'WEBHOOK_NOT_STORED',
      message: 'The events could not be stored in time; retry later',
    });
  });

  it('records event lag from eventDateUtc (UTC without a zone)', async () => {
    const now = Date.parse('2025-12-02T00:44:12.923Z');
    const { app } = await build((deps) => ({ ...deps, clock: { now: () => now } }));
    await app.inject(post(BODY, sign(BODY)));
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain('ledgerline_event_lag_last_seconds{source="xero_webhook"} 3');
    expect(text).toContain('ledgerline_event_lag_seconds_count{source="xero_webhook"} 1');
    expect(eventTime('2025-12-02T00:44:09.923')).toBe(Date.parse('2025-12-02T00:44:09.923Z'));
    expect(eventTime('2025-12-02T01:44:09+01:00')).toBe(Date.parse('2025-12-02T00:44:09Z'));
    expect(eventTime('yesterday')).toBeUndefined();
  });

  it('counts outcomes in the metrics', async () => {
    const { app } = await build();
    await app.inject(post(BODY, sign(BODY)));
    await app.inject(post(BODY, 'bad'));
    await app.inject(post('nope', sign('nope')));
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain('ledgerline_webhook_requests_total{outcome="accepted"} 1');
    expect(text).toContain('ledgerline_webhook_requests_total{outcome="bad_signature"} 1');
    expect(text).toContain('ledgerline_webhook_requests_total{outcome="invalid"} 1');
  });

  it('keeps the normal JSON parser for the rest of the app', async () => {
    const { app } = await build();
    const res = await app.inject({
      method: 'POST',
      url: '/admin/jobs/1/retry',
      payload: '{bad json',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_JSON');
  });

  it('verifies over real HTTP on the exact bytes received (listen on port 0)', async () => {
    const { app, fakes } = await build();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const url = `http://127.0.0.1:${address.port}/webhooks/xero`;
    const bytes = Buffer.from(BODY.replace('ABCDEFG', 'ÄÖÜ-ünïcødé'), 'utf8');

    const good = await fetch(url, {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-xero-signature': sign(bytes) },
    });
    expect(good.status).toBe(200);
    expect(await good.text()).toBe('');
    expect(fakes.webhooks[0]?.entropy).toBe('ÄÖÜ-ünïcødé');

    const bad = await fetch(url, {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/json', 'x-xero-signature': sign('other') },
    });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toBe('');
    expect(fakes.webhooks).toHaveLength(1);
  });
});

describe('signature helpers', () => {
  it('match the published algorithm: base64(HMAC-SHA256(raw body, key))', () => {
    const body = Buffer.from(ITR);
    expect(xeroSignature(body, 'k')).toBe(createHmac('sha256', 'k').update(body).digest('base64'));
    expect(verifyXeroSignature(body, xeroSignature(body, 'k'), 'k')).toBe(true);
    expect(verifyXeroSignature(body, [xeroSignature(body, 'k')], 'k')).toBe(false);
    expect(verifyXeroSignature(body, undefined, 'k')).toBe(false);
  });
});
