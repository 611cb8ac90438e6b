/**
 * A questionnaire version brought by an administrator (web upload or `questionnaire add`): checked like a version
 * file, with limits against hostile input (size, nesting, encoding), and turned into the exact text of the version
 * file it stands for. That text is what is hashed and stored, so an uploaded version and the same file committed to
 * questionnaires/<key>/<version>.json have the same SHA-256 and behave the same.
 *
 * Accepted: a whole version file ({ key, version, edition, population, title, survey }), or a bare SurveyJS
 * definition as SurveyJS Creator saves it ({ pages: […] }), for which the envelope comes from the form fields.
 */
import crypto from 'node:crypto';
import { InvalidError } from '../shared/errors';
import { checkDefinition } from './registry';
import {
  LoadedQuestionnaire,
  LocalizedText,
  parseQuestionnaireFile,
  QuestionnaireFile,
  QuestionnaireFileError,
} from './questionnaire-file';
import { readSurveyModel } from './questionnaire-model';

export const MAX_QUESTIONNAIRE_BYTES = 2 * 1024 * 1024;
export const MAX_JSON_DEPTH = 64;
export const KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,99}$/;
export const VERSION_PATTERN = /^\d[0-9A-Za-z.-]{0,49}$/;

export interface UploadFields {
  key: string;
  version: string;
  /** for a bare SurveyJS definition; a whole version file brings its own */
  titleNl?: string;
  titleEn?: string;
  population?: string;
  edition?: string;
}

/** A refused upload: the message says what to change; `problems` lists every finding (JSON path and reason). */
export class UploadRefusedError extends InvalidError {
  constructor(
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message, { problems });
  }
}

/** The upload exceeds MAX_QUESTIONNAIRE_BYTES (the router answers 413). */
export class UploadTooLargeError extends UploadRefusedError {}

export interface CheckedUpload {
  questionnaire: LoadedQuestionnaire;
  /** the version file's text, as stored and hashed */
  source: string;
  /** true when the upload was a bare SurveyJS definition and the envelope came from the fields */
  wrapped: boolean;
}

export interface CheckReport {
  pages: number;
  questions: number;
  variables: number;
  /** questions, panels and pages with a visibleIf */
  routed: number;
  types: Record<string, number>;
  /** texts without an English (or Dutch) version: allowed, but the respondent then sees the other language */
  untranslated: string[];
}

const refuse = (message: string, problems?: string[]): never => {
  throw new UploadRefusedError(message, problems);
};

/** Deepest nesting of arrays and objects, counted without parsing (a deep file must not reach a recursive walker). */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

function decode(bytes: Buffer): string {
  if (bytes.length === 0) refuse('The file is empty: choose a questionnaire definition (.json)');
  if (bytes.length > MAX_QUESTIONNAIRE_BYTES)
    throw new UploadTooLargeError(`The file is larger than ${MAX_QUESTIONNAIRE_BYTES / (1024 * 1024)} MB`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse('The file is not UTF-8 text: save it from SurveyJS Creator or the editor as JSON (UTF-8)');
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const clean = (s: string | undefined) => (s ?? '').trim();
const CONTROL = /[\u0000-\u001f\u007f]/;

const CONTAINERS: Record<string, 'object' | 'item'> = {
  pages: 'object',
  elements: 'object',
  questions: 'object',
  templateElements: 'object',
  choices: 'item',
  rows: 'item',
  columns: 'item',
  rateValues: 'item',
};

/** Lists of pages and questions hold objects, lists of choices objects or plain values: else the path and what to do. */
function shapeProblems(survey: unknown): string[] {
  const problems: string[] = [];
  const walk = (node: unknown, path: string) => {
    if (problems.length >= 20) return;
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const kind = CONTAINERS[key];
      if (kind && value !== undefined && !Array.isArray(value)) problems.push(`${path}.${key}: must be a list`);
      else if (kind && Array.isArray(value))
        value.forEach((item, i) => {
          const ok =
            kind === 'object'
              ? isObject(item)
              : isObject(item) || ['string', 'number', 'boolean'].includes(typeof item);
          if (!ok)
            problems.push(`${path}.${key}[${i}]: must be ${kind === 'object' ? 'an object' : 'an object or a value'}`);
        });
      walk(value, `${path}.${key}`);
    }
  };
  walk(survey, 'survey');
  return problems.slice(0, 20);
}

/** Checks an uploaded definition and returns the version it stands for; throws UploadRefusedError with the reasons. */
export function checkUpload(bytes: Buffer, fields: UploadFields): CheckedUpload {
  const key = clean(fields.key);
  const version = clean(fields.version);
  const problems: string[] = [];
  if (!KEY_PATTERN.test(key))
    problems.push(`key "${key.slice(0, 40)}": lower-case letters, digits and "-", starting with a letter or digit`);
  if (!VERSION_PATTERN.test(version))
    problems.push(
      `version "${version.slice(0, 40)}": starts with a digit, then digits, letters, "." or "-" (e.g. 2026.1)`,
    );
  if (problems.length) refuse('The key or version is not valid', problems);

  const text = decode(bytes);
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
    refuse(`The JSON is nested deeper than ${MAX_JSON_DEPTH} levels: this is not a questionnaire definition`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return refuse(`The file is not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(json)) return refuse('The file must hold a JSON object: a SurveyJS definition or a version file');

  let file: QuestionnaireFile;
  let source: string;
  const wrapped = !('survey' in json);
  if (!wrapped) {
    file = json as unknown as QuestionnaireFile;
    if (file.key !== key) problems.push(`"key" in the file is "${String(file.key).slice(0, 40)}", not "${key}"`);
    if (file.version !== version)
      problems.push(`"version" in the file is "${String(file.version).slice(0, 40)}", not "${version}"`);
    source = text;
  } else {
    const title: LocalizedText = { nl: clean(fields.titleNl), en: clean(fields.titleEn) };
    const surveyTitle = isObject(json.title) ? json.title : typeof json.title === 'string' ? { nl: json.title } : {};
    title.nl ||=
      typeof surveyTitle.nl === 'string'
        ? surveyTitle.nl
        : typeof surveyTitle.default === 'string'
          ? surveyTitle.default
          : '';
    title.en ||= typeof surveyTitle.en === 'string' ? surveyTitle.en : '';
    const edition = clean(fields.edition) || version.split('.')[0];
    file = {
      key,
      version,
      edition: /^\d{1,9}$/.test(edition) ? Number(edition) : edition,
      population: clean(fields.population) || key,
      title,
      survey: json,
    };
    source = JSON.stringify(file, null, 2) + '\n';
  }
  const title = file.title as Partial<LocalizedText> | undefined;
  for (const lang of ['nl', 'en'] as const) {
    const t = title?.[lang];
    if (typeof t !== 'string' || !t.trim() || t.length > 500 || CONTROL.test(t))
      problems.push(`title (${lang}): required, one line, at most 500 characters`);
  }
  if (typeof file.population !== 'string' || !/^[a-z0-9][a-z0-9-]{0,99}$/.test(file.population))
    problems.push('population: lower-case letters, digits and "-" (e.g. ambtenaren)');
  if (typeof file.edition !== 'number' && (typeof file.edition !== 'string' || !/^[\w.-]{1,50}$/.test(file.edition)))
    problems.push('edition: a year (e.g. 2026) or a short word');
  const survey = file.survey;
  if (!isObject(survey)) problems.push('survey: a SurveyJS definition (a JSON object)');
  if (problems.length) refuse('The questionnaire was not accepted', problems);
  problems.push(...shapeProblems(survey));
  if (problems.length) refuse('The questionnaire was not accepted', problems);
  // the rules of a version file, exactly as at start (questionnaire-file.ts): an upload and a file behave the same
  const name = `${key}/${version}.json`;
  let questionnaire: LoadedQuestionnaire;
  try {
    questionnaire = parseQuestionnaireFile(name, Buffer.from(source, 'utf8'));
  } catch (err) {
    if (!(err instanceof QuestionnaireFileError)) throw err;
    return refuse('The questionnaire was not accepted', [err.message.replace(`${name}: `, '')]);
  }
  // the check of every version, as at start and on `questionnaire check` (JSON paths and reasons)
  const definition = checkDefinition(survey);
  if (!definition.ok) problems.push(...definition.issues.map((i) => `survey.${i.path}: ${i.reason}`));
  else if (readSurveyModel(survey as Record<string, unknown>).questions.length === 0)
    problems.push('survey: not one question with a name');
  if (problems.length) refuse('The questionnaire was not accepted', problems);
  return { questionnaire, source, wrapped };
}

/** Reads a stored upload back (another process stored it): the text must still have its SHA-256. */
export function questionnaireFromSource(source: string, sha256: string, file: string): LoadedQuestionnaire {
  const actual = crypto.createHash('sha256').update(source, 'utf8').digest('hex');
  if (actual !== sha256) throw new Error(`${file}: the stored text has SHA-256 ${actual}, registered ${sha256}`);
  const json = JSON.parse(source) as QuestionnaireFile;
  return { ...json, id: `${json.key}@${json.version}`, sha256, file };
}

/** What the check found, for the report the administrator sees. */
export function checkReport(survey: Record<string, unknown>): CheckReport {
  const model = readSurveyModel(survey);
  const types: Record<string, number> = {};
  let routed = 0;
  const untranslated: string[] = [];
  const walk = (node: unknown, path: string) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
    if (!isObject(node)) return;
    if (typeof node.visibleIf === 'string' && node.visibleIf.trim()) routed++;
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'title' || k === 'text' || k === 'description') && (typeof v === 'string' || isObject(v))) {
        const o = typeof v === 'string' ? {} : v;
        if (typeof o.en !== 'string' || (typeof o.nl !== 'string' && typeof o.default !== 'string'))
          if (untranslated.length < 50) untranslated.push(`${path}.${k}`);
      } else walk(v, `${path}.${k}`);
    }
  };
  walk(survey, '$');
  for (const q of model.questions) types[q.type] = (types[q.type] ?? 0) + 1;
  const variables = model.questions.reduce(
    (n, q) => n + (q.type === 'matrix' ? q.rows.length : q.type === 'checkbox' ? q.choices.length : 1),
    0,
  );
  return {
    pages: Array.isArray(survey.pages) ? survey.pages.length : 0,
    questions: model.questions.length,
    variables,
    routed,
    types,
    untranslated,
  };
}
