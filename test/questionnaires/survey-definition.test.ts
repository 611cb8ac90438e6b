// What a questionnaire author meets first: the definition check (accepted as SurveyJS writes it, refused only where
// it cannot be served, each refusal with its JSON path) and survey-core's verdict with the strict checks on top,
// for the patterns issue 15 found diverging: expression questions, numeric defaults of text questions, warnings,
// matrix checkbox cells, valuePropertyName, clearInvisibleValues "none".
import 'survey-core/i18n/dutch';
import { checkDefinition } from '../../server/questionnaires/registry';
import { VerdictEngine } from '../../server/questionnaires/survey-verdict';
import { createValidator } from '../../server/questionnaires/questionnaire-validator';
import { usesOnlyCompiledFeatures } from '../../server/questionnaires/compiled-subset';
import { LARGE_DEFINITION } from '../../bench/large-definition';
import { ANSWER_TYPES, DISPLAY_TYPES } from '../helpers/survey-types';

const verdict = (survey: object, answers: unknown, locale: 'nl' | 'en' = 'en') =>
  new VerdictEngine(survey).verdict(answers, locale, true);
const errorsOf = (r: ReturnType<typeof verdict>) => (r.ok ? [] : r.errors);

describe('the definition check', () => {
  test('accepts roots pages, elements and the legacy questions key', () => {
    const q = { type: 'text', name: 'a' };
    for (const survey of [
      { pages: [{ name: 'p', elements: [q] }] },
      { elements: [q] },
      { questions: [q] },
      { pages: [{ name: 'p', questions: [q] }] },
    ]) {
      const check = checkDefinition(survey);
      expect({ survey, ok: check.ok, issues: check.issues }).toEqual({ survey, ok: true, issues: [] });
      expect(check.summary).toMatchObject({ pages: 1, questions: 1, variables: 1 });
    }
  });

  test('accepts every answer-storing type of survey-core 2.5.38 and the display-only ones', () => {
    const types = [...ANSWER_TYPES, ...DISPLAY_TYPES];
    const check = checkDefinition({
      elements: types.map((type, i) => ({
        type,
        name: `q${i}`,
        choices: [1, 2],
        rows: ['a'],
        columns: [{ name: 'c' }],
        items: [{ name: 'i' }],
        templateElements: [{ type: 'text', name: 't' }],
      })),
    });
    expect(check.issues).toEqual([]);
    expect(check.summary).toMatchObject({ questions: 17, displayOnly: 3 });
  });

  test('refuses what cannot be served, each with its JSON path and a reason; the legacy questions key is walked too', () => {
    const check = checkDefinition({
      navigateToUrl: 'https://elders.example',
      pages: [
        {
          name: 'p',
          elements: [
            { type: 'dropdown', name: 'land', choicesByUrl: { url: 'https://landen.example/api' } },
            { type: 'image', name: 'logo', imageLink: 'https://cdn.example/logo.png' },
            { type: 'file', name: 'cv', storeDataAsText: false },
            { type: 'panel', name: 'pn', elements: [{ type: 'text', name: 'x', visibleIf: '{land} = ' }] },
          ],
        },
      ],
      questions: [
        { type: 'dropdown', name: 'stad', choicesByUrl: { url: '/api/steden' } },
        { type: 'text', name: 'land' },
        { type: 'nieuwtype', name: 'n' },
      ],
    });
    expect(check.ok).toBe(false);
    expect(check.issues.map((i) => i.path)).toEqual([
      'navigateToUrl',
      'pages[0].elements[0].choicesByUrl',
      'pages[0].elements[1].imageLink',
      'pages[0].elements[2].storeDataAsText',
      'pages[0].elements[3].elements[0].visibleIf',
      'questions[0].choicesByUrl',
      'questions[1].name',
      'questions[2].type',
    ]);
    expect(check.issues[1].reason).toContain('another origin');
    expect(check.issues[5].reason).toContain('Veldwerk serves none');
    expect(check.issues[7].reason).toBe('survey-core 2.5.38 has no question type "nieuwtype"');
  });

  test('a text that is not a string or an object of strings by language is refused by its path, never a crash', () => {
    const check = checkDefinition({
      title: { nl: 'Monitor', en: ['Monitor'] },
      pages: [
        {
          name: 'p',
          title: { en: { x: 1 } },
          description: { nl: 'Werk', en: true },
          elements: [
            {
              type: 'radiogroup',
              name: 'r',
              choices: [{ value: 1, text: { nl: { ja: 1 } } }, 2],
              validators: [{ type: 'expression', expression: '{r} = 1', text: [1] }],
            },
            {
              type: 'matrixdropdown',
              name: 'm',
              rows: ['a'],
              columns: [{ name: 'c', title: 'Kolom', choices: [{ value: 1, text: { en: {} } }] }],
            },
            { type: 'text', name: 't', dataList: { nl: ['Utrecht', 'Zwolle'] }, placeholder: { nl: 'Stad' } },
          ],
        },
      ],
      completedHtmlOnCondition: [{ expression: '{r} = 1', html: { nl: { b: 'x' } } }],
    });
    expect(check.issues.map((i) => i.path)).toEqual([
      'title',
      'pages[0].title',
      'pages[0].description',
      'pages[0].elements[0].choices[0].text',
      'pages[0].elements[0].validators[0].text',
      'pages[0].elements[1].columns[0].choices[0].text',
      'completedHtmlOnCondition[0].html',
    ]);
    expect(check.issues[0].reason).toContain('an object of strings by language');
    // texts in every accepted form: a string, strings by language, a list of strings where the property is one
    expect(
      checkDefinition({
        title: 'Monitor 2026',
        elements: [{ type: 'text', name: 't', title: { nl: 'Stad', default: 'Stad' }, dataList: ['a'] }],
      }).issues,
    ).toEqual([]);
  });

  test('a type or property named like a key of every JavaScript object is refused or ignored, never a crash', () => {
    // the upload fuzz found it: survey-core keeps its classes in a plain object, so the types "__proto__" and
    // "constructor" found Object's prototype and constructor as classes and reading their properties threw (500)
    const definition = (element: string) =>
      JSON.parse(`{"pages": [{"name": "p", "elements": [${element}, {"type": "text", "name": "z"}]}]}`);
    for (const type of ['__proto__', 'constructor', 'Constructor']) {
      const check = checkDefinition(definition(`{"type": "${type}", "name": "a", "title": "A"}`));
      expect(check.issues).toEqual([
        { path: 'pages[0].elements[0].type', reason: `survey-core 2.5.38 has no question type "${type}"` },
      ]);
    }
    // as a validator's type: whatever the check says of any type survey-core does not know
    const validators = (a: string, b: string) =>
      checkDefinition(
        definition(
          `{"type": "text", "name": "a", "validators": [{"type": "${a}", "text": "x"}, {"type": "${b}", "text": {"en": 1}}]}`,
        ),
      );
    expect(validators('__proto__', 'constructor')).toEqual(validators('nope', 'neither'));
    // as a property name ("__proto__" is an own key of what JSON.parse makes): not survey-core's, so not a text
    const keys = checkDefinition(
      definition(
        '{"type": "radiogroup", "name": "a", "choices": [1], "__proto__": [{"type": "constructor", "title": 1}], "constructor": {"title": 1}}',
      ),
    );
    expect(keys.issues).toEqual([]);
  });

  test('a locale that is not a language code is refused by its path, never a crash', () => {
    // found by mutating a definition as the upload fuzz does: survey-core threw on it (even while disposing the model)
    const survey = (locale: unknown) => ({ locale, elements: [{ type: 'text', name: 't' }] });
    for (const locale of [{}, { nl: 'x' }, 5, true, ['en']])
      expect(checkDefinition(survey(locale)).issues).toEqual([
        { path: 'locale', reason: 'a language code, e.g. "nl" or "en"' },
      ]);
    for (const locale of ['en', 'nl', '', null]) expect(checkDefinition(survey(locale)).ok).toBe(true);
  });

  test('an image as a data: URL is served from the definition itself and accepted', () => {
    expect(
      checkDefinition({
        elements: [
          { type: 'imagepicker', name: 'p', choices: [{ value: 1, imageLink: 'data:image/png;base64,AAAA' }] },
        ],
      }).ok,
    ).toBe(true);
  });

  test('only the monitor-like subset goes to the compiled validator', () => {
    expect(
      usesOnlyCompiledFeatures({
        pages: [{ name: 'p', elements: [{ type: 'radiogroup', name: 'a', choices: [1, 2], isRequired: true }] }],
      }),
    ).toBe(true);
    expect(usesOnlyCompiledFeatures({ elements: [{ type: 'radiogroup', name: 'a', choices: [1, 2] }] })).toBe(false);
    expect(
      usesOnlyCompiledFeatures({ pages: [{ name: 'p', elements: [{ type: 'text', name: 'a', defaultValue: 5 }] }] }),
    ).toBe(false);
    expect(
      usesOnlyCompiledFeatures({
        pages: [
          { name: 'p', elements: [{ type: 'radiogroup', name: 'a', choices: [{ value: 1, visibleIf: '{b} = 1' }] }] },
        ],
      }),
    ).toBe(false);
  });

  test('expressions, dynamic panels and dropdown matrices go to the compiled validator where it can recompute them', () => {
    expect(usesOnlyCompiledFeatures(LARGE_DEFINITION)).toBe(true);
    const page = (elements: object[], extra: object = {}) => ({ pages: [{ name: 'p', elements }], ...extra });
    const a = { type: 'radiogroup', name: 'a', choices: [1, 2] };
    expect(usesOnlyCompiledFeatures(page([a, { type: 'expression', name: 'e', expression: '{a} * 2' }]))).toBe(true);
    // a function outside the list, a later or unknown name, a calculated value kept in the result, a hidden page
    expect(usesOnlyCompiledFeatures(page([a, { type: 'expression', name: 'e', expression: 'age({a})' }]))).toBe(false);
    expect(
      usesOnlyCompiledFeatures(
        page([
          { type: 'expression', name: 'e', expression: '{f} + 1' },
          { type: 'expression', name: 'f', expression: '{a}' },
          a,
        ]),
      ),
    ).toBe(false);
    expect(
      usesOnlyCompiledFeatures(
        page([a], { calculatedValues: [{ name: 'c', expression: '{a}', includeIntoResult: true }] }),
      ),
    ).toBe(false);
    expect(
      usesOnlyCompiledFeatures({
        pages: [
          { name: 'p', elements: [a] },
          { name: 'q', visibleIf: '{a} = 1', elements: [{ type: 'expression', name: 'e', expression: '{a}' }] },
        ],
      }),
    ).toBe(false);
    // a dynamic panel holds plain questions only; a matrix's cells are dropdowns or text
    const pd = (templateElements: object[]) => page([{ type: 'paneldynamic', name: 'pd', templateElements }]);
    expect(
      usesOnlyCompiledFeatures(
        pd([
          { type: 'text', name: 'x', visibleIf: '{panel.y} = 1' },
          { type: 'dropdown', name: 'y', choices: [1] },
        ]),
      ),
    ).toBe(true);
    expect(usesOnlyCompiledFeatures(pd([{ type: 'paneldynamic', name: 'inner', templateElements: [] }]))).toBe(false);
    expect(
      usesOnlyCompiledFeatures(
        page([
          {
            type: 'matrixdropdown',
            name: 'm',
            rows: ['r'],
            columns: [{ name: 'c', cellType: 'checkbox', choices: [1] }],
          },
        ]),
      ),
    ).toBe(false);
  });
});

describe("survey-core's verdict, with the strict checks", () => {
  const SCORE = {
    elements: [
      { type: 'radiogroup', name: 'a', choices: [1, 2, 3], isRequired: true },
      { type: 'radiogroup', name: 'b', choices: [1, 2, 3] },
      { type: 'expression', name: 'totaal', expression: '{a} + {b}' },
      { type: 'text', name: 'toelichting', requiredIf: '{totaal} > 4' },
    ],
  };

  test('an expression question may be posted (the browser does) and is recomputed, never trusted', () => {
    expect(verdict(SCORE, { a: 1, b: 2, totaal: 3 })).toEqual({ ok: true, answers: { a: 1, b: 2, totaal: 3 } });
    expect(verdict(SCORE, { a: 1, b: 2, totaal: 99 })).toEqual({ ok: true, answers: { a: 1, b: 2, totaal: 3 } });
    // requiredIf on the recomputed total, not on the forged one
    expect(errorsOf(verdict(SCORE, { a: 3, b: 3, totaal: 0 }))).toEqual([
      { name: 'toelichting', message: 'Response required.' },
    ]);
  });

  test('a text question with a numeric default stores a number, which is accepted', () => {
    const survey = { elements: [{ type: 'text', name: 'jaar', defaultValue: 2024 }] };
    expect(verdict(survey, { jaar: 2024 })).toEqual({ ok: true, answers: { jaar: 2024 } });
  });

  test('a warning validator does not block; an error validator does, in the respondent language', () => {
    const survey = (notificationType: string) => ({
      elements: [
        {
          type: 'text',
          name: 'n',
          inputType: 'number',
          validators: [{ type: 'numeric', maxValue: 10, notificationType }],
        },
      ],
    });
    expect(verdict(survey('warning'), { n: 12 }).ok).toBe(true);
    expect(errorsOf(verdict(survey('error'), { n: 12 }, 'nl'))).toEqual([
      { name: 'n', message: expect.stringContaining('10') },
    ]);
  });

  test('matrix checkbox cells, valuePropertyName and choices hidden by choicesVisibleIf', () => {
    const matrix = { elements: [{ type: 'matrix', name: 'm', cellType: 'checkbox', rows: ['r'], columns: [1, 2] }] };
    expect(verdict(matrix, { m: { r: [1, 2] } }).ok).toBe(true);
    expect(errorsOf(verdict(matrix, { m: { r: [3] } }))).toEqual([
      { name: 'm', message: 'This answer is not one of the choices' },
    ]);
    const vpn = { elements: [{ type: 'checkbox', name: 'c', choices: [1, 2], valuePropertyName: 'kleur' }] };
    expect(verdict(vpn, { c: [{ kleur: 1 }] }).ok).toBe(true);
    const hidden = {
      elements: [
        { type: 'radiogroup', name: 'a', choices: [1, 2] },
        { type: 'radiogroup', name: 'b', choices: [1, 2], choicesVisibleIf: '{item} <> {a}' },
      ],
    };
    expect(verdict(hidden, { a: 1, b: 2 }).ok).toBe(true);
    expect(errorsOf(verdict(hidden, { a: 1, b: 1 }))).toEqual([
      { name: 'b', message: 'This answer is not one of the choices' },
    ]);
  });

  test('values of invisible questions are dropped on completion, unless clearInvisibleValues is "none"', () => {
    const survey = (clear?: string) => ({
      ...(clear ? { clearInvisibleValues: clear } : {}),
      elements: [
        { type: 'boolean', name: 'a' },
        { type: 'text', name: 'b', visibleIf: '{a} = true' },
      ],
    });
    expect(verdict(survey(), { a: false, b: 'x' })).toEqual({ ok: true, answers: { a: false } });
    expect(verdict(survey('none'), { a: false, b: 'x' })).toEqual({ ok: true, answers: { a: false, b: 'x' } });
  });

  test('nested answers: unknown items, panels beyond the maximum, wrong cell types are refused by path', () => {
    const survey = {
      elements: [
        {
          type: 'paneldynamic',
          name: 'p',
          maxPanelCount: 2,
          templateElements: [{ type: 'text', name: 'naam', isRequired: true }],
        },
        { type: 'multipletext', name: 'mt', items: [{ name: 'a' }] },
        {
          type: 'matrixdropdown',
          name: 'md',
          rows: ['r'],
          columns: [{ name: 'n', cellType: 'text', inputType: 'number' }],
        },
      ],
    };
    expect(errorsOf(verdict(survey, { p: [{}, {}, {}] }))).toEqual([
      { name: 'p', message: 'This answer has too many parts (at most 2)' },
    ]);
    expect(errorsOf(verdict(survey, { p: [{ naam: 'x', leeftijd: 3 }] }))).toEqual([
      { name: 'p[0].leeftijd', message: 'This question does not exist in this questionnaire' },
    ]);
    expect(errorsOf(verdict(survey, { mt: { b: 'x' } }))).toEqual([
      { name: 'mt.b', message: 'This question does not exist in this questionnaire' },
    ]);
    expect(errorsOf(verdict(survey, { md: { r: { n: 'tien' } } }))).toEqual([
      { name: 'md.r.n', message: 'The value should be numeric.' },
    ]);
    expect(errorsOf(verdict(survey, { p: [{}] }))).toEqual([{ name: 'p[0].naam', message: 'Response required.' }]);
  });

  test('hostile bodies get a clear error, never a crash', () => {
    const survey = { elements: [{ type: 'text', name: 'a' }] };
    expect(errorsOf(verdict(survey, [1]))).toEqual([{ name: '', message: 'The answers must be a JSON object' }]);
    expect(errorsOf(verdict(survey, JSON.parse('{"__proto__": {"x": 1}}')))).toEqual([
      { name: '', message: 'The answers contain a forbidden key (__proto__)' },
    ]);
    expect(errorsOf(verdict(survey, { a: 'x'.repeat(10_001) }))).toEqual([
      { name: 'a', message: 'This answer is too long (at most 10000 characters)' },
    ]);
  });

  test('a start page is validated as the browser validates it before the survey starts', () => {
    const survey = {
      firstPageIsStartPage: true,
      pages: [
        { name: 'start', elements: [{ type: 'boolean', name: 'akkoord', isRequired: true }] },
        { name: 'p', elements: [{ type: 'text', name: 'a' }] },
      ],
    };
    expect(errorsOf(verdict(survey, { a: 'x' }))).toEqual([{ name: 'akkoord', message: 'Response required.' }]);
    expect(verdict(survey, { akkoord: true, a: 'x' }).ok).toBe(true);
  });
});

test("one respondent's nested answers never reach the next respondent's verdict on the same engine", () => {
  const engine = new VerdictEngine({
    elements: [
      {
        type: 'paneldynamic',
        name: 'p',
        isRequired: true,
        panelCount: 1,
        minPanelCount: 1,
        templateElements: [
          { type: 'dropdown', name: 'rol', choices: [1, 2, 3] },
          { type: 'comment', name: 'toelichting', visibleIf: '{panel.rol} = 3' },
        ],
      },
      { type: 'matrixdropdown', name: 'm', rows: ['r'], columns: [{ name: 'c', cellType: 'text' }] },
      { type: 'multipletext', name: 'mt', items: [{ name: 'i' }] },
      { type: 'text', name: 'x' },
    ],
  });
  const first = {
    p: [{ rol: 3, toelichting: 'geheim' }, { rol: 2 }],
    m: { r: { c: 'geheim' } },
    mt: { i: 'geheim' },
    x: 'a',
  };
  expect(engine.verdict(first, 'nl', true)).toEqual({ ok: true, answers: first });
  // the next respondent left the required panel empty: survey-core's error, and nothing of the first one
  expect(engine.verdict({ x: 'b' }, 'en', true)).toEqual({
    ok: false,
    errors: [{ name: 'p', message: 'Response required.' }],
  });
  expect(engine.verdict({ p: [{ rol: 1 }], x: 'c' }, 'nl', true)).toEqual({
    ok: true,
    answers: { p: [{ rol: 1 }], x: 'c' },
  });
});

test("the compiled engine, judging nested answers in the request's thread, keeps nothing of one respondent for the next", async () => {
  const validator = createValidator('privacy@1', {
    pages: [
      {
        name: 'p1',
        elements: [{ type: 'text', name: 'x' }],
      },
      {
        name: 'p2',
        elements: [
          {
            type: 'paneldynamic',
            name: 'p',
            minPanelCount: 1,
            templateElements: [
              { type: 'dropdown', name: 'rol', choices: [1, 2, 3], isRequired: true },
              { type: 'comment', name: 'toelichting', visibleIf: '{panel.rol} = 3' },
            ],
          },
          { type: 'matrixdropdown', name: 'm', rows: ['r'], columns: [{ name: 'c', cellType: 'text' }] },
          { type: 'expression', name: 'n', expression: "countInArray({p}, 'rol')" },
        ],
      },
    ],
  });
  expect(validator.engine).toBe('compiled');
  const first = { p: [{ rol: 3, toelichting: 'geheim' }, { rol: 2 }], m: { r: { c: 'geheim' } }, x: 'a' };
  const sent = JSON.stringify(first);
  expect(await validator.validateComplete(first, 'nl')).toEqual({ ok: true, answers: { ...first, n: 2 } });
  expect(JSON.stringify(first)).toBe(sent); // the posted answers are never changed
  // the next respondent left the panel empty: the required question of its one panel, nothing of the first one
  expect(await validator.validateComplete({ x: 'b' }, 'en')).toEqual({
    ok: false,
    errors: [{ name: 'p[0].rol', message: 'Response required.' }],
  });
  expect(await validator.validateComplete({ p: [{ rol: 1, toelichting: 'weg' }], x: 'c' }, 'nl')).toEqual({
    ok: true,
    answers: { p: [{ rol: 1 }], x: 'c', n: 1 },
  });
});

test('autosave on a definition with nested answers: strict checks on a reused model, the posted answers returned as sent', () => {
  const engine = new VerdictEngine({
    elements: [
      { type: 'paneldynamic', name: 'p', templateElements: [{ type: 'dropdown', name: 'rol', choices: [1, 2] }] },
      { type: 'text', name: 'x' },
    ],
  });
  expect(engine.verdict({ p: [{ rol: 1 }, { rol: 2 }] }, 'nl', false)).toEqual({
    ok: true,
    answers: { p: [{ rol: 1 }, { rol: 2 }] },
  });
  expect(engine.verdict({ x: 'b' }, 'nl', false)).toEqual({ ok: true, answers: { x: 'b' } });
  expect(engine.verdict({ p: [{ rol: 9 }] }, 'en', false)).toEqual({
    ok: false,
    errors: [{ name: 'p[0].rol', message: 'This answer is not one of the choices' }],
  });
  expect(engine.verdict({ p: [{}] }, 'nl', false)).toEqual({ ok: true, answers: { p: [{}] } }); // no required checks while saving
});
