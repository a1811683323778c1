import type { Connection } from 'jsforce';
import { isTransientSalesforceCode, LedgerlineError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import type { SalesforceNames } from './schema';
import type { FieldName, SObjectSchema, SObjectUpdate, SObjectWrite } from './sobject';

/** sObject Collections take at most 200 records a call. */
export const COLLECTION_LIMIT = 200;

/**
 * A Composite call takes at most 25 subrequests, of which at most 5 are sObject Collections or queries; the whole
 * call counts as ONE request toward the org's API limit.
 */
export const COMPOSITE_LIMITS = { subrequests: 25, collectionsOrQueries: 5 } as const;

/** A record on its way to Salesforce (names without namespace). Typed writes are SObjectWrite<typeof Object>. */
type SalesforceRecord = Readonly<Record<string, unknown>>;

/** A record to write: its fields, and parents referenced by an external id (`Invoice__r: { Request_Key__c }`). */
export type WriteRecord<S extends SObjectSchema> = SObjectWrite<S> & {
  [K in keyof S['parents']]?: Readonly<Record<string, string>>;
};

export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

export type WriteOutcome = { ok: true; id: string; created?: boolean } | { ok: false; errors: RecordError[] };

/** Salesforce refused some records of a write; `failures` says which and why, in Salesforce's words. */
export class SalesforceWriteError extends LedgerlineError {
  readonly failures: { index: number; key: unknown; errors: RecordError[] }[];
  /**
   * Every record was refused for a reason a retry can fix (a locked row; a Composite subrequest that failed with 503
   * or 500 fails its records with that code), so isTransient retries the job rather than give it up.
   */
  readonly transient: boolean;

  constructor(objectName: string, failures: SalesforceWriteError['failures']) {
    const first = failures[0]?.errors[0];
    super(
      'SALESFORCE_WRITE',
      `Salesforce refused ${failures.length} ${objectName} record(s)` +
        (first ? `: ${first.statusCode} ${first.message}` : ''),
    );
    this.failures = failures;
    this.transient =
      failures.length > 0 &&
      failures.every((f) => f.errors.length > 0 && f.errors.every((e) => isTransientSalesforceCode(e.statusCode)));
  }
}

/** Throws SalesforceWriteError naming every refused record; returns the ids otherwise. */
export function requireAll(
  object: SObjectSchema,
  keys: readonly unknown[],
  outcomes: readonly WriteOutcome[],
): string[] {
  const failures = outcomes.flatMap((outcome, index) =>
    outcome.ok ? [] : [{ index, key: keys[index], errors: outcome.errors }],
  );
  if (failures.length > 0) throw new SalesforceWriteError(object.name, failures);
  return outcomes.flatMap((outcome) => (outcome.ok ? [outcome.id] : []));
}

/** A query inside a Composite call failed (the call itself went through). */
export class SalesforceQueryError extends LedgerlineError {
  readonly status: number;

  constructor(status: number, errorCode: string, message: string) {
    super('SALESFORCE_QUERY', `Salesforce query failed: ${errorCode} ${message}`);
    this.status = status;
  }
}

type RawResult = { success: boolean; id?: string; created?: boolean; errors?: unknown[] };

function toOutcome(result: RawResult): WriteOutcome {
  if (result.success && result.id) return { ok: true, id: result.id, created: result.created };
  return { ok: false, errors: toErrors(result.errors) };
}

function toErrors(errors: unknown[] | undefined): RecordError[] {
  return (errors ?? []).map((e) => {
    const err = e as { statusCode?: string; errorCode?: string; message?: string; fields?: string[] };
    return {
      statusCode: err.statusCode ?? err.errorCode ?? 'UNKNOWN',
      message: err.message ?? '',
      fields: err.fields ?? [],
    };
  });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

interface SubrequestResult {
  body: unknown;
  httpStatusCode: number;
  referenceId: string | null;
}

interface QueryPage {
  done: boolean;
  nextRecordsUrl?: string;
  records: unknown[];
}

interface Queued {
  method: 'GET' | 'POST' | 'PATCH';
  /** after `/services/data/vXX.X` */
  path: string;
  body?: unknown;
  settle(result: SubrequestResult): Promise<void> | void;
  /** Settles it as not done: its call failed whole, or an earlier failure stopped the batch before it was sent. */
  abandon(err: unknown): void;
}

/** A failure that was no subrequest's answer (a refused call, a network error), as each record's error. */
function callErrors(err: unknown): RecordError[] {
  const e = (err ?? {}) as { errorCode?: unknown; code?: unknown; message?: unknown };
  const code = typeof e.errorCode === 'string' ? e.errorCode : typeof e.code === 'string' ? e.code : 'UNKNOWN';
  return [{ statusCode: code, message: typeof e.message === 'string' ? e.message : String(err), fields: [] }];
}

/**
 * Salesforce writes and reads queued now and sent together later, in as few Composite calls as the limits
 * allow, in the order they were queued (a later subrequest sees what an earlier one wrote). Writes go as
 * sObject Collections of ≤ 200 records with allOrNone false, so one refused record, or one failed subrequest,
 * fails only its own records. The promises settle once `run()` has sent everything: writes with one outcome
 * per record (they never reject), queries with every row. A failed query, or a call that fails whole (a 5xx), makes
 * `run()` reject and stops the batch: the writes not done settle failed with that error, so no write waits for ever;
 * its queries stay unsettled (see query), as their callers wait on `run()` first.
 */
export interface CompositeBatch {
  upsert<S extends SObjectSchema>(
    object: S,
    externalIdField: FieldName<S>,
    records: readonly WriteRecord<S>[],
  ): Promise<WriteOutcome[]>;
  update<S extends SObjectSchema>(object: S, records: readonly SObjectUpdate<S>[]): Promise<WriteOutcome[]>;
  create<S extends SObjectSchema>(object: S, records: readonly WriteRecord<S>[]): Promise<WriteOutcome[]>;
  /**
   * Every row of a SOQL query as Salesforce returned it (namespace not stripped: queries.ts reads rows through its
   * selections); pages past the first follow with queryMore.
   */
  query(soql: string): Promise<unknown[]>;
  /** Sends what is queued; resolves when every queued promise has settled. */
  run(): Promise<void>;
}

/**
 * Writes to Salesforce through sObject Collections (≤ 200 records a call, allOrNone false so one bad record
 * does not sink the batch), alone or queued into Composite calls. Records use the package's names without
 * namespace; the prefix is applied here (relationship references such as `Invoice__r: { Request_Key__c }` too).
 */
export function createWriteback(deps: { conn: Connection; names: SalesforceNames; log: Logger }) {
  const { conn, names } = deps;

  const prefixKeys = (record: object): SalesforceRecord =>
    Object.fromEntries(
      Object.entries(record).map(([key, value]: [string, unknown]) => [
        names.api(key),
        value !== null && typeof value === 'object' && !Array.isArray(value) && key !== 'attributes'
          ? prefixKeys(value)
          : value,
      ]),
    );

  /** Sends records in Collections-sized batches; one outcome per record, in input order. */
  async function inBatches(
    records: readonly object[],
    write: (batch: SalesforceRecord[]) => Promise<unknown>,
  ): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (const batch of chunks(records, COLLECTION_LIMIT)) {
      outcomes.push(...((await write(batch.map(prefixKeys))) as RawResult[]).map(toOutcome));
    }
    return outcomes;
  }

  /** Upserts by external id. */
  function upsert<S extends SObjectSchema>(
    object: S,
    externalIdField: FieldName<S>,
    records: readonly WriteRecord<S>[],
  ): Promise<WriteOutcome[]> {
    const sobject = conn.sobject(names.api(object.name));
    return inBatches(records, (batch) => sobject.upsert(batch, names.api(externalIdField), { allOrNone: false }));
  }

  /** Updates records by Id. */
  function update<S extends SObjectSchema>(object: S, records: readonly SObjectUpdate<S>[]): Promise<WriteOutcome[]> {
    const sobject = conn.sobject(names.api(object.name));
    return inBatches(records, (batch) =>
      sobject.update(
        batch.map((record) => ({ ...record, Id: String(record.Id) })),
        { allOrNone: false },
      ),
    );
  }

  /** Creates records (platform events included: publishing is an insert). */
  function create<S extends SObjectSchema>(object: S, records: readonly WriteRecord<S>[]): Promise<WriteOutcome[]> {
    const sobject = conn.sobject(names.api(object.name));
    return inBatches(records, (batch) => sobject.create(batch, { allOrNone: false }));
  }

  /** Queues writes and reads for Composite calls (see CompositeBatch). */
  function composite(): CompositeBatch {
    const queue: Queued[] = [];
    const base = `/services/data/v${conn.version}`;

    /** One Collections subrequest per 200 records; the promise gathers their outcomes in input order. */
    function write(
      records: readonly object[],
      subrequest: (batch: SalesforceRecord[]) => Pick<Queued, 'method' | 'path' | 'body'>,
    ): Promise<WriteOutcome[]> {
      const parts = chunks(records, COLLECTION_LIMIT).map((batch) => {
        let settle!: (outcomes: WriteOutcome[]) => void;
        const done = new Promise<WriteOutcome[]>((resolve) => (settle = resolve));
        queue.push({
          ...subrequest(batch.map(prefixKeys)),
          settle({ body, httpStatusCode }) {
            if (httpStatusCode < 300 && Array.isArray(body)) settle((body as RawResult[]).map(toOutcome));
            else {
              // the whole subrequest failed (or never ran): each of its records fails with that error
              const errors = toErrors(Array.isArray(body) ? body : [body]);
              settle(batch.map(() => ({ ok: false, errors })));
            }
          },
          abandon(err) {
            const errors = callErrors(err);
            settle(batch.map(() => ({ ok: false, errors })));
          },
        });
        return done;
      });
      return Promise.all(parts).then((outcomes) => outcomes.flat());
    }

    return {
      upsert(object, externalIdField, records) {
        return write(records, (batch) => ({
          method: 'PATCH',
          path: `/composite/sobjects/${names.api(object.name)}/${names.api(externalIdField)}`,
          body: {
            allOrNone: false,
            records: batch.map((r) => ({ attributes: { type: names.api(object.name) }, ...r })),
          },
        }));
      },
      update(object, records) {
        return write(records, (batch) => ({
          method: 'PATCH',
          path: '/composite/sobjects',
          body: {
            allOrNone: false,
            records: batch.map((r) => ({ attributes: { type: names.api(object.name) }, ...r })),
          },
        }));
      },
      create(object, records) {
        return write(records, (batch) => ({
          method: 'POST',
          path: '/composite/sobjects',
          body: {
            allOrNone: false,
            records: batch.map((r) => ({ attributes: { type: names.api(object.name) }, ...r })),
          },
        }));
      },
      query(soql: string): Promise<unknown[]> {
        // Settles only with its rows. A failed query, or a call that failed whole, makes run() reject and leaves this
        // unsettled: callers chain work on a query's rows and await it only after run() (summaries.stage), so a
        // rejection here would be unhandled in that chain and end the process.
        return new Promise<unknown[]>((resolve) => {
          queue.push({
            method: 'GET',
            path: `/query?q=${encodeURIComponent(soql)}`,
            async settle({ body, httpStatusCode }) {
              if (httpStatusCode >= 300) {
                const [error] = toErrors(Array.isArray(body) ? body : [body]);
                throw new SalesforceQueryError(httpStatusCode, error?.statusCode ?? 'UNKNOWN', error?.message ?? '');
              }
              let page = body as QueryPage;
              const records = [...page.records];
              while (!page.done && page.nextRecordsUrl) {
                page = await conn.request<QueryPage>(page.nextRecordsUrl);
                records.push(...page.records);
              }
              resolve(records);
            },
            abandon: () => undefined,
          });
        });
      },
      async run() {
        const calls = packed(queue.splice(0));
        // a later call may read what an earlier one wrote: after a failure nothing more is sent
        const stop = (from: number, err: unknown): never => {
          for (const q of calls.slice(from).flat()) q.abandon(err);
          throw err;
        };
        for (const [n, call] of calls.entries()) {
          const response = await conn
            .requestPost<{ compositeResponse?: SubrequestResult[] }>('/composite', {
              allOrNone: false,
              compositeRequest: call.map((q, i) => ({
                method: q.method,
                url: `${base}${q.path}`,
                referenceId: `r${i}`,
                ...(q.body === undefined ? {} : { body: q.body }),
              })),
            })
            .catch((err: unknown) => stop(n, err));
          let failure: { err: unknown } | undefined;
          const results = new Map((response.compositeResponse ?? []).map((r) => [r.referenceId, r]));
          for (const [i, q] of call.entries()) {
            // a result missing for a subrequest (a limit refused the whole call) fails it with what Salesforce said
            const result = results.get(`r${i}`) ??
              response.compositeResponse?.find((r) => r.referenceId === null) ?? {
                body: [{ errorCode: 'UNKNOWN', message: 'Salesforce gave no answer for this subrequest' }],
                httpStatusCode: 500,
                referenceId: null,
              };
            // the call ran: every subrequest in it settles as Salesforce answered, past a failed query too
            await Promise.resolve(q.settle(result)).catch((err: unknown) => (failure ??= { err }));
          }
          if (failure) stop(n + 1, failure.err);
        }
      },
    };
  }

  return { upsert, update, create, requireAll, composite };
}

/** Splits subrequests, in order, into Composite calls within the limits. */
function packed(queue: readonly Queued[]): Queued[][] {
  const calls: Queued[][] = [];
  let call: Queued[] = [];
  let counted = 0;
  for (const q of queue) {
    // every subrequest the bridge sends is a Collection or a query, so the tighter limit decides
    if (call.length === COMPOSITE_LIMITS.subrequests || counted === COMPOSITE_LIMITS.collectionsOrQueries) {
      calls.push(call);
      call = [];
      counted = 0;
    }
    call.push(q);
    counted += 1;
  }
  if (call.length > 0) calls.push(call);
  return calls;
}

export type Writeback = ReturnType<typeof createWriteback>;
