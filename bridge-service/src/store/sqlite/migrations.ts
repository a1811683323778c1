/**
 * Versioned schema migrations, applied in order, each once, recorded in `schema_migrations`.
 * Append new entries; never edit or reorder applied ones. Times are epoch milliseconds.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

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
];
