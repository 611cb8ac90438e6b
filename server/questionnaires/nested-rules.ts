// The nested answers the compiled validator models: a dynamic panel (a list of panel objects, one per person, say)
// and a matrix of dropdowns (an object of row objects of cells). Compiled once from survey-core's own question models
// (the template's questions, a row's cells) into the same shape and survey-core rules as a top-level question; checked
// in plain JS with the paths survey-verdict.ts reports (`personen[0].naam`, `kosten.huur.bedrag`).
import { ConditionRunner, settings } from 'survey-core';
import { checkShape, compileShape, isPlainObject, type ShapeRule } from './choice-rules';
import { compileSjsRule, sjsErrors, sjsMessages, type SjsRule } from './survey-rules';
import { message } from './validator-messages';
import type { RunCondition } from './condition-context';
import type { Locale } from '../shared/locale';

export interface AnswerError {
  name: string;
  message: string;
}

/** A question inside a panel or a matrix cell; vis: its visibleIf (panels only), evaluated with `{panel.x}`. */
export interface Inner {
  name: string;
  vis: ConditionRunner | null;
  required: boolean;
  shape: ShapeRule;
  sjs: SjsRule;
}
export type NestedRule =
  | { kind: 'panels'; max: number; min: number; pad: boolean; inner: Inner[]; byName: Map<string, Inner> }
  | { kind: 'rows'; rows: string[]; rowSet: Set<string>; inner: Inner[]; byName: Map<string, Inner> };

// survey-core question models are typed `any` here: they are only read, once, at compile time.
/* eslint-disable @typescript-eslint/no-explicit-any */
function inner(q: any, withCondition: boolean): Inner {
  const shape = compileShape(q);
  const exclusive = shape.kind === 'multi' ? shape.exclusive : new Set<unknown>();
  return {
    name: q.getValueName(),
    vis:
      withCondition && typeof q.visibleIf === 'string' && q.visibleIf.trim() ? new ConditionRunner(q.visibleIf) : null,
    required: !!q.isRequired,
    shape,
    sjs: compileSjsRule(q, undefined, exclusive),
  };
}

/** The rule of a paneldynamic or matrixdropdown question, with the sources its messages are read from per locale. */
export function compileNested(q: any, firstPage: any): { rule: NestedRule; sources: [any, Inner][] } {
  const sources: [any, Inner][] = [];
  const add = (el: any, withCondition: boolean) => {
    const i = inner(el, withCondition);
    sources.push([el, i]);
    return i;
  };
  if (q.getType() === 'paneldynamic') {
    const list = (q.template.questions as any[]).map((el) => add(el, true));
    const max = Number(q.maxPanelCount) > 0 ? Number(q.maxPanelCount) : settings.panel.maxPanelCount;
    const min = Math.max(Number(q.minPanelCount) || 0, 0);
    // survey-core builds the panels of a page other than the one shown first only when it validates that page, and
    // then writes the minimum count into the answer: [] or a missing answer becomes [{}] (panels that were shown
    // first, like the browser's, stay as answered)
    const pad = min > 0 && q.page !== firstPage;
    const rule: NestedRule = {
      kind: 'panels',
      max,
      min,
      pad,
      inner: list,
      byName: new Map(list.map((i) => [i.name, i])),
    };
    return { rule, sources };
  }
  const row = q.visibleRows[0];
  if (!row || !q.columns?.length)
    throw new Error(
      `questionnaire definition: question "${q.name}" of type "matrixdropdown" without rows or columns is not supported by the answer validator`,
    );
  const list = (row.cells as any[]).map((cell) => add(cell.question, false));
  const rows = (q.rows as any[]).map((r) => String(r.value));
  return {
    rule: { kind: 'rows', rows, rowSet: new Set(rows), inner: list, byName: new Map(list.map((i) => [i.name, i])) },
    sources,
  };
}

export function nestedMessages(el: any, i: Inner, loc: Locale): void {
  i.sjs.msgs[loc] = sjsMessages(el, i.sjs, loc);
}

/** The most parts an answer can have before it is refused as too many (survey-verdict.ts's partsCap). */
export function partsCap(rule: NestedRule): number {
  return rule.kind === 'panels' ? rule.max : Math.max(rule.rows.length, 1);
}

/**
 * The strict checks of a nested answer (never null here), as survey-verdict.ts makes them: too many parts, the
 * container's type, then each panel or row object key by key. On completion null and empty strings inside are
 * refused too (the browser never posts them, and survey-core's clean-up of such cells is not modelled); autosave
 * keeps them, as survey-verdict.ts does.
 */
export function checkNested(
  rule: NestedRule,
  value: unknown,
  path: string,
  loc: Locale,
  complete = true,
): AnswerError[] {
  const out: AnswerError[] = [];
  const fail = (at: string, key: Parameters<typeof message>[0], arg?: unknown) =>
    out.push({ name: at.slice(0, 200), message: message(key, loc, arg) });
  const parts = Array.isArray(value) ? value.length : isPlainObject(value) ? Object.keys(value).length : 0;
  if (parts > partsCap(rule)) return (fail(path, 'tooMany', partsCap(rule)), out);
  const checkObject = (obj: unknown, at: string) => {
    if (!isPlainObject(obj)) return void fail(at, 'wrongType');
    for (const key of Object.keys(obj)) {
      const q = rule.byName.get(key);
      if (!q) {
        fail(`${at}.${key}`, 'unknownQuestion');
        continue;
      }
      const v = obj[key];
      if (v === null || v === undefined || v === '') {
        if (complete) fail(`${at}.${key}`, 'wrongType');
        continue;
      }
      const err = checkShape(q.shape, v);
      if (err) fail(`${at}.${key}`, err.key, err.arg);
    }
  };
  if (rule.kind === 'panels') {
    if (!Array.isArray(value)) return (fail(path, 'notAList'), out);
    value.forEach((p, i) => checkObject(p, `${path}[${i}]`));
    return out;
  }
  if (!isPlainObject(value)) return (fail(path, 'wrongType'), out);
  for (const row of Object.keys(value)) {
    if (!rule.rowSet.has(row)) fail(`${path}.${row}`, 'unknownRow');
    else checkObject(value[row], `${path}.${row}`);
  }
  return out;
}

/**
 * The values a condition inside a panel sees: the answer set, with `{panel.x}` and `{panelIndex}`. One object per
 * dynamic panel question, pointed at each panel in turn (conditions run synchronously); `panel` and `panelIndex` come
 * first, which survey-core's case-insensitive name scan then finds at once (compiled-subset.ts refuses questions of
 * those names, so the order changes no result).
 */
function panelScope(
  data: Record<string, unknown>,
): (panel: Record<string, unknown>, index: number) => () => Record<string, unknown> {
  let values: Record<string, unknown> | null = null;
  return (panel, index) => () => {
    values ??= { panel: null, panelIndex: 0, ...data };
    values.panel = panel;
    values.panelIndex = index;
    return values;
  };
}

const runWith =
  (values: Record<string, unknown>): RunCondition =>
  (runner) => {
    try {
      return runner.runValues(values) === true;
    } catch {
      return false;
    }
  };

/** Is inner question `q` of a panel visible, given the values its conditions see (panelValues)? */
function innerVisible(q: Inner, values: () => Record<string, unknown>): boolean {
  return !q.vis || runWith(values())(q.vis);
}

/** survey-core's errors inside a visible nested question whose answer passed the strict checks. */
export function nestedErrors(
  rule: NestedRule,
  value: unknown,
  path: string,
  data: Record<string, unknown>,
  loc: Locale,
): AnswerError[] {
  const out: AnswerError[] = [];
  const never: RunCondition = () => false;
  if (rule.kind === 'panels') {
    const list = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
    const count = Math.max(list.length, rule.min);
    const scope = panelScope(data);
    for (let i = 0; i < count; i++) {
      const panel = list[i] ?? {};
      const values = scope(panel, i);
      for (const q of rule.inner) {
        if (!innerVisible(q, values)) continue;
        for (const msg of sjsErrors(q.sjs, q.required, panel[q.name], undefined, never, loc))
          out.push({ name: `${path}[${i}].${q.name}`, message: msg });
      }
    }
    return out;
  }
  const rows = isPlainObject(value) ? value : {};
  for (const row of rule.rows) {
    const cells = (isPlainObject(rows[row]) ? rows[row] : {}) as Record<string, unknown>;
    for (const q of rule.inner)
      for (const msg of sjsErrors(q.sjs, q.required, cells[q.name], undefined, never, loc))
        out.push({ name: `${path}.${row}.${q.name}`, message: msg });
  }
  return out;
}

/** The answer survey-core holds after validating a visible dynamic panel: padded with empty panels up to the minimum. */
export function padPanels(rule: NestedRule, value: unknown): unknown {
  if (rule.kind !== 'panels' || !rule.pad) return value;
  const list = Array.isArray(value) ? value : [];
  if (list.length >= rule.min) return value;
  return [...list, ...Array.from({ length: rule.min - list.length }, () => ({}))];
}

/**
 * Completion's clean-up inside a visible dynamic panel, as survey-core's clearInvisibleQuestionValues does it: each
 * panel's invisible questions lose their values. Returns the cleaned copy, or the same value when nothing changed.
 */
export function cleanPanels(rule: NestedRule, value: unknown, data: Record<string, unknown>): unknown {
  if (rule.kind !== 'panels' || !Array.isArray(value)) return value;
  let copy: Record<string, unknown>[] | null = null;
  const scope = panelScope(data);
  value.forEach((p: Record<string, unknown>, i) => {
    let panel = p;
    let values = scope(panel, i);
    for (const q of rule.inner) {
      if (!Object.hasOwn(panel, q.name) || innerVisible(q, values)) continue;
      if (panel === p) panel = { ...p };
      delete panel[q.name];
      values = scope(panel, i); // the next conditions see the panel without it
    }
    if (panel !== p) (copy ??= [...value])[i] = panel;
  });
  return copy ?? value;
}
