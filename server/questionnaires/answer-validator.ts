// Server-side validation of a respondent's answers against the pinned questionnaire version.
//
// A survey-core Model costs ~9 ms to build and ~1.3 ms to validate, so the SurveyJS definition is compiled ONCE
// (with one throw-away Model, to read defaults, choices and survey-core's own localized error texts) into plain
// rules; validation then is plain JS plus survey-core's expression engine (ConditionRunner, compiled once per
// expression). test/questionnaires/answer-validator.slow.test.ts proves it agrees with survey-core on a corpus.
//
// survey-core's checks (required, requiredIf, isAllRowRequired, min/max, validators, ...) live in survey-rules.ts;
// the checks survey-core does not make (types, choices, sizes, unknown names) in choice-rules.ts.
import { ConditionRunner, ExpressionRunner, Model, OneAnswerRequiredError, settings } from 'survey-core';
import { conditionRunnerFor, expressionRunnerFor, type RunCondition } from './condition-context';
import {
  checkComment,
  checkShape,
  commentKind,
  compileShape,
  isPlainObject,
  otherValue,
  selectsOther,
  STRING_CAP,
  type CommentKind,
  type ShapeError,
  type ShapeRule,
} from './choice-rules';
import {
  checkNested,
  cleanPanels,
  compileNested,
  nestedErrors,
  nestedMessages,
  padPanels,
  partsCap,
  type NestedRule,
} from './nested-rules';
import { compileSjsRule, isEmpty, sjsErrors, sjsMessages, type SjsRule } from './survey-rules';
import { LOCALES, message } from './validator-messages';

import type { Locale } from '../shared/locale';

export type { Locale };
export interface AnswerError {
  name: string;
  message: string;
} // name = question name (or '' for whole-body problems)
export type ValidationResult = { ok: true; answers: Record<string, unknown> } | { ok: false; errors: AnswerError[] };
export interface AnswerValidator {
  questionNames: string[]; // all value-bearing question names in definition order
  validateComplete(answers: unknown, locale: Locale): ValidationResult; // for final submit
  validatePartial(answers: unknown, locale: Locale): ValidationResult; // for autosave: no required, no conditions
}

const SUPPORTED_TYPES = new Set([
  'radiogroup',
  'dropdown',
  'checkbox',
  'matrix',
  'text',
  'comment',
  'boolean',
  'rating',
  'html',
  'expression',
  'panel',
  'paneldynamic',
  'matrixdropdown',
]);
const UNSUPPORTED_PROPS = [
  'valueName',
  'choicesByUrl',
  'choicesFromQuestion',
  'choicesVisibleIf',
  'choicesEnableIf',
  'rowsVisibleIf',
  'columnsVisibleIf',
  'minValueExpression',
  'maxValueExpression',
  'setValueExpression',
  'setValueIf',
  'resetValueIf',
  'maskSettings',
];
const STRING_INPUT_TYPES = new Set([
  'text',
  'email',
  'tel',
  'url',
  'password',
  'color',
  'date',
  'datetime-local',
  'month',
  'week',
  'time',
]);
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 8; // as survey-verdict.ts: body = 0, answer = 1, panel or row = 2, its answers = 3, ...
const MAX_UNKNOWN_ERRORS = 20;

/** A page or panel (or the survey itself): visibility and read-only state that its questions inherit. */
interface Container {
  id: number;
  vis: number;
  visible: boolean;
  en: number;
  readOnly: boolean;
  parent: Container | null;
}
/** vis/en/req: index of the compiled visibleIf/enableIf/requiredIf condition, or -1 (then the static flag applies). */
interface CQuestion {
  name: string;
  container: Container;
  vis: number;
  visible: boolean;
  en: number;
  readOnly: boolean;
  req: number;
  required: boolean;
  shape: ShapeRule | null;
  comment: CommentKind;
  sjs: SjsRule | null; // null for html/expression (no value)
  nested: NestedRule | null; // paneldynamic, matrixdropdown (then shape is null)
}
/** A calculated value or an expression question: recomputed from the answers, never taken from them. */
interface Derived {
  name: string;
  runner: ExpressionRunner;
}
interface CPanel {
  name: string;
  container: Container;
  req: number;
  required: boolean;
  members: CQuestion[];
  msgs: Record<Locale, string>;
}
interface Compiled {
  conds: ConditionRunner[];
  containers: number;
  questions: CQuestion[];
  byName: Map<string, CQuestion>;
  panels: CPanel[];
  suffix: string;
  commentCap: number;
  keepInvisible: boolean;
  runFor: (data: Record<string, unknown>) => RunCondition;
  derived: Derived[]; // calculated values, then expression questions, in definition order
  exprNames: Set<string>; // expression questions: a posted value is accepted and replaced by the recomputed one
  evaluate: (data: Record<string, unknown>, runner: ExpressionRunner) => unknown;
}

// Compiling builds a survey-core Model, which parses every expression again (~0.5 s for a monitor version), so a
// definition compiled before (same JSON) is reused: compiled validators hold no per-call state.
const cache = new Map<string, Compiled>();

export function compileValidator(survey: object): AnswerValidator {
  const json = JSON.stringify(survey);
  let c = cache.get(json);
  if (!c) {
    c = compile(survey);
    if (cache.size >= 100) cache.delete(cache.keys().next().value!);
    cache.set(json, c);
  }
  const compiled = c;
  return {
    questionNames: [...c.byName.keys()],
    validateComplete: (answers, locale) => validate(compiled, answers, locale, true),
    validatePartial: (answers, locale) => validate(compiled, answers, locale, false),
  };
}

// ---------------------------------------------------------------------------------------------- compile (once)

// Raw JSON and survey-core models are typed `any` below: they are only read, once, here.
function checkDefinition(json: any): void {
  const fail = (what: string) => {
    throw new Error(`questionnaire definition: ${what} is not supported by the answer validator`);
  };
  if (!isPlainObject(json)) fail('a definition that is not an object');
  if (
    Array.isArray(json.calculatedValues) &&
    json.calculatedValues.some((cv: any) => !isPlainObject(cv) || cv.includeIntoResult)
  )
    fail('calculatedValues included into the result');
  if (json.triggers?.length) fail('triggers');
  if (json.storeOthersAsComment === false) fail('storeOthersAsComment: false');
  const items = (list: unknown, what: string) =>
    Array.isArray(list) &&
    list.forEach((it: any) => {
      if (isPlainObject(it) && (it.visibleIf || it.enableIf || it.showCommentArea))
        fail(`${what} with visibleIf/enableIf/showCommentArea`);
    });
  const walk = (elements: unknown) =>
    Array.isArray(elements) &&
    elements.forEach((el: any) => {
      const type = String(el?.type ?? '').toLowerCase();
      const q = `question "${el?.name}"`;
      if (!SUPPORTED_TYPES.has(type)) fail(`${q} of type "${el?.type}"`);
      for (const p of UNSUPPORTED_PROPS) if (el[p] !== undefined) fail(`${q} with "${p}"`);
      if (el.storeOthersAsComment === false) fail(`${q} with storeOthersAsComment: false`);
      if (el.maskType && el.maskType !== 'none') fail(`${q} with an input mask`);
      if ((el.showOtherItem || el.hasOther) && (el.showCommentArea || el.hasComment))
        fail(`${q} with both an other item and a comment area`);
      if (
        type === 'text' &&
        el.inputType !== undefined &&
        el.inputType !== 'number' &&
        !STRING_INPUT_TYPES.has(el.inputType)
      )
        fail(`${q} with inputType "${el.inputType}"`);
      if (type === 'text' && el.inputType !== 'number' && (el.min !== undefined || el.max !== undefined))
        fail(`${q} with min/max on a non-number input`);
      items(el.choices, `${q}: a choice`);
      items(el.rows, `${q}: a row`);
      items(el.columns, `${q}: a column`);
      walk(el.elements);
      walk(el.templateElements);
    });
  (Array.isArray(json.pages) ? json.pages : []).forEach((p: any) => walk(p?.elements));
  walk(json.elements);
}

function compile(survey: object): Compiled {
  checkDefinition(survey);
  const model: any = new Model(survey);
  try {
    const conds: ConditionRunner[] = [];
    const condIndex = new Map<string, number>();
    const cond = (expr: unknown): number => {
      if (typeof expr !== 'string' || !expr.trim()) return -1;
      if (!condIndex.has(expr)) condIndex.set(expr, conds.push(new ConditionRunner(expr)) - 1);
      return condIndex.get(expr)!;
    };
    let containers = 0;
    const container = (el: any, parent: Container | null): Container => ({
      id: containers++,
      vis: cond(el.visibleIf),
      visible: el.visible !== false,
      en: cond(el.enableIf),
      readOnly: !!el.readOnly,
      parent,
    });
    const questions: CQuestion[] = [];
    const byName = new Map<string, CQuestion>();
    const panels: CPanel[] = [];
    const sources: [any, CQuestion | CPanel][] = [];
    const nestedSources: ReturnType<typeof compileNested>['sources'] = [];
    const derived: Derived[] = ((model.calculatedValues ?? []) as any[]).map((cv) => ({
      name: cv.name,
      runner: new ExpressionRunner(cv.expression || ''),
    }));
    const exprNames = new Set<string>();
    // a page or panel: its conditions hold for everything inside; when required, one answer inside is required
    const addContainer = (el: any, parent: Container, open: CPanel[]) => {
      const ct = container(el, parent);
      const p: CPanel = {
        name: el.name,
        container: ct,
        req: cond(el.requiredIf),
        required: !!el.isRequired,
        members: [],
        msgs: {} as Record<Locale, string>,
      };
      if (p.req >= 0 || p.required) {
        panels.push(p);
        sources.push([el, p]);
      }
      walk(el.elements, ct, [...open, p]);
    };
    const walk = (elements: any[], parent: Container, open: CPanel[]) => {
      for (const el of elements) {
        if (el.isPanel) {
          addContainer(el, parent, open);
          continue;
        }
        const type: string = el.getType();
        const valued = type !== 'html' && type !== 'expression';
        if (type === 'expression') {
          derived.push({ name: el.getValueName(), runner: new ExpressionRunner(el.expression || '') });
          exprNames.add(el.getValueName());
        }
        const nested =
          type === 'paneldynamic' || type === 'matrixdropdown' ? compileNested(el, model.currentPage) : null;
        if (nested) nestedSources.push(...nested.sources);
        const shape = valued && !nested ? compileShape(el) : null;
        const comment = valued ? commentKind(el) : null;
        const exclusive = shape?.kind === 'multi' ? shape.exclusive : new Set<unknown>();
        const q: CQuestion = {
          name: el.name,
          container: parent,
          vis: cond(el.visibleIf),
          visible: el.visible !== false,
          en: cond(el.enableIf),
          readOnly: !!el.readOnly,
          req: cond(el.requiredIf),
          required: !!el.isRequired,
          shape,
          comment,
          sjs: valued ? compileSjsRule(el, comment === 'other' ? otherValue(el) : undefined, exclusive) : null,
          nested: nested?.rule ?? null,
        };
        if (valued) {
          if (byName.has(q.name)) throw new Error(`questionnaire definition: duplicate question name "${q.name}"`);
          byName.set(q.name, q);
          sources.push([el, q]);
        }
        questions.push(q);
        open.forEach((p) => p.members.push(q));
      }
    };
    const root: Container = {
      id: containers++,
      vis: -1,
      visible: true,
      en: -1,
      readOnly: model.mode === 'display',
      parent: null,
    };
    for (const page of model.pages) addContainer(page, root, []);
    for (const loc of LOCALES) {
      model.locale = loc;
      for (const [el, target] of sources) {
        if ('sjs' in target) target.sjs!.msgs[loc] = sjsMessages(el, target.sjs!, loc);
        else target.msgs[loc] = new OneAnswerRequiredError(el.requiredErrorText, el).getText();
      }
      for (const [el, target] of nestedSources) nestedMessages(el, target, loc);
    }
    const commentCap = Number(model.maxCommentLength) > 0 ? Number(model.maxCommentLength) : STRING_CAP;
    const suffix = model.commentSuffix || settings.commentSuffix;
    const runners = [
      ...conds,
      ...derived.map((d) => d.runner),
      ...questions.flatMap((q) => q.sjs?.validators.flatMap((v) => (v.type === 'expression' ? [v.runner] : [])) ?? []),
    ];
    for (const r of runners) {
      const errs = r.canRun()
        ? r.validate(undefined as never, { functions: true, variables: false, semantics: false }, true)
        : [{}];
      if (errs.length) throw new Error(`questionnaire definition: invalid expression "${r.expression}"`);
    }
    const keys = [
      ...questions.flatMap((q) => (!q.sjs ? [] : q.comment ? [q.name, q.name + suffix] : [q.name])),
      ...derived.map((d) => d.name),
    ];
    return {
      conds,
      containers,
      questions,
      byName,
      panels,
      suffix,
      commentCap,
      keepInvisible: model.clearInvisibleValues === 'none',
      runFor: conditionRunnerFor(keys),
      derived,
      exprNames,
      evaluate: expressionRunnerFor(keys),
    };
  } finally {
    model.dispose();
  }
}

// ------------------------------------------------------------------------------------------- validate (per call)

/** Lazily evaluated, memoized conditions and visibility for one answer set. */
class Evaluation {
  private readonly memo: Int8Array;
  private readonly vis: Int8Array;
  private readonly ro: Int8Array;
  run: RunCondition;
  /** the answers with the calculated values and expression questions recomputed: what conditions see */
  data: Record<string, unknown>;
  constructor(
    private readonly c: Compiled,
    data: Record<string, unknown>,
  ) {
    this.memo = new Int8Array(c.conds.length);
    this.vis = new Int8Array(c.containers);
    this.ro = new Int8Array(c.containers);
    this.data = derive(c, data);
    this.run = c.runFor(this.data);
  }
  /** Evaluate against (changed) data from now on. */
  reset(data: Record<string, unknown>): void {
    this.data = derive(this.c, data);
    this.run = this.c.runFor(this.data);
    this.memo.fill(0);
    this.vis.fill(0);
    this.ro.fill(0);
  }
  private cond(i: number, fallback: boolean): boolean {
    if (i < 0) return fallback;
    if (this.memo[i] === 0) this.memo[i] = this.run(this.c.conds[i]) ? 1 : 2;
    return this.memo[i] === 1;
  }
  containerVisible(ct: Container | null): boolean {
    if (!ct) return true;
    if (this.vis[ct.id] === 0)
      this.vis[ct.id] = this.cond(ct.vis, ct.visible) && this.containerVisible(ct.parent) ? 1 : 2;
    return this.vis[ct.id] === 1;
  }
  containerReadOnly(ct: Container | null): boolean {
    if (!ct) return false;
    if (this.ro[ct.id] === 0)
      this.ro[ct.id] = !this.cond(ct.en, !ct.readOnly) || this.containerReadOnly(ct.parent) ? 1 : 2;
    return this.ro[ct.id] === 1;
  }
  visible(q: CQuestion): boolean {
    return this.cond(q.vis, q.visible) && this.containerVisible(q.container);
  }
  readOnly(q: CQuestion): boolean {
    return !this.cond(q.en, !q.readOnly) || this.containerReadOnly(q.container);
  }
  required(q: CQuestion | CPanel): boolean {
    return this.cond(q.req, q.required);
  }
}

/**
 * The answers as survey-core holds them once the data is set: posted expression values replaced by the recomputed
 * ones, calculated values added (in definition order, each seeing those before it). Empty results are left out.
 */
function derive(c: Compiled, data: Record<string, unknown>): Record<string, unknown> {
  if (c.derived.length === 0) return data;
  const d: Record<string, unknown> = { ...data };
  for (const n of c.exprNames) delete d[n];
  for (const x of c.derived) {
    const v = c.evaluate(d, x.runner);
    if (v === undefined || v === null) delete d[x.name];
    else d[x.name] = v;
  }
  return d;
}

function scanKeys(v: unknown, depth: number): ShapeError | null {
  if (typeof v !== 'object' || v === null) return null;
  if (depth > MAX_DEPTH) return { key: 'tooDeep' };
  if (Array.isArray(v)) {
    for (const x of v) {
      const e = scanKeys(x, depth + 1);
      if (e) return e;
    }
    return null;
  }
  for (const k of Object.keys(v)) {
    if (FORBIDDEN_KEYS.has(k)) return { key: 'forbiddenKey', arg: k };
    const e = scanKeys((v as Record<string, unknown>)[k], depth + 1);
    if (e) return e;
  }
  return null;
}

function validate(c: Compiled, body: unknown, locale: Locale, complete: boolean): ValidationResult {
  const loc: Locale = locale === 'en' ? 'en' : 'nl';
  try {
    return run(c, body, loc, complete);
  } catch {
    return { ok: false, errors: [{ name: '', message: message('internal', loc) }] };
  }
}

function run(c: Compiled, body: unknown, loc: Locale, complete: boolean): ValidationResult {
  if (!isPlainObject(body)) return { ok: false, errors: [{ name: '', message: message('notObject', loc) }] };
  const bad = scanKeys(body, 0);
  if (bad) return { ok: false, errors: [{ name: '', message: message(bad.key, loc, bad.arg) }] };

  // 1. shape: known names, types, choices, sizes (survey-core does not check these)
  const errors: AnswerError[] = [];
  const out: Record<string, unknown> = {};
  const invalid = new Set<string>();
  let unknown = 0;
  let dropped = false;
  let capped: Set<string> | null = null; // more panels or rows than possible: survey-core never sees them
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (c.exprNames.has(key)) {
      // recomputed on completion, never trusted; autosave keeps what the browser showed, as survey-verdict.ts does
      if (!complete && value !== null) out[key] = value;
      continue;
    }
    const q = c.byName.get(key);
    const base = q ? undefined : key.endsWith(c.suffix) ? c.byName.get(key.slice(0, -c.suffix.length)) : undefined;
    if (!q && !base?.comment) {
      if (unknown++ < MAX_UNKNOWN_ERRORS)
        errors.push({ name: key.slice(0, 200), message: message('unknownQuestion', loc) });
      continue;
    }
    if (value === null || (value === '' && q?.shape?.kind === 'number')) {
      dropped = true;
      continue;
    } // = no answer
    if (q?.nested) {
      const errs = checkNested(q.nested, value, q.name, loc, complete);
      if (!errs.length) {
        out[key] = value;
        continue;
      }
      invalid.add(q.name);
      errors.push(...errs);
      const parts = Array.isArray(value) ? value.length : isPlainObject(value) ? Object.keys(value).length : 0;
      if (parts > partsCap(q.nested)) (capped ??= new Set()).add(key);
      continue;
    }
    const err = q ? checkShape(q.shape!, value) : checkComment(value, c.commentCap);
    if (!err) {
      out[key] = value;
      continue;
    }
    invalid.add((q ?? base)!.name);
    errors.push({ name: (q ?? base)!.name, message: message(err.key, loc, err.arg) });
  }
  if (!complete) return errors.length ? { ok: false, errors } : { ok: true, answers: out };

  // 2. survey-core's rules for visible, enabled questions (conditions see the answers as submitted, like the browser)
  let seen: Record<string, unknown> = body;
  if (capped) {
    seen = { ...body };
    for (const k of capped) delete seen[k];
  }
  const ev = new Evaluation(c, seen);
  for (const q of c.questions) {
    if (!q.sjs || invalid.has(q.name) || !ev.visible(q) || ev.readOnly(q)) continue;
    for (const msg of sjsErrors(q.sjs, ev.required(q), out[q.name], out[q.name + c.suffix], ev.run, loc))
      errors.push({ name: q.name, message: msg });
    if (q.nested) errors.push(...nestedErrors(q.nested, out[q.name], q.name, ev.data, loc));
  }
  for (const p of c.panels) {
    if (!ev.containerVisible(p.container) || ev.containerReadOnly(p.container) || !ev.required(p)) continue;
    const shown = p.members.filter((q) => ev.visible(q));
    if (shown.length && shown.every((q) => isEmpty(out[q.name], q.sjs?.trim ?? true)))
      errors.push({ name: p.name, message: p.msgs[loc] });
  }
  if (errors.length) return { ok: false, errors };
  for (const q of c.questions) {
    if (q.nested?.kind !== 'panels' || !q.nested.pad || !ev.visible(q)) continue;
    const padded = padPanels(q.nested, out[q.name]);
    if (padded !== out[q.name]) {
      out[q.name] = padded;
      dropped = true;
    }
  }

  // 3. clean like survey-core on complete: in question order drop invisible values (conditions re-run after each
  //    drop, as survey-core does), and the "other" text when "other" is not chosen
  if (dropped) ev.reset(out); // else out has the same content as body, and the evaluation so far holds
  for (const q of c.questions) {
    if (!q.sjs) continue;
    const ck = q.name + c.suffix;
    const has = Object.hasOwn(out, q.name) || (q.comment !== null && Object.hasOwn(out, ck));
    if (has && !c.keepInvisible && !ev.visible(q)) {
      delete out[q.name];
      delete out[ck];
      ev.reset(out);
    } else if (q.comment === 'other' && Object.hasOwn(out, ck) && !selectsOther(out[q.name], q.sjs.other)) {
      delete out[ck];
    } else if (q.nested && Object.hasOwn(out, q.name)) {
      const cleaned = cleanPanels(q.nested, out[q.name], ev.data);
      if (cleaned !== out[q.name]) {
        out[q.name] = cleaned;
        ev.reset(out);
      }
    }
  }
  if (c.exprNames.size) for (const n of c.exprNames) if (Object.hasOwn(ev.data, n)) out[n] = ev.data[n];
  return { ok: true, answers: out };
}
