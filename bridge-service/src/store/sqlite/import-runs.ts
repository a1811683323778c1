import type { ImportRun, ImportRunRepository, ImportRunUpdate, NewImportRun } from '../import-runs';
import { MAX_IMPORT_ERRORS } from '../import-runs';
import { toImportRun } from '../rows';
import type { SqliteDatabase } from './database';

export class SqliteImportRuns implements ImportRunRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly orgId: string,
  ) {}

  async createImportRun(run: NewImportRun): Promise<{ run: ImportRun; created: boolean }> {
    const now = this.db.clock.now();
    const result = this.db.run(
      `INSERT INTO import_runs (org_id, run_key, tenant_id, entity, since, status, step, cursor, counts, errors,
         started_at, updated_at, finished_at)
       VALUES (?, ?, ?, ?, ?, 'running', 0, ?, '{}', '[]', ?, ?, NULL)
       ON CONFLICT (org_id, run_key) DO NOTHING`,
      this.orgId,
      run.runKey,
      run.tenantId,
      run.entity,
      run.since,
      JSON.stringify(run.cursor),
      now,
      now,
    );
    const stored = await this.getImportRun(run.runKey);
    if (!stored) throw new Error(`createImportRun: ${run.runKey} vanished`);
    return { run: stored, created: Number(result.changes) > 0 };
  }

  async getImportRun(runKey: string): Promise<ImportRun | null> {
    const row = this.db.get('SELECT * FROM import_runs WHERE org_id = ? AND run_key = ?', this.orgId, runKey);
    return row ? toImportRun(row) : null;
  }

  async listImportRuns(limit = 50): Promise<ImportRun[]> {
    return this.db
      .all(
        'SELECT * FROM import_runs WHERE org_id = ? ORDER BY started_at DESC, run_key LIMIT ?',
        this.orgId,
        Math.min(Math.max(1, limit), 500),
      )
      .map(toImportRun);
  }

  async advanceImportRun(runKey: string, fromStep: number, update: ImportRunUpdate): Promise<boolean> {
    const now = this.db.clock.now();
    const finished = update.status === 'running' ? null : now;
    const result = this.db.run(
      `UPDATE import_runs SET step = step + 1, status = ?, cursor = ?, counts = ?, errors = ?, updated_at = ?,
         finished_at = ?
       WHERE org_id = ? AND run_key = ? AND step = ?`,
      update.status,
      JSON.stringify(update.cursor),
      JSON.stringify(update.counts),
      JSON.stringify(update.errors.slice(-MAX_IMPORT_ERRORS)),
      now,
      finished,
      this.orgId,
      runKey,
      fromStep,
    );
    return Number(result.changes) === 1;
  }
}
