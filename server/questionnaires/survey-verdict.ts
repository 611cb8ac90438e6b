// survey-core's verdict on an answer set, with the strict checks on top. Runs survey-core itself: a Model of the
// definition gets the answers as the browser's data, survey-core validates every page the respondent went through
// (the start page too) and clears what it clears on completion; expression values are recomputed, never taken from
// the answers. The strict checks (unknown names, values outside the choices visible at that moment, wrong types,
// oversized text) are read from the same Model after the data is set, question by question (nested ones too: matrix
// cells, dynamic panels, multiple-text items), so no copy of survey-core's rules lives here.
//
// Pure and synchronous: the registry runs it in a worker thread (verdict-pool.ts), the CLI and tests call it directly.
import { ConditionRunner, Model, settings } from 'survey-core';
import { isPlainObject, STRING_CAP } from './choice-rules';
import { LOCALES, message, type MessageKey } from './validator-messages';
import type { Locale } from '../shared/locale';

export interface AnswerError {
  /** question name, a path into it (`personen[0].naam`, `kosten.huur.bedrag`), or '' for the whole answer set */
  name: string;
  message: string;
}
export type ValidationResult = { ok: true; answers: Record<string, unknown> } | { ok: false; errors: AnswerError[] };

/** Largest file or signature accepted inside an answer set (as a data URL, in characters). */
export const FILE_CAP = 200_000;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 8;
const MAX_UNKNOWN_ERRORS = 20;
/** question types that hold no answer */
export const NO_VALUE_TYPES = new Set(['html', 'image', 'empty']);
const NUMBER_INPUTS = new Set(['number', 'range']);

// survey-core's models are typed `any` below: they are read, not extended.
/* eslint-disable @typescript-eslint/no-explicit-any */

function scanKeys(v: unknown, depth: number): { key: MessageKey; arg?: unknown } | null {
  if (typeof v !== 'object' || v === null) return null;
  if (depth > MAX_DEPTH) return { key: 'tooDeep' };
  if (Array.isArray(v)) {
    for (const x of v) {
      const e = scanKeys(x, depth + 1);
      if (e) return e;
    }
    return null;
  }
  if (!isPlainObject(v)) return { key: 'wrongType' };
  for (const k of Object.keys(v)) {
    if (FORBIDDEN_KEYS.has(k)) return { key: 'forbiddenKey', arg: k };
    const e = scanKeys(v[k], depth + 1);
    if (e) return e;
  }
  return null;
}

/** The checks every answer set gets before survey-core sees it: a plain JSON object, no prototype keys, not too deep. */
export function precheck(body: unknown, loc: Locale): AnswerError[] | null {
  if (!isPlainObject(body)) return [{ name: '', message: message('notObject', loc) }];
  const bad = scanKeys(body, 0);
  return bad ? [{ name: '', message: message(bad.key, loc, bad.arg) }] : null;
}

/** The keys an answer set may hold at the top level besides question values: comments, result variables, trigger targets. */
function extraKeys(model: any, suffix: string): { comments: Map<string, any>; free: Set<string> } {
  const comments = new Map<string, any>();
  const free = new Set<string>();
  for (const q of model.getAllQuestions(false, false, false)) {
    if (NO_VALUE_TYPES.has(q.getType())) continue;
    comments.set(q.getValueName() + suffix, q);
  }
  for (const cv of model.calculatedValues ?? []) if (cv.includeIntoResult) free.add(cv.name);
  for (const t of model.triggers ?? []) {
    if (typeof t.setToName === 'string' && t.setToName) free.add(t.setToName);
  }
  return { comments, free };
}

/** The most parts (list items, object keys) an answer to `q` can have. */
function partsCap(q: any): number {
  switch (q.getType()) {
    case 'paneldynamic':
      return Number(q.maxPanelCount) > 0 ? Number(q.maxPanelCount) : settings.panel.maxPanelCount;
    case 'matrixdynamic':
      return Number(q.maxRowCount) > 0 ? Number(q.maxRowCount) : settings.matrix.maxRowCount;
    case 'matrix':
    case 'matrixdropdown':
      return Math.max(q.rows?.length ?? 0, 1);
    case 'multipletext':
      return Math.max(q.items?.length ?? 0, 1);
    case 'file':
      return q.allowMultiple ? 100 : 1;
    case 'checkbox':
    case 'tagbox':
    case 'ranking':
    case 'imagepicker':
      return Math.max((q.visibleChoices?.length ?? 0) + (q.choices?.length ?? 0), 1);
    default:
      return 1000;
  }
}

/** The checks of one answer value (a question's, a matrix row's, a panel's): errors are pushed onto `out`. */
type Check = (q: any, value: unknown, path: string, visibleOnly: boolean, out: AnswerError[], loc: Locale) => void;

function choiceValues(q: any, visibleOnly: boolean): unknown[] {
  const list = visibleOnly ? q.visibleChoices : [...(q.choices ?? []), ...(q.visibleChoices ?? [])];
  return list.filter((c: any) => c !== q.selectAllItem).map((c: any) => c.value);
}
const has = (values: unknown[], v: unknown) =>
  values.some((x) => x === v || (x !== null && typeof x === 'object' && JSON.stringify(x) === JSON.stringify(v)));

function stringCap(q: any): number {
  const n = Number(typeof q.getMaxLength === 'function' ? q.getMaxLength() : q.maxLength);
  return n > 0 ? n : STRING_CAP;
}

const checkValue: Check = (q, value, path, visibleOnly, out, loc) => {
  const fail = (key: MessageKey, arg?: unknown): void => {
    out.push({ name: path, message: message(key, loc, arg) });
  };
  if (value === undefined || value === null) return;
  const type: string = q.getType();
  switch (type) {
    case 'text': {
      if (NUMBER_INPUTS.has(q.inputType)) {
        if (value === '') return;
        if (typeof value !== 'number' || !Number.isFinite(value)) return fail('sjs:numericError');
        return;
      }
      if (typeof value === 'number' && Number.isFinite(value)) return; // a numeric default, as survey-core stores it
      if (typeof value !== 'string') return fail('wrongType');
      if (value.length > stringCap(q)) return fail('tooLong', stringCap(q));
      return;
    }
    case 'comment':
      if (typeof value !== 'string') return fail('wrongType');
      if (value.length > stringCap(q)) return fail('tooLong', stringCap(q));
      return;
    case 'expression':
      return; // recomputed
    case 'boolean':
      if (value !== q.getValueTrue() && value !== q.getValueFalse()) return fail('notAChoice');
      return;
    case 'rating': {
      const values = (q.visibleRateValues ?? []).map((c: any) => c.value);
      if (!has(values, value)) return fail('notAChoice');
      return;
    }
    case 'slider': {
      const ok = (n: unknown) => typeof n === 'number' && Number.isFinite(n);
      if (Array.isArray(value) ? !value.every(ok) || value.length > 2 : !ok(value)) return fail('wrongType');
      return;
    }
    case 'radiogroup':
    case 'dropdown':
    case 'buttongroup':
    case 'checkbox':
    case 'tagbox':
    case 'imagepicker':
    case 'ranking':
      return checkChoice(q, value, path, visibleOnly, out, loc);
    case 'matrix':
      return checkMatrix(q, value, path, visibleOnly, out, loc);
    case 'matrixdropdown':
    case 'matrixdynamic':
      return checkMatrixDropdown(q, value, path, visibleOnly, out, loc);
    case 'paneldynamic':
      return checkPanels(q, value, path, visibleOnly, out, loc);
    case 'multipletext': {
      if (!isPlainObject(value)) return fail('wrongType');
      for (const key of Object.keys(value)) {
        const item = (q.items ?? []).find((i: any) => i.name === key);
        if (!item) {
          out.push({ name: `${path}.${key}`.slice(0, 200), message: message('unknownQuestion', loc) });
          continue;
        }
        checkValue(item.editor, value[key], `${path}.${key}`, visibleOnly, out, loc);
      }
      return;
    }
    case 'signaturepad':
      if (typeof value !== 'string' || !/^data:image\/(png|jpeg|svg\+xml);base64,/.test(value))
        return fail('wrongType');
      if (value.length > FILE_CAP) return fail('tooLong', FILE_CAP);
      return;
    case 'file': {
      const files = Array.isArray(value) ? value : [value];
      const max = q.allowMultiple ? Math.max(Number(q.maxFiles) || 0, 0) || Infinity : 1;
      if (files.length > max) return fail('wrongType');
      const limit = Math.min(Number(q.maxSize) > 0 ? Math.ceil((Number(q.maxSize) * 4) / 3) + 100 : FILE_CAP, FILE_CAP);
      for (const f of files) {
        if (
          !isPlainObject(f) ||
          typeof f.name !== 'string' ||
          typeof f.content !== 'string' ||
          !f.content.startsWith('data:')
        )
          return fail('wrongType');
        if (f.name.length > 255 || (f.type !== undefined && typeof f.type !== 'string')) return fail('wrongType');
        if (f.content.length > limit) return fail('tooLong', limit);
      }
      return;
    }
    default:
      // imagemap and any other type survey-core stores: plain values only, within the cap
      if (JSON.stringify(value).length > STRING_CAP) return fail('tooLong', STRING_CAP);
  }
};

const checkChoice: Check = (q, value, path, visibleOnly, out, loc) => {
  const fail = (key: MessageKey, arg?: unknown): void => {
    out.push({ name: path, message: message(key, loc, arg) });
  };
  const type: string = q.getType();
  const multi =
    type === 'checkbox' || type === 'tagbox' || type === 'ranking' || (type === 'imagepicker' && q.multiSelect);
  const values = choiceValues(q, visibleOnly);
  const otherFree = q.showOtherItem && q.storeOthersAsComment === false;
  const accept = (v: unknown) => has(values, v) || (otherFree && typeof v === 'string' && v.length <= STRING_CAP);
  if (!multi) {
    if (!accept(value)) fail('notAChoice');
    return;
  }
  if (!Array.isArray(value)) return fail('notAList');
  const prop: string | undefined = q.valuePropertyName || undefined;
  const items = prop ? value.map((x) => (isPlainObject(x) ? x[prop] : Symbol('bad'))) : value;
  const seen = new Set<string>();
  for (const v of items) {
    if (!accept(v)) return fail('notAChoice');
    const k = JSON.stringify(v);
    if (seen.has(k)) return fail('duplicate');
    seen.add(k);
  }
  const exclusive = (q.visibleChoices ?? [])
    .filter((c: any) => c.isExclusive || c === q.noneItem)
    .map((c: any) => c.value);
  if (items.length > 1 && items.some((v) => has(exclusive, v))) return fail('exclusive');
  const maxSel = Number(q.maxSelectedChoices) || 0;
  if (type !== 'ranking' && maxSel > 0 && items.length > maxSel) return fail('sjs:maxSelectError', maxSel);
};

const checkMatrix: Check = (q, value, path, visibleOnly, out, loc) => {
  const fail = (key: MessageKey, at = path): void => {
    out.push({ name: at, message: message(key, loc) });
  };
  if (!isPlainObject(value)) return fail('wrongType');
  const rows = (visibleOnly ? q.visibleRows.map((r: any) => r.name) : q.rows.map((r: any) => r.value)).map(String);
  const cols = (visibleOnly ? q.visibleColumns : q.columns).map((c: any) => c.value);
  const multi = q.cellType === 'checkbox';
  for (const row of Object.keys(value)) {
    if (!rows.includes(row)) {
      fail('unknownRow');
      continue;
    }
    const v = value[row];
    if (multi) {
      if (
        !Array.isArray(v) ||
        v.some((x) => !has(cols, x)) ||
        new Set(v.map((x) => JSON.stringify(x))).size !== v.length
      )
        fail('notAChoice');
    } else if (!has(cols, v)) fail('notAChoice');
  }
};

const checkRowObject: Check = (row, value, path, visibleOnly, out, loc) => {
  if (!isPlainObject(value)) {
    out.push({ name: path, message: message('wrongType', loc) });
    return;
  }
  for (const key of Object.keys(value)) {
    const base = key.endsWith(settings.commentSuffix) ? key.slice(0, -settings.commentSuffix.length) : null;
    const cell = row?.getQuestionByName?.(key) ?? row?.getQuestionByColumnName?.(key);
    if (cell) {
      checkValue(cell, value[key], `${path}.${key}`, visibleOnly, out, loc);
      continue;
    }
    const owner = base !== null ? (row?.getQuestionByName?.(base) ?? row?.getQuestionByColumnName?.(base)) : null;
    if (owner && typeof value[key] === 'string' && (value[key] as string).length <= STRING_CAP) continue;
    out.push({ name: `${path}.${key}`.slice(0, 200), message: message(owner ? 'wrongType' : 'unknownQuestion', loc) });
  }
};

const checkMatrixDropdown: Check = (q, value, path, visibleOnly, out, loc) => {
  const rows = q.visibleRows as any[];
  if (q.getType() === 'matrixdynamic') {
    if (!Array.isArray(value)) return void out.push({ name: path, message: message('notAList', loc) });
    const max = Number(q.maxRowCount) > 0 ? Number(q.maxRowCount) : settings.matrix.maxRowCount;
    if (value.length > max) return void out.push({ name: path, message: message('tooMany', loc, max) });
    value.forEach((v, i) => checkRowObject(rows[i], v, `${path}[${i}]`, visibleOnly, out, loc));
    return;
  }
  if (!isPlainObject(value)) return void out.push({ name: path, message: message('wrongType', loc) });
  const all = new Set(q.rows.map((r: any) => String(r.value)));
  for (const key of Object.keys(value)) {
    const row = rows.find((r) => String(r.rowName) === key);
    if (!row) {
      if (visibleOnly || !all.has(key))
        out.push({ name: `${path}.${key}`.slice(0, 200), message: message('unknownRow', loc) });
      continue;
    }
    checkRowObject(row, value[key], `${path}.${key}`, visibleOnly, out, loc);
  }
};

const checkPanels: Check = (q, value, path, visibleOnly, out, loc) => {
  if (!Array.isArray(value)) return void out.push({ name: path, message: message('notAList', loc) });
  const max = Number(q.maxPanelCount) > 0 ? Number(q.maxPanelCount) : settings.panel.maxPanelCount;
  if (value.length > max) return void out.push({ name: path, message: message('tooMany', loc, max) });
  const panels = q.panels as any[];
  value.forEach((v, i) => {
    const panel = panels[i];
    checkRowObject(
      panel && { getQuestionByName: (n: string) => panel.questions.find((x: any) => x.getValueName() === n) },
      v,
      `${path}[${i}]`,
      visibleOnly,
      out,
      loc,
    );
  });
};

/** Every element under the pages that can hold errors, with its path: panels, questions, nested panels, cells, items. */
function eachElement(pages: any[], visit: (el: any, path: string) => void): void {
  const visitQuestion = (q: any, path: string) => {
    visit(q, path);
    const type: string = q.getType();
    if (type === 'paneldynamic')
      (q.panels as any[]).forEach((p, i) => {
        visit(p, `${path}[${i}]`);
        for (const inner of p.questions) visitQuestion(inner, `${path}[${i}].${inner.getValueName()}`);
      });
    else if (type === 'matrixdropdown' || type === 'matrixdynamic')
      (q.visibleRows as any[]).forEach((row, i) => {
        const rowPath = type === 'matrixdynamic' ? `${path}[${i}]` : `${path}.${row.rowName}`;
        for (const cell of row.cells) if (cell.question) visitQuestion(cell.question, `${rowPath}.${cell.column.name}`);
      });
    else if (type === 'multipletext') for (const item of q.items) visitQuestion(item.editor, `${path}.${item.name}`);
  };
  const visitContainer = (c: any) => {
    visit(c, c.name);
    for (const el of c.elements) {
      if (el.isPanel) visitContainer(el);
      else visitQuestion(el, el.name);
    }
  };
  for (const page of pages) visitContainer(page);
}

/** survey-core's own errors (not warnings, not infos) of every question and panel, nested ones with their path. */
function coreErrors(pages: any[]): AnswerError[] {
  const out: AnswerError[] = [];
  eachElement(pages, (el, path) => {
    for (const e of el.errors ?? [])
      if (e.isError && e.visible !== false) out.push({ name: path, message: e.getText() });
  });
  return out;
}

/** The pages a respondent goes through: the start page, then the visible pages up to where a complete trigger ends the survey. */
function pagesWalked(model: any): any[] {
  const pages: any[] = [...model.visiblePages];
  const start = model.firstPageIsStartPage && model.pages.length > 1 ? [model.pages[0]] : [];
  const completes = (model.triggers ?? []).filter((t: any) => t.getType() === 'completetrigger' && t.expression);
  if (completes.length === 0) return [...start, ...pages];
  const data = model.data;
  const seen: Record<string, unknown> = {};
  for (const q of start.flatMap((p) => p.questions))
    if (q.getValueName() in data) seen[q.getValueName()] = data[q.getValueName()];
  for (let i = 0; i < pages.length; i++) {
    for (const q of pages[i].questions) if (q.getValueName() in data) seen[q.getValueName()] = data[q.getValueName()];
    if (i < pages.length - 1 && completes.some((t: any) => new ConditionRunner(t.expression).runValues(seen) === true))
      return [...start, ...pages.slice(0, i + 1)];
  }
  return [...start, ...pages];
}

/** Builds a headless survey-core model of a definition. */
export function buildModel(json: object): any {
  const model: any = new Model(json);
  model.checkErrorsMode = 'onComplete';
  model.autoFocusFirstError = false;
  model.onScrollToTop.add((_: unknown, options: any) => (options.cancel = true)); // headless: nothing to scroll
  // a reused model keeps the panel and row counts of the last answer set where the new one has no answer: those go
  // back to the definition's own counts, as in a fresh model
  const all = model.getAllQuestions(false, false, true);
  const dynamic: Array<[any, number]> = all
    .filter((q: any) => q.getType() === 'paneldynamic' || q.getType() === 'matrixdynamic')
    .map((q: any) => [q, q.getType() === 'paneldynamic' ? q.panelCount : q.rowCount]);
  const multiple = all.filter((q: any) => q.getType() === 'multipletext');
  model.veldwerkRestoreCounts = (data: Record<string, unknown>) => {
    // and a multiple-text question without an answer keeps its items' last values: cleared
    for (const q of multiple) if (q.isEmpty() && q.items.some((i: any) => !i.editor.isEmpty())) q.clearValue();
    for (const [q, n] of dynamic) {
      // answered (even with empty panels): survey-core's counts follow the answer
      if (q.parentQuestion ? !q.isEmpty() : Object.hasOwn(data, q.getValueName())) continue;
      if (q.getType() === 'paneldynamic' && q.panelCount !== n) q.panelCount = n;
      if (q.getType() === 'matrixdynamic' && q.rowCount !== n) q.rowCount = n;
    }
  };
  return model;
}

/** Question types whose answers survey-core keeps inside panels, rows and items of its own. */
const NESTED_TYPES = new Set(['paneldynamic', 'matrixdynamic', 'matrixdropdown', 'multipletext']);

/**
 * survey-core's verdicts for one definition. Without nested answers (dynamic panels, matrices of dropdowns, multiple
 * text) one Model is reused from verdict to verdict: setting the data replaces every value, and what survey-core
 * keeps across (errors of elements not validated this time, which also made it revalidate on every value change) is
 * reset; the differential corpus compares a reused Model with a fresh one on every answer set. With nested answers a
 * reused Model kept the last respondent's panels and wrote them back into the next answer set, so each verdict gets
 * a fresh Model, built ahead while the worker is idle.
 */
export class VerdictEngine {
  private readonly reusable: boolean;
  private spare: any;
  constructor(private readonly json: object) {
    this.spare = buildModel(json);
    this.reusable = !this.spare.getAllQuestions(false, false, true).some((q: any) => NESTED_TYPES.has(q.getType()));
  }
  /** autosave's model: its strict checks return the posted answers themselves, never the model's data */
  private partial: any = null;
  verdict(body: unknown, locale: Locale, complete: boolean): ValidationResult {
    if (!complete && !this.reusable)
      return surveyVerdict((this.partial ??= buildModel(this.json)), body, locale, false);
    const model = this.spare ?? buildModel(this.json);
    if (this.reusable) return surveyVerdict(model, body, locale, complete);
    this.spare = null;
    try {
      return surveyVerdict(model, body, locale, complete);
    } finally {
      model.dispose();
      setImmediate(() => (this.spare ??= buildModel(this.json)));
    }
  }
}

/**
 * survey-core's verdict on `body` for `model` (a fresh or reused model of the definition; it is cleared first), with
 * the strict checks. complete=false (autosave) makes only the strict checks, against every choice a question has.
 */
export function surveyVerdict(model: any, body: unknown, locale: Locale, complete: boolean): ValidationResult {
  const loc: Locale = LOCALES.includes(locale) ? locale : 'nl';
  const pre = precheck(body, loc);
  if (pre) return { ok: false, errors: pre };
  const answers = body as Record<string, unknown>;
  model.locale = loc;
  const suffix: string = model.commentSuffix || settings.commentSuffix;
  const errors: AnswerError[] = [];
  // unknown top-level names, before survey-core sees the data (it would keep them as variables)
  const { comments, free } = extraKeys(model, suffix);
  const data: Record<string, unknown> = {};
  let unknown = 0;
  for (const key of Object.keys(answers)) {
    const value = answers[key];
    const q = model.getQuestionByValueName(key);
    if (q && !NO_VALUE_TYPES.has(q.getType())) {
      // more parts than the question can have never reach survey-core (thousands of panels cost it minutes)
      const cap = partsCap(q);
      const parts = Array.isArray(value) ? value.length : isPlainObject(value) ? Object.keys(value).length : 0;
      if (parts > cap) errors.push({ name: q.name, message: message('tooMany', loc, cap) });
      else data[key] = value;
      continue;
    }
    if (comments.has(key)) {
      if (value === null) continue;
      if (typeof value !== 'string') errors.push({ name: comments.get(key).name, message: message('wrongType', loc) });
      else if (value.length > STRING_CAP)
        errors.push({ name: comments.get(key).name, message: message('tooLong', loc, STRING_CAP) });
      else data[key] = value;
      continue;
    }
    if (free.has(key)) continue; // recomputed by survey-core (calculated values, trigger targets)
    if (unknown++ < MAX_UNKNOWN_ERRORS)
      errors.push({ name: key.slice(0, 200), message: message('unknownQuestion', loc) });
  }
  for (const key of Object.keys(data)) if (data[key] === null) delete data[key];
  // a reused model still holds the errors of the last verdict: cleared first, or survey-core revalidates each
  // question as its value is replaced, and reports them again where it does not validate this time
  eachElement(model.pages, (el) => {
    if (el.errors?.length) el.errors = [];
  });
  model.data = data; // replaces every value of the previous answer set
  model.veldwerkRestoreCounts(data);
  // strict checks, from the model with the data set: visible questions against what is visible now
  const strict: AnswerError[] = [];
  const named = new Set<string>();
  for (const q of model.getAllQuestions(false, false, false)) {
    const name: string = q.getValueName();
    if (named.has(name) || NO_VALUE_TYPES.has(q.getType()) || !Object.hasOwn(data, name)) continue;
    named.add(name);
    checkValue(q, data[name], q.name, complete && q.isVisible, strict, loc);
  }
  errors.push(...strict);
  if (!complete) return errors.length ? { ok: false, errors } : { ok: true, answers: data };
  // survey-core's verdict on every page the respondent went through (for the questions that passed the strict checks)
  const walked = pagesWalked(model);
  model.validateElements(walked, true, false);
  const refused = new Set(errors.map((e) => e.name.split(/[.[]/)[0]));
  errors.push(...coreErrors(walked).filter((e) => !refused.has(e.name.split(/[.[]/)[0])));
  if (errors.length) return { ok: false, errors };
  // completion as survey-core does it: invisible values cleared, expressions as computed here
  const walkedSet = new Set(walked);
  if (walked.length < model.visiblePages.length) {
    for (const page of model.visiblePages) if (!walkedSet.has(page)) for (const q of page.questions) q.clearValue();
  }
  model.clearInvisibleQuestionValues();
  const result = JSON.parse(JSON.stringify(model.data)) as Record<string, unknown>;
  return { ok: true, answers: result };
}
