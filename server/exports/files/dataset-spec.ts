/**
 * The columns of a dataset (one wave, or the waves of one questionnaire key stacked as a trend file) and, per
 * questionnaire version, how each column's value is read from a stored answer set.
 *
 * Layout: response_id, wave_id, edition, questionnaire, submitted_month, the kept attributes, then one column per
 * variable of the variable map (a matrix row, a checkbox choice as 0/1, a choice, a number, a text). Numeric
 * columns carry the answer code; the structural missing codes below are never answer codes (those are ≥ 0).
 */
import type { Measure } from './sav/sav-types';
import { ConflictError } from '../../shared/errors';
import type { LocalizedText } from '../../questionnaires/questionnaire-file';
import type { RegisteredQuestionnaire } from '../../questionnaires/registry';
import { Answers, Visibility } from './routing';
import {
  routingText,
  SurveyModel,
  SurveyQuestion,
  type SurveyVariable,
} from '../../questionnaires/questionnaire-model';
import {
  editionOfVersion,
  EditionStatus,
  isAsked,
  MapEntry,
  MapVariable,
  VariableKind,
  VariableMap,
} from './variable-map';

/**
 * Structural missing codes, next to the questionnaire's own 97/98/99 so that SPSS can declare them all missing with
 * one range (93 thru 99): SPSS allows three discrete missing values or one range (plus one value), and 97/98/99 keep
 * their meaning. Answer codes of choices are below 93 (or above 99). A number question whose answers may fall in
 * 93..99 (no max below 93: "how many incidents?") would have valid answers read as missing, so its column carries
 * the same codes negated (NUMBER_MISSING, range -99 thru -93) instead.
 */
export const MISSING = { suppressed: 93, notInEdition: 94, noAnswer: 95, notAsked: 96 } as const;
export type StructuralCodes = { [K in keyof typeof MISSING]: number };
/** the structural codes of a number column whose answers may be 93..99 */
export const NUMBER_MISSING: StructuralCodes = { suppressed: -93, notInEdition: -94, noAnswer: -95, notAsked: -96 };
/** the missing range of such a column */
export const NUMBER_MISSING_RANGE: [number, number] = [-99, -93];
/** every numeric column declares this range missing (SPSS user-missing) */
export const MISSING_RANGE: [number, number] = [93, 99];
export const MISSING_LABELS: Array<{ value: number; label: LocalizedText }> = [
  {
    value: MISSING.suppressed,
    label: { nl: 'Onderdrukt (openbaarmakingscontrole)', en: 'Suppressed (disclosure control)' },
  },
  { value: MISSING.notInEdition, label: { nl: 'Niet gevraagd in deze editie', en: 'Not asked in this edition' } },
  { value: MISSING.noAnswer, label: { nl: 'Geen antwoord', en: 'No answer' } },
  { value: MISSING.notAsked, label: { nl: 'Niet gevraagd (routing)', en: 'Not asked (routing)' } },
];
const MISSING_CODES = [93, 94, 95, 96, 97, 98, 99];
const CHECKBOX_LABELS: Array<{ value: number; label: LocalizedText }> = [
  { value: 0, label: { nl: 'Niet aangekruist', en: 'Not selected' } },
  { value: 1, label: { nl: 'Aangekruist', en: 'Selected' } },
];

/** Questions whose codes run from low to high (measurement level ordinal); other choices are nominal. */
const ORDINAL =
  /^(scr_.*|recent_ernst|gevolg|nazorg_tevreden|nazorg_cijfer|veilig_gevoel|veilig_freq|vermijden|werkdruk|int_bekend|int_vermoeden|gemeente_grootte|jaren_functie|jaren_dienst|leeftijd|publiekscontact)$/;

export type Cell = number | string | null;
export type Extractor = (answers: Answers, visibility: Visibility) => Cell;

export interface EditionInfo {
  edition: string;
  version: string;
  status: EditionStatus;
  question: string | null;
  /** comparable with the previous edition of the map (status "same") */
  comparable: boolean;
  routing: string;
  note?: LocalizedText;
}

export interface Column {
  name: string;
  label: LocalizedText;
  type: 'numeric' | 'string';
  role: 'meta' | 'attribute' | 'variable' | 'derived';
  kind?: VariableKind;
  measure: Measure;
  /** string columns: width in bytes (UTF-8) */
  width?: number;
  /** numeric columns: decimals shown (the weight) */
  decimals?: number;
  valueLabels: Array<{ value: number; label: LocalizedText }>;
  /** codes declared missing (SPSS: the range MISSING_RANGE for every numeric column that has any) */
  missing: number[];
  /** the missing range when not MISSING_RANGE (a number column with NUMBER_MISSING) */
  missingRange?: [number, number];
  /** in .sav: a date (the submission period) */
  savDate?: boolean;
  /** derived columns: how it is computed */
  rule?: LocalizedText;
  /** a quasi-identifier: released after disclosure control (recoded or suppressed cell by cell) */
  quasiIdentifier?: boolean;
  /** variables: the stable name in the variable map and, per edition in the map, where it comes from */
  stable?: string;
  question?: LocalizedText;
  editions?: EditionInfo[];
  /** the editions of this file whose values this column holds */
  holds?: string[];
}

export interface DatasetSource {
  questionnaire: RegisteredQuestionnaire;
  edition: string;
}

export interface DatasetSpec {
  map: VariableMap;
  columns: Column[];
  attributes: string[];
  /** per questionnaire id: one extractor per variable column (in column order) and the version's routing */
  readers: Map<string, { visibility: Visibility; extract: Extractor[] }>;
  trend: boolean;
}

/** The version's questionnaire model, read once when the registry loaded it. */
export function modelOf(q: RegisteredQuestionnaire): SurveyModel {
  return q.model;
}

/** Runs of editions over which a variable is comparable: a new run starts wherever it is new or reworded. */
export function comparableRuns(v: MapVariable, editions: string[]): string[][] {
  const runs: string[][] = [];
  let current: string[] | null = null;
  for (const e of editions) {
    const entry = v.editions[e];
    if (!isAsked(entry)) {
      current = null;
      continue;
    }
    if (current && entry.status === 'same') current.push(e);
    else runs.push((current = [e]));
  }
  return runs;
}

type EntryPart = { row?: string; choice?: number | string; path?: Array<string | number>; comment?: true };

/** The model's variable an entry reads (nested parts of an answer: cells, panels, ranks). */
function variableOf(q: SurveyQuestion, entry: EntryPart): SurveyVariable | undefined {
  const key = JSON.stringify(entry.path ?? []);
  return q.variables.find(
    (v) =>
      !!v.comment === !!entry.comment &&
      JSON.stringify(v.kind === 'matrix_row' ? [] : v.path) === key &&
      (entry.choice === undefined || v.choice === entry.choice) &&
      (entry.row === undefined || v.row === entry.row),
  );
}

function dig(value: unknown, path: Array<string | number>): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** A value as text: strings as they are, numbers written out, lists joined, files by their names. */
function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v))
    return v
      .map((x) => (x && typeof x === 'object' && 'name' in x ? String((x as { name: unknown }).name) : asText(x)))
      .join(', ');
  return v === undefined || v === null ? '' : JSON.stringify(v);
}

function partText(q: SurveyQuestion, entry: EntryPart): LocalizedText {
  if (entry.path?.length) {
    const v = variableOf(q, entry);
    if (v) return v.label;
  }
  const part =
    entry.row !== undefined
      ? q.rows.find((r) => String(r.value) === entry.row)
      : entry.choice !== undefined
        ? q.choices.find((c) => c.value === entry.choice)
        : undefined;
  return part ? { nl: `${q.title.nl}: ${part.text.nl}`, en: `${q.title.en}: ${part.text.en}` } : q.title;
}

function extractor(
  kind: VariableKind,
  q: SurveyQuestion,
  entry: EntryPart,
  text: (s: string) => string,
  MISSING: StructuralCodes,
): Extractor {
  const name = q.name;
  const absent = (a: Answers, vis: Visibility) => (vis.asked(name, a) ? MISSING.noAnswer : MISSING.notAsked);
  const variable = variableOf(q, entry);
  const coded = variable?.codes.some((c) => c.code !== c.value)
    ? new Map(variable.codes.map((c) => [JSON.stringify(c.value), c.code]))
    : null;
  if (entry.comment)
    return (a) => {
      const v = a[`${name}-Comment`];
      return typeof v === 'string' && v !== '' ? text(v) : '';
    };
  if (q.type === 'signaturepad')
    return (a, vis) => (typeof a[name] === 'string' && a[name] !== '' ? 1 : absent(a, vis)); // signed; the image stays out
  if (entry.path?.length) {
    // a part of a nested answer: a matrixdropdown cell, a dynamic panel's question, a rank, a multiple-text item
    const path = entry.path;
    return (a, vis) => {
      if (a[name] === undefined || a[name] === null) return kind === 'text' ? '' : absent(a, vis);
      const v = dig(a[name], path);
      if (kind === 'text') return v === undefined || v === null ? '' : text(asText(v));
      if (v === undefined || v === null || v === '') return MISSING.noAnswer;
      if (kind === 'checkbox_choice') return Array.isArray(v) && v.some((x) => x === entry.choice) ? 1 : 0;
      if (coded) return coded.get(JSON.stringify(v)) ?? MISSING.noAnswer;
      if (typeof v === 'boolean') return v ? 1 : 0;
      return typeof v === 'number' ? v : Number.isFinite(Number(v)) ? Number(v) : MISSING.noAnswer;
    };
  }
  switch (kind) {
    case 'matrix_row': {
      const row = entry.row as string;
      return (a, vis) => {
        const obj = a[name] as Record<string, unknown> | undefined;
        if (!obj || typeof obj !== 'object') return absent(a, vis);
        const v = obj[row];
        return typeof v === 'number' ? v : v === undefined || v === null || v === '' ? MISSING.noAnswer : Number(v);
      };
    }
    case 'checkbox_choice': {
      const choice = entry.choice;
      return (a, vis) => {
        const arr = a[name];
        if (!Array.isArray(arr) || arr.length === 0) return absent(a, vis);
        for (const x of arr) if (x === choice || String(x) === String(choice)) return 1;
        return 0;
      };
    }
    case 'text':
      return (a) => {
        const v = a[name];
        if (typeof v === 'string') return v !== '' ? text(v) : '';
        return v === undefined || v === null ? '' : text(asText(v)); // numbers, files (their names), lists
      };
    default:
      if (coded)
        return (a, vis) => {
          const v = a[name];
          if (v === undefined || v === null || v === '') return absent(a, vis);
          return coded.get(JSON.stringify(v)) ?? MISSING.noAnswer;
        };
      if (q.type === 'boolean') {
        return (a, vis) => {
          const v = a[name];
          if (v === undefined || v === null) return absent(a, vis);
          return v === q.valueTrue ? 1 : 0;
        };
      }
      return (a, vis) => {
        const v = a[name];
        if (typeof v === 'number') return v;
        if (v === undefined || v === null || v === '') return absent(a, vis);
        return Number.isFinite(Number(v)) ? Number(v) : MISSING.noAnswer;
      };
  }
}

function valueLabels(
  kind: VariableKind,
  q: SurveyQuestion,
  entry: EntryPart = {},
): Array<{ value: number; label: LocalizedText }> {
  if (kind === 'checkbox_choice') return CHECKBOX_LABELS;
  const variable = variableOf(q, entry);
  if (variable && (entry.path?.length || variable.codes.some((c) => c.code !== c.value)) && q.type !== 'boolean')
    return variable.codes.map((c) => ({ value: c.code, label: c.text }));
  if (kind === 'matrix_row')
    return q.columns
      .filter((c) => typeof c.value === 'number')
      .map((c) => ({ value: c.value as number, label: c.text }));
  if (kind === 'choice' && q.type === 'boolean')
    return [
      { value: 1, label: { nl: 'Ja', en: 'Yes' } },
      { value: 0, label: { nl: 'Nee', en: 'No' } },
    ];
  if (kind === 'choice')
    return q.choices
      .filter((c) => typeof c.value === 'number')
      .map((c) => ({ value: c.value as number, label: c.text }));
  return [];
}

/**
 * Builds the columns for the given editions (one: a wave's dataset; several: a trend file). `text` scrubs a free-text
 * answer (see scrub.ts); `attributeNames` are the kept attributes of the wave(s), in order.
 */
export function buildDatasetSpec(
  map: VariableMap,
  sources: DatasetSource[],
  attributeNames: string[],
  text: (s: string) => string,
  /** every version of the key, for the routing of editions not in this file (codebook) */
  known: RegisteredQuestionnaire[] = [],
  /** variables left out: the questions of a derived quasi-identifier (the role asked per tier), by question name */
  leaveOut: string[] = [],
): DatasetSpec {
  const trend = new Set(sources.map((s) => s.edition)).size > 1;
  const selected = map.editions.filter((e) => sources.some((s) => s.edition === e));
  const structural: number[] = trend
    ? [MISSING.notAsked, MISSING.noAnswer, MISSING.notInEdition]
    : [MISSING.notAsked, MISSING.noAnswer];
  const missingLabels = MISSING_LABELS.filter((m) => structural.includes(m.value));
  const missing = MISSING_CODES;
  const columns: Column[] = [
    {
      name: 'response_id',
      label: { nl: 'Respons (willekeurig id)', en: 'Response (random id)' },
      type: 'string',
      width: 36,
      role: 'meta',
      measure: 'nominal',
      valueLabels: [],
      missing: [],
    },
    {
      name: 'wave_id',
      label: { nl: 'Meting (golf)', en: 'Wave' },
      type: 'string',
      width: 36,
      role: 'meta',
      measure: 'nominal',
      valueLabels: [],
      missing: [],
    },
    {
      name: 'edition',
      label: { nl: 'Editie van de monitor', en: 'Edition of the monitor' },
      type: 'numeric',
      role: 'meta',
      measure: 'ordinal',
      valueLabels: [],
      missing: [],
    },
    {
      name: 'questionnaire',
      label: { nl: 'Vragenlijstversie', en: 'Questionnaire version' },
      type: 'string',
      width: 64,
      role: 'meta',
      measure: 'nominal',
      valueLabels: [],
      missing: [],
    },
    {
      name: 'submitted_month',
      label: { nl: 'Maand van invullen (mogelijk vergroofd)', en: 'Month of submission (may be coarsened)' },
      type: 'string',
      width: 7,
      role: 'meta',
      measure: 'ordinal',
      valueLabels: [],
      missing: [],
      savDate: true,
    },
    {
      name: 'language',
      label: { nl: 'Taal van de vragenlijst', en: 'Language of the questionnaire' },
      type: 'numeric',
      role: 'meta',
      measure: 'nominal',
      valueLabels: [],
      missing: MISSING_CODES,
      quasiIdentifier: true,
    },
  ];
  const taken = new Set([...columns.map((c) => c.name), ...map.variables.map((v) => v.name.toLowerCase())]);
  for (const a of attributeNames) {
    const name = taken.has(a.toLowerCase()) ? `kenmerk_${a}` : a;
    taken.add(name.toLowerCase());
    columns.push({
      name,
      label: { nl: `Kenmerk uit de steekproef: ${a}`, en: `Sample attribute: ${a}` },
      type: 'numeric',
      role: 'attribute',
      measure: 'nominal',
      valueLabels: [],
      missing: MISSING_CODES,
      quasiIdentifier: true,
    });
  }
  const versions = [...new Map(sources.map((s) => [s.questionnaire.id, s])).values()];
  const readers = new Map<string, { visibility: Visibility; extract: Extractor[] }>();
  for (const s of versions)
    readers.set(s.questionnaire.id, { visibility: new Visibility(modelOf(s.questionnaire).questions), extract: [] });
  const byEdition = new Map(sources.map((s) => [s.edition, s.questionnaire]));
  for (const v of map.variables) {
    if (map.editions.some((e) => leaveOut.includes(v.editions[e]?.question ?? ''))) continue;
    // a variable asked in several non-comparable runs carries its run's first edition in every file, so one name
    // always means one wording (veilig_gevoel_2024 in the 2024 file as in the trend file)
    const allRuns = comparableRuns(v, map.editions);
    const runs = allRuns.map((r) => r.filter((e) => selected.includes(e))).filter((r) => r.length > 0);
    for (const run of runs) {
      const latest = byEdition.get(run[run.length - 1]) as RegisteredQuestionnaire;
      const entry = v.editions[run[run.length - 1]];
      const q = modelOf(latest).byName.get(entry.question as string);
      if (!q)
        throw new Error(
          `variable map ${map.key}: ${v.name} refers to question ${entry.question} that ${latest.id} does not have`,
        );
      const numeric = v.kind !== 'text';
      // a number question whose answers may fall in 93..99 gets the structural codes negated (NUMBER_MISSING)
      const negated = v.kind === 'number' && run.some((e) => numberMayHitMissing(byEdition.get(e), v.editions[e]));
      const codes = negated ? NUMBER_MISSING : MISSING;
      const editions: EditionInfo[] = map.editions.map((e) => {
        const en = v.editions[e] ?? { status: 'absent', question: null };
        const qv = byEdition.get(e) ?? known.find((k) => k.version === map.versions[e]);
        const qq = qv && en.question ? modelOf(qv).byName.get(en.question) : undefined;
        return {
          edition: e,
          version: map.versions[e],
          status: en.status,
          question: en.question,
          comparable: en.status === 'same',
          routing: qq ? routingText(qq) : '',
          note: en.note,
        };
      });
      // the map's label is that of the first edition asking the variable: right for the first run only
      columns.push({
        name: allRuns.length > 1 ? `${v.name}_${allRuns.find((r) => r.includes(run[0]))?.[0] ?? run[0]}` : v.name,
        label: v.label && comparableRuns(v, map.editions)[0]?.includes(run[0]) ? v.label : partText(q, entry),
        question: q.title,
        type: numeric ? 'numeric' : 'string',
        width: numeric ? undefined : 1, // set from the longest value (UTF-8 bytes) after the first pass
        role: 'variable',
        kind: v.kind,
        measure:
          v.kind === 'number'
            ? 'scale'
            : (v.kind === 'choice' || v.kind === 'matrix_row') && ORDINAL.test(q.name)
              ? 'ordinal'
              : 'nominal',
        valueLabels: numeric
          ? [
              ...valueLabels(v.kind, q, entry),
              ...(negated ? missingLabels.map((m) => ({ value: -m.value, label: m.label })) : missingLabels),
            ]
          : [],
        missing: numeric ? (negated ? missing.map((m) => -m) : missing) : [],
        missingRange: negated ? NUMBER_MISSING_RANGE : undefined,
        quasiIdentifier: undefined,
        stable: v.name,
        editions,
        holds: run,
      });
      for (const s of versions) {
        const reader = readers.get(s.questionnaire.id) as { extract: Extractor[] };
        const e = v.editions[s.edition];
        const sq = run.includes(s.edition) && isAsked(e) ? modelOf(s.questionnaire).byName.get(e.question) : undefined;
        reader.extract.push(sq ? extractor(v.kind, sq, e, text, codes) : numeric ? () => codes.notInEdition : () => '');
      }
    }
  }
  return { map, columns, attributes: attributeNames, readers, trend };
}

/** Whether answers to a number variable may be whole numbers 93..99 (no max below 93 and no min above 99; a number
 *  inside a nested answer has neither). */
function numberMayHitMissing(q: RegisteredQuestionnaire | undefined, entry: MapEntry | undefined): boolean {
  if (!q || !isAsked(entry)) return false;
  const sq = modelOf(q).byName.get(entry.question);
  if (!sq) return false;
  if (entry.path?.length) return true;
  return !(sq.max !== undefined && sq.max < 93) && !(sq.min !== undefined && sq.min > 99);
}

/** The map's edition of a questionnaire version; refuses versions the map does not list. */
export function editionOf(map: VariableMap, q: RegisteredQuestionnaire): string {
  const e = editionOfVersion(map, q.version);
  if (!e)
    throw new ConflictError(
      `the variable map of ${map.key} has no edition for version ${q.version}: confirm the variable statuses of ` +
        `${q.id} at /admin/questionnaires, or add it to variable-map.json`,
    );
  return e;
}
