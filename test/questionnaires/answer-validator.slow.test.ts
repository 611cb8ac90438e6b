// The compiled answer validator must agree with survey-core (the engine the respondent's browser ran) on every
// answer set survey-core can represent, and must reject what survey-core silently keeps or drops.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Model, surveyLocalization } from 'survey-core';
import 'survey-core/i18n/dutch';
import {
  compileValidator,
  type AnswerValidator,
  type Locale,
  type ValidationResult,
} from '../../server/questionnaires/answer-validator';
import { LARGE_DEFINITION, largeAnswers } from '../../bench/large-definition';
import { DEMO_VALID } from '../helpers/pages';

// SurveyJS JSON and survey-core models are typed `any` here.
type Answers = Record<string, unknown>;
type Survey = Record<string, any>;

const ROOT = path.resolve(__dirname, '../..');
const LOCALES: Locale[] = ['nl', 'en'];

/** Every questionnaires/<key>/<version>.json present now (variable maps and other non-version files skipped). */
function versionFiles(): { id: string; survey: Survey }[] {
  const dir = path.join(ROOT, 'questionnaires');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      fs
        .readdirSync(path.join(dir, d.name))
        .filter((f) => /^\d.*\.json$/.test(f) && f !== 'variable-map.json')
        .sort()
        .map((f) => ({
          id: `${d.name}/${f}`,
          survey: JSON.parse(fs.readFileSync(path.join(dir, d.name, f), 'utf8')).survey as Survey,
        })),
    );
}

const DEMO = JSON.parse(fs.readFileSync(path.join(ROOT, 'questionnaires/demo/1.json'), 'utf8')).survey as Survey;
const nlen = (nl: string, en: string) => ({ nl, en });

/** Every feature the validator supports, for the rules the real questionnaires do not (yet) use. */
const KITCHEN_SINK: Survey = {
  pages: [
    {
      name: 'p1',
      elements: [
        { type: 'radiogroup', name: 'r1', isRequired: true, choices: [1, 2, 3], showOtherItem: true },
        { type: 'dropdown', name: 'd1', choices: [{ value: 1, text: nlen('een', 'one') }, 2], showNoneItem: true },
        {
          type: 'checkbox',
          name: 'c1',
          choices: [1, 2, 3, 4],
          minSelectedChoices: 2,
          maxSelectedChoices: 3,
          showNoneItem: true,
          showOtherItem: true,
        },
        { type: 'boolean', name: 'b1', isRequired: true },
        { type: 'rating', name: 'rt1', rateMin: 1, rateMax: 5 },
        { type: 'rating', name: 'rt2', rateValues: [0, 5, 10], showCommentArea: true },
        {
          type: 'text',
          name: 't1',
          maxLength: 5,
          validators: [
            { type: 'text', minLength: 2 },
            { type: 'regex', regex: '^[a-z]+$', text: nlen('alleen letters', 'letters only') },
          ],
        },
        { type: 'text', name: 'em', inputType: 'email' },
        {
          type: 'text',
          name: 'n1',
          inputType: 'number',
          validators: [{ type: 'numeric', minValue: 10, maxValue: 20 }],
        },
        { type: 'text', name: 'n2', inputType: 'number', min: 1, max: 9, step: 2, requiredIf: '{b1} = true' },
        { type: 'comment', name: 'cm' },
        {
          type: 'radiogroup',
          name: 'r2',
          choices: [1, 2],
          showCommentArea: true,
          enableIf: '{b1} = true',
          isRequired: true,
          requiredErrorText: nlen('Kies bij r2', 'Pick one for r2'),
        },
        { type: 'text', name: 'vrij' },
        { type: 'html', name: 'h1', html: nlen('<p>uitleg</p>', '<p>explanation</p>') },
        { type: 'expression', name: 'e1', expression: '{n2} + 1' },
      ],
    },
    {
      name: 'p2',
      visibleIf: '{r1} = 2',
      isRequired: true, // a required page: one answer on it
      elements: [
        {
          type: 'panel',
          name: 'pn',
          visibleIf: '{d1} notempty',
          isRequired: true,
          elements: [
            { type: 'text', name: 'pt1', validators: [{ type: 'expression', expression: '{pt1} <> {t1}' }] },
            { type: 'text', name: 'pt2', visibleIf: '{rt1} >= 3' },
          ],
        },
        {
          type: 'matrix',
          name: 'm1',
          eachRowRequired: true,
          eachRowUnique: true,
          columns: [1, 2, 3],
          rows: ['a', 'b'],
        },
        {
          type: 'checkbox',
          name: 'c2',
          choices: ['x', 'y'],
          visibleIf: '{m1.a} = 1',
          validators: [{ type: 'answercount', maxCount: 1 }],
        },
      ],
    },
  ],
};

/** A complete, valid answer set for the demo, with the optional comment answered too. */
const DEMO_OK: Answers = { ...DEMO_VALID, opmerkingen: 'Geen.' };

/** Hand-made valid answer sets for the kitchen sink (random ones rarely satisfy all its rules at once). */
const KITCHEN_SINK_VALID: Answers[] = [
  {
    r1: 1,
    c1: [1, 2],
    b1: false,
    d1: 'none',
    rt1: 3,
    rt2: 5,
    'rt2-Comment': 'opm',
    t1: 'abc',
    em: 'a@b.nl',
    n1: 15,
    cm: 'x',
    vrij: 'y',
  },
  {
    r1: 2,
    d1: 1,
    pt1: 'x',
    pt2: 'y',
    rt1: 4,
    m1: { a: 1, b: 2 },
    c2: ['x'],
    c1: ['none'],
    b1: true,
    n2: 4,
    r2: 1,
    'r2-Comment': 'c',
  },
  { r1: 'other', 'r1-Comment': 'iets', c1: [2, 'other'], 'c1-Comment': 'anders', b1: false, d1: 2, t1: 'ab' },
  { r1: 1, c1: [1, 2], b1: false, d1: 1, pt1: 'x', m1: { a: 1 }, c2: ['x', 'y'], 'r1-Comment': 'verouderd' }, // p2 invisible
  {
    r1: 2,
    d1: 2,
    pt1: 'q',
    pt2: 'z',
    rt1: 1,
    m1: { a: 3, b: 1 },
    c1: [3, 4, 'other'],
    'c1-Comment': 'nog iets',
    b1: false,
    vrij: '  ',
  },
];

// ------------------------------------------------------------------------------------------ corpus generation

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)];

/** Question elements (not panels) of a definition, in order, read from the raw JSON. */
function rawQuestions(survey: Survey): any[] {
  const out: any[] = [];
  const walk = (els: any[] = []) => els.forEach((el) => (el.type === 'panel' ? walk(el.elements) : out.push(el)));
  (survey.pages ?? []).forEach((p: any) => walk(p.elements));
  walk(survey.elements);
  return out;
}
const valueOf = (c: any) => (c !== null && typeof c === 'object' ? c.value : c);
const isValued = (el: any) => el.type !== 'html' && el.type !== 'expression';

function rateValues(el: any): number[] {
  if (el.rateValues) return el.rateValues.map(valueOf);
  const res: number[] = [];
  for (let v = el.rateMin ?? 1; v <= (el.rateMax ?? 5); v += el.rateStep ?? 1) res.push(v);
  return res;
}

/** A value survey-core can hold for this question (it may still break a survey-core rule: range, validators...). */
function genValue(el: any, r: () => number, answers: Answers): unknown {
  const choices = (el.choices ?? []).map(valueOf);
  const textPool = [
    '',
    '   ',
    'a',
    'ab',
    'abc',
    'abc1',
    'x@y.nl',
    'geen-email',
    'Hallo daar',
    'Een wat langere toelichting.',
  ];
  const fit = (s: string) => (el.maxLength ? s.slice(0, el.maxLength) : s);
  switch (el.type) {
    case 'radiogroup':
    case 'dropdown': {
      const v = pick(r, [...choices, ...(el.showNoneItem ? ['none'] : []), ...(el.showOtherItem ? ['other'] : [])]);
      if (v === 'other' && r() < 0.75) answers[`${el.name}-Comment`] = 'iets anders';
      if (v !== 'other' && el.showOtherItem && r() < 0.1) answers[`${el.name}-Comment`] = 'verouderd'; // stale "other" text
      return v;
    }
    case 'checkbox': {
      // exclusive choices ("none", or isExclusive) are only ever chosen alone: the browser deselects the others
      const exclusive = [
        ...(el.showNoneItem ? ['none'] : []),
        ...(el.choices ?? []).filter((c: any) => c?.isExclusive).map(valueOf),
      ];
      if (exclusive.length && r() < 0.1) return [pick(r, exclusive)];
      const pool = [
        ...choices.filter((c: unknown) => !exclusive.includes(c)),
        ...(el.showOtherItem ? ['other'] : []),
      ].sort(() => r() - 0.5);
      const max = Math.min(pool.length, el.maxSelectedChoices ?? 3);
      const v = pool.slice(0, 1 + Math.floor(r() * max));
      if (v.includes('other') && r() < 0.75) answers[`${el.name}-Comment`] = 'iets anders';
      return v;
    }
    case 'matrix': {
      const v: Answers = {};
      const p = r() < 0.97 ? 1 : 0.7; // mostly complete: the monitor has ten matrices with every row required
      for (const row of el.rows) if (r() < p) v[String(valueOf(row))] = pick(r, el.columns.map(valueOf));
      return v;
    }
    case 'text':
      if (el.inputType === 'number') {
        const lo = el.min ?? 0;
        const hi = el.max ?? 30;
        if (r() < 0.1) return lo + 0.5;
        return r() < 0.9 ? lo + Math.floor(r() * (hi - lo + 1)) : pick(r, [lo - 1, hi + 1, hi + 10]);
      }
      return fit(pick(r, textPool));
    case 'comment':
      return fit(pick(r, textPool));
    case 'boolean':
      return r() < 0.5;
    case 'rating':
      return pick(r, rateValues(el));
    default:
      throw new Error(`no generator for ${el.type}`);
  }
}

/** Answers for every question (also those that end up invisible), each skipped with probability `skip`. */
function genAll(survey: Survey, r: () => number, skip: number): Answers {
  const answers: Answers = {};
  for (const el of rawQuestions(survey)) {
    if (!isValued(el) || r() < skip) continue;
    answers[el.name] = genValue(el, r, answers);
    // survey-core has no comment area on text and comment questions
    if (el.showCommentArea && el.type !== 'text' && el.type !== 'comment' && r() < 0.5)
      answers[`${el.name}-Comment`] = 'opmerking';
  }
  return answers;
}

/**
 * Answers like a browser sends them: everything answered, then cleaned the way survey-core cleans on complete
 * (values of questions that ended up invisible dropped), then each answer skipped with probability `skip`.
 */
function genVisible(survey: Survey, r: () => number, skip: number, model: Model): Answers {
  model.data = genAll(survey, r, 0);
  (model as any).clearUnusedValues();
  const answers = without(model.data, expressionNames(survey));
  for (const k of Object.keys(answers)) if (!k.endsWith('-Comment') && r() < skip) delete answers[k];
  return answers;
}

// ----------------------------------------------------------------------------------- survey-core reference

interface Reference {
  ok: boolean;
  errors: Map<string, string[]>; // question/panel name -> messages, as model.validate(true, false) shows them
  values: Answers; // the value each question holds (survey-core refuses some values without telling)
  stored: Answers; // model.data after `model.data = answers`
  completed?: Answers; // model.data after doComplete()
}

const expressionNames = (survey: Survey) =>
  new Set(
    rawQuestions(survey)
      .filter((el) => el.type === 'expression')
      .map((el) => el.name),
  );
const without = (data: Answers, names: Set<string>): Answers =>
  JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(data).filter(([k]) => !names.has(k)))));

/** What survey-core says: a fresh Model, or a reused one (survey-core replaces all data on `model.data = ...`). */
function reference(survey: Survey, answers: Answers, locale: Locale, reuse?: Model, complete = true): Reference {
  const model: any = reuse ?? new Model(survey);
  model.locale = locale;
  model.data = JSON.parse(JSON.stringify(answers));
  const ok = model.validate(true, false);
  const errors = new Map<string, string[]>();
  const values: Answers = {};
  for (const el of [...model.getAllQuestions(), ...model.getAllPanels(), ...model.pages]) {
    if (!el.isPanel) values[el.name] = el.value;
    if (el.errors.length && el.isVisible && el.isParentVisible !== false)
      errors.set(el.name, el.errors.map((e: any) => e.getText()).sort());
    el.errors = [];
  }
  const exprs = expressionNames(survey);
  const res: Reference = { ok, errors, values: JSON.parse(JSON.stringify(values)), stored: without(model.data, exprs) };
  if (complete) {
    model.doComplete();
    res.completed = without(model.data, exprs);
    if (reuse) model.clear(false, true);
  }
  return res;
}

/** survey-core cannot clear a value that equals "no value" ('' or []) of an invisible question; we drop it too. */
function expectSameCleaning(mine: Answers, completed: Answers): void {
  const quirk = Object.fromEntries(
    Object.entries(completed).filter(([k, v]) => !(k in mine) && (v === '' || (Array.isArray(v) && v.length === 0))),
  );
  expect(mine).toEqual(without(completed, new Set(Object.keys(quirk))));
}

function grouped(res: ValidationResult): Map<string, string[]> {
  const m = new Map<string, string[]>();
  if (!res.ok) for (const e of res.errors) m.set(e.name, [...(m.get(e.name) ?? []), e.message]);
  for (const [k, v] of m) m.set(k, v.sort());
  return m;
}

// survey-core warns on the console for values it refuses; the corpus has those on purpose
beforeAll(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
afterAll(() => jest.restoreAllMocks());

// ------------------------------------------------------------------------------------------------------ speed

/**
 * Timed in a plain Node process (as the server runs), not under Jest: Jest's module sandbox makes survey-core's
 * helpers several times slower. Prints µs per call, the best of 7 rounds after a warm-up (the best round is the one
 * least disturbed on a busy machine).
 */
const SPEED_SCRIPT = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const { Model } = require('survey-core');
const { compileValidator } = require('./server/questionnaires/answer-validator.ts');
const files = JSON.parse(process.argv[1]);
function perCall(fn, budgetMs) {
  const round = (ms) => { const t0 = performance.now(); let n = 0; while (n < 3 || performance.now() - t0 < ms) fn(n++); return ((performance.now() - t0) * 1000) / n; };
  round(budgetMs / 2);
  return Math.min(...Array.from({ length: 7 }, () => round(budgetMs / 7)));
}
// answer sets like a browser sends them: every question answered (column/choice k), cleaned by survey-core on complete
function answerSets(survey) {
  return [0, 1, 2].map((k) => {
    const a = {};
    const walk = (els) => (els || []).forEach((e) => {
      const at = (list) => list[Math.min(k, list.length - 1)];
      const val = (c) => (c !== null && typeof c === 'object' ? c.value : c);
      if (e.type === 'panel') walk(e.elements);
      else if (e.type === 'matrix') a[e.name] = Object.fromEntries(e.rows.map((r) => [String(val(r)), val(at(e.columns))]));
      else if (e.type === 'radiogroup' || e.type === 'dropdown') a[e.name] = val(at(e.choices));
      else if (e.type === 'checkbox') a[e.name] = [val(e.choices[0])];
      else if (e.type === 'text') a[e.name] = e.inputType === 'number' ? (e.min || 0) + k : 'tekst';
      else if (e.type === 'comment') a[e.name] = 'Een opmerking.';
    });
    survey.pages.forEach((p) => walk(p.elements));
    const m = new Model(survey);
    m.data = a;
    m.doComplete();
    return m.data;
  });
}
const rows = files.map((file) => {
  const survey = JSON.parse(fs.readFileSync(file, 'utf8')).survey;
  const t0 = performance.now();
  const validator = compileValidator(survey);
  const compileMs = performance.now() - t0;
  const sets = answerSets(survey);
  const model = new Model(survey);
  const okCount = sets.filter((s) => validator.validateComplete(s, 'nl').ok).length;
  return {
    file: path.relative(process.cwd(), file), okCount, compileMs,
    complete: perCall((i) => validator.validateComplete(sets[i % 3], 'nl'), 350),
    partial: perCall((i) => validator.validatePartial(sets[i % 3], 'nl'), 150),
    json: perCall((i) => JSON.parse(JSON.stringify(sets[i % 3])), 100),
    surveyCore: perCall((i) => { model.data = sets[i % 3]; return model.validate(true, false); }, 350),
  };
});
process.stdout.write(JSON.stringify(rows));
`;

describe('speed', () => {
  test('validateComplete takes microseconds where a reused survey-core Model takes milliseconds (printed)', async () => {
    const files = [
      path.join(ROOT, 'questionnaires/demo/1.json'),
      ...versionFiles()
        .filter((f) => !f.id.startsWith('demo/'))
        .map((f) => path.join(ROOT, 'questionnaires', f.id)),
    ];
    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>(
      (resolve) => {
        const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', SPEED_SCRIPT, JSON.stringify(files)], {
          cwd: ROOT,
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('close', (c) => resolve({ stdout: out, stderr: err, code: c }));
      },
    );
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const rows: {
      file: string;
      okCount: number;
      compileMs: number;
      complete: number;
      partial: number;
      json: number;
      surveyCore: number;
    }[] = JSON.parse(stdout);
    const fmt = (us: number) => (us < 1000 ? `${us.toFixed(1)} µs` : `${(us / 1000).toFixed(2)} ms`).padStart(9);
    console.log(
      `answer validation, per call (plain Node, best of 7 rounds):\n${rows
        .map(
          (r) =>
            `${r.file.padEnd(46)} validateComplete ${fmt(r.complete)}  validatePartial ${fmt(r.partial)}  JSON.parse+stringify ${fmt(r.json)}  ` +
            `reused survey-core Model ${fmt(r.surveyCore)} (${Math.round(r.surveyCore / r.complete)}x)  compile ${Math.round(r.compileMs)} ms`,
        )
        .join('\n')}`,
    );
    for (const r of rows) {
      expect({ file: r.file, valid: r.okCount }).toEqual({ file: r.file, valid: 3 }); // timed on valid answer sets
      expect(r.complete * 20).toBeLessThan(r.surveyCore); // typically 100-800x faster
    }
    // the target is well under 0.1 ms for the demo (typically ~5 µs); the bound is loose for busy CI machines
    expect(rows[0].complete).toBeLessThan(500);
  }, 300_000);
});

// --------------------------------------------------------------------------------------------- agreement

const SUITES = [{ id: 'kitchen-sink', survey: KITCHEN_SINK }, ...versionFiles()];

describe.each(SUITES.map((s) => [s.id, s] as const))('agreement with survey-core: %s', (id, { survey }) => {
  // The reference is survey-core: a fresh Model for every 10th answer set (every 50th for the monitor versions,
  // whose long conditions make a Model cost ~0.5 s to build), one reused Model per locale for the others (the test
  // below checks that a reused Model answers as a fresh one does).
  const cheap = id === 'kitchen-sink' || id.startsWith('demo/');
  let validator: AnswerValidator;
  let reused: Record<Locale, Model>;
  let corpus: Answers[];
  const r = rng(0x5eed + id.length);

  beforeAll(() => {
    validator = compileValidator(survey);
    reused = { nl: new Model(survey), en: new Model(survey) };
    corpus = [{}, ...(id === 'kitchen-sink' ? KITCHEN_SINK_VALID : [])];
    for (let i = 0; i < 120; i++) corpus.push(genVisible(survey, r, pick(r, [0, 0, 0, 0.05, 0.3]), reused.nl));
    for (let i = 0; i < 120; i++) corpus.push(genAll(survey, r, pick(r, [0, 0.1, 0.3, 0.7])));
    for (let i = 0; i < 60; i++) corpus.push(genVisible(survey, r, 0.8, reused.nl));
  }, 600_000);

  test('a corpus of 300+ representable answer sets: same verdict, same questions in error, same messages', () => {
    let ok = 0;
    let invisibleDropped = 0;
    corpus.forEach((answers, i) => {
      const locale = LOCALES[i % 2];
      const mine = validator.validateComplete(answers, locale);
      const ref = reference(survey, answers, locale, i % (cheap ? 10 : 50) === 0 ? undefined : reused[locale], mine.ok);
      expect(ref.stored).toEqual(answers); // survey-core holds these answers as given: representable
      const given = Object.fromEntries(Object.entries(answers).filter(([k]) => !k.endsWith('-Comment')));
      expect(ref.values).toEqual(expect.objectContaining(given)); // and each question holds its answer
      const context = {
        i,
        answers,
        survey_core: Object.fromEntries(ref.errors),
        mine: Object.fromEntries(grouped(mine)),
      };
      expect({ ...context, ok: mine.ok }).toEqual({ ...context, ok: ref.ok });
      expect(grouped(mine)).toEqual(ref.errors);
      if (mine.ok) {
        ok++;
        // invisible values and stale "other" texts dropped alike (expression values, recomputed, are compared by the corpus)
        expectSameCleaning(without(mine.answers, expressionNames(survey)), ref.completed!);
        if (Object.keys(mine.answers).length < Object.keys(answers).length) invisibleDropped++;
      }
    });
    expect(ok).toBeGreaterThan(id === 'kitchen-sink' ? KITCHEN_SINK_VALID.length - 1 : corpus.length / 10);
    if (id !== 'kitchen-sink') expect(invisibleDropped).toBeGreaterThan(0);
  }, 600_000);

  test('the reused survey-core Model answers as a fresh one does', () => {
    for (const [i, answers] of corpus.slice(0, cheap ? 20 : 3).entries()) {
      const locale = LOCALES[i % 2];
      expect(reference(survey, answers, locale)).toEqual(reference(survey, answers, locale, reused[locale]));
    }
  }, 600_000);

  test('values survey-core misses (outside the choices, wrong types, too long, unknown names) are rejected', () => {
    const els = rawQuestions(survey);
    const valued = els.filter(isValued);
    const valueless = els.find((e) => !isValued(e));
    const outcomes: Record<string, string> = {};
    const browserLike = corpus.slice(1, 121); // the genVisible sets
    for (let i = 0; i < 60; i++) {
      const locale = LOCALES[i % 2];
      const answers = { ...browserLike[i] };
      const el = pick(r, valued);
      let label: string;
      let key = el.name;
      if (i % 10 === 9) [label, key] = ['unknown question', 'niet_bestaande_vraag'];
      else if (i % 10 === 8 && valueless) [label, key] = ['answer to an html/expression question', valueless.name];
      else if (i % 10 === 7 && !el.showOtherItem && !el.showCommentArea)
        [label, key] = ['comment key without other/comment area', `${el.name}-Comment`];
      else {
        const [l, value] = pick(r, badValues(el, answers[el.name]));
        label = l;
        answers[key] = value;
      }
      if (key !== el.name) answers[key] = 'x';
      const mine = validator.validateComplete(answers, locale);
      expect({ label, answers, rejected: !mine.ok && grouped(mine).has(key) }).toEqual({
        label,
        answers,
        rejected: true,
      });
      const ref = reference(survey, answers, locale, reused[locale], false);
      // flagged because of the bad value, not already before it
      const flagged =
        ref.errors.has(key) &&
        JSON.stringify(ref.errors.get(key)) !==
          JSON.stringify(reference(survey, browserLike[i], locale, reused[locale], false).errors.get(key));
      const outcome = ref.ok
        ? 'accepted by survey-core'
        : JSON.stringify(key in ref.values ? ref.values[key] : ref.stored[key]) !== JSON.stringify(answers[key])
          ? 'changed or dropped by survey-core'
          : !flagged
            ? 'not flagged by survey-core'
            : 'also flagged by survey-core';
      // survey-core only ever catches these by accident: a validator, the e-mail check, minSelectedChoices,
      // or an unknown value taken as the "other" text (which then lacks its comment)
      if (outcome === 'also flagged by survey-core')
        expect({ label, el: el.name, accidental: mayTripSurveyCore(el) }).toEqual({
          label,
          el: el.name,
          accidental: true,
        });
      outcomes[label] = outcome;
      if (!SURVEY_CORE_OUTCOMES.has(label)) SURVEY_CORE_OUTCOMES.set(label, new Set());
      SURVEY_CORE_OUTCOMES.get(label)!.add(outcome);
    }
    expect(Object.keys(outcomes).length).toBeGreaterThan(4);
    expect(Object.values(outcomes).filter((o) => o !== 'also flagged by survey-core').length).toBeGreaterThan(4);
  }, 600_000);
});

/** What survey-core did with each kind of bad value, over all questionnaires: printed once, as documentation. */
const SURVEY_CORE_OUTCOMES = new Map<string, Set<string>>();
afterAll(() => {
  if (!SURVEY_CORE_OUTCOMES.size) return;
  const lines = [...SURVEY_CORE_OUTCOMES].sort().map(([label, o]) => `${label.padEnd(42)} ${[...o].sort().join('; ')}`);
  console.log(`rejected by validateComplete; survey-core meanwhile:\n${lines.join('\n')}`);
});

const mayTripSurveyCore = (el: any) =>
  !!(el.validators?.length || el.inputType === 'email' || el.minSelectedChoices || el.showOtherItem);

/** [label, value] pairs that are not a valid answer to this question (`current`: the valid answer it replaces). */
function badValues(el: any, current: unknown): [string, unknown][] {
  const choices = (el.choices ?? []).map(valueOf);
  switch (el.type) {
    case 'radiogroup':
    case 'dropdown':
      return [
        ['not a choice', 12345],
        ['choice as string', String(choices[0])],
        ['boolean for a choice', true],
        ['array for a radio', [choices[0]]],
      ];
    case 'checkbox': {
      const res: [string, unknown][] = [
        ['scalar for a checkbox', choices[0]],
        ['duplicate choice', [choices[0], choices[0]]],
        ['not a choice in a checkbox', [choices[0], 9999]],
      ];
      if (el.showNoneItem) res.push(['exclusive "none" with another choice', ['none', choices[0]]]);
      const exclusive = (el.choices ?? []).find((c: any) => c?.isExclusive);
      if (exclusive)
        res.push([
          'exclusive choice with another choice',
          [valueOf(exclusive), choices.find((c: unknown) => c !== valueOf(exclusive))],
        ]);
      if (el.maxSelectedChoices)
        res.push(['more than maxSelectedChoices', choices.slice(0, el.maxSelectedChoices + 1)]);
      return res;
    }
    case 'matrix': {
      const row = String(valueOf(el.rows[0]));
      const col = valueOf(el.columns[0]);
      const cur = (current ?? {}) as Answers;
      return [
        ['unknown matrix row', { ...cur, onbekend: col }],
        ['matrix cell not a column', { ...cur, [row]: 12345 }],
        ['array for a matrix', [col]],
        ['column as string', { ...cur, [row]: String(col) }],
      ];
    }
    case 'text':
      if (el.inputType === 'number') {
        const min = el.min ?? el.validators?.find((v: any) => v.type === 'numeric')?.minValue ?? 1;
        const valid = el.step ? Math.ceil(min / el.step) * el.step : min;
        return [
          ['text for a number', 'abc'],
          ['numeric string for a number', String(valid)],
          ['boolean for a number', true],
        ];
      }
      return [
        ['number for a text', 42],
        ['too long text', 'x'.repeat(el.maxLength ? el.maxLength + 1 : 10_001)],
        ['array for a text', ['abc']],
      ];
    case 'comment':
      return [
        ['number for a comment', 42],
        ['too long comment', 'x'.repeat(el.maxLength ? el.maxLength + 1 : 10_001)],
      ];
    case 'boolean':
      return [
        ['string for a boolean', 'true'],
        ['number for a boolean', 1],
      ];
    case 'rating':
      return [
        ['rating out of range', 1000],
        ['rating as string', String(rateValues(el)[0])],
      ];
    default:
      throw new Error(el.type);
  }
}

// ------------------------------------------------------------------------------------------------- the rules

const sjs = (key: string, locale: Locale) => surveyLocalization.getString(key, locale);
const errorsOf = (res: ValidationResult) => (res.ok ? [] : res.errors);
const messagesFor = (res: ValidationResult, name: string) =>
  errorsOf(res)
    .filter((e) => e.name === name)
    .map((e) => e.message);
const OWN = {
  notAChoice: { nl: 'Dit antwoord staat niet tussen de keuzes', en: 'This answer is not one of the choices' },
  unknown: {
    nl: 'Deze vraag bestaat niet in deze vragenlijst',
    en: 'This question does not exist in this questionnaire',
  },
};

describe('rules of validateComplete', () => {
  const demo = compileValidator(DEMO);
  const ks = compileValidator(KITCHEN_SINK);
  const one = (el: object) => compileValidator({ pages: [{ name: 'p', elements: [{ name: 'q', ...el }] }] });

  test('questionNames lists the value-bearing questions in definition order (panels included, html/expression not)', () => {
    expect(demo.questionNames).toEqual([
      'agressie_any',
      'agressie_kanaal',
      'agressie_toelichting',
      'veilig',
      'gedragscode_bekend',
      'jaren_functie',
      'opmerkingen',
    ]);
    expect(ks.questionNames).toEqual([
      'r1',
      'd1',
      'c1',
      'b1',
      'rt1',
      'rt2',
      't1',
      'em',
      'n1',
      'n2',
      'cm',
      'r2',
      'vrij',
      'pt1',
      'pt2',
      'm1',
      'c2',
    ]);
  });

  test('a complete, valid answer set is accepted and returned as given', () => {
    for (const locale of LOCALES)
      expect(demo.validateComplete(DEMO_OK, locale)).toEqual({ ok: true, answers: DEMO_OK });
  });

  test.each(LOCALES)("missing required answers get survey-core's own message, in %s", (locale) => {
    const res = demo.validateComplete({}, locale);
    expect(errorsOf(res)).toEqual([
      { name: 'agressie_any', message: sjs('requiredError', locale) },
      { name: 'veilig', message: sjs('requiredInAllRowsError', locale) },
      { name: 'gedragscode_bekend', message: sjs('requiredError', locale) },
    ]);
    expect(sjs('requiredError', 'nl')).toBe('Dit is een vereiste vraag'); // the Dutch strings are loaded
    const q = one({ type: 'text', isRequired: true });
    expect(messagesFor(q.validateComplete({ q: '   ' }, locale), 'q')).toEqual([sjs('requiredError', locale)]); // blank = no answer
  });

  test('visibleIf: answers to invisible questions are dropped, not errors; a visible required question is required', () => {
    const res = demo.validateComplete({ ...DEMO_OK, agressie_any: 2 }, 'nl');
    expect(res).toEqual({
      ok: true,
      answers: { ...DEMO_OK, agressie_any: 2, agressie_kanaal: undefined, agressie_toelichting: undefined },
    });
    expect(res.ok && Object.keys(res.answers)).not.toContain('agressie_kanaal');
    const { agressie_kanaal: _, ...withoutChannels } = DEMO_OK;
    expect(errorsOf(demo.validateComplete(withoutChannels, 'en'))).toEqual([
      { name: 'agressie_kanaal', message: 'Response required.' },
    ]);
  });

  test('visibleIf of pages and panels; a required panel needs one answer', () => {
    const base = KITCHEN_SINK_VALID[0];
    // r1 = 1: page p2 is invisible, its answers are dropped
    const hidden = ks.validateComplete({ ...base, m1: { a: 1, b: 1 }, pt1: 'x' }, 'nl');
    expect(hidden).toEqual({ ok: true, answers: { ...base, e1: 1 } }); // e1 = {n2} + 1, recomputed
    // r1 = 2 and d1 answered: the panel is shown and required
    const shown = ks.validateComplete({ ...base, r1: 2, d1: 1, m1: { a: 1, b: 2 }, t1: 'abc' }, 'nl');
    expect(messagesFor(shown, 'pn')).toEqual([sjs('requiredErrorInPanel', 'nl')]);
    // d1 = 'none' is not empty either: the panel shows; d1 left out: the panel is hidden and not required
    const { d1: _, ...noD1 } = base;
    expect(ks.validateComplete({ ...noD1, r1: 2, m1: { a: 1, b: 2 } }, 'en').ok).toBe(true);
  });

  test('enableIf (disabled questions are not validated) and requiredIf, with a localized custom required text', () => {
    const base = { ...KITCHEN_SINK_VALID[0] };
    expect(ks.validateComplete(base, 'nl').ok).toBe(true); // b1 false: r2 disabled, n2 not required
    const on = { ...base, b1: true };
    expect(errorsOf(ks.validateComplete(on, 'nl'))).toEqual([
      { name: 'n2', message: sjs('requiredError', 'nl') },
      { name: 'r2', message: 'Kies bij r2' },
    ]);
    expect(messagesFor(ks.validateComplete(on, 'en'), 'r2')).toEqual(['Pick one for r2']);
    expect(ks.validateComplete({ ...on, n2: 4, r2: 2 }, 'en').ok).toBe(true);
  });

  test('matrix: every row required (isAllRowRequired), eachRowUnique, only known rows and columns', () => {
    const rows = (veilig: unknown) => messagesFor(demo.validateComplete({ ...DEMO_OK, veilig }, 'nl'), 'veilig');
    expect(rows({ werk: 1, online: 2 })).toEqual([sjs('requiredInAllRowsError', 'nl')]);
    expect(rows({ werk: 1, online: 2, thuis: 9 })).toEqual([OWN.notAChoice.nl]);
    expect(rows({ werk: 1, online: 2, thuis: 3, tuin: 1 })).toEqual(['Deze rij bestaat niet in deze vraag']);
    expect(rows({ werk: '1', online: 2, thuis: 3 })).toEqual([OWN.notAChoice.nl]);
    expect(rows([1, 2, 3])).toEqual(['Dit antwoord heeft een ongeldige vorm']);
    const m1 = (value: unknown) =>
      messagesFor(ks.validateComplete({ ...KITCHEN_SINK_VALID[1], m1: value }, 'en'), 'm1');
    expect(m1({ a: 2, b: 2 })).toEqual([sjs('eachRowUniqueError', 'en')]);
  });

  test('checkbox: minSelectedChoices (survey-core) and maxSelectedChoices, exclusive "none", duplicates, choices', () => {
    const c1 = (value: unknown, locale: Locale = 'en') =>
      messagesFor(ks.validateComplete({ ...KITCHEN_SINK_VALID[0], c1: value }, locale), 'c1');
    expect(c1([1])).toEqual(['Please select at least 2 option(s).']);
    expect(c1([1], 'nl')).toEqual([sjs('minSelectError', 'nl').replace('{0}', '2')]);
    expect(c1(['none'])).toEqual([]); // "none" alone satisfies minSelectedChoices, as in survey-core
    expect(c1([1, 2, 3, 4])).toEqual([sjs('maxSelectError', 'en').replace('{0}', '3')]);
    expect(c1(['none', 1])).toEqual(['This answer cannot be combined with other answers']);
    expect(c1([1, 1])).toEqual(['A choice was selected more than once']);
    expect(c1([1, 7])).toEqual([OWN.notAChoice.en]);
    expect(c1(2)).toEqual(['This answer must be a list of choices']);
    expect(c1([1, 'other'])).toEqual([sjs('otherRequiredError', 'en')]);
    expect(c1(['x'], 'nl')).toEqual([OWN.notAChoice.nl]);
  });

  test('"other" texts and comment areas (<name>-Comment)', () => {
    const base = KITCHEN_SINK_VALID[0];
    expect(messagesFor(ks.validateComplete({ ...base, r1: 'other' }, 'nl'), 'r1')).toEqual([
      sjs('otherRequiredError', 'nl'),
    ]);
    expect(ks.validateComplete({ ...base, r1: 'other', 'r1-Comment': 'Iets' }, 'nl')).toEqual({
      ok: true,
      answers: { ...base, r1: 'other', 'r1-Comment': 'Iets', e1: 1 },
    });
    expect(ks.validateComplete({ ...base, 'r1-Comment': 'verouderd' }, 'nl')).toEqual({
      ok: true,
      answers: { ...base, e1: 1 },
    }); // "other" not chosen
    expect(errorsOf(ks.validateComplete({ ...base, 'd1-Comment': 'x' }, 'en'))).toEqual([
      { name: 'd1-Comment', message: OWN.unknown.en },
    ]);
    expect(messagesFor(ks.validateComplete({ ...base, 'rt2-Comment': 5 }, 'en'), 'rt2')).toEqual([
      'This answer has an invalid form',
    ]);
    expect(messagesFor(ks.validateComplete({ ...base, 'rt2-Comment': 'x'.repeat(10_001) }, 'en'), 'rt2')).toEqual([
      'This answer is too long (at most 10000 characters)',
    ]);
  });

  test("number input: numeric type, min/max with survey-core's messages, step", () => {
    const years = (v: unknown, locale: Locale = 'nl') =>
      messagesFor(demo.validateComplete({ ...DEMO_OK, jaren_functie: v }, locale), 'jaren_functie');
    expect(years(61)).toEqual(['De waarde mag niet groter zijn dan 60']);
    expect(years(-1, 'en')).toEqual(['The value should not be less than 0']);
    expect(years(0)).toEqual([]);
    expect(years(2.5)).toEqual([]);
    for (const bad of ['5', 'abc', true, [5], Number.NaN, Number.POSITIVE_INFINITY])
      expect(years(bad)).toEqual([sjs('numericError', 'nl')]);
    expect(demo.validateComplete({ ...DEMO_OK, jaren_functie: '' }, 'nl')).toEqual({
      ok: true,
      answers: (({ jaren_functie: _, ...rest }) => rest)(DEMO_OK),
    });
    const n2 = (v: unknown) => messagesFor(ks.validateComplete({ ...KITCHEN_SINK_VALID[0], n2: v }, 'en'), 'n2');
    expect(n2(3)).toEqual([sjs('stepError', 'en').replace('{0}', '2')]);
    expect(n2(10)).toEqual(['The value should not be greater than 9']);
  });

  test('text and comment: strings only, maxLength, a 10,000-character cap without maxLength', () => {
    const text = (name: string, v: unknown, locale: Locale = 'en') =>
      messagesFor(demo.validateComplete({ ...DEMO_OK, [name]: v }, locale), name);
    expect(text('opmerkingen', 'x'.repeat(4000))).toEqual([]);
    expect(text('opmerkingen', 'x'.repeat(4001))).toEqual(['This answer is too long (at most 4000 characters)']);
    expect(text('opmerkingen', 'x'.repeat(4001), 'nl')).toEqual(['Dit antwoord is te lang (maximaal 4000 tekens)']);
    expect(text('opmerkingen', 42)).toEqual(['This answer has an invalid form']);
    const vrij = (v: unknown) => messagesFor(ks.validateComplete({ ...KITCHEN_SINK_VALID[0], vrij: v }, 'en'), 'vrij');
    expect(vrij('x'.repeat(10_000))).toEqual([]);
    expect(vrij('x'.repeat(10_001))).toEqual(['This answer is too long (at most 10000 characters)']);
  });

  test('validators: text length, regex with a localized text, e-mail, numeric, expression, answer count', () => {
    const ksWith = (extra: Answers, locale: Locale = 'en') =>
      ks.validateComplete({ ...KITCHEN_SINK_VALID[0], ...extra }, locale);
    expect(messagesFor(ksWith({ t1: 'a' }, 'nl'), 't1')).toEqual(['Vul minstens 2 karakters in']);
    expect(messagesFor(ksWith({ t1: 'ab1' }, 'nl'), 't1')).toEqual(['alleen letters']);
    expect(messagesFor(ksWith({ t1: 'ab1' }), 't1')).toEqual(['letters only']);
    expect(messagesFor(ksWith({ em: 'geen-adres' }), 'em')).toEqual([sjs('invalidEmail', 'en')]);
    expect(messagesFor(ksWith({ n1: 5 }), 'n1')).toEqual(["The 'value' should be at least 10 and at most 20"]);
    const page2 = KITCHEN_SINK_VALID[1];
    expect(messagesFor(ks.validateComplete({ ...page2, t1: 'xy', pt1: 'xy' }, 'en'), 'pt1')).toEqual([
      sjs('invalidExpression', 'en').replace('{0}', '{pt1} <> {t1}'),
    ]);
    expect(messagesFor(ks.validateComplete({ ...page2, c2: ['x', 'y'] }, 'en'), 'c2')).toEqual([
      sjs('maxSelectError', 'en').replace('{0}', '1'),
    ]);
  });

  test('boolean, rating, dropdown "none", radio choices: only the defined values, with their JSON types', () => {
    const ksWith = (extra: Answers) =>
      errorsOf(ks.validateComplete({ ...KITCHEN_SINK_VALID[0], ...extra }, 'nl')).map((e) => e.name);
    expect(ksWith({ b1: true, n2: 4, r2: 1 })).toEqual([]);
    // (conditions see the raw answer, as survey-core's do: {b1} = true also holds for 'true', so n2 and r2 are due)
    expect(ksWith({ b1: 'true' })).toEqual(['b1', 'n2', 'r2']);
    expect(ksWith({ b1: 1, n2: 4, r2: 1 })).toEqual(['b1']);
    expect(ksWith({ rt1: 5, rt2: 10 })).toEqual([]);
    expect(ksWith({ rt1: 6 })).toEqual(['rt1']);
    expect(ksWith({ rt2: 3 })).toEqual(['rt2']);
    expect(ksWith({ d1: 'none' })).toEqual([]);
    expect(ksWith({ r1: '1' })).toEqual(['r1']);
    expect(ksWith({ r1: 4 })).toEqual(['r1']);
    expect(messagesFor(demo.validateComplete({ ...DEMO_OK, agressie_any: 3 }, 'nl'), 'agressie_any')).toEqual([
      OWN.notAChoice.nl,
    ]);
    expect(messagesFor(demo.validateComplete({ ...DEMO_OK, agressie_any: 3 }, 'en'), 'agressie_any')).toEqual([
      OWN.notAChoice.en,
    ]);
  });

  test('unknown names, html answers and comment keys of questions without comments are errors per name', () => {
    const res = ks.validateComplete(
      { ...KITCHEN_SINK_VALID[0], h1: 'x', e1: 2, onbekend: 1, 'vrij-Comment': 'x' },
      'en',
    );
    expect(errorsOf(res)).toEqual(
      ['h1', 'onbekend', 'vrij-Comment'].map((name) => ({ name, message: OWN.unknown.en })),
    );
  });

  test("an expression question's posted value is replaced by the recomputed one, as survey-core does", () => {
    const res = ks.validateComplete({ ...KITCHEN_SINK_VALID[0], n2: 4, e1: 999 }, 'en');
    expect(res.ok && res.answers.e1).toBe(5); // {n2} + 1
  });

  test('null is no answer', () => {
    expect(demo.validateComplete({ ...DEMO_OK, opmerkingen: null }, 'nl')).toEqual({
      ok: true,
      answers: (({ opmerkingen: _, ...rest }) => rest)(DEMO_OK),
    });
    expect(messagesFor(demo.validateComplete({ ...DEMO_OK, agressie_any: null }, 'nl'), 'agressie_any')).toEqual([
      sjs('requiredError', 'nl'),
    ]);
  });

  test('validatePartial (autosave): shape checks only, no required, no conditions', () => {
    expect(demo.validatePartial({}, 'nl')).toEqual({ ok: true, answers: {} });
    const partial = { agressie_any: 2, agressie_kanaal: [1], veilig: { werk: 1 } }; // kanaal invisible, veilig incomplete
    expect(demo.validatePartial(partial, 'nl')).toEqual({ ok: true, answers: partial });
    expect(demo.validatePartial({ ...partial, jaren_functie: 99 }, 'nl').ok).toBe(true); // min/max: only on complete
    expect(errorsOf(demo.validatePartial({ agressie_any: 7, jaren_functie: '3', onbekend: 1 }, 'en'))).toEqual([
      { name: 'agressie_any', message: OWN.notAChoice.en },
      { name: 'jaren_functie', message: sjs('numericError', 'en') },
      { name: 'onbekend', message: OWN.unknown.en },
    ]);
    expect(errorsOf(demo.validatePartial({ opmerkingen: 'x'.repeat(4001) }, 'nl'))).toEqual([
      { name: 'opmerkingen', message: 'Dit antwoord is te lang (maximaal 4000 tekens)' },
    ]);
  });

  test('compileValidator refuses definitions it cannot check faithfully, naming what', () => {
    const page = (el: object) => ({ pages: [{ name: 'p', elements: [{ name: 'q', type: 'text', ...el }] }] });
    const cases: [object, RegExp][] = [
      [page({ type: 'matrixdynamic' }), /question "q" of type "matrixdynamic"/],
      [page({ type: 'matrixdropdown' }), /type "matrixdropdown"/],
      [page({ valueName: 'x' }), /"valueName"/],
      [page({ type: 'radiogroup', choicesByUrl: { url: 'http://x' } }), /"choicesByUrl"/],
      [page({ type: 'radiogroup', choices: [{ value: 1, visibleIf: '{a} = 1' }] }), /a choice with visibleIf/],
      [
        page({ type: 'radiogroup', choices: [1], showOtherItem: true, showCommentArea: true }),
        /both an other item and a comment area/,
      ],
      [
        page({ type: 'radiogroup', choices: [1], showOtherItem: true, storeOthersAsComment: false }),
        /storeOthersAsComment/,
      ],
      [page({ inputType: 'range' }), /inputType "range"/],
      [page({ inputType: 'date', min: '2020-01-01' }), /min\/max on a non-number input/],
      [page({ maskType: 'pattern' }), /input mask/],
      [{ ...page({}), triggers: [{ type: 'complete', expression: '{q} = 1' }] }, /triggers/],
      [
        { ...page({}), calculatedValues: [{ name: 'c', expression: '1', includeIntoResult: true }] },
        /calculatedValues/,
      ],
      [page({ visibleIf: '{a} = = 1' }), /invalid expression "\{a\} = = 1"/],
      [page({ visibleIf: 'nosuchfunction({a})' }), /invalid expression/],
      [page({ validators: [{ type: 'expression', expression: '{q} >' }] }), /invalid expression/],
      [
        {
          pages: [
            {
              name: 'p',
              elements: [
                { type: 'text', name: 'q' },
                { type: 'comment', name: 'q' },
              ],
            },
          ],
        },
        /duplicate question name "q"/,
      ],
    ];
    for (const [def, msg] of cases) expect(() => compileValidator(def)).toThrow(msg);
  });
});

// ---------------------------------------------------------------------------------------------- hostile input

describe('hostile input: every call returns a result, none throws', () => {
  const demo = compileValidator(DEMO);
  const both = (body: unknown, locale: Locale = 'nl') => [
    demo.validateComplete(body, locale),
    demo.validatePartial(body, locale),
  ];

  test.each(LOCALES)('a body that is not a plain object is one whole-body error (%s)', (locale) => {
    const msg = locale === 'nl' ? 'De antwoorden moeten een JSON-object zijn' : 'The answers must be a JSON object';
    for (const body of [
      null,
      undefined,
      42,
      'x',
      true,
      [],
      [DEMO_OK],
      new Date(),
      () => 1,
      Symbol('s'),
      new Map(),
      JSON.parse('"{}"'),
    ]) {
      for (const res of both(body, locale)) expect(res).toEqual({ ok: false, errors: [{ name: '', message: msg }] });
    }
    expect(demo.validateComplete(Object.assign(Object.create(null), DEMO_OK), locale).ok).toBe(true);
  });

  test('__proto__, constructor and prototype keys anywhere are refused, and pollute nothing', () => {
    const bodies = [
      '{"__proto__": {"polluted": true}}',
      '{"agressie_any": 1, "veilig": {"werk": 1, "__proto__": {"polluted": true}}}',
      '{"agressie_kanaal": [{"constructor": {"prototype": {"polluted": true}}}]}',
      '{"constructor": 1}',
      '{"opmerkingen": {"prototype": 1}}',
    ];
    for (const json of bodies) {
      for (const res of both(JSON.parse(json), 'en')) {
        expect(res.ok).toBe(false);
        expect(errorsOf(res)).toHaveLength(1);
        expect(errorsOf(res)[0]).toEqual({
          name: '',
          message: expect.stringMatching(/^The answers contain a forbidden key \((__proto__|constructor|prototype)\)$/),
        });
      }
    }
    expect(({} as Answers).polluted).toBeUndefined();
  });

  test('deep nesting, huge strings, huge arrays and many keys are cheap errors', () => {
    const deepJson = JSON.parse(`{"opmerkingen": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const manyKeys = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    const start = performance.now();
    for (const res of both(deepJson, 'en'))
      expect(errorsOf(res)).toEqual([{ name: '', message: 'The answers are nested too deeply' }]);
    for (const res of both({ veilig: deep }, 'en'))
      expect(errorsOf(res)).toEqual([{ name: '', message: 'The answers are nested too deeply' }]);
    for (const res of both({ ...DEMO_OK, opmerkingen: 'x'.repeat(5_000_000) }))
      expect(messagesFor(res, 'opmerkingen')).toEqual(['Dit antwoord is te lang (maximaal 4000 tekens)']);
    for (const res of both({ ...DEMO_OK, agressie_kanaal: new Array(200_000).fill(1) }))
      expect(messagesFor(res, 'agressie_kanaal')).toHaveLength(1);
    for (const res of both(manyKeys))
      expect(errorsOf(res).filter((e) => e.message === OWN.unknown.nl)).toHaveLength(20);
    for (const res of both({ ['x'.repeat(1_000_000)]: 1 }))
      expect(errorsOf(res)[0].name.length).toBeLessThanOrEqual(200);
    expect(performance.now() - start).toBeLessThan(5000);
  });

  test('throwing getters and proxies become an error result', () => {
    const getter = Object.defineProperty({ ...DEMO_OK }, 'agressie_any', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('boom');
        },
      },
    );
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    for (const body of [getter, proxy, revoked.proxy]) {
      for (const res of both(body, 'en')) {
        expect(res.ok).toBe(false);
        expect(errorsOf(res)[0].name).toBe('');
      }
    }
  });

  test('an unexpected locale falls back to Dutch', () => {
    expect(errorsOf(demo.validateComplete({}, 'fr' as Locale))[0].message).toBe('Dit is een vereiste vraag');
  });
});

describe('expressions, dynamic panels and dropdown matrices (the bench large definition)', () => {
  const large = compileValidator(LARGE_DEFINITION);
  const ok = largeAnswers(0);

  test('expression values and calculated values are recomputed: a forged one is replaced', () => {
    const res = large.validateComplete({ ...ok, score: 999_999, gemiddelde: 'x', kosten_totaal: -1 }, 'nl');
    expect(res.ok && [res.answers.score, res.answers.gemiddelde, res.answers.kosten_totaal]).toEqual([
      ok.score,
      ok.gemiddelde,
      ok.kosten_totaal,
    ]);
    expect(res.ok && Object.keys(res.answers)).not.toContain('totaal'); // a calculated value is not stored
    expect(errorsOf(large.validateComplete({ ...ok, totaal: 5 }, 'en'))).toEqual([
      { name: 'totaal', message: OWN.unknown.en },
    ]);
  });

  test('errors inside panels and rows carry their path; too many panels are refused before anything else', () => {
    const res = large.validateComplete(
      { ...ok, personen: [{ naam: 'a', rol: 2, jaren: 61 }, {}], kosten: { huur: { bedrag: -1 } } },
      'en',
    );
    expect(errorsOf(res).map((e) => e.name)).toEqual([
      'personen[0].jaren',
      'personen[1].naam',
      'personen[1].rol',
      'kosten.huur.bedrag',
    ]);
    expect(errorsOf(large.validateComplete({ ...ok, personen: Array(7).fill({ naam: 'a', rol: 1 }) }, 'en'))).toEqual([
      { name: 'personen', message: 'This answer has too many parts (at most 6)' },
    ]);
    expect(
      errorsOf(large.validateComplete({ ...ok, kosten: { huur: { bedrag: 'veel', x: 1 } } }, 'en')).map((e) => e.name),
    ).toEqual(['kosten.huur.bedrag', 'kosten.huur.x']);
  });

  test("a panel's answer its own condition hides is dropped; a missing answer becomes the minimum of empty panels", () => {
    const res = large.validateComplete({ ...ok, personen: [{ naam: 'a', rol: 2, actief: true }] }, 'nl');
    expect(res.ok && res.answers.personen).toEqual([{ naam: 'a', rol: 2 }]);
    // required questions inside: a missing answer is one empty panel with its errors
    expect(errorsOf(large.validateComplete({ ...ok, personen: [] }, 'nl')).map((e) => e.name)).toEqual([
      'personen[0].naam',
      'personen[0].rol',
    ]);
  });

  test("autosave keeps empty strings and nulls inside panels (as survey-core's path does); completion refuses them", () => {
    const body = { ...ok, personen: [{ naam: '', rol: null }] };
    expect(large.validatePartial(body, 'nl')).toEqual({ ok: true, answers: body });
    expect(large.validateComplete(body, 'nl').ok).toBe(false);
  });
});
