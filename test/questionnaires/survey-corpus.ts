// The differential corpus: SurveyJS definitions made by a seeded generator that covers every answer-storing type of
// survey-core 2.5.38 and the features around them (conditions, requiredIf, choicesVisibleIf, defaults, validators
// with warnings, expressions, calculated values, triggers, a start page, roots `pages`/`elements`/`questions`), answer
// sets made by driving a survey-core Model as the browser does, and mutations of those answer sets.
import { Model } from 'survey-core';
import { ANSWER_TYPES } from '../helpers/survey-types';

export type Json = Record<string, any>;
export type Rand = () => number;

export function rng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)];
const chance = (r: Rand, p: number) => r() < p;
const nlen = (nl: string, en: string) => ({ nl, en });

/** The features a generated definition can use; each definition draws a few. */
export const TYPES = [...ANSWER_TYPES, 'expression', 'html'] as const;

const INPUT_TYPES = ['text', 'number', 'email', 'date', 'tel', 'url', 'time', 'month', 'color', 'range'];
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

function choices(r: Rand, n: number, numeric: boolean): any[] {
  return Array.from({ length: n }, (_, i) =>
    numeric
      ? chance(r, 0.5)
        ? i + 1
        : { value: i + 1, text: nlen(`keuze ${i + 1}`, `choice ${i + 1}`) }
      : `c${i + 1}`,
  );
}

/** One question of a type, named `name`; `earlier` are names of earlier single-choice questions (for conditions). */
function question(r: Rand, type: string, name: string, earlier: Json[]): Json {
  const q: Json = { type, name, title: nlen(`Vraag ${name}`, `Question ${name}`) };
  const ref = earlier.length ? pick(r, earlier) : null;
  const cond = () => (ref ? `{${ref.name}} = ${ref.probe}` : undefined);
  if (chance(r, 0.35)) q.isRequired = true;
  if (ref && chance(r, 0.3)) q.visibleIf = cond();
  if (ref && chance(r, 0.1)) q.requiredIf = cond();
  if (ref && chance(r, 0.05)) q.enableIf = cond();
  const numeric = chance(r, 0.7);
  switch (type) {
    case 'radiogroup':
    case 'dropdown':
    case 'checkbox':
    case 'tagbox':
      q.choices = choices(r, 2 + Math.floor(r() * 4), numeric);
      if (chance(r, 0.25)) q.showOtherItem = true;
      if (chance(r, 0.2)) q.showNoneItem = true;
      if (type === 'checkbox' && chance(r, 0.2)) q.maxSelectedChoices = 2;
      if (type === 'checkbox' && chance(r, 0.15)) q.minSelectedChoices = 2;
      if (ref && chance(r, 0.15))
        q.choicesVisibleIf = `{item} <> ${JSON.stringify(numeric ? 2 : 'c2')} or {${ref.name}} = ${ref.probe}`;
      if (ref && numeric && chance(r, 0.1)) q.choices[0] = { value: 1, text: 'een', visibleIf: cond() };
      if (chance(r, 0.1)) q.defaultValue = type === 'checkbox' || type === 'tagbox' ? [1] : numeric ? 1 : 'c1';
      break;
    case 'ranking':
      q.choices = choices(r, 3, numeric);
      break;
    case 'imagepicker':
      q.choices = choices(r, 3, true).map((c) => ({ value: typeof c === 'object' ? c.value : c, imageLink: PNG }));
      if (chance(r, 0.4)) q.multiSelect = true;
      break;
    case 'boolean':
      if (chance(r, 0.3)) Object.assign(q, { valueTrue: 'ja', valueFalse: 'nee' });
      if (chance(r, 0.1)) q.defaultValue = true;
      break;
    case 'rating':
      if (chance(r, 0.3)) q.rateValues = [0, 5, 10];
      else q.rateMax = pick(r, [5, 7, 10]);
      break;
    case 'text': {
      q.inputType = pick(r, INPUT_TYPES);
      if (q.inputType === 'number') {
        if (chance(r, 0.5)) Object.assign(q, { min: 0, max: 20 });
        if (chance(r, 0.3))
          q.validators = [
            { type: 'numeric', minValue: 1, maxValue: 15, ...(chance(r, 0.5) ? { notificationType: 'warning' } : {}) },
          ];
      } else if (q.inputType === 'text') {
        if (chance(r, 0.3)) q.maxLength = 8;
        if (chance(r, 0.2))
          q.validators = [{ type: 'text', minLength: 3, ...(chance(r, 0.5) ? { notificationType: 'warning' } : {}) }];
        if (chance(r, 0.15)) q.defaultValue = pick(r, [5, 'begin']); // a numeric default is stored as a number
      }
      if (q.inputType === 'range') Object.assign(q, { min: 0, max: 10 });
      break;
    }
    case 'comment':
      if (chance(r, 0.3)) q.maxLength = 20;
      break;
    case 'multipletext':
      q.items = [
        { name: 'voornaam', isRequired: chance(r, 0.3) },
        { name: 'leeftijd', inputType: 'number' },
      ];
      break;
    case 'matrix':
      q.rows = ['a', 'b', 'c'];
      q.columns = choices(r, 3, true);
      if (chance(r, 0.3)) q.eachRowRequired = true;
      if (chance(r, 0.15)) q.cellType = 'checkbox';
      if (ref && chance(r, 0.15)) q.rowsVisibleIf = `{item} <> 'c' or {${ref.name}} = ${ref.probe}`;
      break;
    case 'matrixdropdown':
      q.rows = ['r1', 'r2'];
      q.columns = [
        { name: 'soort', cellType: 'dropdown', choices: [1, 2, 3], isRequired: chance(r, 0.3) },
        { name: 'aantal', cellType: 'text', inputType: 'number' },
        { name: 'ok', cellType: 'boolean' },
      ];
      break;
    case 'matrixdynamic':
      q.columns = [
        { name: 'naam', cellType: 'text', isRequired: chance(r, 0.4) },
        { name: 'keuze', cellType: 'radiogroup', choices: [1, 2] },
      ];
      q.rowCount = 1;
      q.maxRowCount = 3;
      break;
    case 'paneldynamic':
      q.templateElements = [
        { type: 'text', name: 'wie', isRequired: chance(r, 0.5) },
        { type: 'dropdown', name: 'rol', choices: [1, 2, 3] },
        { type: 'comment', name: 'toelichting', visibleIf: '{panel.rol} = 3' },
      ];
      q.panelCount = 1;
      q.maxPanelCount = 3;
      if (chance(r, 0.3)) q.minPanelCount = 1;
      break;
    case 'signaturepad':
      break;
    case 'file':
      q.maxSize = 10_000;
      if (chance(r, 0.3)) q.allowMultiple = true;
      break;
    case 'expression': {
      delete q.isRequired;
      const nums = earlier.filter((e) => e.numeric);
      q.expression = nums.length ? nums.map((e) => `{${e.name}}`).join(' + ') : 'iif({x} notempty, 1, 0)';
      break;
    }
    case 'html':
      delete q.isRequired;
      q.html = nlen('<p>uitleg</p>', '<p>explanation</p>');
      break;
  }
  return q;
}

/** A generated definition: 1–4 pages of 2–6 questions, conditions on earlier answers, survey-level features. */
export function generateDefinition(r: Rand, index: number): Json {
  const pages: Json[] = [];
  const earlier: Json[] = [];
  const all: Json[] = [];
  const nPages = 1 + Math.floor(r() * 4);
  let n = 0;
  for (let p = 0; p < nPages; p++) {
    const elements: Json[] = [];
    const nq = 2 + Math.floor(r() * 5);
    for (let i = 0; i < nq; i++) {
      const type = pick(r, TYPES);
      const q = question(r, type, `q${index}_${n++}`, earlier);
      all.push(q);
      if ((type === 'radiogroup' || type === 'dropdown') && !q.visibleIf) {
        const first = q.choices[0];
        earlier.push({
          name: q.name,
          probe: JSON.stringify(typeof first === 'object' ? first.value : first),
          numeric: typeof (typeof first === 'object' ? first.value : first) === 'number',
        });
      }
      if (type === 'text' && q.inputType === 'number') earlier.push({ name: q.name, probe: 3, numeric: true });
      if (chance(r, 0.1))
        elements.push({
          type: 'panel',
          name: `pn${index}_${n}`,
          elements: [q],
          ...(chance(r, 0.3) && earlier.length ? { visibleIf: `{${earlier[0].name}} = ${earlier[0].probe}` } : {}),
        });
      else elements.push(q);
    }
    const page: Json = { name: `p${p}`, elements };
    if (p > 0 && earlier.length && chance(r, 0.2)) page.visibleIf = `{${earlier[0].name}} <> ${earlier[0].probe}`;
    pages.push(page);
  }
  const survey: Json = {};
  const root = pick(r, ['pages', 'pages', 'pages', 'elements', 'questions']);
  if (root === 'pages') survey.pages = pages;
  else survey[root] = pages.flatMap((p) => p.elements);
  if (root === 'pages' && pages.length > 1 && chance(r, 0.15)) survey.firstPageIsStartPage = true;
  const nums = earlier.filter((e) => e.numeric);
  if (nums.length && chance(r, 0.3))
    survey.calculatedValues = [
      { name: 'som', expression: nums.map((e) => `{${e.name}}`).join(' + '), includeIntoResult: chance(r, 0.5) },
    ];
  if (earlier.length && chance(r, 0.2)) {
    const target = all.find((q) => q.type === 'comment' || (q.type === 'text' && q.inputType === 'text'));
    if (target)
      survey.triggers = [
        {
          type: 'setvalue',
          expression: `{${earlier[0].name}} = ${earlier[0].probe}`,
          setToName: target.name,
          setValue: 'gezet',
        },
      ];
  }
  if (earlier.length && chance(r, 0.1))
    (survey.triggers ??= []).push({ type: 'complete', expression: `{${earlier[0].name}} = ${earlier[0].probe}` });
  if (chance(r, 0.1)) survey.clearInvisibleValues = 'none';
  return survey;
}

// ------------------------------------------------------------------------------------- the browser, simulated

const TEXTS = ['Hallo', 'ab', 'Een wat langere toelichting op het antwoord', 'x@y.nl', '  '];

function valueFor(q: any, r: Rand): unknown {
  const type: string = q.getType();
  const vis = () => (q.visibleChoices as any[]).filter((c) => c !== q.selectAllItem);
  switch (type) {
    case 'radiogroup':
    case 'dropdown':
      return pick(r, vis()).value;
    case 'checkbox':
    case 'tagbox': {
      const list = vis().filter((c) => !c.isExclusive && c !== q.noneItem);
      if (q.noneItem && vis().includes(q.noneItem) && chance(r, 0.15)) return [q.noneItem.value];
      const k = 1 + Math.floor(r() * Math.min(list.length, Number(q.maxSelectedChoices) || 3));
      return [...list]
        .sort(() => r() - 0.5)
        .slice(0, k)
        .map((c) => c.value);
    }
    case 'ranking':
      return [...vis()].sort(() => r() - 0.5).map((c) => c.value);
    case 'imagepicker':
      return q.multiSelect ? [pick(r, vis()).value] : pick(r, vis()).value;
    case 'boolean':
      return chance(r, 0.5) ? q.getValueTrue() : q.getValueFalse();
    case 'rating':
      return pick<any>(r, q.visibleRateValues).value;
    case 'text':
      switch (q.inputType) {
        case 'number':
          return Math.floor(r() * 22) - 1;
        case 'range':
          return Math.floor(r() * 11);
        case 'email':
          return pick(r, ['a@b.nl', 'geen-adres']);
        case 'date':
          return '2024-05-01';
        case 'time':
          return '10:30';
        case 'month':
          return '2024-05';
        case 'color':
          return '#aabbcc';
        case 'url':
          return 'https://example.org';
        case 'tel':
          return '0612345678';
        default: {
          const t = pick(r, TEXTS);
          return q.maxLength > 0 ? t.slice(0, q.maxLength) : t;
        }
      }
    case 'comment': {
      const t = pick(r, TEXTS);
      return q.maxLength > 0 ? t.slice(0, q.maxLength) : t;
    }
    case 'signaturepad':
      return PNG;
    case 'file':
      return [{ name: 'notitie.txt', type: 'text/plain', content: 'data:text/plain;base64,aGFsbG8=' }];
    default:
      return undefined;
  }
}

/** Answers a question as a respondent would through survey-js-ui (nested questions through their own models). */
function answer(q: any, r: Rand): void {
  const type: string = q.getType();
  if (q.isReadOnly || type === 'expression' || type === 'html') return;
  if (type === 'matrix') {
    const v: Json = {};
    for (const row of q.visibleRows)
      if (chance(r, 0.9))
        v[row.name] =
          q.cellType === 'checkbox' ? [pick<any>(r, q.visibleColumns).value] : pick<any>(r, q.visibleColumns).value;
    q.value = v;
    return;
  }
  if (type === 'multipletext') {
    for (const item of q.items)
      if (chance(r, 0.8)) item.value = item.inputType === 'number' ? Math.floor(r() * 80) : pick(r, TEXTS);
    return;
  }
  if (type === 'matrixdropdown' || type === 'matrixdynamic') {
    if (type === 'matrixdynamic' && chance(r, 0.4) && q.canAddRow) q.addRow(); // the add button, shown below the maximum
    for (const row of q.visibleRows)
      for (const cell of row.cells) if (chance(r, 0.8)) cell.question.value = valueFor(cell.question, r);
    return;
  }
  if (type === 'paneldynamic') {
    if (chance(r, 0.4) && q.canAddPanel) q.addPanel();
    for (const panel of q.panels)
      for (const inner of panel.questions) if (inner.isVisible && chance(r, 0.85)) answer(inner, r);
    return;
  }
  const v = valueFor(q, r);
  if (v === undefined) return;
  q.value = v;
  if (
    q.showOtherItem &&
    (q.value === q.otherItem?.value || (Array.isArray(q.value) && q.value.includes(q.otherItem?.value))) &&
    chance(r, 0.7)
  )
    q.comment = 'iets anders';
}

/**
 * Fills a survey as a browser does: page by page, each visible question answered (sometimes left out, sometimes
 * answered and then changed or cleared), then completed; what survey-core posts is model.data after completion.
 */
export function browserAnswers(survey: Json, r: Rand, skip: number, reuse?: any): Json {
  const model: any = reuse ?? new Model(survey);
  if (reuse) model.clear(true, true);
  model.autoFocusFirstError = false;
  model.onScrollToTop.add((_: unknown, o: any) => (o.cancel = true)); // no DOM here
  if (model.firstPageIsStartPage && model.startPage)
    for (const q of model.startPage.questions) if (q.isVisible && !chance(r, skip)) answer(q, r);
  for (let guard = 0; guard < 20; guard++) {
    const page = model.currentPage;
    if (!page) break;
    for (const q of page.questions) {
      if (!q.isVisible || chance(r, skip)) continue;
      answer(q, r);
      if (chance(r, 0.1)) answer(q, r); // a change of mind
      if (chance(r, 0.03)) q.clearValue();
    }
    if (model.isLastPage || !model.nextPage()) {
      if (!model.isLastPage) {
        // the page has errors: the respondent fixes nothing and skips on (the server gets what it gets)
        const i = model.visiblePages.indexOf(page);
        if (i < 0 || i + 1 >= model.visiblePages.length) break;
        model.currentPage = model.visiblePages[i + 1];
        continue;
      }
      break;
    }
  }
  model.doComplete();
  const data = JSON.parse(JSON.stringify(model.data));
  if (!reuse) model.dispose();
  return data;
}

// ------------------------------------------------------------------------------------------------- mutations

export type Mutation =
  | 'junk name'
  | 'wrong type'
  | 'not a choice'
  | 'missing required'
  | 'invisible value'
  | 'expression value'
  | 'too long'
  | 'empty panels'
  | 'too many panels'
  | 'junk in panel'
  | 'nested type'
  | 'invisible in panel';

/** A mutated copy of a browser's answer set; null when the mutation does not apply to this definition/set. */
export function mutate(
  survey: Json,
  answers: Json,
  r: Rand,
  kind: Mutation,
  reuse?: any,
): { answers: Json; target: string } | null {
  const model: any = reuse ?? new Model(survey);
  model.data = answers;
  const qs: any[] = model
    .getAllQuestions(false, false, false)
    .filter((q: any) => !['html', 'image'].includes(q.getType()));
  const out: Json = JSON.parse(JSON.stringify(answers));
  try {
    switch (kind) {
      case 'junk name':
        out[`bestaat_niet_${Math.floor(r() * 100)}`] = pick(r, [1, 'x', [1], { a: 1 }]);
        return { answers: out, target: Object.keys(out).pop()! };
      case 'wrong type': {
        const q = pick(
          r,
          qs.filter((x) => x.getType() !== 'expression' && x.isVisible),
        );
        if (!q) return null;
        const t = q.getType();
        out[q.getValueName()] = ['checkbox', 'tagbox', 'ranking', 'matrixdynamic', 'paneldynamic', 'file'].includes(t)
          ? 'geen lijst'
          : ['matrix', 'matrixdropdown', 'multipletext'].includes(t)
            ? [1, 2]
            : t === 'text' && (q.inputType === 'number' || q.inputType === 'range')
              ? 'twaalf'
              : { a: 1 };
        return { answers: out, target: q.name };
      }
      case 'not a choice': {
        const q = pick(
          r,
          qs.filter(
            (x) =>
              ['radiogroup', 'dropdown', 'rating', 'boolean'].includes(x.getType()) &&
              x.isVisible &&
              !(x.showOtherItem && x.storeOthersAsComment === false),
          ),
        );
        if (!q) return null;
        out[q.getValueName()] = 4242;
        return { answers: out, target: q.name };
      }
      case 'too long': {
        const q = pick(
          r,
          qs.filter((x) => x.getType() === 'comment' && x.isVisible),
        );
        if (!q) return null;
        out[q.getValueName()] = 'x'.repeat(Number(q.maxLength) > 0 ? Number(q.maxLength) + 1 : 10_001);
        return { answers: out, target: q.name };
      }
      case 'missing required': {
        const q = pick(
          r,
          qs.filter((x) => x.isRequired && x.isVisible && x.getValueName() in out),
        );
        if (!q) return null;
        delete out[q.getValueName()];
        return { answers: out, target: q.name };
      }
      case 'invisible value': {
        const q = pick(
          r,
          qs.filter(
            (x) =>
              !x.isVisible &&
              ![
                'expression',
                'paneldynamic',
                'matrixdynamic',
                'matrixdropdown',
                'multipletext',
                'file',
                'signaturepad',
              ].includes(x.getType()),
          ),
        );
        if (!q) return null;
        const v = valueFor(q, r);
        if (v === undefined) return null;
        out[q.getValueName()] = v;
        return { answers: out, target: q.name };
      }
      case 'empty panels': {
        // a dynamic panel or matrix answered with one empty entry: survey-core shows one panel (or row) to fill in
        const q = pick(
          r,
          qs.filter((x) => (x.getType() === 'paneldynamic' || x.getType() === 'matrixdynamic') && x.isVisible),
        );
        if (!q) return null;
        out[q.getValueName()] = [{}];
        return { answers: out, target: q.name };
      }
      case 'too many panels': {
        // one more panel than the maximum (or one more row than the matrix has)
        const q = pick(
          r,
          qs.filter((x) => x.getType() === 'paneldynamic' || x.getType() === 'matrixdropdown'),
        );
        if (!q) return null;
        if (q.getType() === 'paneldynamic')
          out[q.getValueName()] = Array.from({ length: Number(q.maxPanelCount) + 1 }, () => ({}));
        else out[q.getValueName()] = Object.fromEntries([...q.rows.map((row: any) => [row.value, {}]), ['extra', {}]]);
        return { answers: out, target: q.name };
      }
      case 'junk in panel': {
        // an unknown name inside a panel or a matrix row
        const q = pick(
          r,
          qs.filter((x) => x.getType() === 'paneldynamic' || x.getType() === 'matrixdropdown'),
        );
        if (!q) return null;
        const name = q.getValueName();
        if (q.getType() === 'paneldynamic')
          out[name] = [...(Array.isArray(out[name]) ? out[name] : []), { bestaat_niet: 1 }].slice(
            -Number(q.maxPanelCount),
          );
        else
          out[name] = {
            ...(out[name] ?? {}),
            [q.rows[0].value]: { ...(out[name]?.[q.rows[0].value] ?? {}), bestaat_niet: 1 },
          };
        return { answers: out, target: q.name };
      }
      case 'invisible in panel': {
        // a panel's answer to a question its own condition hides ({panel.rol} = 1): dropped on completion
        const q = pick(
          r,
          qs.filter((x) => x.getType() === 'paneldynamic' && x.isVisible && x.template.getQuestionByName('actief')),
        );
        if (!q) return null;
        const name = q.getValueName();
        const list = Array.isArray(out[name]) && out[name].length ? out[name] : [{}];
        const i = Math.floor(r() * list.length);
        list[i] = { ...list[i], rol: pick(r, [2, 3, 4]), actief: pick(r, [true, false]) };
        out[name] = list;
        return { answers: out, target: q.name };
      }
      case 'nested type': {
        // a wrong type inside a panel or a matrix cell: text for a number, a number outside the choices, an object
        const q = pick(
          r,
          qs.filter((x) => x.getType() === 'paneldynamic' || x.getType() === 'matrixdropdown'),
        );
        if (!q) return null;
        const name = q.getValueName();
        const [num, choice] = q.getType() === 'paneldynamic' ? ['jaren', 'rol'] : ['bedrag', 'soort'];
        const key = pick(r, [num, choice]);
        const bad =
          key === num
            ? pick<unknown>(r, ['twaalf', { a: 1 }, [1], true])
            : pick<unknown>(r, [4242, 'twaalf', { a: 1 }, [1]]);
        if (q.getType() === 'paneldynamic')
          out[name] = [{ ...(Array.isArray(out[name]) && out[name][0] ? out[name][0] : {}), [key]: bad }];
        else out[name] = { ...(out[name] ?? {}), [q.rows[0].value]: { [key]: bad } };
        return { answers: out, target: q.name };
      }
      case 'expression value': {
        const q = pick(
          r,
          qs.filter((x) => x.getType() === 'expression'),
        );
        if (!q) return null;
        out[q.getValueName()] = 999_999;
        return { answers: out, target: q.name };
      }
    }
    return null;
  } finally {
    if (!reuse) model.dispose();
  }
}

/** A definition the compiled validator models (compiled-subset.ts): the generator's output without the rest. */
export function generateCompiledSubset(r: Rand, index: number): Json {
  const allowed = new Set([
    'type',
    'name',
    'title',
    'description',
    'isRequired',
    'visibleIf',
    'choices',
    'maxLength',
    'inputType',
    'min',
    'max',
    'columns',
    'rows',
    'eachRowRequired',
    'isAllRowRequired',
    'elements',
    'html',
  ]);
  const types = ['radiogroup', 'dropdown', 'checkbox', 'comment', 'text', 'matrix', 'html'];
  const pages: Json[] = [];
  const earlier: Json[] = [];
  let n = 0;
  for (let p = 0; p < 1 + Math.floor(r() * 3); p++) {
    const elements: Json[] = [];
    for (let i = 0; i < 2 + Math.floor(r() * 5); i++) {
      const q = question(r, pick(r, types), `k${index}_${n++}`, earlier);
      for (const k of Object.keys(q)) if (!allowed.has(k)) delete q[k];
      if (q.type === 'text' && q.inputType !== 'number') {
        q.inputType = 'text';
        delete q.min;
        delete q.max;
      }
      if (Array.isArray(q.choices))
        q.choices = q.choices.map((c: any) => (typeof c === 'object' ? { value: c.value, text: c.text } : c));
      if (q.type === 'radiogroup' || q.type === 'dropdown') {
        const first = typeof q.choices[0] === 'object' ? q.choices[0].value : q.choices[0];
        earlier.push({ name: q.name, probe: JSON.stringify(first), numeric: typeof first === 'number' });
      }
      elements.push(chance(r, 0.1) ? { type: 'panel', name: `kp${index}_${n}`, elements: [q] } : q);
    }
    pages.push({
      name: `p${p}`,
      elements,
      ...(p > 0 && earlier.length && chance(r, 0.2)
        ? { visibleIf: `{${earlier[0].name}} <> ${earlier[0].probe}` }
        : {}),
    });
  }
  return { pages };
}

/**
 * A definition with what the compiled validator models beyond the monitor's subset (compiled-subset.ts): calculated
 * values and expression questions (sums, round, iif, sumInArray) with conditions on their results, dynamic panels
 * (required questions, `{panel.x}` conditions, number bounds, a minimum and a maximum count), matrices of dropdowns
 * (number cells with bounds, dropdown cells), checkboxes with a none item, booleans and comments with a maxLength.
 */
export function generateCompiledNested(r: Rand, index: number): Json {
  const p = (s: string) => `n${index}_${s}`;
  const nums: string[] = [];
  const pages: Json[] = [];
  // page 1: rated questions (numeric single choices), a number, a boolean, a checkbox with a none item
  const items: Json[] = [];
  const nItems = 2 + Math.floor(r() * 5);
  for (let i = 0; i < nItems; i++) {
    const q: Json = {
      type: pick(r, ['radiogroup', 'dropdown']),
      name: p(`v${i}`),
      choices: choices(r, 3 + Math.floor(r() * 3), true),
    };
    if (chance(r, 0.6)) q.isRequired = true;
    if (i > 0 && chance(r, 0.2)) q.visibleIf = `{${p('v0')}} <> 1`;
    items.push(q);
    nums.push(q.name);
  }
  if (chance(r, 0.6)) {
    items.push({
      type: 'text',
      name: p('getal'),
      inputType: 'number',
      ...(chance(r, 0.6) ? { min: 0, max: 20 } : {}),
      ...(chance(r, 0.3) ? { isRequired: true } : {}),
    });
    nums.push(p('getal'));
  }
  if (chance(r, 0.5))
    items.push({ type: 'boolean', name: p('akkoord'), ...(chance(r, 0.4) ? { isRequired: true } : {}) });
  if (chance(r, 0.6))
    items.push({
      type: 'checkbox',
      name: p('kanalen'),
      choices: choices(r, 3 + Math.floor(r() * 3), chance(r, 0.7)),
      showNoneItem: true,
      ...(chance(r, 0.3) ? { isRequired: true } : {}),
    });
  pages.push({ name: 'p_items', elements: items });
  // page 2: expressions over the items, a comment shown on a score
  const calcs = chance(r, 0.7) ? [{ name: p('totaal'), expression: nums.map((n) => `{${n}}`).join(' + ') }] : [];
  const sum = calcs.length ? `{${calcs[0].name}}` : nums.map((n) => `{${n}}`).join(' + ');
  const threshold = Math.floor(nums.length * pick(r, [1.5, 2.5, 3.5]));
  const score: Json[] = [
    { type: 'expression', name: p('score'), expression: sum },
    { type: 'expression', name: p('gemiddelde'), expression: `round((${sum}) / ${nums.length}, 2)` },
  ];
  if (chance(r, 0.4))
    score.push({ type: 'expression', name: p('hoog'), expression: `iif({${p('score')}} > ${threshold}, 'ja', 'nee')` });
  score.push({
    type: 'comment',
    name: p('toelichting'),
    visibleIf: `{${p('score')}} > ${threshold}`,
    ...(chance(r, 0.7) ? { maxLength: pick(r, [10, 30, 500]) } : {}),
    ...(chance(r, 0.3) ? { isRequired: true } : {}),
  });
  pages.push({ name: 'p_score', elements: score });
  // page 3: a dynamic panel
  if (chance(r, 0.8)) {
    const template: Json[] = [
      {
        type: 'text',
        name: 'naam',
        ...(chance(r, 0.6) ? { isRequired: true } : {}),
        ...(chance(r, 0.5) ? { maxLength: 8 } : {}),
      },
      {
        type: pick(r, ['dropdown', 'radiogroup']),
        name: 'rol',
        choices: chance(r, 0.3)
          ? [1, 2, 3, 4].map((v) => ({ value: v, text: nlen(`rol ${v}`, `role ${v}`) }))
          : [1, 2, 3, 4],
        ...(chance(r, 0.6) ? { isRequired: true } : {}),
      },
      { type: 'text', name: 'jaren', inputType: 'number', ...(chance(r, 0.7) ? { min: 0, max: 15 } : {}) },
      { type: 'boolean', name: 'actief', visibleIf: '{panel.rol} = 1' },
    ];
    if (chance(r, 0.4))
      template.push({
        type: 'comment',
        name: 'uitleg',
        visibleIf: `{panel.rol} = 2 and {${p('v0')}} > 1`,
        ...(chance(r, 0.5) ? { isRequired: true } : {}),
      });
    if (chance(r, 0.3)) template.push({ type: 'checkbox', name: 'taken', choices: [1, 2, 3], showNoneItem: true });
    const pd: Json = {
      type: 'paneldynamic',
      name: p('personen'),
      templateElements: template,
      maxPanelCount: pick(r, [2, 3, 6]),
    };
    if (chance(r, 0.5)) pd.minPanelCount = 1;
    if (chance(r, 0.2)) pd.visibleIf = `{${p('v0')}} <> 2`;
    const people: Json = {
      name: 'p_people',
      elements: [chance(r, 0.15) ? { type: 'panel', name: p('groep'), elements: [pd] } : pd],
    };
    if (chance(r, 0.15)) people.visibleIf = `{${p('v0')}} <> 3`;
    if (chance(r, 0.15))
      pages.unshift(people); // the page shown first: survey-core writes no minimum of panels there
    else pages.push(people);
  }
  // page 4: a matrix of dropdowns and its sum
  if (chance(r, 0.8)) {
    const md: Json = {
      type: 'matrixdropdown',
      name: p('kosten'),
      rows: ['huur', 'reis', 'overig']
        .slice(0, 2 + Math.floor(r() * 2))
        .map((v) => (chance(r, 0.3) ? { value: v, text: nlen(`rij ${v}`, `row ${v}`) } : v)),
      columns: [
        {
          name: 'bedrag',
          cellType: 'text',
          inputType: 'number',
          ...(chance(r, 0.7) ? { min: 0 } : {}),
          ...(chance(r, 0.3) ? { max: 15 } : {}),
        },
        {
          name: 'soort',
          cellType: 'dropdown',
          choices: chance(r, 0.3) ? [{ value: 1, text: nlen('een', 'one') }, 2, 3] : [1, 2, 3],
        },
        ...(chance(r, 0.3)
          ? [{ name: 'notitie', cellType: 'text', ...(chance(r, 0.5) ? { inputType: 'text' } : {}) }]
          : []),
      ],
    };
    if (chance(r, 0.2)) md.visibleIf = `{${p('score')}} > ${threshold}`;
    pages.push({
      name: 'p_costs',
      elements: [
        md,
        { type: 'expression', name: p('kosten_totaal'), expression: `sumInArray({${md.name}}, 'bedrag')` },
      ],
    });
  }
  const survey: Json = { pages };
  if (calcs.length) survey.calculatedValues = calcs;
  return survey;
}
