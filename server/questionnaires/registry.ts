import { compileValidator, AnswerValidator } from './answer-validator';
import path from 'node:path';
import { loadQuestionnaireFiles, LoadedQuestionnaire } from './questionnaire-file';
import { readSurveyModel, SurveyModel } from './questionnaire-model';
import { loadSampleAttributes, SampleAttributeDeclaration } from './sample-attributes';
import { ConflictError } from '../shared/errors';
import type { VariableMap } from '../exports/files/variable-map';

export class ImmutableVersionError extends ConflictError {
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
  /** questions, variables and visibility chains, read once from the definition (exports, tables, codebooks) */
  model: SurveyModel;
  /** the sample attributes a wave of this questionnaire may keep with the answers (declared per key) */
  sampleAttributes: SampleAttributeDeclaration;
  /**
   * The key's variable map with this version added by the statuses an administrator confirmed (uploaded versions,
   * set by questionnaires/version-uploads.ts from the database); the exports use it while the map file lacks it.
   */
  confirmedMap?: VariableMap;
}

/** The questionnaire versions this process serves, each with its validator compiled once at start. */
export class QuestionnaireRegistry {
  private readonly byId = new Map<string, RegisteredQuestionnaire>();

  constructor(
    files: LoadedQuestionnaire[],
    private readonly sampleAttributes: ReadonlyMap<string, SampleAttributeDeclaration> = new Map(),
    /** the folder of the version files: an uploaded version is placed where its file would be (variable map, declarations) */
    readonly dir?: string,
  ) {
    for (const q of files) this.add(q);
  }

  static fromDirectory(dir: string): QuestionnaireRegistry {
    const files = loadQuestionnaireFiles(dir);
    const declarations = new Map<string, SampleAttributeDeclaration>();
    for (const key of new Set(files.map((f) => f.key))) declarations.set(key, loadSampleAttributes(path.join(dir, key), key));
    return new QuestionnaireRegistry(files, declarations, dir);
  }

  /** Compiles and serves one more version (an uploaded one, read from the database); throws when it cannot be compiled. */
  add(q: LoadedQuestionnaire): RegisteredQuestionnaire {
    const known = this.byId.get(q.id);
    if (known) return known;
    const registered = this.compile(q);
    this.byId.set(q.id, registered);
    return registered;
  }

  /** A version compiled as the registry would serve it, without serving it (the check of an upload). */
  compile(q: LoadedQuestionnaire): RegisteredQuestionnaire {
    const declared = this.sampleAttributes.get(q.key) ?? (this.dir ? loadSampleAttributes(path.join(this.dir, q.key), q.key) : new Map());
    return { ...q, validator: compileValidator(q.survey), model: readSurveyModel(q.survey), sampleAttributes: declared };
  }

  get(id: string): RegisteredQuestionnaire | undefined {
    return this.byId.get(id);
  }

  list(): RegisteredQuestionnaire[] {
    return [...this.byId.values()];
  }
}
