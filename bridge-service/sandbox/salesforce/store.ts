/**
 * Record and event storage with undo (for all-or-none rollbacks) and optional persistence to one JSON file, so an
 * emulator restarted on the same data directory keeps its records, sessions and platform-event log. Lookups by a
 * field's value use indexes kept in step with every write and rollback (record-keys.ts says how values are keyed),
 * so a query or an upsert does not scan the table: a real org indexes ids, lookups and external ids too.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type SRecord = Record<string, unknown> & { Id: string };

export interface StoredEvent {
  channel: string;
  replayId: number;
  publishedAt: number;
  data: { schema: string; payload: Record<string, unknown>; event: { EventUuid: string; replayId: number } };
}

export interface StoredSession {
  token: string;
  userId: string;
  issuedAt: number;
  expiresAt: number;
  refreshToken?: string;
}

interface Snapshot {
  version: 1;
  tables: Record<string, SRecord[]>;
  sequences: Record<string, number>;
  locks: string[];
  events: StoredEvent[];
  nextReplayId: number;
  sessions: StoredSession[];
  refreshTokens: Record<string, string>;
  apiUsage: Record<string, number>;
}

/** A key rule: the key of a field's value (two values the org treats as equal share it). */
export interface KeyRule {
  /** Names the rule; one index per field and rule. */
  name: string;
  /** undefined: the value equals nothing (null); UNKEYED: the rule cannot say, so the record is always a candidate. */
  keyOf(value: unknown): string | undefined | typeof UNKEYED;
}

export const UNKEYED = Symbol('unkeyed');

/** One field's records by key. */
class FieldIndex {
  private readonly byKey = new Map<string, Set<string>>();
  private readonly keyOfId = new Map<string, string | typeof UNKEYED>();

  constructor(
    private readonly field: string,
    private readonly rule: KeyRule,
  ) {}

  /** The record `id` is now `record` (undefined: gone). */
  set(id: string, record: SRecord | undefined): void {
    const old = this.keyOfId.get(id);
    const key = record ? this.rule.keyOf(record[this.field]) : undefined;
    if (old === key) return;
    if (old !== undefined) {
      const bucket = this.byKey.get(old === UNKEYED ? '' : `=${old}`)!;
      bucket.delete(id);
      if (bucket.size === 0) this.byKey.delete(old === UNKEYED ? '' : `=${old}`);
      this.keyOfId.delete(id);
    }
    if (key !== undefined) {
      const name = key === UNKEYED ? '' : `=${key}`;
      let bucket = this.byKey.get(name);
      if (!bucket) this.byKey.set(name, (bucket = new Set()));
      bucket.add(id);
      this.keyOfId.set(id, key);
    }
  }

  /** Ids whose key is one of `keys`, and those the rule could not key. */
  ids(keys: Iterable<string>): Set<string> {
    const out = new Set(this.byKey.get('') ?? []);
    for (const key of keys) for (const id of this.byKey.get(`=${key}`) ?? []) out.add(id);
    return out;
  }
}

interface UndoEntry {
  table: string;
  id: string;
  before: SRecord | undefined;
}

export class RecordStore {
  readonly tables = new Map<string, Map<string, SRecord>>();
  readonly sequences = new Map<string, number>();
  readonly locks = new Set<string>();
  events: StoredEvent[] = [];
  nextReplayId = 1;
  readonly sessions = new Map<string, StoredSession>();
  /** refresh token -> user id */
  readonly refreshTokens = new Map<string, string>();
  /** API requests per clock hour (epoch ms / 1 h): the daily limit is a rolling 24 hours */
  apiUsage: Record<string, number> = {};
  private undo: UndoEntry[] = [];
  private readonly file: string | undefined;
  /** table -> `field rule` -> index, built on first use. */
  private readonly indexes = new Map<string, Map<string, FieldIndex>>();
  /** table -> id -> its place in the table's iteration order (a record re-added after a delete goes last). */
  private readonly positions = new Map<string, Map<string, number>>();
  private lastPosition = 0;

  constructor(dataDir?: string) {
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true });
      this.file = join(dataDir, 'salesforce-emulator.json');
    }
  }

  /** True when a previous run left state behind (then the seed is not applied again). */
  load(): boolean {
    if (!this.file || !existsSync(this.file)) return false;
    const snap = JSON.parse(readFileSync(this.file, 'utf8')) as Snapshot;
    for (const [table, rows] of Object.entries(snap.tables)) for (const r of rows) this.write(table, r.Id, r);
    for (const [k, v] of Object.entries(snap.sequences)) this.sequences.set(k, v);
    for (const id of snap.locks) this.locks.add(id);
    this.events = snap.events;
    this.nextReplayId = snap.nextReplayId;
    for (const s of snap.sessions) this.sessions.set(s.token, s);
    for (const [k, v] of Object.entries(snap.refreshTokens)) this.refreshTokens.set(k, v);
    this.apiUsage = snap.apiUsage && !('day' in snap.apiUsage) ? snap.apiUsage : {};
    return true;
  }

  persist(): void {
    if (!this.file) return;
    const snap: Snapshot = {
      version: 1,
      tables: Object.fromEntries([...this.tables].map(([k, m]) => [k, [...m.values()]])),
      sequences: Object.fromEntries(this.sequences),
      locks: [...this.locks],
      events: this.events,
      nextReplayId: this.nextReplayId,
      sessions: [...this.sessions.values()],
      refreshTokens: Object.fromEntries(this.refreshTokens),
      apiUsage: this.apiUsage,
    };
    // write-then-rename so a crash never leaves half a file
    writeFileSync(`${this.file}.tmp`, JSON.stringify(snap));
    renameSync(`${this.file}.tmp`, this.file);
  }

  nextSequence(key: string): number {
    const n = (this.sequences.get(key) ?? 0) + 1;
    this.sequences.set(key, n);
    return n;
  }

  /** A table's records by id, in insertion order. Read it; write through put and remove (they keep the indexes). */
  table(name: string): Map<string, SRecord> {
    const key = name.toLowerCase();
    let t = this.tables.get(key);
    if (!t) {
      t = new Map();
      this.tables.set(key, t);
    }
    return t;
  }

  get(table: string, id: string): SRecord | undefined {
    return this.tables.get(table.toLowerCase())?.get(id);
  }

  put(table: string, record: SRecord): void {
    this.undo.push({ table, id: record.Id, before: this.table(table).get(record.Id) });
    this.write(table, record.Id, record);
  }

  remove(table: string, id: string): void {
    this.undo.push({ table, id, before: this.table(table).get(id) });
    this.write(table, id, undefined);
  }

  /**
   * Records of `table` whose `field` keys (by `rule`) to one of `keys`, plus any the rule could not key, in the
   * table's order; deleted ones included. A superset: the caller applies its own comparison to each.
   */
  lookup(table: string, field: string, rule: KeyRule, keys: Iterable<string>): SRecord[] {
    const t = this.table(table);
    const ids = this.index(table, field, rule).ids(keys);
    if (ids.size === 0) return [];
    const order = this.positions.get(table.toLowerCase())!;
    return [...ids].sort((a, b) => order.get(a)! - order.get(b)!).map((id) => t.get(id)!);
  }

  private index(table: string, field: string, rule: KeyRule): FieldIndex {
    const key = table.toLowerCase();
    let byName = this.indexes.get(key);
    if (!byName) this.indexes.set(key, (byName = new Map()));
    const name = `${field} ${rule.name}`;
    let index = byName.get(name);
    if (!index) {
      index = new FieldIndex(field, rule);
      for (const [id, record] of this.table(table)) index.set(id, record);
      byName.set(name, index);
    }
    return index;
  }

  /** The only writer of tables: keeps the order and every index of the table in step. */
  private write(table: string, id: string, record: SRecord | undefined): void {
    const key = table.toLowerCase();
    const t = this.table(key);
    let order = this.positions.get(key);
    if (!order) this.positions.set(key, (order = new Map()));
    if (record) {
      if (!t.has(id)) order.set(id, ++this.lastPosition);
      t.set(id, record);
    } else {
      t.delete(id);
      order.delete(id);
    }
    for (const index of this.indexes.get(key)?.values() ?? []) index.set(id, record);
  }

  /** Marks a point to roll back to. */
  mark(): number {
    return this.undo.length;
  }

  rollbackTo(mark: number): void {
    while (this.undo.length > mark) {
      const entry = this.undo.pop()!;
      this.write(entry.table, entry.id, entry.before);
    }
  }

  commit(): void {
    this.undo = [];
    this.persist();
  }
}
