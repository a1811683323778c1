import { LedgerlineError } from '../lib/errors';

/** One schema step of an adapter. Append new ones; never edit or reorder applied ones. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The store was migrated by a newer bridge: this one does not know its schema and must not write to it. */
export class SchemaTooNewError extends LedgerlineError {
  constructor(what: string, newest: number, known: number) {
    super(
      'STORE_SCHEMA_TOO_NEW',
      `${what} is at schema version ${newest}, but this bridge knows versions up to ${known}: ` +
        'run the bridge version that migrated it (or newer); never point an older bridge at a newer store',
    );
  }

  /** Throws if `applied` holds a version none of `known` has. */
  static check(what: string, applied: Iterable<number>, known: readonly Pick<Migration, 'version'>[]): void {
    const newestKnown = Math.max(0, ...known.map((m) => m.version));
    const newestApplied = Math.max(0, ...applied);
    if (newestApplied > newestKnown) throw new SchemaTooNewError(what, newestApplied, newestKnown);
  }
}
