import crypto from 'node:crypto';
import { auth, build } from '../helper';
import { bearerToken, tokensMatch } from '../../src/server/plugins/admin-auth';

describe('admin auth', () => {
  it('rejects a request without a token with 401, a WWW-Authenticate header and the error shape', async () => {
    const { app, fakes } = await build();
    const res = await app.inject({ method: 'GET', url: '/admin/jobs' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="ledgerline-admin"');
    const body = res.json();
    expect(body).toEqual({
      error: { code: 'UNAUTHORIZED', message: 'A valid admin bearer token is required' },
      reqId: expect.any(String),
    });
    expect(res.headers['x-request-id']).toBe(body.reqId);
    expect(fakes.jobs.listJobs).not.toHaveBeenCalled();
  });

  it.each([
    ['a wrong token', 'Bearer not-the-admin-token'],
    ['a prefix of the token', `Bearer ${auth.authorization.slice(7, 20)}`],
    ['another scheme', auth.authorization.replace('Bearer', 'Basic')],
    ['an empty bearer', 'Bearer '],
  ])('rejects %s', async (_name, header) => {
    const { app, fakes } = await build();
    for (const url of ['/admin/jobs', '/admin/jobs/1', '/admin/dead-letters', '/connect/xero']) {
      const res = await app.inject({ method: 'GET', url, headers: { authorization: header } });
      expect(res.statusCode).toBe(401);
    }
    const retry = await app.inject({ method: 'POST', url: '/admin/jobs/1/retry', headers: { authorization: header } });
    expect(retry.statusCode).toBe(401);
    expect(fakes.jobs.retryJob).not.toHaveBeenCalled();
  });

  it('accepts the right token, scheme in any case', async () => {
    const { app } = await build();
    const res = await app.inject({
      method: 'GET',
      url: '/admin/jobs',
      headers: { authorization: auth.authorization.replace('Bearer', 'bearer') },
    });
    expect(res.statusCode).toBe(200);
  });

  it('compares with timingSafeEqual on equal-length digests, whatever the presented length', async () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      const { app } = await build();
      await app.inject({ method: 'GET', url: '/admin/jobs', headers: { authorization: 'Bearer x' } });
      await app.inject({ method: 'GET', url: '/admin/jobs', headers: { authorization: `Bearer ${'y'.repeat(500)}` } });
      await app.inject({ method: 'GET', url: '/admin/jobs' });
      await app.inject({ method: 'GET', url: '/admin/jobs', headers: auth });
      expect(spy).toHaveBeenCalledTimes(4);
      for (const [a, b] of spy.mock.calls) {
        expect((a as Buffer).length).toBe(32);
        expect((b as Buffer).length).toBe(32);
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('parses bearer headers strictly', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc  ')).toBe('abc');
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
    expect(tokensMatch('same', 'same')).toBe(true);
    expect(tokensMatch('same', 'samf')).toBe(false);
    expect(tokensMatch('', 'x')).toBe(false);
  });
});

describe('GET /admin/jobs', () => {
  async function withJobs() {
    const built = await build();
    const { jobs } = built.fakes;
    jobs.add({ action: 'CREATE_DRAFT', tenantId: 'tenant-uk', state: 'done' }); // 1
    jobs.add({ action: 'CREATE_DRAFT', tenantId: 'tenant-us', state: 'failed', lastError: 'Xero 500' }); // 2
    jobs.add({ action: 'AUTHORISE', tenantId: 'tenant-uk', state: 'dead', lastError: 'tax type OUTPUT2 rejected' }); // 3
    jobs.add({ action: 'VOID', tenantId: 'tenant-uk', state: 'queued' }); // 4
    jobs.add({ action: 'CREATE_DRAFT', tenantId: 'tenant-uk', state: 'failed' }); // 5
    return built;
  }

  it('lists newest first with ISO dates and no payload', async () => {
    const { app } = await withJobs();
    const res = await app.inject({ method: 'GET', url: '/admin/jobs', headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.jobs.map((j: { id: number }) => j.id)).toEqual([5, 4, 3, 2, 1]);
    expect(body.nextCursor).toBeNull();
    expect(body.jobs[2]).toEqual({
      id: 3,
      key: 'key-3',
      action: 'AUTHORISE',
      tenantId: 'tenant-uk',
      state: 'dead',
      attempts: 0,
      nextRunAt: '2026-01-01T00:00:03.000Z',
      lastError: 'tax type OUTPUT2 rejected',
      leaseOwner: null,
      leaseExpiresAt: null,
      createdAt: '2026-01-01T00:00:03.000Z',
      updatedAt: '2026-01-01T00:00:03.000Z',
    });
    expect(body.jobs[0]).not.toHaveProperty('payload');
  });

  it('filters by state (comma-separated), action and tenant, and passes the filter to the store', async () => {
    const { app, fakes } = await withJobs();
    const res = await app.inject({
      method: 'GET',
      url: '/admin/jobs?state=failed,dead&action=CREATE_DRAFT&tenant=tenant-uk',
      headers: auth,
    });
    expect(res.json().jobs.map((j: { id: number }) => j.id)).toEqual([5]);
    expect(fakes.jobs.listJobs).toHaveBeenLastCalledWith({
      states: ['failed', 'dead'],
      action: 'CREATE_DRAFT',
      tenantId: 'tenant-uk',
      limit: 51,
    });
    const byState = await app.inject({ method: 'GET', url: '/admin/jobs?state=failed', headers: auth });
    expect(byState.json().jobs.map((j: { id: number }) => j.id)).toEqual([5, 2]);
  });

  it('pages with limit and cursor', async () => {
    const { app } = await withJobs();
    const first = (await app.inject({ method: 'GET', url: '/admin/jobs?limit=2', headers: auth })).json();
    expect(first.jobs.map((j: { id: number }) => j.id)).toEqual([5, 4]);
    expect(first.nextCursor).toBe('4');
    const second = (
      await app.inject({ method: 'GET', url: `/admin/jobs?limit=2&cursor=${first.nextCursor}`, headers: auth })
    ).json();
    expect(second.jobs.map((j: { id: number }) => j.id)).toEqual([3, 2]);
    const third = (
      await app.inject({ method: 'GET', url: `/admin/jobs?limit=2&cursor=${second.nextCursor}`, headers: auth })
    ).json();
    expect(third.jobs.map((j: { id: number }) => j.id)).toEqual([1]);
    expect(third.nextCursor).toBeNull();
  });

  it('rejects bad filters with 400 and every problem listed', async () => {
    const { app, fakes } = await withJobs();
    const res = await app.inject({ method: 'GET', url: '/admin/jobs?state=stuck&limit=0&cursor=abc', headers: auth });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.reqId).toEqual(expect.any(String));
    const paths = body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['querystring/state', 'querystring/limit', 'querystring/cursor']));
    expect(fakes.jobs.listJobs).not.toHaveBeenCalled();
  });
});

describe('GET /admin/jobs/:id', () => {
  it('returns the job with payload and result', async () => {
    const { app, fakes } = await build();
    fakes.jobs.add({ action: 'CREATE_DRAFT', state: 'done', result: { invoiceId: 'inv-1' } });
    const res = await app.inject({ method: 'GET', url: '/admin/jobs/1', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().job).toMatchObject({ id: 1, payload: { opportunityId: '0061' }, result: { invoiceId: 'inv-1' } });
  });

  it('404s an unknown job and 400s a non-numeric id', async () => {
    const { app } = await build();
    const missing = await app.inject({ method: 'GET', url: '/admin/jobs/42', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({
      error: { code: 'JOB_NOT_FOUND', message: 'No job with id 42' },
      reqId: expect.any(String),
    });
    const bad = await app.inject({ method: 'GET', url: '/admin/jobs/abc', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
  });
});

describe('POST /admin/jobs/:id/retry', () => {
  it('queues a failed or dead job again', async () => {
    const { app, fakes } = await build();
    fakes.jobs.add({ action: 'CREATE_DRAFT', state: 'dead', lastError: 'boom' });
    const res = await app.inject({ method: 'POST', url: '/admin/jobs/1/retry', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().job).toMatchObject({ id: 1, state: 'queued' });
    expect(fakes.jobs.retryJob).toHaveBeenCalledWith(1);
  });

  it('409s a job that is not failed or dead, 404s an unknown one', async () => {
    const { app, fakes } = await build();
    fakes.jobs.add({ action: 'CREATE_DRAFT', state: 'running' });
    const running = await app.inject({ method: 'POST', url: '/admin/jobs/1/retry', headers: auth });
    expect(running.statusCode).toBe(409);
    expect(running.json().error).toEqual({
      code: 'JOB_NOT_RETRYABLE',
      message: 'Job 1 is running; only failed or dead jobs can be retried',
    });
    const unknown = await app.inject({ method: 'POST', url: '/admin/jobs/9/retry', headers: auth });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('GET /admin/dead-letters', () => {
  it('lists only dead jobs, filtered and paged like /admin/jobs', async () => {
    const { app, fakes } = await build();
    fakes.jobs.add({ action: 'CREATE_DRAFT', state: 'dead', tenantId: 'tenant-uk', lastError: 'a' });
    fakes.jobs.add({ action: 'CREATE_DRAFT', state: 'failed', tenantId: 'tenant-uk' });
    fakes.jobs.add({ action: 'AUTHORISE', state: 'dead', tenantId: 'tenant-us', lastError: 'b' });
    fakes.jobs.add({ action: 'CREATE_DRAFT', state: 'dead', tenantId: 'tenant-us', lastError: 'c' });
    const all = (await app.inject({ method: 'GET', url: '/admin/dead-letters', headers: auth })).json();
    expect(all.deadLetters.map((j: { id: number; lastError: string }) => [j.id, j.lastError])).toEqual([
      [4, 'c'],
      [3, 'b'],
      [1, 'a'],
    ]);
    const filtered = (
      await app.inject({
        method: 'GET',
        url: '/admin/dead-letters?tenant=tenant-us&action=CREATE_DRAFT',
        headers: auth,
      })
    ).json();
    expect(filtered.deadLetters.map((j: { id: number }) => j.id)).toEqual([4]);
    const paged = (await app.inject({ method: 'GET', url: '/admin/dead-letters?limit=1', headers: auth })).json();
    expect(paged).toMatchObject({ nextCursor: '4' });
  });
});
