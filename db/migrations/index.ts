import type { Knex } from 'knex';
import * as initial from './001_initial';
import * as accounts from './002_accounts';
import * as mail from './003_mail';
import * as exportsMigration from './004_exports';
import * as userStatus from './005_user_status';
import * as populationTotals from './006_population_totals';
import * as linkMisses from './007_link_misses';
import * as sessionFlash from './008_session_flash';
import * as wavePages from './009_wave_pages';
import * as uploadedVersions from './010_uploaded_versions';
import * as linkGeneration from './011_link_generation';
import * as endedLinks from './012_ended_links';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
  config?: { transaction?: boolean };
}

/** Migrations are listed here (not found by file name), so the same list runs from source and from the build. */
const migrations: Array<[string, Migration]> = [
  ['001_initial', initial],
  ['002_accounts', accounts],
  ['003_mail', mail],
  ['004_exports', exportsMigration],
  ['005_user_status', userStatus],
  ['006_population_totals', populationTotals],
  ['007_link_misses', linkMisses],
  ['008_session_flash', sessionFlash],
  ['009_wave_pages', wavePages],
  ['010_uploaded_versions', uploadedVersions],
  ['011_link_generation', linkGeneration],
  ['012_ended_links', endedLinks],
];

export const migrationSource: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => migrations,
  getMigrationName: (m) => m[0],
  getMigration: async (m) => m[1],
};
