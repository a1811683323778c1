import { DatabaseSync } from 'node:sqlite';
import { SqliteDatabase } from './database';

describe('SqliteDatabase statements', () => {
  const clock = { now: () => 0 };

  it('prepares a SQL text once and reuses it (a statement per query held native memory V8 did not see)', () => {
    const prepare = jest.spyOn(DatabaseSync.prototype, 'prepare');
    try {
      const db = new SqliteDatabase(':memory:', clock, 1_000);
      db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
      const before = prepare.mock.calls.length;
      for (let i = 0; i < 1_000; i += 1) db.run('INSERT INTO t (v) VALUES (?)', `v${i}`);
      expect(db.get('SELECT COUNT(*) AS n FROM t')).toEqual({ n: 1_000 });
      expect(db.all('SELECT v FROM t WHERE id <= ? ORDER BY id', 2)).toEqual([{ v: 'v0' }, { v: 'v1' }]);
      expect(prepare.mock.calls.length - before).toBe(3);
      db.close();
    } finally {
      prepare.mockRestore();
    }
  });

  it('keeps at most 256 texts: the one unused longest is prepared again', () => {
    const prepare = jest.spyOn(DatabaseSync.prototype, 'prepare');
    try {
      const db = new SqliteDatabase(':memory:', clock, 1_000);
      for (let i = 0; i < 300; i += 1) db.get(`SELECT ${i} AS n`);
      const before = prepare.mock.calls.length;
      expect(db.get('SELECT 299 AS n')).toEqual({ n: 299 }); // recent: kept
      expect(prepare.mock.calls.length).toBe(before);
      expect(db.get('SELECT 0 AS n')).toEqual({ n: 0 }); // dropped: prepared again
      expect(prepare.mock.calls.length).toBe(before + 1);
      db.close();
    } finally {
      prepare.mockRestore();
    }
  });
});
