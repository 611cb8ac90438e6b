// The checks survey-core itself makes when a respondent completes a survey (Question.onCheckForErrors and the
// question types' overrides, then the `validators`), re-implemented in plain JS on a rule compiled once.
// Messages are taken from survey-core at compile time (per locale), so they are the texts the browser showed.
import { AnswerRequiredError, ConditionRunner, EmailValidator, Helpers, RequreNumericError } from 'survey-core';
import type { Locale } from '../shared/locale';
import type { RunCondition } from './condition-context';
import { selectsOther } from './choice-rules';
import { format, sjsString } from './validator-messages';

type Validator =
  | { type: 'numeric'; min: unknown; max: unknown }
  | { type: 'text'; minLength: number; maxLength: number; allowDigits: boolean }
  | { type: 'regex'; re: RegExp }
  | { type: 'email'; re: RegExp }
  | { type: 'expression'; runner: ConditionRunner }
  | { type: 'answercount'; minCount: number; maxCount: number };

interface Messages {
  required: string;
  other: string;
  minSelected: string;
  rowsRequired: string;
  rowsUnique: string;
  min: string;
  max: string;
  step: string;
  email: string;
  validators: string[][];
}

export interface SjsRule {
  trim: boolean; // !allowSpaceAsAnswer: a whitespace-only string counts as empty
  other: unknown; // value of the "other" item (its text is the -Comment key), or undefined
  minSelected: number;
  exclusive: Set<unknown>;
  rows: string[] | null; // matrix rows, when eachRowRequired/eachRowUnique
  eachRowRequired: boolean;
  eachRowUnique: boolean;
  min: number | null;
  max: number | null;
  step: number | null;
  emailRe: RegExp | null; // inputType email without an explicit email validator
  validators: Validator[];
  msgs: Record<Locale, Messages>;
}

// survey-core question models are typed `any` here: they are only read, once, at compile time.
/* Compile the rule; its messages are filled per locale by sjsMessages (the model's locale must be set first). */
export function compileSjsRule(q: any, other: unknown, exclusive: Set<unknown>): SjsRule {
  const type: string = q.getType();
  const isNumber = type === 'text' && q.inputType === 'number';
  const num = (v: unknown): number | null =>
    isNumber && !Helpers.isValueEmpty(v) && Helpers.isNumber(v) ? Helpers.getNumber(v) : null;
  const validators: Validator[] = (q.validators as any[]).map((v: any) => {
    const vt: string = v.getType();
    if (vt === 'numericvalidator') return { type: 'numeric', min: v.minValue, max: v.maxValue };
    if (vt === 'textvalidator')
      return {
        type: 'text',
        minLength: Number(v.minLength) || 0,
        maxLength: Number(v.maxLength) || 0,
        allowDigits: v.allowDigits !== false,
      };
    if (vt === 'regexvalidator') return { type: 'regex', re: new RegExp(v.regex, v.caseInsensitive ? 'i' : '') };
    if (vt === 'emailvalidator') return { type: 'email', re: v.re as RegExp };
    if (vt === 'expressionvalidator')
      return { type: 'expression', runner: new ConditionRunner(v.expression || 'true') };
    if (vt === 'answercountvalidator')
      return { type: 'answercount', minCount: Number(v.minCount) || 0, maxCount: Number(v.maxCount) || 0 };
    throw new Error(`question "${q.name}": unsupported validator "${vt}"`);
  });
  const matrix = type === 'matrix' && (q.eachRowRequired || q.eachRowUnique);
  const autoEmail = type === 'text' && q.inputType === 'email' && !validators.some((v) => v.type === 'email');
  return {
    trim: !q.allowSpaceAsAnswer,
    other,
    minSelected: type === 'checkbox' && Number(q.minSelectedChoices) > 0 ? Number(q.minSelectedChoices) : 0,
    exclusive,
    rows: matrix ? q.rows.map((r: any) => String(r.value)) : null,
    eachRowRequired: !!(matrix && q.eachRowRequired),
    eachRowUnique: !!(matrix && q.eachRowUnique),
    min: num(q.renderedMin),
    max: num(q.renderedMax),
    step: num(q.step),
    emailRe: autoEmail ? (new EmailValidator() as any).re : null,
    validators,
    msgs: {} as Record<Locale, Messages>,
  };
}

export function sjsMessages(q: any, rule: SjsRule, loc: Locale): Messages {
  return {
    required: new AnswerRequiredError(q.requiredErrorText, q).getText(),
    other: q.otherErrorText || sjsString('otherRequiredError', loc),
    minSelected: format(sjsString('minSelectError', loc), rule.minSelected),
    rowsRequired: sjsString('requiredInAllRowsError', loc),
    rowsUnique: sjsString('eachRowUniqueError', loc),
    min: rule.min === null ? '' : format(q.minErrorText, rule.min),
    max: rule.max === null ? '' : format(q.maxErrorText, rule.max),
    step: rule.step === null ? '' : format(q.stepErrorText, rule.step),
    email: sjsString('invalidEmail', loc),
    validators: (q.validators as any[]).map((v: any, i: number) => {
      const c = rule.validators[i];
      if (c.type === 'numeric') return [new RequreNumericError(v.text, q).getText(), v.getErrorText(null)];
      if (c.type === 'text') return [v.getErrorText('textNoDigitsAllow'), v.getErrorText(null)];
      if (c.type === 'answercount')
        return [
          v.text || format(sjsString('minSelectError', loc), c.minCount),
          v.text || format(sjsString('maxSelectError', loc), c.maxCount),
        ];
      return [v.getErrorText(null)];
    }),
  };
}

export function isEmpty(value: unknown, trim: boolean): boolean {
  return Helpers.isValueEmpty(trim && typeof value === 'string' ? value.trim() : value);
}

/**
 * survey-core's errors for a visible, enabled question whose value already passed the shape check.
 * `run` evaluates an expression validator on the whole answer set; returns the messages in survey-core's order.
 */
export function sjsErrors(
  rule: SjsRule,
  required: boolean,
  value: unknown,
  comment: unknown,
  run: RunCondition,
  loc: Locale,
): string[] {
  const m = rule.msgs[loc];
  const errors: string[] = [];
  const empty = isEmpty(value, rule.trim);
  if (required && empty) errors.push(m.required);
  if (rule.other !== undefined && selectsOther(value, rule.other) && !comment) errors.push(m.other);
  if (rule.minSelected > 0) {
    const len = Array.isArray(value) ? value.length : 0;
    if (!(len === 1 && rule.exclusive.has((value as unknown[])[0])) && len < rule.minSelected)
      errors.push(m.minSelected);
  }
  if (rule.rows) {
    const seen = new Set<string>();
    let noValue = false;
    let notUnique = false;
    for (const row of rule.rows) {
      const val = value && Object.hasOwn(value, row) ? (value as Record<string, unknown>)[row] : undefined;
      const rowEmpty = isEmpty(val, true);
      if (rule.eachRowUnique && !rowEmpty && seen.has(String(val))) notUnique = true;
      if (!rowEmpty) seen.add(String(val));
      if (rule.eachRowRequired && rowEmpty) noValue = true;
    }
    if (noValue) errors.push(m.rowsRequired);
    if (notUnique) errors.push(m.rowsUnique);
  }
  if (!empty && typeof value === 'number') {
    if (rule.min !== null && value < rule.min) errors.push(m.min);
    if (rule.max !== null && value > rule.max) errors.push(m.max);
    if (rule.step !== null && stepIncorrect(value, rule.step)) errors.push(m.step);
  }
  if (rule.emailRe && value && !rule.emailRe.test(value as string)) errors.push(m.email);
  if (errors.length > 0) return errors; // survey-core runs the validators only when the checks above passed
  rule.validators.forEach((v, i) => {
    const msg = validatorError(v, value, run);
    if (msg >= 0) errors.push(m.validators[i][msg]);
  });
  return errors;
}

/** Index of the validator's message that applies, or -1 (mirrors survey-core's validator classes). */
function validatorError(v: Validator, value: unknown, run: RunCondition): number {
  switch (v.type) {
    case 'numeric': {
      if (isEmpty(value, true)) return -1;
      if (!Helpers.isNumber(value)) return 0;
      const n = Helpers.getNumber(value);
      return (v.min != null && (v.min as number) > n) || (v.max != null && (v.max as number) < n) ? 1 : -1;
    }
    case 'text': {
      if (isEmpty(value, true)) return -1;
      if (!v.allowDigits && /\d+$/.test(value as string)) return 0;
      const len = (value as { length?: number }).length as number;
      return (v.minLength > 0 && len < v.minLength) || (v.maxLength > 0 && len > v.maxLength) ? 1 : -1;
    }
    case 'regex':
      if (isEmpty(value, true)) return -1;
      if (Array.isArray(value) && value.some((x) => !v.re.test(x))) return 0;
      return v.re.test(value as string) ? -1 : 0;
    case 'email':
      return !value || v.re.test(value as string) ? -1 : 0;
    case 'expression':
      return run(v.runner) ? -1 : 0;
    case 'answercount': {
      if (!Array.isArray(value) || value.length === 0) return -1;
      if (v.minCount && value.length < v.minCount) return 0;
      return v.maxCount && value.length > v.maxCount ? 1 : -1;
    }
  }
}

/** survey-core's QuestionTextModel.isStepNumberIncorrect. */
function stepIncorrect(value: number, stepValue: number): boolean {
  let val = value;
  let step = stepValue;
  let pw = 1;
  while ((Math.round(step * pw) / pw !== step || Math.round(val * pw) / pw !== val) && pw < 1000000) pw *= 10;
  val = Math.round(val * pw);
  step = Math.round(step * pw);
  return step > 0 && val % step !== 0;
}
