/**
 * A store file as wave 1 left it: schema version 1 (no job kinds, no orgs), holding the given jobs, written with raw
 * SQL because today's repositories write today's columns. For upgrade tests.
 */
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS } from '../migrations';
import { SqliteStore } from '../sqlite-store';

export interface V1Job {
  key: string;
  action: string;
  payload: unknown;
}

export async function writeV1Store(path: string, encryptionKey: Buffer, jobs: readonly V1Job[]): Promise<void> {
  await new SqliteStore({ path, encryptionKey, migrations: MIGRATIONS.slice(0, 1) }).close();
  const db = new DatabaseSync(path);
  const insert = db.prepare(
    `INSERT INTO jobs (key, action, payload, state, attempts, next_run_at, created_at, updated_at)
     VALUES (?, ?, ?, 'queued', 0, 0, 0, 0)`,
  );
  for (const job of jobs) insert.run(job.key, job.action, JSON.stringify(job.payload));
  db.close();
}
