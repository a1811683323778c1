import { LedgerlineError } from '../../src/lib/errors';
import { ConflictError, HttpError } from '../../src/server/errors';
import { build } from '../helper';

describe('error handler', () => {
  const appWithRoutes = () => build();

  it('answers unknown routes with 404, the error shape and the request id', async () => {
    const { app } = await appWithRoutes();
    const res = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'Route GET /nope not found' },
      reqId: res.headers['x-request-id'],
    });
  });

  it('logs a request path cut to 256 characters, saying so, and never its query string', async () => {
    const { app, logs } = await appWithRoutes();
    const long = `/orgs/${'a.'.repeat(7_500)}/webhooks/xero`;
    const res = await app.inject({ method: 'POST', url: `${long}?code=CODE-SECRET-1` });
    expect(res.statusCode).toBe(404);
    await app.inject({ method: 'GET', url: '/nope?code=CODE-SECRET-2' });
    const paths = logs()
      .filter((l) => l.msg === 'request')
      .map((l) => l.path as string);
    expect(paths).toEqual([`${long.slice(0, 256)}…[cut: ${long.length} characters in all]`, '/nope']);
    expect(JSON.stringify(logs())).not.toContain('CODE-SECRET');
  });

  it('echoes a safe X-Request-Id and replaces an unsafe one', async () => {
    const { app } = await appWithRoutes();
    const safe = await app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'lb-1234.abc' } });
    expect(safe.json().reqId).toBe('lb-1234.abc');
    const unsafe = await app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'a b<script>' } });
    expect(unsafe.json().reqId).toMatch(/^[0-9a-f-]{36}$/);
  });

  describe('with throwing routes', () => {
    async function throwing(err: unknown) {
      const { app, logText } = await build(undefined, {}, (a) =>
        a.get('/boom', async () => {
          throw err;
        }),
      );
      const res = await app.inject({ method: 'GET', url: '/boom' });
      return { res, logText };
    }

    it('maps an unknown error to 500 "Internal error"; details only in the log', async () => {
      const { res, logText } = await throwing(new Error('connect ECONNREFUSED db-host:5432 password=hunter2'));
      expect(res.statusCode).toBe(500);
      const body = res.json();
      expect(body).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal error' }, reqId: expect.any(String) });
      expect(res.body).not.toContain('ECONNREFUSED');
      expect(logText()).toContain('ECONNREFUSED');
      expect(logText()).toContain(body.reqId);
    });

    it('keeps a typed LedgerlineError without an HTTP status generic too', async () => {
      const { res } = await throwing(new LedgerlineError('XERO_API', 'Xero said something internal'));
      expect(res.statusCode).toBe(500);
      expect(res.json().error).toEqual({ code: 'INTERNAL_ERROR', message: 'Internal error' });
    });

    it('maps typed 4xx errors to their status, code and message', async () => {
      const { res } = await throwing(new ConflictError('ALREADY_DONE', 'Job 3 is done'));
      expect(res.statusCode).toBe(409);
      expect(res.json()).toEqual({
        error: { code: 'ALREADY_DONE', message: 'Job 3 is done' },
        reqId: expect.any(String),
      });
      const other = Object.assign(new LedgerlineError('NOT_CONNECTED', 'Xero tenant t is not connected'), {
        statusCode: 422,
      });
      const res2 = (await throwing(other)).res;
      expect(res2.statusCode).toBe(422);
      expect(res2.json().error.code).toBe('NOT_CONNECTED');
    });

    it('lets an HttpError written for clients keep its 5xx message', async () => {
      const { res } = await throwing(new HttpError(503, 'DRAINING', 'The bridge is shutting down'));
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toEqual({ code: 'DRAINING', message: 'The bridge is shutting down' });
    });

    it('hides an upstream HTTP error that carries a 4xx statusCode behind a 500', async () => {
      const upstream = Object.assign(new Error('Xero 404: The resource you are looking for cannot be found'), {
        statusCode: 404,
      });
      const { res } = await throwing(upstream);
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain('Xero 404');
    });

    it('treats a non-Error throw as a 500', async () => {
      const { res } = await throwing('a string');
      expect(res.statusCode).toBe(500);
      expect(res.json().error.message).toBe('Internal error');
    });
  });
});

describe('graceful shutdown', () => {
  it('stops intake, then finishes in-flight work, then closes the store', async () => {
    const { app, fakes } = await build();
    await app.close();
    expect(fakes.order).toEqual(['stop subscriber', 'stop poller', 'drain workers', 'close store']);
  });

  it('waits for in-flight work before closing the store', async () => {
    const { app, fakes } = await build();
    let finish!: () => void;
    fakes.shutdown.inFlight[0]!.drain.mockImplementation(
      () =>
        new Promise<void>((resolve) => {
          finish = () => {
            fakes.order.push('drain workers');
            resolve();
          };
        }),
    );
    const closing = app.close();
    await new Promise((r) => setTimeout(r, 30));
    expect(fakes.order).toEqual(['stop subscriber', 'stop poller']);
    finish();
    await closing;
    expect(fakes.order).toEqual(['stop subscriber', 'stop poller', 'drain workers', 'close store']);
  });

  it('closes the store even when a step fails or draining takes too long', async () => {
    const { app, fakes, logText } = await build(undefined, { drainTimeoutMs: 30 });
    fakes.shutdown.intake[0]!.stop.mockRejectedValueOnce(new Error('subscriber stuck'));
    fakes.shutdown.inFlight[0]!.drain.mockImplementation(() => new Promise<void>(() => undefined));
    await app.close();
    expect(fakes.order).toEqual(['stop poller', 'close store']);
    expect(logText()).toContain('subscriber stuck');
    expect(logText()).toContain('in-flight work did not finish in time');
  });

  it('stops answering new requests while closing', async () => {
    const { app } = await build();
    await app.listen({ host: '127.0.0.1', port: 0 });
    await app.close();
    expect(app.server.listening).toBe(false);
  });
});
