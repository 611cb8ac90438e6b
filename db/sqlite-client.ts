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
// eslint-disable-next-line @typescript-eslint/no-require-imports
const BetterSqlite3Client: new (config: Knex.Config) => object = require('knex/lib/dialects/better-sqlite3');

interface Statement {
  reader: boolean;
  all(bindings: unknown[]): unknown[];
  run(bindings: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
interface Connection {
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

export class CachingBetterSqlite3Client extends BetterSqlite3Client {
  async _query(connection: Connection, obj: QueryObject): Promise<QueryObject> {
    if (!obj.sql) throw new Error('The query is empty');
    if (!connection) throw new Error('No connection provided');
    if (ROLLBACK.test(obj.sql) && !connection.inTransaction) return obj; // SQLite rolled it back already
    if (typeof obj.options?.safeIntegers === 'boolean' || ONE_OFF.test(obj.sql)) {
      return (BetterSqlite3Client.prototype as { _query(c: Connection, o: QueryObject): Promise<QueryObject> })._query.call(this, connection, obj);
    }
    const cache = (connection.statementCache ??= new Map());
    let statement = cache.get(obj.sql);
    if (!statement) {
      statement = connection.prepare(obj.sql);
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(obj.sql, statement);
    }
    const bindings = (this as unknown as { _formatBindings(b?: unknown[]): unknown[] })._formatBindings(obj.bindings);
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
