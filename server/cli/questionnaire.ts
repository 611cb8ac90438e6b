import fs from 'node:fs';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { usesOnlyCompiledFeatures } from '../questionnaires/compiled-subset';
import { createValidator } from '../questionnaires/questionnaire-validator';
import { checkDefinition } from '../questionnaires/registry';
import { VerdictPool } from '../questionnaires/verdict-pool';
import { asLocale } from '../shared/locale';
import { UsageError } from './usage-error';

/** A definition file: a bare SurveyJS definition (as SurveyJS Creator saves it) or a Veldwerk version file. */
function readDefinition(file: string | undefined): { survey: unknown; wrapped: boolean } {
  if (!file) throw new UsageError('name the definition: questionnaire check|validate FILE.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const o = json as Record<string, unknown>;
  const wrapped =
    !!o && typeof o === 'object' && typeof o.key === 'string' && !!o.survey && typeof o.survey === 'object';
  return { survey: wrapped ? o.survey : json, wrapped };
}

/** questionnaire check FILE.json: accepted (with a summary) or refused (each issue with its JSON path); exit 1 when refused. */
async function check(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const file = positionals[0];
  const { survey, wrapped } = readDefinition(file);
  const result = checkDefinition(survey);
  const prefix = wrapped ? 'survey.' : '';
  if (!result.ok) {
    process.stdout.write(
      `Refused: ${file} (${result.issues.length} ${result.issues.length === 1 ? 'problem' : 'problems'})\n` +
        result.issues.map((i) => `  ${i.path === '$' ? '(the definition)' : prefix + i.path}: ${i.reason}\n`).join(''),
    );
    return 1;
  }
  const s = result.summary!;
  const types = Object.entries(s.types)
    .sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  process.stdout.write(
    `Accepted: ${file}\n` +
      `  pages: ${s.pages}\n` +
      `  questions: ${s.questions} storing an answer, ${s.displayOnly} display-only or computed\n` +
      `  types: ${types}\n` +
      `  variables in an export: ${s.variables}\n` +
      `  routing: ${s.routing} ${s.routing === 1 ? 'condition or trigger' : 'conditions and triggers'}\n` +
      `  validation: ${usesOnlyCompiledFeatures(survey) ? 'compiled rules (the definition uses only what they model)' : "survey-core's own rules, in a worker thread"}\n`,
  );
  return 0;
}

/**
 * questionnaire validate FILE.json [--lang nl|en] < answers.jsonl: one verdict per line of JSON on stdin, in order
 * ({"ok":true} or {"ok":false,"errors":[…]}); blank lines are skipped. Exit 1 when any answer set is refused.
 */
async function validate(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { lang: { type: 'string', default: 'nl' } },
  });
  if (values.lang !== 'nl' && values.lang !== 'en') throw new UsageError('--lang must be nl or en');
  const { survey } = readDefinition(positionals[0]);
  const result = checkDefinition(survey);
  if (!result.ok) {
    process.stderr.write(
      `Refused: ${positionals[0]}: ${result.issues.map((i) => `${i.path}: ${i.reason}`).join('; ')}\n`,
    );
    return 1;
  }
  const pool = new VerdictPool(1);
  const validator = createValidator(`cli:${positionals[0]}`, survey as object, pool);
  const locale = asLocale(values.lang);
  let refused = 0;
  let n = 0;
  try {
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      n++;
      if (!line.trim()) continue;
      let answers: unknown;
      try {
        answers = JSON.parse(line);
      } catch (err) {
        refused++;
        const message =
          locale === 'nl'
            ? `geen geldige JSON (${(err as Error).message})`
            : `not valid JSON (${(err as Error).message})`;
        process.stdout.write(JSON.stringify({ ok: false, line: n, errors: [{ name: '', message }] }) + '\n');
        continue;
      }
      const verdict = await validator.validateComplete(answers, locale);
      if (!verdict.ok) refused++;
      process.stdout.write(
        JSON.stringify(verdict.ok ? { ok: true } : { ok: false, line: n, errors: verdict.errors }) + '\n',
      );
    }
  } finally {
    await pool.close();
  }
  return refused ? 1 : 0;
}

/** npm run cli -- questionnaire check|validate FILE.json */
export async function questionnaire(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'check') return check(rest);
  if (sub === 'validate') return validate(rest);
  throw new UsageError(
    'usage: questionnaire check FILE.json | questionnaire validate FILE.json [--lang en] < answers.jsonl',
  );
}
