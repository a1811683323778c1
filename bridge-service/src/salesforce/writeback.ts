import type { Connection } from 'jsforce';
import { LedgerlineError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import type { SalesforceNames } from './schema';

/** sObject Collections take at most 200 records a call. */
export const COLLECTION_LIMIT = 200;

export type SalesforceRecord = Record<string, unknown>;

export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

export type WriteOutcome = { ok: true; id: string; created?: boolean } | { ok: false; errors: RecordError[] };

/** Salesforce refused some records of a write; `failures` says which and why, in Salesforce's words. */
export class SalesforceWriteError extends LedgerlineError {
  readonly failures: { index: number; key: unknown; errors: RecordError[] }[];

  constructor(objectName: string, failures: SalesforceWriteError['failures']) {
    const first = failures[0]?.errors[0];
    super(
      'SALESFORCE_WRITE',
      `Salesforce refused ${failures.length} ${objectName} record(s)` +
        (first ? `: ${first.statusCode} ${first.message}` : ''),
    );
    this.failures = failures;
  }
}

type RawResult = { success: boolean; id?: string; created?: boolean; errors?: unknown[] };

function toOutcome(result: RawResult): WriteOutcome {
  if (result.success && result.id) return { ok: true, id: result.id, created: result.created };
  const errors = (result.errors ?? []).map((e) => {
    const err = e as { statusCode?: string; errorCode?: string; message?: string; fields?: string[] };
    return {
      statusCode: err.statusCode ?? err.errorCode ?? 'UNKNOWN',
      message: err.message ?? '',
      fields: err.fields ?? [],
    };
  });
  return { ok: false, errors };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Writes to Salesforce through sObject Collections (≤ 200 records a call, allOrNone false so one bad record
 * does not sink the batch). Records use the package's names without namespace; the prefix is applied here.
 */
export function createWriteback(deps: { conn: Connection; names: SalesforceNames; log: Logger }) {
  const { conn, names } = deps;

  const prefixKeys = (record: SalesforceRecord): SalesforceRecord =>
    Object.fromEntries(Object.entries(record).map(([key, value]) => [names.api(key), value]));

  /** Sends records in Collections-sized batches; one outcome per record, in input order. */
  async function inBatches(
    records: readonly SalesforceRecord[],
    write: (batch: SalesforceRecord[]) => Promise<unknown>,
  ): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (const batch of chunks(records, COLLECTION_LIMIT)) {
      outcomes.push(...((await write(batch.map(prefixKeys))) as RawResult[]).map(toOutcome));
    }
    return outcomes;
  }

  /** Upserts by external id. */
  function upsert(objectName: string, externalIdField: string, records: readonly SalesforceRecord[]) {
    const sobject = conn.sobject(names.api(objectName));
    return inBatches(records, (batch) => sobject.upsert(batch, names.api(externalIdField), { allOrNone: false }));
  }

  /** Updates records by Id. */
  function update(objectName: string, records: readonly SalesforceRecord[]) {
    const sobject = conn.sobject(names.api(objectName));
    return inBatches(records, (batch) => sobject.update(batch as { Id: string }[], { allOrNone: false }));
  }

  /** Creates records (platform events included: publishing is an insert). */
  function create(objectName: string, records: readonly SalesforceRecord[]) {
    const sobject = conn.sobject(names.api(objectName));
    return inBatches(records, (batch) => sobject.create(batch, { allOrNone: false }));
  }

  /** Throws SalesforceWriteError naming every refused record; returns the ids otherwise. */
  function requireAll(objectName: string, keys: readonly unknown[], outcomes: readonly WriteOutcome[]): string[] {
    const failures = outcomes.flatMap((outcome, index) =>
      outcome.ok ? [] : [{ index, key: keys[index], errors: outcome.errors }],
    );
    if (failures.length > 0) throw new SalesforceWriteError(objectName, failures);
    return outcomes.map((outcome) => (outcome as { id: string }).id);
  }

  return { upsert, update, create, requireAll };
}

export type Writeback = ReturnType<typeof createWriteback>;
