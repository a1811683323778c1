import { auth, build } from '../helper';
import { createMetrics, METRIC_NAMES } from '../../src/server/metrics';

describe('GET /health', () => {
  it('is 200 while the process runs, even when every dependency is down', async () => {
    const { app, fakes } = await build();
    fakes.readiness.store.mockRejectedValue(new Error('closed'));
    fakes.readiness.salesforce.mockRejectedValue(new Error('down'));
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /ready', () => {
  it('is 200 when the store, Salesforce and Xero answer and every billing entity tenant is connected', async () => {
    const { app, fakes } = await build();
    fakes.billingEntities.mockResolvedValue([
      { developerName: 'UK_Ltd', xeroTenantId: 'tenant-uk' },
      { developerName: 'US_Inc', xeroTenantId: 'tenant-us' },
    ]);
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ready',
      checks: [
        { name: 'store', ok: true, message: 'ok' },
        { name: 'salesforce', ok: true, message: 'ok' },
        { name: 'xero', ok: true, message: 'ok (2 organisation(s) connected)' },
        { name: 'billing_entities', ok: true, message: 'ok (2 entities connected)' },
      ],
      missingTenants: [],
    });
  });

  it('is 503 naming the billing entities whose tenant no connection reaches', async () => {
    const { app } = await build();
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.status).toBe('not_ready');
    expect(body.missingTenants).toEqual([{ developerName: 'EU_BV', xeroTenantId: 'tenant-eu' }]);
    expect(body.checks.find((c: { name: string }) => c.name === 'billing_entities')).toEqual({
      name: 'billing_entities',
      ok: false,
      message: 'not connected in Xero: EU_BV (tenant-eu); connect them at /connect/xero',
    });
  });

  it('is 503 listing each unreachable dependency, with codes but no error text', async () => {
    const { app, fakes, logText } = await build();
    fakes.readiness.store.mockRejectedValue(
      Object.assign(new Error('SQLITE_CANTOPEN /secret/path'), { code: 'ERR_SQLITE_ERROR' }),
    );
    fakes.readiness.salesforce.mockRejectedValue(
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.1'), { code: 'ECONNREFUSED' }),
    );
    fakes.readiness.xeroTenants.mockRejectedValue(new Error('token refused'));
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks).toEqual([
      { name: 'store', ok: false, message: 'unreachable (ERR_SQLITE_ERROR)' },
      { name: 'salesforce', ok: false, message: 'unreachable (ECONNREFUSED)' },
      { name: 'xero', ok: false, message: 'unreachable' },
      { name: 'billing_entities', ok: false, message: 'cannot check tenants while Xero is unreachable' },
    ]);
    expect(res.body).not.toContain('/secret/path');
    expect(res.body).not.toContain('10.0.0.1');
    expect(logText()).toContain('readiness check failed');
  });

  it('times a hanging check out instead of hanging the probe', async () => {
    const { app, fakes } = await build(undefined, { readyTimeoutMs: 50 });
    fakes.readiness.salesforce.mockImplementation(() => new Promise(() => undefined));
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks[1]).toEqual({
      name: 'salesforce',
      ok: false,
      message: 'unreachable: no answer within 50 ms',
    });
  });

  it('is 503 when there are no billing entities or they cannot be read', async () => {
    const { app, fakes } = await build();
    fakes.billingEntities.mockResolvedValueOnce([]);
    const none = await app.inject({ method: 'GET', url: '/ready' });
    expect(none.statusCode).toBe(503);
    expect(none.json().checks[3]).toEqual({
      name: 'billing_entities',
      ok: false,
      message: 'no Billing_Entity__mdt records',
    });
    fakes.billingEntities.mockRejectedValueOnce(new Error('INVALID_TYPE'));
    const unreadable = await app.inject({ method: 'GET', url: '/ready' });
    expect(unreadable.json().checks[3]).toEqual({
      name: 'billing_entities',
      ok: false,
      message: 'cannot read Billing_Entity__mdt: unreachable',
    });
  });
});

describe('GET /metrics', () => {
  it('exposes the expected metrics in Prometheus text format', async () => {
    const { app, fakes } = await build();
    fakes.jobs.add({ action: 'CREATE_DRAFT', state: 'done' });
    fakes.jobs.add({ action: 'CREATE_DRAFT', state: 'dead' });
    fakes.jobs.add({ action: 'AUTHORISE', state: 'dead' });
    app.metrics.recordXeroCall('tenant-uk', 200);
    app.metrics.recordXeroCall('tenant-uk', 429);
    app.metrics.recordXeroRateLimited('tenant-uk', 'minute');
    app.metrics.recordXeroRemaining('tenant-uk', 'day', 4990);
    app.metrics.observeEventLag('salesforce', 1.5);
    await app.inject({ method: 'GET', url: '/admin/jobs/7', headers: auth });

    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    for (const name of Object.values(METRIC_NAMES)) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('ledgerline_jobs{state="dead"} 2');
    expect(text).not.toContain('ledgerline_jobs{state="done"}'); // kept for their keys, never counted on a scrape
    expect(text).toContain('ledgerline_jobs{state="queued"} 0');
    expect(text).toContain('ledgerline_xero_calls_total{tenant="tenant-uk",status="429"} 1');
    expect(text).toContain('ledgerline_xero_rate_limited_total{tenant="tenant-uk",problem="minute"} 1');
    expect(text).toContain('ledgerline_xero_rate_limit_remaining{tenant="tenant-uk",window="day"} 4990');
    expect(text).toContain('ledgerline_event_lag_seconds_count{source="salesforce"} 1');
    expect(text).toContain('ledgerline_event_lag_last_seconds{source="salesforce"} 1.5');
    // route patterns, not raw URLs
    expect(text).toContain('route="/admin/jobs/:id"');
    expect(text).not.toContain('/admin/jobs/7');
  });

  it('keeps each app on its own registry', async () => {
    const a = await build();
    const b = await build();
    a.app.metrics.recordXeroCall('tenant-a', 200);
    const textB = (await b.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(textB).not.toContain('tenant-a');
    expect(a.app.metrics.registry).not.toBe(b.app.metrics.registry);
  });

  it('still answers when the store cannot count jobs', async () => {
    const onCollectError = jest.fn();
    const metrics = createMetrics({ defaultMetrics: false, onCollectError });
    const { app, fakes } = await build((deps) => ({ ...deps, metrics }));
    fakes.jobs.countOpenJobsByState.mockRejectedValueOnce(new Error('store closed'));
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(onCollectError).toHaveBeenCalledTimes(1);
  });

  it('includes Node process metrics when asked', async () => {
    const metrics = createMetrics({ defaultMetrics: true });
    expect(await metrics.registry.metrics()).toContain('process_cpu_user_seconds_total');
  });
});
