/**
 * Was a question asked? Its visibleIf conditions, evaluated on the stored answers. The exports ask this for every
 * absent answer of every row, so the conditions the questionnaires use ({q} = 1, {q.row} anyof [2, 3], and, or,
 * not, parentheses, empty/notempty, comparisons) are compiled once into plain functions; anything else falls back
 * to survey-core's own ConditionRunner. The test suite checks both agree on synthetic answers of every version.
 */
import { ConditionRunner, Helpers } from 'survey-core';
import { conditionRunnerFor } from '../../questionnaires/condition-context';

export type Answers = Record<string, unknown>;
export type Condition = (answers: Answers) => boolean;

type Token =
  | { t: 'var'; path: string[] }
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'op'; v: string }
  | { t: 'word'; v: string };

const TOKEN =
  /\s*(?:\{([^{}]+)\}|(-?\d+(?:\.\d+)?)|'([^']*)'|"([^"]*)"|(<>|!=|==|>=|<=|=|>|<|\(|\)|\[|\]|,|!)|([A-Za-z_]+))/y;

function tokenize(src: string): Token[] | null {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(src);
    if (!m) return null;
    if (m[1] !== undefined) out.push({ t: 'var', path: m[1].trim().split('.') });
    else if (m[2] !== undefined) out.push({ t: 'num', v: Number(m[2]) });
    else if (m[3] !== undefined || m[4] !== undefined) out.push({ t: 'str', v: (m[3] ?? m[4]) as string });
    else if (m[5] !== undefined) out.push({ t: 'op', v: m[5] });
    else out.push({ t: 'word', v: (m[6] as string).toLowerCase() });
  }
  return out;
}

type Value = (a: Answers) => unknown;
const isEmpty = (v: unknown) => Helpers.isValueEmpty(v);
/** survey-core's equality; numbers (the answer codes) compare fast, everything else goes to survey-core */
const eq = (a: unknown, b: unknown) =>
  typeof a === 'number' && typeof b === 'number' ? a === b : Helpers.isTwoValueEquals(a, b, true);

function contains(list: unknown, item: unknown): boolean {
  if (Array.isArray(list)) return list.some((x) => eq(x, item));
  if (typeof list === 'string') return item !== undefined && item !== null && list.includes(String(item));
  return false;
}

const BINARY: Record<string, (l: unknown, r: unknown) => boolean> = {
  '=': (l, r) => !isEmpty(l) && eq(l, r),
  '!=': (l, r) => !(!isEmpty(l) && eq(l, r)),
  '>': (l, r) => !isEmpty(l) && !isEmpty(r) && (l as number) > (r as number),
  '<': (l, r) => !isEmpty(l) && !isEmpty(r) && (l as number) < (r as number),
  '>=': (l, r) => !isEmpty(l) && !isEmpty(r) && (l as number) >= (r as number),
  '<=': (l, r) => !isEmpty(l) && !isEmpty(r) && (l as number) <= (r as number),
  anyof: (l, r) => {
    if (isEmpty(l) || !Array.isArray(r) || r.length === 0) return false;
    return Array.isArray(l) ? l.some((x) => contains(r, x)) : contains(r, l);
  },
  allof: (l, r) => {
    if (isEmpty(l) || !Array.isArray(r)) return false;
    return r.every((x) => contains(l, x));
  },
  noneof: (l, r) => {
    if (isEmpty(l) || !Array.isArray(r)) return true;
    return Array.isArray(l) ? !l.some((x) => contains(r, x)) : !contains(r, l);
  },
  contains: (l, r) => contains(l, r),
  notcontains: (l, r) => !contains(l, r),
};
const ALIASES: Record<string, string> = {
  '==': '=',
  '<>': '!=',
  equal: '=',
  notequal: '!=',
  greater: '>',
  less: '<',
  greaterorequal: '>=',
  lessorequal: '<=',
};

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Condition {
    const c = this.or();
    if (this.i !== this.tokens.length) throw new Error('trailing tokens');
    return c;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isWord(v: string): boolean {
    const t = this.peek();
    return (
      (t?.t === 'word' && t.v === v) ||
      (t?.t === 'op' && ((v === 'and' && t.v === '&&') || (v === 'or' && t.v === '||')))
    );
  }

  private or(): Condition {
    const parts = [this.and()];
    while (this.isWord('or')) {
      this.i++;
      parts.push(this.and());
    }
    return parts.length === 1 ? parts[0] : (a) => parts.some((p) => p(a));
  }

  private and(): Condition {
    const parts = [this.unary()];
    while (this.isWord('and')) {
      this.i++;
      parts.push(this.unary());
    }
    return parts.length === 1 ? parts[0] : (a) => parts.every((p) => p(a));
  }

  private unary(): Condition {
    const t = this.peek();
    if ((t?.t === 'op' && t.v === '!') || (t?.t === 'word' && t.v === 'not')) {
      this.i++;
      const inner = this.unary();
      return (a) => !inner(a);
    }
    if (t?.t === 'op' && t.v === '(') {
      // a parenthesised condition, unless it turns out to be an operand (not supported: fall back)
      this.i++;
      const inner = this.or();
      const close = this.tokens[this.i++];
      if (close?.t !== 'op' || close.v !== ')') throw new Error('missing )');
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Condition {
    const left = this.operand();
    const t = this.peek();
    if (t?.t === 'word' && (t.v === 'empty' || t.v === 'notempty')) {
      this.i++;
      return t.v === 'empty' ? (a) => isEmpty(left(a)) : (a) => !isEmpty(left(a));
    }
    const name = t?.t === 'op' || t?.t === 'word' ? (ALIASES[t.v] ?? t.v) : undefined;
    const fn = name !== undefined ? BINARY[name] : undefined;
    if (!fn) {
      if (t === undefined || (t.t === 'op' && t.v === ')') || this.isWord('and') || this.isWord('or'))
        return (a) => !isEmpty(left(a)) && left(a) !== false;
      throw new Error(`unsupported operator ${JSON.stringify(t)}`);
    }
    this.i++;
    const right = this.operand();
    return (a) => fn(left(a), right(a));
  }

  private operand(): Value {
    const t = this.tokens[this.i++];
    if (!t) throw new Error('operand expected');
    if (t.t === 'num' || t.t === 'str') return () => t.v;
    if (t.t === 'word' && (t.v === 'true' || t.v === 'false')) return () => t.v === 'true';
    if (t.t === 'var') {
      const [head, ...rest] = t.path;
      if (rest.length > 1) throw new Error('deep paths');
      if (rest.length === 0) return (a) => (Object.hasOwn(a, head) ? a[head] : undefined);
      const row = rest[0];
      return (a) => {
        const v = Object.hasOwn(a, head) ? a[head] : undefined;
        return v && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, row)
          ? (v as Answers)[row]
          : undefined;
      };
    }
    if (t.t === 'op' && t.v === '[') {
      const items: unknown[] = [];
      while (!(this.peek()?.t === 'op' && (this.peek() as { v: string }).v === ']')) {
        const it = this.tokens[this.i++];
        if (!it || (it.t !== 'num' && it.t !== 'str')) throw new Error('array of literals expected');
        items.push(it.v);
        const sep = this.peek();
        if (sep?.t === 'op' && sep.v === ',') this.i++;
      }
      this.i++;
      return () => items;
    }
    throw new Error(`unsupported operand ${JSON.stringify(t)}`);
  }
}

/** Compiles one SurveyJS condition; `fallback` runs survey-core when the expression is outside the subset. */
export function compileCondition(expression: string, fallback: (runner: ConditionRunner) => Condition): Condition {
  const tokens = tokenize(expression);
  if (tokens) {
    try {
      return new Parser(tokens).parse();
    } catch {
      /* outside the subset */
    }
  }
  return fallback(new ConditionRunner(expression));
}

/**
 * The "was it asked?" test for every question of one questionnaire version: all conditions of the question's page,
 * panels and itself must hold. Each distinct condition is compiled once and evaluated at most once per answer set
 * (the follow-up questions of the monitor share one long condition).
 */
export class Visibility {
  private readonly exprs: Condition[] = [];
  private readonly byQuestion = new Map<string, number[]>();
  private memoFor: Answers | null = null;
  private readonly memo: Int8Array;

  constructor(questions: Array<{ name: string; conditions: string[] }>) {
    const context = conditionRunnerFor(questions.map((q) => q.name));
    const fallback =
      (runner: ConditionRunner): Condition =>
      (a) =>
        context(a)(runner);
    const index = new Map<string, number>();
    for (const q of questions) {
      this.byQuestion.set(
        q.name,
        q.conditions.map((e) => {
          let i = index.get(e);
          if (i === undefined) {
            i = this.exprs.length;
            index.set(e, i);
            this.exprs.push(compileCondition(e, fallback));
          }
          return i;
        }),
      );
    }
    this.memo = new Int8Array(this.exprs.length);
  }

  /** Whether the question was shown to the respondent who gave these answers. */
  asked(question: string, answers: Answers): boolean {
    const parts = this.byQuestion.get(question);
    if (!parts || parts.length === 0) return true;
    if (this.memoFor !== answers) {
      this.memo.fill(0);
      this.memoFor = answers;
    }
    for (const i of parts) {
      let m = this.memo[i];
      if (m === 0) this.memo[i] = m = this.exprs[i](answers) ? 1 : -1;
      if (m < 0) return false;
    }
    return true;
  }
}
