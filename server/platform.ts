import type { Config } from './config';
import { Db, migrateToLatest, openDatabase } from './db/connection';
import { QuestionnaireRegistry } from './questionnaires/registry';

export interface Platform {
  config: Config;
  db: Db;
  registry: QuestionnaireRegistry;
  close(): Promise<void>;
}

/** Opens the database, runs the migrations and registers every questionnaire version (refusing changed ones). */
export async function openPlatform(config: Config): Promise<Platform> {
  const registry = QuestionnaireRegistry.fromDirectory(config.questionnairesDir);
  const db = openDatabase({ databaseUrl: config.databaseUrl, sqliteFile: config.sqliteFile, searchPath: config.databaseSchema });
  try {
    await migrateToLatest(db);
    await registry.register(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return { config, db, registry, close: () => db.destroy() };
}
