/**
 * The variable map of a questionnaire key (questionnaires/<key>/variable-map.json, see questionnaires/README.md):
 * one stable name per analysable variable across editions. A key without a map file (the demo) gets one derived from
 * its versions with the same naming rules, so every export works the same way.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LocalizedText } from '../../questionnaires/questionnaire-file';
import type { RegisteredQuestionnaire } from '../../questionnaires/registry';
import type { VariableKind } from '../../questionnaires/questionnaire-model';

export type { VariableKind };
export type EditionStatus = 'new' | 'same' | 'reworded' | 'dropped' | 'absent';

export interface MapEntry {
  status: EditionStatus;
  question: string | null;
  row?: string;
  choice?: number | string;
  /** where in the question's answer the value is (a matrixdropdown cell, a dynamic panel's question, a rank): see
   *  SurveyVariable.path in questionnaires/questionnaire-model.ts; absent for a whole answer, a matrix row, a choice */
  path?: Array<string | number>;
  /** the text beside the answer (`<question>-Comment`) */
  comment?: true;
  note?: LocalizedText;
}

export interface MapVariable {
  name: string;
  label: LocalizedText;
  kind: VariableKind;
  editions: Record<string, MapEntry>;
}

export interface VariableMap {
  key: string;
  population: string;
  /** in order, as strings ("2022") */
  editions: string[];
  /** edition -> version */
  versions: Record<string, string>;
  variables: MapVariable[];
  /** false: derived from the version files because the key has no variable-map.json */
  fromFile: boolean;
}

/** Is the entry asked in its edition (it has a question there)? */
export function isAsked(entry: MapEntry | undefined): entry is MapEntry & { question: string } {
  return !!entry && entry.question !== null && entry.status !== 'dropped' && entry.status !== 'absent';
}

/** The edition (key of map.editions) a version belongs to. */
export function editionOfVersion(map: VariableMap, version: string): string | undefined {
  return map.editions.find((e) => map.versions[e] === version);
}

const cache = new Map<string, VariableMap>();

/** The map of a questionnaire key, read from beside its version files (cached per file), or derived. */
export function variableMapFor(versions: RegisteredQuestionnaire[]): VariableMap {
  if (versions.length === 0) throw new Error('variable map: no questionnaire versions');
  const key = versions[0].key;
  const file = path.join(path.dirname(versions[0].file), 'variable-map.json');
  const cached = cache.get(file) ?? cache.get(`derived:${versions.map((v) => `${v.id}:${v.sha256}`).join(',')}`);
  if (cached) return cached;
  let map: VariableMap;
  if (fs.existsSync(file)) {
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Omit<VariableMap, 'fromFile' | 'editions'> & {
      editions: Array<string | number>;
    };
    if (raw.key !== key) throw new Error(`${file}: "key" must be "${key}"`);
    map = { ...raw, editions: raw.editions.map(String), fromFile: true };
    cache.set(file, map);
  } else {
    map = deriveVariableMap(versions);
    cache.set(`derived:${versions.map((v) => `${v.id}:${v.sha256}`).join(',')}`, map);
  }
  return map;
}

/** A map for versions without a map file: a variable is "same" when its question is unchanged from the previous version. */
export function deriveVariableMap(versions: RegisteredQuestionnaire[]): VariableMap {
  const ordered = [...versions].sort((a, b) => a.version.localeCompare(b.version, 'en', { numeric: true }));
  const editions = ordered.map((v) => v.version);
  const byName = new Map<string, MapVariable>();
  const signature = new Map<string, string>();
  ordered.forEach((v, i) => {
    const model = v.model;
    for (const q of model.questions) {
      const sig = JSON.stringify([q.type, q.inputType, q.title, q.choices, q.rows, q.columns, q.inner]);
      for (const d of q.variables) {
        let mv = byName.get(d.name);
        if (!mv) {
          mv = { name: d.name, label: d.label, kind: d.kind, editions: {} };
          for (const e of editions.slice(0, i)) mv.editions[e] = { status: 'absent', question: null };
          byName.set(d.name, mv);
        }
        const prev = i > 0 ? mv.editions[editions[i - 1]] : undefined;
        const status: EditionStatus = !isAsked(prev)
          ? 'new'
          : signature.get(`${editions[i - 1]}:${q.name}`) === sig
            ? 'same'
            : 'reworded';
        const nested = d.kind !== 'matrix_row' && d.path.length > 0;
        mv.editions[v.version] = {
          status,
          question: q.name,
          row: d.row,
          choice: d.choice,
          ...(nested ? { path: d.path } : {}),
        };
      }
      signature.set(`${v.version}:${q.name}`, sig);
    }
    for (const mv of byName.values()) {
      if (!mv.editions[v.version])
        mv.editions[v.version] = {
          status: isAsked(mv.editions[editions[i - 1]]) ? 'dropped' : 'absent',
          question: null,
        };
    }
  });
  const first = ordered[0];
  return {
    key: first.key,
    population: first.population,
    editions,
    versions: Object.fromEntries(ordered.map((v) => [v.version, v.version])),
    variables: [...byName.values()],
    fromFile: false,
  };
}
