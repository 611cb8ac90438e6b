import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { migrationSource } from './migrations';
import { CachingBetterSqlite3Client } from './sqlite-client';

export interface DatabaseSettings {
  /** postgres://… ; undefined = SQLite */
  databaseUrl?: string;
  sqliteFile?: string;
  poolMax?: number;
  /** PostgreSQL schema to use instead of public (the tests give each suite its own) */
  searchPath?: string;
  /** SQLite: a worker thread runs the WAL checkpoints (server/shared/data/sqlite-checkpointer.ts); the app's own start later */
  backgroundCheckpoints?: boolean;
}

/**
 * SQLite settings, chosen for durability (see README "Durability") and for anonymity at rest (SECURITY.md):
 * - WAL lets readers work while one writer commits;
 * - synchronous=FULL fsyncs the WAL at every commit, so an acknowledged answer survives power loss, not only a crash
 *   (the respondent's group commit syncs the WAL itself, off the event loop's thread: server/shared/data/group-commit.ts);
 * - busy_timeout makes a second process wait for the write lock instead of failing at once;
 * - foreign_keys is off by default in SQLite;
 * - secure_delete overwrites deleted rows and freed pages with zeros (by default SQLite only unlinks them, and a
 *   deleted in-progress row or contact record stays readable in the file's free space and in a `.backup`);
 * - the WAL is emptied by the checkpoint thread (server/shared/data/sqlite-checkpointer.ts) at every quiet moment and at least
 *   about once a second, so frames of earlier transactions (old page images, deleted rows among them) do not linger;
 * - temp_store = MEMORY keeps sorts and VACUUM's copy in memory instead of temporary files beside the database.
 */
export const SQLITE_PRAGMAS = [
  'journal_mode = WAL',
  'synchronous = FULL',
  'busy_timeout = 5000',
  'foreign_keys = ON',
  'secure_delete = ON',
  'temp_store = MEMORY',
];

interface PragmaConnection {
  pragma(source: string): unknown;
}

/** The one knex configuration, used by the app, the CLI, the tests and the migrations. */
export function buildKnexConfig(settings: DatabaseSettings): Knex.Config {
  const migrations = { migrationSource, tableName: 'knex_migrations' };
  // knex's error messages would otherwise carry the query's values (answers, e-mail addresses) into the logs
  const compileSqlOnError = false;
  if (settings.databaseUrl) {
    return {
      client: 'pg',
      connection: settings.databaseUrl,
      searchPath: settings.searchPath ? [settings.searchPath] : undefined,
      pool: { min: 0, max: settings.poolMax ?? 10 },
      migrations,
      compileSqlOnError,
    };
  }
  const filename = settings.sqliteFile ?? ':memory:';
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(filename), { recursive: true });
  return {
    client: CachingBetterSqlite3Client as unknown as typeof Knex.Client,
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: PragmaConnection, done: (err: Error | null, conn: unknown) => void) {
        try {
          for (const pragma of SQLITE_PRAGMAS) conn.pragma(pragma);
          // 10,000 pages (40 MB) instead of 1,000: only when the checkpoint thread has stopped or falls behind
          if (settings.backgroundCheckpoints) conn.pragma('wal_autocheckpoint = 10000');
          done(null, conn);
        } catch (err) {
          done(err as Error, conn);
        }
      },
    },
    migrations,
    compileSqlOnError,
  };
}
