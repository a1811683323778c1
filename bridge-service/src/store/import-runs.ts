/**
 * Historical imports (go-live): one run per Xero organisation and start date, with where it has got to. The cursor
 * and the counts are the sync layer's (opaque JSON here); the store guarantees that a run moves on one step at a time:
 * `advanceImportRun` from step n succeeds once, so a page read twice after a crash is counted once, and two workers
 * can never both move one run on.
 */

export type ImportRunStatus = 'running' | 'completed' | 'failed' | 'cancelled';
export const IMPORT_RUN_STATUSES: readonly ImportRunStatus[] = ['running', 'completed', 'failed', 'cancelled'];

export interface ImportRun {
  runKey: string;
  tenantId: string;
  entity: string;
  /** First day of the history imported, YYYY-MM-DD. */
  since: string;
  status: ImportRunStatus;
  /** Steps taken so far (0 before the first). */
  step: number;
  /** Where the next step starts (the sync layer's shape). */
  cursor: Record<string, unknown>;
  counts: Record<string, number>;
  /** The latest problems, newest last (kept to the last 20). */
  errors: string[];
  startedAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export interface NewImportRun {
  runKey: string;
  tenantId: string;
  entity: string;
  since: string;
  cursor: Record<string, unknown>;
}

export interface ImportRunUpdate {
  status: ImportRunStatus;
  cursor: Record<string, unknown>;
  counts: Record<string, number>;
  errors: string[];
}

export const MAX_IMPORT_ERRORS = 20;

export interface ImportRunRepository {
  /** Stores a run unless one with the same key exists; returns the stored run either way. */
  createImportRun(run: NewImportRun): Promise<{ run: ImportRun; created: boolean }>;
  getImportRun(runKey: string): Promise<ImportRun | null>;
  /** Newest first (by start), at most `limit` (default 50). */
  listImportRuns(limit?: number): Promise<ImportRun[]>;
  /**
   * Moves the run from step `fromStep` to `fromStep + 1` with the new state; false (and nothing changed) when the run
   * is no longer at `fromStep` (another worker moved it, or the step was taken before a crash).
   */
  advanceImportRun(runKey: string, fromStep: number, update: ImportRunUpdate): Promise<boolean>;
}
