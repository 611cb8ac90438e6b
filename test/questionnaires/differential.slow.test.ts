// The differential corpus (issue 15, point 3): for generated definitions covering every answer-storing type and the
// features around them, for the monitor's versions and for definitions the compiled validator models, the server's
// verdict on each answer set equals survey-core's own: the same questions in error with the same messages in the
// respondent's language, the same answers stored. Answer sets come from driving a survey-core Model as the browser
// does, and from mutating those (junk names, wrong types, values outside the choices, oversized text, a required
// answer removed, values for invisible questions, forged expression values). The counts are printed and kept in the
// README ("Questionnaires: any SurveyJS definition").
import fs from 'node:fs';
import path from 'node:path';
import { ConditionRunner, Model } from 'survey-core';
import 'survey-core/i18n/dutch';
import { createValidator, type ValidationResult } from '../../server/questionnaires/questionnaire-validator';
import { checkDefinition } from '../../server/questionnaires/registry';
import { VerdictPool } from '../../server/questionnaires/verdict-pool';
import { usesOnlyCompiledFeatures } from '../../server/questionnaires/compiled-subset';
import { LARGE_DEFINITION } from '../../bench/large-definition';
import {
  browserAnswers,
  generateCompiledNested,
  generateCompiledSubset,
  generateDefinition,
  mutate,
  rng,
  type Json,
  type Mutation,
} from './survey-corpus';

const ROOT = path.join(__dirname, '../..');
const LOCALES = ['nl', 'en'] as const;
const MUTATIONS: Mutation[] = [
  'junk name',
  'wrong type',
  'not a choice',
  'too long',
  'missing required',
  'invisible value',
  'expression value',
  'empty panels',
];
const STRICT: Mutation[] = [
  'junk name',
  'wrong type',
  'not a choice',
  'too long',
  'too many panels',
  'junk in panel',
  'nested type',
];
/** for the definitions with expressions, dynamic panels and matrices the compiled validator models */
const NESTED_MUTATIONS: Mutation[] = [
  ...MUTATIONS,
  'too many panels',
  'junk in panel',
  'nested type',
  'invisible in panel',
];

// ------------------------------------------------------------------------------------------ survey-core's verdict

const topName = (el: any): string => {
  let q = el;
  while (q.parentQuestion) q = q.parentQuestion;
  return q.isQuestion ? q.getValueName() : q.name;
};

/** Every element that can hold errors: pages, panels, questions, and what is nested in dynamic panels and matrices. */
function elementsOf(container: any, out: any[] = []): any[] {
  out.push(container);
  for (const el of container.elements ?? []) {
    if (el.isPanel) elementsOf(el, out);
    else questionsOf(el, out);
  }
  return out;
}
function questionsOf(q: any, out: any[]): void {
  out.push(q);
  const type = q.getType();
  if (type === 'paneldynamic') for (const p of q.panels) elementsOf(p, out);
  if (type === 'matrixdropdown' || type === 'matrixdynamic')
    for (const row of q.visibleRows) for (const cell of row.cells) questionsOf(cell.question, out);
  if (type === 'multipletext') for (const item of q.items) questionsOf(item.editor, out);
}

interface CoreVerdict {
  ok: boolean;
  /** "top-level name: message", sorted */
  errors: string[];
  completed?: Json;
}

/**
 * survey-core on its own: the data set on a Model, every page the respondent goes through validated (the start page
 * too; a complete trigger ends the survey at the page where its condition first holds), errors (not warnings) read
 * from every element, then completion's cleaning.
 */
function core(survey: Json, answers: Json, locale: string): CoreVerdict {
  const model: any = new Model(survey);
  model.autoFocusFirstError = false;
  model.onScrollToTop.add((_: unknown, o: any) => (o.cancel = true));
  model.locale = locale;
  model.data = JSON.parse(JSON.stringify(answers));
  let pages: any[] = [...model.visiblePages];
  const completes = (model.triggers as any[]).filter((t) => t.getType() === 'completetrigger');
  if (completes.length) {
    const seen: Json = {};
    for (let i = 0; i < pages.length - 1; i++) {
      for (const q of pages[i].questions)
        if (q.getValueName() in model.data) seen[q.getValueName()] = model.data[q.getValueName()];
      if (completes.some((t) => new ConditionRunner(t.expression).runValues(seen) === true)) {
        pages = pages.slice(0, i + 1);
        break;
      }
    }
  }
  if (model.firstPageIsStartPage && model.pages.length > 1) pages.unshift(model.pages[0]);
  for (const page of pages) model.validatePage(page);
  const errors: string[] = [];
  for (const page of pages)
    for (const el of elementsOf(page))
      for (const e of el.errors ?? [])
        if (e.isError && e.visible !== false) errors.push(`${topName(el)}: ${e.getText()}`);
  errors.sort();
  const res: CoreVerdict = { ok: errors.length === 0, errors };
  if (res.ok) {
    const walked = new Set(pages);
    for (const page of model.visiblePages) if (!walked.has(page)) for (const q of page.questions) q.clearValue();
    model.clearInvisibleQuestionValues();
    res.completed = JSON.parse(JSON.stringify(model.data));
  }
  model.dispose();
  return res;
}

function serverErrors(v: ValidationResult): string[] {
  return v.ok ? [] : v.errors.map((e) => `${e.name.split(/[.[]/)[0]}: ${e.message}`).sort();
}

// -------------------------------------------------------------------------------------------------- the corpus

interface Tally {
  definitions: number;
  sets: number;
  agreed: number;
  valid: number;
  byMutation: Record<string, number>;
}
const newTally = (): Tally => ({ definitions: 0, sets: 0, agreed: 0, valid: 0, byMutation: {} });

let pool: VerdictPool;
beforeAll(() => {
  pool = new VerdictPool(1);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterAll(async () => {
  await pool.close();
  jest.restoreAllMocks();
});

/** Runs one definition's corpus; returns the disagreements (as readable records) and adds to the tally. */
async function runDefinition(
  id: string,
  survey: Json,
  seed: number,
  sets: number,
  tally: Tally,
  reuse?: any,
  mutations: Mutation[] = MUTATIONS,
  engine?: string,
): Promise<unknown[]> {
  const r = rng(seed);
  const validator = createValidator(id, survey, pool);
  if (engine) expect(validator.engine).toBe(engine);
  const problems: unknown[] = [];
  tally.definitions++;
  const judge = async (answers: Json, locale: string, mutation: Mutation | null, target?: string) => {
    const mine = await validator.validateComplete(answers, locale as 'nl');
    const ref = core(survey, answers, locale);
    let agree: boolean;
    if (mutation && STRICT.includes(mutation)) {
      // survey-core keeps such values without a word; the server refuses them, naming the question
      agree = !mine.ok && serverErrors(mine).some((e) => e.startsWith(`${target}: `));
    } else {
      agree = mine.ok === ref.ok && JSON.stringify(serverErrors(mine)) === JSON.stringify(ref.errors);
      if (agree && mine.ok) agree = JSON.stringify(sortKeys(mine.answers)) === JSON.stringify(sortKeys(ref.completed!));
      if (agree && mine.ok && mutation === 'expression value') agree = mine.answers[target!] !== 999_999;
    }
    tally.sets++;
    if (mine.ok) tally.valid++;
    if (mutation) tally.byMutation[mutation] = (tally.byMutation[mutation] ?? 0) + 1;
    if (agree) tally.agreed++;
    else if (problems.length < 5) problems.push(difference(id, validator.engine, mutation, target, answers, mine, ref));
  };
  for (let i = 0; i < sets; i++) {
    const locale = LOCALES[i % 2];
    const answers = browserAnswers(survey, r, [0, 0.05, 0.2, 0.5][i % 4], reuse);
    await judge(answers, locale, null);
    const kind = mutations[(seed + i) % mutations.length];
    const m = mutate(survey, answers, r, kind, reuse);
    if (m) await judge(m.answers, locale, kind, m.target);
  }
  return problems;
}

/** A disagreement, told by what differs. */
function difference(
  id: string,
  engine: string,
  mutation: Mutation | null,
  target: string | undefined,
  answers: Json,
  mine: ValidationResult,
  ref: CoreVerdict,
) {
  const a = serverErrors(mine);
  const onlyServer = a.filter((e) => !ref.errors.includes(e));
  const onlySurveyCore = ref.errors.filter((e) => !a.includes(e));
  const stored =
    mine.ok && ref.ok
      ? Object.keys({ ...mine.answers, ...ref.completed })
          .filter((k) => JSON.stringify(sortKeys(mine.answers[k])) !== JSON.stringify(sortKeys(ref.completed![k])))
          .map((k) => ({ key: k, server: mine.answers[k], surveyCore: ref.completed![k], sent: answers[k] }))
      : undefined;
  return { id, engine, mutation, target, onlyServer, onlySurveyCore, stored };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Json)[k])]),
    );
  return v;
}

const TOTAL = newTally();
afterAll(() => {
  console.log(
    `differential corpus: ${TOTAL.definitions} definitions, ${TOTAL.sets} answer sets (${TOTAL.valid} valid), ` +
      `verdicts agree on ${TOTAL.agreed}; mutations ${JSON.stringify(TOTAL.byMutation)}`,
  );
});

describe('differential corpus: the server judges as survey-core does', () => {
  test('generated definitions (every type and feature, survey-core in the worker pool): every verdict agrees', async () => {
    const tally = newTally();
    const problems: unknown[] = [];
    const r = rng(20261206);
    let refused = 0;
    for (let i = 0; i < 60; i++) {
      const survey = generateDefinition(r, i);
      const check = checkDefinition(survey);
      if (!check.ok) {
        refused++;
        continue;
      }
      problems.push(...(await runDefinition(`gen-${i}`, survey, 1000 + i, 8, tally)));
    }
    Object.assign(TOTAL, merge(TOTAL, tally));
    expect(refused).toBe(0); // the generator writes only SurveyJS that can be served
    expect(problems).toEqual([]);
    expect(tally.agreed).toBe(tally.sets);
    expect(tally.valid).toBeGreaterThan(tally.sets / 10);
    expect(Object.keys(tally.byMutation).length).toBe(MUTATIONS.length);
  }, 900_000);

  test('definitions the compiled validator models: its verdicts equal survey-core on every set', async () => {
    const tally = newTally();
    const problems: unknown[] = [];
    const r = rng(777);
    for (let i = 0; i < 30; i++) {
      const survey = generateCompiledSubset(r, i);
      expect(usesOnlyCompiledFeatures(survey)).toBe(true);
      problems.push(...(await runDefinition(`sub-${i}`, survey, 2000 + i, 6, tally)));
    }
    Object.assign(TOTAL, merge(TOTAL, tally));
    expect(problems).toEqual([]);
    expect(tally.agreed).toBe(tally.sets);
  }, 900_000);

  test('definitions with expressions, dynamic panels and dropdown matrices, compiled: every verdict equals survey-core', async () => {
    const tally = newTally();
    const problems: unknown[] = [];
    const r = rng(4242);
    for (let i = 0; i < 40; i++) {
      const survey = generateCompiledNested(r, i);
      expect(usesOnlyCompiledFeatures(survey)).toBe(true);
      problems.push(
        ...(await runDefinition(`nest-${i}`, survey, 5000 + i, 10, tally, undefined, NESTED_MUTATIONS, 'compiled')),
      );
    }
    problems.push(
      ...(await runDefinition(
        'bench-large',
        LARGE_DEFINITION,
        6000,
        40,
        tally,
        undefined,
        NESTED_MUTATIONS,
        'compiled',
      )),
    );
    Object.assign(TOTAL, merge(TOTAL, tally));
    console.log(
      `nested compiled corpus: ${tally.definitions} definitions, ${tally.sets} sets (${tally.valid} valid), agree ${tally.agreed}; ${JSON.stringify(tally.byMutation)}`,
    );
    expect(problems).toEqual([]);
    expect(tally.agreed).toBe(tally.sets);
    expect(tally.valid).toBeGreaterThan(tally.sets / 10);
    for (const m of NESTED_MUTATIONS) expect(tally.byMutation[m]).toBeGreaterThan(0);
  }, 900_000);

  const versions = ['demo/1', 'miv-politieke-ambtsdragers/2024.1', 'miv-ambtenaren/2022.1'];
  test.each(versions)(
    '%s (compiled path): every verdict agrees with survey-core',
    async (v) => {
      const survey = JSON.parse(fs.readFileSync(path.join(ROOT, 'questionnaires', `${v}.json`), 'utf8')).survey;
      expect(usesOnlyCompiledFeatures(survey)).toBe(true);
      const tally = newTally();
      const reuse = new Model(survey);
      const problems = await runDefinition(v, survey, 3000 + v.length, v.startsWith('demo') ? 40 : 14, tally, reuse);
      Object.assign(TOTAL, merge(TOTAL, tally));
      expect(problems).toEqual([]);
      expect(tally.agreed).toBe(tally.sets);
    },
    900_000,
  );
});

function merge(a: Tally, b: Tally): Tally {
  const byMutation = { ...a.byMutation };
  for (const [k, n] of Object.entries(b.byMutation)) byMutation[k] = (byMutation[k] ?? 0) + n;
  return {
    definitions: a.definitions + b.definitions,
    sets: a.sets + b.sets,
    agreed: a.agreed + b.agreed,
    valid: a.valid + b.valid,
    byMutation,
  };
}
