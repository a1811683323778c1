/**
 * Record and event storage with undo (for all-or-none rollbacks) and optional persistence to one JSON file, so an
 * emulator restarted on the same data directory keeps its records, sessions and platform-event log.
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
    for (const [table, rows] of Object.entries(snap.tables)) {
      this.tables.set(table, new Map(rows.map((r) => [r.Id, r])));
    }
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
    const t = this.table(table);
    this.undo.push({ table, id: record.Id, before: t.get(record.Id) });
    t.set(record.Id, record);
  }

  remove(table: string, id: string): void {
    const t = this.table(table);
    this.undo.push({ table, id, before: t.get(id) });
    t.delete(id);
  }

  /** Marks a point to roll back to. */
  mark(): number {
    return this.undo.length;
  }

  rollbackTo(mark: number): void {
    while (this.undo.length > mark) {
      const entry = this.undo.pop()!;
      const t = this.table(entry.table);
      if (entry.before) t.set(entry.id, entry.before);
      else t.delete(entry.id);
    }
  }

  commit(): void {
    this.undo = [];
    this.persist();
  }
}
