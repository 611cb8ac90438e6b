// A worker thread of the verdict pool (verdict-pool.ts): keeps one survey-core Model per definition it was sent and
// answers each job with survey-core's verdict (survey-verdict.ts).
import { parentPort } from 'node:worker_threads';
import 'survey-core/i18n/dutch';
import { buildModel, surveyVerdict, type ValidationResult } from './survey-verdict';
import { message } from './validator-messages';
import type { Locale } from '../shared/locale';

export interface VerdictJob {
  job: number;
  definition: string;
  /** the definition, sent with the first job of a definition to this worker */
  json?: object;
  body: unknown;
  locale: Locale;
  complete: boolean;
}
export interface VerdictReply {
  job: number;
  result: ValidationResult;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const models = new Map<string, any>();

parentPort?.on('message', (msg: VerdictJob) => {
  let result: ValidationResult;
  try {
    if (msg.json) models.set(msg.definition, buildModel(msg.json));
    const model = models.get(msg.definition);
    if (!model) throw new Error(`definition ${msg.definition} was never sent`);
    result = surveyVerdict(model, msg.body, msg.locale, msg.complete);
  } catch {
    result = { ok: false, errors: [{ name: '', message: message('internal', msg.locale === 'en' ? 'en' : 'nl') }] };
  }
  parentPort!.postMessage({ job: msg.job, result } satisfies VerdictReply);
});
