import type { Db } from '../../shared/data/connection';

export interface QuestionnaireVersionRow {
  id: string;
  key: string;
  version: string;
  sha256: string;
  edition: number | null;
  population: string;
  title_nl: string;
  title_en: string;
  definition: string;
  registered_at: string;
}

export async function findQuestionnaireVersion(db: Db, id: string): Promise<QuestionnaireVersionRow | undefined> {
  return db<QuestionnaireVersionRow>('questionnaire_versions').where({ id }).first();
}

/** Inserts the version unless a row with its id exists (another process may register it at the same moment). */
export async function insertQuestionnaireVersion(db: Db, row: QuestionnaireVersionRow): Promise<void> {
  await db('questionnaire_versions').insert(row).onConflict('id').ignore();
}

export async function listQuestionnaireVersions(db: Db): Promise<QuestionnaireVersionRow[]> {
  return db<QuestionnaireVersionRow>('questionnaire_versions').orderBy('id');
}
