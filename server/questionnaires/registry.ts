import path from 'node:path';
import { QuestionnaireFileError, loadQuestionnaireFiles, LoadedQuestionnaire } from './questionnaire-file';
import { readSurveyModel, SurveyModel } from './questionnaire-model';
import { createValidator, type QuestionnaireValidator } from './questionnaire-validator';
import { loadSampleAttributes, SampleAttributeDeclaration } from './sample-attributes';
import { checkSurveyDefinition, type DefinitionCheck, type DefinitionSummary } from './survey-definition';
import type { VerdictPool } from './verdict-pool';
import { ConflictError } from '../shared/errors';
import type { VariableMap } from '../exports/files/variable-map';

export class ImmutableVersionError extends ConflictError {
  constructor(
    readonly file: string,
    readonly registeredSha: string,
    readonly fileSha: string,
  ) {
    super(
      `Questionnaire file ${file} differs from the version registered earlier ` +
        `(registered SHA-256 ${registeredSha}, file now ${fileSha}). ` +
        'A published version is immutable: restore the file and put the change in a new version file.',
    );
  }
}

export interface RegisteredQuestionnaire extends LoadedQuestionnaire {
  validator: QuestionnaireValidator;
  /** the one questionnaire model of the version: questions, variables, visibility chains (validation, exports, synth) */
  model: SurveyModel;
  /** the sample attributes a wave of this questionnaire may keep with the answers (declared per key) */
  sampleAttributes: SampleAttributeDeclaration;
  /**
   * The key's variable map with this version added by the statuses an administrator confirmed (uploaded versions,
   * set by questionnaires/version-uploads.ts from the database); the exports use it while the map file lacks it.
   */
  confirmedMap?: VariableMap;
}

/** The summary of an accepted definition, read from its questionnaire model. */
export function summarize(model: SurveyModel): DefinitionSummary {
  const types: Record<string, number> = {};
  for (const q of model.questions) types[q.type] = (types[q.type] ?? 0) + 1;
  return {
    pages: model.pages.length,
    questions: model.questions.filter((q) => q.type !== 'expression').length,
    displayOnly: model.displayOnly,
    variables: model.variables.length,
    routing: model.routing,
    types,
  };
}

/**
 * The check of a definition before it is registered: accepted (with its summary) or refused (each issue with its
 * JSON path and reason). The same check runs at start, on `questionnaire check` and for an uploaded version.
 */
export function checkDefinition(survey: unknown): DefinitionCheck {
  const check = checkSurveyDefinition(survey);
  if (!check.ok) return check;
  try {
    return { ...check, summary: summarize(readSurveyModel(survey as object)) };
  } catch (err) {
    return {
      ok: false,
      issues: [{ path: '$', reason: `the export model cannot be read: ${(err as Error).message}` }],
      summary: null,
    };
  }
}

/** One registered version: its definition checked, its model read and its validator made, once. */
export function registerQuestionnaire(
  q: LoadedQuestionnaire,
  sampleAttributes: SampleAttributeDeclaration = new Map(),
  pool?: VerdictPool,
): RegisteredQuestionnaire {
  const check = checkSurveyDefinition(q.survey);
  if (!check.ok)
    throw new QuestionnaireFileError(
      `${q.file}: the SurveyJS definition is refused:\n` +
        check.issues.map((i) => `  survey.${i.path}: ${i.reason}`).join('\n'),
    );
  return { ...q, validator: createValidator(q.id, q.survey, pool), model: readSurveyModel(q.survey), sampleAttributes };
}

/** The questionnaire versions this process serves, each checked, modelled and given its validator once at start. */
export class QuestionnaireRegistry {
  private readonly byId = new Map<string, RegisteredQuestionnaire>();

  constructor(
    files: LoadedQuestionnaire[],
    private readonly sampleAttributes: ReadonlyMap<string, SampleAttributeDeclaration> = new Map(),
    private readonly pool?: VerdictPool,
    /** the folder of the version files: an uploaded version is placed where its file would be (variable map, declarations) */
    readonly dir?: string,
  ) {
    for (const q of files) this.add(q);
  }

  static fromDirectory(dir: string, pool?: VerdictPool): QuestionnaireRegistry {
    const files = loadQuestionnaireFiles(dir);
    const declarations = new Map<string, SampleAttributeDeclaration>();
    for (const key of new Set(files.map((f) => f.key)))
      declarations.set(key, loadSampleAttributes(path.join(dir, key), key));
    return new QuestionnaireRegistry(files, declarations, pool, dir);
  }

  /** Checks, models and serves one more version (an uploaded one, read from the database); throws when refused. */
  add(q: LoadedQuestionnaire): RegisteredQuestionnaire {
    const known = this.byId.get(q.id);
    if (known) return known;
    const registered = this.compile(q);
    this.byId.set(q.id, registered);
    return registered;
  }

  /** A version as the registry would serve it, without serving it (the check of an upload). */
  compile(q: LoadedQuestionnaire): RegisteredQuestionnaire {
    const declared =
      this.sampleAttributes.get(q.key) ??
      (this.dir ? loadSampleAttributes(path.join(this.dir, q.key), q.key) : new Map());
    return registerQuestionnaire(q, declared, this.pool);
  }

  get(id: string): RegisteredQuestionnaire | undefined {
    return this.byId.get(id);
  }

  list(): RegisteredQuestionnaire[] {
    return [...this.byId.values()];
  }
}
