import knexFactory, { Knex } from 'knex';
import { buildKnexConfig, DatabaseSettings } from '../../../db/knex-config';

export type Db = Knex;

export function openDatabase(settings: DatabaseSettings): Db {
  return knexFactory(buildKnexConfig(settings));
}

export async function migrateToLatest(db: Db): Promise<void> {
  await db.migrate.latest();
}

/**
 * The largest id of a column made with knex's increments(): a 32-bit `serial` on PostgreSQL, which refuses a larger
 * number in a query with an error instead of matching nothing. Ids from a request are checked against it first.
 */
export const MAX_SERIAL_ID = 2_147_483_647;

export function isPostgres(db: Db): boolean {
  return db.client.config.client === 'pg';
}

/** true when the error is a unique-constraint violation, on SQLite or PostgreSQL */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
