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
  /** uploaded versions: the version file's exact text (its SHA-256 is sha256); null for versions from files */
  source?: string | null;
  origin?: 'file' | 'upload';
  uploaded_by?: string | null;
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

/** Every version's origin, without the (large) definitions. */
export async function listVersionOrigins(
  db: Db,
): Promise<Array<Pick<QuestionnaireVersionRow, 'id' | 'origin' | 'uploaded_by'>>> {
  return db<QuestionnaireVersionRow>('questionnaire_versions').select('id', 'origin', 'uploaded_by');
}

/** The ids of the stored versions that came from an upload (the registry loads those it does not hold yet). */
export async function listUploadedVersionIds(db: Db): Promise<string[]> {
  const rows = await db<QuestionnaireVersionRow>('questionnaire_versions').where({ origin: 'upload' }).select('id');
  return rows.map((r) => r.id);
}

export interface VariableStatusesRow {
  version_id: string;
  previous_id: string | null;
  statuses: string;
  confirmed_by: string;
  confirmed_at: string;
}

export async function findVariableStatuses(db: Db, versionId: string): Promise<VariableStatusesRow | undefined> {
  return db<VariableStatusesRow>('questionnaire_variable_statuses').where({ version_id: versionId }).first();
}

/** Stores the confirmed statuses of a version, replacing an earlier confirmation. */
export async function saveVariableStatuses(db: Db, row: VariableStatusesRow): Promise<void> {
  await db('questionnaire_variable_statuses')
    .insert(row)
    .onConflict('version_id')
    .merge(['previous_id', 'statuses', 'confirmed_by', 'confirmed_at']);
}

/** When each version's statuses were last confirmed (a process recomputes its maps when this changes). */
export async function listVariableStatusTimes(db: Db): Promise<Array<{ version_id: string; confirmed_at: string }>> {
  return db<VariableStatusesRow>('questionnaire_variable_statuses').select('version_id', 'confirmed_at');
}
