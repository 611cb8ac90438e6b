import knexFactory, { Knex } from 'knex';
import { buildKnexConfig, DatabaseSettings } from '../../db/knex-config';

export type Db = Knex;

export function openDatabase(settings: DatabaseSettings): Db {
  return knexFactory(buildKnexConfig(settings));
}

export async function migrateToLatest(db: Db): Promise<void> {
  await db.migrate.latest();
}

export function isPostgres(db: Db): boolean {
  return db.client.config.client === 'pg';
}

/** true when the error is a unique-constraint violation, on SQLite or PostgreSQL */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
