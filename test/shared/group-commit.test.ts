import fs from 'node:fs';
import Database from 'better-sqlite3';
import { groupCommitCounts, writeTransaction } from '../../server/shared/data/group-commit';
import { databaseKinds, freshDatabase, TestDatabase } from '../helpers/databases';

/**
 * Writes that arrive together share one transaction on SQLite (one fsync); each caller still gets its own result,
 * a failing write fails alone, and nothing is acknowledged that is not stored.
 */
describe.each(databaseKinds())('write transactions (%s)', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase(kind);
    await database.db.schema.createTable('scratch', (t) => {
      t.string('id', 20).primary();
      t.integer('n').notNullable();
      t.text('v');
    });
  });
  afterAll(() => database.drop());
  beforeEach(() => database.db('scratch').delete());

  const insert = (id: string, n: number) =>
    writeTransaction(database.db, async (w) => {
      await w.run('insert into scratch (id, n) values (?, ?)', [id, n]);
      return `stored ${id}`;
    });

  test('fifty writes at once: each caller gets its own result and every row is stored', async () => {
    const before = groupCommitCounts(database.db);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => insert(`r${i}`, i)));
    const after = groupCommitCounts(database.db);
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => `stored r${i}`));
    expect(await database.db('scratch').count({ n: '*' }).first()).toEqual({ n: kind === 'postgres' ? '50' : 50 });
    // SQLite: the fifty writes shared a few commits instead of fifty fsyncs
    if (kind === 'sqlite') {
      expect(after.writes - before.writes).toBe(50);
      expect(after.transactions - before.transactions).toBeLessThanOrEqual(5);
    }
  });

  test('a write that fails fails alone; the writes grouped with it are stored', async () => {
    await insert('taken', 0);
    const settled = await Promise.allSettled([insert('a', 1), insert('taken', 2), insert('b', 3), insert('c', 4)]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    // the error names the constraint, not the values (they could be answers, and errors reach the log)
    const message = String((settled[1] as PromiseRejectedResult).reason.message);
    expect(message).toMatch(/unique|duplicate/i);
    expect(message).not.toContain('taken');
    const rows = await database.db('scratch').orderBy('id').select('id', 'n');
    expect(rows).toEqual([
      { id: 'a', n: 1 },
      { id: 'b', n: 3 },
      { id: 'c', n: 4 },
      { id: 'taken', n: 0 },
    ]);
  });

  // SQLite only: on PostgreSQL the two are separate transactions, in no guaranteed order
  if (kind === 'sqlite')
    test('a write that reads what an earlier write of its group wrote sees it', async () => {
      const [first, second] = await Promise.all([
        insert('x', 1),
        writeTransaction(
          database.db,
          async (w) => (await w.all<{ n: number }>('select n from scratch where id = ?', ['x']))[0]?.n ?? 'not there',
        ),
      ]);
      expect(first).toBe('stored x');
      expect(second).toBe(1);
    });

  if (kind === 'sqlite') {
    describe('the WAL is on disk before any write of a group is acknowledged', () => {
      // FileHandle.prototype.datasync, held or failed by the test (fdatasync runs on libuv's thread pool)
      let proto: { datasync(): Promise<void> };
      let original: () => Promise<void>;
      beforeAll(async () => {
        const handle = await fs.promises.open(__filename, 'r');
        proto = Object.getPrototypeOf(handle);
        await handle.close();
        original = proto.datasync;
      });
      afterEach(() => {
        proto.datasync = original;
      });

      test('a write is answered only once the WAL sync has finished, and the loop serves others meanwhile', async () => {
        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        const synced: string[] = [];
        proto.datasync = async function (this: fs.promises.FileHandle) {
          await held;
          synced.push('wal');
          return original.call(this);
        };
        const before = groupCommitCounts(database.db);
        let answered = false;
        const write = insert('held', 1).then((v) => ((answered = true), v));
        // the loop is free while the disk syncs: timers fire, other reads run
        await new Promise((r) => setTimeout(r, 150));
        expect(await database.db('scratch').where({ id: 'held' }).count({ n: '*' }).first()).toEqual({ n: 1 });
        expect(answered).toBe(false);
        release();
        expect(await write).toBe('stored held');
        expect(synced).toEqual(['wal']);
        expect(groupCommitCounts(database.db).walSyncs - before.walSyncs).toBe(1);
        // other writes on the connection commit with FULL (an fsync in SQLite's COMMIT) as before
        expect(await database.db.raw('pragma synchronous')).toEqual([{ synchronous: 2 }]);
      });

      test('a WAL sync that fails is not acknowledged: every write of the group gets the error', async () => {
        proto.datasync = async () => {
          throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
        };
        const settled = await Promise.allSettled([insert('e1', 1), insert('e2', 2)]);
        expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected']);
        // reported as SQLite's own COMMIT would have reported it (the respondent gets a 503 and retries)
        const reason = (settled[0] as PromiseRejectedResult).reason;
        expect([reason.code, reason.cause.code]).toEqual(['SQLITE_IOERR_FSYNC', 'EIO']);
      });
    });

    test('while another connection holds the write lock, the group waits for it without stopping the loop', async () => {
      const other = new Database(database.env.SQLITE_FILE);
      try {
        other.exec('BEGIN IMMEDIATE'); // as the checkpoint thread's TRUNCATE or another process would hold it
        let last = performance.now();
        let longestGap = 0;
        const ticks = setInterval(() => {
          longestGap = Math.max(longestGap, performance.now() - last);
          last = performance.now();
        }, 5);
        const write = insert('after-lock', 1);
        await new Promise((r) => setTimeout(r, 300));
        other.exec('COMMIT');
        expect(await write).toBe('stored after-lock');
        clearInterval(ticks);
        // SQLite's busy handler would have slept the 300 ms in the event loop's thread
        expect(longestGap).toBeLessThan(100);
      } finally {
        other.close();
      }
    });

    test("without the checkpoint thread, the connection's own checkpoint still keeps the WAL from growing", async () => {
      // a group commits with synchronous=OFF and the automatic checkpoint held off (it would copy the log into the
      // database file without syncing it first); the group runs that checkpoint itself afterwards, with FULL
      const db = database.db;
      const wal = `${database.env.SQLITE_FILE}-wal`;
      await db.raw('pragma wal_checkpoint(TRUNCATE)');
      await db.raw('pragma wal_autocheckpoint = 100');
      try {
        const row = 'r'.repeat(4_000); // a page each
        for (let round = 0; round < 40; round++)
          await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              writeTransaction(db, (w) =>
                w.run('insert into scratch (id, n, v) values (?, ?, ?)', [`w${round}-${i}`, i, row]),
              ),
            ),
          );
        expect(await db('scratch').count({ n: '*' }).first()).toEqual({ n: 800 });
        // 800 pages written; the log restarts after each checkpoint: about 100 pages plus one group's
        expect(fs.statSync(wal).size).toBeLessThan(300 * 4096);
        expect(await db.raw('pragma wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 100 }]);
      } finally {
        await db.raw('pragma wal_autocheckpoint = 1000');
        await db('scratch').delete();
        await db.raw('vacuum'); // the free pages would leave room for the full disk below
      }
    });

    test('on a full disk, exactly the acknowledged writes are stored', async () => {
      const db = database.db;
      const { page_count: pages } = (await db.raw('pragma page_count'))[0] as { page_count: number };
      await db.raw(`pragma max_page_count = ${pages + 3}`);
      let settled: PromiseSettledResult<string>[];
      try {
        const big = 'x'.repeat(60_000); // fifteen pages per row: a few fit in the free pages, the rest do not
        settled = await Promise.allSettled(
          Array.from({ length: 12 }, (_, i) =>
            writeTransaction(db, async (w) => {
              await w.run('insert into scratch (id, n) values (?, ?)', [`big${i}`, i]);
              await w.run('insert into scratch (id, n, v) values (?, ?, ?)', [`pad${i}`, i, big]);
              return `big${i}`;
            }),
          ),
        );
      } finally {
        await db.raw('pragma max_page_count = 1073741823');
      }
      const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
      expect(refused.length).toBeGreaterThan(0);
      expect(String(refused[0].reason.code)).toMatch(/SQLITE_FULL/);
      const acknowledged = settled
        .filter((s): s is PromiseFulfilledResult<string> => s.status === 'fulfilled')
        .map((s) => s.value);
      const stored = (await db('scratch').where('id', 'like', 'big%').orderBy('id').pluck('id')) as string[];
      expect(stored.sort()).toEqual(acknowledged.sort());
      expect(await db('scratch').where('id', 'like', 'pad%').count({ n: '*' }).first()).toEqual({
        n: acknowledged.length,
      });
    });
  }
});
