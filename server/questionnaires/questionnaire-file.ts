import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface LocalizedText {
  nl: string;
  en: string;
}

/** One version of a questionnaire, as stored in questionnaires/<key>/<version>.json */
export interface QuestionnaireFile {
  key: string;
  version: string;
  edition: number | string;
  population: string;
  title: LocalizedText;
  survey: Record<string, unknown>;
}

export interface LoadedQuestionnaire extends QuestionnaireFile {
  /** key@version */
  id: string;
  sha256: string;
  file: string;
}

const KEY = /^[a-z0-9][a-z0-9-]{0,99}$/;
const VERSION_FILE = /^(\d[0-9A-Za-z.-]{0,49})\.json$/;

export class QuestionnaireFileError extends Error {}

function check(cond: unknown, file: string, what: string): asserts cond {
  if (!cond) throw new QuestionnaireFileError(`${file}: ${what}`);
}

export function parseQuestionnaireFile(file: string, bytes: Buffer): LoadedQuestionnaire {
  const key = path.basename(path.dirname(file));
  const version = VERSION_FILE.exec(path.basename(file))?.[1];
  check(KEY.test(key), file, `folder name "${key}" is not a valid questionnaire key ([a-z0-9-])`);
  check(version, file, 'file name must be <version>.json, the version starting with a digit');
  let json: QuestionnaireFile;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new QuestionnaireFileError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  check(json && typeof json === 'object', file, 'must hold a JSON object');
  check(json.key === key, file, `"key" must be "${key}" (the folder name), found "${json.key}"`);
  check(json.version === version, file, `"version" must be "${version}" (the file name), found "${json.version}"`);
  check(
    json.title && typeof json.title.nl === 'string' && typeof json.title.en === 'string',
    file,
    '"title" needs nl and en',
  );
  check(typeof json.population === 'string' && json.population, file, '"population" is required');
  check(
    json.survey && typeof json.survey === 'object' && !Array.isArray(json.survey),
    file,
    '"survey" must be a SurveyJS definition (a JSON object)',
  );
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  return { ...json, id: `${key}@${version}`, sha256, file };
}

/** Every version file below dir: questionnaires/<key>/<version>.json (other files, such as variable maps, are skipped). */
export function loadQuestionnaireFiles(dir: string): LoadedQuestionnaire[] {
  const out: LoadedQuestionnaire[] = [];
  for (const key of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!key.isDirectory()) continue;
    for (const name of fs.readdirSync(path.join(dir, key.name)).sort()) {
      if (!VERSION_FILE.test(name)) continue;
      const file = path.join(dir, key.name, name);
      out.push(parseQuestionnaireFile(file, fs.readFileSync(file)));
    }
  }
  return out;
}
