/**
 * SQLite's versioned schema migrations, applied in order, each once, recorded in `schema_migrations`.
 * Append new entries; never edit or reorder applied ones. Times are epoch milliseconds.
 */
import type { Migration } from '../migrations';

export type { Migration } from '../migrations';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE jobs (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        key              TEXT    NOT NULL UNIQUE,
        action           TEXT    NOT NULL,
        payload          TEXT    NOT NULL,
        tenant_id        TEXT,
        state            TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'dead')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_run_at      INTEGER NOT NULL,
        last_error       TEXT,
        result           TEXT,
        lease_owner      TEXT,
        lease_expires_at INTEGER,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL
      );
      CREATE INDEX jobs_runnable ON jobs (state, next_run_at);
      CREATE INDEX jobs_lease ON jobs (state, lease_expires_at);
      CREATE INDEX jobs_action ON jobs (action, state);
      CREATE INDEX jobs_tenant ON jobs (tenant_id, state);

      CREATE TABLE xero_results (
        request_key TEXT    NOT NULL,
        tenant_id   TEXT    NOT NULL,
        kind        TEXT    NOT NULL CHECK (kind IN ('invoice', 'credit_note', 'contact', 'payment', 'allocation')),
        xero_id     TEXT    NOT NULL,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (request_key, tenant_id, kind)
      );
      CREATE INDEX xero_results_xero_id ON xero_results (xero_id);

      CREATE TABLE replay_cursors (
        channel    TEXT    PRIMARY KEY,
        replay_id  INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE xero_connections (
        connection_id    TEXT    PRIMARY KEY,
        token_sealed     TEXT,
        status           TEXT    NOT NULL DEFAULT 'active'
                                 CHECK (status IN ('active', 'reauthorisation_required', 'error')),
        status_message   TEXT,
        token_updated_at INTEGER,
        updated_at       INTEGER NOT NULL
      );

      CREATE TABLE xero_tenants (
        tenant_id     TEXT    PRIMARY KEY,
        connection_id TEXT    NOT NULL,
        tenant_name   TEXT,
        tenant_type   TEXT,
        updated_at    INTEGER NOT NULL
      );

      CREATE TABLE leases (
        name       TEXT    PRIMARY KEY,
        owner      TEXT    NOT NULL,
        expires_at INTEGER NOT NULL
      );

      CREATE TABLE contact_mappings (
        tenant_id  TEXT    NOT NULL,
        account_id TEXT    NOT NULL,
        contact_id TEXT    NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, account_id)
      );

      CREATE TABLE sync_watermarks (
        tenant_id        TEXT    NOT NULL,
        resource         TEXT    NOT NULL,
        watermark_at     INTEGER NOT NULL,
        ids_at_watermark TEXT    NOT NULL,
        updated_at       INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, resource)
      );

      CREATE TABLE webhook_events (
        event_key   TEXT    PRIMARY KEY,
        received_at INTEGER NOT NULL
      );
      CREATE INDEX webhook_events_received ON webhook_events (received_at);
    `,
  },
  {
    version: 2,
    name: 'credit note approvals are their own kind of job',
    // Before, an approved credit note was an AUTHORISE job whose payload named it, and the AUTHORISE handler
    // switched flows on that. The kind is now decided when a job is stored; jobs stored before are given theirs.
    sql: `
      UPDATE jobs SET action = 'AUTHORISE_CREDIT_NOTE'
       WHERE action = 'AUTHORISE' AND json_type(payload, '$.payload.creditNoteId') = 'text';
    `,
  },
  {
    version: 3,
    name: 'orgs, fencing tokens, shared rate limits',
    // Every org-owned table gains org_id, part of its key; what was there belongs to the default org. SQLite
    // cannot change a primary key in place, so each table is rebuilt (ids and rows kept).
    sql: `
      CREATE TABLE jobs_v2 (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        org_id           TEXT    NOT NULL,
        key              TEXT    NOT NULL,
        action           TEXT    NOT NULL,
        payload          TEXT    NOT NULL,
        tenant_id        TEXT,
        state            TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'dead')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_run_at      INTEGER NOT NULL,
        last_error       TEXT,
        result           TEXT,
        lease_owner      TEXT,
        lease_expires_at INTEGER,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        UNIQUE (org_id, key)
      );
      INSERT INTO jobs_v2 SELECT id, 'default', key, action, payload, tenant_id, state, attempts, next_run_at,
        last_error, result, lease_owner, lease_expires_at, created_at, updated_at FROM jobs;
      DROP TABLE jobs;
      ALTER TABLE jobs_v2 RENAME TO jobs;
      CREATE INDEX jobs_runnable ON jobs (org_id, state, next_run_at);
      CREATE INDEX jobs_lease ON jobs (org_id, state, lease_expires_at);
      CREATE INDEX jobs_action ON jobs (org_id, action, state);
      CREATE INDEX jobs_tenant ON jobs (org_id, tenant_id, state);

      CREATE TABLE xero_results_v2 (
        org_id      TEXT    NOT NULL,
        request_key TEXT    NOT NULL,
        tenant_id   TEXT    NOT NULL,
        kind        TEXT    NOT NULL CHECK (kind IN ('invoice', 'credit_note', 'contact', 'payment', 'allocation')),
        xero_id     TEXT    NOT NULL,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (org_id, request_key, tenant_id, kind)
      );
      INSERT INTO xero_results_v2 SELECT 'default', request_key, tenant_id, kind, xero_id, created_at FROM xero_results;
      DROP TABLE xero_results;
      ALTER TABLE xero_results_v2 RENAME TO xero_results;
      CREATE INDEX xero_results_xero_id ON xero_results (org_id, xero_id);

      CREATE TABLE replay_cursors_v2 (
        org_id     TEXT    NOT NULL,
        channel    TEXT    NOT NULL,
        replay_id  INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (org_id, channel)
      );
      INSERT INTO replay_cursors_v2 SELECT 'default', channel, replay_id, updated_at FROM replay_cursors;
      DROP TABLE replay_cursors;
      ALTER TABLE replay_cursors_v2 RENAME TO replay_cursors;

      CREATE TABLE xero_connections_v2 (
        org_id           TEXT    NOT NULL,
        connection_id    TEXT    NOT NULL,
        token_sealed     TEXT,
        status           TEXT    NOT NULL DEFAULT 'active'
                                 CHECK (status IN ('active', 'reauthorisation_required', 'error')),
        status_message   TEXT,
        token_updated_at INTEGER,
        updated_at       INTEGER NOT NULL,
        PRIMARY KEY (org_id, connection_id)
      );
      INSERT INTO xero_connections_v2 SELECT 'default', connection_id, token_sealed, status, status_message,
        token_updated_at, updated_at FROM xero_connections;
      DROP TABLE xero_connections;
      ALTER TABLE xero_connections_v2 RENAME TO xero_connections;

      CREATE TABLE xero_tenants_v2 (
        org_id        TEXT    NOT NULL,
        tenant_id     TEXT    NOT NULL,
        connection_id TEXT    NOT NULL,
        tenant_name   TEXT,
        tenant_type   TEXT,
        updated_at    INTEGER NOT NULL,
        PRIMARY KEY (org_id, tenant_id)
      );
      INSERT INTO xero_tenants_v2 SELECT 'default', tenant_id, connection_id, tenant_name, tenant_type, updated_at
        FROM xero_tenants;
      DROP TABLE xero_tenants;
      ALTER TABLE xero_tenants_v2 RENAME TO xero_tenants;

      -- owner NULL: released (the row stays, so the next holder's fencing token is higher)
      CREATE TABLE leases_v2 (
        org_id     TEXT    NOT NULL,
        name       TEXT    NOT NULL,
        owner      TEXT,
        token      INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (org_id, name)
      );
      INSERT INTO leases_v2 SELECT 'default', name, owner, 1, expires_at FROM leases;
      DROP TABLE leases;
      ALTER TABLE leases_v2 RENAME TO leases;

      CREATE TABLE contact_mappings_v2 (
        org_id     TEXT    NOT NULL,
        tenant_id  TEXT    NOT NULL,
        account_id TEXT    NOT NULL,
        contact_id TEXT    NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (org_id, tenant_id, account_id)
      );
      INSERT INTO contact_mappings_v2 SELECT 'default', tenant_id, account_id, contact_id, updated_at
        FROM contact_mappings;
      DROP TABLE contact_mappings;
      ALTER TABLE contact_mappings_v2 RENAME TO contact_mappings;

      CREATE TABLE sync_watermarks_v2 (
        org_id           TEXT    NOT NULL,
        tenant_id        TEXT    NOT NULL,
        resource         TEXT    NOT NULL,
        watermark_at     INTEGER NOT NULL,
        ids_at_watermark TEXT    NOT NULL,
        updated_at       INTEGER NOT NULL,
        PRIMARY KEY (org_id, tenant_id, resource)
      );
      INSERT INTO sync_watermarks_v2 SELECT 'default', tenant_id, resource, watermark_at, ids_at_watermark, updated_at
        FROM sync_watermarks;
      DROP TABLE sync_watermarks;
      ALTER TABLE sync_watermarks_v2 RENAME TO sync_watermarks;

      CREATE TABLE webhook_events_v2 (
        org_id      TEXT    NOT NULL,
        event_key   TEXT    NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (org_id, event_key)
      );
      INSERT INTO webhook_events_v2 SELECT 'default', event_key, received_at FROM webhook_events;
      DROP TABLE webhook_events;
      ALTER TABLE webhook_events_v2 RENAME TO webhook_events;
      CREATE INDEX webhook_events_received ON webhook_events (org_id, received_at);

      CREATE TABLE orgs (
        org_id         TEXT    PRIMARY KEY,
        profile        TEXT    NOT NULL,
        secrets_sealed TEXT    NOT NULL,
        created_at     INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL
      );

      CREATE TABLE rate_buckets (
        bucket       TEXT    PRIMARY KEY,
        paused_until INTEGER NOT NULL DEFAULT 0,
        updated_at   INTEGER NOT NULL
      );
      -- one row per permit and bucket; released_at NULL while in flight
      CREATE TABLE rate_permits (
        permit_id        TEXT    NOT NULL,
        bucket           TEXT    NOT NULL,
        owner            TEXT    NOT NULL,
        weight           INTEGER NOT NULL DEFAULT 1,
        granted_at       INTEGER NOT NULL,
        released_at      INTEGER,
        lease_expires_at INTEGER NOT NULL,
        PRIMARY KEY (permit_id, bucket)
      );
      CREATE INDEX rate_permits_bucket ON rate_permits (bucket, released_at);
      CREATE INDEX rate_permits_owner ON rate_permits (owner) WHERE released_at IS NULL;
    `,
  },
  {
    version: 4,
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
        started_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        finished_at INTEGER,
        PRIMARY KEY (org_id, run_key)
      );
      CREATE INDEX import_runs_started ON import_runs (org_id, started_at);
    `,
  },
  {
    version: 5,
    name: 'OAuth states of Connect to Xero, shared by every process',
    sql: `
      CREATE TABLE oauth_states (
        state_hash      TEXT    PRIMARY KEY,
        org_id          TEXT    NOT NULL,
        verifier_sealed TEXT    NOT NULL,
        expires_at      INTEGER NOT NULL
      );
      CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);
    `,
  },
  {
    version: 6,
    name: 'month-end close journals are Xero results',
    // A posted ManualJournal's id is remembered under its key before Salesforce is told (issue 16). SQLite cannot
    // change a CHECK in place: the table is rebuilt with the new kind allowed, rows kept.
    sql: `
      CREATE TABLE xero_results_v6 (
        org_id      TEXT    NOT NULL,
        request_key TEXT    NOT NULL,
        tenant_id   TEXT    NOT NULL,
        kind        TEXT    NOT NULL
                            CHECK (kind IN ('invoice', 'credit_note', 'contact', 'payment', 'allocation', 'manual_journal')),
        xero_id     TEXT    NOT NULL,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (org_id, request_key, tenant_id, kind)
      );
      INSERT INTO xero_results_v6 SELECT org_id, request_key, tenant_id, kind, xero_id, created_at FROM xero_results;
      DROP TABLE xero_results;
      ALTER TABLE xero_results_v6 RENAME TO xero_results;
      CREATE INDEX xero_results_xero_id ON xero_results (org_id, xero_id);
    `,
  },
  {
    version: 7,
    name: 'a claim of one kind seeks its due jobs in run order',
    // jobs.ts claimSql. jobs_action (org_id, action, state) is this index's prefix, so it goes.
    sql: `
      CREATE INDEX jobs_due ON jobs (org_id, action, state, next_run_at);
      DROP INDEX jobs_action;
    `,
  },
];
