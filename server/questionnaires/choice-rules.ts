// Shape rules: the type/choice/size checks that survey-core does NOT make (it silently keeps or drops such
// values). Compiled once per questionnaire version from a survey-core question; checked with plain JS.
import type { MessageKey } from './validator-messages';

/** Cap for any string answer, also where the definition sets no maxLength. */
export const STRING_CAP = 10_000;

export type ShapeRule =
  | { kind: 'single'; values: Set<unknown> } // radiogroup, dropdown, rating, boolean
  | { kind: 'multi'; values: Set<unknown>; exclusive: Set<unknown>; maxSelected: number } // checkbox
  | { kind: 'matrix'; rows: Set<string>; values: Set<unknown> } // single-choice matrix
  | { kind: 'string'; maxLength: number } // text, comment
  | { kind: 'number' }; // text with inputType number

export interface ShapeError {
  key: MessageKey;
  arg?: unknown;
}

/** What the `<name>-Comment` key of a question holds: the "other" text, a comment area, or nothing allowed. */
export type CommentKind = 'other' | 'area' | null;

// survey-core question models are typed `any` here: they are only read, once, at compile time.
export function compileShape(q: any): ShapeRule {
  const type: string = q.getType();
  switch (type) {
    case 'radiogroup':
    case 'dropdown':
      return { kind: 'single', values: new Set(choiceItems(q).map((c: any) => c.value)) };
    case 'checkbox': {
      const items = choiceItems(q);
      const exclusive = items.filter((c: any) => c.isExclusive === true).map((c: any) => c.value);
      const maxSelected = Number(q.maxSelectedChoices) > 0 ? Number(q.maxSelectedChoices) : 0;
      return {
        kind: 'multi',
        values: new Set(items.map((c: any) => c.value)),
        exclusive: new Set(exclusive),
        maxSelected,
      };
    }
    case 'rating':
      return { kind: 'single', values: new Set(q.visibleRateValues.map((c: any) => c.value)) };
    case 'boolean':
      return { kind: 'single', values: new Set([q.getValueTrue(), q.getValueFalse()]) };
    case 'matrix':
      return {
        kind: 'matrix',
        rows: new Set(q.rows.map((r: any) => String(r.value))),
        values: new Set(q.columns.map((c: any) => c.value)),
      };
    case 'text':
      if (q.inputType === 'number') return { kind: 'number' };
      return { kind: 'string', maxLength: maxLength(q) };
    case 'comment':
      return { kind: 'string', maxLength: maxLength(q) };
    default:
      throw new Error(`question "${q.name}": unsupported question type "${type}"`);
  }
}

/** The choices a respondent can pick, including none/other/refuse/don't-know items, excluding "select all". */
function choiceItems(q: any): any[] {
  return q.visibleChoices.filter((c: any) => c !== q.selectAllItem);
}

function maxLength(q: any): number {
  const n = Number(q.getMaxLength());
  return n > 0 ? n : STRING_CAP;
}

export function commentKind(q: any): CommentKind {
  if (q.showCommentArea) return 'area';
  if (q.showOtherItem) return 'other';
  return null;
}

export function otherValue(q: any): unknown {
  return q.otherItem?.value;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** null if `value` has the shape the question can hold, else the reason. `value` is never null/undefined here. */
export function checkShape(rule: ShapeRule, value: unknown): ShapeError | null {
  switch (rule.kind) {
    case 'single':
      return rule.values.has(value) ? null : { key: 'notAChoice' };
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : { key: 'sjs:numericError' };
    case 'string':
      if (typeof value !== 'string') return { key: 'wrongType' };
      return value.length > rule.maxLength ? { key: 'tooLong', arg: rule.maxLength } : null;
    case 'multi': {
      if (!Array.isArray(value)) return { key: 'notAList' };
      if (value.length > rule.values.size) return { key: 'duplicate' };
      const seen = new Set<unknown>();
      for (const v of value) {
        if (!rule.values.has(v)) return { key: 'notAChoice' };
        if (seen.has(v)) return { key: 'duplicate' };
        seen.add(v);
      }
      if (value.length > 1 && value.some((v) => rule.exclusive.has(v))) return { key: 'exclusive' };
      if (rule.maxSelected > 0 && value.length > rule.maxSelected)
        return { key: 'sjs:maxSelectError', arg: rule.maxSelected };
      return null;
    }
    case 'matrix': {
      if (!isPlainObject(value)) return { key: 'wrongType' };
      for (const row of Object.keys(value)) {
        if (!rule.rows.has(row)) return { key: 'unknownRow' };
        if (!rule.values.has(value[row])) return { key: 'notAChoice' };
      }
      return null;
    }
  }
}

/** The `<name>-Comment` value: a string within the cap. */
export function checkComment(value: unknown, cap: number): ShapeError | null {
  if (typeof value !== 'string') return { key: 'wrongType' };
  return value.length > cap ? { key: 'tooLong', arg: cap } : null;
}

/** Does the (shape-valid) value select the "other" item? */
export function selectsOther(value: unknown, other: unknown): boolean {
  return Array.isArray(value) ? value.includes(other) : value === other;
}
