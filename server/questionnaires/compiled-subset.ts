// The allow-list of the compiled validator (answer-validator.ts): the properties, per element type, whose rules it
// models. A definition that uses only these (the monitor's versions do) is validated by the compiled path, which
// test/questionnaires/differential.slow.test.ts proves equal to survey-core on its corpus; anything else (a property
// not listed, a type not listed, a default, an expression question) goes to survey-core itself (verdict-pool.ts).
/* eslint-disable @typescript-eslint/no-explicit-any */
const TEXT_KEYS = new Set(['nl', 'en', 'default']);
const COMMON = ['type', 'name', 'title', 'description', 'isRequired', 'visibleIf'];
const ELEMENT_KEYS: Record<string, Set<string>> = {
  radiogroup: new Set([...COMMON, 'choices']),
  dropdown: new Set([...COMMON, 'choices']),
  checkbox: new Set([...COMMON, 'choices']),
  comment: new Set([...COMMON, 'maxLength']),
  text: new Set([...COMMON, 'inputType', 'min', 'max', 'maxLength']),
  matrix: new Set([...COMMON, 'columns', 'rows', 'isAllRowRequired', 'eachRowRequired']),
  panel: new Set(['type', 'name', 'title', 'description', 'visibleIf', 'elements']),
  html: new Set(['type', 'name', 'title', 'visibleIf', 'html']),
};
const ROOT_KEYS = new Set(['title', 'description', 'showQuestionNumbers', 'pages']);
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

function element(e: unknown): boolean {
  if (!isObject(e) || typeof e.type !== 'string') return false;
  const keys = ELEMENT_KEYS[e.type];
  if (!keys || !onlyKeys(e, keys)) return false;
  if (e.title !== undefined && !isText(e.title)) return false;
  if (e.description !== undefined && !isText(e.description)) return false;
  if (e.visibleIf !== undefined && typeof e.visibleIf !== 'string') return false;
  if (e.isRequired !== undefined && typeof e.isRequired !== 'boolean') return false;
  if (e.type === 'text' && e.inputType !== undefined && e.inputType !== 'number' && e.inputType !== 'text') return false;
  if (e.type === 'text' && e.inputType !== 'number' && (e.min !== undefined || e.max !== undefined)) return false;
  if (e.type === 'panel') return Array.isArray(e.elements) && e.elements.every(element);
  return items(e.choices, e.type === 'checkbox') && items(e.rows, false) && items(e.columns, false);
}

/** Does the definition use only what the compiled validator models? */
export function usesOnlyCompiledFeatures(survey: unknown): boolean {
  if (!isObject(survey) || !onlyKeys(survey, ROOT_KEYS) || !Array.isArray(survey.pages)) return false;
  return survey.pages.every(
    (p: unknown) => isObject(p) && onlyKeys(p, PAGE_KEYS) && Array.isArray(p.elements) && p.elements.every(element),
  );
}
