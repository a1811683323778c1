import type { ImportRun, ImportRunRepository, ImportRunUpdate, NewImportRun } from '../import-runs';
import { MAX_IMPORT_ERRORS } from '../import-runs';
import { toImportRun } from '../rows';
import type { PgDatabase } from './database';

export class PgImportRuns implements ImportRunRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly orgId: string,
  ) {}

  async createImportRun(run: NewImportRun): Promise<{ run: ImportRun; created: boolean }> {
    const now = this.db.clock.now();
    const inserted = await this.db.row(
      `INSERT INTO import_runs (org_id, run_key, tenant_id, entity, since, status, step, cursor, counts, errors,
         started_at, updated_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, 'running', 0, $6, '{}', '[]', $7, $7, NULL)
       ON CONFLICT (org_id, run_key) DO NOTHING
       RETURNING *`,
      [this.orgId, run.runKey, run.tenantId, run.entity, run.since, JSON.stringify(run.cursor), now],
    );
    const stored = inserted ? toImportRun(inserted) : await this.getImportRun(run.runKey);
    if (!stored) throw new Error(`createImportRun: ${run.runKey} vanished`);
    return { run: stored, created: inserted !== undefined };
  }

  async getImportRun(runKey: string): Promise<ImportRun | null> {
    const row = await this.db.row('SELECT * FROM import_runs WHERE org_id = $1 AND run_key = $2', [this.orgId, runKey]);
    return row ? toImportRun(row) : null;
  }

  async listImportRuns(limit = 50): Promise<ImportRun[]> {
    const rows = await this.db.rows(
      'SELECT * FROM import_runs WHERE org_id = $1 ORDER BY started_at DESC, run_key LIMIT $2',
      [this.orgId, Math.min(Math.max(1, limit), 500)],
    );
    return rows.map(toImportRun);
  }

  async advanceImportRun(runKey: string, fromStep: number, update: ImportRunUpdate): Promise<boolean> {
    const now = this.db.clock.now();
    const changed = await this.db.run(
      `UPDATE import_runs SET step = step + 1, status = $1, cursor = $2, counts = $3, errors = $4, updated_at = $5,
         finished_at = $6
       WHERE org_id = $7 AND run_key = $8 AND step = $9`,
      [
        update.status,
        JSON.stringify(update.cursor),
        JSON.stringify(update.counts),
        JSON.stringify(update.errors.slice(-MAX_IMPORT_ERRORS)),
        now,
        update.status === 'running' ? null : now,
        this.orgId,
        runKey,
        fromStep,
      ],
    );
    return changed === 1;
  }
}
