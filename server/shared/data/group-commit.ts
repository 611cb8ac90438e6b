import fs from 'node:fs';
import type { Knex } from 'knex';
import { preparedStatement, SqliteConnection, sqliteBindings } from '../../../db/sqlite-client';
import { Db, isPostgres } from './connection';

/** The statements of one short write transaction, as SQL with `?` placeholders that SQLite and PostgreSQL both take. */
export interface Writer {
  /** Runs a statement; resolves with the number of rows it changed. */
  run(sql: string, bindings?: unknown[]): Promise<number>;
  all<T = Record<string, unknown>>(sql: string, bindings?: unknown[]): Promise<T[]>;
}

type Work<T> = (writer: Writer) => Promise<T>;
interface Job {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** Enough to amortise one fsync; small enough that no write waits long behind others. */
const MAX_BATCH = 100;
/**
 * A group's statements and its COMMIT (which writes the WAL frames) run in the event loop's thread without a break: a
 * group is sized to take about this long (from the measured cost of a write, its share of the COMMIT included), and
 * the next group waits for the next turn of the loop.
 */
const GROUP_MS = 4;
const groups = new WeakMap<Db, GroupCommit>();

/**
 * Runs a short write transaction: the respondent's autosave and completion.
 *
 * On SQLite every commit is an fsync (synchronous=FULL), done on the one connection and in the event loop's thread,
 * so it capped completions at about 2,400 a second before any other work. Here, the writes that arrive while one
 * transaction runs wait, and then share the next transaction and its one fsync (group commit). The caller's promise
 * settles only after that transaction committed and the WAL was synced: nothing is acknowledged before it is on
 * disk. The event loop's thread never waits for the disk or for the write lock: the sync runs on libuv's thread pool
 * and the lock is tried again after short timers (see commit and begin below). When one write of a
 * group fails, the group is rolled back and each of its writes is run again in its own transaction, so only the
 * failing one fails. The statements run as prepared statements on the connection itself, not through knex's query
 * runner, which cost about as much as SQLite's own work for these small statements.
 * On PostgreSQL each write is its own knex transaction (the server groups commits itself, and the pool has several
 * connections).
 */
export function writeTransaction<T>(db: Db, work: Work<T>): Promise<T> {
  if (isPostgres(db)) return db.transaction((trx) => work(knexWriter(trx)));
  let group = groups.get(db);
  if (!group) groups.set(db, (group = new GroupCommit(db)));
  return group.run(work);
}

/** How many transactions the group commit of this database ran, for how many writes, with how many WAL syncs (SQLite; zeros elsewhere). */
export function groupCommitCounts(db: Db): { transactions: number; writes: number; walSyncs: number } {
  const group = groups.get(db);
  return { transactions: group?.transactions ?? 0, writes: group?.writes ?? 0, walSyncs: group?.walSyncs ?? 0 };
}

/**
 * One read statement outside a transaction (the hot path of every respondent request): on SQLite a prepared
 * statement on the pool's connection, on PostgreSQL knex's raw query. Same placeholder rules as Writer.
 */
export async function readRows<T = Record<string, unknown>>(db: Db, sql: string, bindings: unknown[]): Promise<T[]> {
  if (isPostgres(db)) return (await db.raw(sql, bindings as Knex.RawBinding[])).rows as T[];
  const client = db.client as unknown as PooledClient;
  const connection = await client.acquireConnection();
  try {
    return preparedStatement(connection, sql).all(sqliteBindings(bindings)) as T[];
  } finally {
    await client.releaseConnection(connection);
  }
}

function knexWriter(trx: Knex.Transaction): Writer {
  return {
    run: async (sql, bindings = []) => Number((await trx.raw(sql, bindings as Knex.RawBinding[])).rowCount),
    all: async <T>(sql: string, bindings: unknown[] = []) => (await trx.raw(sql, bindings as Knex.RawBinding[])).rows as T[],
  };
}

function sqliteWriter(connection: SqliteConnection): Writer {
  return {
    run: async (sql, bindings) => preparedStatement(connection, sql).run(sqliteBindings(bindings)).changes,
    all: async <T>(sql: string, bindings?: unknown[]) => preparedStatement(connection, sql).all(sqliteBindings(bindings)) as T[],
  };
}

type PooledConnection = SqliteConnection & {
  exec(sql: string): void;
  pragma(source: string, options: { simple: true }): unknown;
};
interface PooledClient {
  acquireConnection(): Promise<PooledConnection>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

class GroupCommit {
  private queue: Job[] = [];
  private draining = false;
  /** how long a group waits for the write lock: the connection's busy_timeout, ms */
  private lockWaitMs = 5000;
  /** the average time one write's statements and its share of the COMMIT took, ms (moving average) */
  private msPerWrite = 0.05;
  transactions = 0;
  writes = 0;
  walSyncs = 0;

  constructor(private readonly db: Db) {}

  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain()); // the writes of this turn of the event loop go together
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const size = Math.max(1, Math.min(MAX_BATCH, Math.floor(GROUP_MS / this.msPerWrite)));
      const group = this.queue.splice(0, size);
      try {
        await this.commit(group);
      } catch (err) {
        for (const job of group) job.reject(err); // no connection: nothing was written
      }
      if (this.queue.length > 0) await new Promise(setImmediate); // other work gets its turn between two groups
    }
    this.draining = false;
  }

  /**
   * On the pool's one connection, which knex hands to nobody else meanwhile. The group commits with
   * synchronous=OFF: SQLite itself syncs nothing in the event loop's thread, not even the WAL's header, which it
   * fsyncs when it starts the log again from its beginning (after each TRUNCATE of the checkpoint thread, about once
   * a second under load: strace saw that fsync in the loop's thread, 0.5 ms on an idle disk, longer while the disk
   * writes back). The whole WAL, header and frames, is then fdatasync'ed on libuv's thread pool, and only after that
   * does any write of the group get its answer: what is acknowledged is on disk, as with FULL. Checkpoints, which
   * copy the log into the database file, keep their syncs: the checkpoint thread's connection syncs the log before
   * it copies and the database after, and the automatic checkpoint of this connection is held off while it runs with
   * OFF (it would copy unsynced frames); it runs after the group instead, with FULL, when the log has outgrown it
   * (the checkpoint thread stopped). Other writes on the connection keep FULL.
   */
  private async commit(group: Job[]): Promise<void> {
    const client = this.db.client as unknown as PooledClient;
    const connection = await client.acquireConnection();
    const settle: Array<() => void> = []; // the answers, given once the WAL is on disk
    const wal = walFile(connection);
    const busyTimeout = Number(connection.pragma('busy_timeout', { simple: true }));
    const autoCheckpoint = wal ? Number(connection.pragma('wal_autocheckpoint', { simple: true })) : 0;
    this.lockWaitMs = busyTimeout;
    try {
      // the write lock is waited for below, between turns of the loop, not asleep in SQLite's busy handler
      connection.exec('PRAGMA busy_timeout = 0');
      if (wal) connection.exec('PRAGMA wal_autocheckpoint = 0; PRAGMA synchronous = OFF');
      if (group.length > 1) {
        const results = await this.transaction(connection, group).catch(() => undefined);
        if (results) group.forEach((job, i) => settle.push(() => job.resolve(results[i])));
        // else rolled back as a whole: below, each write runs alone and gets its own result or error
      }
      if (settle.length === 0)
        for (const job of group) {
          await this.transaction(connection, [job]).then(
            ([result]) => settle.push(() => job.resolve(result)),
            (err) => settle.push(() => job.reject(err)),
          );
        }
    } finally {
      if (wal) connection.exec(`PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = ${autoCheckpoint}`);
      connection.exec(`PRAGMA busy_timeout = ${busyTimeout}`);
      await client.releaseConnection(connection);
    }
    if (wal) {
      const walBytes = await syncWal(wal);
      this.walSyncs++;
      // the log's file grows only while nothing copies it back (SQLite starts it again from its beginning after a
      // checkpoint that copied everything, and the checkpoint thread's TRUNCATE empties it)
      const grew = walBytes > this.walBytes;
      this.walBytes = walBytes;
      if (grew && autoCheckpoint > 0 && walBytes > autoCheckpoint * this.pageSize(connection)) await this.checkpoint();
    }
    for (const answer of settle) answer();
  }

  /** the WAL file's size after the last group */
  private walBytes = 0;
  private pageBytes = 0;
  private pageSize(connection: PooledConnection): number {
    return (this.pageBytes ||= Number(connection.pragma('page_size', { simple: true })));
  }

  /** The automatic checkpoint held off during the group (synchronous=OFF would skip its syncs), run with FULL. */
  private async checkpoint(): Promise<void> {
    const client = this.db.client as unknown as PooledClient;
    const connection = await client.acquireConnection();
    try {
      connection.pragma('wal_checkpoint(PASSIVE)', { simple: true });
    } finally {
      await client.releaseConnection(connection);
    }
  }

  /**
   * BEGIN IMMEDIATE takes the write lock at once. While another connection holds it (the checkpoint thread's
   * TRUNCATE, another process), SQLite's busy handler would sleep in the event loop's thread, and no request would
   * move: here the attempt is repeated after short timers instead, as long as busy_timeout allows.
   */
  private async begin(connection: PooledConnection): Promise<void> {
    const deadline = performance.now() + this.lockWaitMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, 16)) {
      try {
        connection.exec('BEGIN IMMEDIATE');
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || performance.now() >= deadline) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }


  private async transaction(connection: PooledConnection, jobs: Job[]): Promise<unknown[]> {
    await this.begin(connection);
    this.transactions++;
    try {
      const writer = sqliteWriter(connection);
      const results: unknown[] = [];
      const started = performance.now();
      for (const job of jobs) results.push(await job.work(writer));
      connection.exec('COMMIT');
      this.msPerWrite = 0.8 * this.msPerWrite + 0.2 * ((performance.now() - started) / jobs.length);
      this.writes += jobs.length;
      return results;
    } catch (err) {
      if (connection.inTransaction) connection.exec('ROLLBACK'); // SQLite may have rolled back by itself (disk full)
      throw err;
    }
  }
}

/** The WAL file of a connection to a database file (none for an in-memory database). */
function walFile(connection: SqliteConnection): string | null {
  const { name, memory } = connection as unknown as { name: string; memory: boolean };
  return memory || !name || name === ':memory:' ? null : `${name}-wal`;
}

/**
 * fdatasync of the WAL file, all of it (open, sync, close) on libuv's thread pool, off the event loop's thread.
 * Resolves with the file's size in bytes.
 */
async function syncWal(file: string): Promise<number> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    // no WAL file: SQLite removes it only when the last connection closes, after a checkpoint with fsync
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  try {
    await handle.datasync();
    return (await handle.stat()).size;
  } catch (err) {
    // the failure SQLite's own COMMIT would have reported (a 503 for the respondent, not a 500)
    throw Object.assign(new Error('the WAL could not be synced to disk', { cause: err }), { code: 'SQLITE_IOERR_FSYNC' });
  } finally {
    await handle.close();
  }
}
