import type { Knex } from 'knex';
import * as initial from './001_initial';

interface Migration { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> }

/** Migrations are listed here (not found by file name), so the same list runs from source and from the build. */
const migrations: Array<[string, Migration]> = [['001_initial', initial]];

export const migrationSource: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => migrations,
  getMigrationName: (m) => m[0],
  getMigration: async (m) => m[1],
};
