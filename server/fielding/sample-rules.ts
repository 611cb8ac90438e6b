import type { Invitee } from './issue-invitations';
import type { CsvProblem, CsvRecord } from './csv-reader';
import { isValidEmail, normalizeEmail } from '../shared/email-address';

/**
 * The rules a sample file must meet. Columns: `email` (required), `name`, `organisation`, `language` and any number
 * of attributes (`tier`, `role`, `province`, …), named [a-z][a-z0-9_]*. Attributes with a fixed vocabulary are checked
 * against it and written in its spelling; the others are free text, shown counted in the preview.
 */
export const KNOWN_VALUES: Record<string, readonly string[]> = {
  language: ['nl', 'en'],
  tier: ['gemeente', 'provincie', 'waterschap', 'rijk'],
  province: [
    'Drenthe',
    'Flevoland',
    'Fryslân',
    'Gelderland',
    'Groningen',
    'Limburg',
    'Noord-Brabant',
    'Noord-Holland',
    'Overijssel',
    'Utrecht',
    'Zeeland',
    'Zuid-Holland',
  ],
};
const VALUE_ALIASES: Record<string, Record<string, string>> = { province: { friesland: 'Fryslân' } };

/** Header spellings accepted for the fixed columns. */
const COLUMN_ALIASES: Record<string, string> = {
  email: 'email',
  'e-mail': 'email',
  emailadres: 'email',
  'e-mailadres': 'email',
  name: 'name',
  naam: 'name',
  organisation: 'organisation',
  organization: 'organisation',
  organisatie: 'organisation',
  language: 'language',
  taal: 'language',
};
export const CONTACT_COLUMNS = ['email', 'name', 'organisation'];
const ATTRIBUTE = /^[a-z][a-z0-9_]{0,31}$/;
const MAX_COLUMNS = 60;
const MAX_VALUE_LENGTH = 200;
const MAX_EMAIL_LENGTH = 254;

const LINE_BREAK = /[\n\r\u2028\u2029\u0085]/;
// C0 and C1 controls, DEL, bidirectional overrides and isolates, zero-width no-break space
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/;

export interface ColumnPlan {
  /** canonical names, in file order */
  columns: string[];
  attributes: string[];
}

function characterProblem(column: string, value: string): string | undefined {
  if (LINE_BREAK.test(value)) return `field "${column}" contains a line break`;
  const m = CONTROL.exec(value);
  if (m)
    return `field "${column}" contains a control character (U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  return undefined;
}

/** Checks the header record; problems go to `problems`. */
export function planColumns(header: CsvRecord, problems: CsvProblem[]): ColumnPlan {
  const columns: string[] = [];
  const seen = new Set<string>();
  if (header.fields.length > MAX_COLUMNS)
    problems.push({ line: header.line, message: `at most ${MAX_COLUMNS} columns` });
  header.fields.forEach((raw, index) => {
    const chars = characterProblem(`column ${index + 1}`, raw);
    const lower = raw.trim().toLowerCase();
    const name = own(COLUMN_ALIASES, lower) ?? lower;
    if (chars) problems.push({ line: header.line, message: `header: ${chars}` });
    else if (name === '') problems.push({ line: header.line, message: `header: column ${index + 1} has no name` });
    else if (!ATTRIBUTE.test(name))
      problems.push({
        line: header.line,
        message: `header: column name "${raw.trim().slice(0, 40)}" must be letters a-z, digits and _ (starting with a letter, at most 32)`,
      });
    else if (seen.has(name)) problems.push({ line: header.line, message: `header: column "${name}" appears twice` });
    seen.add(name);
    columns.push(name);
  });
  if (!seen.has('email')) problems.push({ line: header.line, message: 'header: there is no "email" column' });
  const attributes = columns.filter((c) => !CONTACT_COLUMNS.includes(c) && c !== 'language' && ATTRIBUTE.test(c));
  return { columns, attributes };
}

/** A table's own entry: a column named "constructor" is an attribute like any other, not Object's constructor. */
function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function knownValue(column: string, value: string): string | undefined {
  const list = own(KNOWN_VALUES, column) ?? [];
  const lower = value.toLowerCase();
  const aliases = own(VALUE_ALIASES, column);
  return list.find((v) => v.toLowerCase() === lower) ?? (aliases ? own(aliases, lower) : undefined);
}

/**
 * Checks one data record. `seen` maps the normalised addresses met so far (in this file) to their line;
 * `existing` holds those already in the wave. Returns the invitee, or undefined when the record has problems.
 */
export function checkSampleRecord(
  plan: ColumnPlan,
  record: CsvRecord,
  seen: Map<string, number>,
  existing: Set<string>,
  problems: CsvProblem[],
): Invitee | undefined {
  const { line } = record;
  if (record.fields.length !== plan.columns.length) {
    problems.push({ line, message: `${record.fields.length} fields where the header has ${plan.columns.length}` });
    return undefined;
  }
  const before = problems.length;
  const invitee: Invitee = { email: null, name: null, organisation: null, language: 'nl', attributes: {} };
  plan.columns.forEach((column, index) => {
    const raw = record.fields[index];
    const chars = characterProblem(column, raw);
    if (chars) return void problems.push({ line, message: chars });
    const value = raw.trim();
    const max = column === 'email' ? MAX_EMAIL_LENGTH : MAX_VALUE_LENGTH;
    if (value.length > max)
      return void problems.push({ line, message: `field "${column}" is longer than ${max} characters` });
    if (column === 'email') {
      if (!isValidEmail(value))
        return void problems.push({
          line,
          message: value === '' ? 'the e-mail address is missing' : 'the e-mail address is not valid',
        });
      const key = normalizeEmail(value);
      const earlier = seen.get(key);
      if (earlier !== undefined)
        return void problems.push({ line, message: `the e-mail address is also on line ${earlier} of this file` });
      seen.set(key, line);
      if (existing.has(key))
        return void problems.push({ line, message: 'the e-mail address is already in this wave (an earlier import)' });
      invitee.email = value;
    } else if (column === 'name' || column === 'organisation') {
      invitee[column] = value === '' ? null : value;
    } else if (value === '') {
      // no value: the attribute is left out (language defaults to nl)
    } else if (own(KNOWN_VALUES, column)) {
      const known = knownValue(column, value);
      if (!known)
        return void problems.push({
          line,
          message: `"${value.slice(0, 40)}" is not a known ${column} (one of: ${KNOWN_VALUES[column].join(', ')})`,
        });
      if (column === 'language') invitee.language = known as 'nl' | 'en';
      else invitee.attributes[column] = known;
    } else {
      invitee.attributes[column] = value;
    }
  });
  return problems.length === before ? invitee : undefined;
}
