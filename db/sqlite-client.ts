import type { Knex } from 'knex';

/**
 * knex's better-sqlite3 client prepares every statement anew: in a profile of the completion route that was 8% of the
 * server's time. This client keeps each connection's prepared statements by their SQL text, which is all knex's
 * `_query` needs; SQLite re-prepares a cached statement by itself after a schema change.
 *
 * It also keeps the real error of a failed transaction. After SQLITE_FULL, SQLITE_IOERR and some others SQLite rolls
 * the transaction back by itself; knex's ROLLBACK then fails ("no transaction is active") and knex would report that
 * instead of the full disk. A ROLLBACK on a connection with no open transaction is therefore a no-op here.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- knex's private dialect module: no types, no ES export (guarded by test/shared/library-internals.test.ts)
const BetterSqlite3Client: new (config: Knex.Config) => object = require('knex/lib/dialects/better-sqlite3');

export interface Statement {
  reader: boolean;
  all(bindings: unknown[]): unknown[];
  run(bindings: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
export interface SqliteConnection {
  inTransaction: boolean;
  prepare(sql: string): Statement;
  statementCache?: Map<string, Statement>;
}
interface QueryObject {
  sql: string;
  bindings?: unknown[];
  options?: { safeIntegers?: boolean };
  response?: unknown;
  context?: { lastID: number | bigint; changes: number };
}

/** Enough for every query the application builds; savepoints (named per transaction) are never kept. */
const CACHE_SIZE = 1000;
const ONE_OFF = /^\s*(savepoint|release|rollback to)\b/i;
const ROLLBACK = /^\s*rollback\b/i;

/** The connection's prepared statement for this SQL, prepared on first use. */
export function preparedStatement(connection: SqliteConnection, sql: string): Statement {
  const cache = (connection.statementCache ??= new Map());
  let statement = cache.get(sql);
  if (!statement) {
    statement = connection.prepare(sql);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(sql, statement);
  }
  return statement;
}

/** Values as SQLite takes them (knex's better-sqlite3 client does the same): dates as milliseconds, booleans as 0/1. */
export function sqliteBindings(bindings: unknown[] | undefined): unknown[] {
  return (bindings ?? []).map((b) => (b instanceof Date ? b.valueOf() : typeof b === 'boolean' ? Number(b) : b));
}

export class CachingBetterSqlite3Client extends BetterSqlite3Client {
  async _query(connection: SqliteConnection, obj: QueryObject): Promise<QueryObject> {
    if (!obj.sql) throw new Error('The query is empty');
    if (!connection) throw new Error('No connection provided');
    if (ROLLBACK.test(obj.sql) && !connection.inTransaction) return obj; // SQLite rolled it back already
    if (typeof obj.options?.safeIntegers === 'boolean' || ONE_OFF.test(obj.sql)) {
      return (
        BetterSqlite3Client.prototype as { _query(c: SqliteConnection, o: QueryObject): Promise<QueryObject> }
      )._query.call(this, connection, obj);
    }
    const statement = preparedStatement(connection, obj.sql);
    const bindings = sqliteBindings(obj.bindings);
    if (statement.reader) {
      obj.response = statement.all(bindings);
      return obj;
    }
    const response = statement.run(bindings);
    obj.response = response;
    obj.context = { lastID: response.lastInsertRowid, changes: response.changes };
    return obj;
  }
}
