import type { Db } from '../db/connection';
import { findQuestionnaireVersion, insertQuestionnaireVersion } from '../db/queries/questionnaire-versions';
import { compileValidator, AnswerValidator } from './answer-validator';
import path from 'node:path';
import { loadQuestionnaireFiles, LoadedQuestionnaire } from './questionnaire-file';
import { loadSampleAttributes, SampleAttributeDeclaration } from './sample-attributes';

export class ImmutableVersionError extends Error {
  constructor(readonly file: string, readonly registeredSha: string, readonly fileSha: string) {
    super(
      `Questionnaire file ${file} differs from the version registered earlier ` +
        `(registered SHA-256 ${registeredSha}, file now ${fileSha}). ` +
        'A published version is immutable: restore the file and put the change in a new version file.',
    );
  }
}

export interface RegisteredQuestionnaire extends LoadedQuestionnaire {
  validator: AnswerValidator;
  /** the sample attributes a wave of this questionnaire may keep with the answers (declared per key) */
  sampleAttributes: SampleAttributeDeclaration;
}

/** The questionnaire versions this process serves, each with its validator compiled once at start. */
export class QuestionnaireRegistry {
  private readonly byId = new Map<string, RegisteredQuestionnaire>();

  constructor(files: LoadedQuestionnaire[], sampleAttributes: ReadonlyMap<string, SampleAttributeDeclaration> = new Map()) {
    for (const q of files) this.byId.set(q.id, { ...q, validator: compileValidator(q.survey), sampleAttributes: sampleAttributes.get(q.key) ?? new Map() });
  }

  static fromDirectory(dir: string): QuestionnaireRegistry {
    const files = loadQuestionnaireFiles(dir);
    const declarations = new Map<string, SampleAttributeDeclaration>();
    for (const key of new Set(files.map((f) => f.key))) declarations.set(key, loadSampleAttributes(path.join(dir, key), key));
    return new QuestionnaireRegistry(files, declarations);
  }

  get(id: string): RegisteredQuestionnaire | undefined {
    return this.byId.get(id);
  }

  list(): RegisteredQuestionnaire[] {
    return [...this.byId.values()];
  }

  /**
   * Registers every version in the database; refuses (throws) when a registered version's file has changed.
   * Versions registered earlier whose file is gone stay registered: their responses still refer to them.
   */
  async register(db: Db): Promise<void> {
    for (const q of this.byId.values()) {
      const existing = await findQuestionnaireVersion(db, q.id);
      if (!existing) {
        await insertQuestionnaireVersion(db, {
          id: q.id,
          key: q.key,
          version: q.version,
          sha256: q.sha256,
          edition: Number.isFinite(Number(q.edition)) ? Number(q.edition) : null,
          population: q.population,
          title_nl: q.title.nl,
          title_en: q.title.en,
          definition: JSON.stringify(q.survey),
          registered_at: new Date().toISOString(),
        });
        continue;
      }
      if (existing.sha256 !== q.sha256) throw new ImmutableVersionError(q.file, existing.sha256, q.sha256);
    }
    // a second process may have inserted the same version a moment earlier: check its hash too
    for (const q of this.byId.values()) {
      const row = await findQuestionnaireVersion(db, q.id);
      if (row && row.sha256 !== q.sha256) throw new ImmutableVersionError(q.file, row.sha256, q.sha256);
    }
  }
}
