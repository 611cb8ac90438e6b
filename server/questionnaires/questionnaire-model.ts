/**
 * The questionnaire model of one version, read once by the registry from survey-core's own Model of the definition
 * (so `pages`, `elements` and the legacy `questions` key, localized texts and defaults read as survey-core reads
 * them): every question that stores an answer, in definition order, with its type, texts in Dutch and English,
 * choices, rows, columns, items, the chain of visibleIf conditions (page, panels, question) that decides whether it
 * was asked, and its export variables (named by the rules in variable-names.ts). Validation, exports and the
 * synthetic answers all read this one model.
 */
import type { LocalizedText } from './questionnaire-file';
import { buildModel, NO_VALUE_TYPES } from './survey-verdict';
import { spssName, VariableNamer } from './variable-names';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** survey-core's question type (radiogroup, matrixdropdown, paneldynamic, …) */
export type QuestionType = string;

export interface Coded {
  value: number | string;
  text: LocalizedText;
  isExclusive?: boolean;
  /** survey-core's special items: none, other ("other, namely"), refuse, don't know */
  special?: 'none' | 'other' | 'refuse' | 'dontknow';
}

/** A column of a matrixdropdown/matrixdynamic, or a question inside a dynamic panel, or a multiple-text item. */
export interface InnerQuestion {
  name: string;
  type: QuestionType;
  inputType?: string;
  title: LocalizedText;
  choices: Coded[];
}

export type VariableKind = 'choice' | 'matrix_row' | 'checkbox_choice' | 'number' | 'text';

/** One column of an export, read from one question's answer. */
export interface SurveyVariable {
  /** SPSS-safe, unique within the version */
  name: string;
  label: LocalizedText;
  kind: VariableKind;
  /** the question (its answer key) */
  question: string;
  /** where inside the answer: a matrix row, a dropdown cell [row, column], a panel [index, question], a rank [index] */
  path: Array<string | number>;
  /** checkbox_choice: the choice whose 0/1 this is */
  choice?: number | string;
  /** choice: value labels by code; codes are the choice values when all are whole numbers, else 1, 2, … in order */
  codes: Array<{ value: number | string; code: number; text: LocalizedText }>;
  /** matrix_row (single-choice matrix) */
  row?: string;
  /** the text beside the answer (`<question>-Comment`: "other, namely" or a comment area) rather than the answer */
  comment?: true;
}

export interface SurveyQuestion {
  /** the key of its answer (survey-core's valueName, else its name) */
  name: string;
  type: QuestionType;
  /** text questions: SurveyJS inputType (number, email, …) */
  inputType?: string;
  title: LocalizedText;
  page: string;
  /** every visibleIf on the way down (page, panels, the question itself); all must hold */
  conditions: string[];
  required: boolean;
  choices: Coded[];
  /** matrix */
  rows: Coded[];
  columns: Coded[];
  /** matrixdropdown/matrixdynamic columns, paneldynamic template questions, multipletext items */
  inner: InnerQuestion[];
  /** paneldynamic: panels exported; matrixdynamic: rows exported */
  repeat?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  /** boolean questions */
  valueTrue?: unknown;
  valueFalse?: unknown;
  /** matrix with cellType checkbox */
  cellType?: string;
  /** imagepicker with several choices allowed */
  multiSelect?: boolean;
  /** the answer has a text beside it (`<question>-Comment`): the "other, namely" text or a comment area */
  commentText?: 'other' | 'comment';
  variables: SurveyVariable[];
}

export interface SurveyModel {
  questions: SurveyQuestion[];
  byName: Map<string, SurveyQuestion>;
  pages: Array<{ name: string; visibleIf: string }>;
  /** calculated values (expressions the survey keeps as variables) */
  calculated: string[];
  /** display-only elements and expression questions */
  displayOnly: number;
  /** conditions and triggers that route the respondent */
  routing: number;
  variables: SurveyVariable[];
}

/** Panels and rows exported for a paneldynamic/matrixdynamic without a maximum. */
export const DEFAULT_REPEAT = 10;

/** A SurveyJS text: a plain string or a localized object (default = Dutch). */
export function localized(raw: unknown, fallback = ''): LocalizedText {
  if (typeof raw === 'string') return { nl: raw, en: raw };
  if (raw && typeof raw === 'object') {
    const r = raw as Record<string, unknown>;
    const nl = typeof r.nl === 'string' ? r.nl : typeof r.default === 'string' ? r.default : undefined;
    const en = typeof r.en === 'string' ? r.en : undefined;
    return { nl: nl ?? en ?? fallback, en: en ?? nl ?? fallback };
  }
  return { nl: fallback, en: fallback };
}

/** A survey-core localizable string in both languages (its JSON form: a string or { default, nl, en }). */
function locText(ls: any, fallback: string): LocalizedText {
  const json = ls?.getJson?.();
  return localized(json, fallback);
}

function coded(items: any[] | undefined, owner?: any): Coded[] {
  const special = (c: any): Coded['special'] =>
    !owner
      ? undefined
      : c === owner.noneItem
        ? 'none'
        : c === owner.otherItem
          ? 'other'
          : c === owner.refuseItem
            ? 'refuse'
            : c === owner.dontKnowItem
              ? 'dontknow'
              : undefined;
  return (items ?? []).map((c: any) => ({
    value: c.value as number | string,
    text: locText(c.locText, String(c.value)),
    isExclusive: c.isExclusive === true || undefined,
    special: special(c),
  }));
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v)
    ? v
    : typeof v === 'string' && v !== '' && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;
}

/**
 * Codes of a list of choices: a whole-number value is its own code; other values (strings, the "other" item) are
 * numbered after the largest whole number (1, 2, … when there is none), stepping over the missing codes 93–99.
 */
export function codesOf(choices: Coded[]): SurveyVariable['codes'] {
  if (choices.length && choices.every((c) => typeof c.value === 'boolean'))
    return choices.map((c) => ({ value: c.value, code: c.value ? 1 : 0, text: c.text })); // yes 1, no 0
  const whole = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  let next = Math.max(0, ...choices.map((c) => (whole(c.value) ? c.value : 0))) + 1;
  return choices.map((c) => {
    if (whole(c.value)) return { value: c.value, code: c.value, text: c.text };
    if (next >= 93 && next <= 99) next = 100;
    return { value: c.value, code: next++, text: c.text };
  });
}

const both = (a: LocalizedText, b: LocalizedText): LocalizedText => ({
  nl: `${a.nl}: ${b.nl}`,
  en: `${a.en}: ${b.en}`,
});
const partText = (label: string): LocalizedText => ({ nl: label, en: label });

function choicesOf(q: any): Coded[] {
  const type: string = q.getType();
  if (type === 'rating') return coded(q.visibleRateValues ?? q.rateValues);
  if (type === 'boolean')
    return [
      { value: q.getValueTrue(), text: locText(q.locLabelTrue, 'Ja') },
      { value: q.getValueFalse(), text: locText(q.locLabelFalse, 'Nee') },
    ];
  const extra = [q.noneItem, q.otherItem, q.refuseItem, q.dontKnowItem].filter(
    (it: any) => it && (q.visibleChoices ?? []).includes(it),
  );
  return coded([...(q.choices ?? []), ...extra], q);
}

function innerOf(q: any, type: string): InnerQuestion[] {
  const inner = (x: any, name: string, title: LocalizedText): InnerQuestion => ({
    name,
    type: x.getType(),
    inputType: typeof x.inputType === 'string' && x.getType() === 'text' ? x.inputType : undefined,
    title,
    choices: x.getType() === 'rating' || x.getType() === 'boolean' || x.choices ? choicesOf(x) : [],
  });
  if (type === 'matrixdropdown' || type === 'matrixdynamic')
    return q.columns.map((c: any) => {
      const t = c.templateQuestion;
      const res = inner(t, c.name, locText(c.locTitle, c.name));
      if (res.choices.length === 0 && t.choices !== undefined) res.choices = coded(q.choices);
      return res;
    });
  if (type === 'paneldynamic')
    return q.template.questions
      .filter((x: any) => !NO_VALUE_TYPES.has(x.getType()))
      .map((x: any) => inner(x, x.getValueName(), locText(x.locTitle, x.name)));
  if (type === 'multipletext')
    return q.items.map((it: any) => ({ ...inner(it.editor, it.name, locText(it.locTitle, it.name)), type: 'text' }));
  return [];
}

/** The export variables of one question (see variable-names.ts for the naming rule). */
function variablesOf(q: SurveyQuestion, namer: VariableNamer): SurveyVariable[] {
  const v = (
    parts: Array<string | number>,
    label: LocalizedText,
    kind: VariableKind,
    path: Array<string | number>,
    choices: Coded[] = [],
    extra: Partial<SurveyVariable> = {},
  ): SurveyVariable => ({
    name: namer.name([q.name, ...parts]),
    label,
    kind,
    question: q.name,
    path,
    codes: kind === 'choice' || kind === 'matrix_row' ? codesOf(choices) : [],
    ...extra,
  });
  const innerKind = (x: InnerQuestion): VariableKind =>
    x.type === 'text'
      ? x.inputType === 'number' || x.inputType === 'range'
        ? 'number'
        : 'text'
      : x.type === 'comment' || x.type === 'file' || x.type === 'signaturepad' || x.choices.length === 0
        ? x.type === 'expression'
          ? 'number'
          : 'text'
        : x.type === 'checkbox' || x.type === 'tagbox' || x.type === 'ranking'
          ? 'text'
          : 'choice';
  switch (q.type) {
    case 'html':
    case 'image':
      return [];
    case 'matrix':
      if (q.cellType === 'checkbox')
        return q.rows.flatMap((r) =>
          q.columns.map((c) =>
            v([r.value, c.value], both(both(q.title, r.text), c.text), 'checkbox_choice', [String(r.value)], [], {
              choice: c.value,
            }),
          ),
        );
      return q.rows.map((r) =>
        v([r.value], both(q.title, r.text), 'matrix_row', [String(r.value)], q.columns, { row: String(r.value) }),
      );
    case 'checkbox':
    case 'tagbox':
      return q.choices.map((c) => v([c.value], both(q.title, c.text), 'checkbox_choice', [], [], { choice: c.value }));
    case 'imagepicker':
      return q.choices.length && q.multiSelect
        ? q.choices.map((c) => v([c.value], both(q.title, c.text), 'checkbox_choice', [], [], { choice: c.value }))
        : [v([], q.title, 'choice', [], q.choices)];
    case 'boolean':
      return [v([], q.title, 'choice', [])]; // 1 = yes (valueTrue), 0 = no
    case 'ranking':
      return q.choices.map((_, i) => v([i + 1], both(q.title, partText(`${i + 1}`)), 'choice', [i], q.choices));
    case 'multipletext':
      return q.inner.map((it) =>
        v([it.name], both(q.title, it.title), it.inputType === 'number' ? 'number' : 'text', [it.name]),
      );
    case 'matrixdropdown':
      return q.rows.flatMap((r) =>
        q.inner.map((c) =>
          v(
            [r.value, c.name],
            both(both(q.title, r.text), c.title),
            innerKind(c),
            [String(r.value), c.name],
            c.choices,
          ),
        ),
      );
    case 'matrixdynamic':
    case 'paneldynamic':
      return Array.from({ length: q.repeat ?? DEFAULT_REPEAT }, (_, i) =>
        q.inner.map((c) =>
          v([i + 1, c.name], both(both(q.title, partText(`${i + 1}`)), c.title), innerKind(c), [i, c.name], c.choices),
        ),
      ).flat();
    case 'text':
      return [v([], q.title, q.inputType === 'number' || q.inputType === 'range' ? 'number' : 'text', [])];
    case 'expression':
    case 'slider':
      return [v([], q.title, 'number', [])];
    case 'comment':
    case 'file':
    case 'signaturepad':
      return [v([], q.title, 'text', [])];
    default:
      return q.choices.length ? [v([], q.title, 'choice', [], q.choices)] : [v([], q.title, 'text', [])];
  }
}

/** An element's own visibility condition: its visibleIf, or `false` when it is hidden outright (visible: false). */
const condition = (el: any): string =>
  typeof el.visibleIf === 'string' && el.visibleIf.trim()
    ? el.visibleIf.trim()
    : el.toJSON().visible === false
      ? 'false'
      : '';

export function readSurveyModel(survey: object): SurveyModel {
  const model: any = buildModel(survey);
  try {
    const questions: SurveyQuestion[] = [];
    let displayOnly = 0;
    let routing = (model.triggers ?? []).length;
    const name = new VariableNamer();
    const countRouting = (el: any) => {
      for (const k of [
        'visibleIf',
        'enableIf',
        'requiredIf',
        'choicesVisibleIf',
        'choicesEnableIf',
        'rowsVisibleIf',
        'columnsVisibleIf',
      ])
        if (typeof el[k] === 'string' && el[k].trim()) routing++;
    };
    const visit = (elements: any[], page: string, conditions: string[]) => {
      for (const el of elements) {
        countRouting(el);
        const own = condition(el) ? [...conditions, condition(el)] : conditions;
        if (el.isPanel) {
          visit(el.elements, page, own);
          continue;
        }
        const type: string = el.getType();
        if (NO_VALUE_TYPES.has(type) || type === 'expression') displayOnly++;
        if (NO_VALUE_TYPES.has(type)) continue;
        const q: SurveyQuestion = {
          name: el.getValueName(),
          type,
          inputType: type === 'text' && typeof el.inputType === 'string' ? el.inputType : undefined,
          title: locText(el.locTitle, el.name),
          page,
          conditions: own,
          required: el.isRequired === true,
          choices: el.choices !== undefined || type === 'rating' || type === 'boolean' ? choicesOf(el) : [],
          rows: type === 'matrix' || type === 'matrixdropdown' ? coded(el.rows) : [],
          columns: type === 'matrix' ? coded(el.columns) : [],
          inner: innerOf(el, type),
          repeat:
            type === 'paneldynamic'
              ? Math.min(
                  Number(el.maxPanelCount) || DEFAULT_REPEAT,
                  DEFAULT_REPEAT * 10,
                  el.maxPanelCount === 100 ? DEFAULT_REPEAT : Infinity,
                )
              : type === 'matrixdynamic'
                ? Math.min(Number(el.maxRowCount) || DEFAULT_REPEAT, el.maxRowCount >= 1000 ? DEFAULT_REPEAT : Infinity)
                : undefined,
          maxLength: num(typeof el.getMaxLength === 'function' ? el.getMaxLength() : el.maxLength) || undefined,
          min: num(el.min),
          max: num(el.max),
          valueTrue: type === 'boolean' ? el.getValueTrue() : undefined,
          valueFalse: type === 'boolean' ? el.getValueFalse() : undefined,
          multiSelect: type === 'imagepicker' && el.multiSelect === true ? true : undefined,
          commentText: el.showCommentArea
            ? 'comment'
            : el.showOtherItem && el.storeOthersAsComment !== false
              ? 'other'
              : undefined,
          cellType: type === 'matrix' && el.cellType && el.cellType !== 'radio' ? el.cellType : undefined,
          variables: [],
        };
        if (questions.some((x) => x.name === q.name)) continue; // a shared valueName: one answer, read once
        q.variables = variablesOf(q, name);
        if (q.commentText)
          q.variables.push({
            name: name.name([q.name, q.commentText === 'other' ? 'anders' : 'toelichting']),
            label: both(
              q.title,
              q.commentText === 'other'
                ? { nl: 'anders, namelijk', en: 'other, namely' }
                : { nl: 'toelichting', en: 'comment' },
            ),
            kind: 'text',
            question: q.name,
            path: [],
            codes: [],
            comment: true,
          });
        questions.push(q);
      }
    };
    const pages = (model.pages as any[]).map((p, i) => {
      countRouting(p);
      const pageName = typeof p.name === 'string' && p.name ? p.name : `page${i + 1}`;
      visit(p.elements, pageName, condition(p) ? [condition(p)] : []);
      return { name: pageName, visibleIf: condition(p) };
    });
    return {
      questions,
      byName: new Map(questions.map((q) => [q.name, q])),
      pages,
      calculated: (model.calculatedValues ?? []).map((c: any) => c.name),
      displayOnly,
      routing,
      variables: questions.flatMap((q) => q.variables),
    };
  } finally {
    model.dispose();
  }
}

/** The routing of a question as one readable expression ('' = always asked). */
export function routingText(q: SurveyQuestion): string {
  if (q.conditions.length === 0) return '';
  if (q.conditions.length === 1) return q.conditions[0];
  return q.conditions.map((c) => `(${c})`).join(' and ');
}

export { spssName };
