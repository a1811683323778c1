/** Faults on demand: bursts of error answers, row-lock contention and a request-limit switch. */
import { SalesforceError } from './errors';
import { normalizeId } from './ids';
import type { SalesforceOrg } from './salesforce-org';
import type { ObjectDef } from './schema/types';
import type { SRecord } from './store';

export interface ServerErrorBurst {
  /** how many requests fail */
  count: number;
  status?: number;
  errorCode?: string;
  message?: string;
  /** only requests whose path contains this fail (e.g. '/composite/sobjects'); a Composite call's subrequests too */
  pathIncludes?: string;
  /**
   * What a Composite call one of whose subrequests matches gets. `call`, the default for a 5xx: the whole call
   * fails with the burst's status, as when the instance is unavailable (nothing in it runs). `subrequest`, the
   * default for a 4xx: that subrequest alone answers the error inside the call's 200 and the others run.
   */
  inComposite?: 'call' | 'subrequest';
}

interface Burst {
  count: number;
  status: number;
  errorCode: string;
  message: string;
  pathIncludes?: string;
  inComposite: 'call' | 'subrequest';
}

export class Faults {
  private bursts: Burst[] = [];

  serverErrors(burst: ServerErrorBurst): void {
    const status = burst.status ?? 503;
    this.bursts.push({
      count: burst.count,
      status,
      errorCode: burst.errorCode ?? (status === 500 ? 'UNKNOWN_EXCEPTION' : 'SERVER_UNAVAILABLE'),
      message:
        burst.message ??
        (status === 500
          ? 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-1 (-1)'
          : 'Server temporarily unavailable. Please try again later.'),
      ...(burst.pathIncludes ? { pathIncludes: burst.pathIncludes } : {}),
      inComposite: burst.inComposite ?? (status >= 500 ? 'call' : 'subrequest'),
    });
  }

  /** The fault a request to this path should get, if any (consumes one from the matching burst). */
  take(path: string): SalesforceError | undefined {
    return this.takeWhere((b) => !b.pathIncludes || path.includes(b.pathIncludes));
  }

  /** The fault that fails a whole Composite call, matched against its subrequests' paths (consumes one). */
  takeForComposite(subrequestPaths: readonly string[]): SalesforceError | undefined {
    return this.takeWhere(
      (b) => b.inComposite === 'call' && subrequestPaths.some((p) => !b.pathIncludes || p.includes(b.pathIncludes)),
    );
  }

  /** The fault one subrequest of a Composite call answers alone (consumes one). */
  takeForSubrequest(path: string): SalesforceError | undefined {
    return this.takeWhere((b) => b.inComposite === 'subrequest' && (!b.pathIncludes || path.includes(b.pathIncludes)));
  }

  private takeWhere(matches: (burst: Burst) => boolean): SalesforceError | undefined {
    const burst = this.bursts.find((b) => b.count > 0 && matches(b));
    if (!burst) return undefined;
    burst.count--;
    this.bursts = this.bursts.filter((b) => b.count > 0);
    return new SalesforceError(burst.status, burst.errorCode, burst.message);
  }

  clear(): void {
    this.bursts = [];
  }
}

/**
 * Row-lock contention: the next `count` REST writes of an object's records (sObject rows, Collections, Composite
 * subrequests), or of those `where` picks, fail with UNABLE_TO_LOCK_ROW, as when another transaction holds the row
 * past Salesforce's lock wait (the commonest failure when many writes touch one Account). Each is a record's own
 * failure: a Collection with allOrNone false saves its other records.
 */
export interface RowLockContention {
  /** API name as the client writes it, e.g. `Invoice__c` (the package name without namespace is accepted) */
  sobject: string;
  /** how many record writes fail (default 1) */
  count?: number;
  /**
   * Only records matching: field values (package names; ids of 15 or 18 characters), or a test of the record as it
   * would be saved (the org's API names; programmatic control only).
   */
  where?: Record<string, unknown> | ((record: Readonly<SRecord>) => boolean);
}

export class RowLockFaults {
  private rules: { def: ObjectDef; left: number; matches: (record: SRecord) => boolean }[] = [];

  constructor(private readonly org: SalesforceOrg) {}

  add(rule: RowLockContention): void {
    const def = this.org.object(rule.sobject, this.org.namespace);
    const where = rule.where;
    let matches: (record: SRecord) => boolean;
    if (typeof where === 'function') matches = where;
    else {
      const wanted = Object.entries(where ?? {}).map(([name, value]) => {
        const field = this.org.findField(def, name, this.org.namespace);
        if (!field) throw new SalesforceError(400, 'INVALID_FIELD', `No such column '${name}' on ${def.name}`);
        return { field: field.name, value: comparable(value) };
      });
      matches = (record) => wanted.every(({ field, value }) => comparable(record[field]) === value);
    }
    this.rules.push({ def, left: rule.count ?? 1, matches });
  }

  /**
   * The error a write of `record` gets, if a rule holds it (consumes one). `rowId` is the row the write waited for:
   * the record itself, or for an insert the parent it locks.
   */
  take(def: ObjectDef, record: SRecord, rowId: string): SalesforceError | undefined {
    const rule = this.rules.find((r) => r.left > 0 && r.def === def && r.matches(record));
    if (!rule) return undefined;
    rule.left--;
    this.rules = this.rules.filter((r) => r.left > 0);
    return new SalesforceError(
      400,
      'UNABLE_TO_LOCK_ROW',
      `unable to obtain exclusive access to this record or 1 records: ${rowId}`,
      [],
    );
  }

  clear(): void {
    this.rules = [];
  }
}

/** Ids compare in their 18-character form; other values as they are. */
function comparable(value: unknown): unknown {
  return normalizeId(value) ?? value;
}
