// A worker thread of the verdict pool (verdict-pool.ts): keeps one survey-core Model per definition it was sent and
// answers each job with survey-core's verdict (survey-verdict.ts).
import { parentPort } from 'node:worker_threads';
import 'survey-core/i18n/dutch';
import { VerdictEngine, type ValidationResult } from './survey-verdict';
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

const engines = new Map<string, VerdictEngine>();

// survey-core warns on the console for every value it will not hold ("An attempt to assign an incorrect value");
// here such values are the strict checks' business and are answered in the verdict, so the warnings are noise
console.warn = () => undefined;

parentPort?.on('message', (msg: VerdictJob) => {
  let result: ValidationResult;
  try {
    if (msg.json) engines.set(msg.definition, new VerdictEngine(msg.json));
    const engine = engines.get(msg.definition);
    if (!engine) throw new Error(`definition ${msg.definition} was never sent`);
    result = engine.verdict(msg.body, msg.locale, msg.complete);
  } catch {
    result = { ok: false, errors: [{ name: '', message: message('internal', msg.locale === 'en' ? 'en' : 'nl') }] };
  }
  parentPort!.postMessage({ job: msg.job, result } satisfies VerdictReply);
});

parentPort?.postMessage('ready');
