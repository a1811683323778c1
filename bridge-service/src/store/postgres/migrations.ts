/**
 * PostgreSQL's versioned schema migrations: applied in order, each once, under an advisory lock (postgres-store.ts).
 * Append new entries; never edit or reorder applied ones. Times are epoch milliseconds (BIGINT), as at the store's
 * interface; JSON the bridge never queries is TEXT, byte for byte what it wrote.
 */
import type { Migration } from '../migrations';

/**
 * A step of the schema: its `sql` runs in one transaction with the record of its version. With `transaction: false`,
 * each of its `statements` runs on its own, outside any transaction (CREATE INDEX CONCURRENTLY refuses one, and a
 * string of several statements is one), and the version is recorded after the last. Such a step can stop half-way (a
 * crash, a cancel) and then runs again from its first statement, so each statement must be safe to repeat.
 */
export type PgMigration =
  | (Migration & { transaction?: true })
  | (Omit<Migration, 'sql'> & { transaction: false; statements: readonly string[] });

export const MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'initial: org-scoped state, orgs, leases, shared rate limits',
    sql: `
      CREATE TABLE jobs (
        id               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        org_id           TEXT    NOT NULL,
        key              TEXT    NOT NULL,
        action           TEXT    NOT NULL,
        payload          TEXT    NOT NULL,
        tenant_id        TEXT,
        state            TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'dead')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_run_at      BIGINT  NOT NULL,
        last_error       TEXT,
        result           TEXT,
        lease_owner      TEXT,
        lease_expires_at BIGINT,
        created_at       BIGINT  NOT NULL,
        updated_at       BIGINT  NOT NULL,
        UNIQUE (org_id, key)
      );
      CREATE INDEX jobs_runnable ON jobs (org_id, next_run_at, id) WHERE state IN ('queued', 'failed');
      CREATE INDEX jobs_leased ON jobs (org_id, lease_expires_at) WHERE state = 'running';
      CREATE INDEX jobs_owner ON jobs (org_id, lease_owner) WHERE state = 'running';
      CREATE INDEX jobs_newest ON jobs (org_id, id);
      CREATE INDEX jobs_tenant ON jobs (org_id, tenant_id, state);

      CREATE TABLE xero_results (
        org_id      TEXT   NOT NULL,
        request_key TEXT   NOT NULL,
        tenant_id   TEXT   NOT NULL,
        kind        TEXT   NOT NULL CHECK (kind IN ('invoice', 'credit_note', 'contact', 'payment', 'allocation')),
        xero_id     TEXT   NOT NULL,
        created_at  BIGINT NOT NULL,
        PRIMARY KEY (org_id, request_key, tenant_id, kind)
      );
      CREATE INDEX xero_results_xero_id ON xero_results (org_id, xero_id);

      CREATE TABLE replay_cursors (
        org_id     TEXT   NOT NULL,
        channel    TEXT   NOT NULL,
        replay_id  BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (org_id, channel)
      );

      CREATE TABLE xero_connections (
        org_id           TEXT   NOT NULL,
        connection_id    TEXT   NOT NULL,
        token_sealed     TEXT,
        status           TEXT   NOT NULL DEFAULT 'active'
                                CHECK (status IN ('active', 'reauthorisation_required', 'error')),
        status_message   TEXT,
        token_updated_at BIGINT,
        updated_at       BIGINT NOT NULL,
        PRIMARY KEY (org_id, connection_id)
      );

      CREATE TABLE xero_tenants (
        org_id        TEXT   NOT NULL,
        tenant_id     TEXT   NOT NULL,
        connection_id TEXT   NOT NULL,
        tenant_name   TEXT,
        tenant_type   TEXT,
        updated_at    BIGINT NOT NULL,
        PRIMARY KEY (org_id, tenant_id)
      );

      -- owner NULL: released (the row stays, so the next holder's fencing token is higher)
      CREATE TABLE leases (
        org_id     TEXT   NOT NULL,
        name       TEXT   NOT NULL,
        owner      TEXT,
        token      BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (org_id, name)
      );

      CREATE TABLE contact_mappings (
        org_id     TEXT   NOT NULL,
        tenant_id  TEXT   NOT NULL,
        account_id TEXT   NOT NULL,
        contact_id TEXT   NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (org_id, tenant_id, account_id)
      );

      CREATE TABLE sync_watermarks (
        org_id           TEXT   NOT NULL,
        tenant_id        TEXT   NOT NULL,
        resource         TEXT   NOT NULL,
        watermark_at     BIGINT NOT NULL,
        ids_at_watermark TEXT   NOT NULL,
        updated_at       BIGINT NOT NULL,
        PRIMARY KEY (org_id, tenant_id, resource)
      );

      CREATE TABLE webhook_events (
        org_id      TEXT   NOT NULL,
        event_key   TEXT   NOT NULL,
        received_at BIGINT NOT NULL,
        PRIMARY KEY (org_id, event_key)
      );
      CREATE INDEX webhook_events_received ON webhook_events (org_id, received_at);

      CREATE TABLE orgs (
        org_id         TEXT   PRIMARY KEY,
        profile        JSONB  NOT NULL,
        secrets_sealed TEXT   NOT NULL,
        created_at     BIGINT NOT NULL,
        updated_at     BIGINT NOT NULL
      );

      CREATE TABLE rate_buckets (
        bucket       TEXT   PRIMARY KEY,
        paused_until BIGINT NOT NULL DEFAULT 0,
        updated_at   BIGINT NOT NULL
      );
      -- one row per permit and bucket; released_at NULL while in flight
      CREATE TABLE rate_permits (
        permit_id        TEXT    NOT NULL,
        bucket           TEXT    NOT NULL,
        owner            TEXT    NOT NULL,
        weight           INTEGER NOT NULL DEFAULT 1,
        granted_at       BIGINT  NOT NULL,
        released_at      BIGINT,
        lease_expires_at BIGINT  NOT NULL,
        PRIMARY KEY (permit_id, bucket)
      );
      CREATE INDEX rate_permits_bucket ON rate_permits (bucket, released_at);
      CREATE INDEX rate_permits_owner ON rate_permits (owner) WHERE released_at IS NULL;

      -- The later of two refusals (the bucket that blocks longest decides when to try again).
      CREATE FUNCTION ledgerline_later_block(current_block jsonb, retry_at bigint, reason text, bucket text)
      RETURNS jsonb LANGUAGE sql IMMUTABLE AS $fn$
        SELECT CASE WHEN current_block IS NULL OR retry_at > (current_block->>'retryAt')::bigint
                    THEN jsonb_build_object('granted', false, 'retryAt', retry_at, 'reason', reason, 'bucket', bucket)
                    ELSE current_block END
      $fn$;

      -- A permit in every bucket, or the refusal that says when to try again: one round trip for the caller.
      -- Decides as SqliteRateLimits does (sqlite/rate-limits.ts); the contract suite runs both. A permit's end is
      -- its release, or its lease's expiry if it lapsed; it counts in a window until span ms after its end.
      CREATE FUNCTION ledgerline_acquire_permit(p_buckets jsonb, p_owner text, p_permit_id text, p_now bigint,
                                                p_lease_ms bigint)
      RETURNS jsonb LANGUAGE plpgsql AS $fn$
      DECLARE
        b jsonb;
        w jsonb;
        v_bucket text;
        v_block jsonb := NULL;
        v_paused bigint;
        v_longest bigint;
        v_flying bigint;
        v_first_lapse bigint;
        v_span bigint;
        v_limit bigint;
        v_used bigint;
        v_at bigint;
      BEGIN
        -- Bucket rows are created and locked in name order, so acquirers of overlapping buckets never deadlock.
        INSERT INTO rate_buckets (bucket, paused_until, updated_at)
          SELECT DISTINCT e->>'bucket', 0, p_now FROM jsonb_array_elements(p_buckets) e ORDER BY 1
          ON CONFLICT (bucket) DO NOTHING;
        PERFORM 1 FROM rate_buckets
          WHERE bucket IN (SELECT e->>'bucket' FROM jsonb_array_elements(p_buckets) e) ORDER BY bucket FOR UPDATE;
        FOR b IN SELECT e FROM jsonb_array_elements(p_buckets) e ORDER BY e->>'bucket' LOOP
          v_bucket := b->>'bucket';
          SELECT COALESCE(max((x->>'spanMs')::bigint), 0) INTO v_longest FROM jsonb_array_elements(b->'windows') x;
          DELETE FROM rate_permits WHERE bucket = v_bucket
            AND COALESCE(released_at, CASE WHEN lease_expires_at <= p_now THEN lease_expires_at END) <= p_now - v_longest;
          SELECT paused_until INTO v_paused FROM rate_buckets WHERE bucket = v_bucket;
          IF v_paused > p_now THEN
            v_block := ledgerline_later_block(v_block, v_paused, 'paused', v_bucket);
          END IF;
          SELECT count(*), min(lease_expires_at) INTO v_flying, v_first_lapse FROM rate_permits
            WHERE bucket = v_bucket AND released_at IS NULL AND lease_expires_at > p_now;
          IF b ? 'concurrency' AND v_flying >= (b->>'concurrency')::bigint THEN
            v_block := ledgerline_later_block(v_block, v_first_lapse, 'concurrency', v_bucket);
          END IF;
          FOR w IN SELECT x FROM jsonb_array_elements(b->'windows') x LOOP
            v_span := (w->>'spanMs')::bigint;
            v_limit := (w->>'limit')::bigint;
            SELECT COALESCE(sum(weight), 0) INTO v_used FROM rate_permits
              WHERE bucket = v_bucket AND COALESCE(released_at, lease_expires_at) > p_now - v_span;
            IF v_used >= v_limit THEN
              -- the earliest moment enough ended calls have left the window for one more to fit
              SELECT s.ended INTO v_at FROM (
                  SELECT COALESCE(released_at, lease_expires_at) AS ended,
                         sum(weight) OVER (ORDER BY COALESCE(released_at, lease_expires_at), permit_id
                                           ROWS UNBOUNDED PRECEDING) AS cumulative
                    FROM rate_permits
                   WHERE bucket = v_bucket AND NOT (released_at IS NULL AND lease_expires_at > p_now)
                     AND COALESCE(released_at, lease_expires_at) > p_now - v_span) s
                WHERE s.cumulative >= v_used - v_limit + 1
                ORDER BY s.ended LIMIT 1;
              v_block := ledgerline_later_block(v_block, COALESCE(v_at, v_first_lapse) + v_span, 'window', v_bucket);
            END IF;
          END LOOP;
        END LOOP;
        IF v_block IS NOT NULL THEN
          RETURN v_block;
        END IF;
        INSERT INTO rate_permits (permit_id, bucket, owner, weight, granted_at, released_at, lease_expires_at)
          SELECT DISTINCT p_permit_id, e->>'bucket', p_owner, 1, p_now, NULL::bigint, p_now + p_lease_ms
            FROM jsonb_array_elements(p_buckets) e;
        RETURN jsonb_build_object('granted', true, 'permitId', p_permit_id);
      END
      $fn$;

      -- Xero's remaining count for a window: count what it saw and we did not, under the bucket's lock.
      CREATE FUNCTION ledgerline_record_remaining(p_bucket text, p_span bigint, p_limit bigint, p_remaining bigint,
                                                  p_now bigint, p_id text)
      RETURNS void LANGUAGE plpgsql AS $fn$
      DECLARE
        v_used bigint;
        v_unseen bigint;
      BEGIN
        INSERT INTO rate_buckets (bucket, paused_until, updated_at) VALUES (p_bucket, 0, p_now)
          ON CONFLICT (bucket) DO NOTHING;
        PERFORM 1 FROM rate_buckets WHERE bucket = p_bucket FOR UPDATE;
        SELECT COALESCE(sum(weight), 0) INTO v_used FROM rate_permits
          WHERE bucket = p_bucket AND COALESCE(released_at, lease_expires_at) > p_now - p_span;
        v_unseen := (p_limit - v_used) - LEAST(GREATEST(p_remaining, 0), p_limit);
        IF v_unseen > 0 THEN
          INSERT INTO rate_permits (permit_id, bucket, owner, weight, granted_at, released_at, lease_expires_at)
            VALUES (p_id, p_bucket, 'xero-remaining', v_unseen, p_now, p_now, p_now);
        END IF;
      END
      $fn$;
    `,
  },
  {
    version: 2,
    name: 'import runs (go-live)',
    // A historical import's cursor and counts, moved on one step at a time (import-runs.ts).
    sql: `
      CREATE TABLE import_runs (
        org_id      TEXT    NOT NULL,
        run_key     TEXT    NOT NULL,
        tenant_id   TEXT    NOT NULL,
        entity      TEXT    NOT NULL,
        since       TEXT    NOT NULL,
        status      TEXT    NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
        step        INTEGER NOT NULL,
        cursor      TEXT    NOT NULL,
        counts      TEXT    NOT NULL,
        errors      TEXT    NOT NULL,
        started_at  BIGINT NOT NULL,
        updated_at  BIGINT NOT NULL,
        finished_at BIGINT,
        PRIMARY KEY (org_id, run_key)
      );
      CREATE INDEX import_runs_started ON import_runs (org_id, started_at);
    `,
  },
  {
    version: 3,
    name: 'OAuth states of Connect to Xero, shared by every process',
    sql: `
      CREATE TABLE oauth_states (
        state_hash      TEXT   PRIMARY KEY,
        org_id          TEXT   NOT NULL,
        verifier_sealed TEXT   NOT NULL,
        expires_at      BIGINT NOT NULL
      );
      CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);
    `,
  },
  {
    version: 4,
    name: 'month-end close journals are Xero results',
    // A posted ManualJournal's id is remembered under its key before Salesforce is told (issue 16).
    sql: `
      ALTER TABLE xero_results DROP CONSTRAINT xero_results_kind_check;
      ALTER TABLE xero_results ADD CONSTRAINT xero_results_kind_check
        CHECK (kind IN ('invoice', 'credit_note', 'contact', 'payment', 'allocation', 'manual_journal'));
    `,
  },
  {
    version: 5,
    name: 'a claim of one kind seeks its due jobs in run order',
    // jobs.ts claimSql.
    sql: `
      CREATE INDEX jobs_due ON jobs (org_id, action, next_run_at, id) WHERE state IN ('queued', 'failed');
    `,
  },
  {
    version: 6,
    name: "a kind's given-up jobs are found without a scan",
    // jobs.ts givenUpByKeyPrefix: a deal's closing request and partials look for its given-up partials.
    sql: `
      CREATE INDEX jobs_dead ON jobs (org_id, action, id) WHERE state = 'dead';
    `,
  },
  {
    version: 7,
    name: 'done jobs are pruned by when they finished',
    // jobs.ts PRUNE_DONE_JOBS_SQL: the daily retention prune reads the oldest done jobs, a batch at a time, without a
    // scan. Built on the table as it stands (tens of millions of rows before the first prune) while replicas keep
    // writing jobs: a plain CREATE INDEX would hold every write for the whole build. A build that stopped half-way left
    // its index INVALID: it is dropped, then built again.
    transaction: false,
    statements: [
      'DROP INDEX CONCURRENTLY IF EXISTS jobs_done',
      "CREATE INDEX CONCURRENTLY jobs_done ON jobs (org_id, updated_at) WHERE state = 'done'",
    ],
  },
];
