import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { SecretBox } from '../crypto';
import { SchemaTooNewError } from '../migrations';
import { describeStoreContract } from '../store.contract';
import { writeV1Store } from './__fixtures__/v1-jobs';
import {
  CLAIM_BRANCHES,
  GIVEN_UP_BY_KEY_PREFIX_SQL,
  pruneDoneJobsSql,
  OLDEST_PENDING_SQL,
  OPEN_JOB_COUNTS_SQL,
  claimSql,
} from './jobs';
import { MIGRATIONS } from './migrations';
import { SqliteStore } from './sqlite-store';

const run = promisify(execFile);

describeStoreContract('SQLite', (clock) => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerline-store-'));
  const dbPath = join(dir, 'nested', 'bridge.sqlite');
  const raw = <T>(fn: (db: DatabaseSync) => T): T => {
    const db = new DatabaseSync(dbPath);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    open: ({ encryptionKey, previousEncryptionKeys }) =>
      new SqliteStore({ path: dbPath, encryptionKey, previousEncryptionKeys, clock }),
    sealedTokenSets: async () =>
      raw((db) => db.prepare('SELECT token_sealed FROM xero_connections ORDER BY connection_id').all()).map((row) =>
        String(row.token_sealed),
      ),
    sealedOrgSecrets: async () =>
      raw((db) => db.prepare('SELECT secrets_sealed FROM orgs ORDER BY org_id').all()).map((row) =>
        String(row.secrets_sealed),
      ),
    moveTokenSet: async (from, to, toOrgId) => {
      raw((db) =>
        db
          .prepare(
            'UPDATE xero_connections SET connection_id = ?, org_id = COALESCE(?, org_id) WHERE connection_id = ?',
          )
          .run(to, toOrgId ?? null, from),
      );
    },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteStore', () => {
  let dir: string;
  let dbPath: string;
  const key = randomBytes(32);
  const clock = { now: () => Date.UTC(2026, 0, 1) };
  const stores: SqliteStore[] = [];

  function open(): SqliteStore {
    const store = new SqliteStore({ path: dbPath, encryptionKey: key, clock });
    stores.push(store);
    return store;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledgerline-store-'));
    dbPath = join(dir, 'nested', 'bridge.sqlite');
  });

  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('setup', () => {
    it('creates the file in WAL mode and records every migration once', async () => {
      const a = open();
      const b = open(); // second instance on the same file: nothing to apply
      expect(a.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
      expect(b.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
      const raw = new DatabaseSync(dbPath);
      expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      raw.close();
      await expect(a.ping()).resolves.toBeUndefined();
    });

    it('applies a later migration on reopen', async () => {
      const first = open();
      await first.close();
      const extra = [...MIGRATIONS, { version: 99, name: 'extra', sql: 'CREATE TABLE extra (x INTEGER)' }];
      const store = new SqliteStore({ path: dbPath, encryptionKey: key, clock, migrations: extra });
      stores.push(store);
      expect(store.appliedMigrations()).toContain(99);
    });
  });

  const escape = (text: string) => text.replace(/[()?]/g, (c) => `\\${c}`);

  it('claims with index seeks in run order, never a scan of the backlog or a sort of it', async () => {
    const store = open();
    const at = clock.now();
    const raw = new DatabaseSync(dbPath);
    try {
      // A backlog of one kind that is due, and a little of another: a claim of the other kind must not read through
      // the backlog (the bench's memory section, once its retries come due).
      const insert = raw.prepare(
        `INSERT INTO jobs (org_id, key, action, payload, state, attempts, next_run_at, created_at, updated_at)
         VALUES ('default', ?, ?, '{}', ?, 0, ?, 0, 0)`,
      );
      raw.exec('BEGIN');
      for (let i = 0; i < 3_000; i += 1) insert.run(`draft-${i}`, 'CREATE_DRAFT', 'queued', at - 60_000 + i);
      for (let i = 0; i < 20; i += 1) insert.run(`change-${i}`, 'XERO_CHANGE', i % 2 ? 'failed' : 'queued', at - i);
      raw.exec('COMMIT');
      raw.exec('ANALYZE');
      for (const branch of CLAIM_BRANCHES) {
        for (const byKind of [true, false]) {
          const plan = raw
            .prepare(`EXPLAIN QUERY PLAN ${claimSql(branch, byKind)}`)
            .all(...(byKind ? ['default', 'XERO_CHANGE', at, 50] : ['default', at, 50]))
            .map((row) => String(row.detail));
          // A seek on the whole key for due jobs; running ones (as many as workers hold) are read by state.
          const seek = byKind ? 'jobs_due (org_id=? AND action=? AND state=?' : 'jobs_runnable (org_id=? AND state=?';
          const key = branch === 'expired lease' ? ')' : ' AND next_run_at<?)';
          expect({ branch, byKind, plan }).toEqual({
            branch,
            byKind,
            plan: [expect.stringMatching(new RegExp(`^SEARCH jobs USING (COVERING )?INDEX ${escape(seek + key)}$`))],
          });
        }
      }
    } finally {
      raw.close();
    }
    // And the claim still takes the due jobs of the kind asked for, oldest first, both states.
    const claimed = await store.jobs.claimJobs({ owner: 'w', leaseMs: 60_000, limit: 5, actions: ['XERO_CHANGE'] });
    expect(claimed.map((j) => j.key)).toEqual(['change-19', 'change-18', 'change-17', 'change-16', 'change-15']);
  });

  it("reads a scrape's job counts by seeking each state, never the done jobs the table keeps", async () => {
    const store = open();
    const raw = new DatabaseSync(dbPath);
    try {
      const insert = raw.prepare(
        `INSERT INTO jobs (org_id, key, action, payload, state, attempts, next_run_at, created_at, updated_at)
         VALUES (?, ?, 'XERO_CHANGE', '{}', ?, 1, 0, ?, 0)`,
      );
      raw.exec('BEGIN');
      for (let i = 0; i < 20_000; i += 1) insert.run(i % 10 ? 'default' : 'other', `done-${i}`, 'done', i);
      for (const [n, state] of ['queued', 'running', 'failed', 'dead'].entries()) {
        for (let i = 0; i < 5 + n; i += 1) insert.run('default', `${state}-${i}`, state, 50_000 + 10 * n + i);
      }
      raw.exec('COMMIT');
      raw.exec('ANALYZE');
      const plan = (sql: string) =>
        raw
          .prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all('default')
          .map((row) => String(row.detail));
      // One seek per state on (org_id, state): the done jobs are never read.
      expect(plan(OPEN_JOB_COUNTS_SQL)).toEqual([
        expect.stringMatching(/^SEARCH jobs USING COVERING INDEX jobs_(runnable|lease) \(org_id=\? AND state=\?\)$/),
      ]);
      expect(plan(OLDEST_PENDING_SQL)).toEqual([
        expect.stringMatching(/^SEARCH jobs USING (COVERING )?INDEX jobs_(runnable|lease) \(org_id=\? AND state=\?\)$/),
      ]);
    } finally {
      raw.close();
    }
    expect(await store.jobs.countOpenJobsByState()).toEqual({ queued: 5, running: 6, failed: 7, dead: 8 });
    expect(await store.jobs.oldestPendingJobAt()).toBe(50_000);
  });

  it('prunes done jobs by seeking the old ones, never a scan of the table', async () => {
    const store = open();
    const raw = new DatabaseSync(dbPath);
    try {
      const insert = raw.prepare(
        `INSERT INTO jobs (org_id, key, action, payload, state, attempts, next_run_at, created_at, updated_at)
         VALUES ('default', ?, 'XERO_CHANGE', '{}', ?, 1, ?, ?, ?)`,
      );
      raw.exec('BEGIN');
      for (let i = 0; i < 20_000; i += 1) insert.run(`done-${i}`, 'done', i, i, i);
      for (let i = 0; i < 50; i += 1) insert.run(`queued-${i}`, 'queued', 100_000 + i, 0, 0);
      raw.exec('COMMIT');
      raw.exec('ANALYZE');
      for (const kept of [0, 2]) {
        const plan = raw
          .prepare(`EXPLAIN QUERY PLAN ${pruneDoneJobsSql(kept)}`)
          .all('default', 1_000, 5_000, 5_000, ...['CONTACT_MATCH', 'CREDIT'].slice(0, kept), 1_000)
          .map((row) => String(row.detail));
        // Bounded below too: a batch reads on from where the last one ended, not the kept jobs before it again.
        expect({ kept, plan }).toEqual({
          kept,
          plan: expect.arrayContaining([
            expect.stringMatching(
              /^SEARCH jobs USING INDEX jobs_runnable \(org_id=\? AND state=\? AND next_run_at>\? AND next_run_at<\?\)$/,
            ),
          ]),
        });
        expect({ kept, scans: plan.filter((step) => /^SCAN /.test(step)) }).toEqual({ kept, scans: [] });
      }
    } finally {
      raw.close();
    }
    expect(await store.jobs.pruneDoneJobs({ before: 5_000, limit: 1_000 })).toEqual({ pruned: 1_000, resumeAt: 999 });
    expect((await store.jobs.countJobsByState()).done).toBe(19_000);
  });

  it("finds a deal's given-up jobs by seeking its keys, never reading every given-up job of the kind", async () => {
    const store = open();
    const raw = new DatabaseSync(dbPath);
    try {
      const insert = raw.prepare(
        `INSERT INTO jobs (org_id, key, action, payload, state, attempts, next_run_at, created_at, updated_at)
         VALUES ('default', ?, 'CREATE_PARTIAL', '{}', ?, 1, ?, 0, ?)`,
      );
      raw.exec('BEGIN');
      // Given-up partials are never pruned: 20,000 of other deals.
      for (let i = 0; i < 20_000; i += 1)
        insert.run(`CREATE_PARTIAL:006${String(i).padStart(12, '0')}AAA:0-100`, 'dead', i, i);
      insert.run('CREATE_PARTIAL:006999999999999AAA:0-100', 'dead', 30_000, 30_000);
      insert.run('CREATE_PARTIAL:006999999999999AAA:1-100', 'done', 30_001, 30_001);
      raw.exec('COMMIT');
      raw.exec('ANALYZE');
      const plan = raw
        .prepare(`EXPLAIN QUERY PLAN ${GIVEN_UP_BY_KEY_PREFIX_SQL}`)
        .all('[["CREATE_PARTIAL:006999999999999","CREATE_PARTIAL:00699999999999:"]]', 'default', 'CREATE_PARTIAL')
        .map((row) => String(row.detail));
      expect(plan).toEqual(
        expect.arrayContaining([
          'SEARCH j USING INDEX sqlite_autoindex_jobs_1 (org_id=? AND key>? AND key<?)',
          expect.stringMatching(
            /^SEARCH x USING (COVERING )?INDEX sqlite_autoindex_xero_results_1 \(org_id=\? AND request_key=\?\)$/,
          ),
        ]),
      );
      // The list of prefixes is the only thing read whole.
      expect(plan.filter((step) => /^SCAN /.test(step))).toEqual([expect.stringMatching(/^SCAN prefix VIRTUAL TABLE/)]);
    } finally {
      raw.close();
    }
    const found = await store.jobs.givenUpByKeyPrefix('CREATE_PARTIAL', ['CREATE_PARTIAL:006999999999999']);
    expect(found.map((j) => [j.key, j.afterXero])).toEqual([['CREATE_PARTIAL:006999999999999AAA:0-100', false]]);
  });

  it('gives jobs stored before job kinds their kind: a credit note approval is no longer an AUTHORISE', async () => {
    const request = { action: 'AUTHORISE', invoiceId: 'a03000000000001AAA' };
    await writeV1Store(dbPath, key, [
      {
        key: 'AUTHORISE:a0C000000000001AAA:1',
        action: 'AUTHORISE',
        payload: {
          ...request,
          requestKey: 'AUTHORISE:a0C000000000001AAA:1',
          payload: { creditNoteId: 'a0C000000000001AAA' },
        },
      },
      {
        key: 'AUTHORISE:a03000000000001AAA:1',
        action: 'AUTHORISE',
        payload: { ...request, requestKey: 'AUTHORISE:a03000000000001AAA:1' },
      },
    ]);
    const after = open();
    expect(after.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
    expect((await after.jobs.listJobs()).map((j) => [j.key, j.action])).toEqual([
      ['AUTHORISE:a03000000000001AAA:1', 'AUTHORISE'],
      ['AUTHORISE:a0C000000000001AAA:1', 'AUTHORISE_CREDIT_NOTE'],
    ]);
  });

  it('moves a store made before orgs into the default org, token sets included', async () => {
    const legacy = new SqliteStore({ path: dbPath, encryptionKey: key, clock, migrations: MIGRATIONS.slice(0, 1) });
    await legacy.close();
    const sealed = new SecretBox(key).seal(
      JSON.stringify({ accessToken: 'a', refreshToken: 'r', expiresAt: 1 }),
      'xero-token-set:conn-1', // the context stores used before orgs existed
    );
    const raw = new DatabaseSync(dbPath);
    raw.exec(`INSERT INTO jobs (id, key, action, payload, state, attempts, next_run_at, created_at, updated_at)
              VALUES (41, 'opp1:CREATE_DRAFT:1', 'CREATE_DRAFT', '{}', 'queued', 0, 0, 0, 0)`);
    raw
      .prepare(`INSERT INTO xero_connections (connection_id, token_sealed, updated_at) VALUES ('conn-1', ?, 0)`)
      .run(sealed);
    raw.exec(`INSERT INTO replay_cursors VALUES ('/event/Invoice_Request__e', 99, 0);
              INSERT INTO leases VALUES ('xero-token:conn-1', 'host-a', 5);
              INSERT INTO webhook_events VALUES ('evt-1', 0);`);
    raw.close();

    const store = open();
    expect(store.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await store.jobs.getJobByKey('opp1:CREATE_DRAFT:1')).toMatchObject({ id: 41, state: 'queued' });
    expect((await store.xeroConnections.getXeroConnection('conn-1'))?.tokenSet?.refreshToken).toBe('r');
    expect(await store.replayCursors.getReplayId('/event/Invoice_Request__e')).toBe(99);
    expect(await store.webhookEvents.markWebhookEventProcessed('evt-1')).toBe(false);
    expect((await store.jobs.enqueueJob({ key: 'next', action: 'VOID', payload: {} })).job.id).toBeGreaterThan(41);
    const other = store.forOrg('00DB0000000000BBBB');
    expect(await other.jobs.getJobByKey('opp1:CREATE_DRAFT:1')).toBeNull();
    expect(await other.xeroConnections.getXeroConnection('conn-1')).toBeNull();
  });

  it('refuses a file migrated by a newer bridge', async () => {
    const newer = new SqliteStore({
      path: dbPath,
      encryptionKey: key,
      clock,
      migrations: [...MIGRATIONS, { version: 999, name: 'from the future', sql: 'SELECT 1' }],
    });
    await newer.close();
    expect(() => open()).toThrow(SchemaTooNewError);
  });

  it('never double-claims across two processes sharing one file', async () => {
    const setup = new SqliteStore({ path: dbPath, encryptionKey: key });
    for (let i = 0; i < 120; i += 1)
      await setup.jobs.enqueueJob({ key: `job-${i}`, action: 'CREATE_DRAFT', payload: i });
    await setup.close();
    const worker = join(__dirname, '__fixtures__', 'claim-worker.ts');
    const spawnWorker = (owner: string) =>
      run(process.execPath, ['--require', 'tsx/cjs', worker, dbPath, key.toString('hex'), owner, '2'], {
        cwd: __dirname,
        timeout: 60_000,
      });
    const [one, two] = await Promise.all([spawnWorker('proc-1'), spawnWorker('proc-2')]);
    const ids1 = JSON.parse(one.stdout) as number[];
    const ids2 = JSON.parse(two.stdout) as number[];
    expect(ids1.length).toBeGreaterThan(0); // both really competed
    expect(ids2.length).toBeGreaterThan(0);
    const all = [...ids1, ...ids2];
    expect(all).toHaveLength(120);
    expect(new Set(all).size).toBe(120);
    const check = new SqliteStore({ path: dbPath, encryptionKey: key });
    stores.push(check);
    expect(await check.jobs.countJobsByState()).toMatchObject({ done: 120, running: 0, queued: 0 });
    const done = await check.jobs.listJobs({ states: ['done'], limit: 500 });
    expect(done.every((j) => j.attempts === 1)).toBe(true);
  }, 90_000);
});
