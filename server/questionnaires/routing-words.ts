/**
 * SurveyJS conditions (visibleIf) in words, in Dutch and English, for the printable questionnaire document:
 * `{bestuurslaag} = 1 and {dader} contains 6` becomes "bestuurslaag is 1 (Gemeente) and at dader, 6 (Onbekende) is
 * ticked". Question names stay as they are (the document prints them with each question); codes get their labels
 * from the questionnaire model. An expression this reader does not know (functions, arithmetic) is shown as written.
 */
import type { LocalizedText } from './questionnaire-file';
import type { Coded, SurveyModel } from './questionnaire-model';

type Node =
  | { kind: 'or' | 'and'; parts: Node[] }
  | { kind: 'not'; of: Node }
  | { kind: 'cmp'; op: string; left: Operand; right?: Operand }
  | { kind: 'raw'; text: string };
type Operand =
  | { kind: 'var'; name: string }
  | { kind: 'value'; value: string | number | boolean }
  | { kind: 'list'; items: Array<string | number | boolean> };

class Unreadable extends Error {}

const WORD_OPS: Record<string, string> = {
  equal: '=',
  notequal: '!=',
  greater: '>',
  less: '<',
  greaterorequal: '>=',
  lessorequal: '<=',
  contains: 'contains',
  notcontains: 'notcontains',
  anyof: 'anyof',
  allof: 'allof',
  noneof: 'noneof',
};

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re =
    /\s*(\{[^{}]*\}|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|==|!=|<>|>=|<=|&&|\|\||[=<>!()[\],]|[A-Za-z_][\w]*)/y;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw new Unreadable(text);
    tokens.push(m[1]);
    pos = re.lastIndex;
  }
  return tokens;
}

/** Parses a condition; throws Unreadable for anything outside conditions on answers. */
function parse(text: string): Node {
  const t = tokenize(text);
  let i = 0;
  const peek = () => t[i]?.toLowerCase();
  const take = (want?: string) => {
    if (want !== undefined && peek() !== want) throw new Unreadable(text);
    if (i >= t.length) throw new Unreadable(text);
    return t[i++];
  };
  const scalar = (tok: string): string | number | boolean => {
    if (/^-?\d/.test(tok)) return Number(tok);
    if (/^['"]/.test(tok)) return tok.slice(1, -1).replace(/\\(.)/g, '$1');
    if (tok.toLowerCase() === 'true') return true;
    if (tok.toLowerCase() === 'false') return false;
    throw new Unreadable(text);
  };
  const operand = (): Operand => {
    const tok = take();
    if (tok.startsWith('{')) return { kind: 'var', name: tok.slice(1, -1).trim() };
    if (tok === '[') {
      const items: Array<string | number | boolean> = [];
      while (peek() !== ']') {
        items.push(scalar(take()));
        if (peek() === ',') take();
      }
      take(']');
      return { kind: 'list', items };
    }
    return { kind: 'value', value: scalar(tok) };
  };
  const comparison = (): Node => {
    if (peek() === '(') {
      take();
      const inner = or();
      take(')');
      return inner;
    }
    if (peek() === '!' || peek() === 'not') {
      take();
      return { kind: 'not', of: comparison() };
    }
    const left = operand();
    const raw = peek();
    if (raw === 'empty' || raw === 'notempty') {
      take();
      return { kind: 'cmp', op: raw, left };
    }
    if (raw === undefined || raw === ')' || raw === 'and' || raw === 'or' || raw === '&&' || raw === '||')
      return { kind: 'cmp', op: 'truthy', left };
    take();
    const op = WORD_OPS[raw] ?? (raw === '==' ? '=' : raw === '<>' ? '!=' : raw);
    if (!['=', '!=', '>', '<', '>=', '<=', ...Object.values(WORD_OPS)].includes(op)) throw new Unreadable(text);
    return { kind: 'cmp', op, left, right: operand() };
  };
  const and = (): Node => {
    const parts = [comparison()];
    while (peek() === 'and' || peek() === '&&') {
      take();
      parts.push(comparison());
    }
    return parts.length === 1 ? parts[0] : { kind: 'and', parts };
  };
  const or = (): Node => {
    const parts = [and()];
    while (peek() === 'or' || peek() === '||') {
      take();
      parts.push(and());
    }
    return parts.length === 1 ? parts[0] : { kind: 'or', parts };
  };
  const node = or();
  if (i !== t.length) throw new Unreadable(text);
  return node;
}

type Lang = 'nl' | 'en';
const W = {
  nl: {
    and: 'en',
    or: 'of',
    not: 'niet',
    is: 'is',
    isNot: 'is niet',
    oneOf: 'is een van',
    noneOf: 'is geen van',
    allOf: 'bevat alle van',
    ticked: 'is aangevinkt',
    notTicked: 'is niet aangevinkt',
    at: 'bij',
    empty: 'is niet beantwoord',
    notEmpty: 'is beantwoord',
    row: 'rij',
    gt: 'is groter dan',
    lt: 'is kleiner dan',
    ge: 'is minstens',
    le: 'is hoogstens',
    list: (xs: string[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} of ${xs[xs.length - 1]}` : xs[0]),
    allList: (xs: string[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} en ${xs[xs.length - 1]}` : xs[0]),
  },
  en: {
    and: 'and',
    or: 'or',
    not: 'not',
    is: 'is',
    isNot: 'is not',
    oneOf: 'is one of',
    noneOf: 'is none of',
    allOf: 'includes all of',
    ticked: 'is ticked',
    notTicked: 'is not ticked',
    at: 'at',
    empty: 'is not answered',
    notEmpty: 'is answered',
    row: 'row',
    gt: 'is more than',
    lt: 'is less than',
    ge: 'is at least',
    le: 'is at most',
    list: (xs: string[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}` : xs[0]),
    allList: (xs: string[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}` : xs[0]),
  },
};

/** The codes a variable reference can hold: a question's choices, or a matrix row's columns. */
function codesOf(model: SurveyModel, ref: string): { label: string; codes: Coded[] } {
  const q = model.byName.get(ref);
  if (q) return { label: ref, codes: q.type === 'matrix' ? [] : q.choices };
  const dot = ref.indexOf('.');
  const owner = dot > 0 ? model.byName.get(ref.slice(0, dot)) : undefined;
  if (owner?.type === 'matrix') return { label: ref, codes: owner.columns };
  return { label: ref, codes: [] };
}

function valueText(v: string | number | boolean, codes: Coded[], lang: Lang, withLabel: boolean): string {
  const c = codes.find((x) => String(x.value) === String(v));
  const shown = typeof v === 'string' ? `"${v}"` : String(v);
  return c && withLabel ? `${shown} “${c.text[lang]}”` : shown;
}

function render(node: Node, model: SurveyModel, lang: Lang, nested: boolean): string {
  const w = W[lang];
  switch (node.kind) {
    case 'or':
    case 'and': {
      const text = node.parts.map((p) => render(p, model, lang, true)).join(` ${w[node.kind]} `);
      return nested ? `(${text})` : text;
    }
    case 'not':
      return `${w.not}: ${render(node.of, model, lang, true)}`;
    case 'raw':
      return node.text;
    case 'cmp': {
      if (node.left.kind !== 'var') throw new Unreadable('');
      const { label, codes } = codesOf(model, node.left.name);
      const q = model.byName.get(node.left.name);
      const right = node.right;
      const one = (v: string | number | boolean) => valueText(v, codes, lang, true);
      const many = (vs: Array<string | number | boolean>) => vs.map((v) => valueText(v, codes, lang, vs.length <= 3));
      if (node.op === 'empty') return `${label} ${w.empty}`;
      if (node.op === 'notempty' || node.op === 'truthy') return `${label} ${w.notEmpty}`;
      if (!right) throw new Unreadable('');
      const values = right.kind === 'list' ? right.items : right.kind === 'value' ? [right.value] : undefined;
      const other = right.kind === 'var' ? right.name : undefined;
      if (!values && !other) throw new Unreadable('');
      const target = other ?? '';
      if (node.op === 'contains' || node.op === 'notcontains') {
        if (!values) return `${label} ${node.op === 'contains' ? w.allOf : w.noneOf} ${target}`;
        const verb = node.op === 'contains' ? w.ticked : w.notTicked;
        return q?.type === 'checkbox'
          ? `${w.at} ${label}, ${w.list(many(values))} ${verb}`
          : `${label} ${node.op === 'contains' ? (lang === 'nl' ? 'bevat' : 'contains') : lang === 'nl' ? 'bevat niet' : 'does not contain'} ${w.list(many(values))}`;
      }
      if (node.op === 'anyof' || node.op === 'noneof' || node.op === 'allof') {
        if (!values) return `${label} ${w.oneOf} ${target}`;
        if (q?.type === 'checkbox' && node.op !== 'noneof')
          return `${w.at} ${label}, ${(node.op === 'allof' ? w.allList : w.list)(many(values))} ${w.ticked}`;
        const verb = node.op === 'anyof' ? w.oneOf : node.op === 'noneof' ? w.noneOf : w.allOf;
        return values.length === 1
          ? `${label} ${node.op === 'noneof' ? w.isNot : w.is} ${one(values[0])}`
          : `${label} ${verb} ${many(values).join(', ')}`;
      }
      const verbs: Record<string, string> = { '=': w.is, '!=': w.isNot, '>': w.gt, '<': w.lt, '>=': w.ge, '<=': w.le };
      return `${label} ${verbs[node.op]} ${values ? values.map(one).join(', ') : target}`;
    }
  }
}

/** One condition in words; undefined when it uses more than comparisons of answers (then show it as written). */
export function conditionInWords(expression: string, model: SurveyModel): LocalizedText | undefined {
  try {
    const node = parse(expression);
    return { nl: render(node, model, 'nl', false), en: render(node, model, 'en', false) };
  } catch {
    return undefined; // Unreadable, or nested too deep for the parser: shown as written
  }
}

/** Every condition on the way to a question (page, panels, the question), all of which must hold, in words. */
export function routingInWords(conditions: string[], model: SurveyModel): LocalizedText | undefined {
  if (conditions.length === 0) return undefined;
  const parts = conditions.map((c) => conditionInWords(c, model) ?? { nl: c, en: c });
  const join = (lang: Lang) =>
    parts.length === 1 ? parts[0][lang] : parts.map((p) => `(${p[lang]})`).join(` ${W[lang].and} `);
  return { nl: join('nl'), en: join('en') };
}
