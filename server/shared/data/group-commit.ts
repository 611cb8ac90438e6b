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
const groups = new WeakMap<Db, GroupCommit>();

/**
 * Runs a short write transaction: the respondent's autosave and completion.
 *
 * On SQLite every commit is an fsync (synchronous=FULL), done on the one connection and in the event loop's thread,
 * so it capped completions at about 2,400 a second before any other work. Here, the writes that arrive while one
 * transaction runs wait, and then share the next transaction and its one fsync (group commit). The caller's promise
 * settles only after that transaction committed: nothing is acknowledged before it is on disk. When one write of a
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

/** How many transactions the group commit of this database ran, for how many writes (SQLite; zeros elsewhere). */
export function groupCommitCounts(db: Db): { transactions: number; writes: number } {
  const group = groups.get(db);
  return { transactions: group?.transactions ?? 0, writes: group?.writes ?? 0 };
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

interface PooledClient {
  acquireConnection(): Promise<SqliteConnection & { exec(sql: string): void }>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

class GroupCommit {
  private queue: Job[] = [];
  private draining = false;
  transactions = 0;
  writes = 0;

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
      const group = this.queue.splice(0, MAX_BATCH);
      try {
        await this.commit(group);
      } catch (err) {
        for (const job of group) job.reject(err); // no connection: nothing was written
      }
    }
    this.draining = false;
  }

  /** On the pool's one connection, which knex hands to nobody else meanwhile. */
  private async commit(group: Job[]): Promise<void> {
    const client = this.db.client as unknown as PooledClient;
    const connection = await client.acquireConnection();
    try {
      if (group.length > 1) {
        const results = await this.transaction(connection, group).catch(() => undefined);
        if (results) {
          group.forEach((job, i) => job.resolve(results[i]));
          return;
        }
        // rolled back as a whole: below, each write runs alone and gets its own result or error
      }
      for (const job of group) {
        await this.transaction(connection, [job]).then(([result]) => job.resolve(result), (err) => job.reject(err));
      }
    } finally {
      await client.releaseConnection(connection);
    }
  }

  /** BEGIN IMMEDIATE takes the write lock at once (another process waits for it up to busy_timeout). */
  private async transaction(connection: SqliteConnection & { exec(sql: string): void }, jobs: Job[]): Promise<unknown[]> {
    connection.exec('BEGIN IMMEDIATE');
    this.transactions++;
    try {
      const writer = sqliteWriter(connection);
      const results: unknown[] = [];
      for (const job of jobs) results.push(await job.work(writer));
      connection.exec('COMMIT');
      this.writes += jobs.length;
      return results;
    } catch (err) {
      if (connection.inTransaction) connection.exec('ROLLBACK'); // SQLite may have rolled back by itself (disk full)
      throw err;
    }
  }
}
