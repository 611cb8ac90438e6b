import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './shared/config';
import { Db, migrateToLatest, openDatabase } from './shared/data/connection';
import { Checkpointer, startCheckpointer } from './shared/data/sqlite-checkpointer';
import { QuestionnaireRegistry } from './questionnaires/registry';
import { sealLegacyProgress } from './respondent/respondent';
import { setTokenSecret } from './respondent/personal-tokens';
import { registerVersions } from './questionnaires/version-registration';

export interface Platform {
  config: Config;
  db: Db;
  registry: QuestionnaireRegistry;
  close(): Promise<void>;
}

/** Opens the database, runs the migrations and registers every questionnaire version (refusing changed ones). */
export async function openPlatform(config: Config): Promise<Platform> {
  setTokenSecret(config.tokenSecret ?? sqliteTokenSecret(config.sqliteFile));
  const registry = QuestionnaireRegistry.fromDirectory(config.questionnairesDir);
  const sqlite = !config.databaseUrl;
  const db = openDatabase({
    databaseUrl: config.databaseUrl,
    sqliteFile: config.sqliteFile,
    searchPath: config.databaseSchema,
    backgroundCheckpoints: sqlite,
  });
  let checkpointer: Checkpointer | undefined;
  try {
    await migrateToLatest(db);
    await registerVersions(db, registry);
    await sealLegacyProgress(db);
    if (sqlite) checkpointer = startCheckpointer(config.sqliteFile, (line) => console.error(line));
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return {
    config,
    db,
    registry,
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/**
 * Without TOKEN_SECRET (allowed on SQLite only) the key that derives the personal tokens is kept in a file beside the
 * database file, readable by its owner only, so the demo needs no configuration. Back it up apart from the database:
 * without it, links in mails queued or sent earlier can no longer be rebuilt for reminders.
 */
function sqliteTokenSecret(sqliteFile: string): string {
  const file = path.join(path.dirname(sqliteFile), `${path.basename(sqliteFile)}.token-secret`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, crypto.randomBytes(48).toString('base64url') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return fs.readFileSync(file, 'utf8').trim();
}
