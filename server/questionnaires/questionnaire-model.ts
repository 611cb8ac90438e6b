/**
 * The parts of a SurveyJS definition the exports need, read once per questionnaire version: every question in
 * definition order with its type, texts in Dutch and English, choices or matrix rows and columns, and the chain of
 * visibleIf conditions (page, panels, question) that decides whether it was asked.
 */
import type { LocalizedText } from './questionnaire-file';

export type QuestionType = 'radiogroup' | 'dropdown' | 'checkbox' | 'matrix' | 'text' | 'comment' | 'boolean' | 'rating' | 'other';

export interface Coded {
  value: number | string;
  text: LocalizedText;
  isExclusive?: boolean;
}

export interface SurveyQuestion {
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
  maxLength?: number;
  min?: number;
  max?: number;
  /** boolean questions */
  valueTrue?: unknown;
  valueFalse?: unknown;
}

export interface SurveyModel {
  questions: SurveyQuestion[];
  byName: Map<string, SurveyQuestion>;
}

type Json = Record<string, unknown>;

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

function coded(list: unknown): Coded[] {
  if (!Array.isArray(list)) return [];
  return list.map((c) => {
    if (c && typeof c === 'object') {
      const o = c as Json;
      const value = o.value as number | string;
      return { value, text: localized(o.text, String(value)), isExclusive: o.isExclusive === true || undefined };
    }
    return { value: c as number | string, text: localized(String(c)) };
  });
}

const TYPES = new Set(['radiogroup', 'dropdown', 'checkbox', 'matrix', 'text', 'comment', 'boolean', 'rating']);

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
}

export function readSurveyModel(survey: Json): SurveyModel {
  const questions: SurveyQuestion[] = [];
  const visit = (elements: unknown, page: string, conditions: string[]) => {
    if (!Array.isArray(elements)) return;
    for (const raw of elements) {
      const e = raw as Json;
      const own = typeof e.visibleIf === 'string' && e.visibleIf.trim() ? [...conditions, e.visibleIf] : conditions;
      if (e.type === 'panel') {
        visit(e.elements, page, own);
        continue;
      }
      if (typeof e.name !== 'string' || e.type === 'html' || e.type === 'image' || e.type === 'expression') continue;
      const type = (TYPES.has(e.type as string) ? e.type : 'other') as QuestionType;
      questions.push({
        name: e.name,
        type,
        inputType: typeof e.inputType === 'string' ? e.inputType : undefined,
        title: localized(e.title, e.name),
        page,
        conditions: own,
        required: e.isRequired === true,
        choices: coded(e.choices),
        rows: coded(e.rows),
        columns: coded(e.columns),
        maxLength: num(e.maxLength),
        min: num(e.min),
        max: num(e.max),
        valueTrue: e.valueTrue ?? true,
        valueFalse: e.valueFalse ?? false,
      });
    }
  };
  const pages = Array.isArray(survey.pages) ? (survey.pages as Json[]) : [];
  pages.forEach((p, i) => {
    const cond = typeof p.visibleIf === 'string' && p.visibleIf.trim() ? [p.visibleIf] : [];
    visit(p.elements, typeof p.name === 'string' ? p.name : `page${i + 1}`, cond);
  });
  return { questions, byName: new Map(questions.map((q) => [q.name, q])) };
}

/** The routing of a question as one readable expression ('' = always asked). */
export function routingText(q: SurveyQuestion): string {
  if (q.conditions.length === 0) return '';
  if (q.conditions.length === 1) return q.conditions[0];
  return q.conditions.map((c) => `(${c})`).join(' and ');
}
