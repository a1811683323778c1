import { randomBytes } from 'node:crypto';
import { SqliteStore } from '../../src/store';
import { auth, build } from '../helper';

/** The admin API on the real SQLite store: the fakes' semantics are the store's. */
describe('admin API on the SQLite store', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
  });
  afterEach(async () => {
    await store.close();
  });

  it('lists, pages, shows dead letters, retries and counts jobs', async () => {
    for (let i = 1; i <= 4; i += 1) {
      await store.jobs.enqueueJob({
        key: `opp-${i}:CREATE_DRAFT:1`,
        action: 'CREATE_DRAFT',
        payload: { i },
        tenantId: 'tenant-uk',
      });
    }
    await store.jobs.enqueueJob({ key: 'opp-9:AUTHORISE:1', action: 'AUTHORISE', payload: {}, tenantId: 'tenant-us' });
    const [claimed] = await store.jobs.claimJobs({ owner: 'w1', leaseMs: 60_000, limit: 1 });
    expect(claimed).toBeDefined();
    await store.jobs.failJob(claimed!.id, 'w1', 'Xero rejected tax type OUTPUT2 for UK Ltd', null);

    const { app } = await build((deps) => ({ ...deps, jobs: store.jobs }));

    const page1 = (await app.inject({ method: 'GET', url: '/admin/jobs?limit=3', headers: auth })).json();
    expect(page1.jobs).toHaveLength(3);
    const page2 = (
      await app.inject({ method: 'GET', url: `/admin/jobs?limit=3&cursor=${page1.nextCursor}`, headers: auth })
    ).json();
    expect(page2.jobs).toHaveLength(2);
    expect(page2.nextCursor).toBeNull();

    const byTenant = (await app.inject({ method: 'GET', url: '/admin/jobs?tenant=tenant-us', headers: auth })).json();
    expect(byTenant.jobs.map((j: { action: string }) => j.action)).toEqual(['AUTHORISE']);

    const dead = (await app.inject({ method: 'GET', url: '/admin/dead-letters', headers: auth })).json();
    expect(dead.deadLetters).toEqual([
      expect.objectContaining({
        id: claimed!.id,
        state: 'dead',
        lastError: 'Xero rejected tax type OUTPUT2 for UK Ltd',
      }),
    ]);

    const detail = (await app.inject({ method: 'GET', url: `/admin/jobs/${claimed!.id}`, headers: auth })).json();
    expect(detail.job.payload).toEqual(claimed!.payload);

    const retried = await app.inject({ method: 'POST', url: `/admin/jobs/${claimed!.id}/retry`, headers: auth });
    expect(retried.statusCode).toBe(200);
    expect(retried.json().job.state).toBe('queued');
    const again = await app.inject({ method: 'POST', url: `/admin/jobs/${claimed!.id}/retry`, headers: auth });
    expect(again.statusCode).toBe(409);

    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('ledgerline_jobs{state="queued"} 5');
    expect(metrics).toContain('ledgerline_jobs{state="dead"} 0');
  });
});
