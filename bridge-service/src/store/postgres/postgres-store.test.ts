import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase, describePostgres } from '../../../test/postgres/test-database';
import { SchemaTooNewError } from '../migrations';
import { describeStoreContract } from '../store.contract';
import {
  CLAIM_CANDIDATES,
  OLDEST_PENDING_SQL,
  OPEN_JOB_COUNTS_SQL,
  PRUNE_DONE_JOBS_SQL,
  claimSql,
  givenUpByKeyPrefixSql,
} from './jobs';
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

    it("gives up waiting for another bridge's migration after the migration timeout", async () => {
      const fresh = await createTestDatabase();
      try {
        await withClient(fresh.url, async (holder) => {
          await holder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
          const started = Date.now();
          await expect(
            PostgresStore.open({ url: fresh.url, encryptionKey: key, migrationTimeoutMs: 300 }),
          ).rejects.toThrow(/timed out after 300 ms/);
          expect(Date.now() - started).toBeLessThan(3_000);
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

  describe('migration 7: jobs_done, built CONCURRENTLY', () => {
    const key = randomBytes(32);
    const JOBS_DONE =
      "CREATE INDEX jobs_done ON public.jobs USING btree (org_id, updated_at) WHERE (state = 'done'::text)";
    const insertJob = (c: pg.Client, jobKey: string, state = 'queued') =>
      c.query(
        `INSERT INTO jobs (org_id, key, action, payload, state, attempts, next_run_at, created_at, updated_at)
         VALUES ('default', $1, 'XERO_CHANGE', '{}', $2, 0, 0, 0, 0)`,
        [jobKey, state],
      );
    const migrateTo = async (url: string, version: number) =>
      (
        await PostgresStore.open({
          url,
          encryptionKey: key,
          migrations: MIGRATIONS.filter((m) => m.version <= version),
        })
      ).close();
    const index = (url: string, name: string) =>
      withClient(url, async (c) => {
        const { rows } = await c.query(
          `SELECT indisvalid AS valid, pg_get_indexdef(indexrelid) AS definition FROM pg_index
            WHERE indexrelid = to_regclass($1)`,
          [name],
        );
        return rows[0] as { valid: boolean; definition: string } | undefined;
      });
    /** A migration's statement waiting for a lock, as pg_stat_activity shows it. */
    const buildWaits = (url: string) =>
      withClient(url, async (c) => {
        const { rowCount } = await c.query(
          `SELECT 1 FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%CREATE INDEX%jobs_done%'`,
        );
        return (rowCount ?? 0) > 0;
      });

    it('lets writes to jobs through while the index waits and builds; a bridge starting meanwhile waits for it', async () => {
      const fresh = await createTestDatabase();
      try {
        await migrateTo(fresh.url, 6);
        await withClient(fresh.url, async (writer) => {
          // A write in flight when the build starts: the build waits for it to end (its first wait for writers).
          await writer.query('BEGIN');
          await insertJob(writer, 'in-flight');
          let opened = 0;
          const opening = Promise.allSettled(
            [1, 2].map(() =>
              PostgresStore.open({ url: fresh.url, encryptionKey: key }).then((s) => {
                opened += 1;
                return s;
              }),
            ),
          );
          for (let tries = 0; !(await buildWaits(fresh.url)); tries += 1) {
            if (tries > 100) throw new Error('the build of jobs_done never waited for the write in flight');
            await new Promise((r) => setTimeout(r, 50));
          }
          // Another replica writes meanwhile: a plain CREATE INDEX would hold it behind the build (lock timeout).
          await withClient(fresh.url, async (other) => {
            await other.query("SET lock_timeout = '2s'");
            await expect(insertJob(other, 'during-build')).resolves.toMatchObject({ rowCount: 1 });
          });
          expect(opened).toBe(0);
          await writer.query('COMMIT');
          const results = await opening;
          const stores = results.map((r) => {
            if (r.status === 'rejected') throw r.reason;
            return r.value;
          });
          for (const s of stores) expect(await s.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
          await Promise.all(stores.map((s) => s.close()));
        });
        expect(await index(fresh.url, 'jobs_done')).toEqual({ valid: true, definition: JOBS_DONE });
        const recorded = await withClient(fresh.url, (c) =>
          c.query('SELECT 1 FROM schema_migrations WHERE version = 7'),
        );
        expect(recorded.rowCount).toBe(1);
      } finally {
        await fresh.drop();
      }
    });

    it('replaces the INVALID index a build that stopped half-way left', async () => {
      const fresh = await createTestDatabase();
      try {
        await migrateTo(fresh.url, 6);
        await withClient(fresh.url, async (c) => {
          await insertJob(c, 'a', 'done');
          await insertJob(c, 'b', 'done');
          // A concurrent build that fails leaves its index behind, INVALID, as a crash or a cancel mid-build does.
          await expect(
            c.query("CREATE UNIQUE INDEX CONCURRENTLY jobs_done ON jobs (org_id) WHERE state = 'done'"),
          ).rejects.toThrow(/could not create unique index/);
        });
        expect(await index(fresh.url, 'jobs_done')).toMatchObject({ valid: false });
        const store = await PostgresStore.open({ url: fresh.url, encryptionKey: key });
        expect(await store.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
        await store.close();
        expect(await index(fresh.url, 'jobs_done')).toEqual({ valid: true, definition: JOBS_DONE });
      } finally {
        await fresh.drop();
      }
    });

    it('does not cut off a step outside a transaction at the migration timeout, and records it after', async () => {
      const fresh = await createTestDatabase();
      try {
        const slow = [
          ...MIGRATIONS,
          { version: 100, name: 'slow', transaction: false as const, statements: ['SELECT pg_sleep(0.6)'] },
        ];
        const store = await PostgresStore.open({
          url: fresh.url,
          encryptionKey: key,
          migrations: slow,
          migrationTimeoutMs: 200,
        });
        expect(await store.appliedMigrations()).toEqual(slow.map((m) => m.version));
        await store.close();
      } finally {
        await fresh.drop();
      }
    });

    it('keeps migration 6 in one transaction with its record: a failure in it leaves neither', async () => {
      const fresh = await createTestDatabase();
      try {
        await migrateTo(fresh.url, 5);
        const six = MIGRATIONS.find((m) => m.version === 6);
        if (!six || six.transaction === false) throw new Error('migration 6 runs in a transaction');
        const failingSix = [...MIGRATIONS.filter((m) => m.version < 6), { ...six, sql: `${six.sql} SELECT 1 / 0;` }];
        await expect(
          PostgresStore.open({ url: fresh.url, encryptionKey: key, migrations: failingSix }),
        ).rejects.toThrow(/division by zero/);
        expect(await index(fresh.url, 'jobs_dead')).toBeUndefined();
        const recorded = await withClient(fresh.url, (c) => c.query('SELECT version FROM schema_migrations'));
        expect(recorded.rows.map((r) => Number(r.version)).sort()).toEqual([1, 2, 3, 4, 5]);
        const store = await PostgresStore.open({ url: fresh.url, encryptionKey: key });
        expect(await store.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
        await store.close();
        expect(await index(fresh.url, 'jobs_dead')).toMatchObject({ valid: true });
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
    const keepActions = ['CONTACT_MATCH', 'CREDIT'];
    try {
      // 100,000 done jobs finished at g, the oldest 20,000 of a kind kept whatever its age, and 200 open ones.
      await withClient(fresh.url, async (c) => {
        await c.query(
          `INSERT INTO jobs (org_id, key, action, payload, state, attempts, next_run_at, created_at, updated_at)
           SELECT 'default', 'k' || g, CASE WHEN g <= 20000 THEN 'CREDIT' ELSE 'XERO_CHANGE' END, '{}',
                  CASE WHEN g > 100000 THEN 'queued' ELSE 'done' END, 1, g, g, g
             FROM generate_series(1, 100200) g`,
        );
        await c.query('VACUUM ANALYZE jobs');
      });
      // The run's first batch reads the kept jobs once, on its way to its 1,000.
      const first = await store.jobs.pruneDoneJobs({ before: 50_000, limit: 1_000, keepActions });
      expect(first).toEqual({ pruned: 1_000, resumeAt: 21_000 });
      const plan = await withClient(fresh.url, async (c) => {
        await c.query('BEGIN');
        try {
          const { rows } = await c.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${PRUNE_DONE_JOBS_SQL}`, [
            'default',
            50_000,
            1_000,
            keepActions,
            first.resumeAt,
          ]);
          return planNodes((rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan);
        } finally {
          await c.query('ROLLBACK');
        }
      });
      expect(plan.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
      expect(plan.some((n) => n['Index Name'] === 'jobs_done')).toBe(true);
      // The next reads on from there: its 1,000 rows (and the one it resumes at), not the kept 20,000 again, nor the
      // 50,000 old enough to go.
      const read = plan
        .filter((n) => n['Index Name'] === 'jobs_done')
        .reduce((sum, n) => sum + (n['Actual Rows'] ?? 0), 0);
      expect(read).toBeLessThanOrEqual(1_001);
      expect(
        await store.jobs.pruneDoneJobs({ before: 50_000, limit: 1_000, keepActions, from: first.resumeAt }),
      ).toEqual({ pruned: 1_000, resumeAt: 22_000 });
      expect((await store.jobs.countJobsByState()).done).toBe(98_000);
    } finally {
      await store.close();
      await fresh.drop();
    }
  });

  it("finds a deal's given-up jobs on the index of given-up jobs, never a scan of the table", async () => {
    const fresh = await createTestDatabase();
    const store = await PostgresStore.open({ url: fresh.url, encryptionKey: randomBytes(32) });
    try {
      const deal = 'CREATE_PARTIAL:006999999999999';
      const plan = await withClient(fresh.url, async (c) => {
        // 100,000 done jobs, and 20,000 given-up partials of other deals (never pruned) besides the deal's own.
        await c.query(
          `INSERT INTO jobs (org_id, key, action, payload, state, attempts, next_run_at, created_at, updated_at)
           SELECT 'default', 'k' || g, 'XERO_CHANGE', '{}', 'done', 1, g, g, g FROM generate_series(1, 100000) g
           UNION ALL
           SELECT 'default', 'CREATE_PARTIAL:006' || lpad(g::text, 12, '0') || 'AAA:0-100', 'CREATE_PARTIAL', '{}',
                  'dead', 1, g, g, g FROM generate_series(1, 20000) g
           UNION ALL
           SELECT 'default', $1 || 'AAA:0-100', 'CREATE_PARTIAL', '{}', 'dead', 1, 0, 0, 0`,
          [deal],
        );
        // What Xero answered the done jobs (never pruned either).
        await c.query(
          `INSERT INTO xero_results (org_id, request_key, tenant_id, kind, xero_id, created_at)
           SELECT 'default', 'k' || g, 't', 'invoice', 'x-' || g, g FROM generate_series(1, 100000) g`,
        );
        await c.query('VACUUM ANALYZE jobs, xero_results');
        const { rows } = await c.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${givenUpByKeyPrefixSql(1)}`, [
          'default',
          'CREATE_PARTIAL',
          deal.length,
          [deal],
        ]);
        return planNodes((rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan);
      });
      expect(plan.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
      expect(plan.some((n) => n['Index Name'] === 'jobs_dead')).toBe(true);
      // Xero's answer is looked up for the deal's job alone, not for every given-up job nor every answer.
      const answers = plan.filter((n) => n['Index Name'] === 'xero_results_pkey');
      expect(answers.map((n) => n['Actual Rows'])).toEqual([0]);
      const found = await store.jobs.givenUpByKeyPrefix('CREATE_PARTIAL', [deal]);
      expect(found.map((j) => [j.key, j.afterXero])).toEqual([[`${deal}AAA:0-100`, false]]);
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
