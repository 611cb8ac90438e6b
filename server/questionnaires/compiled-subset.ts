// The allow-list of the compiled validator (answer-validator.ts): the properties, per element type, whose rules it
// models. A definition that uses only these (the monitor's versions do) is validated by the compiled path, which
// test/questionnaires/differential.slow.test.ts proves equal to survey-core on its corpus; anything else (a property
// not listed, a type not listed, a default, a function not listed) goes to survey-core itself (verdict-pool.ts).
// Expressions (calculated values, expression questions) are modelled where their values can be recomputed in order:
// each refers only to questions, calculated values before it and expression questions before it, with the functions
// listed; expression questions stand on a page without a condition, never hidden (survey-core clears hidden ones).
/* eslint-disable @typescript-eslint/no-explicit-any */
import { ExpressionRunner } from 'survey-core';

const TEXT_KEYS = new Set(['nl', 'en', 'default']);
const COMMON = ['type', 'name', 'title', 'description', 'isRequired', 'visibleIf'];
const ELEMENT_KEYS: Record<string, Set<string>> = {
  radiogroup: new Set([...COMMON, 'choices']),
  dropdown: new Set([...COMMON, 'choices']),
  checkbox: new Set([...COMMON, 'choices', 'showNoneItem']),
  boolean: new Set(COMMON),
  comment: new Set([...COMMON, 'maxLength']),
  text: new Set([...COMMON, 'inputType', 'min', 'max', 'maxLength']),
  matrix: new Set([...COMMON, 'columns', 'rows', 'isAllRowRequired', 'eachRowRequired']),
  panel: new Set(['type', 'name', 'title', 'description', 'visibleIf', 'elements']),
  html: new Set(['type', 'name', 'title', 'visibleIf', 'html']),
  expression: new Set(['type', 'name', 'title', 'description', 'expression']),
  paneldynamic: new Set([
    'type',
    'name',
    'title',
    'description',
    'visibleIf',
    'templateElements',
    'minPanelCount',
    'maxPanelCount',
  ]),
  matrixdropdown: new Set(['type', 'name', 'title', 'description', 'visibleIf', 'rows', 'columns']),
};
/** types a dynamic panel's template may hold */
const INNER_TYPES = new Set(['radiogroup', 'dropdown', 'checkbox', 'comment', 'text', 'boolean']);
const COLUMN_KEYS = new Set(['name', 'title', 'cellType', 'choices', 'inputType', 'min', 'max']);
const FUNCTIONS = new Set([
  'round',
  'trunc',
  'iif',
  'sum',
  'min',
  'max',
  'avg',
  'sumInArray',
  'countInArray',
  'minInArray',
  'maxInArray',
  'avgInArray',
]);
const ROOT_KEYS = new Set(['title', 'description', 'showQuestionNumbers', 'pages', 'calculatedValues']);
const PAGE_KEYS = new Set(['name', 'title', 'description', 'visibleIf', 'elements']);
const ITEM_KEYS = new Set(['value', 'text', 'isExclusive']);

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown) =>
  typeof v === 'string' || (isObject(v) && Object.keys(v).every((k) => TEXT_KEYS.has(k) && typeof v[k] === 'string'));
const onlyKeys = (o: Record<string, unknown>, keys: Set<string>) => Object.keys(o).every((k) => keys.has(k));

function items(list: unknown, exclusive: boolean): boolean {
  if (list === undefined) return true;
  if (!Array.isArray(list)) return false;
  return list.every(
    (c) =>
      typeof c === 'number' ||
      (typeof c === 'string' && c !== '') ||
      (isObject(c) &&
        onlyKeys(c, ITEM_KEYS) &&
        (typeof c.value === 'number' || typeof c.value === 'string') &&
        (c.text === undefined || isText(c.text)) &&
        (c.isExclusive === undefined || (exclusive && c.isExclusive === true))),
  );
}

/** Where an element stands: on a page (`page`, with or without a condition) or inside a panel or a dynamic panel. */
interface Place {
  inPanel: boolean;
  pageCondition: boolean;
  inTemplate: boolean;
}

const isName = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v);
const isCount = (v: unknown) => v === undefined || (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 100);
const isNum = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v));

function column(c: unknown): boolean {
  if (!isObject(c) || !onlyKeys(c, COLUMN_KEYS) || !isName(c.name)) return false;
  if (c.title !== undefined && !isText(c.title)) return false;
  if (c.cellType === 'dropdown')
    return (
      c.inputType === undefined &&
      c.min === undefined &&
      c.max === undefined &&
      Array.isArray(c.choices) &&
      c.choices.length > 0 &&
      items(c.choices, false)
    );
  if (c.cellType !== 'text' || c.choices !== undefined) return false;
  if (c.inputType === 'number') return isNum(c.min) && isNum(c.max);
  return (c.inputType === undefined || c.inputType === 'text') && c.min === undefined && c.max === undefined;
}

function element(e: unknown, at: Place): boolean {
  if (!isObject(e) || typeof e.type !== 'string') return false;
  const keys = ELEMENT_KEYS[e.type];
  if (!keys || !onlyKeys(e, keys)) return false;
  if (at.inTemplate && !INNER_TYPES.has(e.type)) return false;
  if (!isName(e.name) || ['panel', 'panelindex'].includes(e.name.toLowerCase())) return false;
  if (e.title !== undefined && !isText(e.title)) return false;
  if (e.description !== undefined && !isText(e.description)) return false;
  if (e.visibleIf !== undefined && typeof e.visibleIf !== 'string') return false;
  if (e.isRequired !== undefined && typeof e.isRequired !== 'boolean') return false;
  if (e.type === 'text' && e.inputType !== undefined && e.inputType !== 'number' && e.inputType !== 'text')
    return false;
  if (e.type === 'text' && e.inputType !== 'number' && (e.min !== undefined || e.max !== undefined)) return false;
  if (e.type === 'text' && (!isNum(e.min) || !isNum(e.max))) return false;
  if (e.showNoneItem !== undefined && typeof e.showNoneItem !== 'boolean') return false;
  if (e.type === 'panel')
    return Array.isArray(e.elements) && e.elements.every((x) => element(x, { ...at, inPanel: true }));
  if (e.type === 'expression')
    return !at.inPanel && !at.pageCondition && typeof e.expression === 'string' && e.expression.trim() !== '';
  if (e.type === 'paneldynamic') {
    const names = Array.isArray(e.templateElements) ? e.templateElements.map((x: any) => x?.name) : [];
    return (
      isCount(e.minPanelCount) &&
      isCount(e.maxPanelCount) &&
      e.maxPanelCount !== 0 &&
      (e.minPanelCount ?? 0) <= (e.maxPanelCount ?? 100) &&
      names.length > 0 &&
      new Set(names).size === names.length &&
      e.templateElements.every((x: unknown) => element(x, { ...at, inPanel: true, inTemplate: true }))
    );
  }
  if (e.type === 'matrixdropdown') {
    const names = Array.isArray(e.columns) ? e.columns.map((x: any) => x?.name) : [];
    const rows = Array.isArray(e.rows) ? e.rows.map((r: any) => String(isObject(r) ? r.value : r)) : [];
    return (
      rows.length > 0 &&
      items(e.rows, false) &&
      new Set(rows).size === rows.length &&
      names.length > 0 &&
      new Set(names).size === names.length &&
      e.columns.every(column)
    );
  }
  return items(e.choices, e.type === 'checkbox') && items(e.rows, false) && items(e.columns, false);
}

/** The top-level questions of the pages, in definition order (panels opened). */
function questionsOf(elements: any[], out: any[] = []): any[] {
  for (const e of elements) {
    if (e.type === 'panel') questionsOf(e.elements, out);
    else out.push(e);
  }
  return out;
}

/** Can the expression be recomputed from `known` names alone, with the listed functions only? */
function recomputable(expression: unknown, known: Set<string>): boolean {
  if (typeof expression !== 'string' || !expression.trim()) return false;
  const runner = new ExpressionRunner(expression);
  if (!runner.canRun()) return false;
  const functions = [...expression.replace(/'[^']*'|"[^"]*"/g, '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map(
    (m) => m[1],
  );
  if (!functions.every((f) => FUNCTIONS.has(f))) return false;
  return runner.getVariables().every((v) => known.has(v.split(/[.[]/)[0]));
}

/** Does the definition use only what the compiled validator models? */
export function usesOnlyCompiledFeatures(survey: unknown): boolean {
  if (!isObject(survey) || !onlyKeys(survey, ROOT_KEYS) || !Array.isArray(survey.pages)) return false;
  const pagesOk = survey.pages.every(
    (p: unknown) =>
      isObject(p) &&
      onlyKeys(p, PAGE_KEYS) &&
      Array.isArray(p.elements) &&
      p.elements.every((e: unknown) =>
        element(e, { inPanel: false, pageCondition: p.visibleIf !== undefined, inTemplate: false }),
      ),
  );
  if (!pagesOk) return false;
  // names: unique; expressions: recomputable in order (calculated values first, then expression questions)
  const questions = questionsOf(survey.pages.flatMap((p: any) => p.elements));
  const names = questions.filter((q) => q.type !== 'html').map((q) => q.name as string);
  const calcs = survey.calculatedValues ?? [];
  if (!Array.isArray(calcs)) return false;
  if (!calcs.every((cv: unknown) => isObject(cv) && onlyKeys(cv, new Set(['name', 'expression'])) && isName(cv.name)))
    return false;
  const all = [...names, ...calcs.map((cv: any) => cv.name as string)];
  if (new Set(all.map((n) => n.toLowerCase())).size !== all.length) return false;
  const known = new Set(
    questions.filter((q) => q.type !== 'html' && q.type !== 'expression').map((q) => q.name as string),
  );
  for (const cv of calcs) if (!recomputable(cv.expression, known)) return false;
  for (const cv of calcs) known.add(cv.name);
  for (const q of questions) {
    if (q.type !== 'expression') continue;
    if (!recomputable(q.expression, known)) return false;
    known.add(q.name);
  }
  return true;
}
