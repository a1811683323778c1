import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase, describePostgres } from '../../../test/postgres/test-database';
import { SchemaTooNewError } from '../migrations';
import { describeStoreContract } from '../store.contract';
import { CLAIM_CANDIDATES, OLDEST_PENDING_SQL, OPEN_JOB_COUNTS_SQL, PRUNE_DONE_JOBS_SQL, claimSql } from './jobs';
import { MIGRATIONS } from './migrations';
import { MIGRATION_LOCK_KEY, PostgresStore } from './postgres-store';

interface PlanNode {
  'Node Type': string;
  'Plan Rows': number;
  'Actual Rows'?: number;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];

/** Every table the store writes (schema_migrations aside): emptied between contract tests. */
const TABLES = [
  'jobs',
  'xero_results',
  'replay_cursors',
  'xero_connections',
  'xero_tenants',
  'leases',
  'contact_mappings',
  'sync_watermarks',
  'webhook_events',
  'orgs',
  'rate_buckets',
  'rate_permits',
  'oauth_states',
];

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describePostgres('PostgreSQL store', (database) => {
  // One database for the file; the contract's tests each start from empty tables.
  describeStoreContract('PostgreSQL', (clock) => {
    const { url } = database();
    const query = (sql: string, params: unknown[] = []) => withClient(url, (c) => c.query(sql, params));
    return {
      open: ({ encryptionKey, previousEncryptionKeys }) =>
        PostgresStore.open({ url, encryptionKey, previousEncryptionKeys, clock, poolSize: 4 }),
      sealedTokenSets: async () =>
        (await query('SELECT token_sealed FROM xero_connections ORDER BY connection_id')).rows.map((r) =>
          String(r.token_sealed),
        ),
      sealedOrgSecrets: async () =>
        (await query('SELECT secrets_sealed FROM orgs ORDER BY org_id')).rows.map((r) => String(r.secrets_sealed)),
      moveTokenSet: async (from, to, toOrgId) => {
        await query(
          'UPDATE xero_connections SET connection_id = $1, org_id = COALESCE($2, org_id) WHERE connection_id = $3',
          [to, toOrgId ?? null, from],
        );
      },
      dispose: async () => {
        await query(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY`).catch((err: unknown) => {
          // the first test's harness is made before the schema exists
          if ((err as { code?: string }).code !== '42P01') throw err;
        });
      },
    };
  });

  describe('migrations', () => {
    const key = randomBytes(32);

    it('runs them once when several bridges start at the same moment', async () => {
      const fresh = await createTestDatabase();
      try {
        const stores = await Promise.all(
          [1, 2, 3].map(() => PostgresStore.open({ url: fresh.url, encryptionKey: key })),
        );
        for (const s of stores) expect(await s.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
        const rows = await withClient(fresh.url, (c) => c.query('SELECT version FROM schema_migrations'));
        expect(rows.rowCount).toBe(MIGRATIONS.length);
        await Promise.all(stores.map((s) => s.close()));
      } finally {
        await fresh.drop();
      }
    });

    it('waits for the migration lock another bridge holds, then finds nothing to do', async () => {
      const fresh = await createTestDatabase();
      try {
        await (await PostgresStore.open({ url: fresh.url, encryptionKey: key })).close();
        await withClient(fresh.url, async (holder) => {
          await holder.query('BEGIN');
          await holder.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
          let opened = false;
          const opening = PostgresStore.open({ url: fresh.url, encryptionKey: key }).then((s) => {
            opened = true;
            return s;
          });
          await new Promise((r) => setTimeout(r, 400));
          expect(opened).toBe(false); // waiting on the lock
          await holder.query('COMMIT');
          const store = await opening;
          expect(await store.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
          await store.close();
        });
      } finally {
        await fresh.drop();
      }
    });

    it('refuses a database migrated by a newer bridge', async () => {
      const fresh = await createTestDatabase();
      try {
        const future = [...MIGRATIONS, { version: 999, name: 'from the future', sql: 'SELECT 1' }];
        await (await PostgresStore.open({ url: fresh.url, encryptionKey: key, migrations: future })).close();
        await expect(PostgresStore.open({ url: fresh.url, encryptionKey: key })).rejects.toBeInstanceOf(
          SchemaTooNewError,
        );
      } finally {
        await fresh.drop();
      }
    });
  });

  it('claims with index seeks in run order, never a scan of the table or a sort of the backlog', async () => {
    const fresh = await createTestDatabase();
    const store = await PostgresStore.open({ url: fresh.url, encryptionKey: randomBytes(32) });
    try {
      const at = Date.now();
      const limit = 50;
      const plans = await withClient(fresh.url, async (c) => {
        // A due backlog of one kind and a little of another: neither kind's claim may read through the backlog.
        await c.query(
          `INSERT INTO jobs (org_id, key, action, payload, state, attempts, next_run_at, created_at, updated_at)
           SELECT 'default', 'draft-' || g, 'CREATE_DRAFT', '{}', 'queued', 0, $1::bigint - 60000 + g, 0, 0
             FROM generate_series(1, 20000) g
           UNION ALL
           SELECT 'default', 'change-' || g, 'XERO_CHANGE', '{}', 'queued', 0, $1::bigint - g, 0, 0
             FROM generate_series(1, 20) g`,
          [at],
        );
        await c.query('ANALYZE jobs');
        const plan = async (kinds: string[]) => {
          const { rows } = await c.query(`EXPLAIN (FORMAT JSON) ${claimSql(kinds.length)}`, [
            'default',
            at,
            limit,
            'w',
            60_000,
            ...kinds,
          ]);
          return (rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan;
        };
        return { change: await plan(['XERO_CHANGE']), draft: await plan(['CREATE_DRAFT']), any: await plan([]) };
      });
      for (const [claim, plan] of Object.entries(plans)) {
        const nodes = planNodes(plan);
        expect({ claim, seqScans: nodes.filter((n) => n['Node Type'] === 'Seq Scan').length }).toEqual({
          claim,
          seqScans: 0,
        });
        // Sorts only over the candidates (each branch limited), never over the due backlog.
        const sorted = nodes.filter((n) => n['Node Type'] === 'Sort').map((n) => n['Plan Rows']);
        expect({ claim, sorted: sorted.filter((rows) => rows > 2 * CLAIM_CANDIDATES * limit) }).toEqual({
          claim,
          sorted: [],
        });
      }
      // The few jobs of a kind are found by seeking on the kind, not by walking the other kind's due backlog.
      expect(planNodes(plans.change).some((n) => /\baction = /.test(n['Index Cond'] ?? ''))).toBe(true);
      const claimed = await store.jobs.claimJobs({ owner: 'w', leaseMs: 60_000, limit: 5, actions: ['XERO_CHANGE'] });
      expect(claimed.map((j) => j.key)).toEqual(['change-20', 'change-19', 'change-18', 'change-17', 'change-16']);
    } finally {
      await store.close();
      await fresh.drop();
    }
  });

  it("reads a scrape's job counts from indexes that hold no done job, however many the table keeps", async () => {
    const fresh = await createTestDatabase();
    const store = await PostgresStore.open({ url: fresh.url, encryptionKey: randomBytes(32) });
    try {
      const plans = await withClient(fresh.url, async (c) => {
        // 100,000 done jobs (kept for their keys; a tenth another org's) and 50 in each other state.
        await c.query(
          `INSERT INTO jobs (org_id, key, action, payload, state, attempts, next_run_at, lease_expires_at, created_at,
                             updated_at)
           SELECT org, 'k' || g, 'XERO_CHANGE', '{}', state, 1, g, CASE WHEN state = 'running' THEN g END, g, g
             FROM generate_series(1, 100200) g,
                  LATERAL (SELECT CASE WHEN g > 100000 THEN (ARRAY['queued', 'failed', 'running', 'dead'])[g % 4 + 1]
                                       ELSE 'done' END AS state,
                                  CASE WHEN g <= 100000 AND g % 10 = 0 THEN 'other' ELSE 'default' END AS org) s`,
        );
        await c.query('VACUUM ANALYZE jobs');
        const partial = await c.query(
          `SELECT indexrelid::regclass::text AS name FROM pg_index
            WHERE indrelid = 'jobs'::regclass AND indpred IS NOT NULL
              AND pg_get_expr(indpred, indrelid) NOT LIKE '%done%'`,
        );
        const plan = async (sql: string) =>
          planNodes(
            (
              (await c.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, ['default'])).rows[0] as {
                'QUERY PLAN': [{ Plan: PlanNode }];
              }
            )['QUERY PLAN'][0].Plan,
          );
        return {
          partialIndexes: partial.rows.map((r) => String(r.name)),
          counts: await plan(OPEN_JOB_COUNTS_SQL),
          oldest: await plan(OLDEST_PENDING_SQL),
        };
      });
      expect(plans.partialIndexes).toEqual(expect.arrayContaining(['jobs_runnable', 'jobs_leased', 'jobs_dead']));
      for (const [query, nodes] of Object.entries({ counts: plans.counts, oldest: plans.oldest })) {
        const scans = nodes.filter((n) => /Scan/.test(n['Node Type']) && n['Node Type'] !== 'Bitmap Heap Scan');
        // Every scan is on a partial index without done jobs, and reads no more rows than the 200 not done.
        const indexes = scans.map((n) => n['Index Name'] ?? n['Node Type']);
        expect({ query, elsewhere: indexes.filter((name) => !plans.partialIndexes.includes(name)) }).toEqual({
          query,
          elsewhere: [],
        });
        const read = scans.reduce((sum, n) => sum + (n['Actual Rows'] ?? 0), 0);
        expect({ query, readAtMost200: read <= 200 }).toEqual({ query, readAtMost200: true });
      }
      expect(await store.jobs.countOpenJobsByState()).toEqual({ queued: 50, running: 50, failed: 50, dead: 50 });
      expect(await store.jobs.oldestPendingJobAt()).toBe(100001);
    } finally {
      await store.close();
      await fresh.drop();
    }
  });

  it('prunes done jobs a batch at a time from the index of done jobs, never a scan of the table', async () => {
    const fresh = await createTestDatabase();
    const store = await PostgresStore.open({ url: fresh.url, encryptionKey: randomBytes(32) });
    try {
      const plan = await withClient(fresh.url, async (c) => {
        // 100,000 done jobs finished at g, and 200 open ones.
        await c.query(
          `INSERT INTO jobs (org_id, key, action, payload, state, attempts, next_run_at, created_at, updated_at)
           SELECT 'default', 'k' || g, 'XERO_CHANGE', '{}', CASE WHEN g > 100000 THEN 'queued' ELSE 'done' END, 1,
                  g, g, g
             FROM generate_series(1, 100200) g`,
        );
        await c.query('VACUUM ANALYZE jobs');
        await c.query('BEGIN');
        try {
          const { rows } = await c.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${PRUNE_DONE_JOBS_SQL}`, [
            'default',
            50_000,
            1_000,
            ['CONTACT_MATCH', 'CREDIT'],
          ]);
          return planNodes((rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan);
        } finally {
          await c.query('ROLLBACK');
        }
      });
      expect(plan.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
      expect(plan.some((n) => n['Index Name'] === 'jobs_done')).toBe(true);
      // A batch reads its 1,000 rows, not the 50,000 old enough to go.
      const read = plan
        .filter((n) => n['Index Name'] === 'jobs_done')
        .reduce((sum, n) => sum + (n['Actual Rows'] ?? 0), 0);
      expect(read).toBeLessThanOrEqual(1_000);
      expect(await store.jobs.pruneDoneJobs({ before: 50_000, limit: 1_000 })).toBe(1_000);
      expect((await store.jobs.countJobsByState()).done).toBe(99_000);
    } finally {
      await store.close();
      await fresh.drop();
    }
  });

  it('gives a claimer the next due jobs while another claimer holds the first ones locked', async () => {
    const fresh = await createTestDatabase();
    const store = await PostgresStore.open({ url: fresh.url, encryptionKey: randomBytes(32) });
    try {
      for (let i = 0; i < 30; i += 1) {
        await store.jobs.enqueueJob({ key: `job-${String(i).padStart(2, '0')}`, action: 'CREATE_DRAFT', payload: {} });
      }
      await withClient(fresh.url, async (other) => {
        // Another claimer, mid-claim: the ten oldest rows are locked by its open transaction.
        await other.query('BEGIN');
        await other.query("SELECT id FROM jobs WHERE org_id = 'default' ORDER BY next_run_at, id LIMIT 10 FOR UPDATE");
        const claimed = await store.jobs.claimJobs({
          owner: 'w',
          leaseMs: 60_000,
          limit: 10,
          actions: ['CREATE_DRAFT'],
        });
        expect(claimed.map((j) => j.key)).toEqual(Array.from({ length: 10 }, (_, i) => `job-${i + 10}`));
        await other.query('ROLLBACK');
      });
    } finally {
      await store.close();
      await fresh.drop();
    }
  });

  it('cuts off a statement that runs past the statement timeout', async () => {
    const { url } = database();
    const store = await PostgresStore.open({ url, encryptionKey: randomBytes(32), statementTimeoutMs: 200 });
    try {
      await withClient(url, async (holder) => {
        // Something holds the jobs table: the store's query waits, then gives up at its timeout.
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE');
        const started = Date.now();
        await expect(store.jobs.countJobsByState()).rejects.toThrow(/statement timeout/);
        expect(Date.now() - started).toBeLessThan(3_000);
        await holder.query('ROLLBACK');
      });
      await expect(store.jobs.countJobsByState()).resolves.toMatchObject({ queued: 0 });
    } finally {
      await store.close();
    }
  });
});
