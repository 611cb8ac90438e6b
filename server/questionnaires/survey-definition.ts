// The check a SurveyJS definition gets before it is registered (at start, from the CLI, from an upload): accepted as
// SurveyJS accepts it (root `pages`, `elements` or the legacy `questions`; every question type of survey-core
// 2.5.38), refused only where it cannot be served safely or cannot be judged, each refusal with its JSON path and a
// reason. Pure: no database.
import { ExpressionRunner, JsonMetadataClass, JsonObjectProperty, Serializer } from 'survey-core';
import { buildModel, FILE_CAP, NO_VALUE_TYPES } from './survey-verdict';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface DefinitionIssue {
  /** JSON path into the definition, e.g. `pages[2].elements[0].choicesByUrl` */
  path: string;
  reason: string;
}

export interface DefinitionSummary {
  pages: number;
  /** questions that store an answer (nested ones in dynamic panels and matrices counted once) */
  questions: number;
  /** display-only elements (html, image) and expression questions */
  displayOnly: number;
  /** the variables of an export (see questionnaire-model.ts) */
  variables: number;
  /** conditions: visibleIf/enableIf/requiredIf and the like, plus triggers */
  routing: number;
  types: Record<string, number>;
}

export interface DefinitionCheck {
  ok: boolean;
  issues: DefinitionIssue[];
  summary: DefinitionSummary | null;
}

const TEXT_INPUT_TYPES = new Set([
  'text',
  'color',
  'date',
  'datetime-local',
  'email',
  'month',
  'number',
  'password',
  'range',
  'tel',
  'time',
  'url',
  'week',
]);
const CONTAINERS = new Set(['panel', 'page', 'flowpanel']);
const EXPRESSION_KEY = /(If|Expression)$|^expression$/;
const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A URL the respondent's browser would fetch from another origin (absolute, protocol-relative, or not a data: URL). */
function foreign(url: unknown): boolean {
  return (
    typeof url === 'string' &&
    url !== '' &&
    !url.startsWith('data:') &&
    (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('//'))
  );
}

/**
 * survey-core's class of that name, if it has one. Its classes and properties live in plain objects, so a name such as
 * "__proto__" or "constructor" finds Object's prototype or constructor there: only a real class or property counts.
 */
function surveyClass(name: string): JsonMetadataClass | undefined {
  const cls = Serializer.findClass(name);
  return cls instanceof JsonMetadataClass ? cls : undefined;
}

function surveyProperty(cls: string, key: string): JsonObjectProperty | undefined {
  const prop = surveyClass(cls)?.findProperty(key);
  return prop instanceof JsonObjectProperty ? prop : undefined;
}

function isQuestionType(type: string): boolean {
  return !!surveyClass(type) && Serializer.isDescendantOf(type, 'question');
}

/** Every expression in an element (conditions, expression validators, calculated values). */
function expressionIssues(o: Record<string, any>, path: string, issues: DefinitionIssue[]): void {
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== 'string' || !EXPRESSION_KEY.test(k) || !v.trim()) continue;
    const runner = new ExpressionRunner(v);
    if (!runner.canRun()) {
      issues.push({ path: `${path}.${k}`, reason: `"${v}" is not a valid expression` });
      continue;
    }
    const errors =
      (runner as any).validate?.(undefined, { functions: true, variables: false, semantics: false }, true) ?? [];
    if (errors.length)
      issues.push({ path: `${path}.${k}`, reason: `"${v}" calls a function survey-core does not have` });
  }
}

const plainText = (v: unknown) => v === null || typeof v === 'string';
const textList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const TEXT_REASON = 'a text is a string, or an object of strings by language (e.g. {"nl": "…", "en": "…"})';

/** The class survey-core reads an item of a list property as (a question by its type, a validator as "<type>validator"). */
function itemClass(prop: any, item: Record<string, any>): string | undefined {
  if (prop.className) return prop.className;
  if (typeof item.type !== 'string') return undefined;
  const type = item.type.toLowerCase();
  if (prop.classNamePart && surveyClass(type + prop.classNamePart)) return type + prop.classNamePart;
  return surveyClass(type) ? type : undefined;
}

/**
 * Every localizable text (titles, choice texts, descriptions, completedHtml, …) is a string or an object of strings by
 * language: survey-core reads any other value as a string and throws while rendering or judging (a page title
 * {"en": {…}} broke every verdict).
 */
function textIssues(node: Record<string, any>, cls: string, path: string, issues: DefinitionIssue[]): void {
  for (const [key, value] of Object.entries(node)) {
    if (issues.length >= 50) return;
    const at = path ? `${path}.${key}` : key;
    const prop: any =
      surveyProperty(cls, key) ??
      (cls === 'matrixdropdowncolumn'
        ? surveyProperty(typeof node.cellType === 'string' ? node.cellType : 'dropdown', key)
        : undefined);
    if (!prop || value === undefined) continue;
    if (prop.isLocalizable) {
      const list = String(prop.type).endsWith('[]');
      const ok =
        plainText(value) ||
        (list && textList(value)) ||
        (isObject(value) && Object.values(value).every((v) => plainText(v) || (list && textList(v))));
      if (!ok) issues.push({ path: at, reason: TEXT_REASON });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        const itemCls = isObject(item) ? itemClass(prop, item) : undefined;
        if (itemCls) textIssues(item as Record<string, any>, itemCls, `${at}[${i}]`, issues);
      });
    } else if (isObject(value) && prop.className) textIssues(value, prop.className, at, issues);
  }
}

function walkItems(list: unknown, path: string, issues: DefinitionIssue[]): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => {
    if (!isObject(item)) return;
    expressionIssues(item, `${path}[${i}]`, issues);
    if (foreign(item.imageLink))
      issues.push({
        path: `${path}[${i}].imageLink`,
        reason: 'an image from another origin (respondent pages make no requests elsewhere)',
      });
    if (Array.isArray(item.elements)) walkElements(item.elements, `${path}[${i}].elements`, issues, new Map());
  });
}

function walkElement(e: any, path: string, issues: DefinitionIssue[], names: Map<string, string>): void {
  if (!isObject(e)) return void issues.push({ path, reason: 'an element must be a JSON object' });
  const type = typeof e.type === 'string' ? e.type.toLowerCase() : '';
  if (!type) return void issues.push({ path: `${path}.type`, reason: 'an element needs a "type"' });
  expressionIssues(e, path, issues);
  if (CONTAINERS.has(type)) {
    walkElements(e.elements ?? e.questions, `${path}.elements`, issues, names);
    return;
  }
  if (!isQuestionType(type))
    return void issues.push({ path: `${path}.type`, reason: `survey-core 2.5.38 has no question type "${e.type}"` });
  const stores = !NO_VALUE_TYPES.has(type);
  if (typeof e.name !== 'string' || !e.name.trim()) {
    if (stores)
      issues.push({ path: `${path}.name`, reason: `a ${type} question needs a name (its answer is stored under it)` });
  } else if (stores) {
    const key = (typeof e.valueName === 'string' && e.valueName) || e.name;
    const earlier = names.get(e.name.toLowerCase());
    if (earlier && !e.valueName)
      issues.push({ path: `${path}.name`, reason: `the name "${e.name}" is used before, at ${earlier}` });
    else names.set(e.name.toLowerCase(), path);
    void key;
  }
  if (isObject(e.choicesByUrl) && e.choicesByUrl.url)
    issues.push({
      path: `${path}.choicesByUrl`,
      reason: foreign(e.choicesByUrl.url)
        ? 'choices loaded from another origin (respondent pages make no requests elsewhere)'
        : 'choices loaded from a web service (Veldwerk serves none; list the choices in the definition)',
    });
  if (type === 'text' && e.inputType !== undefined && !TEXT_INPUT_TYPES.has(String(e.inputType)))
    issues.push({ path: `${path}.inputType`, reason: `survey-core has no text inputType "${e.inputType}"` });
  if (type === 'image' && foreign(e.imageLink))
    issues.push({
      path: `${path}.imageLink`,
      reason: 'an image from another origin (respondent pages make no requests elsewhere)',
    });
  if (type === 'file' || type === 'signaturepad') {
    if (e.storeDataAsText === false)
      issues.push({
        path: `${path}.storeDataAsText`,
        reason: 'files sent to an upload service (Veldwerk keeps them in the answers: leave storeDataAsText on)',
      });
    if (type === 'file' && Number(e.maxSize) > (FILE_CAP * 3) / 4)
      issues.push({
        path: `${path}.maxSize`,
        reason: `files above ${Math.floor((FILE_CAP * 3) / 4)} bytes do not fit an answer set`,
      });
  }
  for (const list of ['choices', 'rows', 'columns', 'rateValues', 'items', 'validators'])
    walkItems(e[list], `${path}.${list}`, issues);
  if (Array.isArray(e.columns))
    e.columns.forEach((c: any, i: number) => {
      if (isObject(c) && isObject(c.choicesByUrl) && c.choicesByUrl.url)
        issues.push({
          path: `${path}.columns[${i}].choicesByUrl`,
          reason: 'choices loaded from a web service (list them in the definition)',
        });
      if (isObject(c) && Array.isArray(c.choices)) walkItems(c.choices, `${path}.columns[${i}].choices`, issues);
    });
  if (type === 'paneldynamic')
    walkElements(e.templateElements ?? e.questions, `${path}.templateElements`, issues, new Map());
}

function walkElements(list: unknown, path: string, issues: DefinitionIssue[], names: Map<string, string>): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) return void issues.push({ path, reason: 'must be a list of elements' });
  list.forEach((e, i) => walkElement(e, `${path}[${i}]`, issues, names));
}

/** Checks a SurveyJS definition; `summary` is filled when it is accepted. */
export function checkSurveyDefinition(survey: unknown, summarize?: (model: any) => DefinitionSummary): DefinitionCheck {
  const issues: DefinitionIssue[] = [];
  if (!isObject(survey))
    return { ok: false, issues: [{ path: '$', reason: 'a SurveyJS definition is a JSON object' }], summary: null };
  for (const k of ['navigateToUrl', 'navigateToUrlOnCondition'])
    if (survey[k] !== undefined && !(Array.isArray(survey[k]) && survey[k].length === 0))
      issues.push({
        path: k,
        reason: 'sends the respondent to another address after completion (Veldwerk shows its own end page)',
      });
  // survey-core takes the locale as a language code and throws on any other value (while disposing the model, too)
  if (survey.locale !== undefined && survey.locale !== null && typeof survey.locale !== 'string')
    issues.push({ path: 'locale', reason: 'a language code, e.g. "nl" or "en"' });
  for (const k of ['surveyId', 'surveyPostId'])
    if (survey[k])
      issues.push({
        path: k,
        reason: 'loads or posts the survey through the SurveyJS service (respondent pages make no requests elsewhere)',
      });
  const names = new Map<string, string>();
  if (Array.isArray(survey.pages))
    survey.pages.forEach((p: any, i: number) => {
      if (!isObject(p)) return void issues.push({ path: `pages[${i}]`, reason: 'a page must be a JSON object' });
      expressionIssues(p, `pages[${i}]`, issues);
      walkElements(p.elements, `pages[${i}].elements`, issues, names);
      walkElements(p.questions, `pages[${i}].questions`, issues, names);
    });
  else if (survey.pages !== undefined) issues.push({ path: 'pages', reason: 'must be a list of pages' });
  walkElements(survey.elements, 'elements', issues, names);
  walkElements(survey.questions, 'questions', issues, names);
  walkItems(survey.calculatedValues, 'calculatedValues', issues);
  walkItems(survey.triggers, 'triggers', issues);
  if (Array.isArray(survey.triggers))
    survey.triggers.forEach((t: any, i: number) => {
      if (isObject(t) && typeof t.type === 'string' && !surveyClass(`${t.type.replace(/trigger$/, '')}trigger`))
        issues.push({ path: `triggers[${i}].type`, reason: `survey-core has no trigger "${t.type}"` });
    });
  textIssues(survey, 'survey', '', issues);
  if (issues.length) return { ok: false, issues, summary: null };
  let model: any;
  try {
    model = buildModel(survey);
  } catch (err) {
    return {
      ok: false,
      issues: [{ path: '$', reason: `survey-core cannot read it: ${(err as Error).message}` }],
      summary: null,
    };
  }
  const unreadable = (err: unknown): DefinitionCheck => ({
    ok: false,
    issues: [{ path: '$', reason: `survey-core cannot read it: ${(err as Error).message}` }],
    summary: null,
  });
  let check: DefinitionCheck;
  try {
    const valued = model
      .getAllQuestions(false, false, true)
      .filter((q: any) => !NO_VALUE_TYPES.has(q.getType()) && q.getType() !== 'expression');
    if (valued.length === 0)
      check = {
        ok: false,
        issues: [{ path: '$', reason: 'the definition has no question that stores an answer' }],
        summary: null,
      };
    else {
      // every page and question title rendered once, as the respondent's page and a verdict would
      for (const el of [...model.pages, ...model.getAllPanels(false, true), ...valued]) void el.locTitle?.renderedHtml;
      check = { ok: true, issues, summary: summarize ? summarize(model) : null };
    }
  } catch (err) {
    check = unreadable(err);
  }
  // every verdict disposes its model too: a definition whose model cannot be disposed would break each of them
  try {
    model.dispose();
  } catch (err) {
    return unreadable(err);
  }
  return check;
}
