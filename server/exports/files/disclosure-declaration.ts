/**
 * The quasi-identifiers of a questionnaire key, declared beside its version files in
 * questionnaires/<key>/disclosure.json (see questionnaires/README.md, "Disclosure control"): which answers identify a
 * respondent together with public facts (tier, role, gender, age band, years in office, municipality size), the
 * recoding hierarchy of each, and the hierarchies of the sample attributes a wave may keep (those are declared, with
 * their values, in sample-attributes.json). A key without the file (the demo) protects its kept attributes and the
 * response language only.
 *
 * Every quasi-identifier is released as a numeric code with value labels. Level 0 is the code as collected (an
 * answer code, or for a sample attribute the position of its value in `values`); each further level merges codes
 * into groups whose code is 100 × level + position of the group (101, 102, … at level 1). The level above the last
 * declared one is "withheld": global recoding never goes there (local suppression does, cell by cell).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LocalizedText } from '../../questionnaires/questionnaire-file';
import type { RegisteredQuestionnaire } from '../../questionnaires/registry';

export interface DeclaredGroup {
  /** level-0 codes (answers) or values (sample attributes) merged into this group */
  members: Array<number | string>;
  label: LocalizedText;
}

export interface DeclaredLevel {
  name: string;
  groups: DeclaredGroup[];
}

export interface DeclaredAnswerQi {
  /** the column of the file holding it (a variable of the variable map, or a derived column) */
  name: string;
  /** the questions it is read from; several: the first one answered (a role asked per tier) */
  questions: string[];
  /** derived column (the questions' own columns are then left out of the file, since they carry the same code) */
  derived?: { label: LocalizedText; rule: LocalizedText; values: Array<{ value: number; label: LocalizedText }> };
  /** higher = suppressed later */
  importance: number;
  levels: DeclaredLevel[];
}

/** The hierarchy of a sample attribute; its values and labels are those of sample-attributes.json (level-0 code =
 *  position in that list + 1; values met in the data but not declared get the next codes). */
export interface DeclaredAttribute {
  importance: number;
  levels: DeclaredLevel[];
}

export interface DisclosureDeclaration {
  key: string;
  answers: DeclaredAnswerQi[];
  attributes: Record<string, DeclaredAttribute>;
  /** the response language is a quasi-identifier (a few respondents answer in English) */
  language: { importance: number };
  fromFile: boolean;
}

const cache = new Map<string, DisclosureDeclaration>();

function checkLevels(file: string, what: string, levels: DeclaredLevel[]): void {
  if (!Array.isArray(levels)) throw new Error(`${file}: ${what}: "levels" must be a list`);
  for (const l of levels) {
    if (!l || typeof l.name !== 'string' || !Array.isArray(l.groups))
      throw new Error(`${file}: ${what}: a level needs a name and groups`);
    const seen = new Set<string>();
    for (const g of l.groups) {
      if (!Array.isArray(g.members) || g.members.length < 2)
        throw new Error(`${file}: ${what}, level ${l.name}: a group merges at least two values`);
      if (!g.label || typeof g.label.nl !== 'string' || typeof g.label.en !== 'string')
        throw new Error(`${file}: ${what}, level ${l.name}: a group needs a label in nl and en`);
      for (const m of g.members) {
        if (seen.has(String(m))) throw new Error(`${file}: ${what}, level ${l.name}: ${m} is in two groups`);
        seen.add(String(m));
      }
    }
  }
}

/** Reads and checks questionnaires/<key>/disclosure.json; throws on a malformed file. */
export function readDeclaration(file: string, key: string): DisclosureDeclaration {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DisclosureDeclaration>;
  if (json.key !== key) throw new Error(`${file}: "key" must be "${key}"`);
  const answers = json.answers ?? [];
  const names = new Set<string>();
  for (const a of answers) {
    if (typeof a.name !== 'string' || !/^[a-z][a-z0-9_]{0,31}$/.test(a.name) || names.has(a.name))
      throw new Error(`${file}: bad or repeated quasi-identifier name ${a.name}`);
    names.add(a.name);
    if (!Array.isArray(a.questions) || a.questions.length === 0)
      throw new Error(`${file}: ${a.name}: "questions" is required`);
    if (typeof a.importance !== 'number') throw new Error(`${file}: ${a.name}: "importance" is required`);
    checkLevels(file, a.name, a.levels);
  }
  const attributes = json.attributes ?? {};
  for (const [name, a] of Object.entries(attributes)) {
    if (typeof a.importance !== 'number') throw new Error(`${file}: attribute ${name}: "importance" is required`);
    checkLevels(file, `attribute ${name}`, a.levels);
  }
  return { key, answers, attributes, language: json.language ?? { importance: 1 }, fromFile: true };
}

/** The declaration of a questionnaire key (cached per file). */
export function declarationFor(versions: RegisteredQuestionnaire[]): DisclosureDeclaration {
  const key = versions[0].key;
  const file = path.join(path.dirname(versions[0].file), 'disclosure.json');
  const cached = cache.get(file);
  if (cached) return cached;
  const d: DisclosureDeclaration = fs.existsSync(file)
    ? readDeclaration(file, key)
    : { key, answers: [], attributes: {}, language: { importance: 1 }, fromFile: false };
  cache.set(file, d);
  return d;
}
