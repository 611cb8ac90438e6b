/**
 * What changed from one version of a questionnaire to the next, for the administrator who registers the new one:
 * questions added, removed, reworded (title in either language), of another type, with other routing, and choices,
 * rows or columns whose codes or texts changed; and per analysable variable the variable-map status it proposes
 * (same, reworded, new, dropped), which the administrator confirms or corrects.
 *
 * Variables are named and compared as the exports derive them (server/exports/files/variable-map.ts): a variable is
 * `same` when its question's type, title, choices, rows and columns are identical, else `reworded`. When the key has
 * a variable-map.json, variables keep its stable names.
 */
import type { LocalizedText } from './questionnaire-file';
import type { Coded, SurveyQuestion } from './questionnaire-model';
import type { RegisteredQuestionnaire } from './registry';
import { routingInWords } from './routing-words';
import {
  deriveVariableMap,
  editionOfVersion,
  isAsked,
  MapVariable,
  VariableKind,
  VariableMap,
} from '../exports/files/variable-map';

export type ProposedStatus = 'same' | 'reworded' | 'new' | 'dropped';
export const STATUSES: readonly ProposedStatus[] = ['same', 'reworded', 'new', 'dropped'];

export interface CodeChange {
  part: 'choice' | 'row' | 'column';
  value: string;
  change: 'added' | 'removed' | 'relabelled';
  before?: LocalizedText;
  after?: LocalizedText;
}

export interface QuestionChange {
  name: string;
  change: 'added' | 'removed' | 'changed';
  title: LocalizedText;
  /** changed: what differs */
  reworded?: { before: LocalizedText; after: LocalizedText };
  type?: { before: string; after: string };
  routing?: { before: string[]; after: string[]; words: { before?: LocalizedText; after?: LocalizedText } };
  required?: { before: boolean; after: boolean };
  codes: CodeChange[];
}

export interface VariableProposal {
  /** the derived variable name (question, question_row, question_code) */
  variable: string;
  /** the stable name in the key's variable map, when it has one */
  stable?: string;
  label: LocalizedText;
  kind: VariableKind;
  question: string | null;
  row?: string;
  choice?: number | string;
  proposed: ProposedStatus;
  /** why, in a few words */
  reason: string;
}

export interface VersionDiff {
  from: string;
  to: string;
  questions: QuestionChange[];
  variables: VariableProposal[];
  unchangedQuestions: number;
}

function codeChanges(part: CodeChange['part'], before: Coded[], after: Coded[]): CodeChange[] {
  const out: CodeChange[] = [];
  const old = new Map(before.map((c) => [String(c.value), c]));
  const neu = new Map(after.map((c) => [String(c.value), c]));
  for (const [value, c] of old) if (!neu.has(value)) out.push({ part, value, change: 'removed', before: c.text });
  for (const [value, c] of neu) {
    const o = old.get(value);
    if (!o) out.push({ part, value, change: 'added', after: c.text });
    else if (o.text.nl !== c.text.nl || o.text.en !== c.text.en)
      out.push({ part, value, change: 'relabelled', before: o.text, after: c.text });
  }
  return out;
}

const sameText = (a: LocalizedText, b: LocalizedText) => a.nl === b.nl && a.en === b.en;

function questionChange(before: SurveyQuestion, after: SurveyQuestion): QuestionChange | undefined {
  const change: QuestionChange = { name: after.name, change: 'changed', title: after.title, codes: [] };
  if (!sameText(before.title, after.title)) change.reworded = { before: before.title, after: after.title };
  const typeOf = (q: SurveyQuestion) => (q.inputType ? `${q.type} (${q.inputType})` : q.type);
  if (typeOf(before) !== typeOf(after)) change.type = { before: typeOf(before), after: typeOf(after) };
  if (JSON.stringify(before.conditions) !== JSON.stringify(after.conditions))
    change.routing = { before: before.conditions, after: after.conditions, words: {} };
  if (before.required !== after.required) change.required = { before: before.required, after: after.required };
  change.codes = [
    ...codeChanges('choice', before.choices, after.choices),
    ...codeChanges('row', before.rows, after.rows),
    ...codeChanges('column', before.columns, after.columns),
  ];
  const changed = change.reworded || change.type || change.routing || change.required || change.codes.length;
  return changed ? change : undefined;
}

/**
 * What must be identical for a variable to be comparable (questionnaires/README.md, "same"): the question's type and
 * title and its choices; for a matrix row, the columns and that row's text (other rows may come and go).
 */
function signature(q: SurveyQuestion | undefined, entry: { row?: string }): string {
  if (!q) return '';
  const base = [q.type, q.inputType ?? '', q.title.nl, q.title.en];
  if (q.type === 'matrix') {
    const row = q.rows.find((r) => String(r.value) === entry.row);
    return JSON.stringify([...base, q.columns, row?.text]);
  }
  return JSON.stringify([...base, q.choices, q.rows, q.columns]);
}

/** The stable name a previous version's variable has in the key's map (by question, row and choice). */
function stableNames(map: VariableMap | undefined, previousVersion: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!map) return out;
  const edition = editionOfVersion(map, previousVersion);
  if (!edition) return out;
  for (const v of map.variables) {
    const e = v.editions[edition];
    if (isAsked(e)) out.set(`${e.question}|${e.row ?? ''}|${e.choice ?? ''}`, v.name);
  }
  return out;
}

/** Compares `next` with `previous` (same key); `map` is the key's variable map, when it has one. */
export function diffVersions(
  previous: RegisteredQuestionnaire,
  next: RegisteredQuestionnaire,
  map?: VariableMap,
): VersionDiff {
  const questions: QuestionChange[] = [];
  let unchangedQuestions = 0;
  for (const q of next.model.questions) {
    const old = previous.model.byName.get(q.name);
    if (!old) {
      questions.push({ name: q.name, change: 'added', title: q.title, codes: [] });
      continue;
    }
    const c = questionChange(old, q);
    if (c?.routing)
      c.routing.words = {
        before: routingInWords(c.routing.before, previous.model),
        after: routingInWords(c.routing.after, next.model),
      };
    if (c) questions.push(c);
    else unchangedQuestions++;
  }
  for (const q of previous.model.questions)
    if (!next.model.byName.has(q.name)) questions.push({ name: q.name, change: 'removed', title: q.title, codes: [] });

  // the variables as the exports derive them, over the two versions alone (the previous one first)
  const pair = deriveVariableMap([
    { ...previous, version: `0-${previous.version}` },
    { ...next, version: `1-${next.version}` },
  ]);
  const [before, after] = pair.editions;
  const stable = stableNames(map, previous.version);
  const variables = pair.variables.map((v: MapVariable): VariableProposal => {
    const old = v.editions[before];
    const now = v.editions[after];
    const entry = isAsked(now) ? now : old;
    const status: ProposedStatus = !isAsked(old)
      ? 'new'
      : !isAsked(now)
        ? 'dropped'
        : signature(previous.model.byName.get(old.question), old) ===
            signature(next.model.byName.get(now.question), now)
          ? 'same'
          : 'reworded';
    const reason =
      status === 'new'
        ? 'not in the previous version'
        : status === 'dropped'
          ? 'not in this version'
          : status === 'same'
            ? 'question, codes and texts unchanged'
            : 'the question, its codes or texts changed';
    return {
      variable: v.name,
      stable: isAsked(old) ? stable.get(`${old.question}|${old.row ?? ''}|${old.choice ?? ''}`) : undefined,
      label: v.label,
      kind: v.kind,
      question: entry.question,
      row: entry.row,
      choice: entry.choice,
      proposed: status,
      reason,
    };
  });
  return { from: previous.id, to: next.id, questions, variables, unchangedQuestions };
}

export interface ConfirmedStatus {
  variable: string;
  status: ProposedStatus;
  /** a new variable that continues a dropped one of the previous version (a renamed question) */
  continues?: string;
}

/**
 * Checks the administrator's answer to the proposal: one status per variable of the diff, a known status, and a
 * variable continued at most once, only by a variable of this version, and only when it is not in this version.
 * Returns the problems (empty: fine).
 */
export function confirmationProblems(diff: VersionDiff, confirmed: ConfirmedStatus[]): string[] {
  const problems: string[] = [];
  const byName = new Map(diff.variables.map((v) => [v.variable, v]));
  const seen = new Set<string>();
  const continued = new Set<string>();
  for (const c of confirmed) {
    const v = byName.get(c.variable);
    if (!v) {
      problems.push(`${c.variable.slice(0, 40)}: not a variable of these versions`);
      continue;
    }
    if (seen.has(c.variable)) problems.push(`${c.variable}: given twice`);
    seen.add(c.variable);
    if (!STATUSES.includes(c.status)) problems.push(`${c.variable}: status must be same, reworded, new or dropped`);
    if (v.proposed === 'dropped' && c.status !== 'dropped')
      problems.push(`${c.variable}: is not in this version, so it can only be dropped`);
    if (v.proposed !== 'dropped' && c.status === 'dropped')
      problems.push(`${c.variable}: is asked in this version, so it cannot be dropped`);
    if (c.continues !== undefined) {
      const prev = byName.get(c.continues);
      if (!prev || prev.proposed !== 'dropped')
        problems.push(`${c.variable}: can only continue a variable that is not in this version`);
      else if (continued.has(c.continues)) problems.push(`${c.continues}: continued by two variables`);
      else if (c.status !== 'same' && c.status !== 'reworded')
        problems.push(`${c.variable}: continuing ${c.continues} means same or reworded`);
      continued.add(c.continues);
    } else if (v.proposed === 'new' && (c.status === 'same' || c.status === 'reworded'))
      problems.push(`${c.variable}: same or reworded needs the previous variable it continues`);
  }
  for (const v of diff.variables) if (!seen.has(v.variable)) problems.push(`${v.variable}: no status given`);
  return problems;
}

/**
 * The key's variable map with the new version added as one more edition, by the confirmed statuses: what the
 * administrator commits as questionnaires/<key>/variable-map.json so the exports name and compare the variables.
 * Undefined when the version's edition is in the map already (a correction of a published edition: edit by hand).
 */
export function mapWithVersion(
  base: VariableMap,
  diff: VersionDiff,
  confirmed: ConfirmedStatus[],
  next: Pick<RegisteredQuestionnaire, 'version' | 'edition'>,
): Record<string, unknown> | undefined {
  const edition = base.fromFile ? String(next.edition) : next.version;
  if (base.editions.includes(edition)) return undefined;
  const proposals = new Map(diff.variables.map((p) => [p.variable, p]));
  const status = new Map(confirmed.map((c) => [c.variable, c]));
  const stableOf = (p: VariableProposal) => p.stable;
  const variables: MapVariable[] = base.variables.map((v) => ({ ...v, editions: { ...v.editions } }));
  const byName = new Map(variables.map((v) => [v.name, v]));
  const entryOf = (p: VariableProposal, s: ProposedStatus) =>
    s === 'dropped'
      ? { status: s, question: null }
      : {
          status: s,
          question: p.question,
          ...(p.row !== undefined ? { row: p.row } : {}),
          ...(p.choice !== undefined ? { choice: p.choice } : {}),
        };
  for (const p of diff.variables) {
    const c = status.get(p.variable);
    const s = c?.status ?? p.proposed;
    const continued = c?.continues !== undefined ? proposals.get(c.continues) : undefined;
    const target = continued ? stableOf(continued) : stableOf(p);
    const mv = target !== undefined ? byName.get(target) : undefined;
    if (mv) {
      // a dropped variable that another one continues keeps that one's entry
      if (!(s === 'dropped' && mv.editions[edition])) mv.editions[edition] = entryOf(p, s);
      continue;
    }
    if (s === 'dropped') continue;
    let name = p.variable;
    if (byName.has(name)) name = `${name}_${edition}`.replace(/[^a-z0-9_]/g, '_').slice(0, 32);
    const added: MapVariable = { name, label: p.label, kind: p.kind, editions: {} };
    for (const e of base.editions) added.editions[e] = { status: 'absent', question: null };
    added.editions[edition] = entryOf(p, 'new');
    variables.push(added);
    byName.set(name, added);
  }
  for (const v of variables)
    if (!v.editions[edition]) {
      const everAsked = Object.values(v.editions).some((e) => isAsked(e));
      v.editions[edition] = { status: everAsked ? 'dropped' : 'absent', question: null };
    }
  const editions = [...base.editions, edition];
  return {
    key: base.key,
    population: base.population,
    editions: base.fromFile ? editions.map((e) => (/^\d+$/.test(e) ? Number(e) : e)) : editions,
    versions: { ...base.versions, [edition]: next.version },
    variables,
  };
}
