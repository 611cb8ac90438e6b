import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { Db, migrateToLatest, openDatabase } from '../../server/shared/data/connection';
import { TEST_TOKEN_SECRET } from './test-token-secret';

/** The key that derives personal tokens in the tests (set for every suite by token-secret.setup.ts) and in every
 * child process they start (env below). */
export { TEST_TOKEN_SECRET };

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  db: Db;
  /** settings another process or connection can use to reach the same database */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** The databases every database suite runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function databaseKinds(): Array<'sqlite' | 'postgres'> {
  return process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** A freshly migrated, empty database of the given kind: an SQLite file in a temp folder, or a PostgreSQL schema. */
export async function freshDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-test-'));
    const sqliteFile = path.join(dir, 'test.sqlite');
    const db = openDatabase({ sqliteFile });
    await migrateToLatest(db);
    return {
      kind,
      db,
      env: { SQLITE_FILE: sqliteFile, DATABASE_URL: '', TOKEN_SECRET: TEST_TOKEN_SECRET },
      drop: async () => {
        await db.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = process.env.TEST_DATABASE_URL as string;
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  await admin.raw('create schema ??', [schema]);
  const db = openDatabase({ databaseUrl: url, searchPath: schema, poolMax: 10 });
  await migrateToLatest(db);
  return {
    kind,
    db,
    env: { DATABASE_URL: url, DATABASE_SCHEMA: schema, TOKEN_SECRET: TEST_TOKEN_SECRET },
    drop: async () => {
      await db.destroy();
      await admin.raw('drop schema ?? cascade', [schema]);
      await admin.destroy();
    },
  };
}
